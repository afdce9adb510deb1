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
    provisioned    boolean,
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
    col_observed   text[],
    col_declared   text[],
    col_actual     text[],
    connect_blocked text
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
        PERFORM hcguard__error('arg_null', what);
    END IF;
    IF value = '' THEN
        PERFORM hcguard__error('arg_empty', what);
    END IF;
    RETURN value;
END
$$;

-- A column argument: a name that can stand for a Salesforce field.
-- Connect's bookkeeping columns cannot: a guard on one would pass or fail on
-- Connect's own housekeeping, and its hints would send the reader the wrong
-- way.
CREATE FUNCTION hcguard__field_name(value text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE
AS $$
BEGIN
    IF lower(value) IN ('_hc_lastop', '_hc_err') THEN
        PERFORM hcguard__error('bookkeeping_column', lower(value));
    END IF;
    RETURN value;
END
$$;

CREATE FUNCTION hcguard__column_arg(value text)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$ SELECT hcguard__field_name(hcguard__name(value, 'column name')) $$;

/*
 * The type a column argument declares after its name, as PostgreSQL reads a
 * type name and format_type writes it ("varchar(80)" is "character
 * varying(80)"), or NULL.  to_regtype() drops a type's modifier, so the
 * modifier is read by the type's own typmodin function, as the parser does.
 * A type that does not exist is 42704; text that is no type name is 22023.
 */
CREATE FUNCTION hcguard__declared_type(declared text, column_name text)
RETURNS text
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    parts text[] := regexp_match(declared, '^(.*?)\s*\(([^()]*)\)(.*)$');
    base text := coalesce(parts[1] || parts[3], declared);
    t oid;
    modin regproc;
    typmod integer := -1;
    valid boolean := true;
BEGIN
    BEGIN
        t := to_regtype(base);
        -- a modifier that is no modifier at all ("x($)") is no type name,
        -- whether or not the type exists, as PostgreSQL's parser says
        IF t IS NULL AND parts IS NOT NULL THEN
            PERFORM to_regtype(declared);
        END IF;
        IF t IS NOT NULL AND parts IS NOT NULL THEN
            SELECT y.typmodin INTO modin FROM pg_type y WHERE y.oid = t;
            IF modin = 0 THEN
                valid := false;
            ELSE
                EXECUTE format('SELECT %s(%L::pg_catalog.cstring[])', modin, '{' || parts[2] || '}')
                   INTO typmod;
            END IF;
        END IF;
    EXCEPTION WHEN data_exception OR syntax_error_or_access_rule_violation OR feature_not_supported THEN
        -- what the text says (feature_not_supported: a name of three parts,
        -- another database's); anything else is raised as it came
        valid := false;
    END;
    IF NOT valid THEN
        PERFORM hcguard__error('declared_type_invalid', declared, column_name);
    END IF;
    IF t IS NULL THEN
        PERFORM hcguard__error('declared_type_unknown', declared, column_name);
    END IF;
    RETURN format_type(t, typmod);
END
$$;

/*
 * Column arguments that may carry the type the code expects after the name,
 * separated by white space: "opt_in__c boolean".  The name ends at the first
 * white space (Salesforce's API names have none); without anything after it,
 * any type will do.  Returns the names and, in step, the declared types.
 */
CREATE FUNCTION hcguard__declared_columns(columns text[], OUT names text[], OUT types text[])
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    m text[];
BEGIN
    names := '{}';
    types := '{}';
    FOR i IN 1 .. coalesce(cardinality(columns), 0) LOOP
        m := regexp_match(columns[i], '^([^ \t\n\r\f\v]*)[ \t\n\r\f\v]+(.*)$');
        IF m IS NULL THEN
            names := names || columns[i];
            types := types || NULL::text;
            CONTINUE;
        END IF;
        IF m[1] = '' THEN
            PERFORM hcguard__error('arg_empty', 'column name');
        END IF;
        PERFORM hcguard__field_name(m[1]);
        names := names || m[1];
        types := types || CASE WHEN m[2] = '' THEN NULL ELSE hcguard__declared_type(m[2], m[1]) END;
    END LOOP;
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
    RETURN ARRAY[hcguard__column_arg(value)];
END
$$;

CREATE FUNCTION hcguard__column_list(names text[])
RETURNS text[]
LANGUAGE plpgsql IMMUTABLE
AS $$
BEGIN
    IF names IS NULL THEN
        PERFORM hcguard__error('column_list_null');
    END IF;
    IF cardinality(names) = 0 THEN
        PERFORM hcguard__error('column_list_empty');
    END IF;
    -- elements in storage order, whatever the array's bounds and dimensions,
    -- as the C extension reads them
    names := ARRAY(SELECT unnest(names));
    FOR i IN 1 .. cardinality(names) LOOP
        IF names[i] IS NULL THEN
            PERFORM hcguard__error('column_list_element_null', i::text);
        END IF;
        IF names[i] = '' THEN
            PERFORM hcguard__error('column_list_element_empty', i::text);
        END IF;
        PERFORM hcguard__field_name(names[i]);
    END LOOP;
    -- the list's own bounds do not matter
    RETURN ARRAY(SELECT unnest(names));
END
$$;

------------------------------------------------------------------------------
-- The Connect model, read from the catalogs.  Names are plain names: looked
-- up exactly as given, then in lower case.  A name longer than an
-- identifier is truncated as PostgreSQL truncates identifiers (the cast to
-- name cuts at a character boundary): a query naming a longer column finds
-- the truncated one, and so must hcguard.
------------------------------------------------------------------------------

-- The names to look for, in order: as given, then in lower case.
CREATE FUNCTION hcguard__spellings(given text)
RETURNS name[]
LANGUAGE sql IMMUTABLE
AS $$ SELECT ARRAY[given::name, lower(given)::name] $$;

-- The spellings a missing name was looked up by: "Name" or "name".
CREATE FUNCTION hcguard__tried(given text)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE WHEN given::name = lower(given)::name THEN format('"%s"', given::name)
                ELSE format('"%s" or "%s"', given::name, lower(given)::name) END
$$;

-- The column a field name means.  The field Id, in any case, is the column
-- sfid: Connect's own id is its serial key, which every row fills, so a
-- guard on it would always pass.
CREATE FUNCTION hcguard__column_of_field(given text)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$ SELECT CASE WHEN given IN ('id', 'Id', 'iD', 'ID') THEN 'sfid' ELSE given END $$;

CREATE FUNCTION hcguard__find_schema(given text, OUT nspid oid, OUT found_name text)
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    SELECT n.oid, n.nspname INTO nspid, found_name
      FROM pg_namespace n
     WHERE n.nspname = ANY (hcguard__spellings(given))
     ORDER BY n.nspname = given::name DESC LIMIT 1;
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
     ORDER BY c.relname = given::name DESC LIMIT 1;
END
$$;

-- A live user column: system columns and dropped ones are not mapped.
CREATE FUNCTION hcguard__find_column(rel oid, given text, OUT attnum int2, OUT found_name text)
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    SELECT a.attnum, a.attname INTO attnum, found_name
      FROM pg_attribute a
     WHERE a.attrelid = rel
       AND a.attname = ANY (hcguard__spellings(hcguard__column_of_field(given)))
       AND a.attnum > 0 AND NOT a.attisdropped
     ORDER BY a.attname = hcguard__column_of_field(given)::name DESC LIMIT 1;
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
    IF hcguard__is_system_table((SELECT c.relname FROM pg_class c WHERE c.oid = rel)) THEN
        RETURN hcguard__text('why_system_table');
    END IF;
    SELECT c.relkind INTO kind FROM pg_class c WHERE c.oid = rel;
    IF kind IS DISTINCT FROM 'r' THEN
        RETURN hcguard__text(CASE kind WHEN 'v' THEN 'why_view'
                                       WHEN 'm' THEN 'why_matview'
                                       WHEN 'f' THEN 'why_foreign_table'
                                       WHEN 'p' THEN 'why_partitioned_table'
                                       WHEN 'S' THEN 'why_sequence'
                                       ELSE 'why_relation' END);
    END IF;
    SELECT string_agg(format('"%s"', m.name), ', ' ORDER BY m.ord) INTO lacking
      FROM unnest(ARRAY['sfid', '_hc_lastop', '_hc_err']) WITH ORDINALITY AS m(name, ord)
     WHERE NOT EXISTS (SELECT FROM pg_attribute a
                        WHERE a.attrelid = rel AND a.attname = m.name
                          AND a.attnum > 0 AND NOT a.attisdropped);
    IF lacking IS NOT NULL THEN
        RETURN hcguard__text('why_lacks_columns', lacking);
    END IF;
    -- the probe reads _hc_lastop as text: Connect makes it varchar(32)
    SELECT a.atttypid INTO lastop_type FROM pg_attribute a
     WHERE a.attrelid = rel AND a.attname = '_hc_lastop';
    lastop_type := hcguard__base_type(lastop_type);
    IF lastop_type IN ('text'::regtype, 'varchar'::regtype, 'bpchar'::regtype) THEN
        RETURN NULL;
    END IF;
    RETURN hcguard__text('why_lastop_type', format_type(lastop_type, NULL));
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
/*
 * The mappings of a schema, by name in C order: hcguard__not_mapping's test
 * made on every table at once (a schema holds a thousand mappings, and
 * asking table by table cost more than judging them).
 */
CREATE FUNCTION hcguard__mappings_of(nsp oid)
RETURNS TABLE (relid oid, name text)
LANGUAGE plpgsql STABLE
-- a subquery a table prices the query past jit_above_cost: compiling it
-- took longer than running it
SET jit = off
AS $$
BEGIN
    RETURN QUERY
    SELECT c.oid, c.relname::text
      FROM pg_class c
     WHERE c.relnamespace = nsp AND c.relkind = 'r'
       AND NOT hcguard__is_system_table(c.relname)
       AND (SELECT count(*) FROM pg_attribute a
             WHERE a.attrelid = c.oid AND a.attname IN ('sfid', '_hc_lastop', '_hc_err')
               AND a.attnum > 0 AND NOT a.attisdropped) = 3
       AND (SELECT CASE WHEN t.typtype = 'd' THEN hcguard__base_type(t.oid) ELSE t.oid END
              FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
             WHERE a.attrelid = c.oid AND a.attname = '_hc_lastop')
           IN ('text'::regtype, 'varchar'::regtype, 'bpchar'::regtype)
     ORDER BY c.relname COLLATE "C";
END
$$;

CREATE FUNCTION hcguard__mapping_names(nsp oid)
RETURNS text[]
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    RETURN (SELECT coalesce(array_agg(m.name ORDER BY m.name COLLATE "C"), '{}') FROM hcguard__mappings_of(nsp) AS m);
END
$$;

-- The columns Connect adds for its own bookkeeping (sfid is the field Id).
CREATE FUNCTION hcguard__is_connect_column(name text)
RETURNS boolean
LANGUAGE sql IMMUTABLE
AS $$ SELECT name IN ('id', '_hc_lastop', '_hc_err') $$;

-- Connect's system tables, which stand for no Salesforce object.
CREATE FUNCTION hcguard__is_system_table(name text)
RETURNS boolean
LANGUAGE sql IMMUTABLE
AS $$ SELECT name IN ('_hcmeta', '_trigger_log', '_trigger_log_archive', '_sf_event_log') $$;

-- The Salesforce field columns of a table, in order: every live column but
-- Connect's bookkeeping, which no code needs declared.
CREATE FUNCTION hcguard__field_column_names(rel oid)
RETURNS text[]
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    RETURN (
    SELECT coalesce(array_agg(a.attname::text ORDER BY a.attnum), '{}')
          FROM pg_attribute a
         WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped
           AND NOT hcguard__is_connect_column(a.attname));
END
$$;

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
    SELECT EXISTS (SELECT FROM hcguard.confirmation_store s
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
BEGIN
    IF NOT hcguard__owns_mapping(schema_name, table_name, store) THEN
        -- as the C extension words it, whose store no one else may write
        PERFORM hcguard__error('store_denied');
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
    BEFORE INSERT OR UPDATE OR DELETE ON hcguard.confirmation_store
    FOR EACH ROW EXECUTE FUNCTION hcguard__store_guard();

