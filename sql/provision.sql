--
-- hcguard.on_failure = provision: in a database without Heroku Connect, a
-- declaration that would fail creates what it names, shaped as Connect
-- makes it, as the calling role; where Connect (or anyone) manages the
-- schema, or the database has Connect at all, it fails as under error.
--
-- This database has no Connect schema when the file starts (every file
-- drops the ones it builds), and no hstore.
SELECT count(*) AS connect_schemas FROM pg_class WHERE relname = '_hcmeta';
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS hstore;
RESET client_min_messages;
-- Only the database's owner may create in public, as PostgreSQL 15 and
-- later make it (13 and 14 let everyone): provisioning then puts hstore in
-- the schema it builds.  The file puts back what it found, at its end.
SELECT has_schema_privilege('public', 'public', 'CREATE') AS public_create \gset
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
-- Both editions' reports, without the PL/pgSQL frames an error passes.
\set SHOW_CONTEXT never

-- A catalog view of a provisioned table, for the checks below.
CREATE FUNCTION pg_temp.shape(rel regclass)
RETURNS TABLE (col name, type text)
LANGUAGE sql AS $$
    SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
     WHERE attrelid = rel AND attnum > 0 AND NOT attisdropped ORDER BY attnum
$$;

SET hcguard.on_failure = provision;
SHOW hcguard.on_failure;

-- Provisioning runs as the caller.  The migrator may not create schemas in
-- this database: PostgreSQL's own 42501, with what hcguard tried, and
-- nothing is left behind.
SET ROLE regress_hc_migrator;
SELECT hcguard_required('salesforce', 'contact', 'email');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT to_regnamespace('salesforce') AS salesforce_schema;

-- The database's owner may (regress_hc_owner stands for it here).
SELECT current_database() AS regress_db \gset
GRANT CREATE ON DATABASE :"regress_db" TO regress_hc_owner;
SET ROLE regress_hc_owner;

-- The first declaration builds the schema as Connect makes it, the
-- mapping table and the column, each in a notice, and passes.
SELECT hcguard_required('salesforce', 'contact', 'email varchar(80)', 'opt_in__c boolean');
SELECT * FROM pg_temp.shape('salesforce.contact');
SELECT indexrelid::regclass AS index, pg_get_indexdef(indexrelid) LIKE '%UNIQUE%' AS is_unique
  FROM pg_index WHERE indrelid = 'salesforce.contact'::regclass ORDER BY 1::text;
SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger
 WHERE tgrelid = 'salesforce.contact'::regclass ORDER BY 1;
SELECT relname FROM pg_class
 WHERE relnamespace = 'salesforce'::regnamespace AND relkind = 'r' ORDER BY 1;
SELECT pg_get_userbyid(nspowner) AS owner,
       obj_description(oid, 'pg_namespace') AS mark
  FROM pg_namespace WHERE nspname = 'salesforce';
SELECT * FROM pg_temp.shape('salesforce._trigger_log');

-- In a provisioned schema the declaration is the truth: synced without rows.
SELECT * FROM hcguard_status('salesforce', 'contact', 'email');
SELECT * FROM hcguard_status('salesforce', 'contact');
SELECT hcguard_required('salesforce', 'contact', 'email');

-- What hcguard_status asks about, it never creates; nor do the overviews.
SELECT problem FROM hcguard_status('salesforce', 'contact', 'phone');
SELECT problem FROM hcguard_status('salesforce', 'case');
SELECT count(*) FROM hcguard_config_diff('salesforce',
  '{"mappings": [{"object_name": "Lead", "config": {"fields": {"Email": {}}}}]}');
SELECT * FROM pg_temp.shape('salesforce.contact') WHERE col IN ('phone');
SELECT to_regclass('salesforce.case') AS "case", to_regclass('salesforce.lead') AS lead;

-- A migration uses the column in its next statement, in its transaction.
BEGIN;
SELECT hcguard_required('salesforce', 'contact', 'preferred_channel__c');
CREATE TEMP VIEW contact_channels AS
    SELECT id, preferred_channel__c FROM salesforce.contact;
COMMIT;
SELECT * FROM contact_channels;

-- The application's writes behave as in production: PENDING, and queued in
-- _trigger_log for Connect to push, as hstore text.
INSERT INTO salesforce.contact (email, preferred_channel__c) VALUES ('ada@example.com', 'sms');
UPDATE salesforce.contact SET preferred_channel__c = 'email';
SELECT email, preferred_channel__c, _hc_lastop, _hc_err FROM salesforce.contact;
SELECT state, action, table_name, record_id, old, "values" FROM salesforce._trigger_log ORDER BY id;
DELETE FROM salesforce.contact;
SELECT state, action, record_id FROM salesforce._trigger_log ORDER BY id;
-- Connect's own sessions (xmlbinary hex) are not queued, and mark SYNCED.
BEGIN;
SET LOCAL xmlbinary = hex;
INSERT INTO salesforce.contact (sfid, email) VALUES ('0035e000001AbcDAAS', 'grace@example.com');
COMMIT;
SELECT sfid, _hc_lastop FROM salesforce.contact;
SELECT count(*) AS queued FROM salesforce._trigger_log;
TRUNCATE salesforce.contact, salesforce._trigger_log;

-- A provisioned column declared with another type is changed to it.
SELECT hcguard_required('salesforce', 'contact', 'email varchar(120)');
SELECT * FROM pg_temp.shape('salesforce.contact') WHERE col = 'email';
-- Without a type, the column stays as it is.
SELECT hcguard_required('salesforce', 'contact', 'email');
SELECT * FROM pg_temp.shape('salesforce.contact') WHERE col = 'email';

-- The table form, Id (sfid), names in other cases, and hcguard_wait.
SELECT hcguard_required('salesforce', 'Opportunity');
SELECT hcguard_required('Salesforce', 'Contact', 'Id', 'MobilePhone varchar(40)');
SELECT hcguard_wait('salesforce', 'account', 'name', '1 hour');
SELECT * FROM pg_temp.shape('salesforce.account');

-- A configuration file provisions every mapping and field it lists, with
-- Connect's types for Connect's own fields.
SELECT hcguard_required_config('salesforce', '{"mappings": [
  {"object_name": "Lead", "config": {"fields": {"Id": {}, "IsDeleted": {}, "SystemModstamp": {},
                                                 "CreatedDate": {}, "Company": {}, "Email": {}}}},
  {"object_name": "Account", "config": {"fields": {"Name": {}, "Industry": {}}}}]}');
SELECT * FROM pg_temp.shape('salesforce.lead');
SELECT * FROM pg_temp.shape('salesforce.account') WHERE col = 'industry';
SELECT table_name, synced, evidence, status_trigger, log_trigger FROM hcguard_mappings('salesforce') ORDER BY 1;

-- What hcguard does not provision fails exactly as under error, and
-- nothing is changed.
-- Connect's own columns keep Connect's types.
SELECT hcguard_required('salesforce', 'contact', 'Id text');
\echo :LAST_ERROR_SQLSTATE
-- A table of the schema that is no mapping.
CREATE TABLE salesforce.notes (body text);
SELECT hcguard_required('salesforce', 'notes', 'body');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM pg_temp.shape('salesforce.notes');
-- A system table.
SELECT hcguard_required('salesforce', '_trigger_log', 'sf_message');
\echo :LAST_ERROR_SQLSTATE
-- A schema hcguard did not provision.
CREATE SCHEMA plain;
SELECT hcguard_required('plain', 'contact', 'email');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS objects_in_plain FROM pg_class WHERE relnamespace = 'plain'::regnamespace;
-- A type that does not exist: nothing is created.
SELECT hcguard_required('salesforce', 'contact', 'rating__c no_such_type');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM pg_temp.shape('salesforce.contact') WHERE col = 'rating__c';
-- An object in the way of what provisioning creates: the whole call fails.
CREATE TABLE salesforce.hcu_idx_invoice__c_sfid (x int);
SELECT hcguard_required('salesforce', 'invoice__c', 'amount__c double precision');
\echo :LAST_ERROR_SQLSTATE
SELECT to_regclass('salesforce.invoice__c') AS invoice__c;
DROP TABLE salesforce.hcu_idx_invoice__c_sfid, salesforce.notes;
DROP SCHEMA plain;
RESET ROLE;

-- A database that has Heroku Connect is never provisioned, even where the
-- setting was put by mistake: not a new schema, not a new column of a
-- provisioned one.  (The Connect double, like Connect, wants hstore in
-- public.)
ALTER EXTENSION hstore SET SCHEMA public;
SELECT hcdouble.create_connect_schema('sfprod');
SELECT hcdouble.create_mapping('sfprod', 'Contact', '[["Email", "email"]]');
SELECT hcdouble.grant_reader('sfprod', 'regress_hc_owner');
SET ROLE regress_hc_owner;
SELECT hcguard_required('salesforce', 'contact', 'fax');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('sfprod', 'contact', 'preferred_channel__c');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('elsewhere', 'contact', 'email');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required_config('elsewhere', '{"mappings": [{"object_name": "Contact", "config": {"fields": {"Email": {}}}}]}');
\echo :LAST_ERROR_SQLSTATE
SELECT to_regnamespace('elsewhere') AS elsewhere,
       (SELECT count(*) FROM pg_temp.shape('salesforce.contact') WHERE col = 'fax') AS fax,
       (SELECT count(*) FROM pg_temp.shape('sfprod.contact')
         WHERE col = 'preferred_channel__c') AS sfprod_channel;
-- What is provisioned still passes.
SELECT hcguard_required('salesforce', 'contact', 'email');
RESET ROLE;
SELECT hcdouble.drop_connect_schema('sfprod');

-- Under warning, nothing is provisioned either.
SET hcguard.on_failure = warning;
SELECT hcguard_required('salesforce', 'contact', 'fax');
SELECT count(*) AS fax FROM pg_temp.shape('salesforce.contact') WHERE col = 'fax';
RESET hcguard.on_failure;

-- With the C extension only a superuser may set it, per database or per
-- role: a framework's test database, created by the application's role,
-- gets the role's setting (test/sample_app.sh and the migration tools'
-- tests use it so).  The SQL edition lets any role set it.
ALTER ROLE regress_hc_owner SET hcguard.on_failure = provision;
SELECT setconfig FROM pg_db_role_setting WHERE setrole = 'regress_hc_owner'::regrole;
ALTER ROLE regress_hc_owner RESET hcguard.on_failure;

-- Leave nothing behind.
DROP VIEW contact_channels;
SET client_min_messages = warning;
DROP SCHEMA salesforce CASCADE;
DROP EXTENSION hstore;
RESET client_min_messages;
REVOKE CREATE ON DATABASE :"regress_db" FROM regress_hc_owner;
\if :public_create
GRANT CREATE ON SCHEMA public TO PUBLIC;
\endif
