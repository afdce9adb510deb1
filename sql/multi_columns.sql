--
-- Several columns at once: every unmet column is named in one failure;
-- 42703 if any is missing, otherwise 55000.
--
SELECT hcdouble.create_connect_schema('salesforce');
SELECT hcdouble.create_mapping('salesforce', 'Account',
    '[["Name","string(255)"],["Industry","picklist"],["Website","url"],["Rating","picklist"]]');
SELECT hcdouble.connect_load('salesforce', 'Account', 3, '{rating}');

-- All mapped and synced.
SELECT hcguard_required('salesforce', 'account', 'name', 'industry', 'website');
SELECT hcguard_required('salesforce', 'Account', VARIADIC ARRAY['Name', 'Industry']);
-- A column listed twice (in any spelling that resolves to it) counts once.
SELECT hcguard_required('salesforce', 'account', 'name', 'Name', 'name');
SELECT hcguard_required('salesforce', 'account', 'Rating', 'rating', 'name');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('salesforce', 'account', 'sic__c', 'sic__c', 'name');
\echo :LAST_ERROR_SQLSTATE

-- One unmet column among several reads like the single-column failure.
SELECT hcguard_required('salesforce', 'account', 'name', 'rating');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('salesforce', 'account', 'name', 'sic_code__c');
\echo :LAST_ERROR_SQLSTATE

-- Several unmet, none missing: 55000, each named with its reason.
SELECT hcdouble.add_field('salesforce', 'Account', 'Tier__c', 'picklist');
SELECT hcguard_required('salesforce', 'account', 'name', 'rating', 'tier__c');
\echo :LAST_ERROR_SQLSTATE

-- Missing and unsynced together: 42703, and the detail lists all of them,
-- with the closest names for the missing ones.
SELECT hcguard_required('salesforce', 'account', 'industri', 'rating', 'sla__c', 'name');
\echo :LAST_ERROR_SQLSTATE

-- Confirmed columns pass without data; the rest are still probed.
SELECT hcguard_confirm_synced('salesforce', 'account', 'rating', 'Rating is unused in this org');
SELECT hcguard_required('salesforce', 'account', 'name', 'rating');
SELECT hcguard_required('salesforce', 'account', 'rating', 'tier__c');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_revoke_confirmation('salesforce', 'account', 'rating');

-- Once Connect fills them, the same call passes.
SELECT hcdouble.connect_resync('salesforce', 'Account', 'Rating', 1);
SELECT hcdouble.connect_resync('salesforce', 'Account', 'Tier__c', 1);
SELECT hcguard_required('salesforce', 'account', 'name', 'rating', 'tier__c');

-- Leave nothing behind: every file builds the Connect schemas it uses.
SELECT hcdouble.drop_connect_schema('salesforce');
