--
-- No lock left behind: once a call returns, the transaction holds no lock
-- on a Connect table (or its indexes) that it did not hold before, so that
-- Connect's own ALTER TABLE never queues behind a long migration.
--
-- The Connect schema salesforce, as life_of_field leaves it.
\set ECHO none
\i test/fixtures/salesforce.sql
\set ECHO all
-- Connect has added the field Fax to the mapping (as in errors), and no
-- record has a fax.
SELECT hcdouble.add_field('salesforce', 'Contact', 'Fax', 'phone');
-- A mapping whose initial load has written no row (as in confirmations).
SELECT hcdouble.create_mapping('salesforce', 'Campaign', '[["Name","string(80)"]]');
-- A mapping the migrator reads under row-level security (as in privileges).
SELECT hcdouble.create_mapping('salesforce', 'Opportunity',
    '[["StageName","picklist"],["Amount","currency"]]');
SELECT hcdouble.connect_load('salesforce', 'Opportunity', 3);
SELECT hcdouble.app_insert('salesforce', 'Opportunity', '{"stagename": "Prospecting"}') IS NOT NULL AS inserted;
SELECT hcdouble.grant_reader('salesforce', 'regress_hc_migrator');
ALTER TABLE salesforce.opportunity ENABLE ROW LEVEL SECURITY;
CREATE POLICY only_pending ON salesforce.opportunity
    FOR SELECT TO regress_hc_migrator USING (_hc_lastop = 'PENDING');
CREATE POLICY connect_rows ON salesforce.opportunity
    FOR SELECT TO regress_hc_migrator
    USING (_hc_lastop IS NULL OR _hc_lastop = 'SYNCED');
-- A second Connect schema, org, with a read-only mapping (as in shapes).
SELECT hcdouble.create_connect_schema('org');
SELECT hcdouble.create_mapping('org', 'User',
    '[["Username","string(80)"],["IsActive","boolean"]]', 'read_only');
SELECT hcdouble.connect_load('org', 'User', 3);

CREATE VIEW connect_locks AS
SELECT c.relname::text AS relation, l.mode
  FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
 WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation'
   AND c.relnamespace IN ('salesforce'::regnamespace, 'org'::regnamespace)
 ORDER BY 1, 2;

BEGIN;
SELECT hcguard_required('salesforce', 'contact', 'email');
SELECT hcguard_required('salesforce', 'contact');
SELECT hcguard_required('salesforce', 'contact', 'email', 'lastname');
SELECT hcguard_required('org', 'user', 'username');
SELECT synced FROM hcguard_status('salesforce', 'contact', 'email');
SELECT * FROM connect_locks;
COMMIT;

-- Failing calls, in warning mode (an error ends the transaction anyway).
BEGIN;
SET LOCAL hcguard.on_failure = warning;
SELECT hcguard_required('salesforce', 'contact', 'fax');
SELECT hcguard_required('salesforce', 'contact', 'nope');
SELECT problem IS NOT NULL AS failed FROM hcguard_status('salesforce', 'campaign');
SELECT * FROM connect_locks;
COMMIT;

-- Inside a savepoint that catches the error.
BEGIN;
SAVEPOINT s;
SELECT hcguard_required('salesforce', 'contact', 'fax');
ROLLBACK TO SAVEPOINT s;
SELECT * FROM connect_locks;
COMMIT;

-- Confirming and revoking lock the mapping only while they work.
BEGIN;
SELECT hcguard_confirm_synced('salesforce', 'contact', 'fax', 'locks test');
SELECT hcguard_revoke_confirmation('salesforce', 'contact', 'fax');
SELECT * FROM connect_locks;
COMMIT;

-- A lock the transaction held before the call is still held after it.
BEGIN;
LOCK TABLE salesforce.contact IN ACCESS SHARE MODE;
SELECT hcguard_required('salesforce', 'contact', 'email');
SELECT * FROM connect_locks;
COMMIT;
BEGIN;
LOCK TABLE salesforce.contact IN SHARE ROW EXCLUSIVE MODE;
SELECT hcguard_required('salesforce', 'contact', 'email');
SELECT * FROM connect_locks;
COMMIT;

-- Under row-level security the probe goes through the planner, which locks
-- the table's indexes too: all of it is released.
BEGIN;
SET LOCAL ROLE regress_hc_migrator;
SELECT hcguard_required('salesforce', 'opportunity', 'stagename');
RESET ROLE;
SELECT * FROM connect_locks;
COMMIT;
DROP VIEW connect_locks;

-- Leave nothing behind: every file builds the Connect schemas it uses.
SELECT hcdouble.drop_connect_schema(s) FROM unnest(ARRAY['org', 'salesforce']) AS s;
