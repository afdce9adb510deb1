-- test/fuzz.sh: the Connect schemas, roles and confirmations the barrage
-- plays with, and the harness's own tables.
SET client_min_messages = warning;
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'fuzz_owner') THEN
        CREATE ROLE fuzz_owner;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'fuzz_migrator') THEN
        CREATE ROLE fuzz_migrator;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'fuzz_stranger') THEN
        CREATE ROLE fuzz_stranger;
    END IF;
END
$$;

-- salesforce: synced and unsynced mappings and fields, write health
SELECT hcdouble.create_connect_schema('salesforce');
SELECT hcdouble.create_mapping('salesforce', 'Contact',
    '[["Email","email"],["LastName","string(80)"],["Phone","phone"]]');
SELECT hcdouble.connect_load('salesforce', 'Contact', 50, '{phone}');
SELECT hcdouble.add_field('salesforce', 'Contact', 'Preferred_Channel__c', 'picklist');
SELECT hcdouble.create_mapping('salesforce', 'Lead', '[["Company","string(255)"]]');
SELECT hcdouble.create_mapping('salesforce', 'Account',
    '[["Name","string(255)"],["Industry","picklist"]]', 'read_only');
SELECT hcdouble.connect_load('salesforce', 'Account', 5);
SELECT hcdouble.app_insert('salesforce', 'Contact', '{"email": "a@example.com"}');
SELECT hcdouble.connect_push('salesforce', 'Contact', false);
SELECT hcdouble.app_insert('salesforce', 'Contact', '{"email": "b@example.com"}');
-- row-level security: the migrator sees only the application's rows
SELECT hcdouble.create_mapping('salesforce', 'Opportunity',
    '[["StageName","picklist"],["Amount","currency"]]');
SELECT hcdouble.connect_load('salesforce', 'Opportunity', 10);
ALTER TABLE salesforce.opportunity ENABLE ROW LEVEL SECURITY;
CREATE POLICY only_pending ON salesforce.opportunity FOR SELECT TO fuzz_migrator
    USING (_hc_lastop = 'PENDING');
-- names that exist only in mixed case
CREATE TABLE salesforce."MixedCase" (id integer PRIMARY KEY, sfid varchar(18),
    "Name" varchar(80), _hc_lastop varchar(32), _hc_err text);
INSERT INTO salesforce."MixedCase" VALUES (1, '001000000000001AAA', 'x', 'SYNCED', NULL);
-- not mappings
CREATE TABLE salesforce.notes (id integer, body text);
CREATE VIEW salesforce.contact_v AS SELECT * FROM salesforce.contact;

-- a second Connect schema, named in mixed case
SELECT hcdouble.create_connect_schema('Org2');
SELECT hcdouble.create_mapping('Org2', 'Invoice__c', '[["Total__c","currency"]]');
SELECT hcdouble.connect_load('Org2', 'Invoice__c', 3);

-- not a Connect schema
CREATE SCHEMA plain;
CREATE TABLE plain.contact (id integer, sfid varchar(18), _hc_lastop varchar(32), _hc_err text);

-- who may do what: the owner owns contact and invoice__c; the migrator
-- reads; the stranger has nothing
ALTER TABLE salesforce.contact OWNER TO fuzz_owner;
ALTER TABLE "Org2".invoice__c OWNER TO fuzz_owner;
GRANT USAGE ON SCHEMA salesforce, "Org2" TO fuzz_owner;
SELECT hcdouble.grant_reader('salesforce', 'fuzz_migrator');
SELECT hcdouble.grant_reader('Org2', 'fuzz_migrator');

-- confirmations: a field empty in Salesforce, an object with no records
SELECT hcguard_confirm_synced('salesforce', 'contact', 'phone', 'verified');
SELECT hcguard_confirm_synced('salesforce', 'lead', NULL, 'no leads yet');

-- a canary
CREATE TABLE public.fuzz_canary (id integer PRIMARY KEY);
INSERT INTO public.fuzz_canary VALUES (1);
ANALYZE;

-- the harness's own tables, outside the fingerprint
CREATE SCHEMA fuzz_harness;
CREATE TABLE fuzz_harness.tally (session text, fn text, outcome text, n bigint);
CREATE TABLE fuzz_harness.bad (session text, fn text, role text, args text,
    sqlstate text, message text);
GRANT USAGE ON SCHEMA fuzz_harness TO PUBLIC;
