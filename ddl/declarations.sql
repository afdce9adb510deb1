-- ddl/declarations.sql: declarations, in both editions.
--
-- Each edition records declarations in its own way (the C extension looks
-- for the row through the index before it calls hcguard__declare; the SQL
-- edition asks with a query), and each has its own hcguard__verdict_state:
-- the SQLSTATE (code) and message hcguard_required would raise for one name, NULL
-- when it would pass.  Everything else about declarations is written once,
-- here: the store's guard, the view, the checks, the document, forgetting.
-- Every public function here runs with search_path pinned to pg_catalog and
-- hcguard's schema (the C extension's install script and the SQL edition's
-- pin them alike).

-- Whether the current user acts as the owner of a mapping (its owner, a
-- member of the owning role, a superuser), or, where the mapping is gone, of
-- the store: who may confirm a sync, revoke a confirmation or forget a
-- declaration.
CREATE FUNCTION hcguard__owns_mapping(schema_name name, table_name name, store oid)
RETURNS boolean
LANGUAGE sql STABLE
AS $$
    SELECT pg_has_role(coalesce((SELECT c.relowner
                                   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                                  WHERE n.nspname = $1 AND c.relname = $2),
                                (SELECT relowner FROM pg_class WHERE oid = $3)),
                       'USAGE')
$$;

-- Who may remove a declaration: whoever may confirm the sync of its mapping.
CREATE FUNCTION hcguard__may_forget(schema_name name, table_name name, column_name name, store oid)
RETURNS void
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    IF NOT hcguard__owns_mapping(schema_name, table_name, store) THEN
        PERFORM hcguard__error('forget_denied',
                               format('%I.%I', schema_name, table_name)
                               || CASE WHEN column_name <> '' THEN format('.%I', column_name) ELSE '' END);
    END IF;
END
$$;

-- The store's guard: every row is signed by its writer, now; removing or
-- renaming a declaration needs the rights forgetting needs.  The store's
-- owner (a superuser, in the C extension) writes rows as they are, so that
-- a restore keeps who declared what, and when.
CREATE FUNCTION hcguard__declaration_guard()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP = 'INSERT' AND pg_has_role((SELECT c.relowner FROM pg_class c WHERE c.oid = TG_RELID),
                                        'USAGE') THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE'
       OR (TG_OP = 'UPDATE' AND (NEW.schema_name, NEW.table_name, NEW.column_name)
                                 IS DISTINCT FROM (OLD.schema_name, OLD.table_name, OLD.column_name)) THEN
        PERFORM hcguard__may_forget(OLD.schema_name, OLD.table_name, OLD.column_name, TG_RELID);
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    NEW.declared_by := current_user;
    NEW.declared_at := now();
    RETURN NEW;
END
$$;

CREATE TRIGGER hcguard_declaration_guard
    BEFORE INSERT OR UPDATE OR DELETE ON hcguard.declaration_store
    FOR EACH ROW EXECUTE FUNCTION hcguard__declaration_guard();

/*
 * Records one declaration.  A new name is inserted; a new type replaces the
 * recorded one; the same type, or none where one is recorded (a call that
 * declares less does not weaken what another declared), writes nothing.
 * Recording never fails the guard it follows: in REPEATABLE READ, a row
 * that a concurrent migration wrote first is a serialization failure, and
 * then that migration's declaration stands for this one.  Two transactions
 * that each hold a row the other is inserting deadlock; the one the server
 * picks gives up its recording, not its verdict, and the other's row
 * stands for it.  (SERIALIZABLE
 * transactions record nothing: their reads of the store could fail the
 * migration at commit.)
 */
CREATE FUNCTION hcguard__declare(schema_name name, table_name name, column_name name,
                                 declared_type text)
RETURNS boolean
LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO hcguard.declaration_store AS d (schema_name, table_name, column_name, declared_type)
    VALUES (schema_name, table_name, coalesce(column_name, ''), declared_type)
    ON CONFLICT DO NOTHING;
    IF FOUND THEN
        RETURN true;
    END IF;
    IF declared_type IS NOT NULL THEN
        UPDATE hcguard.declaration_store AS d
           SET declared_type = hcguard__declare.declared_type
         WHERE d.schema_name = hcguard__declare.schema_name
           AND d.table_name = hcguard__declare.table_name
           AND d.column_name = coalesce(hcguard__declare.column_name, '')
           AND d.declared_type IS DISTINCT FROM hcguard__declare.declared_type;
    END IF;
    RETURN FOUND;
EXCEPTION WHEN serialization_failure OR deadlock_detected THEN
    RETURN false;
END
$$;

/*
 * Records the declarations of one mapping at once, as hcguard__declare
 * records one (the SQL edition's way: a configuration file names thousands
 * of fields, and one statement writes them where a call per field would
 * take a subtransaction each).  A name given twice is declared once, by
 * its first mention, as the guard judges a column listed twice: a guard's
 * list may hold one name twice where it stopped before looking at the
 * columns (a schema the caller may not use), or as Id and sfid.
 */
CREATE FUNCTION hcguard__declare_all(schema_name name, table_name name, columns name[],
                                     types text[])
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    WITH given AS (
        SELECT DISTINCT ON (c.name) c.name, c.type
          FROM unnest(columns, types) WITH ORDINALITY AS c(name, type, o)
         ORDER BY c.name, c.o)
    INSERT INTO hcguard.declaration_store AS d (schema_name, table_name, column_name, declared_type)
    SELECT hcguard__declare_all.schema_name, hcguard__declare_all.table_name, g.name, g.type
      FROM given g
     ORDER BY g.name
    ON CONFLICT DO NOTHING;
    WITH given AS (
        SELECT DISTINCT ON (c.name) c.name, c.type
          FROM unnest(columns, types) WITH ORDINALITY AS c(name, type, o)
         ORDER BY c.name, c.o)
    UPDATE hcguard.declaration_store AS d
       SET declared_type = g.type
      FROM given g
     WHERE d.schema_name = hcguard__declare_all.schema_name
       AND d.table_name = hcguard__declare_all.table_name
       AND d.column_name = g.name
       AND g.type IS NOT NULL
       AND d.declared_type IS DISTINCT FROM g.type;
EXCEPTION WHEN serialization_failure OR deadlock_detected THEN
    RETURN;
END
$$;

-- A declaration as a column argument: the name, then its type.
CREATE FUNCTION hcguard__declared_arg(column_name text, declared_type text)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE WHEN coalesce(column_name, '') = '' THEN NULL
                WHEN declared_type IS NULL THEN column_name
                ELSE column_name || ' ' || declared_type END
$$;

-- The verdict on one declaration: the SQLSTATE and message its guard would
-- raise, NULL when it holds.  A declaration can no longer be judged at all
-- (its type was dropped, say): that is its problem.
CREATE FUNCTION hcguard__declaration_state(schema_name text, table_name text, column_name text,
                                           declared_type text, OUT code text, OUT message text)
LANGUAGE plpgsql
AS $$
BEGIN
    SELECT s.code, s.message INTO code, message
      FROM hcguard__verdict_state(schema_name, table_name,
                                  hcguard__declared_arg(column_name, declared_type)) AS s;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
END
$$;

-- Every recorded declaration, with whether it holds now.
CREATE FUNCTION hcguard__declarations()
RETURNS TABLE (schema_name text, table_name text, column_name text, declared_type text,
               declared_at timestamptz, declared_by text, ok boolean, problem text)
LANGUAGE plpgsql
AS $$
DECLARE
    d record;
    st record;
BEGIN
    FOR d IN SELECT * FROM hcguard.declaration_store s
              ORDER BY s.schema_name, s.table_name, s.column_name LOOP
        st := hcguard__declaration_state(d.schema_name, d.table_name, d.column_name, d.declared_type);
        schema_name := d.schema_name;
        table_name := d.table_name;
        column_name := NULLIF(d.column_name::text, '');
        declared_type := d.declared_type;
        declared_at := d.declared_at;
        declared_by := d.declared_by;
        ok := st.code IS NULL;
        problem := st.message;
        RETURN NEXT;
    END LOOP;
END
$$;

CREATE OR REPLACE VIEW hcguard_declarations AS
    SELECT * FROM @extschema@.hcguard__declarations();
GRANT SELECT ON hcguard_declarations TO PUBLIC;

/*
 * Checks a list of declarations (parallel arrays) as hcguard_required
 * checks one: 42P01 if a mapping (or its schema) is missing, else 42703,
 * else 42804, else 55000 (not synced, or not to be judged), the detail
 * listing the problems (the first 20, then a count).  Follows
 * hcguard.on_failure: under provision, what is missing is provisioned, then
 * judged again.
 */
CREATE FUNCTION hcguard__check_declarations(schemas text[], tables text[], columns text[], types text[])
RETURNS boolean
LANGUAGE plpgsql
AS $$
DECLARE
    n integer := coalesce(cardinality(schemas), 0);
    st record;
    rank integer;
    best integer := 5;
    failures integer := 0;
    detail text := '';
    r hcguard__report;
BEGIN
    FOR i IN 1 .. n LOOP
        st := hcguard__declaration_state(schemas[i], tables[i], columns[i], types[i]);
        IF st.code IS NOT NULL AND hcguard__on_failure() = 'provision'
           AND st.code NOT IN ('42501', '42704', '22023')
           AND hcguard__provision(schemas[i], tables[i],
                                  CASE WHEN coalesce(columns[i], '') = '' THEN '{}'::text[]
                                       ELSE ARRAY[columns[i]] END,
                                  CASE WHEN coalesce(columns[i], '') = '' THEN '{}'::text[]
                                       ELSE ARRAY[types[i]] END) THEN
            st := hcguard__declaration_state(schemas[i], tables[i], columns[i], types[i]);
        END IF;
        CONTINUE WHEN st.code IS NULL;
        failures := failures + 1;
        rank := CASE WHEN st.code IN ('3F000', '42P01') THEN 1
                     WHEN st.code = '42703' THEN 2
                     WHEN st.code = '42804' THEN 3
                     ELSE 4 END;
        best := least(best, rank);
        IF failures <= 20 THEN
            IF detail <> '' THEN
                detail := detail || E'\n';
            END IF;
            detail := detail || hcguard__text('declaration_line',
                format('%I.%I', schemas[i], tables[i])
                || CASE WHEN coalesce(columns[i], '') <> '' THEN format('.%I', columns[i]) ELSE '' END,
                st.message);
        END IF;
    END LOOP;
    IF failures = 0 THEN
        RETURN true;
    END IF;
    IF failures > 20 THEN
        detail := detail || E'\n' || hcguard__text('and_more', (failures - 20)::text);
    END IF;
    r := hcguard__msg(CASE best WHEN 1 THEN 'declarations_fail_mapping'
                                WHEN 2 THEN 'declarations_fail_column'
                                WHEN 3 THEN 'declarations_fail_type'
                                ELSE 'declarations_fail_sync' END,
                      failures::text, n::text);
    r.detail := detail;
    RETURN hcguard__raise(r, hcguard__on_failure() = 'warning');
END
$$;

CREATE OR REPLACE FUNCTION hcguard_check_declarations()
RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    s text[];
    t text[];
    c text[];
    ty text[];
BEGIN
    SELECT array_agg(d.schema_name::text ORDER BY d.schema_name, d.table_name, d.column_name),
           array_agg(d.table_name::text ORDER BY d.schema_name, d.table_name, d.column_name),
           array_agg(d.column_name::text ORDER BY d.schema_name, d.table_name, d.column_name),
           array_agg(d.declared_type ORDER BY d.schema_name, d.table_name, d.column_name)
      INTO s, t, c, ty
      FROM hcguard.declaration_store d;
    RETURN hcguard__check_declarations(s, t, c, ty);
END
$$;

-- The declarations as a document, to carry to another environment.
CREATE OR REPLACE FUNCTION hcguard_declarations_json()
RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT jsonb_build_object(
        'format', 'hcguard declarations',
        'version', 1,
        'database', current_database(),
        'declarations', coalesce(jsonb_agg(jsonb_build_object(
            'schema_name', d.schema_name,
            'table_name', d.table_name,
            'column_name', NULLIF(d.column_name::text, ''),
            'declared_type', d.declared_type,
            'declared_at', d.declared_at,
            'declared_by', d.declared_by)
          ORDER BY d.schema_name, d.table_name, d.column_name), '[]'::jsonb))
      FROM hcguard.declaration_store d
$$;

-- A refusal of a document that is not one of hcguard_declarations_json()'s.
CREATE FUNCTION hcguard__refuse_declarations(why text, path text)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM hcguard__error(why, path);
END
$$;

-- Checks, in this database, every declaration of such a document (before
-- promoting from staging to production).  It records nothing.
CREATE OR REPLACE FUNCTION hcguard_required_declarations(declarations jsonb)
RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    e jsonb;
    path text;
    i integer := 0;
    f text;
    s text[] := '{}';
    t text[] := '{}';
    c text[] := '{}';
    ty text[] := '{}';
BEGIN
    IF declarations IS NULL THEN
        PERFORM hcguard__error('declarations_doc_null');
    END IF;
    IF jsonb_typeof(declarations) <> 'object' THEN
        PERFORM hcguard__refuse_declarations('declarations_doc_not_object', '$');
    END IF;
    IF NOT declarations ? 'declarations' THEN
        PERFORM hcguard__refuse_declarations('declarations_doc_missing', '$.declarations');
    END IF;
    IF jsonb_typeof(declarations -> 'declarations') <> 'array' THEN
        PERFORM hcguard__refuse_declarations('declarations_doc_not_array', '$.declarations');
    END IF;
    FOR e IN SELECT x FROM jsonb_array_elements(declarations -> 'declarations') AS x LOOP
        path := format('$.declarations[%s]', i);
        IF jsonb_typeof(e) <> 'object' THEN
            PERFORM hcguard__refuse_declarations('declarations_doc_not_object', path);
        END IF;
        FOREACH f IN ARRAY ARRAY['schema_name', 'table_name'] LOOP
            IF NOT e ? f THEN
                PERFORM hcguard__refuse_declarations('declarations_doc_missing', path || '.' || f);
            END IF;
            IF jsonb_typeof(e -> f) <> 'string' OR e ->> f = '' THEN
                PERFORM hcguard__refuse_declarations('declarations_doc_not_name', path || '.' || f);
            END IF;
        END LOOP;
        FOREACH f IN ARRAY ARRAY['column_name', 'declared_type'] LOOP
            IF e ? f AND jsonb_typeof(e -> f) NOT IN ('string', 'null') THEN
                PERFORM hcguard__refuse_declarations('declarations_doc_not_text', path || '.' || f);
            END IF;
        END LOOP;
        s := s || (e ->> 'schema_name');
        t := t || (e ->> 'table_name');
        c := c || (e ->> 'column_name');
        ty := ty || (e ->> 'declared_type');
        i := i + 1;
    END LOOP;
    RETURN hcguard__check_declarations(s, t, c, ty);
END
$$;

-- The code no longer needs it: true if a declaration was removed.  Names
-- are found as the guard finds them: as given, else in lower case (Id being
-- sfid).
CREATE OR REPLACE FUNCTION hcguard_forget_declaration(schema_name text, table_name text,
                                           column_name text DEFAULT NULL)
RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    d record;
    removed integer := 0;
BEGIN
    IF schema_name IS NULL THEN
        PERFORM hcguard__error('arg_null', 'schema name');
    ELSIF table_name IS NULL THEN
        PERFORM hcguard__error('arg_null', 'table name');
    ELSIF schema_name = '' THEN
        PERFORM hcguard__error('arg_empty', 'schema name');
    ELSIF table_name = '' THEN
        PERFORM hcguard__error('arg_empty', 'table name');
    ELSIF column_name = '' THEN
        PERFORM hcguard__error('arg_empty', 'column name');
    END IF;
    IF pg_is_in_recovery() THEN
        PERFORM hcguard__error('forget_on_standby', 'hcguard_forget_declaration');
    ELSIF current_setting('transaction_read_only')::boolean THEN
        PERFORM hcguard__error('confirm_read_only', 'hcguard_forget_declaration');
    END IF;
    -- every matching declaration (as given and in lower case, there may be
    -- two), the rights checked in the order of their names first, so that
    -- a refusal names the same one whatever the rows' order
    FOR d IN SELECT s.schema_name, s.table_name, s.column_name
               FROM hcguard.declaration_store s
              WHERE s.schema_name = ANY (hcguard__provision_spellings(hcguard_forget_declaration.schema_name))
                AND s.table_name = ANY (hcguard__provision_spellings(hcguard_forget_declaration.table_name))
                AND s.column_name = ANY (CASE WHEN hcguard_forget_declaration.column_name IS NULL
                                              THEN ARRAY[''::name]
                                              ELSE hcguard__provision_spellings(hcguard_forget_declaration.column_name, true) END)
              ORDER BY s.schema_name COLLATE "C", s.table_name COLLATE "C", s.column_name COLLATE "C"
    LOOP
        PERFORM hcguard__may_forget(d.schema_name, d.table_name, d.column_name,
                                    'hcguard.declaration_store'::regclass);
        DELETE FROM hcguard.declaration_store s
         WHERE s.schema_name = d.schema_name AND s.table_name = d.table_name
           AND s.column_name = d.column_name;
        removed := removed + 1;
    END LOOP;
    RETURN removed > 0;
END
$$;
