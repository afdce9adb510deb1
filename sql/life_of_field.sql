--
-- The life of a field (heroku-connect.md), step by step, and what the guard
-- says at each step.  Errors are followed by their SQLSTATE.
--
SELECT hcdouble.create_connect_schema('salesforce');

-- 1. A mapping is created: Connect creates the table (state INITIAL) ...
SELECT hcdouble.create_mapping('salesforce', 'Contact',
    '[["Email","email"],["LastName","string(80)"],["Phone","phone"]]');
-- ... and nothing is synced yet: the table has no rows.
SELECT hcguard_required('salesforce', 'contact');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('salesforce', 'contact', 'email');
\echo :LAST_ERROR_SQLSTATE
\x on
SELECT * FROM hcguard_status('salesforce', 'contact');
\x off

-- The initial load writes every record as Connect.
SELECT hcdouble.connect_load('salesforce', 'Contact', 5);
SELECT hcguard_required('salesforce', 'contact');
SELECT hcguard_required('salesforce', 'contact', 'email');
-- People type Salesforce API names; Connect's names are lower case.
SELECT hcguard_required('Salesforce', 'Contact', 'Email');
\x on
SELECT * FROM hcguard_status('salesforce', 'Contact', 'LastName');
\x off

-- Code that needs a field nobody mapped in this environment yet.
SELECT hcguard_required('salesforce', 'contact', 'preferred_channel__c');
\echo :LAST_ERROR_SQLSTATE

-- 2. The field is added to the mapping: ALTER TABLE ... ADD COLUMN
-- (SCHEMA_CHANGED).  The column exists, empty: not synced yet.
SELECT hcdouble.add_field('salesforce', 'Contact', 'Preferred_Channel__c', 'picklist');
SELECT attname FROM pg_attribute
 WHERE attrelid = 'salesforce.contact'::regclass AND attnum > 0 ORDER BY attnum;
SELECT hcguard_required('salesforce', 'contact', 'preferred_channel__c');
\echo :LAST_ERROR_SQLSTATE
\x on
SELECT * FROM hcguard_status('salesforce', 'contact', 'Preferred_Channel__c');
\x off

-- RESYNC fills the column for existing rows; once Connect has written a
-- value, the field is synced.
SELECT hcdouble.connect_resync('salesforce', 'Contact', 'Preferred_Channel__c', 2);
SELECT hcguard_required('salesforce', 'contact', 'preferred_channel__c');
\x on
SELECT * FROM hcguard_status('salesforce', 'contact', 'preferred_channel__c');
\x off

-- 3. The application writes.  Its rows are PENDING and carry its own
-- values, not Salesforce's: they prove nothing about the sync.
SELECT hcdouble.add_field('salesforce', 'Contact', 'Nickname__c', 'string(40)');
SELECT hcdouble.app_insert('salesforce', 'Contact',
    '{"lastname": "Lovelace", "nickname__c": "Ada"}') AS app_row \gset
SELECT _hc_lastop, nickname__c FROM salesforce.contact WHERE id = :app_row;
SELECT state, action, table_name FROM salesforce._trigger_log ORDER BY id;
SELECT hcguard_required('salesforce', 'contact', 'nickname__c');
\echo :LAST_ERROR_SQLSTATE

-- A write Salesforce refused stays FAILED: still the application's value.
SELECT hcdouble.connect_push('salesforce', 'Contact', false);
SELECT _hc_lastop, _hc_err, nickname__c FROM salesforce.contact WHERE id = :app_row;
SELECT hcguard_required('salesforce', 'contact', 'nickname__c');
\echo :LAST_ERROR_SQLSTATE

-- Pushed to Salesforce and marked INSERTED by Connect: now the value is
-- Salesforce's too.
SELECT hcdouble.app_update('salesforce', 'Contact', :app_row, '{"lastname": "King"}');
SELECT hcdouble.connect_push('salesforce', 'Contact');
SELECT _hc_lastop, nickname__c FROM salesforce.contact WHERE id = :app_row;
SELECT hcguard_required('salesforce', 'contact', 'nickname__c');

-- UPDATED rows count as Connect-written too.
SELECT hcdouble.add_field('salesforce', 'Contact', 'Title', 'string(128)');
SELECT hcdouble.app_update('salesforce', 'Contact', 1, '{"title": "Countess"}');
SELECT hcguard_required('salesforce', 'contact', 'title');
\echo :LAST_ERROR_SQLSTATE
SELECT hcdouble.connect_push('salesforce', 'Contact');
SELECT _hc_lastop, title FROM salesforce.contact WHERE id = 1;
SELECT hcguard_required('salesforce', 'contact', 'title');

-- 4. A reload empties the table and loads it again: while it is empty the
-- mapping is not synced; once reloaded it is.
BEGIN;
TRUNCATE salesforce.contact;
SELECT hcguard_required('salesforce', 'contact', 'email');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
SELECT hcdouble.connect_reload('salesforce', 'Contact', 4);
SELECT hcguard_required('salesforce', 'contact', 'email');

-- A field removed from the mapping: Connect drops the column.
SELECT hcdouble.drop_field('salesforce', 'Contact', 'Phone');
SELECT hcguard_required('salesforce', 'contact', 'phone');
\echo :LAST_ERROR_SQLSTATE

-- A mapping deleted: the table is dropped.
SELECT hcdouble.create_mapping('salesforce', 'Lead', '[["Company","string(255)"]]');
SELECT hcdouble.connect_load('salesforce', 'Lead', 2);
SELECT hcguard_required('salesforce', 'lead', 'company');
SELECT hcdouble.drop_mapping('salesforce', 'Lead');
SELECT hcguard_required('salesforce', 'lead', 'company');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('salesforce', 'lead');
\echo :LAST_ERROR_SQLSTATE

-- The files that need this schema build it with test/fixtures/salesforce.sql,
-- which repeats the calls above: it builds the same relations, columns,
-- rows, pushed writes and sequence positions.
ALTER SCHEMA salesforce RENAME TO salesforce_walked;
\set ECHO none
\i test/fixtures/salesforce.sql
\set ECHO all
CREATE FUNCTION pg_temp.schema_state(s text) RETURNS TABLE (what text, state text)
LANGUAGE plpgsql AS $$
BEGIN
    what := 'relations';
    SELECT string_agg(relname || ' ' || relkind::text, ', ' ORDER BY relname) INTO state
      FROM pg_class WHERE relnamespace = s::regnamespace;
    RETURN NEXT;
    what := 'columns of contact';
    SELECT string_agg(attnum || ' ' || CASE WHEN attisdropped THEN 'dropped'
                      ELSE attname || ' ' || format_type(atttypid, atttypmod) END,
                      ', ' ORDER BY attnum) INTO state
      FROM pg_attribute WHERE attrelid = format('%I.contact', s)::regclass AND attnum > 0;
    RETURN NEXT;
    what := 'rows of contact';
    EXECUTE format('SELECT string_agg(c::text, '', '' ORDER BY id) FROM %I.contact c', s)
       INTO state;
    RETURN NEXT;
    what := 'writes Connect pushed';
    EXECUTE format('SELECT string_agg(concat_ws('' '', id, state, action, table_name, record_id,
                           sfid, old, "values", sf_result, sf_message), '', '' ORDER BY id)
                      FROM %I._trigger_log_archive', s) INTO state;
    RETURN NEXT;
    what := 'writes queued';
    EXECUTE format('SELECT count(*) FROM %I._trigger_log', s) INTO state;
    RETURN NEXT;
    what := 'sequences';
    SELECT string_agg(sequencename || ' ' || coalesce(last_value, 0), ', ' ORDER BY sequencename)
      INTO state FROM pg_sequences WHERE schemaname = s;
    RETURN NEXT;
END
$$;
SELECT w.what, w.state = f.state AS same
  FROM pg_temp.schema_state('salesforce_walked') WITH ORDINALITY AS w (what, state, n)
  JOIN pg_temp.schema_state('salesforce') AS f USING (what)
 ORDER BY w.n;

-- Leave nothing behind: every file builds the Connect schemas it uses.
SELECT hcdouble.drop_connect_schema(s) FROM unnest(ARRAY['salesforce', 'salesforce_walked']) AS s;
