-- ddl/provision.sql: provisioning, in both editions (hcguard.on_failure =
-- provision).
--
-- In a database without Heroku Connect (a developer's, CI's, a framework's
-- test database) a declaration that would fail creates what it names
-- instead, shaped as Connect makes it, so that the migrations build the
-- Connect schema the code will meet, and a field no migration declares
-- does not exist.  Both editions call hcguard__provision with their
-- search_path pinned to pg_catalog and the schema these functions live in;
-- everything is created as the calling role, with its rights.
--
-- What is never done: writing into a schema hcguard did not provision (a
-- real Connect schema, or anyone else's), or provisioning anything at all
-- in a database that holds a Connect schema hcguard did not provision.
-- There the caller fails exactly as under on_failure = error.

-- Whether hcguard provisioned a schema: the schema's comment is the mark, so
-- that a person reading \dn+ sees it too.  (The catalogue's mark is looked
-- up only for a schema with a comment: most have none, and every verdict
-- asks.)
CREATE FUNCTION hcguard__provisioned(nsp oid)
RETURNS boolean
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    mark text;
BEGIN
    SELECT d.description INTO mark
      FROM pg_description d
     WHERE d.objoid = nsp AND d.classoid = 'pg_namespace'::regclass AND d.objsubid = 0;
    RETURN mark IS NOT NULL AND mark = hcguard__text('provisioned_mark');
END
$$;

-- Connect's own columns of a mapping, with the types Connect gives them, in
-- the order Connect creates them (_hc_lastop and _hc_err come after the
-- fields the mapping starts with).
CREATE FUNCTION hcguard__connect_columns(OUT name name, OUT type text, OUT definition text)
RETURNS SETOF record
LANGUAGE sql IMMUTABLE
AS $$
    VALUES ('id', 'integer', 'serial PRIMARY KEY'),
           ('sfid', 'character varying(18)', 'character varying(18)'),
           ('systemmodstamp', 'timestamp without time zone', 'timestamp without time zone'),
           ('isdeleted', 'boolean', 'boolean'),
           ('createddate', 'timestamp without time zone', 'timestamp without time zone'),
           ('_hc_lastop', 'character varying(32)', 'character varying(32)'),
           ('_hc_err', 'text', 'text')
$$;

-- A name as Connect writes it: the API name in lower case, cut as
-- PostgreSQL cuts identifiers.  The field Id is the column sfid.
CREATE FUNCTION hcguard__provision_name(given text, is_column boolean DEFAULT false)
RETURNS name
LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE WHEN is_column AND lower(given) = 'id' THEN 'sfid'::name ELSE lower(given)::name END
$$;

-- A name's object is found as a query finds it: as given, else in lower
-- case (the field Id being sfid).
CREATE FUNCTION hcguard__provision_spellings(given text, is_column boolean DEFAULT false)
RETURNS name[]
LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE WHEN is_column AND lower(given) = 'id' THEN ARRAY['sfid'::name]
                ELSE ARRAY[given::name, lower(given)::name] END
$$;

/*
 * Runs one statement of provisioning.  Where the caller lacks the right,
 * PostgreSQL's own error (42501) goes on, with what hcguard tried to do and
 * as whom, since the migration that caused it may not say.
 */
CREATE FUNCTION hcguard__provision_run(statement text)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    msg text;
BEGIN
    EXECUTE statement;
EXCEPTION WHEN insufficient_privilege THEN
    GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
    RAISE EXCEPTION USING
        ERRCODE = 'insufficient_privilege',
        MESSAGE = msg,
        DETAIL = hcguard__text('provision_denied_detail', statement, current_user),
        HINT = hcguard__text('provision_denied_hint');
END
$$;

-- The schema and what Connect keeps in it, each made only where missing.
CREATE FUNCTION hcguard__provision_schema(s name)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    hstore_schema name;
BEGIN
    IF to_regnamespace(quote_ident(s)) IS NULL THEN
        PERFORM hcguard__provision_run(format('CREATE SCHEMA %I', s));
        PERFORM hcguard__provision_run(format('COMMENT ON SCHEMA %I IS %L', s,
                                              hcguard__text('provisioned_mark')));
        PERFORM hcguard__notice('provision_schema', s);
    END IF;

    IF to_regclass(format('%I._hcmeta', s)) IS NULL THEN
        PERFORM hcguard__provision_run(format(
            'CREATE TABLE %I._hcmeta (id serial PRIMARY KEY, hcver integer, org_id character varying(50),'
            ' details text)', s));
        PERFORM hcguard__notice('provision_system_table', format('%I._hcmeta', s));
    END IF;

    IF to_regclass(format('%I._trigger_log', s)) IS NULL THEN
        PERFORM hcguard__provision_run(format(
            'CREATE TABLE %I._trigger_log (id serial PRIMARY KEY, txid bigint,'
            ' created_at timestamp with time zone DEFAULT now(),'
            ' updated_at timestamp with time zone DEFAULT now(),'
            ' processed_at timestamp with time zone, processed_tx bigint,'
            ' state character varying(8), action character varying(7),'
            ' table_name character varying(128), record_id integer, sfid character varying(18),'
            ' old text, "values" text, sf_result integer, sf_message text)', s));
        PERFORM hcguard__provision_run(format(
            'CREATE INDEX _trigger_log_idx_state_table_name ON %I._trigger_log (state, table_name)'
            ' WHERE state IN (''NEW'', ''PENDING'')', s));
        PERFORM hcguard__provision_run(format(
            'CREATE INDEX _trigger_log_idx_created_at ON %I._trigger_log (created_at)', s));
        -- Connect wakes up on every queued write
        PERFORM hcguard__provision_run(format(
            'CREATE OR REPLACE FUNCTION %1$I.tlog_notify_trigger() RETURNS trigger LANGUAGE plpgsql'
            ' AS $body$ BEGIN PERFORM pg_catalog.pg_notify(%2$L, ''ping''); RETURN NEW; END $body$',
            s, s || '.hc_trigger_log'));
        PERFORM hcguard__provision_run(format(
            'CREATE TRIGGER tlog_insert_trigger AFTER INSERT ON %1$I._trigger_log'
            ' FOR EACH ROW EXECUTE FUNCTION %1$I.tlog_notify_trigger()', s));
        PERFORM hcguard__notice('provision_system_table', format('%I._trigger_log', s));
    END IF;

    IF to_regclass(format('%I._trigger_log_archive', s)) IS NULL THEN
        PERFORM hcguard__provision_run(format(
            'CREATE TABLE %1$I._trigger_log_archive (id integer PRIMARY KEY, txid bigint,'
            ' created_at timestamp with time zone, updated_at timestamp with time zone,'
            ' processed_at timestamp with time zone, processed_tx bigint,'
            ' state character varying(8), action character varying(7),'
            ' table_name character varying(128), record_id integer, sfid character varying(18),'
            ' old text, "values" text, sf_result integer, sf_message text)', s));
        PERFORM hcguard__provision_run(format(
            'CREATE INDEX _trigger_log_archive_idx_state_table_name ON %I._trigger_log_archive'
            ' (state, table_name) WHERE state = ''FAILED''', s));
        PERFORM hcguard__notice('provision_system_table', format('%I._trigger_log_archive', s));
    END IF;

    IF to_regclass(format('%I._sf_event_log', s)) IS NULL THEN
        PERFORM hcguard__provision_run(format(
            'CREATE TABLE %I._sf_event_log (id serial PRIMARY KEY, table_name character varying(128),'
            ' action character varying(7), synced_at timestamp with time zone DEFAULT now(),'
            ' sf_timestamp timestamp with time zone, sfid character varying(20), record text,'
            ' processed boolean)', s));
        PERFORM hcguard__notice('provision_system_table', format('%I._sf_event_log', s));
    END IF;

    -- How Connect's triggers tell the application's writes (base64, the
    -- default) from Connect's own sessions (hex).
    IF to_regprocedure(format('%I.get_xmlbinary()', s)) IS NULL THEN
        PERFORM hcguard__provision_run(format(
            'CREATE FUNCTION %I.get_xmlbinary() RETURNS character varying LANGUAGE sql STABLE'
            ' AS $body$ SELECT pg_catalog.current_setting(''xmlbinary'')::character varying $body$', s));
        PERFORM hcguard__notice('provision_function', format('%I.get_xmlbinary()', s));
    END IF;

    -- Connect's loggers record rows as hstore, which Connect installs in
    -- public.  hstore is a trusted extension: whoever may create in the
    -- database may create it; where the caller may not create in public,
    -- it goes into the provisioned schema.
    SELECT e.extnamespace::regnamespace::name INTO hstore_schema
      FROM pg_extension e WHERE e.extname = 'hstore';
    IF hstore_schema IS NULL THEN
        hstore_schema := CASE WHEN to_regnamespace('public') IS NOT NULL
                                   AND has_schema_privilege('public', 'CREATE')
                              THEN 'public' ELSE s END;
        PERFORM hcguard__provision_run(format('CREATE EXTENSION hstore SCHEMA %I', hstore_schema));
        PERFORM hcguard__notice('provision_extension', hstore_schema);
    END IF;
END
$$;

-- A mapping table, as Connect creates it for a read-write mapping, with its
-- first fields before Connect's bookkeeping columns.
CREATE FUNCTION hcguard__provision_table(s name, t name, fields name[], types text[])
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    hs text := (SELECT quote_ident(e.extnamespace::regnamespace::name)
                  FROM pg_extension e WHERE e.extname = 'hstore');
    rel text := format('%I.%I', s, t);
    cols text;
BEGIN
    SELECT string_agg(format('%I %s', c.name, c.definition), ', ' ORDER BY c.o)
      INTO cols
      FROM (SELECT n.name, n.definition, n.o
              FROM hcguard__connect_columns() WITH ORDINALITY AS n(name, type, definition, o)
             WHERE n.name NOT IN ('_hc_lastop', '_hc_err')
            UNION ALL
            SELECT f.name, coalesce(f.type, 'character varying(255)'), 100 + f.o
              FROM unnest(fields, types) WITH ORDINALITY AS f(name, type, o)
            UNION ALL
            SELECT n.name, n.definition, 1000 + n.o
              FROM hcguard__connect_columns() WITH ORDINALITY AS n(name, type, definition, o)
             WHERE n.name IN ('_hc_lastop', '_hc_err')) AS c(name, definition, o);
    PERFORM hcguard__provision_run(format('CREATE TABLE %s (%s)', rel, cols));
    PERFORM hcguard__provision_run(format('CREATE UNIQUE INDEX %I ON %s (sfid)',
                                          ('hcu_idx_' || t || '_sfid')::name, rel));
    PERFORM hcguard__provision_run(format('CREATE INDEX %I ON %s (systemmodstamp)',
                                          ('hc_idx_' || t || '_systemmodstamp')::name, rel));

    -- The status trigger: the application's writes are PENDING until
    -- Connect pushes them; Connect's own are SYNCED, unless Connect's
    -- update sets _hc_lastop itself (INSERTED, UPDATED, FAILED).
    PERFORM hcguard__provision_run(format(
        'CREATE FUNCTION %1$I.%2$I() RETURNS trigger LANGUAGE plpgsql AS $body$'
        ' BEGIN'
        '   IF %1$I.get_xmlbinary() OPERATOR(pg_catalog.=) ''base64'' THEN'
        '     NEW._hc_lastop := ''PENDING''; NEW._hc_err := NULL;'
        '   ELSIF TG_OP OPERATOR(pg_catalog.=) ''INSERT'' THEN'
        '     NEW._hc_lastop := ''SYNCED''; NEW._hc_err := NULL;'
        '   ELSIF NEW._hc_lastop IS NULL OR NEW._hc_lastop IS NOT DISTINCT FROM OLD._hc_lastop THEN'
        '     NEW._hc_lastop := ''SYNCED''; NEW._hc_err := NULL;'
        '   END IF;'
        '   RETURN NEW;'
        ' END $body$',
        s, ('hc_' || t || '_status')::name));
    PERFORM hcguard__provision_run(format(
        'CREATE TRIGGER %I BEFORE INSERT OR UPDATE ON %s FOR EACH ROW EXECUTE FUNCTION %I.%I()',
        ('hc_' || t || '_status_trigger')::name, rel, s, ('hc_' || t || '_status')::name));

    -- The log trigger: the application's writes are queued in _trigger_log
    -- (state NEW) for Connect to push, the row as hstore text.
    PERFORM hcguard__provision_run(format(
        'CREATE FUNCTION %1$I.%2$I() RETURNS trigger LANGUAGE plpgsql AS $body$'
        ' DECLARE'
        '   excluded text[] := ARRAY[''_hc_lastop'', ''_hc_err''];'
        ' BEGIN'
        '   IF %1$I.get_xmlbinary() OPERATOR(pg_catalog.<>) ''base64'' THEN RETURN NULL; END IF;'
        '   IF TG_OP OPERATOR(pg_catalog.=) ''INSERT'' THEN'
        '     INSERT INTO %1$I._trigger_log (txid, created_at, state, action, table_name, record_id, sfid, "values")'
        '     VALUES (pg_catalog.txid_current(), pg_catalog.clock_timestamp(), ''NEW'', TG_OP, TG_TABLE_NAME,'
        '             NEW.id, NEW.sfid, (%3$s.hstore(NEW) OPERATOR(%3$s.-) excluded)::text);'
        '   ELSIF TG_OP OPERATOR(pg_catalog.=) ''UPDATE'' THEN'
        '     INSERT INTO %1$I._trigger_log (txid, created_at, state, action, table_name, record_id, sfid, old, "values")'
        '     VALUES (pg_catalog.txid_current(), pg_catalog.clock_timestamp(), ''NEW'', TG_OP, TG_TABLE_NAME,'
        '             NEW.id, OLD.sfid, (%3$s.hstore(OLD) OPERATOR(%3$s.-) excluded)::text,'
        '             ((%3$s.hstore(NEW) OPERATOR(%3$s.-) %3$s.hstore(OLD)) OPERATOR(%3$s.-) excluded)::text);'
        '   ELSE'
        '     INSERT INTO %1$I._trigger_log (txid, created_at, state, action, table_name, record_id, sfid, old)'
        '     VALUES (pg_catalog.txid_current(), pg_catalog.clock_timestamp(), ''NEW'', TG_OP, TG_TABLE_NAME,'
        '             OLD.id, OLD.sfid, (%3$s.hstore(OLD) OPERATOR(%3$s.-) excluded)::text);'
        '   END IF;'
        '   RETURN NULL;'
        ' END $body$',
        s, ('hc_' || t || '_logger')::name, hs));
    PERFORM hcguard__provision_run(format(
        'CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION %I.%I()',
        ('hc_' || t || '_logtrigger')::name, rel, s, ('hc_' || t || '_logger')::name));

    PERFORM hcguard__notice('provision_table', format('%I.%I', s, t), format('%I._trigger_log', s));
    PERFORM hcguard__notice('provision_column', f.name, format('%I.%I', s, t),
                            coalesce(f.type, 'character varying(255)'))
       FROM unnest(fields, types) AS f(name, type);
END
$$;

/*
 * Creates what a declaration names and the database lacks: the schema (with
 * Connect's system tables), the mapping table, the columns (of their
 * declared types, else character varying(255), Connect's type for
 * picklists and most text fields).  A provisioned column declared with
 * another type is changed to it.  columns and types run in parallel; a
 * type is as format_type writes it, or NULL where none was declared.
 *
 * Returns false, having created nothing and said why in a notice, where
 * hcguard must not provision; the caller then fails as under error.
 */
CREATE FUNCTION hcguard__provision(schema_given text, table_given text,
                                   columns text[], types text[])
RETURNS boolean
LANGUAGE plpgsql
AS $$
DECLARE
    other name;
    nsp oid;
    s name;
    rel oid;
    kind "char";
    t name;
    fields name[] := '{}';
    field_types text[] := '{}';
    changes name[] := '{}';
    change_from text[] := '{}';
    change_to text[] := '{}';
    found_name name;
    found_type text;
    own_type text;
    n name;
BEGIN
    -- One provisioning at a time in a database: two migrations that find
    -- the same schema missing must not both create it.  Connect schemas
    -- and the objects below are looked at only once it is held.
    PERFORM pg_advisory_xact_lock(1751345013, 1);

    -- A database with Heroku Connect is never provisioned: there a setting
    -- put by mistake must not let a deploy through.
    SELECT c.relnamespace::regnamespace::name INTO other
      FROM pg_class c
     WHERE c.relname IN ('_hcmeta', '_trigger_log', '_trigger_log_archive')
       AND NOT hcguard__provisioned(c.relnamespace)
     ORDER BY 1 LIMIT 1;
    IF other IS NOT NULL THEN
        PERFORM hcguard__notice('provision_refused_connect', other);
        RETURN false;
    END IF;

    SELECT n2.oid, n2.nspname INTO nsp, s
      FROM unnest(hcguard__provision_spellings(schema_given)) WITH ORDINALITY AS g(name, o)
      JOIN pg_namespace n2 ON n2.nspname = g.name
     ORDER BY g.o LIMIT 1;
    IF nsp IS NOT NULL AND NOT hcguard__provisioned(nsp) THEN
        PERFORM hcguard__notice('provision_refused_schema', s);
        RETURN false;
    END IF;
    s := coalesce(s, lower(schema_given)::name);

    IF nsp IS NOT NULL THEN
        SELECT c.oid, c.relname, c.relkind INTO rel, t, kind
          FROM unnest(hcguard__provision_spellings(table_given)) WITH ORDINALITY AS g(name, o)
          JOIN pg_class c ON c.relname = g.name AND c.relnamespace = nsp
         ORDER BY g.o LIMIT 1;
    END IF;
    IF rel IS NOT NULL AND (kind <> 'r'
                            OR t IN ('_hcmeta', '_trigger_log', '_trigger_log_archive', '_sf_event_log')
                            OR (SELECT count(*) FROM pg_attribute
                                 WHERE attrelid = rel AND NOT attisdropped
                                   AND attname IN ('sfid', '_hc_lastop', '_hc_err')) < 3) THEN
        PERFORM hcguard__notice('provision_refused_table', format('%I.%I', s, t));
        RETURN false;
    END IF;
    t := coalesce(t, hcguard__provision_name(table_given));

    -- What each column needs: nothing, to be added, or its type changed.
    -- Connect's own columns keep Connect's types.
    FOR i IN 1 .. coalesce(cardinality(columns), 0) LOOP
        found_name := NULL;
        found_type := NULL;
        IF rel IS NOT NULL THEN
            SELECT p.attname, format_type(p.atttypid, p.atttypmod) INTO found_name, found_type
              FROM unnest(hcguard__provision_spellings(columns[i], true)) WITH ORDINALITY AS g(name, o)
              JOIN pg_attribute p ON p.attname = g.name AND p.attrelid = rel
                                 AND p.attnum > 0 AND NOT p.attisdropped
             ORDER BY g.o LIMIT 1;
        END IF;
        n := coalesce(found_name, hcguard__provision_name(columns[i], true));
        own_type := (SELECT c.type FROM hcguard__connect_columns() c WHERE c.name = n);
        IF own_type IS NOT NULL THEN
            IF types[i] IS NOT NULL AND types[i] <> own_type THEN
                PERFORM hcguard__notice('provision_refused_column', n, own_type);
                RETURN false;
            END IF;
            CONTINUE;
        END IF;
        IF found_name IS NULL THEN
            IF NOT n = ANY (fields) THEN
                fields := fields || n;
                field_types := field_types || types[i];
            END IF;
        ELSIF types[i] IS NOT NULL AND types[i] <> found_type AND NOT n = ANY (changes) THEN
            changes := changes || n;
            change_from := change_from || found_type;
            change_to := change_to || types[i];
        END IF;
    END LOOP;

    PERFORM hcguard__provision_schema(s);
    IF rel IS NULL THEN
        PERFORM hcguard__provision_table(s, t, fields, field_types);
        RETURN true;
    END IF;
    FOR i IN 1 .. cardinality(fields) LOOP
        PERFORM hcguard__provision_run(format('ALTER TABLE %I.%I ADD COLUMN %I %s', s, t, fields[i],
                                              coalesce(field_types[i], 'character varying(255)')));
        PERFORM hcguard__notice('provision_column', fields[i], format('%I.%I', s, t),
                                coalesce(field_types[i], 'character varying(255)'));
    END LOOP;
    FOR i IN 1 .. cardinality(changes) LOOP
        PERFORM hcguard__provision_run(format('ALTER TABLE %1$I.%2$I ALTER COLUMN %3$I TYPE %4$s USING %3$I::%4$s',
                                              s, t, changes[i], change_to[i]));
        PERFORM hcguard__notice('provision_column_type', changes[i], format('%I.%I', s, t),
                                change_from[i], change_to[i]);
    END LOOP;
    RETURN true;
END
$$;
