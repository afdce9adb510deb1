--
-- What production Connect databases really hold: rows of Connect's bulk
-- load (_hc_lastop NULL, sfid set), names longer than an identifier, the
-- field Id, Connect's system tables and bookkeeping columns, and the write
-- health of logs the caller may only partly read.  Builds its own fixtures.
--
SET client_min_messages = warning;
SELECT hcdouble.create_connect_schema('hcdata');
RESET client_min_messages;

-- Connect's initial load writes past the status trigger: every row keeps
-- _hc_lastop NULL, with sfid set.  Such a mapping and its filled columns
-- are synced; a column the load left empty is not.
SELECT hcdouble.create_mapping('hcdata', 'Account',
    '[["Name","string(255)"],["Industry","picklist"],["Rating","picklist"]]');
SELECT hcdouble.connect_load('hcdata', 'Account', 13, '{Rating}');
SELECT count(*) AS rows, count(*) FILTER (WHERE _hc_lastop IS NULL) AS lastop_null,
       count(sfid) AS with_sfid
  FROM hcdata.account;
SELECT hcguard_required('hcdata', 'Account');
SELECT hcguard_required('hcdata', 'Account', 'Name', 'Industry');
SELECT hcguard_wait('hcdata', 'Account', 'Industry', '0');
SELECT * FROM hcguard_status('hcdata', 'Account', 'Rating');
SELECT * FROM hcguard_columns('hcdata', 'account');
SELECT schema_name, table_name, field_count, synced, evidence
  FROM hcguard_mappings('hcdata');
SELECT hcguard_required_config('hcdata',
    '{"mappings": [{"object_name": "Account",
                    "config": {"fields": {"Id": {}, "Name": {}, "Industry": {}}}}]}');

-- The mixed case of a mature mapping: 8 rows of the load, 5 edited in
-- Salesforce since (SYNCED), and the application's writes (PENDING), one of
-- them refused by Salesforce (FAILED).
SELECT hcdouble.create_mapping('hcdata', 'Contact',
    '[["Email","email"],["LastName","string(80)"],["Fax__c","phone"],["Twitter__c","string(15)"]]');
SELECT hcdouble.connect_load('hcdata', 'Contact', 13, '{Fax__c, Twitter__c}');
SELECT sum(hcdouble.connect_set('hcdata', 'Contact', 'LastName', 'Edited', id))
  FROM hcdata.contact WHERE id > 8;
SELECT hcdouble.app_insert('hcdata', 'Contact',
    '{"email": "pending@example.com", "twitter__c": "@pending", "fax__c": "+1 555"}') IS NOT NULL AS inserted;
SELECT hcdouble.app_insert('hcdata', 'Contact',
    '{"email": "refused@example.com", "twitter__c": "@refused"}') IS NOT NULL AS inserted;
SELECT hcdouble.connect_push('hcdata', 'Contact', false, 'INVALID_EMAIL_ADDRESS: refused');
SELECT hcdouble.app_insert('hcdata', 'Contact',
    '{"email": "pending2@example.com", "twitter__c": "@pending2"}') IS NOT NULL AS inserted;
SELECT coalesce(_hc_lastop, 'NULL') AS _hc_lastop, sfid IS NOT NULL AS has_sfid, count(*)
  FROM hcdata.contact GROUP BY 1, 2 ORDER BY 1, 2;
SELECT hcguard_required('hcdata', 'Contact', 'Email', 'LastName');
SELECT * FROM hcguard_columns('hcdata', 'contact');
-- A column only the application filled is not synced, and the detail
-- accounts for every row that holds a value.  Two more kinds of rows that
-- are not Connect's: one with neither _hc_lastop nor sfid (written with the
-- status trigger disabled), and one with a status Connect's model does not
-- know.
ALTER TABLE hcdata.contact DISABLE TRIGGER USER;
INSERT INTO hcdata.contact (twitter__c) VALUES ('@untracked');
INSERT INTO hcdata.contact (sfid, twitter__c, _hc_lastop) VALUES ('003000000000099', '@ignored', 'IGNORED');
ALTER TABLE hcdata.contact ENABLE TRIGGER USER;
SELECT hcguard_required('hcdata', 'Contact', 'Twitter__c');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('hcdata', 'Contact', 'Twitter__c', 'Fax__c');
\echo :LAST_ERROR_SQLSTATE

-- A mapping none of whose rows Connect wrote: the detail accounts for
-- every row.
SELECT hcdouble.create_mapping('hcdata', 'Lead', '[["Company","string(255)"]]');
SELECT hcdouble.app_insert('hcdata', 'Lead', '{"company": "Acme"}') IS NOT NULL AS inserted;
SELECT hcdouble.app_insert('hcdata', 'Lead', '{"company": "Initech"}') IS NOT NULL AS inserted;
SELECT hcdouble.connect_push('hcdata', 'Lead', false, 'REQUIRED_FIELD_MISSING: LastName');
SELECT hcdouble.app_insert('hcdata', 'Lead', '{"company": "Globex"}') IS NOT NULL AS inserted;
ALTER TABLE hcdata.lead DISABLE TRIGGER USER;
INSERT INTO hcdata.lead (company) VALUES ('Untracked');
INSERT INTO hcdata.lead (company, _hc_lastop) VALUES ('Odd', 'DELETED');
ALTER TABLE hcdata.lead ENABLE TRIGGER USER;
SELECT hcguard_required('hcdata', 'Lead');
\echo :LAST_ERROR_SQLSTATE
-- A reload empties the table and loads it again, past the trigger.
SELECT hcdouble.connect_reload('hcdata', 'Lead', 2);
SELECT hcguard_required('hcdata', 'Lead', 'Company');

-- Names longer than an identifier are truncated as PostgreSQL truncates
-- them, never inside a multibyte character: what a query naming the column
-- finds, hcguard finds.  Connect's relationship columns
-- (<relationship>__r__<external id field>) often run past 63 bytes.
SELECT hcdouble.add_field('hcdata', 'Contact',
    'Primary_Account_Relationship__r__External_Customer_Identifier_Number__c', 'string(18)');
SELECT hcdouble.add_field('hcdata', 'Contact',
    'Kontaktperson_Verantwortliche_Vertriebsmitarbeiter__r__Kundenzähler__c', 'int');
SELECT hcdouble.connect_resync('hcdata', 'Contact',
    'primary_account_relationship__r__external_customer_identifier_n');
SELECT attname, octet_length(attname) AS bytes
  FROM pg_attribute WHERE attrelid = 'hcdata.contact'::regclass AND attname LIKE '%\_\_r\_\_%'
 ORDER BY attnum;
SELECT primary_account_relationship__r__external_customer_identifier_number__c IS NOT NULL AS a_query_finds_it
  FROM hcdata.contact LIMIT 1;
SELECT hcguard_required('hcdata', 'Contact',
    'Primary_Account_Relationship__r__External_Customer_Identifier_Number__c');
SELECT column_name, synced, evidence FROM hcguard_status('hcdata', 'Contact',
    'Primary_Account_Relationship__r__External_Customer_Identifier_Number__c');
-- ä straddles byte 63: the name is cut before it, as PostgreSQL cuts it.
SELECT hcguard_required('hcdata', 'Contact',
    'Kontaktperson_Verantwortliche_Vertriebsmitarbeiter__r__Kundenzähler__c');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_confirm_synced('hcdata', 'Contact',
    'Kontaktperson_Verantwortliche_Vertriebsmitarbeiter__r__Kundenzähler__c');
SELECT column_name, counts FROM hcguard_confirmations WHERE schema_name = 'hcdata';
SELECT hcguard_required('hcdata', 'Contact',
    'Kontaktperson_Verantwortliche_Vertriebsmitarbeiter__r__Kundenzähler__c');
SELECT hcguard_revoke_confirmation('hcdata', 'Contact',
    'Kontaktperson_Verantwortliche_Vertriebsmitarbeiter__r__Kundenzähler__c');
-- A long name that truncates to nothing existing says what was tried.
SELECT hcguard_required('hcdata', 'Contact',
    'Secondary_Account_Relationship__r__External_Customer_Identifier__c');

-- The field Id is the column sfid, in any case, in every function:
-- Connect's own id is its serial key, which every row fills.
SELECT column_name, synced, evidence FROM hcguard_status('hcdata', 'Contact', 'Id');
SELECT hcguard_required('hcdata', 'Contact', 'ID', 'Email');
-- Rows only the application wrote have no sfid yet: Id is not synced,
-- though every row has an id.
SELECT hcdouble.create_mapping('hcdata', 'Case', '[["Subject","string(255)"]]');
SELECT hcdouble.app_insert('hcdata', 'Case', '{"subject": "Broken"}') IS NOT NULL AS inserted;
SELECT hcguard_required('hcdata', 'Case', 'Id');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('hcdata', 'Case', 'id');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_confirm_synced('hcdata', 'Case', 'Id');
SELECT column_name FROM hcguard_confirmations WHERE schema_name = 'hcdata';
SELECT hcguard_required('hcdata', 'Case', 'Id');
SELECT hcguard_revoke_confirmation('hcdata', 'Case', 'iD');

-- Connect's system tables are not mappings, and say so.
SELECT hcguard_required('hcdata', '_trigger_log');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('hcdata', '_trigger_log_archive', 'state');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('hcdata', '_sf_event_log');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM hcguard_status('hcdata', '_HCMETA');

-- Connect's bookkeeping columns are not Salesforce fields: 22023 whatever
-- the data holds, with no hint to map or confirm them.
SELECT hcguard_required('hcdata', 'Contact', '_hc_err');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('hcdata', 'Contact', 'Email', '_HC_LASTOP');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM hcguard_status('hcdata', 'Contact', '_hc_lastop');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_confirm_synced('hcdata', 'Contact', '_hc_err');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_wait('hcdata', 'Contact', '_hc_err', '0');
\echo :LAST_ERROR_SQLSTATE

-- Where nothing matched, the detail says which spellings were tried.
SELECT hcguard_required('hcdata', 'Opportunity');
-- (the rest of this detail lists every Connect schema of the database)
DO $$
DECLARE
    detail text;
BEGIN
    PERFORM hcguard_required('HcData_Prod', 'Contact');
EXCEPTION WHEN invalid_schema_name THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
    RAISE NOTICE '%.', split_part(detail, '. ', 1);
END
$$;
SELECT hcguard_required('hcdata', 'Contact', 'Preferred_Channel__c');
SELECT hcguard_required('hcdata', 'Contact', 'Preferred_Channel__c', 'sla__c');

-- Write health: every column of hcguard_mappings.  A failed write whose
-- timestamps are all NULL has no last_failure_at; a caller who may read
-- _trigger_log but not _trigger_log_archive knows the pending writes, not
-- the failed ones.
SELECT hcdouble.create_connect_schema('hchealth');
SELECT hcdouble.create_mapping('hchealth', 'Contact', '[["Email","email"]]');
SELECT hcdouble.connect_load('hchealth', 'Contact', 2);
SELECT hcdouble.app_insert('hchealth', 'Contact', '{"email": "p@example.com"}') IS NOT NULL AS inserted;
INSERT INTO hchealth._trigger_log_archive
       (id, txid, created_at, updated_at, processed_at, processed_tx, state, action,
        table_name, record_id, sfid, old, values, sf_result, sf_message)
VALUES (1, 1, NULL, NULL, NULL, NULL, 'FAILED', 'INSERT', 'contact', 1, NULL, NULL,
        'email=>x', 0, 'INVALID_EMAIL_ADDRESS: no timestamps');
ANALYZE hchealth.contact;
SELECT * FROM hcguard_mappings('hchealth');
GRANT USAGE ON SCHEMA hchealth TO regress_hc_migrator;
GRANT SELECT ON hchealth.contact, hchealth._hcmeta, hchealth._trigger_log TO regress_hc_migrator;
SET ROLE regress_hc_migrator;
SELECT * FROM hcguard_mappings('hchealth');
RESET ROLE;
INSERT INTO hchealth._trigger_log_archive
       (id, txid, created_at, updated_at, processed_at, processed_tx, state, action,
        table_name, record_id, sfid, old, values, sf_result, sf_message)
VALUES (2, 2, '2024-03-01 10:00:00+00', NULL, '2024-03-01 10:05:00+00', 2, 'FAILED', 'UPDATE',
        'contact', 1, NULL, NULL, 'email=>y', 0, 'INVALID_EMAIL_ADDRESS: timed');
SELECT * FROM hcguard_mappings('hchealth');

SET client_min_messages = warning;
SELECT hcdouble.drop_connect_schema('hcdata');
SELECT hcdouble.drop_connect_schema('hchealth');
RESET client_min_messages;
