--
-- Overview and write health: hcguard_mappings and hcguard_columns.
--
-- A second Connect schema besides health, built below: salesforce, as
-- life_of_field leaves it.
\set ECHO none
\i test/fixtures/salesforce.sql
\set ECHO all

-- Write health: application writes pending, and writes Salesforce refused.
SELECT hcdouble.create_connect_schema('health');
SELECT hcdouble.create_mapping('health', 'Contact',
    '[["Email","email"],["LastName","string(80)"],["Fax","phone"]]');
SELECT hcdouble.create_mapping('health', 'Account', '[["Name","string(255)"]]');
SELECT hcdouble.create_mapping('health', 'Campaign', '[["Name","string(80)"]]',
    'read_only', false);
SELECT hcdouble.create_mapping('health', 'Case', '[["Subject","string(255)"]]');
SELECT hcdouble.connect_load('health', 'Contact', 20, '{fax}');
SELECT hcdouble.connect_load('health', 'Account', 3);
SELECT hcdouble.app_insert('health', 'Contact', '{"lastname": "Ada"}') IS NOT NULL AS app_write;
SELECT hcdouble.app_insert('health', 'Contact', '{"lastname": "Grace"}') IS NOT NULL AS app_write;
SELECT hcdouble.connect_push('health', 'Contact', false,
    'INVALID_EMAIL_ADDRESS: Email: invalid email address: ada@');
SELECT hcdouble.app_insert('health', 'Contact', '{"lastname": "Edsger"}') IS NOT NULL AS app_write;
SELECT hcdouble.app_insert('health', 'Account', '{"name": "Initech"}') IS NOT NULL AS app_write;
-- One FAILED row that Connect has not archived yet counts too.
INSERT INTO health._trigger_log (txid, created_at, state, action, table_name, record_id, sf_message)
VALUES (1, now(), 'FAILED', 'UPDATE', 'contact', 1, 'UNABLE_TO_LOCK_ROW: unable to obtain exclusive access to this record');
SELECT hcguard_confirm_synced('health', 'campaign', NULL, 'no campaigns in this org');
DROP TRIGGER hc_case_status_trigger ON health."case";
ANALYZE health.contact, health.account;

SELECT schema_name, table_name, field_count, rows_estimate, synced, evidence,
       pending_writes, failed_writes, last_failure_at IS NOT NULL AS has_failure_at,
       last_failure, status_trigger, log_trigger
  FROM hcguard_mappings('health');

-- Without a schema: every Connect schema the caller may use.
SELECT schema_name, count(*) AS mappings, count(*) FILTER (WHERE synced) AS synced
  FROM hcguard_mappings() GROUP BY 1 ORDER BY 1;

-- A schema with tables of Connect's names but not Connect's columns: its
-- write health is unknown; the other schemas are listed all the same.
CREATE SCHEMA stray;
CREATE TABLE stray._hcmeta (id int);
CREATE TABLE stray._trigger_log (id int);
CREATE TABLE stray._trigger_log_archive (id int);
CREATE TABLE stray.thing (id int, sfid varchar(18), _hc_lastop varchar(32), _hc_err text);
SELECT schema_name, table_name, pending_writes, failed_writes
  FROM hcguard_mappings() WHERE schema_name IN ('stray', 'health') ORDER BY 1, 2;
DROP SCHEMA stray CASCADE;

-- Every field column with its verdict, from one pass over the table.
SELECT * FROM hcguard_columns('health', 'contact');
SELECT hcguard_confirm_synced('health', 'contact', 'fax', 'nobody has a fax');
SELECT * FROM hcguard_columns('health', 'Contact') WHERE column_name IN ('fax', 'email');
SELECT * FROM hcguard_columns('health', 'case');
-- ... one pass: a single scan of the table for all the verdicts.
BEGIN;
SELECT pg_stat_get_xact_numscans('health.contact'::regclass) AS scans_before \gset
SELECT count(*) AS columns FROM hcguard_columns('health', 'contact');
SELECT pg_stat_get_xact_numscans('health.contact'::regclass) - :scans_before AS scans;
COMMIT;

-- The same errors as hcguard_required for what is missing or not Connect's.
SELECT * FROM hcguard_mappings('nowhere');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM hcguard_mappings('public');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM hcguard_mappings('');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM hcguard_columns('health', 'lead');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM hcguard_columns('health', '_hcmeta');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM hcguard_columns(NULL, 'contact');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM hcguard_columns('nowhere', 'contact');
\echo :LAST_ERROR_SQLSTATE

-- A migration role with USAGE and SELECT sees it all; without SELECT on the
-- logs, write health is unknown (NULL), not zero; without SELECT on a
-- mapping, so is its sync; without USAGE, the schema is not listed.
SELECT hcdouble.grant_reader('health', 'regress_hc_migrator');
REVOKE SELECT ON health._trigger_log_archive, health.account FROM regress_hc_migrator;
SET ROLE regress_hc_migrator;
SELECT table_name, synced, pending_writes, failed_writes
  FROM hcguard_mappings('health');
SELECT * FROM hcguard_columns('health', 'account');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE regress_hc_stranger;
SELECT count(*) FROM hcguard_mappings() WHERE schema_name = 'health';
SELECT * FROM hcguard_mappings('health');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- Counting rides on Connect's indexes: no sequential scan of either log,
-- even where the planner would rather scan (these logs are tiny).
ANALYZE health._trigger_log, health._trigger_log_archive;
CREATE FUNCTION log_seq_scans() RETURNS bigint LANGUAGE sql AS $$
    SELECT pg_stat_get_xact_numscans('health._trigger_log'::regclass)
         + pg_stat_get_xact_numscans('health._trigger_log_archive'::regclass)$$;
CREATE FUNCTION log_index_scans() RETURNS bigint LANGUAGE sql AS $$
    SELECT sum(pg_stat_get_xact_numscans(indexrelid))::bigint FROM pg_index
     WHERE indrelid IN ('health._trigger_log'::regclass, 'health._trigger_log_archive'::regclass)$$;
BEGIN;
SELECT log_seq_scans() AS seq_before, log_index_scans() AS idx_before \gset
SELECT count(*) AS mappings FROM hcguard_mappings('health');
SELECT log_seq_scans() - :seq_before AS seq_scans, log_index_scans() - :idx_before > 0 AS used_indexes;
COMMIT;
DROP FUNCTION log_seq_scans(), log_index_scans();

-- No lock is left on the mappings or the logs.
BEGIN;
SELECT count(*) > 0 AS listed FROM hcguard_mappings('health');
SELECT count(*) > 0 AS listed FROM hcguard_columns('health', 'contact');
SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
 WHERE l.pid = pg_backend_pid() AND c.relnamespace = 'health'::regnamespace;
COMMIT;

-- A schema of many mappings (the SQL edition looks at them fifty to a
-- statement): each verdict is its own mapping's, whichever others share
-- its statement.  Among 120, one is empty, one holds only the
-- application's rows, one is confirmed and one the migrator may not read.
SELECT hcdouble.create_connect_schema('many');
SELECT count(hcdouble.create_mapping('many', format('M_%s__c', lpad(i::text, 3, '0')),
                                     '[["Note__c","string(80)"]]'))
  FROM generate_series(1, 120) AS i;
SELECT sum(hcdouble.connect_load('many', format('M_%s__c', lpad(i::text, 3, '0')), 2))
  FROM generate_series(1, 120) AS i WHERE i NOT IN (7, 63, 101);
SELECT hcdouble.app_insert('many', 'M_063__c', '{"note__c": "from the app"}') IS NOT NULL AS app_write;
SELECT hcguard_confirm_synced('many', 'm_101__c', NULL, 'no rows in this org');
SELECT hcdouble.grant_reader('many', 'regress_hc_migrator');
REVOKE SELECT ON many.m_088__c FROM regress_hc_migrator;
SET ROLE regress_hc_migrator;
SELECT count(*) AS mappings, count(*) FILTER (WHERE synced) AS synced,
       string_agg(format('%s %s %s', table_name, coalesce(synced::text, 'unknown'), coalesce(evidence, 'none')), ', '
                  ORDER BY table_name) FILTER (WHERE synced IS NOT TRUE OR evidence <> 'data') AS the_others
  FROM hcguard_mappings('many');
-- in the order of their names, each once
SELECT array_agg(table_name) = array_agg(table_name ORDER BY table_name COLLATE "C")
       AND count(DISTINCT table_name) = 120 AS in_order
  FROM hcguard_mappings('many');
RESET ROLE;
-- A mapping Connect adds, and one it drops, between two calls.
SELECT hcdouble.drop_mapping('many', 'M_050__c');
SELECT hcdouble.create_mapping('many', 'M_121__c', '[["Note__c","string(80)"]]');
SELECT hcdouble.connect_load('many', 'M_121__c', 1);
SELECT count(*) AS mappings, count(*) FILTER (WHERE synced) AS synced
  FROM hcguard_mappings('many');

-- Leave nothing behind: every file builds the Connect schemas it uses, and
-- its confirmations go with them.
SELECT hcdouble.drop_connect_schema(s) FROM unnest(ARRAY['health', 'many', 'salesforce']) AS s;
DELETE FROM hcguard.confirmation_store WHERE schema_name IN ('health', 'many');
