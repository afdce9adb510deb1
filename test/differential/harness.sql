--
-- test/differential/harness.sql: what runs the differential barrage's calls
-- (test/differential.sh), the same in both databases.  Loaded after the
-- fixture, as the superuser.
--
-- hcdiff_harness.call(role, on_failure, path, query, effects): one call.
--   * As the superuser, sets hcguard.on_failure for the transaction
--     ('default' leaves it alone: unset, or its default), so that no other
--     role ever sets it (the C extension refuses that, the SQL edition cannot:
--     see the README's "How the editions differ"), and search_path ('default'
--     leaves it alone).
--   * Becomes ROLE for the transaction ('superuser' stays the superuser).
--   * Runs QUERY and reports all its rows, sorted (the order of rows is not
--     part of the contract), in a NOTICE "result: ...".
--   * EFFECTS 'confirmations' (after hcguard_confirm_synced,
--     hcguard_revoke_confirmation and Connect's events): back as the
--     superuser, reports every row of hcguard_confirmations in a NOTICE
--     "confirmations: ...", confirmed_at replaced by whether this transaction
--     wrote it (fresh).  'declarations' (after every call that may record or
--     forget one): the declaration store's count, a digest of its rows
--     and the rows the call wrote, declared_at replaced likewise.  'none': nothing.
-- Errors are not caught: psql prints them (after any WARNING hcguard raised)
-- with their SQLSTATE, message, detail, hint and fields, and the call's
-- transaction is rolled back, so only a call that returned leaves anything
-- behind.  Everything goes to psql's stderr, in order.
--
-- hcdiff_harness.connect_event(what): Heroku Connect, played by the double,
-- changes something during the barrage (adds, syncs or drops a field,
-- drops and maps again a mapping, a write and its push, a reload), so that
-- confirmations stop counting and verdicts change as in real life.  Then the
-- clock values are fixed again and the touched schema analyzed, so that
-- both databases hold the same.
--
CREATE SCHEMA hcdiff_harness;
GRANT USAGE ON SCHEMA hcdiff_harness TO PUBLIC;

CREATE FUNCTION hcdiff_harness.call(role text, on_failure text, path text, query text, effects text)
RETURNS void
LANGUAGE plpgsql
AS $harness$
DECLARE
    res text;
BEGIN
    -- Connect's snapshots count for the whole barrage in both databases,
    -- which do not run in step (set as the superuser: the C extension lets
    -- no one else)
    PERFORM pg_catalog.set_config('hcguard.connect_state_max_age', '1d', true);
    IF on_failure <> 'default' THEN
        PERFORM pg_catalog.set_config('hcguard.on_failure', on_failure, true);
    END IF;
    IF path <> 'default' THEN
        PERFORM pg_catalog.set_config('search_path', path, true);
    END IF;
    IF role <> 'superuser' THEN
        PERFORM pg_catalog.set_config('role', role, true);
    END IF;
    EXECUTE 'SELECT coalesce(pg_catalog.string_agg(t::pg_catalog.text, E''\n'' ORDER BY t::pg_catalog.text COLLATE "C"), '''') FROM ('
            || query || E'\n) t' INTO res;
    PERFORM pg_catalog.set_config('role', 'none', true);
    RAISE NOTICE USING MESSAGE = 'result: ' || res;
    IF effects = 'confirmations' THEN
        SELECT coalesce(string_agg(c::text, E'\n' ORDER BY c::text COLLATE "C"), '')
          INTO res
          FROM (SELECT schema_name, table_name, column_name, confirmed_by, note, counts,
                       confirmed_at >= now() AS fresh
                  FROM public.hcguard_confirmations) c;
        RAISE NOTICE USING MESSAGE = 'confirmations: ' || res;
    ELSIF effects = 'declarations' THEN
        -- the store grows with every call: its count, an order-free digest
        -- of all its rows (a sum of hashes needs no sort), and in full the
        -- rows this call wrote
        SELECT count(*) || ' ' || coalesce(sum(hashtextextended(d::text, 0)::numeric), 0)
               || coalesce(E'\n' || string_agg(d::text, E'\n' ORDER BY d::text COLLATE "C")
                                       FILTER (WHERE d.fresh), '')
          INTO res
          FROM (SELECT schema_name, table_name, column_name, declared_type, declared_by,
                       declared_at >= now() AS fresh
                  FROM hcguard.declaration_store) d;
        RAISE NOTICE USING MESSAGE = 'declarations: ' || res;
    ELSIF effects = 'connect' THEN
        SELECT coalesce(string_agg(c::text, E'\n' ORDER BY c::text COLLATE "C"), '')
          INTO res
          FROM (SELECT s.schema_name, s.connection_state, s.recorded_by, s.recorded_at >= now() AS fresh,
                       m.table_name, m.object_name, m.mapping_state, m.state_description, m.fields,
                       m.columns, m.db_count, m.sf_count
                  FROM hcguard.connect_snapshot s
                  LEFT JOIN hcguard.connect_mapping_state m ON m.schema_name = s.schema_name) c;
        RAISE NOTICE USING MESSAGE = 'connect: ' || res;
    END IF;
END
$harness$;
GRANT EXECUTE ON FUNCTION hcdiff_harness.call(text, text, text, text, text) TO PUBLIC;

CREATE FUNCTION hcdiff_harness.connect_event(what text)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $event$
DECLARE
    s text;
    res text;
BEGIN
    CASE what
    WHEN 'add_fax' THEN
        s := 'salesforce';
        PERFORM hcdouble.add_field(s, 'Contact', 'Fax__c', 'phone');
    WHEN 'resync_fax' THEN
        s := 'salesforce';
        res := hcdouble.connect_resync(s, 'Contact', 'Fax__c', 3);
    WHEN 'drop_fax' THEN
        s := 'salesforce';
        PERFORM hcdouble.drop_field(s, 'Contact', 'Fax__c');
    WHEN 'add_paid' THEN
        s := 'Org2';
        PERFORM hcdouble.add_field(s, 'Invoice__c', 'Paid__c', 'boolean');
    WHEN 'resync_paid' THEN
        s := 'Org2';
        res := hcdouble.connect_resync(s, 'Invoice__c', 'Paid__c');
    WHEN 'drop_paid' THEN
        s := 'Org2';
        PERFORM hcdouble.drop_field(s, 'Invoice__c', 'Paid__c');
    WHEN 'drop_status' THEN
        s := 'sales_eu';
        PERFORM hcdouble.drop_field(s, 'Case', 'Status');
    WHEN 'add_status' THEN
        s := 'sales_eu';
        PERFORM hcdouble.add_field(s, 'Case', 'Status', 'picklist');
    WHEN 'lead_insert' THEN
        s := 'salesforce';
        res := hcdouble.app_insert(s, 'Lead', '{"company": "Acme"}');
    WHEN 'lead_push' THEN
        s := 'salesforce';
        res := hcdouble.connect_push(s, 'Lead', true);
    WHEN 'lead_push_fails' THEN
        s := 'salesforce';
        res := hcdouble.connect_push(s, 'Lead', false, 'DUPLICATE_VALUE: duplicate value found: ä "x"');
    WHEN 'drop_task' THEN
        s := 'salesforce';
        PERFORM hcdouble.drop_mapping(s, 'Task');
    WHEN 'map_task' THEN
        s := 'salesforce';
        PERFORM hcdouble.create_mapping(s, 'Task', '[["Subject","string(255)"]]');
        res := hcdouble.connect_load(s, 'Task', 2, '{subject}');
    WHEN 'reload_account' THEN
        s := 'salesforce';
        res := hcdouble.connect_reload(s, 'Account', 4);
    ELSE
        RAISE EXCEPTION 'unknown event %', what;
    END CASE;
    PERFORM hcdiff_fixture.fix_clocks();
    PERFORM hcdiff_fixture.no_autovacuum();
    EXECUTE (SELECT 'ANALYZE ' || string_agg(c.oid::regclass::text, ', ')
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = s AND c.relkind = 'r');
    RETURN what || ' ' || coalesce(res, 'done');
END
$event$;
