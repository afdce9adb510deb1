--
-- The caller's privileges: a migration role with USAGE on the Connect
-- schema and SELECT on its tables can call every read-only function;
-- without them, 42501.  Column privileges and row-level security are
-- respected.
--
-- The Connect schema salesforce, as life_of_field leaves it.
\set ECHO none
\i test/fixtures/salesforce.sql
\set ECHO all
SELECT hcdouble.grant_reader('salesforce', 'regress_hc_migrator');
SET ROLE regress_hc_migrator;
SELECT hcguard_required('salesforce', 'contact', 'email');
SELECT hcguard_required('salesforce', 'contact');
SELECT hcguard_required('salesforce', 'contact', 'email', 'lastname');
SELECT synced, evidence FROM hcguard_status('salesforce', 'contact', 'email');
SELECT count(*) >= 0 AS readable FROM hcguard_confirmations;
RESET ROLE;

-- No USAGE on the schema.
SET ROLE regress_hc_stranger;
SELECT hcguard_required('salesforce', 'contact', 'email');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('salesforce', 'contact');
\echo :LAST_ERROR_SQLSTATE
\x on
SELECT * FROM hcguard_status('salesforce', 'contact', 'email');
\x off
RESET ROLE;

-- USAGE, but no SELECT on the table.
GRANT USAGE ON SCHEMA salesforce TO regress_hc_stranger;
SET ROLE regress_hc_stranger;
SELECT hcguard_required('salesforce', 'contact', 'email');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('salesforce', 'contact', 'email', 'lastname');
\echo :LAST_ERROR_SQLSTATE
\x on
SELECT * FROM hcguard_status('salesforce', 'contact');
\x off
RESET ROLE;

-- SELECT on the columns the probe reads is enough: _hc_lastop, sfid (a
-- row of Connect's bulk load is told by its sfid) and the column itself.
-- Without sfid it is not.
GRANT SELECT (_hc_lastop, email) ON salesforce.contact TO regress_hc_stranger;
SET ROLE regress_hc_stranger;
SELECT hcguard_required('salesforce', 'contact', 'email');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
GRANT SELECT (sfid) ON salesforce.contact TO regress_hc_stranger;
SET ROLE regress_hc_stranger;
SELECT hcguard_required('salesforce', 'contact', 'email');
SELECT hcguard_required('salesforce', 'contact');
SELECT hcguard_required('salesforce', 'contact', 'lastname');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
REVOKE ALL ON salesforce.contact FROM regress_hc_stranger;
REVOKE USAGE ON SCHEMA salesforce FROM regress_hc_stranger;

-- Row-level security: the verdict is the one the caller's view of the table
-- supports.  Here a policy shows the migrator only the application's rows.
SELECT hcdouble.create_mapping('salesforce', 'Opportunity',
    '[["StageName","picklist"],["Amount","currency"]]');
SELECT hcdouble.connect_load('salesforce', 'Opportunity', 3);
SELECT hcdouble.app_insert('salesforce', 'Opportunity', '{"stagename": "Prospecting"}') IS NOT NULL AS inserted;
GRANT SELECT ON salesforce.opportunity TO regress_hc_migrator;
ALTER TABLE salesforce.opportunity ENABLE ROW LEVEL SECURITY;
CREATE POLICY only_pending ON salesforce.opportunity
    FOR SELECT TO regress_hc_migrator USING (_hc_lastop = 'PENDING');
SET ROLE regress_hc_migrator;
SELECT hcguard_required('salesforce', 'opportunity', 'stagename');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('salesforce', 'opportunity');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- The table owner and superusers are not subject to the policy.
SELECT hcguard_required('salesforce', 'opportunity', 'stagename');
-- A policy that shows Connect's rows (its bulk load's, _hc_lastop NULL, and
-- its later writes) lets the guard pass.
CREATE POLICY connect_rows ON salesforce.opportunity
    FOR SELECT TO regress_hc_migrator
    USING (_hc_lastop IS NULL OR _hc_lastop = 'SYNCED');
SET ROLE regress_hc_migrator;
SELECT hcguard_required('salesforce', 'opportunity', 'stagename', 'amount');
RESET ROLE;

-- Leave nothing behind: every file builds the Connect schemas it uses.
SELECT hcdouble.drop_connect_schema('salesforce');
