-- ddl/connect_state.sql: Heroku Connect's own report, in both editions.
--
-- A release step hands hcguard the connection document Connect's API
-- returns (GET /api/v3/connections/{id}?deep=true); hcguard_record_connect_state
-- keeps it (ddl/connect_state_store.sql) and the view hcguard_connect_state
-- shows it.  While the snapshot is fresh (hcguard.connect_state_max_age),
-- the guard takes Connect's word: a mapping in DATA_SYNCED on an idle
-- connection vouches for its configured fields, and any other state fails
-- the verdict.  The C extension reads the store in C on every verdict (it
-- must cost nothing when there is no snapshot); the SQL edition asks
-- hcguard__connect_verdict, below.  Both say what they found with the
-- catalogue's words, from here or from src/messages.txt.

-- The connection states in which Connect syncs, and the mapping state in
-- which a mapping's data is whole.
CREATE FUNCTION hcguard__connect_idle(connection_state text)
RETURNS boolean
LANGUAGE sql IMMUTABLE
AS $$ SELECT connection_state IN ('IDLE', 'POLLING_DB_CHANGES') $$;

-- hcguard.connect_state_max_age as an interval.  The C extension's setting
-- is an integer of seconds, which SHOW writes with its unit ('15min'); the
-- SQL edition's is a plain custom setting, any interval, 15 minutes unset.
CREATE FUNCTION hcguard__connect_max_age()
RETURNS interval
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    setting text := nullif(current_setting('hcguard.connect_state_max_age', true), '');
BEGIN
    IF setting IS NULL THEN
        RETURN interval '15 minutes';
    END IF;
    -- a bare number is seconds, as the C extension's unit makes it
    RETURN CASE WHEN setting ~ '^\s*[0-9]+\s*$' THEN make_interval(secs => setting::double precision)
                ELSE setting::interval END;
EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow OR interval_field_overflow
               OR invalid_text_representation THEN
    PERFORM hcguard__error('connect_max_age_invalid', setting);
    RETURN NULL;
END
$$;

-- What a state means, in the catalogue's words; a state hcguard does not
-- know is said to be one.
CREATE FUNCTION hcguard__connect_meaning(state text)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
    SELECT coalesce((SELECT m.body FROM hcguard__msg_def('connect_state_' || lower(state)) AS m
                      WHERE state ~ '^[A-Z_]+$'),
                    hcguard__text('connect_state_unknown'))
$$;

-- "134 seconds"
CREATE FUNCTION hcguard__connect_age(recorded_at timestamptz)
RETURNS text
LANGUAGE sql VOLATILE
AS $$
    SELECT hcguard__text(CASE WHEN s = 1 THEN 'seconds_one' ELSE 'seconds_many' END, s::text)
      FROM (SELECT greatest(floor(extract(epoch FROM clock_timestamp() - recorded_at)), 0)::bigint AS s) a
$$;

-- Who may record Connect's state for a schema: whoever may confirm a sync
-- on every mapping in it (the owner of each table, or a member of the
-- owning role), or the schema's owner; a schema without mappings, its owner
-- only.  A snapshot speaks for every mapping of the schema: replacing it
-- must not be open to the owner of one table.
CREATE FUNCTION hcguard__may_record_connect(schema_name name)
RETURNS boolean
LANGUAGE sql STABLE
AS $$
    SELECT coalesce(pg_has_role(n.nspowner, 'USAGE'), false)
           OR (EXISTS (SELECT FROM pg_class c
                        WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'p')
                          AND EXISTS (SELECT FROM pg_attribute a
                                       WHERE a.attrelid = c.oid AND a.attname = '_hc_lastop'
                                         AND NOT a.attisdropped))
               AND NOT EXISTS (SELECT FROM pg_class c
                                WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'p')
                                  AND EXISTS (SELECT FROM pg_attribute a
                                               WHERE a.attrelid = c.oid AND a.attname = '_hc_lastop'
                                                 AND NOT a.attisdropped)
                                  AND NOT pg_has_role(c.relowner, 'USAGE')))
      FROM pg_namespace n
     WHERE n.nspname = schema_name
$$;

-- The store's guard: only who may record Connect's state for a schema
-- writes its rows, and every snapshot is signed by its writer, now.  The
-- store's owner writes rows as they are (a restore).
CREATE FUNCTION hcguard__connect_state_guard()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF pg_has_role((SELECT c.relowner FROM pg_class c WHERE c.oid = TG_RELID), 'USAGE') THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND NOT coalesce(hcguard__may_record_connect(OLD.schema_name), false) THEN
        PERFORM hcguard__error('connect_record_denied', quote_ident(OLD.schema_name));
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    IF NOT coalesce(hcguard__may_record_connect(NEW.schema_name), false) THEN
        PERFORM hcguard__error('connect_record_denied', quote_ident(NEW.schema_name));
    END IF;
    IF TG_TABLE_NAME = 'connect_snapshot' THEN
        NEW.recorded_by := current_user;
        NEW.recorded_at := now();
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER hcguard_connect_state_guard
    BEFORE INSERT OR UPDATE OR DELETE ON hcguard.connect_snapshot
    FOR EACH ROW EXECUTE FUNCTION hcguard__connect_state_guard();
CREATE TRIGGER hcguard_connect_state_guard
    BEFORE INSERT OR UPDATE OR DELETE ON hcguard.connect_mapping_state
    FOR EACH ROW EXECUTE FUNCTION hcguard__connect_state_guard();

-- A refusal of a document that is not a connection report.
CREATE FUNCTION hcguard__refuse_connect(why text, path text)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM hcguard__error(why, path);
END
$$;

-- A string member of a report: present, a string, and not empty.
CREATE FUNCTION hcguard__connect_string(doc jsonb, key text, path text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE
AS $$
BEGIN
    IF NOT doc ? key THEN
        PERFORM hcguard__refuse_connect('connect_doc_missing', path || '.' || key);
    END IF;
    IF jsonb_typeof(doc -> key) <> 'string' OR doc ->> key = '' THEN
        PERFORM hcguard__refuse_connect('connect_doc_not_name', path || '.' || key);
    END IF;
    RETURN doc ->> key;
END
$$;

-- A count of a report: absent or null is unknown; otherwise a whole
-- number that is not negative.
CREATE FUNCTION hcguard__connect_count(counts jsonb, key text, path text)
RETURNS bigint
LANGUAGE plpgsql IMMUTABLE
AS $$
BEGIN
    IF counts IS NULL OR jsonb_typeof(counts -> key) IS NULL OR jsonb_typeof(counts -> key) = 'null' THEN
        RETURN NULL;
    END IF;
    IF jsonb_typeof(counts -> key) <> 'number' OR (counts ->> key) !~ '^[0-9]{1,18}$' THEN
        PERFORM hcguard__refuse_connect('connect_doc_not_count', path || '.' || key);
    END IF;
    RETURN (counts ->> key)::bigint;
END
$$;

/*
 * Records a snapshot of a connection report: the connection's state and,
 * for each mapping, its state, configured fields and counts.  It replaces
 * the schema's snapshot before it (snapshots older than the newest are of
 * no use to a verdict).  The whole document is checked before anything is
 * written; a mapping whose table is not in the schema is recorded (it is
 * what Connect said) and reported in a warning, since no guard can pass on
 * it.  Returns the number of mappings recorded.
 */
CREATE OR REPLACE FUNCTION hcguard_record_connect_state(connection jsonb)
RETURNS integer
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    schema_given text;
    nsp name;
    connection_state text;
    m jsonb;
    path text;
    i integer := 0;
    object_name text;
    f text;
    fields text[];
    mappings jsonb := '[]';
    tables text[] := '{}';
BEGIN
    IF connection IS NULL THEN
        PERFORM hcguard__error('connect_doc_null');
    END IF;
    IF jsonb_typeof(connection) <> 'object' THEN
        PERFORM hcguard__refuse_connect('connect_doc_not_object', '$');
    END IF;
    schema_given := hcguard__connect_string(connection, 'schema_name', '$');
    connection_state := hcguard__connect_string(connection, 'state', '$');
    IF NOT connection ? 'mappings' THEN
        PERFORM hcguard__refuse_connect('connect_doc_not_deep', '$.mappings');
    END IF;
    IF jsonb_typeof(connection -> 'mappings') <> 'array' THEN
        PERFORM hcguard__refuse_connect('connect_doc_not_array', '$.mappings');
    END IF;
    FOR m IN SELECT x FROM jsonb_array_elements(connection -> 'mappings') AS x LOOP
        path := format('$.mappings[%s]', i);
        IF jsonb_typeof(m) <> 'object' THEN
            PERFORM hcguard__refuse_connect('connect_doc_not_object', path);
        END IF;
        object_name := hcguard__connect_string(m, 'object_name', path);
        PERFORM hcguard__connect_string(m, 'state', path);
        IF jsonb_typeof(m -> 'config') IS DISTINCT FROM 'object' THEN
            PERFORM hcguard__refuse_connect(CASE WHEN m ? 'config' THEN 'connect_doc_not_object'
                                                 ELSE 'connect_doc_missing' END, path || '.config');
        END IF;
        IF jsonb_typeof(m -> 'config' -> 'fields') IS DISTINCT FROM 'object' THEN
            PERFORM hcguard__refuse_connect(CASE WHEN m -> 'config' ? 'fields' THEN 'connect_doc_not_object'
                                                 ELSE 'connect_doc_missing' END, path || '.config.fields');
        END IF;
        IF m ? 'counts' AND jsonb_typeof(m -> 'counts') NOT IN ('object', 'null') THEN
            PERFORM hcguard__refuse_connect('connect_doc_not_object', path || '.counts');
        END IF;
        fields := ARRAY(SELECT jsonb_object_keys(m -> 'config' -> 'fields') ORDER BY 1);
        FOREACH f IN ARRAY fields LOOP
            IF f = '' THEN
                PERFORM hcguard__refuse_connect('connect_doc_empty_field', path || '.config.fields');
            END IF;
        END LOOP;
        -- Connect names a mapping's table after its object, in lower case
        IF lower(object_name)::name = ANY (tables) THEN
            PERFORM hcguard__refuse_connect('connect_doc_repeated', path || '.object_name');
        END IF;
        tables := tables || lower(object_name)::name::text;
        mappings := mappings || jsonb_build_object(
            'object_name', object_name,
            'table_name', lower(object_name)::name,
            'state', m ->> 'state',
            'state_description', CASE WHEN jsonb_typeof(m -> 'state_description') = 'string'
                                      THEN m ->> 'state_description' END,
            'fields', to_jsonb(fields),
            'columns', to_jsonb(ARRAY(SELECT DISTINCT hcguard__provision_name(x, true)
                                        FROM unnest(fields) AS x ORDER BY 1)),
            'db_count', hcguard__connect_count(m -> 'counts', 'db', path || '.counts'),
            'sf_count', hcguard__connect_count(m -> 'counts', 'sf', path || '.counts'));
        i := i + 1;
    END LOOP;

    -- the schema, as the guard finds it: as given, else in lower case
    SELECT n.nspname INTO nsp
      FROM unnest(hcguard__provision_spellings(schema_given)) WITH ORDINALITY AS g(name, o)
      JOIN pg_namespace n ON n.nspname = g.name
     ORDER BY g.o LIMIT 1;
    IF nsp IS NULL THEN
        PERFORM hcguard__error('connect_no_schema', schema_given);
    END IF;
    IF pg_is_in_recovery() THEN
        PERFORM hcguard__error('connect_on_standby', 'hcguard_record_connect_state');
    ELSIF current_setting('transaction_read_only')::boolean THEN
        PERFORM hcguard__error('confirm_read_only', 'hcguard_record_connect_state');
    END IF;
    IF NOT coalesce(hcguard__may_record_connect(nsp), false) THEN
        PERFORM hcguard__error('connect_record_denied', quote_ident(nsp));
    END IF;

    DELETE FROM hcguard.connect_mapping_state s WHERE s.schema_name = nsp;
    INSERT INTO hcguard.connect_snapshot AS s (schema_name, connection_state, recorded_at)
    VALUES (nsp, connection_state, now())
    ON CONFLICT ON CONSTRAINT connect_snapshot_pkey
    DO UPDATE SET connection_state = excluded.connection_state, recorded_at = excluded.recorded_at,
                  recorded_by = current_user;
    INSERT INTO hcguard.connect_mapping_state
           (schema_name, table_name, object_name, mapping_state, state_description, fields, columns,
            db_count, sf_count)
    SELECT nsp, (e ->> 'table_name')::name, e ->> 'object_name', e ->> 'state', e ->> 'state_description',
           ARRAY(SELECT jsonb_array_elements_text(e -> 'fields')),
           ARRAY(SELECT jsonb_array_elements_text(e -> 'columns'))::name[],
           (e ->> 'db_count')::bigint, (e ->> 'sf_count')::bigint
      FROM jsonb_array_elements(mappings) AS e;

    FOR m IN SELECT e FROM jsonb_array_elements(mappings) AS e
              WHERE NOT EXISTS (SELECT FROM pg_class c
                                 WHERE c.relnamespace = (SELECT n.oid FROM pg_namespace n WHERE n.nspname = nsp)
                                   AND c.relname = (e ->> 'table_name')::name)
              ORDER BY e ->> 'table_name'
    LOOP
        PERFORM hcguard__raise(hcguard__msg('connect_mapping_no_table',
                                            format('%s.%s', nsp, m ->> 'table_name'),
                                            m ->> 'object_name', m ->> 'state'),
                               true);
    END LOOP;
    RETURN i;
END
$$;

-- What Connect last said, a row per mapping of each schema's snapshot.
CREATE OR REPLACE VIEW hcguard_connect_state AS
    SELECT s.schema_name::text AS schema_name, m.object_name, m.table_name::text AS table_name,
           s.connection_state, m.mapping_state, m.fields, m.db_count, m.sf_count, s.recorded_at
      FROM hcguard.connect_snapshot s
      JOIN hcguard.connect_mapping_state m ON m.schema_name = s.schema_name;
GRANT SELECT ON hcguard_connect_state TO PUBLIC;

/*
 * Connect's word on a mapping, for the SQL edition's verdict (the C
 * extension reads the same rows in C): NULL when there is no fresh snapshot
 * of the schema, or one of an idle connection that does not list the
 * mapping; 'synced' with the columns
 * its configured fields make, when the connection is idle and the mapping
 * DATA_SYNCED; otherwise 'blocked', with the sentence a report's detail
 * shows.
 */
CREATE FUNCTION hcguard__connect_verdict(schema_name name, table_name name,
                                         OUT state text, OUT columns name[], OUT blocked text)
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    r record;
BEGIN
    SELECT s.connection_state, s.recorded_at, m.mapping_state, m.columns AS cols INTO r
      FROM hcguard.connect_snapshot s
      LEFT JOIN hcguard.connect_mapping_state m
        ON m.schema_name = s.schema_name AND m.table_name = hcguard__connect_verdict.table_name
     WHERE s.schema_name = hcguard__connect_verdict.schema_name
       AND s.recorded_at >= clock_timestamp() - hcguard__connect_max_age();
    IF NOT FOUND THEN
        RETURN;
    END IF;
    -- a connection that does not sync holds every mapping back, listed or not
    IF NOT hcguard__connect_idle(r.connection_state) THEN
        state := 'blocked';
        blocked := hcguard__text('connect_connection_state', r.connection_state,
                                 hcguard__connect_meaning(r.connection_state),
                                 hcguard__connect_age(r.recorded_at));
    ELSIF r.mapping_state IS NULL THEN
        RETURN;
    ELSIF r.mapping_state <> 'DATA_SYNCED' THEN
        state := 'blocked';
        blocked := hcguard__text('connect_mapping_state', r.mapping_state,
                                 hcguard__connect_meaning(r.mapping_state),
                                 hcguard__connect_age(r.recorded_at));
    ELSE
        state := 'synced';
        columns := r.cols;
    END IF;
END
$$;
