-- test/dump_restore.sh: the Connect state and the confirmations of the
-- source databases: src with the extension, sqlsrc (-v sql_edition=true)
-- with the SQL edition, installed by the database owner hc_dump_owner.
\i test/connect_double.sql
\if :sql_edition
SET ROLE hc_dump_owner;
SET client_min_messages = warning;
\i heroku/hcguard.sql
RESET ROLE;
\else
CREATE EXTENSION hcguard;
\endif

SELECT hcdouble.create_connect_schema('salesforce');
SELECT hcdouble.create_mapping('salesforce', 'Contact',
    '[["Email", "email"], ["Fax__c", "string"]]');
SELECT hcdouble.create_mapping('salesforce', 'Campaign');
SELECT hcdouble.connect_load('salesforce', 'Contact', 3, nulls => '{Fax__c}');

SELECT hcguard_confirm_synced('salesforce', 'contact', 'fax__c', 'empty in Salesforce');
SELECT hcguard_confirm_synced('salesforce', 'campaign', NULL, 'no records');

-- A confirmation that Connect voids: the field is removed from the mapping,
-- then mapped again (a new, still empty column of the same name).
SELECT hcdouble.add_field('salesforce', 'Contact', 'Old__c', 'string');
SELECT hcguard_confirm_synced('salesforce', 'contact', 'old__c', 'to be voided');
SELECT hcdouble.drop_field('salesforce', 'Contact', 'Old__c');
SELECT hcdouble.add_field('salesforce', 'Contact', 'Old__c', 'string');

-- Connect's last report (hcguard_record_connect_state): it vouches only for
-- Email, which the data proves anyway, so that the checks above still rest
-- on the confirmations.
SELECT hcguard_record_connect_state('{"schema_name": "salesforce", "state": "IDLE", "mappings": [
  {"object_name": "Contact", "state": "DATA_SYNCED", "config": {"fields": {"Id": {}, "Email": {}}},
   "counts": {"db": 3, "sf": 3}}]}');
