--
-- Connect's own report: a snapshot of the connection document Connect's API
-- returns (GET /api/v3/connections/{id}?deep=true), recorded by
-- hcguard_record_connect_state.  While fresh, a mapping in DATA_SYNCED on an
-- idle connection vouches for its configured fields, even empty ones; any
-- other state fails the verdict whatever the data shows.
--
\set SHOW_CONTEXT never
SELECT hcdouble.create_connect_schema('salesforce');
-- Contact: Email synced; Fax__c empty in Salesforce; Tier__c just added,
-- its first values written while Connect is still loading the column.
SELECT hcdouble.create_mapping('salesforce', 'Contact',
    '[["Email", "email"], ["Fax__c", "phone"], ["Phone", "phone"]]');
SELECT hcdouble.connect_load('salesforce', 'Contact', 3, nulls => '{Fax__c, Phone}');
SELECT hcdouble.add_field('salesforce', 'Contact', 'Tier__c', 'picklist');
UPDATE salesforce.contact SET tier__c = 'Gold', _hc_lastop = 'SYNCED' WHERE id = 1;
SELECT hcdouble.create_mapping('salesforce', 'Campaign');
SELECT hcdouble.grant_reader('salesforce', 'regress_hc_migrator');
ALTER TABLE salesforce.contact OWNER TO regress_hc_owner;
ALTER TABLE salesforce.campaign OWNER TO regress_hc_owner;
TRUNCATE hcguard.connect_snapshot, hcguard.connect_mapping_state;

-- Without a report, the data decides.
SELECT column_name, synced, evidence FROM hcguard_columns('salesforce', 'contact') ORDER BY 1;
SELECT hcguard_required('salesforce', 'contact', 'fax__c');
\echo :LAST_ERROR_SQLSTATE

-- The report: Connect idle, Contact and Campaign in DATA_SYNCED.  Recorded
-- by a member of the role that owns every mapping, as a release phase
-- would with the database's own credentials.
SET ROLE regress_hc_owner_member;
SELECT hcguard_record_connect_state('{
  "id": "8a1c8a2e-0000-4000-8000-000000000001", "name": "staging", "schema_name": "salesforce",
  "state": "IDLE", "mappings_summary_state": "OK",
  "mappings": [
    {"object_name": "Contact", "state": "DATA_SYNCED", "state_description": "OK",
     "config": {"access": "read_write", "fields": {"Id": {}, "Email": {}, "Fax__c": {}, "Tier__c": {},
                                                   "SystemModstamp": {}},
                "revision": 41, "applied_at": "2026-12-01T10:00:00Z"},
     "counts": {"db": 3, "sf": 3, "pending": 0, "errors": 0},
     "times": {"sf_poll": "2026-12-01 10:05:00+00:00", "db_write": null}},
    {"object_name": "Campaign", "state": "DATA_SYNCED",
     "config": {"fields": {"Id": {}, "Name": {}}}, "counts": {"db": 0, "sf": 0}}]}');
RESET ROLE;
SELECT schema_name, object_name, table_name, connection_state, mapping_state, fields, db_count, sf_count,
       recorded_at > now() - interval '1 minute' AS recorded_now
  FROM hcguard_connect_state ORDER BY table_name;
SELECT recorded_by FROM hcguard.connect_snapshot;

-- Connect's word: Email, Fax__c and Tier__c are synced, with evidence
-- connect, answered without reading the table; Phone, not among the
-- configured fields, is judged by its data.
SET ROLE regress_hc_migrator;
SELECT column_name, synced, evidence FROM hcguard_columns('salesforce', 'contact') ORDER BY 1;
SELECT hcguard_required('salesforce', 'contact', 'fax__c', 'tier__c', 'Id');
SELECT * FROM hcguard_status('salesforce', 'contact', 'fax__c');
SELECT hcguard_required('salesforce', 'contact', 'phone');
\echo :LAST_ERROR_SQLSTATE
-- an empty mapping in DATA_SYNCED is synced
SELECT hcguard_required('salesforce', 'campaign');
SELECT table_name, synced, evidence FROM hcguard_mappings('salesforce') ORDER BY 1;
RESET ROLE;

-- Connect adds Tier__c again and loads it: RESYNC.  The first values are
-- not the column synced; every guard on the mapping fails, whatever the
-- data or a confirmation say, and says how old the report is.
SELECT hcguard_confirm_synced('salesforce', 'contact', 'fax__c', 'empty in Salesforce');
SELECT hcguard_record_connect_state('{"schema_name": "salesforce", "state": "IDLE", "mappings": [
  {"object_name": "Contact", "state": "RESYNC", "config": {"fields": {"Id": {}, "Email": {}, "Fax__c": {}, "Tier__c": {}}},
   "counts": {"db": 3, "sf": 3}},
  {"object_name": "Campaign", "state": "DATA_SYNCED", "config": {"fields": {"Id": {}}}}]}');
UPDATE hcguard.connect_snapshot SET recorded_at = clock_timestamp() - interval '134 seconds';
SET ROLE regress_hc_migrator;
SELECT hcguard_required('salesforce', 'contact', 'tier__c');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('salesforce', 'contact', 'email', 'fax__c');
SELECT hcguard_required('salesforce', 'contact');
-- a missing column still ranks first (42703), and the others are named
SELECT hcguard_required('salesforce', 'contact', 'email', 'preferred_channel__c');
\echo :LAST_ERROR_SQLSTATE
SELECT synced, evidence, problem FROM hcguard_status('salesforce', 'contact', 'email');
SELECT hcguard_required('salesforce', 'campaign');
SELECT hcguard_wait('salesforce', 'contact', 'tier__c', '0');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET hcguard.on_failure = warning;
SELECT hcguard_required('salesforce', 'contact', 'email');
RESET hcguard.on_failure;

-- A stale report is no evidence: the data and confirmations decide again.
UPDATE hcguard.connect_snapshot SET recorded_at = clock_timestamp() - interval '20 minutes';
SELECT column_name, synced, evidence FROM hcguard_columns('salesforce', 'contact') ORDER BY 1;
-- hcguard.connect_state_max_age says how long a report counts: an hour
-- makes the 20-minute-old RESYNC count again, 0 makes none count
SET hcguard.connect_state_max_age = '1h';
SELECT synced, evidence FROM hcguard_status('salesforce', 'contact', 'email');
SET hcguard.connect_state_max_age = 0;
SELECT synced, evidence FROM hcguard_status('salesforce', 'contact', 'email');
RESET hcguard.connect_state_max_age;
SELECT hcguard_revoke_confirmation('salesforce', 'contact', 'fax__c');

-- A connection that does not sync holds back every mapping, listed or not.
SELECT hcguard_record_connect_state('{"schema_name": "salesforce", "state": "NEED_AUTHENTICATION",
  "mappings": [{"object_name": "Contact", "state": "DATA_SYNCED", "config": {"fields": {"Email": {}}}}]}');
SELECT hcguard_required('salesforce', 'contact', 'email');
SELECT hcguard_required('salesforce', 'campaign');
-- A state hcguard does not know fails too, and says so.
SELECT hcguard_record_connect_state('{"schema_name": "salesforce", "state": "POLLING_DB_CHANGES",
  "mappings": [{"object_name": "Contact", "state": "SYSTEM_ERROR", "config": {"fields": {"Email": {}}}}]}');
SELECT hcguard_required('salesforce', 'contact', 'email');
-- ... while a mapping the report does not list is judged by its data.
SELECT synced, evidence FROM hcguard_status('salesforce', 'campaign');

-- The newest report replaces the one before: the store holds one snapshot
-- per schema, and only its mappings.
SELECT count(*) AS snapshots FROM hcguard.connect_snapshot;
SELECT table_name, mapping_state FROM hcguard_connect_state;
SELECT count(*) AS mapping_rows FROM hcguard.connect_mapping_state;

-- A mapping whose table is not in the schema is recorded, with a warning:
-- no guard on it can pass.
SELECT hcguard_record_connect_state('{"schema_name": "Salesforce", "state": "IDLE", "mappings": [
  {"object_name": "Contact", "state": "DATA_SYNCED", "config": {"fields": {"Email": {}}}},
  {"object_name": "Lead", "state": "DATA_SYNCED", "config": {"fields": {"Company": {}}}}]}');
SELECT table_name, mapping_state FROM hcguard_connect_state ORDER BY 1;
SELECT hcguard_required('salesforce', 'lead');
\echo :LAST_ERROR_SQLSTATE

-- Documents of another shape: 22023, naming the bad path; nothing changes.
SELECT hcguard_record_connect_state(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_record_connect_state('[]');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_record_connect_state('{"state": "IDLE", "mappings": []}');
SELECT hcguard_record_connect_state('{"schema_name": 7, "state": "IDLE", "mappings": []}');
SELECT hcguard_record_connect_state('{"schema_name": "salesforce", "state": "", "mappings": []}');
-- the shallow document (no ?deep=true) lists no mappings
SELECT hcguard_record_connect_state('{"schema_name": "salesforce", "state": "IDLE", "detail_url": "/api/v3/connections/1"}');
SELECT hcguard_record_connect_state('{"schema_name": "salesforce", "state": "IDLE", "mappings": {}}');
SELECT hcguard_record_connect_state('{"schema_name": "salesforce", "state": "IDLE", "mappings": [7]}');
SELECT hcguard_record_connect_state('{"schema_name": "salesforce", "state": "IDLE",
  "mappings": [{"object_name": "Contact", "config": {"fields": {}}}]}');
SELECT hcguard_record_connect_state('{"schema_name": "salesforce", "state": "IDLE",
  "mappings": [{"object_name": "Contact", "state": "DATA_SYNCED"}]}');
SELECT hcguard_record_connect_state('{"schema_name": "salesforce", "state": "IDLE",
  "mappings": [{"object_name": "Contact", "state": "DATA_SYNCED", "config": {"fields": ["Email"]}}]}');
SELECT hcguard_record_connect_state('{"schema_name": "salesforce", "state": "IDLE",
  "mappings": [{"object_name": "Contact", "state": "DATA_SYNCED", "config": {"fields": {"": {}}}}]}');
SELECT hcguard_record_connect_state('{"schema_name": "salesforce", "state": "IDLE",
  "mappings": [{"object_name": "Contact", "state": "DATA_SYNCED", "config": {"fields": {}}, "counts": {"db": -1}}]}');
SELECT hcguard_record_connect_state('{"schema_name": "salesforce", "state": "IDLE",
  "mappings": [{"object_name": "Contact", "state": "DATA_SYNCED", "config": {"fields": {}}, "counts": {"sf": "3"}}]}');
SELECT hcguard_record_connect_state('{"schema_name": "salesforce", "state": "IDLE", "mappings": [
  {"object_name": "Contact", "state": "DATA_SYNCED", "config": {"fields": {}}},
  {"object_name": "contact", "state": "DATA_SYNCED", "config": {"fields": {}}}]}');
\echo :LAST_ERROR_SQLSTATE
-- a schema this database does not have
SELECT hcguard_record_connect_state('{"schema_name": "sf_production", "state": "IDLE", "mappings": []}');
\echo :LAST_ERROR_SQLSTATE
SELECT table_name, mapping_state FROM hcguard_connect_state ORDER BY 1;

-- Recording needs the rights confirming needs on every mapping of the
-- schema; the store refuses anyone else's writes too.
SET ROLE regress_hc_migrator;
SELECT hcguard_record_connect_state('{"schema_name": "salesforce", "state": "PAUSED", "mappings": []}');
\echo :LAST_ERROR_SQLSTATE
DELETE FROM hcguard.connect_snapshot;
\echo :LAST_ERROR_SQLSTATE
UPDATE hcguard.connect_mapping_state SET mapping_state = 'DATA_SYNCED';
\echo :LAST_ERROR_SQLSTATE
INSERT INTO hcguard.connect_mapping_state (schema_name, table_name, object_name, mapping_state, fields, columns)
VALUES ('salesforce', 'account', 'Account', 'DATA_SYNCED', '{}', '{}');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT table_name, mapping_state FROM hcguard_connect_state ORDER BY 1;
-- nor in a read-only transaction
BEGIN READ ONLY;
SELECT hcguard_record_connect_state('{"schema_name": "salesforce", "state": "IDLE", "mappings": []}');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- Leave nothing behind.
TRUNCATE hcguard.connect_snapshot, hcguard.connect_mapping_state;
SELECT hcdouble.drop_connect_schema('salesforce');
