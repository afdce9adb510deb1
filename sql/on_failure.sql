--
-- hcguard.on_failure: error (the default) or warning.  Only a superuser may
-- change it: a migration must not be able to weaken its own guard.
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
-- The migrator may read it (as in confirmations and privileges).
SELECT hcdouble.grant_reader('salesforce', 'regress_hc_migrator');

SELECT hcguard_required('salesforce', 'contact', 'email');
SHOW hcguard.on_failure;

-- Warning mode: the same message, detail and hint as a WARNING, and false.
SET hcguard.on_failure = warning;
SELECT hcguard_required('salesforce', 'contact', 'preferred_channel');
SELECT hcguard_required('salesforce', 'contact', 'fax');
SELECT hcguard_required('salesforce', 'contact', 'fax', 'faxx');
SELECT hcguard_required('salesforce', 'campaign');
SELECT hcguard_required('nowhere', 'contact');
-- What holds still returns true.
SELECT hcguard_required('salesforce', 'contact', 'email');
-- A NULL or empty name is a mistake in the call, not a missing field: it
-- stays an error.
SELECT hcguard_required('salesforce', NULL, 'email');
\echo :LAST_ERROR_SQLSTATE
RESET hcguard.on_failure;

-- A non-superuser cannot change it, in any way.
SET ROLE regress_hc_migrator;
SET hcguard.on_failure = warning;
\echo :LAST_ERROR_SQLSTATE
SELECT set_config('hcguard.on_failure', 'warning', false);
\echo :LAST_ERROR_SQLSTATE
BEGIN;
SET LOCAL hcguard.on_failure = warning;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
RESET ROLE;
-- Nor hcguard.connect_state_max_age, which would lengthen how long a
-- report of Connect's API vouches for a column (the SQL edition cannot
-- refuse it: see "How the editions differ").
SET ROLE regress_hc_migrator;
SET hcguard.connect_state_max_age = '30d';
SELECT current_setting('hcguard.connect_state_max_age', true) AS connect_state_max_age;
RESET ROLE;
RESET hcguard.connect_state_max_age;
ALTER ROLE regress_hc_migrator SET hcguard.on_failure = warning;
SET ROLE regress_hc_migrator;
ALTER ROLE regress_hc_migrator RESET hcguard.on_failure;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
ALTER ROLE regress_hc_migrator RESET hcguard.on_failure;

-- Not even by setting it in a fresh session before hcguard's library is
-- loaded: the value is refused when the library defines the setting.
SELECT current_database() AS regress_db \gset
\c :regress_db
SELECT count(*) AS hcguard_loaded FROM pg_settings WHERE name = 'hcguard.on_failure';
SET ROLE regress_hc_migrator;
SET hcguard.on_failure = warning;
SELECT hcguard_required('salesforce', 'contact', 'preferred_channel');
\echo :LAST_ERROR_SQLSTATE
SHOW hcguard.on_failure;
RESET ROLE;

-- A database without Connect (development): the database owner cannot
-- switch to warnings; a superuser does it for them.  hcguard goes there as
-- the edition under test goes into a database: the C extension by a
-- superuser, the SQL edition (where this database has no extension
-- hcguard) by the database's owner.
SELECT NOT EXISTS (SELECT FROM pg_extension WHERE extname = 'hcguard') AS sql_edition \gset
CREATE DATABASE regress_hc_dev OWNER regress_hc_owner;
SET ROLE regress_hc_owner;
ALTER DATABASE regress_hc_dev SET hcguard.on_failure = warning;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
ALTER DATABASE regress_hc_dev SET hcguard.on_failure = warning;
\c regress_hc_dev
\if :sql_edition
SET ROLE regress_hc_owner;
\set ECHO none
SET client_min_messages = warning;
\i heroku/hcguard.sql
RESET client_min_messages;
\set ECHO all
RESET ROLE;
\else
CREATE EXTENSION hcguard;
\endif
SHOW hcguard.on_failure;
SELECT hcguard_required('salesforce', 'contact', 'preferred_channel__c');
\c :regress_db
DROP DATABASE regress_hc_dev;

-- Leave nothing behind: every file builds the Connect schemas it uses.
SELECT hcdouble.drop_connect_schema('salesforce');
