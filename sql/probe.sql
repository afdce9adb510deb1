--
-- The data probe reads no more than it needs to reach a verdict: a synced
-- field costs one row, a confirmed one none; only a verdict of "not synced"
-- reads the whole table.  pg_stat_get_xact_tuples_returned and _fetched
-- count the rows this backend read of the table, by scans and by their
-- place (the C extension's first look), until its statistics are flushed,
-- hence the differences taken within one transaction; scans counts the
-- passes over the whole table.  A column that is not synced costs its first
-- rows and then the pass that counts; a column passed otherwise than by
-- its first rows (here, a confirmation) is not looked at twice in a session.
--
SELECT hcdouble.create_connect_schema('salesforce');
SELECT hcdouble.create_mapping('salesforce', 'Task',
    '[["Subject","string(255)"],["Status","picklist"],["Priority","picklist"]]');
SELECT hcdouble.connect_load('salesforce', 'Task', 200, '{priority}');
-- Connect fills Status only from the 50th row on.
SELECT hcdouble.connect_set('salesforce', 'Task', 'Status', NULL) AS emptied;
UPDATE salesforce.task SET status = 'Open' WHERE id >= 50;
-- (that UPDATE was the application's; make the rows Connect's again)
SET xmlbinary = hex;
UPDATE salesforce.task SET _hc_lastop = 'SYNCED' WHERE _hc_lastop = 'PENDING';
RESET xmlbinary;
SELECT count(*) FILTER (WHERE _hc_lastop = 'SYNCED') AS synced_rows,
       min(id) FILTER (WHERE status IS NOT NULL) AS first_status
  FROM salesforce.task;

CREATE FUNCTION rows_read() RETURNS bigint LANGUAGE sql
    AS $$SELECT pg_stat_get_xact_tuples_returned('salesforce.task'::regclass)
                + pg_stat_get_xact_tuples_fetched('salesforce.task'::regclass)$$;
CREATE FUNCTION scans() RETURNS bigint LANGUAGE sql
    AS $$SELECT pg_stat_get_xact_numscans('salesforce.task'::regclass)$$;

BEGIN;
SELECT rows_read() AS before, scans() AS scans_before \gset
SELECT hcguard_required('salesforce', 'task', 'subject');
SELECT rows_read() - :before AS rows_read, scans() - :scans_before AS scans;
COMMIT;

BEGIN;
SELECT rows_read() AS before, scans() AS scans_before \gset
SELECT hcguard_required('salesforce', 'task');
SELECT rows_read() - :before AS rows_read, scans() - :scans_before AS scans;
COMMIT;

BEGIN;
SELECT rows_read() AS before, scans() AS scans_before \gset
SELECT hcguard_required('salesforce', 'task', 'subject', 'status');
SELECT rows_read() - :before AS rows_read, scans() - :scans_before AS scans;
COMMIT;

-- Not synced: the whole table, and the counts come from that one pass.
BEGIN;
SET LOCAL hcguard.on_failure = warning;
SELECT rows_read() AS before, scans() AS scans_before \gset
SELECT hcguard_required('salesforce', 'task', 'priority');
SELECT rows_read() - :before AS rows_read, scans() - :scans_before AS scans;
COMMIT;

-- Confirmed: no read at all.
SELECT hcguard_confirm_synced('salesforce', 'task', 'priority', 'Priority is not used');
BEGIN;
SELECT rows_read() AS before, scans() AS scans_before \gset
SELECT hcguard_required('salesforce', 'task', 'priority');
SELECT rows_read() - :before AS rows_read, scans() - :scans_before AS scans;
COMMIT;
DROP FUNCTION rows_read(), scans();

-- The first look reads rows where they lie, as an index scan fetches them:
-- the version of a row the snapshot sees, through its updates, and never a
-- deleted row.  Connect fills Title in the third row of a mapping (an
-- update that stays on its page), and Body only in a row that is then
-- deleted: Title passes without a pass over the table (the C extension
-- scans nothing; the SQL edition scans the first blocks), Body fails.
SELECT hcdouble.create_mapping('salesforce', 'Note', '[["Title","string(80)"],["Body","textarea"]]');
SELECT hcdouble.connect_load('salesforce', 'Note', 3, ARRAY['title', 'body']);
BEGIN;
SELECT hcdouble.connect_set('salesforce', 'Note', 'Title', 'Minutes', 3);
SELECT pg_stat_get_xact_tuples_hot_updated('salesforce.note'::regclass) AS kept_on_its_page;
COMMIT;
SELECT hcdouble.connect_set('salesforce', 'Note', 'Body', 'Draft', 2);
DELETE FROM salesforce.note WHERE id = 2;
CREATE FUNCTION scans() RETURNS bigint LANGUAGE sql
    AS $$SELECT pg_stat_get_xact_numscans('salesforce.note'::regclass)$$;
BEGIN;
SELECT scans() AS scans_before \gset
SELECT hcguard_required('salesforce', 'note', 'title');
SELECT scans() - :scans_before AS scans;
COMMIT;
BEGIN;
SET LOCAL hcguard.on_failure = warning;
SET LOCAL client_min_messages = error;
SELECT hcguard_required('salesforce', 'note', 'body');
COMMIT;
DROP FUNCTION scans();

-- A mapping past the first look (hcguard__probe_blocks, 100 blocks): a
-- column with no value costs one pass over the table, the pass that
-- counts, and a value Connect wrote in its last row is still found.
-- (PostgreSQL 13 has no TID range scan: there the SQL edition reads the
-- table once more.)
SELECT hcdouble.create_mapping('salesforce', 'Event',
    '[["Subject","string(255)"],["Location","string(255)"]]');
SELECT hcdouble.connect_load('salesforce', 'Event', 40000, '{location}');
SELECT pg_relation_size('salesforce.event') / current_setting('block_size')::integer > 200 AS past_the_first_look;
CREATE FUNCTION rows_read() RETURNS bigint LANGUAGE sql
    AS $$SELECT pg_stat_get_xact_tuples_returned('salesforce.event'::regclass)
                + pg_stat_get_xact_tuples_fetched('salesforce.event'::regclass)$$;
CREATE FUNCTION one_pass(n bigint) RETURNS boolean LANGUAGE sql
    AS $$SELECT n <= 40000 + (SELECT count(*) FROM salesforce.event WHERE ctid < '(100,0)')
                OR current_setting('server_version_num')::integer < 140000$$;
BEGIN;
SET LOCAL hcguard.on_failure = warning;
SELECT rows_read() AS before \gset
SELECT hcguard_required('salesforce', 'event', 'location');
SELECT one_pass(rows_read() - :before);
COMMIT;
-- A configuration is looked at the same way: its first blocks do not
-- prove the column, and the whole table fails it ...
BEGIN;
SET LOCAL hcguard.on_failure = warning;
SELECT hcguard_required_config('salesforce',
    '{"mappings": [{"object_name": "Event", "config": {"fields": {"Subject": {}, "Location": {}}}}]}');
COMMIT;
UPDATE salesforce.event SET location = 'Lisbon' WHERE id = 40000;
SET xmlbinary = hex;
UPDATE salesforce.event SET _hc_lastop = 'SYNCED' WHERE _hc_lastop = 'PENDING';
RESET xmlbinary;
BEGIN;
SELECT hcguard_required('salesforce', 'event', 'location');
SELECT evidence FROM hcguard_status('salesforce', 'event', 'location');
COMMIT;
-- ... until Connect writes a value past them.
SELECT hcguard_required_config('salesforce',
    '{"mappings": [{"object_name": "Event", "config": {"fields": {"Subject": {}, "Location": {}}}}]}');
DROP FUNCTION rows_read(), one_pass(bigint);

-- What a session learnt about a column does not outlive the column: the
-- SQL edition keeps its probe planned for the session (a prepared
-- statement), and neither DEALLOCATE nor Connect dropping the column,
-- adding it back empty, or rebuilding the table may change a verdict.
SELECT hcguard_required('salesforce', 'event', 'subject');
DEALLOCATE ALL;
SELECT hcguard_required('salesforce', 'event', 'subject');
-- (planned again: 1 in the SQL edition, 0 in the C extension)
SELECT count(*) AS probes_planned FROM pg_prepared_statements WHERE name LIKE 'hcguard\_probe\_%';
SELECT hcdouble.drop_field('salesforce', 'Event', 'Subject');
SELECT hcdouble.add_field('salesforce', 'Event', 'Subject', 'string(255)');
SELECT hcguard_required('salesforce', 'event', 'subject');
SELECT hcdouble.drop_mapping('salesforce', 'Event');
SELECT hcdouble.create_mapping('salesforce', 'Event', '[["Subject","string(255)"]]');
SELECT hcdouble.connect_load('salesforce', 'Event', 10);
SELECT hcguard_required('salesforce', 'event', 'subject');

-- hcguard_mappings keeps its look at a schema's mappings planned for the
-- session as well (in the SQL edition: a statement per fifty mappings),
-- and a mapping Connect adds leaves no plan behind that no call uses.
SELECT count(*) > 0 AS listed FROM hcguard_mappings('salesforce');
SELECT count(*) AS looks_planned FROM pg_prepared_statements WHERE name LIKE 'hcguard\_mappings\_%';
SELECT hcdouble.create_mapping('salesforce', 'Probe_Extra__c', '[["Subject","string(255)"]]');
SELECT hcdouble.connect_load('salesforce', 'Probe_Extra__c', 3);
SELECT count(*) FILTER (WHERE table_name = 'probe_extra__c' AND synced) AS added_synced FROM hcguard_mappings('salesforce');
SELECT count(*) AS looks_planned FROM pg_prepared_statements WHERE name LIKE 'hcguard\_mappings\_%';

-- A _hc_lastop that is not Connect's short word (an application changed
-- the column's type, and wrote long values) may be stored apart from its
-- row or compressed: such a row is read like any other.  Subject is valued
-- only in rows whose _hc_lastop is long (not Connect-written), Status in a
-- row Connect wrote after them.  (The rows are written past the mapping's
-- trigger, which would mark them PENDING.)
SELECT hcdouble.create_mapping('salesforce', 'Long_Lastop__c',
    '[["Subject","string(255)"],["Status","picklist"]]');
SET session_replication_role = replica;
ALTER TABLE salesforce.long_lastop__c ALTER COLUMN _hc_lastop TYPE text,
    ALTER COLUMN _hc_lastop SET STORAGE EXTERNAL;
INSERT INTO salesforce.long_lastop__c (sfid, subject, _hc_lastop)
VALUES ('a01000000000001AAA', 'apart', (SELECT string_agg(md5(i::text), '') FROM generate_series(1, 200) i));
ALTER TABLE salesforce.long_lastop__c ALTER COLUMN _hc_lastop SET STORAGE MAIN;
INSERT INTO salesforce.long_lastop__c (sfid, subject, _hc_lastop)
VALUES ('a01000000000002AAA', 'compressed', repeat('SYNCED', 2000));
INSERT INTO salesforce.long_lastop__c (sfid, status, _hc_lastop)
VALUES ('a01000000000003AAA', 'Open', 'SYNCED');
RESET session_replication_role;
SELECT pg_relation_size(reltoastrelid) > 0 AS some_stored_apart
  FROM pg_class WHERE oid = 'salesforce.long_lastop__c'::regclass;
SELECT sfid, pg_column_size(_hc_lastop) < octet_length(_hc_lastop) AS compressed
  FROM salesforce.long_lastop__c ORDER BY sfid;
SELECT hcguard_required('salesforce', 'long_lastop__c', 'status');
SELECT hcguard_required('salesforce', 'long_lastop__c', 'subject');
SELECT hcdouble.drop_mapping('salesforce', 'Long_Lastop__c');

-- Leave nothing behind: every file builds the Connect schemas it uses, and
-- its confirmations go with them.
SELECT hcdouble.drop_connect_schema('salesforce');
DELETE FROM hcguard.confirmation_store WHERE schema_name = 'salesforce';
