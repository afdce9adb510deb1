--
-- Teardown for the SQL edition's run: removed with its uninstall file, by
-- the database's owner, which leaves nothing of it behind.
--
-- A Connect schema, for the uninstall to leave alone: salesforce, as
-- life_of_field leaves it.
\set ECHO none
\i test/fixtures/salesforce.sql
\set ECHO all
SET ROLE regress_hc_dbowner;
\set ECHO none
\i heroku/hcguard-uninstall.sql
\set ECHO all
RESET ROLE;
SELECT count(*) AS functions FROM pg_proc WHERE proname LIKE 'hcguard%';
SELECT count(*) AS relations FROM pg_class WHERE relname LIKE 'hcguard%';
SELECT count(*) AS types FROM pg_type WHERE typname LIKE '%hcguard%';
-- Heroku Connect's tables are untouched.
SELECT count(*) > 0 AS connect_tables_left FROM pg_class WHERE relname = '_hcmeta';
SELECT hcdouble.drop_connect_schema('salesforce');

SELECT current_database() AS regress_db \gset
ALTER DATABASE :"regress_db" OWNER TO CURRENT_USER;
DROP OWNED BY regress_hc_owner, regress_hc_owner_member, regress_hc_migrator, regress_hc_stranger, regress_hc_dbowner;
DROP ROLE regress_hc_owner, regress_hc_owner_member, regress_hc_migrator, regress_hc_stranger, regress_hc_dbowner;
