--
-- The shapes Connect schemas take in the wild: schemas not called
-- salesforce, read-only mappings, mappings without a log trigger, objects
-- named by reserved words, several Connect schemas in one database.
--
-- Besides the schemas made below: salesforce, as life_of_field leaves it.
\set ECHO none
\i test/fixtures/salesforce.sql
\set ECHO all

-- A Connect schema named org, with a read-only mapping of User (a
-- reserved word), and a second one, salesforce2, that needs quoting nowhere
-- but is not the default.
SELECT hcdouble.create_connect_schema('org');
SELECT hcdouble.create_mapping('org', 'User',
    '[["Username","string(80)"],["IsActive","boolean"]]', 'read_only');
SELECT hcguard_required('org', 'user');
\echo :LAST_ERROR_SQLSTATE
SELECT hcdouble.connect_load('org', 'User', 3);
SELECT hcguard_required('org', 'user');
SELECT hcguard_required('org', 'User', 'Username', 'IsActive');
-- Read-only mappings log the application's writes as READONLY; those rows
-- are still the application's, not Connect's.
SELECT hcdouble.add_field('org', 'User', 'Department', 'string(80)');
SELECT hcdouble.app_insert('org', 'User', '{"username": "ada", "department": "R&D"}') IS NOT NULL AS inserted;
SELECT state, table_name FROM org._trigger_log ORDER BY id;
SELECT hcguard_required('org', 'user', 'department');
\echo :LAST_ERROR_SQLSTATE

-- A mapping without a log trigger (some real read-only schemas have none)
-- is still a mapping.
SELECT hcdouble.create_connect_schema('salesforce2', false);
SELECT hcdouble.create_mapping('salesforce2', 'Invoice__c',
    '[["Amount__c","currency"],["Due__c","date"]]', 'read_only', false);
SELECT tgname FROM pg_trigger
 WHERE tgrelid = 'salesforce2.invoice__c'::regclass AND NOT tgisinternal ORDER BY 1;
SELECT hcdouble.connect_load('salesforce2', 'Invoice__c', 2);
SELECT hcguard_required('salesforce2', 'Invoice__c', 'Amount__c');
SELECT hcguard_required('salesforce2', 'invoice__c', 'due__c');

-- A schema whose name needs quoting in SQL is still a plain name here.
SELECT hcdouble.create_connect_schema('Weird Schema');
SELECT hcdouble.create_mapping('Weird Schema', 'Case', '[["Subject","string(255)"]]');
SELECT hcdouble.connect_load('Weird Schema', 'Case', 1);
SELECT hcguard_required('Weird Schema', 'case', 'subject');
SELECT hcguard_required('weird schema', 'case', 'subject');
\echo :LAST_ERROR_SQLSTATE

-- With several Connect schemas, a wrong schema name lists them all.
SELECT hcguard_required('sales', 'contact', 'email');
\echo :LAST_ERROR_SQLSTATE

-- Every call above leaves the search_path alone, and works whatever it is.
SET search_path = pg_catalog;
SELECT public.hcguard_required('org', 'user', 'username');
RESET search_path;

-- Leave nothing behind: every file builds the Connect schemas it uses.
SELECT hcdouble.drop_connect_schema(s)
  FROM unnest(ARRAY['org', 'salesforce', 'salesforce2', 'Weird Schema']) AS s;
