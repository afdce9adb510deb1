--
-- Configuration as code: the JSON "heroku connect:export" writes, against
-- what Connect has mapped and synced (fixtures in test/config/).
--
\set standard `cat test/config/standard.json`
\set custom `cat test/config/custom_objects.json`
\set mixed `cat test/config/mixed_case.json`

-- A schema where Connect applied standard.json and synced everything.
SELECT hcdouble.create_connect_schema('cfg');
SELECT hcdouble.create_mapping('cfg', 'Account',
    '[["Name","string(255)"],["Industry","picklist"],["Website","url"],["Rating","picklist"],["OwnerId","reference"]]',
    'read_only');
SELECT hcdouble.create_mapping('cfg', 'Contact',
    '[["Email","email"],["FirstName","string(40)"],["LastName","string(80)"],["AccountId","reference"],["Phone","phone"],["Preferred_Channel__c","picklist"]]');
SELECT hcdouble.create_mapping('cfg', 'Opportunity',
    '[["Name","string(120)"],["StageName","picklist"],["Amount","currency"],["CloseDate","date"],["AccountId","reference"]]',
    'read_only');
SELECT hcdouble.connect_load('cfg', 'Account', 3);
SELECT hcdouble.connect_load('cfg', 'Contact', 3);
SELECT hcdouble.connect_load('cfg', 'Opportunity', 3);

SELECT * FROM hcguard_config_diff('cfg', :'standard');
-- In a migration run by psql, the committed export is checked like this:
\set cfg `cat test/config/standard.json`
SELECT hcguard_required_config('cfg', :'cfg');
-- Field names in any case fold to Connect's columns.
SELECT * FROM hcguard_config_diff('cfg', :'mixed');
SELECT hcguard_required_config('cfg', :'mixed');

-- The environment drifts from the file: every kind of difference.
SELECT hcdouble.drop_field('cfg', 'Contact', 'Preferred_Channel__c');
SELECT hcdouble.add_field('cfg', 'Contact', 'Title', 'string(128)');
SELECT hcdouble.add_field('cfg', 'Account', 'Tier__c', 'picklist');
SELECT hcdouble.connect_set('cfg', 'Account', 'Rating', NULL);
SELECT hcdouble.drop_mapping('cfg', 'Opportunity');
SELECT hcdouble.create_mapping('cfg', 'Opportunity', '[["Name","string(120)"],["StageName","picklist"],["Amount","currency"],["CloseDate","date"],["AccountId","reference"]]');
SELECT hcdouble.create_mapping('cfg', 'Lead', '[["Company","string(255)"]]');
SELECT * FROM hcguard_config_diff('cfg', :'standard');

-- hcguard_required_config: 42P01 while a mapping is missing ...
SELECT hcdouble.drop_mapping('cfg', 'Opportunity');
SELECT hcguard_required_config('cfg', :'standard');
\echo :LAST_ERROR_SQLSTATE
-- ... else 42703 while a field is missing ...
SELECT hcdouble.create_mapping('cfg', 'Opportunity', '[["Name","string(120)"],["StageName","picklist"],["Amount","currency"],["CloseDate","date"],["AccountId","reference"]]');
SELECT hcguard_required_config('cfg', :'standard');
\echo :LAST_ERROR_SQLSTATE
-- ... else 55000 while something is not synced.  Extras never fail.
SELECT hcdouble.add_field('cfg', 'Contact', 'Preferred_Channel__c', 'picklist');
SELECT hcguard_required_config('cfg', :'standard');
\echo :LAST_ERROR_SQLSTATE
SELECT hcdouble.connect_load('cfg', 'Opportunity', 2);
SELECT hcdouble.connect_resync('cfg', 'Contact', 'Preferred_Channel__c');
SELECT hcguard_confirm_synced('cfg', 'account', 'rating', 'Rating is unused');
SELECT * FROM hcguard_config_diff('cfg', :'standard');
SELECT hcguard_required_config('cfg', :'standard');

-- Warning mode, as for hcguard_required.
SET hcguard.on_failure = warning;
SELECT hcguard_required_config('cfg', :'custom');
RESET hcguard.on_failure;

-- Custom objects, a managed package's namespace, a reserved word.
SELECT hcdouble.create_mapping('cfg', 'Invoice__c',
    '[["Name","string(80)"],["Amount__c","currency"],["Due_Date__c","date"],["Account__c","reference"],["Status__c","picklist"]]');
SELECT hcdouble.create_mapping('cfg', 'acme__Shipment__c',
    '[["Name","string(80)"],["acme__Tracking_Number__c","string(40)"],["acme__Carrier__c","picklist"],["acme__Shipped_Date__c","date"]]');
SELECT hcdouble.create_mapping('cfg', 'User',
    '[["Username","string(80)"],["IsActive","boolean"]]', 'read_only');
SELECT hcdouble.connect_load('cfg', 'Invoice__c', 2, '{status__c}');
SELECT hcdouble.connect_load('cfg', 'acme__Shipment__c', 2);
SELECT * FROM hcguard_config_diff('cfg', :'custom') WHERE problem NOT IN ('extra_mapping');
SELECT hcguard_required_config('cfg', :'custom');
\echo :LAST_ERROR_SQLSTATE

-- Long lists: the detail names the first 20 problems and counts the rest.
SELECT hcguard_required_config('cfg', jsonb_build_object('mappings', jsonb_build_array(
    jsonb_build_object('object_name', 'Account', 'config', jsonb_build_object('fields',
        (SELECT jsonb_object_agg('Extra_' || i || '__c', '{}'::jsonb) FROM generate_series(1, 25) i))))));
\echo :LAST_ERROR_SQLSTATE

-- Documents that are not a Connect configuration: 22023, naming the path.
\set bad `cat test/config/bad_no_mappings.json`
SELECT * FROM hcguard_config_diff('cfg', :'bad');
\echo :LAST_ERROR_SQLSTATE
\set bad `cat test/config/bad_mappings_not_array.json`
SELECT * FROM hcguard_config_diff('cfg', :'bad');
\set bad `cat test/config/bad_mapping_not_object.json`
SELECT * FROM hcguard_config_diff('cfg', :'bad');
\set bad `cat test/config/bad_no_object_name.json`
SELECT * FROM hcguard_config_diff('cfg', :'bad');
\set bad `cat test/config/bad_object_name_not_string.json`
SELECT * FROM hcguard_config_diff('cfg', :'bad');
\set bad `cat test/config/bad_no_config.json`
SELECT * FROM hcguard_config_diff('cfg', :'bad');
\set bad `cat test/config/bad_no_fields.json`
SELECT hcguard_required_config('cfg', :'bad');
\echo :LAST_ERROR_SQLSTATE
\set bad `cat test/config/bad_fields_not_object.json`
SELECT hcguard_required_config('cfg', :'bad');
\set bad `cat test/config/bad_not_object.json`
SELECT hcguard_required_config('cfg', :'bad');
SELECT hcguard_required_config('cfg', '"mappings"');
SELECT hcguard_required_config('cfg', '{"mappings": [{"object_name": "", "config": {"fields": {}}}]}');

-- NULLs and wrong schemas fail like everywhere else.
SELECT hcguard_required_config('cfg', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM hcguard_config_diff(NULL, :'standard');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required_config('nowhere', :'standard');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required_config('public', :'standard');
\echo :LAST_ERROR_SQLSTATE

-- Leave nothing behind: every file builds the Connect schemas it uses, and
-- its confirmations go with them.
SELECT hcdouble.drop_connect_schema('cfg');
DELETE FROM hcguard.confirmation_store WHERE schema_name = 'cfg';
