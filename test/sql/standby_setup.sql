-- test/standby.sh: the primary's database, with the extension or
-- (-v sql_edition=true) the SQL edition.
\i test/connect_double.sql
\if :sql_edition
SET client_min_messages = warning;
\i heroku/hcguard.sql
RESET client_min_messages;
\else
CREATE EXTENSION hcguard;
\endif
SELECT hcdouble.create_connect_schema('salesforce');
SELECT hcdouble.create_mapping('salesforce', 'Contact',
    '[["Email", "email"], ["Fax__c", "phone"], ["Phone", "phone"]]');
SELECT hcdouble.create_mapping('salesforce', 'Campaign');
SELECT hcdouble.connect_load('salesforce', 'Contact', 3, nulls => '{Fax__c, Phone}');
ANALYZE salesforce.contact, salesforce.campaign;

SELECT hcguard_confirm_synced('salesforce', 'contact', 'fax__c', 'empty in Salesforce');
SELECT hcguard_confirm_synced('salesforce', 'campaign', NULL, 'no records');

-- Declarations made on the primary (both read-write): the standby must show
-- them and check them, and must neither add to them nor forget them.
SELECT hcguard_required('salesforce', 'Contact', 'Email');
SELECT hcguard_required('salesforce', 'campaign');

-- The outcome of a statement, as SQLSTATE|message|hint (00000 if it
-- succeeds); created here so that the standby, where nothing can be
-- created, has it too.
CREATE FUNCTION public.standby_outcome(sql text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    state text;
    message text;
    hint text;
BEGIN
    EXECUTE sql;
    RETURN '00000';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                            hint = PG_EXCEPTION_HINT;
    RETURN state || '|' || message || '|' || hint;
END $$;

-- Connect's last report: it vouches only for Email, which the data proves
-- anyway, so that the checks that rest on confirmations still do.
SELECT hcguard_record_connect_state('{"schema_name": "salesforce", "state": "IDLE", "mappings": [
  {"object_name": "Contact", "state": "DATA_SYNCED", "config": {"fields": {"Id": {}, "Email": {}}}}]}');
