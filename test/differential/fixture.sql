--
-- test/differential/fixture.sql: the Connect environment test/differential.sh
-- builds, identically, in the database with the C extension and in the one
-- with the SQL edition.  Run as the superuser with psql, after hstore, the
-- Connect double (test/connect_double.sql) and hcguard are installed; the
-- roles hcdiff_owner, hcdiff_member (member of hcdiff_owner),
-- hcdiff_migrator, hcdiff_stranger, hcdiff_auditor (member of
-- pg_read_all_data), "Hcdiff Odd""Role" and hcdiff_dbowner (owns the
-- database, installed the SQL edition) exist.
--
-- Everything here is deterministic: the only clock values Connect's tables
-- hold (_trigger_log and its archive, _sf_event_log) are set to fixed ones at
-- the end, so that hcguard_mappings' last_failure_at can be compared.
--
SET client_min_messages = warning;

------------------------------------------------------------------------------
-- salesforce: synced and unsynced mappings and fields, write health
------------------------------------------------------------------------------
SELECT hcdouble.create_connect_schema('salesforce');
SELECT hcdouble.create_mapping('salesforce', 'Contact',
    '[["Email","email"],["LastName","string(80)"],["Phone","phone"]]');
SELECT hcdouble.connect_load('salesforce', 'Contact', 50, '{phone}');
-- mapped, never synced
SELECT hcdouble.add_field('salesforce', 'Contact', 'Preferred_Channel__c', 'picklist');
-- a relationship column longer than an identifier (the column is cut to 63
-- bytes), synced for the first 10 rows
SELECT hcdouble.add_field('salesforce', 'Contact',
    'Primary_Account__r__External_Customer_Identifier_Long_Name_Field__c', 'string(40)');
SELECT hcdouble.connect_resync('salesforce', 'Contact',
    'primary_account__r__external_customer_identifier_long_name_fiel', 10);
-- a successful write, a failed one, a pending one
SELECT hcdouble.app_insert('salesforce', 'Contact', '{"email": "c@example.com", "lastname": "C"}');
SELECT hcdouble.connect_push('salesforce', 'Contact', true);
SELECT hcdouble.app_insert('salesforce', 'Contact', '{"email": "a@example.com"}');
SELECT hcdouble.connect_push('salesforce', 'Contact', false);
SELECT hcdouble.app_insert('salesforce', 'Contact', '{"email": "b@example.com"}');

-- a mapping with no rows (confirmed below)
SELECT hcdouble.create_mapping('salesforce', 'Lead', '[["Company","string(255)"],["Status","picklist"]]');

-- read-only, loaded; Industry empty in Salesforce
SELECT hcdouble.create_mapping('salesforce', 'Account',
    '[["Name","string(255)"],["Industry","picklist"],["AnnualRevenue","currency"]]', 'read_only');
SELECT hcdouble.connect_load('salesforce', 'Account', 5, '{industry}');
-- a field confirmed, then dropped and mapped again: the confirmation no
-- longer counts
SELECT hcdouble.add_field('salesforce', 'Account', 'Old__c', 'string(20)');
SELECT hcguard_confirm_synced('salesforce', 'account', 'old__c', 'empty in Salesforce');
SELECT hcdouble.drop_field('salesforce', 'Account', 'Old__c');
SELECT hcdouble.add_field('salesforce', 'Account', 'Old__c', 'string(20)');

-- row-level security: the migrator sees only the application's rows
SELECT hcdouble.create_mapping('salesforce', 'Opportunity',
    '[["StageName","picklist"],["Amount","currency"],["CloseDate","date"]]');
SELECT hcdouble.connect_load('salesforce', 'Opportunity', 10, '{closedate}');
SELECT hcdouble.app_insert('salesforce', 'Opportunity', '{"stagename": "Prospecting", "amount": 5}');
ALTER TABLE salesforce.opportunity ENABLE ROW LEVEL SECURITY;
CREATE POLICY only_pending ON salesforce.opportunity FOR SELECT TO hcdiff_migrator
    USING (_hc_lastop = 'PENDING');

-- mapped only by the application's writes (pending, never pushed)
SELECT hcdouble.create_mapping('salesforce', 'Task', '[["Subject","string(255)"]]');
SELECT hcdouble.app_insert('salesforce', 'Task', '{"subject": "call"}');

-- a mapping that exists only in mixed case, made by hand, with a column cut
-- at 62 bytes (the 63rd byte would fall inside 'ä')
CREATE TABLE salesforce."MixedCase" (
    id integer PRIMARY KEY, sfid varchar(18), "Name" varchar(80), name varchar(80),
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxä" varchar(10),
    kontakt_ä varchar(10), _hc_lastop varchar(32), _hc_err text);
-- name holds values only in rows Connect did not write: pending, failed,
-- a status Connect does not use, no status and no sfid
INSERT INTO salesforce."MixedCase" VALUES
    (1, '001000000000001AAA', 'x', NULL, 'y', NULL, 'SYNCED', NULL),
    (2, NULL, NULL, 'p', NULL, 'q', 'PENDING', NULL),
    (3, NULL, NULL, 'f', NULL, NULL, 'FAILED', 'REQUIRED_FIELD_MISSING'),
    (4, NULL, NULL, 'i', NULL, NULL, 'IGNORED', NULL),
    (5, NULL, NULL, 'n', NULL, NULL, NULL, NULL);

-- not mappings (the view and the materialized view have a mapping's columns)
CREATE TABLE salesforce.notes (id integer, body text);
CREATE VIEW salesforce.contact_v AS SELECT * FROM salesforce.contact;
CREATE MATERIALIZED VIEW salesforce.contact_mv AS SELECT * FROM salesforce.contact;
-- made by hand, shapes Connect does not make: a partitioned table with a
-- mapping's columns and its partition, an unlogged mapping
CREATE TABLE salesforce.part__c (id integer, sfid varchar(18), amount__c integer,
    _hc_lastop varchar(32), _hc_err text) PARTITION BY RANGE (id);
CREATE TABLE salesforce.part__c_1 PARTITION OF salesforce.part__c FOR VALUES FROM (0) TO (100);
INSERT INTO salesforce.part__c VALUES (1, 'a01000000000001AAA', 7, 'SYNCED', NULL), (2, NULL, 8, 'PENDING', NULL);
CREATE UNLOGGED TABLE salesforce.scratch__c (id integer, sfid varchar(18), note__c text,
    _hc_lastop varchar(32), _hc_err text);
INSERT INTO salesforce.scratch__c VALUES (1, 'a02000000000001AAA', NULL, NULL, NULL);

-- a mapping confirmed, then dropped: its confirmation stays, not counting
SELECT hcdouble.create_mapping('salesforce', 'Gone__c', '[["Name","string(80)"]]');
SELECT hcguard_confirm_synced('salesforce', 'gone__c', NULL, 'mapped by mistake');
SELECT hcdouble.drop_mapping('salesforce', 'Gone__c');

-- confirmations: a field empty in Salesforce, an object with no records
SELECT hcguard_confirm_synced('salesforce', 'contact', 'phone', 'verified in the dashboard');
SELECT hcguard_confirm_synced('salesforce', 'lead', NULL, 'no leads yet');

------------------------------------------------------------------------------
-- Org2: a Connect schema named in mixed case
------------------------------------------------------------------------------
SELECT hcdouble.create_connect_schema('Org2');
SELECT hcdouble.create_mapping('Org2', 'Invoice__c',
    '[["Name","string(80)"],["Total__c","currency"],["Due_Date__c","date"]]');
SELECT hcdouble.connect_load('Org2', 'Invoice__c', 3, '{due_date__c}');
SELECT hcdouble.add_field('Org2', 'Invoice__c', 'Paid__c', 'boolean');
-- a second table whose name differs only in case: exact names win
CREATE TABLE "Org2"."Invoice__c" (id integer PRIMARY KEY, sfid varchar(18),
    total__c double precision, _hc_lastop varchar(32), _hc_err text);
INSERT INTO "Org2"."Invoice__c" VALUES (1, NULL, 1, 'PENDING', NULL);

------------------------------------------------------------------------------
-- sales_eu: no _sf_event_log, a reserved word as table name, column
-- privileges, failed writes with a message full of quotes
------------------------------------------------------------------------------
SELECT hcdouble.create_connect_schema('sales_eu', false);
SELECT hcdouble.create_mapping('sales_eu', 'Case',
    '[["Subject","string(255)"],["Status","picklist"],["Priority","picklist"]]');
SELECT hcdouble.connect_load('sales_eu', 'Case', 4, '{priority}');
-- mapped, never synced (and not readable by the migrator, who may read only
-- some of Case's columns)
SELECT hcdouble.add_field('sales_eu', 'Case', 'Origin', 'picklist');
SELECT hcdouble.app_insert('sales_eu', 'Case', '{"subject": "x"}');
SELECT hcdouble.connect_push('sales_eu', 'Case', false, 'INVALID_EMAIL_ADDRESS: first failure');
SELECT hcdouble.app_insert('sales_eu', 'Case', '{"subject": "y"}');
SELECT hcdouble.connect_push('sales_eu', 'Case', false,
    $m$FIELD_CUSTOM_VALIDATION_EXCEPTION: It's "bad"; DROP TABLE x; -- 'ä' %s$m$);
SELECT hcdouble.create_mapping('sales_eu', 'Product2', '[["Name","string(255)"],["Family","picklist"]]',
    'read_write', false);
SELECT hcdouble.connect_load('sales_eu', 'Product2', 2);

------------------------------------------------------------------------------
-- a Connect schema whose name needs quoting (and would be SQL if it were not
-- quoted), with a mapping named by a reserved word
------------------------------------------------------------------------------
SELECT hcdouble.create_connect_schema('s"; drop table plain.contact; --');
SELECT hcdouble.create_mapping('s"; drop table plain.contact; --', 'Order',
    '[["Status","picklist"],["Select__c","string(20)"]]');
SELECT hcdouble.connect_load('s"; drop table plain.contact; --', 'Order', 2, '{select__c}');

------------------------------------------------------------------------------
-- empty_connect: a Connect schema without mappings
------------------------------------------------------------------------------
SELECT hcdouble.create_connect_schema('empty_connect');

------------------------------------------------------------------------------
-- half_connect: _hcmeta and _trigger_log, but no _trigger_log_archive
------------------------------------------------------------------------------
CREATE SCHEMA half_connect;
CREATE TABLE half_connect._hcmeta (id serial PRIMARY KEY, hcver integer, org_id varchar(50), details text);
CREATE TABLE half_connect._trigger_log (id serial PRIMARY KEY, state varchar(8), table_name varchar(128));
CREATE TABLE half_connect.contact (id integer, sfid varchar(18), email varchar(80),
    _hc_lastop varchar(32), _hc_err text);
INSERT INTO half_connect.contact VALUES (1, '003000000000001AAA', 'h@example.com', 'SYNCED', NULL);

------------------------------------------------------------------------------
-- odd: a Connect schema made by hand, with shapes the contract's definitions
-- admit but Connect never makes: logs without Connect's columns, a mapping
-- whose _hc_lastop is an integer and whose sfid is a number
------------------------------------------------------------------------------
CREATE SCHEMA odd;
CREATE TABLE odd._hcmeta (id integer);
CREATE TABLE odd._trigger_log (id integer);
CREATE TABLE odd._trigger_log_archive (id integer);
CREATE TABLE odd.odd_lastop (id integer, sfid bigint, flag__c boolean, _hc_lastop integer, _hc_err text);
INSERT INTO odd.odd_lastop VALUES (1, 42, true, 1, NULL), (2, NULL, false, NULL, NULL);

------------------------------------------------------------------------------
-- plain: not a Connect schema
------------------------------------------------------------------------------
CREATE SCHEMA plain;
CREATE TABLE plain.contact (id integer, sfid varchar(18), email varchar(80),
    _hc_lastop varchar(32), _hc_err text);
INSERT INTO plain.contact VALUES (1, '003000000000001AAA', 'p@example.com', 'SYNCED', NULL);

------------------------------------------------------------------------------
-- who may do what
------------------------------------------------------------------------------
-- the owner (and its member) own contact and invoice__c
ALTER TABLE salesforce.contact OWNER TO hcdiff_owner;
ALTER TABLE "Org2".invoice__c OWNER TO hcdiff_owner;
GRANT USAGE ON SCHEMA salesforce, "Org2" TO hcdiff_owner;
-- the database owner, who runs the application's migrations on Heroku,
-- owns sales_eu's Case and reads salesforce
ALTER TABLE sales_eu."case" OWNER TO hcdiff_dbowner;
GRANT USAGE ON SCHEMA sales_eu TO hcdiff_dbowner;
SELECT hcdouble.grant_reader('salesforce', 'hcdiff_dbowner');
-- the migrator reads salesforce and Org2, and some columns of sales_eu's Case
SELECT hcdouble.grant_reader('salesforce', 'hcdiff_migrator');
SELECT hcdouble.grant_reader('Org2', 'hcdiff_migrator');
SELECT hcdouble.grant_reader('s"; drop table plain.contact; --', 'hcdiff_migrator');
-- a role whose name needs quoting in the hints' GRANT statements: USAGE on
-- salesforce and s"..., no SELECT
GRANT USAGE ON SCHEMA salesforce, "s""; drop table plain.contact; --" TO "Hcdiff Odd""Role";
GRANT USAGE ON SCHEMA sales_eu TO hcdiff_migrator;
GRANT SELECT (id, sfid, _hc_lastop, subject) ON sales_eu."case" TO hcdiff_migrator;
GRANT SELECT ON sales_eu._trigger_log TO hcdiff_migrator;
GRANT USAGE ON SCHEMA plain, empty_connect, half_connect, odd TO hcdiff_migrator;
GRANT SELECT ON ALL TABLES IN SCHEMA odd, half_connect TO hcdiff_migrator;
-- row-level security forced on the owner too: the owner sees only pending
-- rows of invoice__c, the migrator every row
ALTER TABLE "Org2".invoice__c ENABLE ROW LEVEL SECURITY;
ALTER TABLE "Org2".invoice__c FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_pending ON "Org2".invoice__c FOR SELECT TO hcdiff_owner
    USING (_hc_lastop = 'PENDING');
CREATE POLICY migrator_all ON "Org2".invoice__c FOR SELECT TO hcdiff_migrator USING (true);

-- a schema that shadows what careless SQL would find through search_path:
-- lower(), upper(), btrim() and text = text (always true)
CREATE SCHEMA shadow;
GRANT USAGE ON SCHEMA shadow TO PUBLIC;
CREATE FUNCTION shadow.lower(text) RETURNS text LANGUAGE sql IMMUTABLE AS $$SELECT 'contact'$$;
CREATE FUNCTION shadow.upper(text) RETURNS text LANGUAGE sql IMMUTABLE AS $$SELECT 'CONTACT'$$;
CREATE FUNCTION shadow.btrim(text) RETURNS text LANGUAGE sql IMMUTABLE AS $$SELECT 'contact'$$;
CREATE FUNCTION shadow.always(text, text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$SELECT true$$;
CREATE OPERATOR shadow.= (LEFTARG = text, RIGHTARG = text, FUNCTION = shadow.always);

-- mapped after the grants: the migrator and the database owner may not read
-- it; owned by the stranger, who has no USAGE on the schema
SELECT hcdouble.create_mapping('salesforce', 'Campaign', '[["Name","string(80)"],["Type","picklist"]]');
SELECT hcdouble.connect_load('salesforce', 'Campaign', 3);
ALTER TABLE salesforce.campaign OWNER TO hcdiff_stranger;

-- a confirmation by the owner, of a field not synced
SET ROLE hcdiff_owner;
SELECT hcguard_confirm_synced('Org2', 'invoice__c', 'paid__c', 'no invoice is paid yet');
RESET ROLE;
SET ROLE hcdiff_dbowner;
SELECT hcguard_confirm_synced('sales_eu', 'case', 'priority', NULL);
RESET ROLE;

-- Who owns hcguard's own tables differs by edition (README, "How the
-- editions differ"): the superuser who created the extension, or the
-- database owner who installed the SQL edition.  Forgetting the
-- declaration of a mapping that is gone is the owner's, so the C
-- database's declaration store gets the SQL edition's owner, and the two
-- compare alike.
ALTER TABLE hcguard.declaration_store OWNER TO hcdiff_dbowner;

------------------------------------------------------------------------------
-- clock values: fixed, so that both databases hold the same
------------------------------------------------------------------------------
-- (a function, so that the barrage's Connect events can fix them again)
CREATE SCHEMA hcdiff_fixture;
CREATE FUNCTION hcdiff_fixture.fix_clocks()
RETURNS void
LANGUAGE plpgsql
AS $fix$
DECLARE
    s text;
    t text;
BEGIN
    -- Connect's schemas (not odd's logs, which lack Connect's columns)
    FOR s IN SELECT n.nspname FROM pg_namespace n
              WHERE EXISTS (SELECT FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
                             WHERE c.relnamespace = n.oid AND c.relname = '_trigger_log_archive'
                               AND a.attname = 'processed_at')
              ORDER BY 1
    LOOP
        FOREACH t IN ARRAY ARRAY['_trigger_log', '_trigger_log_archive'] LOOP
            EXECUTE format($u$
                UPDATE %1$I.%2$I
                   SET txid = 1000 + id,
                       created_at = timestamptz '2024-02-01 10:00:00+00' + id * interval '1 minute',
                       updated_at = timestamptz '2024-02-01 10:00:30+00' + id * interval '1 minute',
                       processed_at = CASE WHEN processed_at IS NOT NULL
                                           THEN timestamptz '2024-02-01 10:00:45+00' + id * interval '1 minute' END,
                       processed_tx = CASE WHEN processed_tx IS NOT NULL THEN 2000 + id END$u$,
                s, t);
        END LOOP;
        IF to_regclass(format('%I._sf_event_log', s)) IS NOT NULL THEN
            EXECUTE format($u$UPDATE %I._sf_event_log
                                  SET synced_at = timestamptz '2024-02-01 09:00:00+00' + id * interval '1 minute'$u$, s);
        END IF;
    END LOOP;
END
$fix$;
SELECT hcdiff_fixture.fix_clocks();

-- hcguard_mappings' rows_estimate is the planner's reltuples: ANALYZE (here,
-- and after each of the barrage's Connect events) makes it exact in both
-- databases, and autovacuum, which would change it in one database and not
-- yet in the other, is kept away from the fixture's tables.
CREATE FUNCTION hcdiff_fixture.no_autovacuum()
RETURNS void
LANGUAGE plpgsql
AS $noav$
DECLARE
    r regclass;
BEGIN
    FOR r IN SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE c.relkind = 'r' AND c.reloptions IS NULL
                AND n.nspname IN ('salesforce', 'Org2', 'sales_eu', 'empty_connect', 'plain',
                                  'half_connect', 'odd', 's"; drop table plain.contact; --')
    LOOP
        EXECUTE format('ALTER TABLE %s SET (autovacuum_enabled = false)', r);
    END LOOP;
END
$noav$;
SELECT hcdiff_fixture.no_autovacuum();

RESET client_min_messages;
