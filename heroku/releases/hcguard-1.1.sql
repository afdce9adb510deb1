/*
 * hcguard, SQL edition: the same guard as the C extension, in plain SQL and
 * PL/pgSQL, for Heroku Postgres (no custom C extension, no superuser).
 *
 * Install, or upgrade in place (confirmations are kept), as the role that
 * owns the database:
 *
 *     psql "$DATABASE_URL" -X -1 -v ON_ERROR_STOP=1 -f hcguard.sql
 *
 * or run this file as an application's first migration.  It installs into
 * the current schema (normally public), records its version in
 * hcguard_sql_edition, and needs nothing but PL/pgSQL.  Remove it with
 * hcguard-uninstall.sql.  The README's section "How the editions differ"
 * says where this edition differs from the C extension.
 *
 * The file is plain SQL without psql meta-commands, so that migration tools
 * can run it.  It creates no transaction of its own: psql -1 or the
 * migration tool's transaction makes the install all-or-nothing.
 */

DO $pre$
BEGIN
    IF pg_catalog.current_schema() IS NULL THEN
        RAISE EXCEPTION USING
            ERRCODE = 'invalid_schema_name',
            MESSAGE = 'no schema has been selected to install hcguard into',
            HINT = 'Set search_path to the schema hcguard should live in (normally public), then run the file again.';
    END IF;
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) 'hcguard') THEN
        RAISE EXCEPTION USING
            ERRCODE = 'duplicate_object',
            MESSAGE = 'the hcguard extension is already installed in this database',
            DETAIL = 'The C extension and the SQL edition define the same functions; a database has one or the other.',
            HINT = 'Keep the extension, or remove it (DROP EXTENSION hcguard) before installing the SQL edition.';
    END IF;
END
$pre$;

-- Which edition and version this database has.
CREATE TABLE IF NOT EXISTS hcguard_sql_edition (
    version      text NOT NULL,
    installed_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at   timestamptz NOT NULL DEFAULT pg_catalog.now(),
    one_row      boolean PRIMARY KEY DEFAULT true CHECK (one_row)
);
GRANT SELECT ON hcguard_sql_edition TO PUBLIC;

/*
 * Confirmations, as in the C extension: relid and attnum pin a confirmation
 * to the table and column that existed when it was made, so that one does
 * not survive into a new column of the same name.  The BEFORE trigger binds
 * them from the names.
 *
 * Without a superuser, functions cannot write here on behalf of a caller
 * whose rights they have checked (a SECURITY DEFINER function cannot tell
 * who called it).  So the table is open to everyone's writes, and its
 * trigger enforces what hcguard_confirm_synced promises: only whoever may
 * ALTER a mapping writes its confirmations, under their own name and the
 * current time.
 */
CREATE TABLE IF NOT EXISTS hcguard_confirmation_store (
    schema_name  name NOT NULL,
    table_name   name NOT NULL,
    column_name  name NOT NULL DEFAULT '',   -- '' confirms the mapping itself
    relid        oid,
    attnum       int2,
    confirmed_by name NOT NULL,
    confirmed_at timestamptz NOT NULL,
    note         text,
    PRIMARY KEY (schema_name, table_name, column_name)
);
REVOKE ALL ON hcguard_confirmation_store FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON hcguard_confirmation_store TO PUBLIC;

/*
 * Internal objects (names starting hcguard__) are dropped and created again
 * on every run, so that an upgrade replaces them whatever they were; the
 * public ones are replaced in place, keeping grants and dependent objects.
 */
DO $drop$
DECLARE
    f regprocedure;
    t regtype;
BEGIN
    FOR t IN SELECT y.oid FROM pg_catalog.pg_type y
              WHERE y.typnamespace OPERATOR(pg_catalog.=) pg_catalog.current_schema()::pg_catalog.regnamespace
                AND y.typname OPERATOR(pg_catalog.=) ANY ('{hcguard__verdict,hcguard__report}'::pg_catalog.name[])
    LOOP
        EXECUTE pg_catalog.format('DROP TYPE %s CASCADE', t);
    END LOOP;
    FOR f IN SELECT p.oid FROM pg_catalog.pg_proc p
              WHERE p.pronamespace OPERATOR(pg_catalog.=) pg_catalog.current_schema()::pg_catalog.regnamespace
                AND p.proname OPERATOR(pg_catalog.~~) 'hcguard\_\_%'
    LOOP
        EXECUTE pg_catalog.format('DROP FUNCTION %s CASCADE', f);
    END LOOP;
END
$drop$;

-- Public types: created once (a type cannot be replaced in place).
DO $types$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_type
                    WHERE typname OPERATOR(pg_catalog.=) 'hcguard_status_row'
                      AND typnamespace OPERATOR(pg_catalog.=) pg_catalog.current_schema()::pg_catalog.regnamespace) THEN
        CREATE TYPE hcguard_status_row AS (
            schema_name    text,
            table_name     text,
            column_name    text,
            connect_schema boolean,
            mapped         boolean,
            synced         boolean,
            evidence       text,
            problem        text,
            hint           text
        );
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_type
                    WHERE typname OPERATOR(pg_catalog.=) 'hcguard_mapping_row'
                      AND typnamespace OPERATOR(pg_catalog.=) pg_catalog.current_schema()::pg_catalog.regnamespace) THEN
        CREATE TYPE hcguard_mapping_row AS (
            schema_name     text,
            table_name      text,
            field_count     integer,
            rows_estimate   bigint,
            synced          boolean,
            evidence        text,
            pending_writes  bigint,
            failed_writes   bigint,
            last_failure_at timestamptz,
            last_failure    text,
            status_trigger  boolean,
            log_trigger     boolean
        );
    END IF;
END
$types$;

/*
 * A verdict: whether Connect has mapped and synced a table and some of its
 * columns, and everything the report needs.  problem is NULL when all is
 * well, else the first unmet condition: no_schema, schema_denied,
 * not_connect, no_table, not_mapping, table_denied, no_column, not_synced.
 * The col_* arrays run in parallel, one entry per listed column (a column
 * listed twice, as Name and name, counts once).
 */
CREATE TYPE hcguard__verdict AS (
    problem        text,
    schema_given   text,
    table_given    text,
    schema_name    text,
    table_name     text,
    nspid          oid,
    relid          oid,
    connect_schema boolean,
    mapped         boolean,
    synced         boolean,
    evidence       text,
    why            text,
    closest        text[],
    observed       text,
    col_given      text[],
    col_name       text[],
    col_attnum     int2[],
    col_problem    text[],
    col_evidence   text[],
    col_closest    text[],
    col_observed   text[]
);

CREATE TYPE hcguard__report AS (
    sqlstate text,
    message  text,
    detail   text,
    hint     text
);

------------------------------------------------------------------------------
-- Arguments: a NULL never passes, an empty name names nothing.
------------------------------------------------------------------------------

CREATE FUNCTION hcguard__name(value text, what text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE
AS $$
BEGIN
    IF value IS NULL THEN
        RAISE EXCEPTION USING
            ERRCODE = 'null_value_not_allowed',
            MESSAGE = what || ' must not be null',
            DETAIL = 'A null name would let the check pass without checking anything.';
    END IF;
    IF value = '' THEN
        RAISE EXCEPTION USING
            ERRCODE = 'invalid_parameter_value',
            MESSAGE = what || ' must not be empty';
    END IF;
    RETURN value;
END
$$;

-- A column argument that may be NULL, meaning the table itself.
CREATE FUNCTION hcguard__optional_column(value text)
RETURNS text[]
LANGUAGE plpgsql IMMUTABLE
AS $$
BEGIN
    IF value IS NULL THEN
        RETURN '{}';
    END IF;
    RETURN ARRAY[hcguard__name(value, 'column name')];
END
$$;

CREATE FUNCTION hcguard__column_list(names text[])
RETURNS text[]
LANGUAGE plpgsql IMMUTABLE
AS $$
BEGIN
    IF names IS NULL THEN
        RAISE EXCEPTION USING
            ERRCODE = 'null_value_not_allowed',
            MESSAGE = 'column names must not be null',
            DETAIL = 'A null list would let the check pass without checking anything.';
    END IF;
    IF cardinality(names) = 0 THEN
        RAISE EXCEPTION USING
            ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'at least one column name is required',
            HINT = 'To require only the mapping itself, call hcguard_required(schema_name, table_name).';
    END IF;
    FOR i IN 1 .. cardinality(names) LOOP
        IF names[i] IS NULL THEN
            RAISE EXCEPTION USING
                ERRCODE = 'null_value_not_allowed',
                MESSAGE = 'column name must not be null',
                DETAIL = format('Element %s of the column list is null.', i);
        END IF;
        IF names[i] = '' THEN
            RAISE EXCEPTION USING
                ERRCODE = 'invalid_parameter_value',
                MESSAGE = 'column name must not be empty',
                DETAIL = format('Element %s of the column list is empty.', i);
        END IF;
    END LOOP;
    -- the list's own bounds do not matter
    RETURN ARRAY(SELECT unnest(names));
END
$$;

------------------------------------------------------------------------------
-- The Connect model, read from the catalogs.  Names are plain names: looked
-- up exactly as given, then in lower case.  A name longer than an
-- identifier names nothing (a cast to name would truncate it).
------------------------------------------------------------------------------

CREATE FUNCTION hcguard__exact(value text)
RETURNS name
LANGUAGE sql IMMUTABLE
AS $$ SELECT CASE WHEN octet_length(value) < 64 THEN value::name END $$;

-- The names to look for, in order: as given, then in lower case.
CREATE FUNCTION hcguard__spellings(given text)
RETURNS name[]
LANGUAGE sql IMMUTABLE
AS $$ SELECT ARRAY[hcguard__exact(given), hcguard__exact(lower(given))] $$;

CREATE FUNCTION hcguard__find_schema(given text, OUT nspid oid, OUT found_name text)
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    SELECT n.oid, n.nspname INTO nspid, found_name
      FROM pg_namespace n
     WHERE n.nspname = ANY (hcguard__spellings(given))
     ORDER BY n.nspname::text = given DESC LIMIT 1;
END
$$;

CREATE FUNCTION hcguard__find_table(nsp oid, given text, OUT relid oid, OUT found_name text,
                                    OUT relkind "char")
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    SELECT c.oid, c.relname, c.relkind INTO relid, found_name, relkind
      FROM pg_class c
     WHERE c.relnamespace = nsp AND c.relname = ANY (hcguard__spellings(given))
     ORDER BY c.relname::text = given DESC LIMIT 1;
END
$$;

-- A live user column: system columns and dropped ones are not mapped.
CREATE FUNCTION hcguard__find_column(rel oid, given text, OUT attnum int2, OUT found_name text)
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    SELECT a.attnum, a.attname INTO attnum, found_name
      FROM pg_attribute a
     WHERE a.attrelid = rel AND a.attname = ANY (hcguard__spellings(given))
       AND a.attnum > 0 AND NOT a.attisdropped
     ORDER BY a.attname::text = given DESC LIMIT 1;
END
$$;

-- The system tables a schema lacks to be a Connect schema ('' if none).
CREATE FUNCTION hcguard__connect_schema_lacks(nsp oid)
RETURNS text
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    RETURN (
    SELECT CASE
            WHEN (SELECT count(*) FROM pg_class c
                   WHERE c.relnamespace = nsp
                     AND c.relname IN ('_hcmeta', '_trigger_log', '_trigger_log_archive')
                     AND c.relkind IN ('r', 'p')) = 3 THEN ''
            ELSE (SELECT string_agg(format('"%s"', t.name), ', ' ORDER BY t.ord)
                    FROM unnest(ARRAY['_hcmeta', '_trigger_log', '_trigger_log_archive'])
                         WITH ORDINALITY AS t(name, ord)
                   WHERE NOT EXISTS (SELECT FROM pg_class c
                                      WHERE c.relnamespace = nsp AND c.relname = t.name
                                        AND c.relkind IN ('r', 'p'))) END);
END
$$;

-- The Connect schemas of this database, by name, for hints.
CREATE FUNCTION hcguard__connect_schemas()
RETURNS text[]
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    RETURN (
    SELECT coalesce(array_agg(n.nspname::text ORDER BY n.nspname COLLATE "C"), '{}')
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relname = '_hcmeta' AND hcguard__connect_schema_lacks(n.oid) = '');
END
$$;

-- What keeps a table from being a mapping, or NULL if it is one.
CREATE FUNCTION hcguard__not_mapping(rel oid)
RETURNS text
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    kind "char";
    lacking text;
    lastop_type oid;
BEGIN
    SELECT c.relkind INTO kind FROM pg_class c WHERE c.oid = rel;
    IF kind IS DISTINCT FROM 'r' THEN
        RETURN format('It is a %s, not an ordinary table.',
                      CASE kind WHEN 'v' THEN 'view'
                                WHEN 'm' THEN 'materialized view'
                                WHEN 'f' THEN 'foreign table'
                                WHEN 'p' THEN 'partitioned table'
                                WHEN 'S' THEN 'sequence'
                                ELSE 'relation' END);
    END IF;
    SELECT string_agg(format('"%s"', m.name), ', ' ORDER BY m.ord) INTO lacking
      FROM unnest(ARRAY['sfid', '_hc_lastop', '_hc_err']) WITH ORDINALITY AS m(name, ord)
     WHERE NOT EXISTS (SELECT FROM pg_attribute a
                        WHERE a.attrelid = rel AND a.attname = m.name
                          AND a.attnum > 0 AND NOT a.attisdropped);
    IF lacking IS NOT NULL THEN
        RETURN format('It lacks %s, which Heroku Connect gives every mapping table.', lacking);
    END IF;
    -- the probe reads _hc_lastop as text: Connect makes it varchar(32)
    SELECT a.atttypid INTO lastop_type FROM pg_attribute a
     WHERE a.attrelid = rel AND a.attname = '_hc_lastop';
    lastop_type := hcguard__base_type(lastop_type);
    IF lastop_type IN ('text'::regtype, 'varchar'::regtype, 'bpchar'::regtype) THEN
        RETURN NULL;
    END IF;
    RETURN format('Its column "_hc_lastop" is of type %s, not the character varying Heroku Connect gives it.',
                  format_type(lastop_type, NULL));
END
$$;

CREATE FUNCTION hcguard__base_type(t oid)
RETURNS oid
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    base oid;
BEGIN
    LOOP
        SELECT typbasetype INTO base FROM pg_type WHERE oid = t AND typtype = 'd';
        EXIT WHEN base IS NULL OR base = 0;
        t := base;
    END LOOP;
    RETURN t;
END
$$;

-- The mappings of a Connect schema.
CREATE FUNCTION hcguard__mapping_names(nsp oid)
RETURNS text[]
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    RETURN (
    SELECT coalesce(array_agg(c.relname::text ORDER BY c.relname COLLATE "C"), '{}')
          FROM pg_class c
         WHERE c.relnamespace = nsp AND c.relkind = 'r'
           AND hcguard__not_mapping(c.oid) IS NULL);
END
$$;

-- The live columns of a table, in order.
CREATE FUNCTION hcguard__column_names(rel oid)
RETURNS text[]
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    RETURN (
    SELECT coalesce(array_agg(a.attname::text ORDER BY a.attnum), '{}')
          FROM pg_attribute a
         WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped);
END
$$;

-- The columns Connect adds for its own bookkeeping (sfid is the field Id).
CREATE FUNCTION hcguard__is_connect_column(name text)
RETURNS boolean
LANGUAGE sql IMMUTABLE
AS $$ SELECT name IN ('id', '_hc_lastop', '_hc_err') $$;

------------------------------------------------------------------------------
-- The closest existing names to one that does not exist: an edit distance
-- of about a third of the name, at most three suggestions.
------------------------------------------------------------------------------

-- Levenshtein distance in characters, or limit + 1 once it exceeds limit.
CREATE FUNCTION hcguard__distance(a text, b text, lim integer)
RETURNS integer
LANGUAGE plpgsql IMMUTABLE
AS $$
DECLARE
    ac text[] := regexp_split_to_array(a, '');
    bc text[] := regexp_split_to_array(b, '');
    m integer := length(a);
    n integer := length(b);
    prev integer[];
    cur integer[];
    best integer;
BEGIN
    IF abs(m - n) > lim THEN
        RETURN lim + 1;
    END IF;
    IF m = 0 OR n = 0 THEN
        RETURN greatest(m, n);
    END IF;
    prev := ARRAY(SELECT generate_series(0, n));
    FOR i IN 1 .. m LOOP
        cur := ARRAY[i];
        best := i;
        FOR j IN 1 .. n LOOP
            cur := cur || least(prev[j + 1] + 1, cur[j] + 1,
                                prev[j] + CASE WHEN ac[i] = bc[j] THEN 0 ELSE 1 END);
            best := least(best, cur[j + 1]);
        END LOOP;
        IF best > lim THEN
            RETURN lim + 1;
        END IF;
        prev := cur;
    END LOOP;
    RETURN least(prev[n + 1], lim + 1);
END
$$;

CREATE FUNCTION hcguard__closest(wanted text, candidates text[])
RETURNS text[]
LANGUAGE plpgsql IMMUTABLE
AS $$
DECLARE
    lowered text := lower(wanted);
    lim integer;
BEGIN
    IF octet_length(wanted) >= 128 OR cardinality(candidates) = 0 THEN
        RETURN '{}';
    END IF;
    lim := greatest(2, octet_length(lowered) / 3);
    RETURN ARRAY(
        SELECT c.name
          FROM (SELECT name, hcguard__distance(lowered, name, lim) AS d
                  FROM unnest(candidates) AS name) AS c
         WHERE c.d <= lim AND c.name <> lowered
         ORDER BY c.d, c.name COLLATE "C"
         LIMIT 3);
END
$$;

------------------------------------------------------------------------------
-- Confirmations.
------------------------------------------------------------------------------

-- The identity a name triple has now: relid, and attnum (0 for a table).
CREATE FUNCTION hcguard__identity(schema_name name, table_name name, column_name name,
                                  OUT relid oid, OUT attnum int2)
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    SELECT c.oid,
           CASE WHEN column_name = '' THEN 0::int2
                ELSE (SELECT a.attnum FROM pg_attribute a
                       WHERE a.attrelid = c.oid AND a.attname = column_name
                         AND a.attnum > 0 AND NOT a.attisdropped) END
      INTO relid, attnum
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = schema_name AND c.relname = table_name;
END
$$;

-- Whether a stored confirmation still names the object it was made for.
CREATE OR REPLACE FUNCTION hcguard_confirmation_counts(relid oid, attnum int2,
                                                       schema_name name, table_name name,
                                                       column_name name)
RETURNS boolean
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    RETURN (
    SELECT coalesce((SELECT i.relid = $1 AND i.attnum = $2
                           FROM hcguard__identity($3, $4, $5) AS i), false));
END
$$;

CREATE FUNCTION hcguard__confirmed(schema_name text, table_name text, column_name text,
                                   rel oid, att int2)
RETURNS boolean
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    RETURN (
    SELECT EXISTS (SELECT FROM hcguard_confirmation_store s
                        WHERE s.schema_name = $1::name AND s.table_name = $2::name
                          AND s.column_name = $3::name
                          AND s.relid = rel AND s.attnum = att));
END
$$;

-- Whether the current user may ALTER the table a confirmation names: else
-- 42501.  Confirmations of a table that is gone are the store owner's alone.
CREATE FUNCTION hcguard__may_change(schema_name name, table_name name, store oid)
RETURNS void
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    owner oid;
BEGIN
    SELECT c.relowner INTO owner
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = schema_name AND c.relname = table_name;
    IF NOT pg_has_role(coalesce(owner, (SELECT relowner FROM pg_class WHERE oid = store)), 'USAGE') THEN
        -- as the C extension words it, whose store no one else may write
        RAISE EXCEPTION USING
            ERRCODE = 'insufficient_privilege',
            MESSAGE = 'permission denied for table hcguard_confirmation_store';
    END IF;
END
$$;

/*
 * The store's guard: binds a written row to the objects its names have now,
 * and lets only whoever may ALTER the mapping (its owner, a member of the
 * owning role, a superuser) write its confirmations, under their own name.
 * The store's owner may also remove confirmations of tables that are gone.
 */
CREATE FUNCTION hcguard__store_guard()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM hcguard__may_change(OLD.schema_name, OLD.table_name, TG_RELID);
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    PERFORM hcguard__may_change(NEW.schema_name, NEW.table_name, TG_RELID);
    SELECT i.relid, i.attnum INTO NEW.relid, NEW.attnum
      FROM hcguard__identity(NEW.schema_name, NEW.table_name, NEW.column_name) AS i;
    IF NEW.attnum IS NULL THEN
        NEW.relid := NULL;
    END IF;
    NEW.confirmed_by := current_user;
    NEW.confirmed_at := now();
    RETURN NEW;
END
$$;

CREATE TRIGGER hcguard_confirmation_bind
    BEFORE INSERT OR UPDATE OR DELETE ON hcguard_confirmation_store
    FOR EACH ROW EXECUTE FUNCTION hcguard__store_guard();

CREATE OR REPLACE VIEW hcguard_confirmations AS
    SELECT s.schema_name::text AS schema_name,
           s.table_name::text AS table_name,
           NULLIF(s.column_name::text, '') AS column_name,
           s.confirmed_by::text AS confirmed_by,
           s.confirmed_at,
           s.note,
           hcguard_confirmation_counts(s.relid, s.attnum,
               s.schema_name, s.table_name, s.column_name) AS counts
      FROM hcguard_confirmation_store s;
GRANT SELECT ON hcguard_confirmations TO PUBLIC;

------------------------------------------------------------------------------
-- The verdict.
------------------------------------------------------------------------------

-- The first links of the chain: the schema exists, the caller may use it,
-- it is a Connect schema.
CREATE FUNCTION hcguard__resolve_schema(schema_given text, check_read boolean)
RETURNS hcguard__verdict
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    v hcguard__verdict;
    s record;
BEGIN
    v.schema_given := schema_given;
    v.schema_name := schema_given;
    v.connect_schema := false;
    v.mapped := false;
    v.synced := false;
    v.col_given := '{}';
    s := hcguard__find_schema(schema_given);
    IF s.nspid IS NULL THEN
        v.problem := 'no_schema';
        v.closest := hcguard__connect_schemas();
        RETURN v;
    END IF;
    v.nspid := s.nspid;
    v.schema_name := s.found_name;
    IF check_read AND NOT has_schema_privilege(s.nspid, 'USAGE') THEN
        v.problem := 'schema_denied';
        RETURN v;
    END IF;
    v.why := hcguard__connect_schema_lacks(s.nspid);
    IF v.why <> '' THEN
        v.problem := 'not_connect';
        v.closest := hcguard__connect_schemas();
        RETURN v;
    END IF;
    v.why := NULL;
    v.connect_schema := true;
    RETURN v;
END
$$;

/*
 * Walks the names down the contract's chain to the table and stops at the
 * first broken link, with the table locked (AccessShareLock, as a query
 * takes) so that the catalog facts and the data agree.  The caller runs
 * this inside a subtransaction that it rolls back, which releases that lock.
 */
CREATE FUNCTION hcguard__resolve_table(schema_given text, table_given text, check_read boolean)
RETURNS hcguard__verdict
LANGUAGE plpgsql
AS $$
DECLARE
    v hcguard__verdict := hcguard__resolve_schema(schema_given, check_read);
    t record;
BEGIN
    v.table_given := table_given;
    v.table_name := table_given;
    IF v.problem IS NOT NULL THEN
        RETURN v;
    END IF;

    t := hcguard__find_table(v.nspid, table_given);
    v.table_name := coalesce(t.found_name, table_given);
    IF t.relkind = 'r' AND has_schema_privilege(v.nspid, 'USAGE')
       AND has_table_privilege(t.relid, 'SELECT') THEN
        -- Locked by name, then looked up again: Connect may have replaced
        -- the table while the lock was awaited.
        BEGIN
            EXECUTE format('LOCK TABLE ONLY %I.%I IN ACCESS SHARE MODE', v.schema_name, t.found_name);
        EXCEPTION WHEN undefined_table THEN
            NULL;   -- dropped while the lock was awaited
        END;
        t := hcguard__find_table(v.nspid, table_given);
    END IF;
    IF t.relid IS NULL THEN
        v.problem := 'no_table';
        v.closest := hcguard__closest(table_given, hcguard__mapping_names(v.nspid));
        RETURN v;
    END IF;
    v.relid := t.relid;
    v.table_name := t.found_name;
    v.why := hcguard__not_mapping(t.relid);
    IF v.why IS NOT NULL THEN
        v.problem := 'not_mapping';
    END IF;
    RETURN v;
END
$$;

/*
 * The rest of the chain, on a table verdict: the listed columns exist (a
 * column listed twice, as Name and name, counts once) and the caller may
 * read them.  Called again on the same table verdict with other columns, it
 * starts afresh.
 */
CREATE FUNCTION hcguard__resolve_columns(v hcguard__verdict, columns text[], check_read boolean)
RETURNS hcguard__verdict
LANGUAGE plpgsql
AS $$
DECLARE
    c record;
    lastop int2;
    existing text[];
    missing text[] := '{}';
BEGIN
    v.mapped := false;
    v.col_given := '{}';
    v.col_name := '{}';
    v.col_attnum := '{}';
    v.col_problem := '{}';
    v.col_evidence := '{}';
    v.col_closest := '{}';
    v.col_observed := '{}';
    IF v.problem IS NOT NULL THEN
        v.col_given := columns;
        v.col_name := columns;
        v.col_problem := array_fill(NULL::text, ARRAY[cardinality(columns)]);
        RETURN v;
    END IF;
    lastop := (hcguard__find_column(v.relid, '_hc_lastop')).attnum;

    v.mapped := true;
    FOR i IN 1 .. coalesce(cardinality(columns), 0) LOOP
        c := hcguard__find_column(v.relid, columns[i]);
        -- listed before, as Name and name, or as the same missing name
        CONTINUE WHEN c.attnum = ANY (v.col_attnum)
                   OR (c.attnum IS NULL AND columns[i] = ANY (missing));
        v.col_given := v.col_given || columns[i];
        v.col_attnum := v.col_attnum || c.attnum;
        v.col_evidence := v.col_evidence || NULL::text;
        v.col_observed := v.col_observed || NULL::text;
        IF c.attnum IS NOT NULL THEN
            v.col_name := v.col_name || c.found_name;
            v.col_problem := v.col_problem || NULL::text;
            v.col_closest := v.col_closest || NULL::text;
        ELSE
            IF existing IS NULL THEN
                existing := hcguard__column_names(v.relid);
            END IF;
            missing := missing || columns[i];
            v.col_name := v.col_name || columns[i];
            v.col_problem := v.col_problem || 'no_column'::text;
            v.col_closest := v.col_closest ||
                (SELECT string_agg(format('"%s"', x), ', ' ORDER BY o)
                   FROM unnest(hcguard__closest(columns[i], existing)) WITH ORDINALITY AS q(x, o));
            v.mapped := false;
        END IF;
    END LOOP;

    IF check_read AND NOT hcguard__can_read(v.relid, lastop, v.col_attnum) THEN
        v.problem := 'table_denied';
    ELSIF NOT v.mapped THEN
        v.problem := 'no_column';
    END IF;
    RETURN v;
END
$$;

-- SELECT on the table, or on every column the probe reads.
CREATE FUNCTION hcguard__can_read(rel oid, lastop int2, attnums int2[])
RETURNS boolean
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    RETURN (
    SELECT has_table_privilege(rel, 'SELECT')
            OR (has_column_privilege(rel, lastop, 'SELECT')
                AND NOT EXISTS (SELECT FROM unnest(attnums) AS a
                                 WHERE a IS NOT NULL
                                   AND NOT has_column_privilege(rel, a, 'SELECT'))));
END
$$;

CREATE FUNCTION hcguard__rows(n bigint)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$ SELECT CASE WHEN n = 1 THEN '1 row' ELSE n || ' rows' END $$;

-- What the data says of a column that no Connect-written row fills, as a
-- clause to end a sentence with.
CREATE FUNCTION hcguard__observed_column(total bigint, valued bigint, pending bigint, failed bigint)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE
        WHEN total = 0 THEN 'the table has no rows'
        WHEN valued = 0 AND total = 1 THEN 'the table''s only row holds no value'
        WHEN valued = 0 THEN format('none of the table''s %s holds a value', hcguard__rows(total))
        WHEN valued = total THEN
            format('%s a value, %s written by Heroku Connect (%s pending, %s failed)',
                   CASE WHEN total = 1 THEN 'the table''s only row holds'
                        ELSE format('all the table''s %s hold', hcguard__rows(total)) END,
                   CASE WHEN total = 1 THEN 'not' ELSE 'none' END, pending, failed)
        ELSE format('%s of the table''s %s %s a value, none written by Heroku Connect (%s pending, %s failed)',
                    valued, hcguard__rows(total),
                    CASE WHEN valued = 1 THEN 'holds' ELSE 'hold' END, pending, failed)
    END
$$;

/*
 * Asks for evidence of a sync: a confirmation first, since it answers
 * without reading the table, then the data.  A synced column is usually
 * proven by the first rows; only what is not synced costs a scan of the
 * whole table, which also counts what the report shows.  With one_scan,
 * for many columns whose report is not wanted (hcguard_columns), a single
 * pass over the table answers for all of them.
 */
CREATE FUNCTION hcguard__judge(v hcguard__verdict, one_scan boolean DEFAULT false)
RETURNS hcguard__verdict
LANGUAGE plpgsql
AS $$
DECLARE
    connect_ops CONSTANT text := '(%I::pg_catalog.text OPERATOR(pg_catalog.=) ANY (''{SYNCED,INSERTED,UPDATED}''::pg_catalog.text[]))';
    rel text;
    lastop_is_connect text;
    probes text[] := '{}';
    wanted integer[] := '{}';
    proven boolean[];
    counts text[] := '{}';
    total bigint;
    n_valued bigint[];
    n_pending bigint[];
    n_failed bigint[];
    n_connect bigint;
    k bigint;
BEGIN
    -- a missing column does not stop the others being judged
    IF v.problem IS NOT NULL AND v.problem <> 'no_column' THEN
        RETURN v;
    END IF;
    rel := format('ONLY %I.%I', v.schema_name, v.table_name);
    lastop_is_connect := format(connect_ops, '_hc_lastop');
    -- Parallel workers cost more to start than a probe that stops at the
    -- first rows.  (Local to the caller's subtransaction, rolled back.)
    PERFORM set_config('max_parallel_workers_per_gather', '0', true);

    IF cardinality(v.col_given) = 0 THEN
        IF hcguard__confirmed(v.schema_name, v.table_name, '', v.relid, 0::int2) THEN
            v.evidence := 'confirmation';
            v.synced := true;
            RETURN v;
        END IF;
        EXECUTE format('SELECT EXISTS (SELECT FROM %s WHERE %s)', rel, lastop_is_connect)
           INTO v.synced;
        IF v.synced THEN
            v.evidence := 'data';
            RETURN v;
        END IF;
        EXECUTE format('SELECT count(*), count(*) FILTER (WHERE _hc_lastop::pg_catalog.text OPERATOR(pg_catalog.=) ''PENDING''),'
                       ' count(*) FILTER (WHERE _hc_lastop::pg_catalog.text OPERATOR(pg_catalog.=) ''FAILED'') FROM %s', rel)
           INTO total, n_connect, k;
        v.problem := 'not_synced';
        v.observed := CASE WHEN total = 0 THEN 'the table has no rows'
                           ELSE format('the table has %s, none written by Heroku Connect (%s pending, %s failed)',
                                       hcguard__rows(total), n_connect, k) END;
        RETURN v;
    END IF;

    FOR i IN 1 .. cardinality(v.col_given) LOOP
        CONTINUE WHEN v.col_problem[i] IS NOT NULL;
        IF hcguard__confirmed(v.schema_name, v.table_name, v.col_name[i], v.relid, v.col_attnum[i]) THEN
            v.col_evidence[i] := 'confirmation';
        ELSE
            wanted := wanted || i;
            probes := probes || format('EXISTS (SELECT FROM %s WHERE %I IS NOT NULL AND %s)',
                                       rel, v.col_name[i], lastop_is_connect);
        END IF;
    END LOOP;

    IF cardinality(wanted) > 0 AND one_scan THEN
        EXECUTE format('SELECT ARRAY[%s] FROM %s',
                       (SELECT string_agg(format('coalesce(bool_or(%I IS NOT NULL AND %s), false)',
                                                 v.col_name[w], lastop_is_connect), ', ' ORDER BY o)
                          FROM unnest(wanted) WITH ORDINALITY AS q(w, o)),
                       rel)
           INTO proven;
    ELSIF cardinality(wanted) > 0 THEN
        EXECUTE 'SELECT ARRAY[' || array_to_string(probes, ', ') || ']' INTO proven;
    END IF;
    FOR k IN 1 .. cardinality(wanted) LOOP
        IF proven[k] THEN
            v.col_evidence[wanted[k]] := 'data';
        ELSE
            v.col_problem[wanted[k]] := 'not_synced';
            counts := counts || v.col_name[wanted[k]];
        END IF;
    END LOOP;

    IF cardinality(counts) > 0 AND NOT one_scan THEN
        EXECUTE format('SELECT count(*), ARRAY[%s], ARRAY[%s], ARRAY[%s] FROM %s',
                       (SELECT string_agg(format('count(%I)', c), ', ' ORDER BY o)
                          FROM unnest(counts) WITH ORDINALITY AS q(c, o)),
                       (SELECT string_agg(format('count(%I) FILTER (WHERE _hc_lastop::pg_catalog.text OPERATOR(pg_catalog.=) ''PENDING'')', c), ', ' ORDER BY o)
                          FROM unnest(counts) WITH ORDINALITY AS q(c, o)),
                       (SELECT string_agg(format('count(%I) FILTER (WHERE _hc_lastop::pg_catalog.text OPERATOR(pg_catalog.=) ''FAILED'')', c), ', ' ORDER BY o)
                          FROM unnest(counts) WITH ORDINALITY AS q(c, o)),
                       rel)
           INTO total, n_valued, n_pending, n_failed;
        k := 0;
        FOR i IN 1 .. cardinality(v.col_given) LOOP
            IF v.col_problem[i] = 'not_synced' THEN
                k := k + 1;
                v.col_observed[i] := hcguard__observed_column(total, n_valued[k], n_pending[k], n_failed[k]);
            END IF;
        END LOOP;
    END IF;

    v.synced := NOT EXISTS (SELECT FROM unnest(v.col_problem) AS p WHERE p IS NOT NULL);
    IF v.problem IS NULL AND NOT v.synced THEN
        v.problem := 'not_synced';
    END IF;
    RETURN v;
END
$$;

/*
 * One look at a mapping, holding no lock afterwards: the work runs in a
 * subtransaction that is rolled back, which releases exactly the locks taken
 * inside it (a lock the caller held before stays held).  In READ COMMITTED
 * every query here takes a fresh snapshot, so data read after waiting for
 * Connect's lock is read as of after Connect's transaction, as the catalog
 * facts are.  What is looked at:
 *   resolve  the names only (confirming and revoking: no read rights needed)
 *   judge    the names and the evidence: the guard's verdict
 *   fields   every field column of the mapping (fields, types), judged in
 *            one scan; mapping: the table's own resolution
 *   config   mapping: the table judged; the listed columns judged in one
 *            scan; fields: every column of the table
 */
CREATE FUNCTION hcguard__look(schema_given text, table_given text, columns text[], what text,
                              OUT mapping hcguard__verdict, OUT verdict hcguard__verdict,
                              OUT fields text[], OUT types text[])
LANGUAGE plpgsql
AS $$
DECLARE
    check_read boolean := what <> 'resolve';
    t hcguard__verdict;
    attempts integer := 0;
BEGIN
    LOOP
        attempts := attempts + 1;
        BEGIN
            t := hcguard__resolve_table(schema_given, table_given, check_read);
            IF what IN ('fields', 'config') THEN
                mapping := hcguard__resolve_columns(t, '{}', check_read);
            END IF;
            IF what = 'fields' AND mapping.problem IS NULL THEN
                SELECT array_agg(a.attname::text ORDER BY a.attnum),
                       array_agg(format_type(a.atttypid, a.atttypmod) ORDER BY a.attnum)
                  INTO fields, types
                  FROM pg_attribute a
                 WHERE a.attrelid = t.relid AND a.attnum > 0 AND NOT a.attisdropped
                   AND NOT hcguard__is_connect_column(a.attname);
                columns := coalesce(fields, '{}');
            ELSIF what = 'config' AND mapping.problem IS NULL THEN
                mapping := hcguard__judge(mapping);
                fields := hcguard__column_names(t.relid);
            END IF;
            verdict := hcguard__resolve_columns(t, columns, check_read);
            IF what <> 'resolve' THEN
                verdict := hcguard__judge(verdict, what <> 'judge');
            END IF;
            RAISE EXCEPTION USING ERRCODE = 'HC000';
        EXCEPTION
            WHEN SQLSTATE 'HC000' THEN
                RETURN;
            WHEN undefined_table OR undefined_column THEN
                -- dropped by Connect between looking and locking: look again
                IF attempts >= 10 THEN
                    RAISE;
                END IF;
        END;
    END LOOP;
END
$$;

-- The guard's verdict (or, without judging, the names' resolution alone).
CREATE FUNCTION hcguard__verdict(schema_given text, table_given text, columns text[],
                                 judge boolean DEFAULT true)
RETURNS hcguard__verdict
LANGUAGE plpgsql
AS $$
BEGIN
    RETURN (hcguard__look(schema_given, table_given, columns,
                          CASE WHEN judge THEN 'judge' ELSE 'resolve' END)).verdict;
END
$$;

------------------------------------------------------------------------------
-- The report: what a person at a failed deploy reads.
------------------------------------------------------------------------------

CREATE FUNCTION hcguard__quoted_list(names text[])
RETURNS text
LANGUAGE plpgsql IMMUTABLE
AS $$
BEGIN
    RETURN (
    SELECT string_agg(format('"%s"', n), ', ' ORDER BY o)
          FROM unnest(names) WITH ORDINALITY AS q(n, o));
END
$$;

CREATE FUNCTION hcguard__sentence(clause text)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$ SELECT upper(left(clause, 1)) || substr(clause, 2) || '.' $$;

CREATE FUNCTION hcguard__confirm_call(v hcguard__verdict, column_name text)
RETURNS text
LANGUAGE sql STABLE
AS $$
    SELECT format('SELECT hcguard_confirm_synced(%s, %s, %s, ''verified in the Heroku Connect dashboard'');',
                  quote_literal(v.schema_name), quote_literal(v.table_name),
                  coalesce(quote_literal(column_name), 'NULL'))
$$;

-- For databases without Connect: say how to turn failures into warnings.
CREATE FUNCTION hcguard__no_connect_hint(v hcguard__verdict)
RETURNS text
LANGUAGE sql STABLE
AS $$
    SELECT CASE
        WHEN cardinality(v.closest) > 0 AND v.problem = 'no_schema' THEN
            'Name the schema Heroku Connect writes to in this environment.'
        WHEN cardinality(v.closest) > 0 THEN
            format('Name one of this database''s Heroku Connect schemas: %s.', hcguard__quoted_list(v.closest))
        ELSE
            format('If this database has no Heroku Connect (a development database, say), a superuser can make hcguard warn instead: ALTER DATABASE %s SET hcguard.on_failure = warning;',
                   quote_ident(current_database()))
    END
$$;

CREATE FUNCTION hcguard__describe_columns(v hcguard__verdict)
RETURNS hcguard__report
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    r hcguard__report;
    mapping text := v.schema_name || '.' || v.table_name;
    missing boolean := v.problem = 'no_column';
    unmet integer;
    detail text := '';
    hint text;
BEGIN
    r.sqlstate := CASE WHEN missing THEN '42703' ELSE '55000' END;
    unmet := (SELECT count(*) FROM unnest(v.col_problem) AS p WHERE p IS NOT NULL);
    hint := CASE WHEN missing THEN
                format('Add the %s to the mapping in this environment''s Heroku Connect dashboard, wait for the sync to finish, then deploy again.',
                       CASE WHEN unmet = 1 THEN 'field' ELSE 'missing fields' END)
            ELSE 'Wait for Heroku Connect to finish syncing (the mapping shows DATA_SYNCED in the dashboard), then deploy again.' END;

    FOR i IN 1 .. cardinality(v.col_given) LOOP
        CONTINUE WHEN v.col_problem[i] IS NULL;
        IF unmet = 1 THEN
            IF v.col_problem[i] = 'no_column' THEN
                r.message := format('column "%s" of Heroku Connect mapping "%s" does not exist', v.col_name[i], mapping);
                detail := format('Heroku Connect does not map the field "%s" in this database.', v.col_name[i]);
            ELSE
                r.message := format('column "%s" of Heroku Connect mapping "%s" is not synced', v.col_name[i], mapping);
                detail := hcguard__sentence(v.col_observed[i]);
            END IF;
        ELSE
            IF detail <> '' THEN
                detail := detail || E'\n';
            END IF;
            IF v.col_problem[i] = 'no_column' THEN
                detail := detail || format('Column "%s" does not exist.', v.col_name[i]);
            ELSE
                detail := detail || format('Column "%s" is not synced: %s.', v.col_name[i], v.col_observed[i]);
            END IF;
        END IF;
        IF v.col_closest[i] IS NOT NULL THEN
            IF unmet = 1 THEN
                hint := hint || format(' Closest existing columns: %s.', v.col_closest[i]);
            ELSE
                hint := hint || format(' Closest existing columns to "%s": %s.', v.col_name[i], v.col_closest[i]);
            END IF;
        END IF;
        IF NOT missing AND unmet = 1 THEN
            hint := hint || ' If the field is empty for every record in Salesforce, record that you verified the sync: '
                    || hcguard__confirm_call(v, v.col_name[i]);
        END IF;
    END LOOP;

    IF unmet > 1 THEN
        r.message := format('%s of %s required columns of Heroku Connect mapping "%s" are not %s',
                            unmet, cardinality(v.col_given), mapping,
                            CASE WHEN missing THEN 'mapped and synced' ELSE 'synced' END);
    END IF;
    IF NOT missing AND unmet > 1 THEN
        hint := hint || ' If a field is empty for every record in Salesforce, record that you verified its sync with hcguard_confirm_synced.';
    END IF;
    r.detail := detail;
    r.hint := hint;
    RETURN r;
END
$$;

-- One verdict becomes one message, detail and hint, whether raised, warned
-- or shown by hcguard_status.  NULL when all is well.
CREATE FUNCTION hcguard__describe(v hcguard__verdict)
RETURNS hcguard__report
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    r hcguard__report;
    mapping text := v.schema_name || '.' || v.table_name;
BEGIN
    CASE v.problem
    WHEN 'no_schema' THEN
        r := ROW('3F000', format('schema "%s" does not exist', v.schema_name),
                 CASE WHEN cardinality(v.closest) > 0
                      THEN format('The Heroku Connect schemas of this database are %s.', hcguard__quoted_list(v.closest))
                      ELSE 'This database has no Heroku Connect schema.' END,
                 hcguard__no_connect_hint(v));
    WHEN 'schema_denied' THEN
        r := ROW('42501', format('permission denied for schema "%s"', v.schema_name),
                 format('Role "%s" lacks USAGE on the schema, which hcguard needs to look at the mapping.', current_user),
                 format('Grant it to the role that runs migrations: GRANT USAGE ON SCHEMA %s TO %s;',
                        quote_ident(v.schema_name), quote_ident(current_user)));
    WHEN 'not_connect' THEN
        r := ROW('55000', format('schema "%s" is not a Heroku Connect schema', v.schema_name),
                 format('It lacks %s, which Heroku Connect creates in its schema.', v.why),
                 hcguard__no_connect_hint(v));
    WHEN 'no_table' THEN
        r := ROW('42P01', format('Heroku Connect mapping "%s" does not exist', mapping),
                 format('Heroku Connect does not map a Salesforce object to table "%s" of schema "%s" in this database.',
                        v.table_name, v.schema_name),
                 'Create the mapping in this environment''s Heroku Connect dashboard, wait for its initial load to finish, then deploy again.'
                 || CASE WHEN cardinality(v.closest) > 0
                         THEN format(' Closest existing mappings: %s.', hcguard__quoted_list(v.closest)) ELSE '' END);
    WHEN 'not_mapping' THEN
        r := ROW('55000', format('table "%s" is not a Heroku Connect mapping', mapping), v.why,
                 'Name the table Heroku Connect created for the Salesforce object: its API name in lower case.');
    WHEN 'table_denied' THEN
        r := ROW('42501', format('permission denied for table "%s"', mapping),
                 format('Role "%s" lacks SELECT on the table, which hcguard needs to see what Heroku Connect has synced.', current_user),
                 format('Grant it to the role that runs migrations: GRANT SELECT ON %s.%s TO %s;',
                        quote_ident(v.schema_name), quote_ident(v.table_name), quote_ident(current_user)));
    WHEN 'no_column' THEN
        r := hcguard__describe_columns(v);
    WHEN 'not_synced' THEN
        IF cardinality(v.col_given) > 0 THEN
            r := hcguard__describe_columns(v);
        ELSE
            r := ROW('55000', format('Heroku Connect mapping "%s" is not synced', mapping),
                     hcguard__sentence(v.observed),
                     'Wait for the mapping''s initial load to finish (the dashboard shows DATA_SYNCED), then deploy again. If the object has no records in Salesforce, record that you verified the sync: '
                     || hcguard__confirm_call(v, NULL));
        END IF;
    ELSE
        RETURN NULL;
    END CASE;
    RETURN r;
END
$$;

-- hcguard.on_failure: any role can set it here (see the README).
CREATE FUNCTION hcguard__warn_only()
RETURNS boolean
LANGUAGE sql STABLE
AS $$ SELECT lower(btrim(coalesce(current_setting('hcguard.on_failure', true), ''))) = 'warning' $$;

CREATE FUNCTION hcguard__raise(r hcguard__report, warn boolean DEFAULT false)
RETURNS boolean
LANGUAGE plpgsql
AS $$
BEGIN
    IF warn THEN
        RAISE WARNING USING ERRCODE = r.sqlstate, MESSAGE = r.message,
            DETAIL = coalesce(r.detail, ''), HINT = coalesce(r.hint, '');
        RETURN false;
    END IF;
    RAISE EXCEPTION USING ERRCODE = r.sqlstate, MESSAGE = r.message,
        DETAIL = coalesce(r.detail, ''), HINT = coalesce(r.hint, '');
END
$$;

-- The guard's answer: true, or the failure as hcguard.on_failure says.
CREATE FUNCTION hcguard__pass(v hcguard__verdict)
RETURNS boolean
LANGUAGE plpgsql
AS $$
BEGIN
    IF v.problem IS NULL THEN
        RETURN true;
    END IF;
    RETURN hcguard__raise(hcguard__describe(v), hcguard__warn_only());
END
$$;

------------------------------------------------------------------------------
-- The contract's functions.
------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION hcguard_required(schema_name text, table_name text,
                                            column_name text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
BEGIN
    RETURN hcguard__pass(hcguard__verdict(hcguard__name(schema_name, 'schema name'),
                                          hcguard__name(table_name, 'table name'),
                                          ARRAY[hcguard__name(column_name, 'column name')]));
END
$$;

CREATE OR REPLACE FUNCTION hcguard_required(schema_name text, table_name text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
BEGIN
    RETURN hcguard__pass(hcguard__verdict(hcguard__name(schema_name, 'schema name'),
                                          hcguard__name(table_name, 'table name'),
                                          '{}'));
END
$$;

CREATE OR REPLACE FUNCTION hcguard_required(schema_name text, table_name text,
                                            VARIADIC column_names text[])
RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
BEGIN
    RETURN hcguard__pass(hcguard__verdict(hcguard__name(schema_name, 'schema name'),
                                          hcguard__name(table_name, 'table name'),
                                          hcguard__column_list(column_names)));
END
$$;

CREATE OR REPLACE FUNCTION hcguard_status(schema_name text, table_name text,
                                          column_name text DEFAULT NULL)
RETURNS hcguard_status_row
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    cols text[];
    v hcguard__verdict;
    r hcguard__report;
    s hcguard_status_row;
BEGIN
    PERFORM hcguard__name(schema_name, 'schema name'), hcguard__name(table_name, 'table name');
    cols := hcguard__optional_column(column_name);
    v := hcguard__verdict(schema_name, table_name, cols);
    r := hcguard__describe(v);
    s.schema_name := v.schema_name;
    s.table_name := v.table_name;
    s.column_name := v.col_name[1];
    -- what could not be looked at is unknown, not false
    IF v.problem IS DISTINCT FROM 'schema_denied' THEN
        s.connect_schema := v.connect_schema;
        s.mapped := v.mapped;
        IF v.problem IS DISTINCT FROM 'table_denied' THEN
            s.synced := v.synced;
        END IF;
    END IF;
    s.evidence := CASE WHEN cardinality(cols) > 0 THEN v.col_evidence[1] ELSE v.evidence END;
    s.problem := r.message;
    s.hint := r.hint;
    RETURN s;
END
$$;

-- Confirmations are writes: refuse them where writes cannot happen.
CREATE FUNCTION hcguard__writable(function_name text)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    IF pg_is_in_recovery() THEN
        RAISE EXCEPTION USING
            ERRCODE = 'read_only_sql_transaction',
            MESSAGE = format('cannot execute %s on a hot standby', function_name),
            DETAIL = 'Confirmations are written to the database, and a standby is read-only.',
            HINT = format('Run %s on the primary server; the confirmation reaches the standby by replication.', function_name);
    END IF;
    IF current_setting('transaction_read_only') = 'on' THEN
        RAISE EXCEPTION USING
            ERRCODE = 'read_only_sql_transaction',
            MESSAGE = format('cannot execute %s in a read-only transaction', function_name);
    END IF;
END
$$;

/*
 * The mapping (and column) a confirmation names, checked for the caller's
 * right to ALTER it.  Raises what is wrong; returns the verdict.
 */
CREATE FUNCTION hcguard__target(schema_name text, table_name text, column_name text,
                                function_name text, column_must_exist boolean)
RETURNS hcguard__verdict
LANGUAGE plpgsql
AS $$
DECLARE
    v hcguard__verdict;
    cols text[];
BEGIN
    PERFORM hcguard__name(schema_name, 'schema name'), hcguard__name(table_name, 'table name');
    cols := hcguard__optional_column(column_name);
    PERFORM hcguard__writable(function_name);
    v := hcguard__verdict(schema_name, table_name, cols, false);
    IF v.problem IS NOT NULL AND NOT (v.problem = 'no_column' AND NOT column_must_exist) THEN
        PERFORM hcguard__raise(hcguard__describe(v));
    END IF;
    IF NOT pg_has_role((SELECT relowner FROM pg_class WHERE oid = v.relid), 'USAGE') THEN
        RAISE EXCEPTION USING
            ERRCODE = 'insufficient_privilege',
            MESSAGE = format('must be owner of table %s', v.table_name),
            DETAIL = format('Confirming or revoking a sync needs the rights ALTER TABLE needs on the mapping "%s.%s".',
                            v.schema_name, v.table_name),
            HINT = format('Ask the owner of the table, a member of its owning role, or a superuser to run %s.', function_name);
    END IF;
    RETURN v;
END
$$;

CREATE OR REPLACE FUNCTION hcguard_confirm_synced(schema_name text, table_name text,
                                                  column_name text DEFAULT NULL,
                                                  note text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    v hcguard__verdict := hcguard__target(schema_name, table_name, column_name,
                                          'hcguard_confirm_synced()', true);
    target text := coalesce(v.col_name[1], '');
    now_v hcguard__verdict;
BEGIN
    -- Written without a lock on the mapping (the INSERT may wait for another
    -- session's confirmation, and Connect's ALTER TABLE must not queue
    -- behind that).  The trigger bound the record to what the names meant
    -- then: if Connect dropped or replaced the column or table since it was
    -- resolved, fail, which rolls the record back.
    INSERT INTO hcguard_confirmation_store AS s
           (schema_name, table_name, column_name, confirmed_by, confirmed_at, note)
    VALUES (v.schema_name, v.table_name, target, current_user, now(), note)
    ON CONFLICT ON CONSTRAINT hcguard_confirmation_store_pkey DO UPDATE SET
           relid = excluded.relid, attnum = excluded.attnum,
           confirmed_by = excluded.confirmed_by,
           confirmed_at = excluded.confirmed_at, note = excluded.note;
    now_v := hcguard__verdict(v.schema_given, v.table_given, v.col_given, false);
    IF now_v.problem IS NOT NULL THEN
        PERFORM hcguard__raise(hcguard__describe(now_v));
    END IF;
    IF now_v.relid <> v.relid OR now_v.col_attnum[1] IS DISTINCT FROM v.col_attnum[1] THEN
        RAISE EXCEPTION USING
            ERRCODE = CASE WHEN target = '' THEN 'undefined_table' ELSE 'undefined_column' END,
            MESSAGE = format('Heroku Connect replaced "%s" while it was being confirmed',
                             CASE WHEN target = '' THEN now_v.table_name ELSE now_v.col_name[1] END),
            HINT = 'Check the sync of the new one, then confirm again.';
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION hcguard_revoke_confirmation(schema_name text, table_name text,
                                                       column_name text DEFAULT NULL)
RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    -- the column may be gone already: its confirmation can still be removed
    v hcguard__verdict := hcguard__target(schema_name, table_name, column_name,
                                          'hcguard_revoke_confirmation()', false);
    target text := coalesce(v.col_name[1], '');
    removed integer;
BEGIN
    DELETE FROM hcguard_confirmation_store s
     WHERE s.schema_name = v.schema_name::name AND s.table_name = v.table_name::name
       AND s.column_name = hcguard__exact(target);
    GET DIAGNOSTICS removed = ROW_COUNT;
    -- a column that no longer exists is matched as given, then folded
    IF removed = 0 AND v.col_problem[1] = 'no_column' AND lower(target) <> target THEN
        DELETE FROM hcguard_confirmation_store s
         WHERE s.schema_name = v.schema_name::name AND s.table_name = v.table_name::name
           AND s.column_name = hcguard__exact(lower(target));
        GET DIAGNOSTICS removed = ROW_COUNT;
    END IF;
    RETURN removed > 0;
END
$$;

------------------------------------------------------------------------------
-- Beyond one column: overview and write health.
------------------------------------------------------------------------------

-- Whether a log has the columns the health queries read, and the caller may.
CREATE FUNCTION hcguard__log_readable(nsp oid, log_name text)
RETURNS boolean
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    RETURN (
    SELECT coalesce((SELECT has_table_privilege(c.oid, 'SELECT')
                            AND (SELECT count(*) FROM pg_attribute a
                                  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                                    AND a.attname IN ('state', 'table_name', 'sf_message',
                                                      'processed_at', 'updated_at', 'created_at')) = 6
                           FROM pg_class c
                          WHERE c.relnamespace = nsp AND c.relname = log_name), false));
END
$$;

/*
 * Pending and failed writes per table of a Connect schema, from the logs.
 * The queries ask what Connect's partial indexes answer, with sequential
 * scans priced out, and run in a subtransaction rolled back afterwards, so
 * that no lock on the logs outlives the call.
 */
CREATE FUNCTION hcguard__write_health(nsp oid, schema_name text,
    OUT pending_known boolean, OUT failed_known boolean,
    OUT pending jsonb, OUT failed jsonb)
LANGUAGE plpgsql
AS $$
BEGIN
    pending_known := hcguard__log_readable(nsp, '_trigger_log');
    failed_known := pending_known AND hcguard__log_readable(nsp, '_trigger_log_archive');
    pending := '{}';
    failed := '{}';
    IF NOT pending_known THEN
        RETURN;
    END IF;
    BEGIN
        PERFORM set_config('enable_seqscan', 'off', true);
        EXECUTE format('SELECT coalesce(jsonb_object_agg(t, n), ''{}'') FROM ('
                       'SELECT table_name::pg_catalog.text AS t, count(*) AS n FROM %I._trigger_log'
                       ' WHERE state IN (''NEW'', ''PENDING'') AND table_name IS NOT NULL GROUP BY table_name) AS q',
                       schema_name)
           INTO pending;
        IF failed_known THEN
            EXECUTE format('SELECT coalesce(jsonb_object_agg(t, jsonb_build_array(n, at, m)), ''{}'') FROM ('
                           'SELECT table_name::pg_catalog.text AS t, count(*) AS n, max(at) AS at,'
                           ' (array_agg(sf_message ORDER BY at DESC NULLS LAST))[1] AS m'
                           ' FROM (SELECT table_name, COALESCE(processed_at, updated_at, created_at) AS at, sf_message'
                           '         FROM %1$I._trigger_log WHERE state = ''FAILED'''
                           '       UNION ALL'
                           '       SELECT table_name, COALESCE(processed_at, updated_at, created_at), sf_message'
                           '         FROM %1$I._trigger_log_archive WHERE state = ''FAILED'') AS f'
                           ' WHERE table_name IS NOT NULL GROUP BY table_name) AS q',
                           schema_name)
               INTO failed;
        END IF;
        RAISE EXCEPTION USING ERRCODE = 'HC000';
    EXCEPTION WHEN SQLSTATE 'HC000' THEN
        NULL;
    END;
END
$$;

-- Whether Connect's trigger hc_<table>_<suffix> is on the table and enabled.
CREATE FUNCTION hcguard__has_trigger(rel oid, table_name text, suffix text)
RETURNS boolean
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    RETURN (
    SELECT EXISTS (SELECT FROM pg_trigger t
                        WHERE t.tgrelid = rel
                          AND t.tgname = format('hc_%s_%s', table_name, suffix)::name
                          AND t.tgenabled <> 'D'));
END
$$;

CREATE FUNCTION hcguard__schema_rows(nsp oid, schema_name text)
RETURNS SETOF hcguard_mapping_row
LANGUAGE plpgsql
AS $$
DECLARE
    health record := hcguard__write_health(nsp, schema_name);
    m text;
    v hcguard__verdict;
    r hcguard_mapping_row;
    f jsonb;
BEGIN
    FOREACH m IN ARRAY hcguard__mapping_names(nsp) LOOP
        v := hcguard__verdict(schema_name, m, '{}');
        CONTINUE WHEN v.problem IS NOT NULL AND v.problem NOT IN ('table_denied', 'not_synced');
        r.schema_name := v.schema_name;
        r.table_name := v.table_name;
        SELECT count(*) FILTER (WHERE NOT hcguard__is_connect_column(a.attname)),
               trunc(c.reltuples)::bigint
          INTO r.field_count, r.rows_estimate
          FROM pg_class c LEFT JOIN pg_attribute a
               ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
         WHERE c.oid = v.relid
         GROUP BY c.reltuples;
        IF r.rows_estimate < 0 THEN
            r.rows_estimate := NULL;
        END IF;
        r.synced := CASE WHEN v.problem = 'table_denied' THEN NULL ELSE v.synced END;
        r.evidence := v.evidence;
        r.pending_writes := CASE WHEN health.pending_known
                                   THEN coalesce((health.pending ->> m)::bigint, 0) END;
        f := health.failed -> m;
        r.failed_writes := CASE WHEN health.failed_known THEN coalesce((f ->> 0)::bigint, 0) END;
        r.last_failure_at := (f ->> 1)::timestamptz;
        r.last_failure := f ->> 2;
        r.status_trigger := hcguard__has_trigger(v.relid, v.table_name, 'status_trigger');
        r.log_trigger := hcguard__has_trigger(v.relid, v.table_name, 'logtrigger');
        RETURN NEXT r;
    END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION hcguard_mappings(schema_name text DEFAULT NULL)
RETURNS SETOF hcguard_mapping_row
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE ROWS 100
AS $$
DECLARE
    v hcguard__verdict;
    s record;
BEGIN
    IF schema_name IS NOT NULL THEN
        v := hcguard__resolve_schema(hcguard__name(schema_name, 'schema name'), true);
        IF v.problem IS NOT NULL THEN
            PERFORM hcguard__raise(hcguard__describe(v));
        END IF;
        RETURN QUERY SELECT * FROM hcguard__schema_rows(v.nspid, v.schema_name);
        RETURN;
    END IF;
    -- every Connect schema the caller may look into
    FOR s IN SELECT n.oid, n.nspname::text AS name FROM pg_namespace n
              WHERE n.nspname::text = ANY (hcguard__connect_schemas())
                AND has_schema_privilege(n.oid, 'USAGE')
              ORDER BY n.nspname COLLATE "C" LOOP
        RETURN QUERY SELECT * FROM hcguard__schema_rows(s.oid, s.name);
    END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION hcguard_columns(schema_name text, table_name text)
RETURNS TABLE (column_name text, data_type text, synced boolean, evidence text)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE ROWS 100
AS $$
DECLARE
    l record;
BEGIN
    PERFORM hcguard__name(schema_name, 'schema name'), hcguard__name(table_name, 'table name');
    -- listed and judged under one lock: Connect cannot add or drop a column
    -- in between
    l := hcguard__look(schema_name, table_name, '{}', 'fields');
    IF (l.mapping).problem IS NOT NULL THEN
        PERFORM hcguard__raise(hcguard__describe(l.mapping));
    END IF;
    FOR i IN 1 .. coalesce(cardinality(l.fields), 0) LOOP
        column_name := (l.verdict).col_name[i];
        data_type := l.types[i];
        synced := (l.verdict).col_problem[i] IS NULL;
        evidence := (l.verdict).col_evidence[i];
        RETURN NEXT;
    END LOOP;
END
$$;

------------------------------------------------------------------------------
-- Waiting for Connect.
------------------------------------------------------------------------------

CREATE FUNCTION hcguard__poll_interval()
RETURNS double precision
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    setting text := btrim(coalesce(current_setting('hcguard.poll_interval', true), ''));
    ms double precision;
BEGIN
    IF setting = '' THEN
        RETURN 1000;
    ELSIF setting ~ '^[0-9]+$' THEN
        ms := setting::double precision;
    ELSE
        ms := extract(epoch FROM setting::interval) * 1000;
    END IF;
    RETURN least(greatest(ms, 10), 3600 * 1000);
END
$$;

CREATE OR REPLACE FUNCTION hcguard_wait(schema_name text, table_name text,
                                        column_name text DEFAULT NULL,
                                        timeout interval DEFAULT '15 minutes')
RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    cols text[];
    timeout_ms double precision;
    started timestamptz := clock_timestamp();
    last_progress timestamptz := started;
    waited_ms double precision;
    v hcguard__verdict;
    r hcguard__report;
BEGIN
    PERFORM hcguard__name(schema_name, 'schema name'), hcguard__name(table_name, 'table name');
    cols := hcguard__optional_column(column_name);
    IF timeout IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'null_value_not_allowed',
            MESSAGE = 'timeout must not be null';
    END IF;
    timeout_ms := extract(epoch FROM timeout) * 1000;
    IF timeout_ms < 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'timeout must not be negative';
    END IF;
    IF current_setting('transaction_isolation') IN ('repeatable read', 'serializable') THEN
        RAISE EXCEPTION USING
            ERRCODE = 'invalid_transaction_state',
            MESSAGE = 'hcguard_wait cannot wait inside a REPEATABLE READ or SERIALIZABLE transaction',
            DETAIL = 'The transaction''s snapshot would never show Heroku Connect''s progress.',
            HINT = 'Run it in a READ COMMITTED transaction, or call hcguard_required instead.';
    END IF;
    LOOP
        -- a fresh verdict per poll, no lock held between polls
        v := hcguard__verdict(schema_name, table_name, cols);
        IF v.problem IS NULL THEN
            RETURN true;
        END IF;
        waited_ms := extract(epoch FROM clock_timestamp() - started) * 1000;
        IF waited_ms >= timeout_ms THEN
            RETURN hcguard__pass(v);
        END IF;
        IF clock_timestamp() - last_progress >= interval '30 seconds' THEN
            r := hcguard__describe(v);
            RAISE NOTICE USING
                MESSAGE = format('still waiting for Heroku Connect after %s seconds: %s',
                                 floor(waited_ms / 1000), r.message),
                DETAIL = coalesce(r.detail, '');
            last_progress := clock_timestamp();
        END IF;
        PERFORM pg_sleep(greatest(least(hcguard__poll_interval(), timeout_ms - waited_ms), 1) / 1000.0);
    END LOOP;
END
$$;

------------------------------------------------------------------------------
-- Configuration as code: the JSON `heroku connect:export` writes.
------------------------------------------------------------------------------

CREATE FUNCTION hcguard__refuse(path text, what text)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    RAISE EXCEPTION USING
        ERRCODE = 'invalid_parameter_value',
        MESSAGE = 'document is not a Heroku Connect configuration',
        DETAIL = format('%s %s.', path, what),
        HINT = 'Pass the JSON that "heroku connect:export" writes.';
END
$$;

-- The mappings of an export as (object_name, fields[]), refusing a
-- document of any other shape.
CREATE FUNCTION hcguard__parse_config(config jsonb)
RETURNS TABLE (ord integer, object_name text, fields text[])
LANGUAGE plpgsql
AS $$
DECLARE
    m jsonb;
    path text;
    i integer := 0;
BEGIN
    IF jsonb_typeof(config) IS DISTINCT FROM 'object' THEN
        PERFORM hcguard__refuse('$', 'must be an object');
    END IF;
    IF NOT config ? 'mappings' THEN
        PERFORM hcguard__refuse('$.mappings', 'is missing');
    END IF;
    IF jsonb_typeof(config -> 'mappings') <> 'array' THEN
        PERFORM hcguard__refuse('$.mappings', 'must be an array');
    END IF;
    FOR m IN SELECT e FROM jsonb_array_elements(config -> 'mappings') AS e LOOP
        path := format('$.mappings[%s]', i);
        IF jsonb_typeof(m) <> 'object' THEN
            PERFORM hcguard__refuse(path, 'must be an object');
        END IF;
        IF NOT m ? 'object_name' THEN
            PERFORM hcguard__refuse(path || '.object_name', 'is missing');
        END IF;
        IF jsonb_typeof(m -> 'object_name') <> 'string' OR m ->> 'object_name' = '' THEN
            PERFORM hcguard__refuse(path || '.object_name', 'must be a non-empty string');
        END IF;
        IF NOT m ? 'config' THEN
            PERFORM hcguard__refuse(path || '.config', 'is missing');
        END IF;
        IF jsonb_typeof(m -> 'config') <> 'object' THEN
            PERFORM hcguard__refuse(path || '.config', 'must be an object');
        END IF;
        IF NOT (m -> 'config') ? 'fields' THEN
            PERFORM hcguard__refuse(path || '.config.fields', 'is missing');
        END IF;
        IF jsonb_typeof(m -> 'config' -> 'fields') <> 'object' THEN
            PERFORM hcguard__refuse(path || '.config.fields', 'must be an object');
        END IF;
        ord := i;
        object_name := m ->> 'object_name';
        -- jsonb keeps an object's keys shortest first, then in byte order
        fields := ARRAY(SELECT k FROM jsonb_object_keys(m -> 'config' -> 'fields') AS k);
        RETURN NEXT;
        i := i + 1;
    END LOOP;
END
$$;

-- The column Connect gives a field.
CREATE FUNCTION hcguard__column_of(field text)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$ SELECT CASE WHEN lower(field) = 'id' THEN 'sfid' ELSE lower(field) END $$;

CREATE FUNCTION hcguard__config_diff(schema_name text, config jsonb)
RETURNS TABLE (object_name text, field_name text, table_name text,
               column_name text, problem text)
LANGUAGE plpgsql
AS $$
DECLARE
    s hcguard__verdict;
    l record;
    m record;
    tbl text;
    columns text[];
    mapping hcguard__verdict;
    v hcguard__verdict;
    seen text[] := '{}';
    covered text[];
    existing text[];
    p text;
    j integer;
BEGIN
    PERFORM hcguard__name(schema_name, 'schema name');
    IF config IS NULL THEN
        RAISE EXCEPTION USING
            ERRCODE = 'null_value_not_allowed',
            MESSAGE = 'configuration must not be null',
            DETAIL = 'A null configuration would let the check pass without checking anything.';
    END IF;
    -- the document's shape is checked before anything else
    PERFORM count(*) FROM hcguard__parse_config(config);
    s := hcguard__resolve_schema(schema_name, true);
    IF s.problem IS NOT NULL THEN
        PERFORM hcguard__raise(hcguard__describe(s));
    END IF;

    FOR m IN SELECT * FROM hcguard__parse_config(config) ORDER BY 1 LOOP
        tbl := lower(m.object_name);
        columns := ARRAY(SELECT hcguard__column_of(f) FROM unnest(m.fields) WITH ORDINALITY AS q(f, o) ORDER BY o);
        -- one look at the table, under one lock, for the mapping and all
        -- the file's fields
        l := hcguard__look(s.schema_name, tbl, columns, 'config');
        mapping := l.mapping;
        v := l.verdict;
        existing := l.fields;
        IF mapping.problem = 'table_denied' THEN
            PERFORM hcguard__raise(hcguard__describe(mapping));
        END IF;
        IF mapping.problem IN ('no_table', 'not_mapping') THEN
            RETURN QUERY SELECT m.object_name, NULL::text, tbl, NULL::text, 'missing_mapping'::text;
            CONTINUE;
        END IF;
        seen := seen || mapping.table_name;
        IF NOT mapping.synced THEN
            RETURN QUERY SELECT m.object_name, NULL::text, mapping.table_name, NULL::text, 'unsynced_mapping'::text;
        END IF;
        covered := '{}';
        FOR i IN 1 .. cardinality(columns) LOOP
            p := NULL;
            -- the verdict lists a column named twice once: find this one's,
            -- as given, else by the name it was found under
            j := coalesce(array_position(v.col_given, columns[i]),
                          array_position(v.col_name, columns[i]));
            IF j IS NOT NULL AND (v.col_given[j] = columns[i] OR v.col_attnum[j] IS NOT NULL) THEN
                p := coalesce(v.col_problem[j], 'ok');
                covered := covered || v.col_name[j];
            END IF;
            IF p = 'no_column' THEN
                RETURN QUERY SELECT m.object_name, m.fields[i], v.table_name, columns[i], 'missing_field'::text;
            ELSIF p = 'not_synced' AND mapping.synced THEN
                -- an unsynced mapping already says its fields are not synced
                RETURN QUERY SELECT m.object_name, m.fields[i], v.table_name, columns[i], 'unsynced_field'::text;
            END IF;
        END LOOP;
        RETURN QUERY SELECT m.object_name, NULL::text, v.table_name, e, 'extra_field'::text
                       FROM unnest(existing) WITH ORDINALITY AS q(e, o)
                      WHERE NOT hcguard__is_connect_column(e) AND e <> ALL (covered)
                      ORDER BY o;
    END LOOP;

    RETURN QUERY SELECT NULL::text, NULL::text, x.name, NULL::text, 'extra_mapping'::text
                   FROM unnest(hcguard__mapping_names(s.nspid)) AS x(name)
                  WHERE x.name <> ALL (seen)
                  ORDER BY x.name COLLATE "C";
END
$$;

CREATE OR REPLACE FUNCTION hcguard_config_diff(schema_name text, config jsonb)
RETURNS TABLE (object_name text, field_name text, table_name text,
               column_name text, problem text)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE ROWS 20
AS $$
BEGIN
    RETURN QUERY SELECT * FROM hcguard__config_diff(schema_name, config);
END
$$;

CREATE OR REPLACE FUNCTION hcguard_required_config(schema_name text, config jsonb)
RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    d record;
    detail text := '';
    failures integer := 0;
    missing_mappings integer := 0;
    missing_fields integer := 0;
    found_schema text := (hcguard__find_schema(schema_name)).found_name;
BEGIN
    FOR d IN SELECT * FROM hcguard__config_diff(schema_name, config) LOOP
        CONTINUE WHEN d.problem IN ('extra_mapping', 'extra_field');
        missing_mappings := missing_mappings + (d.problem = 'missing_mapping')::integer;
        missing_fields := missing_fields + (d.problem = 'missing_field')::integer;
        failures := failures + 1;
        IF failures <= 20 THEN
            IF detail <> '' THEN
                detail := detail || E'\n';
            END IF;
            detail := detail || CASE d.problem
                WHEN 'missing_mapping' THEN format('Mapping "%s": table "%s" does not exist.', d.object_name, d.table_name)
                WHEN 'unsynced_mapping' THEN format('Mapping "%s": table "%s" is not synced.', d.object_name, d.table_name)
                WHEN 'missing_field' THEN format('Field "%s.%s": column "%s.%s" does not exist.',
                                                 d.object_name, d.field_name, d.table_name, d.column_name)
                ELSE format('Field "%s.%s": column "%s.%s" is not synced.',
                            d.object_name, d.field_name, d.table_name, d.column_name) END;
        END IF;
    END LOOP;
    IF failures = 0 THEN
        RETURN true;
    END IF;
    IF failures > 20 THEN
        detail := detail || format(E'\nAnd %s more.', failures - 20);
    END IF;
    RETURN hcguard__raise(ROW(
        CASE WHEN missing_mappings > 0 THEN '42P01' WHEN missing_fields > 0 THEN '42703' ELSE '55000' END,
        format('Heroku Connect has not mapped and synced %s of the configuration''s mappings and fields in schema "%s"',
               failures, found_schema),
        detail,
        CASE WHEN missing_mappings + missing_fields > 0
             THEN 'Apply the configuration to this environment''s Heroku Connect (heroku connect:import, or the dashboard), wait for the sync to finish, then deploy again. hcguard_config_diff lists every difference.'
             ELSE 'Wait for Heroku Connect to finish syncing (the mappings show DATA_SYNCED in the dashboard), then deploy again. hcguard_config_diff lists every difference.' END
        )::hcguard__report, hcguard__warn_only());
END
$$;

------------------------------------------------------------------------------
-- Every function of the edition runs with search_path pinned to pg_catalog
-- and this schema, whatever the caller's: nothing the caller put on their
-- search_path is reached.  Then the version is recorded.
------------------------------------------------------------------------------

DO $pin$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN SELECT p.oid FROM pg_catalog.pg_proc p
              WHERE p.pronamespace OPERATOR(pg_catalog.=) pg_catalog.current_schema()::pg_catalog.regnamespace
                AND p.proname OPERATOR(pg_catalog.~~) 'hcguard\_%'
                AND (p.proname OPERATOR(pg_catalog.!~~) 'hcguard\_\_%' OR p.prorettype OPERATOR(pg_catalog.=) 'pg_catalog.trigger'::pg_catalog.regtype)
    LOOP
        EXECUTE pg_catalog.format('ALTER FUNCTION %s SET search_path = pg_catalog, %I, pg_temp',
                                  f, pg_catalog.current_schema());
    END LOOP;
END
$pin$;

INSERT INTO hcguard_sql_edition AS e (version) VALUES ('1.1')
ON CONFLICT (one_row) DO UPDATE SET version = excluded.version, updated_at = pg_catalog.now();
