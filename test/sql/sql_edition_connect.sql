-- test/sql_edition.sh: as hc_app, what Heroku Connect leaves in a database
-- (run by setup_connect).
CREATE EXTENSION hstore;
\i test/connect_double.sql
SELECT hcdouble.create_connect_schema('salesforce');
SELECT hcdouble.create_mapping('salesforce', 'Contact',
    '[["Email", "email"], ["LastName", "string(80)"], ["Phone", "phone"]]');
SELECT hcdouble.create_mapping('salesforce', 'Account',
    '[["Name", "string(255)"], ["Industry", "picklist"]]');
SELECT hcdouble.create_mapping('salesforce', 'Campaign', '[["Name", "string(80)"]]');
SELECT hcdouble.connect_load('salesforce', 'Contact', 40);
SELECT hcdouble.connect_load('salesforce', 'Account', 12);
SELECT hcdouble.add_field('salesforce', 'Contact', 'Fax__c', 'phone');
SELECT hcdouble.grant_reader('salesforce', 'migrator');
SELECT hcdouble.create_mapping('salesforce', 'Lead', '[["Company", "string(255)"]]');
SELECT hcdouble.connect_load('salesforce', 'Lead', 3);
CREATE TABLE public.schema_migrations (
    version    text PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
);
