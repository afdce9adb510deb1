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
    v.provisioned := false;
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
    v.provisioned := hcguard__provisioned(s.nspid);
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
CREATE FUNCTION hcguard__resolve_columns(v hcguard__verdict, columns text[], check_read boolean,
                                         declared text[] DEFAULT NULL)
RETURNS hcguard__verdict
LANGUAGE plpgsql
AS $$
DECLARE
    c record;
    lastop int2;
    sfid int2;
    existing text[];
    missing text[] := '{}';
    actual text;
    att_names text[];
    att_nums int2[];
    spelled text;
    k integer;
    c_attnum int2;
    c_name text;
    att_types text[];
    col_given text[] := '{}';
    col_attnum int2[] := '{}';
    col_evidence text[] := '{}';
    col_observed text[] := '{}';
    col_declared text[] := '{}';
    col_actual text[] := '{}';
    col_name text[] := '{}';
    col_problem text[] := '{}';
    col_closest text[] := '{}';
BEGIN
    v.mapped := false;
    v.col_declared := '{}';
    v.col_actual := '{}';
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
        v.col_declared := coalesce(declared, array_fill(NULL::text, ARRAY[cardinality(columns)]));
        RETURN v;
    END IF;
    lastop := (hcguard__find_column(v.relid, '_hc_lastop')).attnum;
    sfid := (hcguard__find_column(v.relid, 'sfid')).attnum;

    -- Many columns (a configuration's): the table's columns read once, and
    -- each name looked up as hcguard__find_column does, the exact spelling
    -- first, then the lower-case one.
    IF cardinality(columns) > 1 THEN
        SELECT array_agg(a.attname::text ORDER BY a.attnum), array_agg(a.attnum ORDER BY a.attnum),
               array_agg(format_type(a.atttypid, a.atttypmod) ORDER BY a.attnum)
          INTO att_names, att_nums, att_types
          FROM pg_attribute a
         WHERE a.attrelid = v.relid AND a.attnum > 0 AND NOT a.attisdropped;
    END IF;

    -- built in local arrays, appended in place, and stored once: an
    -- append to a field of the verdict copies the whole array
    v.mapped := true;
    FOR i IN 1 .. coalesce(cardinality(columns), 0) LOOP
        IF att_names IS NULL THEN
            c := hcguard__find_column(v.relid, columns[i]);
            c_attnum := c.attnum;
            c_name := c.found_name;
        ELSE
            spelled := hcguard__column_of_field(columns[i]);
            k := coalesce(array_position(att_names, spelled::name::text),
                          array_position(att_names, lower(spelled)::name::text));
            c_attnum := att_nums[k];
            c_name := att_names[k];
        END IF;
        -- listed before, as Name and name, or as the same missing name
        CONTINUE WHEN c_attnum = ANY (col_attnum)
                   OR (c_attnum IS NULL AND columns[i] = ANY (missing));
        col_given := col_given || columns[i];
        col_attnum := col_attnum || c_attnum;
        col_evidence := col_evidence || NULL::text;
        col_observed := col_observed || NULL::text;
        col_declared := col_declared || declared[i];
        IF c_attnum IS NOT NULL THEN
            -- a declared type must be the column's, modifier included, as
            -- format_type writes them: Connect keeps a column's type when
            -- the Salesforce field's type or length changes
            -- (looked up only for a declaration: most calls declare none)
            actual := NULL;
            IF declared[i] IS NOT NULL AND att_names IS NOT NULL THEN
                actual := att_types[k];
            ELSIF declared[i] IS NOT NULL THEN
                SELECT format_type(a.atttypid, a.atttypmod) INTO actual
                  FROM pg_attribute a WHERE a.attrelid = v.relid AND a.attnum = c_attnum;
            END IF;
            col_actual := col_actual || actual;
            col_name := col_name || c_name;
            col_problem := col_problem ||
                CASE WHEN declared[i] IS NOT NULL AND declared[i] <> actual THEN 'wrong_type' END;
            col_closest := col_closest || NULL::text;
        ELSE
            col_actual := col_actual || NULL::text;
            IF existing IS NULL THEN
                existing := hcguard__field_column_names(v.relid);
            END IF;
            missing := missing || columns[i];
            col_name := col_name || columns[i];
            col_problem := col_problem || 'no_column'::text;
            col_closest := col_closest ||
                (SELECT string_agg(format('"%s"', x), ', ' ORDER BY o)
                   FROM unnest(hcguard__closest(columns[i], existing)) WITH ORDINALITY AS q(x, o));
            v.mapped := false;
        END IF;
    END LOOP;

    v.col_given := col_given;
    v.col_attnum := col_attnum;
    v.col_evidence := col_evidence;
    v.col_observed := col_observed;
    v.col_declared := col_declared;
    v.col_actual := col_actual;
    v.col_name := col_name;
    v.col_problem := col_problem;
    v.col_closest := col_closest;

    IF check_read AND NOT hcguard__can_read(v.relid, lastop, sfid, v.col_attnum) THEN
        v.problem := 'table_denied';
    ELSIF NOT v.mapped THEN
        v.problem := 'no_column';
    ELSIF 'wrong_type' = ANY (v.col_problem) THEN
        v.problem := 'wrong_type';
    END IF;
    RETURN v;
END
$$;

-- SELECT on the table, or on every column the probe reads.
CREATE FUNCTION hcguard__can_read(rel oid, lastop int2, sfid int2, attnums int2[])
RETURNS boolean
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    RETURN (
    SELECT has_table_privilege(rel, 'SELECT')
            OR (has_column_privilege(rel, lastop, 'SELECT')
                AND has_column_privilege(rel, sfid, 'SELECT')
                AND NOT EXISTS (SELECT FROM unnest(attnums) AS a
                                 WHERE a IS NOT NULL
                                   AND NOT has_column_privilege(rel, a, 'SELECT'))));
END
$$;

-- "1 row", "2 rows"
CREATE FUNCTION hcguard__rows(n bigint)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$ SELECT hcguard__text(CASE WHEN n = 1 THEN 'rows_one' ELSE 'rows_many' END, n::text) $$;

-- The rows that hold a value but none written by Connect, by origin, so
-- that the detail accounts for every one: "2 pending, 1 failed".
CREATE FUNCTION hcguard__origins(pending bigint, failed bigint, unknown bigint, other bigint)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
    SELECT concat_ws(', ',
                     CASE WHEN pending > 0 THEN hcguard__text('origin_pending', pending::text) END,
                     CASE WHEN failed > 0 THEN hcguard__text('origin_failed', failed::text) END,
                     CASE WHEN unknown > 0 THEN hcguard__text('origin_unknown', unknown::text) END,
                     CASE WHEN other > 0 THEN hcguard__text('origin_other', other::text) END)
$$;

-- What the data says of a table that no Connect-written row fills, as a
-- sentence.
CREATE FUNCTION hcguard__observed_table(total bigint, pending bigint, failed bigint, unknown bigint)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE
        WHEN total = 0 THEN hcguard__text('table_no_rows')
        ELSE hcguard__text('table_rows_not_connect', hcguard__rows(total),
                           hcguard__origins(pending, failed, unknown, total - pending - failed - unknown))
    END
$$;

-- What the data says of a column that no Connect-written row fills, likewise.
CREATE FUNCTION hcguard__observed_column(total bigint, valued bigint, pending bigint, failed bigint,
                                         unknown bigint)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE
        WHEN total = 0 THEN hcguard__text('table_no_rows')
        WHEN valued = 0 AND total = 1 THEN hcguard__text('only_row_no_value')
        WHEN valued = 0 THEN hcguard__text('no_row_has_value', hcguard__rows(total))
        WHEN valued = total AND total = 1 THEN
            hcguard__text('only_row_has_value',
                          hcguard__origins(pending, failed, unknown, valued - pending - failed - unknown))
        WHEN valued = total THEN
            hcguard__text('all_rows_have_value', hcguard__rows(total),
                          hcguard__origins(pending, failed, unknown, valued - pending - failed - unknown))
        ELSE hcguard__text(CASE WHEN valued = 1 THEN 'rows_have_value_one' ELSE 'rows_have_value_many' END,
                           valued::text, hcguard__rows(total),
                           hcguard__origins(pending, failed, unknown, valued - pending - failed - unknown))
    END
$$;

-- Connect's writes, as a condition on a mapping's row: its own statuses,
-- and its bulk loads, which pass the status trigger by and leave _hc_lastop
-- NULL with sfid set.
CREATE FUNCTION hcguard__connect_written()
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
    SELECT '(_hc_lastop::pg_catalog.text OPERATOR(pg_catalog.=) ANY (''{SYNCED,INSERTED,UPDATED}''::pg_catalog.text[])'
           ' OR (_hc_lastop IS NULL AND sfid IS NOT NULL))'
$$;

-- The columns a probe of one column reads (no more: a role may read only
-- some of a mapping's columns).
CREATE FUNCTION hcguard__probe_columns(column_name text)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE WHEN column_name IN ('sfid', '_hc_lastop') THEN '_hc_lastop, sfid'
                ELSE format('%I, _hc_lastop, sfid', column_name) END
$$;

-- How many rows the first look at a mapping reads: a synced column is
-- proven by its first rows, and one that is not costs these rows and then
-- the one pass that counts what the report shows (which still passes the
-- column if a Connect-written value comes later).
CREATE FUNCTION hcguard__probe_rows()
RETURNS integer
LANGUAGE sql IMMUTABLE
AS $$ SELECT 1000 $$;

-- The same first look, in blocks, for the fast path (hcguard__quick): about
-- 1,000 to 2,000 rows of a mapping 50 columns wide.
CREATE FUNCTION hcguard__probe_blocks()
RETURNS integer
LANGUAGE sql IMMUTABLE
AS $$ SELECT 100 $$;

-- How many mappings hcguard_mappings probes in one statement: each holds
-- its lock, and its indexes' (which the planner opens), until the
-- statement's subtransaction ends, so a schema of a thousand mappings must
-- not take them all at once (the lock table is shared, sized by
-- max_locks_per_transaction).
CREATE FUNCTION hcguard__probe_batch()
RETURNS integer
LANGUAGE sql IMMUTABLE
AS $$ SELECT 50 $$;

/*
 * Asks for evidence of a sync: a confirmation first, since it answers
 * without reading the table, then the data.  A synced column is usually
 * proven by the first rows; only what is not synced costs a scan of the
 * whole table, which also counts what the report shows.  With one_scan,
 * for many columns whose report is not wanted (hcguard_columns), a single
 * pass over the table answers for all of them.
 */
CREATE FUNCTION hcguard__judge(v hcguard__verdict, one_scan boolean DEFAULT false,
                               unproven boolean DEFAULT false)
RETURNS hcguard__verdict
LANGUAGE plpgsql
AS $$
DECLARE
    connect_written CONSTANT text := hcguard__connect_written();
    is_pending CONSTANT text := '_hc_lastop::pg_catalog.text OPERATOR(pg_catalog.=) ''PENDING''';
    is_failed CONSTANT text := '_hc_lastop::pg_catalog.text OPERATOR(pg_catalog.=) ''FAILED''';
    is_unknown CONSTANT text := '_hc_lastop IS NULL AND sfid IS NULL';
    rel text;
    probes text[] := '{}';
    wanted integer[] := '{}';
    proven boolean[];
    counts text[] := '{}';
    total bigint;
    n_valued bigint[];
    n_connect bigint[];
    n_pending bigint[];
    n_failed bigint[];
    n_unknown bigint[];
    n_pending1 bigint;
    n_failed1 bigint;
    n_unknown1 bigint;
    k bigint;
    connect record;
    confirmed text[];
BEGIN
    -- a missing or mistyped column does not stop the others being judged
    IF v.problem IS NOT NULL AND v.problem NOT IN ('no_column', 'wrong_type') THEN
        RETURN v;
    END IF;
    -- in a schema hcguard provisioned the declaration is the truth: what
    -- exists counts as synced, without rows
    IF v.provisioned THEN
        IF cardinality(v.col_given) = 0 THEN
            v.evidence := 'provisioned';
        END IF;
        FOR i IN 1 .. cardinality(v.col_given) LOOP
            IF v.col_problem[i] IS NULL THEN
                v.col_evidence[i] := 'provisioned';
            END IF;
        END LOOP;
        v.synced := NOT EXISTS (SELECT FROM unnest(v.col_problem) AS p WHERE p IS NOT NULL);
        RETURN v;
    END IF;
    -- a fresh report of Connect's API that shows the mapping busy or in
    -- error fails it whatever the data or a confirmation say
    SELECT * INTO connect FROM hcguard__connect_verdict(v.schema_name::name, v.table_name::name);
    IF connect.state = 'blocked' THEN
        v.connect_blocked := connect.blocked;
        v.observed := connect.blocked;
        FOR i IN 1 .. cardinality(v.col_given) LOOP
            IF v.col_problem[i] IS NULL THEN
                v.col_problem[i] := 'not_synced';
                v.col_observed[i] := connect.blocked;
            END IF;
        END LOOP;
        v.synced := false;
        v.problem := coalesce(v.problem, 'not_synced');
        RETURN v;
    END IF;
    rel := format('ONLY %I.%I', v.schema_name, v.table_name);
    -- Parallel workers cost more to start than a probe that stops at the
    -- first rows.  (Local to the caller's subtransaction, rolled back.)
    PERFORM set_config('max_parallel_workers_per_gather', '0', true);

    IF cardinality(v.col_given) = 0 THEN
        IF hcguard__confirmed(v.schema_name, v.table_name, '', v.relid, 0::int2) THEN
            v.evidence := 'confirmation';
            v.synced := true;
            RETURN v;
        END IF;
        IF connect.state = 'synced' THEN
            v.evidence := 'connect';
            v.synced := true;
            RETURN v;
        END IF;
        -- the first rows, then one pass that counts (and may still find one)
        EXECUTE format('SELECT EXISTS (SELECT FROM (SELECT _hc_lastop, sfid FROM %s LIMIT %s) p WHERE %s)',
                       rel, hcguard__probe_rows(), connect_written)
           INTO v.synced;
        IF v.synced THEN
            v.evidence := 'data';
            RETURN v;
        END IF;
        EXECUTE format('SELECT count(*), count(*) FILTER (WHERE %s), count(*) FILTER (WHERE %s),'
                       ' count(*) FILTER (WHERE %s), count(*) FILTER (WHERE %s) FROM %s',
                       is_pending, is_failed, is_unknown, connect_written, rel)
           INTO total, n_pending1, n_failed1, n_unknown1, k;
        IF k > 0 THEN
            v.synced := true;
            v.evidence := 'data';
            RETURN v;
        END IF;
        v.problem := 'not_synced';
        v.observed := hcguard__observed_table(total, n_pending1, n_failed1, n_unknown1);
        RETURN v;
    END IF;

    -- the table's confirmations in one look, not one a column (a
    -- configuration names a hundred columns of a mapping)
    SELECT array_agg(format('%s/%s', s.column_name, s.attnum))
      INTO confirmed
      FROM hcguard.confirmation_store s
     WHERE s.schema_name = v.schema_name::name AND s.table_name = v.table_name::name
       AND s.relid = v.relid AND s.column_name <> '';
    FOR i IN 1 .. cardinality(v.col_given) LOOP
        CONTINUE WHEN v.col_problem[i] IS NOT NULL;
        IF format('%s/%s', v.col_name[i], v.col_attnum[i]) = ANY (confirmed) THEN
            v.col_evidence[i] := 'confirmation';
        ELSIF connect.state = 'synced' AND v.col_name[i]::name = ANY (connect.columns) THEN
            v.col_evidence[i] := 'connect';
        ELSE
            wanted := wanted || i;
            CONTINUE WHEN one_scan;
            probes := probes || format('EXISTS (SELECT FROM (SELECT %s FROM %s LIMIT %s) p'
                                       ' WHERE %I IS NOT NULL AND %s)',
                                       hcguard__probe_columns(v.col_name[i]), rel, hcguard__probe_rows(),
                                       v.col_name[i], connect_written);
        END IF;
    END LOOP;

    IF cardinality(wanted) > 0 AND one_scan THEN
        -- Connect's rows filtered once, not once a column: a hundred
        -- copies of the test cost more to plan than the scan of a small
        -- mapping costs to run
        EXECUTE format('SELECT ARRAY[%s] FROM %s WHERE %s',
                       (SELECT string_agg(format('count(%I) > 0', v.col_name[w]), ', ' ORDER BY o)
                          FROM unnest(wanted) WITH ORDINALITY AS q(w, o)),
                       rel, connect_written)
           INTO proven;
    ELSIF cardinality(wanted) > 0 AND unproven THEN
        -- the caller's probe (hcguard__quick) read the first rows already
        proven := array_fill(false, ARRAY[cardinality(wanted)]);
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
        -- One pass counts the rows and the values: it reads each row only
        -- as far as the columns counted, where Connect's own columns,
        -- usually last, would make it read every row whole.
        EXECUTE format('SELECT count(*), ARRAY[%s] FROM %s',
                       (SELECT string_agg(format('count(%I)', c), ', ' ORDER BY o)
                          FROM unnest(counts) WITH ORDINALITY AS q(c, o)),
                       rel)
           INTO total, n_valued;
        n_connect := array_fill(0::bigint, ARRAY[cardinality(counts)]);
        n_pending := n_connect;
        n_failed := n_connect;
        n_unknown := n_connect;
        IF EXISTS (SELECT FROM unnest(n_valued) AS n WHERE n > 0) THEN
            -- Values past the first rows: who wrote them, and whether
            -- Connect did after all.  Only the rows holding one are read
            -- whole (the inner scan's filter reads up to the columns).
            EXECUTE format('SELECT ARRAY[%s], ARRAY[%s], ARRAY[%s], ARRAY[%s]'
                           ' FROM (SELECT %s FROM %s WHERE %s OFFSET 0) p',
                           (SELECT string_agg(format('count(%I) FILTER (WHERE %s)', c, connect_written), ', ' ORDER BY o)
                              FROM unnest(counts) WITH ORDINALITY AS q(c, o)),
                           (SELECT string_agg(format('count(%I) FILTER (WHERE %s)', c, is_pending), ', ' ORDER BY o)
                              FROM unnest(counts) WITH ORDINALITY AS q(c, o)),
                           (SELECT string_agg(format('count(%I) FILTER (WHERE %s)', c, is_failed), ', ' ORDER BY o)
                              FROM unnest(counts) WITH ORDINALITY AS q(c, o)),
                           (SELECT string_agg(format('count(%I) FILTER (WHERE %s)', c, is_unknown), ', ' ORDER BY o)
                              FROM unnest(counts) WITH ORDINALITY AS q(c, o)),
                           (SELECT string_agg(format('%I', c), ', ')
                              FROM (SELECT DISTINCT c FROM unnest(counts || ARRAY['_hc_lastop', 'sfid']) AS c) AS d),
                           rel,
                           (SELECT string_agg(format('%I IS NOT NULL', c), ' OR ' ORDER BY o)
                              FROM unnest(counts) WITH ORDINALITY AS q(c, o)))
               INTO n_connect, n_pending, n_failed, n_unknown;
        END IF;
        k := 0;
        FOR i IN 1 .. cardinality(v.col_given) LOOP
            IF v.col_problem[i] = 'not_synced' THEN
                k := k + 1;
                IF n_connect[k] > 0 THEN
                    v.col_problem[i] := NULL;
                    v.col_evidence[i] := 'data';
                ELSE
                    v.col_observed[i] := hcguard__observed_column(total, n_valued[k], n_pending[k], n_failed[k],
                                                                  n_unknown[k]);
                END IF;
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
                              declared text[] DEFAULT NULL,
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
                fields := hcguard__field_column_names(t.relid);
            END IF;
            verdict := hcguard__resolve_columns(t, columns, check_read, declared);
            IF what <> 'resolve' THEN
                verdict := hcguard__judge(verdict, what NOT IN ('judge', 'judge_unproven'),
                                          what = 'judge_unproven');
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
                                 judge boolean DEFAULT true, declared text[] DEFAULT NULL,
                                 unproven boolean DEFAULT false)
RETURNS hcguard__verdict
LANGUAGE plpgsql
AS $$
BEGIN
    RETURN (hcguard__look(schema_given, table_given, columns,
                          CASE WHEN NOT judge THEN 'resolve' WHEN unproven THEN 'judge_unproven'
                               ELSE 'judge' END, declared)).verdict;
END
$$;

------------------------------------------------------------------------------
-- The report: what a person at a failed deploy reads.  Every text comes from
-- the catalogue (hcguard__msg_def, made from src/messages.txt), which the C
-- extension is built from too.
------------------------------------------------------------------------------

-- "a", "b", "c": a list of names, as the catalogue's texts quote names.
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

CREATE FUNCTION hcguard__confirm_call(v hcguard__verdict, column_name text)
RETURNS text
LANGUAGE sql STABLE
AS $$
    SELECT hcguard__text('confirm_call', quote_literal(v.schema_name), quote_literal(v.table_name),
                         coalesce(quote_literal(column_name), 'NULL'))
$$;

-- A report whose hint gains a sentence of the catalogue.
CREATE FUNCTION hcguard__append_hint(r hcguard__report, msg_id text, VARIADIC args text[])
RETURNS hcguard__report
LANGUAGE plpgsql IMMUTABLE
AS $$
BEGIN
    r.hint := concat_ws(' ', r.hint, hcguard__text(msg_id, VARIADIC args));
    RETURN r;
END
$$;

CREATE FUNCTION hcguard__describe_one_column(v hcguard__verdict, i integer)
RETURNS hcguard__report
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    r hcguard__report;
    mapping text := v.schema_name || '.' || v.table_name;
BEGIN
    IF v.col_problem[i] = 'no_column' THEN
        r := hcguard__msg('column_missing', v.col_name[i], mapping,
                          hcguard__tried(hcguard__column_of_field(v.col_given[i])));
        IF v.col_closest[i] IS NOT NULL THEN
            r := hcguard__append_hint(r, 'closest_columns', v.col_closest[i]);
        END IF;
        RETURN r;
    END IF;
    IF v.col_problem[i] = 'wrong_type' THEN
        RETURN hcguard__msg('column_wrong_type', v.col_name[i], mapping, v.col_actual[i],
                            v.col_declared[i]);
    END IF;
    r := hcguard__msg('column_not_synced', v.col_name[i], mapping,
                      hcguard__confirm_call(v, v.col_name[i]));
    r.detail := v.col_observed[i];
    IF v.connect_blocked IS NOT NULL THEN
        r.hint := hcguard__text('connect_wait');
    END IF;
    RETURN r;
END
$$;

-- Several columns: one line of detail per unmet column.
CREATE FUNCTION hcguard__describe_columns(v hcguard__verdict)
RETURNS hcguard__report
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    r hcguard__report;
    unmet integer := (SELECT count(*) FROM unnest(v.col_problem) AS p WHERE p IS NOT NULL);
    lines text[] := '{}';
BEGIN
    IF unmet = 1 THEN
        FOR i IN 1 .. cardinality(v.col_given) LOOP
            IF v.col_problem[i] IS NOT NULL THEN
                RETURN hcguard__describe_one_column(v, i);
            END IF;
        END LOOP;
    END IF;
    r := hcguard__msg(CASE v.problem WHEN 'no_column' THEN 'columns_missing'
                                     WHEN 'wrong_type' THEN 'columns_wrong_type'
                                     ELSE 'columns_not_synced' END,
                      unmet::text, cardinality(v.col_given)::text, v.schema_name || '.' || v.table_name);
    FOR i IN 1 .. cardinality(v.col_given) LOOP
        CONTINUE WHEN v.col_problem[i] IS NULL;
        IF v.col_problem[i] = 'no_column' THEN
            lines := lines || hcguard__text('line_column_missing', v.col_name[i],
                                            hcguard__tried(hcguard__column_of_field(v.col_given[i])));
        ELSIF v.col_problem[i] = 'wrong_type' THEN
            lines := lines || hcguard__text('line_column_wrong_type', v.col_name[i], v.col_actual[i],
                                            v.col_declared[i]);
        ELSE
            lines := lines || (hcguard__text('line_column_not_synced', v.col_name[i]) || ' ' || v.col_observed[i]);
        END IF;
        IF v.col_closest[i] IS NOT NULL THEN
            r := hcguard__append_hint(r, 'closest_columns_to', v.col_name[i], v.col_closest[i]);
        END IF;
    END LOOP;
    r.detail := array_to_string(lines, E'\n');
    IF v.connect_blocked IS NOT NULL AND v.problem = 'not_synced' THEN
        r.hint := hcguard__text('connect_wait');
    END IF;
    RETURN r;
END
$$;

-- Where the schema is missing or no Connect schema: the report's variant.
CREATE FUNCTION hcguard__describe_schema(v hcguard__verdict, missing boolean)
RETURNS hcguard__report
LANGUAGE sql STABLE
AS $$
    SELECT CASE WHEN cardinality(v.closest) > 0 THEN
               hcguard__msg(CASE WHEN missing THEN 'no_schema_listed' ELSE 'not_connect_listed' END,
                            v.schema_name, CASE WHEN missing THEN hcguard__tried(v.schema_given) ELSE v.why END,
                            hcguard__quoted_list(v.closest))
           ELSE
               hcguard__msg(CASE WHEN missing THEN 'no_schema_alone' ELSE 'not_connect_alone' END,
                            v.schema_name, CASE WHEN missing THEN hcguard__tried(v.schema_given) ELSE v.why END,
                            quote_ident(current_database()))
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
        r := hcguard__describe_schema(v, true);
    WHEN 'schema_denied' THEN
        r := hcguard__msg('schema_denied', v.schema_name, current_user::text,
                          quote_ident(v.schema_name), quote_ident(current_user));
    WHEN 'not_connect' THEN
        r := hcguard__describe_schema(v, false);
    WHEN 'no_table' THEN
        r := hcguard__msg('no_table', mapping, v.schema_name, hcguard__tried(v.table_given));
        IF cardinality(v.closest) > 0 THEN
            r := hcguard__append_hint(r, 'closest_mappings', hcguard__quoted_list(v.closest));
        END IF;
    WHEN 'not_mapping' THEN
        r := hcguard__msg(CASE WHEN hcguard__is_system_table(v.table_name) THEN 'system_table'
                               ELSE 'not_mapping' END, mapping, v.why);
    WHEN 'table_denied' THEN
        r := hcguard__msg('table_denied', mapping, current_user::text,
                          format('%I.%I', v.schema_name, v.table_name), quote_ident(current_user));
    WHEN 'no_column', 'wrong_type' THEN
        r := hcguard__describe_columns(v);
    WHEN 'not_synced' THEN
        IF cardinality(v.col_given) > 0 THEN
            r := hcguard__describe_columns(v);
        ELSE
            r := hcguard__msg('mapping_not_synced', mapping, hcguard__confirm_call(v, NULL));
            r.detail := v.observed;
            IF v.connect_blocked IS NOT NULL THEN
                r.hint := hcguard__text('connect_wait');
            END IF;
        END IF;
    ELSE
        RETURN NULL;
    END CASE;
    RETURN r;
END
$$;

-- hcguard.on_failure: any role can set it here (see the README); read by
-- hcguard__on_failure (ddl/messages.sql).
CREATE FUNCTION hcguard__warn_only()
RETURNS boolean
LANGUAGE sql STABLE
AS $$ SELECT hcguard__on_failure() = 'warning' $$;

-- Whether a failing verdict is to be provisioned (ddl/provision.sql): what
-- the caller may not look at is not, and its error stands.
CREATE FUNCTION hcguard__provisions(v hcguard__verdict)
RETURNS boolean
LANGUAGE sql STABLE
AS $$
    SELECT v.problem IS NOT NULL AND v.problem NOT IN ('schema_denied', 'table_denied')
           AND hcguard__on_failure() = 'provision'
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
-- Declarations: what a guard that returned named is recorded
-- (ddl/declaration_store.sql, ddl/declarations.sql), in read-write
-- transactions only, and only what is new.
------------------------------------------------------------------------------

-- Whether this transaction records declarations: as in the C extension,
-- not a read-only one, not a SERIALIZABLE one (see hcguard__declare).
CREATE FUNCTION hcguard__may_record()
RETURNS boolean
LANGUAGE sql STABLE
AS $$
    SELECT NOT current_setting('transaction_read_only')::boolean
           AND current_setting('transaction_isolation') <> 'serializable'
$$;

CREATE FUNCTION hcguard__record(schema_name text, table_name text, columns text[], types text[])
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    IF NOT hcguard__may_record() THEN
        RETURN;
    END IF;
    IF coalesce(cardinality(columns), 0) = 0 THEN
        columns := ARRAY[''];
        types := ARRAY[NULL::text];
    END IF;
    -- one look for the common case, where everything is recorded already:
    -- declaring less (no type) does not weaken what is recorded
    IF EXISTS (SELECT FROM unnest(columns, types) AS c(name, type)
                WHERE NOT EXISTS (
                      SELECT FROM hcguard.declaration_store d
                       WHERE d.schema_name = hcguard__record.schema_name::name
                         AND d.table_name = hcguard__record.table_name::name
                         AND d.column_name = c.name::name
                         AND (c.type IS NULL OR d.declared_type = c.type))) THEN
        PERFORM hcguard__declare_all(schema_name::name, table_name::name, columns::name[], types);
    END IF;
END
$$;

-- Records what a verdict named, by the names the catalog has, or, for what
-- does not exist (a guard that warned), by the names Connect would give it:
-- in lower case, the field Id being sfid.
CREATE FUNCTION hcguard__record_verdict(v hcguard__verdict)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM hcguard__record(CASE WHEN v.nspid IS NULL THEN lower(v.schema_given) ELSE v.schema_name END,
                            CASE WHEN v.relid IS NULL THEN lower(v.table_given) ELSE v.table_name END,
                            ARRAY(SELECT CASE WHEN v.col_attnum[i] IS NULL
                                              THEN hcguard__column_of(v.col_given[i])
                                              ELSE v.col_name[i] END
                                    FROM generate_subscripts(v.col_given, 1) AS i ORDER BY i),
                            v.col_declared);
END
$$;

-- The SQLSTATE and message hcguard_required would raise for one name (the
-- column may declare its type), both NULL where it would pass; it never
-- provisions and never records (see ddl/declarations.sql).
CREATE FUNCTION hcguard__verdict_state(schema_name text, table_name text, column_name text,
                                       OUT code text, OUT message text)
LANGUAGE plpgsql
AS $$
DECLARE
    d record;
    v hcguard__verdict;
    r hcguard__report;
BEGIN
    PERFORM hcguard__name(schema_name, 'schema name'), hcguard__name(table_name, 'table name');
    d := hcguard__declared_columns(hcguard__optional_column(column_name));
    v := hcguard__verdict(schema_name, table_name, d.names, true, d.types);
    IF v.problem IS NOT NULL THEN
        r := hcguard__describe(v);
        code := r.sqlstate;
        message := r.message;
    END IF;
END
$$;

------------------------------------------------------------------------------
-- The contract's functions.
------------------------------------------------------------------------------

-- The guard on columns that may declare their types.
CREATE FUNCTION hcguard__require(schema_name text, table_name text, columns text[],
                                 unproven boolean DEFAULT false)
RETURNS boolean
LANGUAGE plpgsql
AS $$
DECLARE
    d record := hcguard__declared_columns(columns);
    v hcguard__verdict := hcguard__verdict(schema_name, table_name, d.names, true, d.types, unproven);
    passed boolean;
BEGIN
    -- what provisioning created must pass the guard like anything else
    IF hcguard__provisions(v) AND hcguard__provision(schema_name, table_name, d.names, d.types) THEN
        v := hcguard__verdict(schema_name, table_name, d.names, true, d.types);
    END IF;
    passed := hcguard__pass(v);
    -- it returned (under warning, false): what it named is declared
    PERFORM hcguard__record_verdict(v);
    RETURN passed;
END
$$;

/*
 * The common call, made fast: one column, named exactly as the catalog
 * names it, of a mapping in a Connect schema, with a Connect-written row
 * that holds a value.  Only a passing verdict is made here, and only where
 * the full verdict (hcguard__verdict) could not differ:
 *   - names are looked up by syscache (to_regclass), the shape of the
 *     schema and the mapping by one planned query, and the data by the
 *     probe, which fails where a name, a column or a right is missing;
 *   - a report of Connect's API on the schema could fail what the data
 *     passes: then the full verdict decides;
 *   - a confirmation, or the schema being provisioned, could only pass it.
 * Everything runs in a subtransaction rolled back at its end, which
 * releases the probe's lock as hcguard__look does; any error there (a
 * missing column, a right, Connect altering the table meanwhile) means
 * "let the full verdict say why".  True when the column passes so; false
 * when the first blocks hold no Connect-written value, so that the full verdict
 * goes straight to the pass that counts what its report shows; NULL
 * otherwise.
 */
CREATE FUNCTION hcguard__quick(schema_name text, table_name text, column_name text)
RETURNS boolean
LANGUAGE plpgsql
AS $$
DECLARE
    q text;
    rel oid;
    shape boolean;
    proven boolean;
    probe text;
    prepare boolean := false;
BEGIN
    -- names the full verdict reads otherwise: in another case, cut at 63
    -- bytes, Id (sfid), Connect's own columns and tables, a declared type
    IF column_name ~ '\s' OR lower(column_name) = 'id' OR column_name IN ('_hc_lastop', '_hc_err')
       OR table_name IN ('_hcmeta', '_trigger_log', '_trigger_log_archive', '_sf_event_log')
       OR octet_length(schema_name) > 63 OR octet_length(table_name) > 63 OR octet_length(column_name) > 63 THEN
        RETURN NULL;
    END IF;
    q := quote_ident(schema_name) || '.';
    -- The probe is planned once a session and column, as a prepared
    -- statement named for the column: planning it anew on every call cost
    -- as much as all the rest.  PostgreSQL plans it again when the table
    -- changes, and checks the caller's rights on every execution; a
    -- prepared statement outlives the subtransaction below, and one that
    -- is gone (DEALLOCATE, DISCARD) is made again.
    probe := 'hcguard_probe_' || md5(q || quote_ident(table_name) || '.' || quote_ident(column_name));
    LOOP
        BEGIN
            rel := to_regclass(q || quote_ident(table_name));
            -- a mapping (a table with _hc_err, a text _hc_lastop and the
            -- column) in a schema with Connect's three tables; no report of
            -- Connect's API on the schema, no confirmation of the column
            SELECT (SELECT count(*) FROM pg_class c
                     WHERE c.oid IN (rel, to_regclass(q || '_hcmeta'), to_regclass(q || '_trigger_log'),
                                     to_regclass(q || '_trigger_log_archive'))
                       AND (c.relkind = 'r' OR (c.oid <> rel AND c.relkind = 'p'))) = 4
               AND (SELECT count(*) FROM pg_attribute a
                     WHERE a.attrelid = rel AND a.attname IN ('_hc_err', '_hc_lastop', hcguard__quick.column_name::name)
                       AND a.attnum > 0 AND NOT a.attisdropped
                       AND (a.attname <> '_hc_lastop' OR a.atttypid IN ('text'::regtype, 'varchar'::regtype, 'bpchar'::regtype))) = 3
               AND NOT EXISTS (SELECT FROM hcguard.connect_snapshot r WHERE r.schema_name = hcguard__quick.schema_name::name)
               AND NOT EXISTS (SELECT FROM hcguard.confirmation_store k
                                WHERE k.schema_name = hcguard__quick.schema_name::name
                                  AND k.table_name = hcguard__quick.table_name::name
                                  AND k.column_name = hcguard__quick.column_name::name)
              INTO shape;
            IF shape THEN
                IF prepare THEN
                    -- Parallel workers cost more to start than a probe of
                    -- the first blocks (PostgreSQL 13, which has no TID
                    -- range scan, might otherwise plan them).
                    PERFORM set_config('max_parallel_workers_per_gather', '0', true);
                    -- The table's first blocks, so that a column with no
                    -- Connect-written value costs one pass (the full
                    -- verdict's, which counts) and not two.  A range of
                    -- ctid, not a LIMIT in a subquery, which costs more to
                    -- plan; PostgreSQL 13 reads the whole table here.
                    EXECUTE format('PREPARE %I AS SELECT EXISTS (SELECT FROM ONLY %I.%I'
                                   ' WHERE ctid OPERATOR(pg_catalog.<) %L::pg_catalog.tid AND %I IS NOT NULL AND %s)',
                                   probe, schema_name, table_name, format('(%s,0)', hcguard__probe_blocks()),
                                   column_name, hcguard__connect_written());
                END IF;
                EXECUTE 'EXECUTE ' || quote_ident(probe) INTO proven;
            END IF;
            RAISE EXCEPTION USING ERRCODE = 'HCQK0';
        EXCEPTION
            WHEN SQLSTATE 'HCQK0' THEN
                EXIT;
            WHEN invalid_sql_statement_name THEN
                -- not prepared yet in this session: prepare it, once
                IF prepare THEN
                    RETURN NULL;
                END IF;
                prepare := true;
            WHEN OTHERS THEN
                RETURN NULL;
        END;
    END LOOP;
    IF NOT proven THEN
        RETURN false;
    ELSIF proven IS NULL THEN
        RETURN NULL;
    END IF;
    -- recorded already, as it is after the first call: nothing to write
    PERFORM FROM hcguard.declaration_store d
      WHERE d.schema_name = hcguard__quick.schema_name::name AND d.table_name = hcguard__quick.table_name::name
        AND d.column_name = hcguard__quick.column_name::name;
    IF NOT FOUND THEN
        PERFORM hcguard__record(schema_name, table_name, ARRAY[column_name], ARRAY[NULL::text]);
    END IF;
    RETURN true;
END
$$;

CREATE OR REPLACE FUNCTION hcguard_required(schema_name text, table_name text,
                                            column_name text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    quick boolean;
BEGIN
    -- bad arguments (checked inline: the common call should not pay for
    -- three function calls); the checks below say which one, and how
    IF schema_name IS NULL OR schema_name = '' OR table_name IS NULL OR table_name = ''
       OR column_name IS NULL OR column_name = '' OR lower(column_name) IN ('_hc_lastop', '_hc_err') THEN
        PERFORM hcguard__name(schema_name, 'schema name'), hcguard__name(table_name, 'table name'),
                hcguard__column_arg(column_name);
    END IF;
    quick := hcguard__quick(schema_name, table_name, column_name);
    IF quick THEN
        RETURN true;
    END IF;
    RETURN hcguard__require(schema_name, table_name, ARRAY[column_name], quick IS NOT NULL);
END
$$;

CREATE OR REPLACE FUNCTION hcguard_required(schema_name text, table_name text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
BEGIN
    RETURN hcguard__require(hcguard__name(schema_name, 'schema name'),
                            hcguard__name(table_name, 'table name'),
                            '{}');
END
$$;

CREATE OR REPLACE FUNCTION hcguard_required(schema_name text, table_name text,
                                            VARIADIC column_names text[])
RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
BEGIN
    RETURN hcguard__require(hcguard__name(schema_name, 'schema name'),
                            hcguard__name(table_name, 'table name'),
                            hcguard__column_list(column_names));
END
$$;

CREATE OR REPLACE FUNCTION hcguard_status(schema_name text, table_name text,
                                          column_name text DEFAULT NULL)
RETURNS hcguard_status_row
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    cols text[];
    d record;
    v hcguard__verdict;
    r hcguard__report;
    s hcguard_status_row;
BEGIN
    PERFORM hcguard__name(schema_name, 'schema name'), hcguard__name(table_name, 'table name');
    cols := hcguard__optional_column(column_name);
    d := hcguard__declared_columns(cols);
    v := hcguard__verdict(schema_name, table_name, d.names, true, d.types);
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
        PERFORM hcguard__error('confirm_on_standby', function_name);
    END IF;
    IF current_setting('transaction_read_only') = 'on' THEN
        PERFORM hcguard__error('confirm_read_only', function_name);
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
        PERFORM hcguard__error('not_owner', v.table_name, v.schema_name || '.' || v.table_name, function_name);
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
    INSERT INTO hcguard.confirmation_store AS s
           (schema_name, table_name, column_name, confirmed_by, confirmed_at, note)
    VALUES (v.schema_name, v.table_name, target, current_user, now(), note)
    ON CONFLICT ON CONSTRAINT confirmation_store_pkey DO UPDATE SET
           relid = excluded.relid, attnum = excluded.attnum,
           confirmed_by = excluded.confirmed_by,
           confirmed_at = excluded.confirmed_at, note = excluded.note;
    now_v := hcguard__verdict(v.schema_given, v.table_given, v.col_given, false);
    IF now_v.problem IS NOT NULL THEN
        PERFORM hcguard__raise(hcguard__describe(now_v));
    END IF;
    IF now_v.relid <> v.relid OR now_v.col_attnum[1] IS DISTINCT FROM v.col_attnum[1] THEN
        PERFORM hcguard__error(CASE WHEN target = '' THEN 'replaced_table' ELSE 'replaced_column' END,
                               CASE WHEN target = '' THEN now_v.table_name ELSE now_v.col_name[1] END);
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
    IF v.col_problem[1] IS DISTINCT FROM 'no_column' THEN
        DELETE FROM hcguard.confirmation_store s
         WHERE s.schema_name = v.schema_name::name AND s.table_name = v.table_name::name
           AND s.column_name = target::name;
        GET DIAGNOSTICS removed = ROW_COUNT;
    ELSE
        -- a column that no longer exists: by each spelling it is looked up by
        removed := 0;
        FOREACH target IN ARRAY hcguard__spellings(hcguard__column_of_field(v.col_given[1])) LOOP
            EXIT WHEN removed > 0;
            DELETE FROM hcguard.confirmation_store s
             WHERE s.schema_name = v.schema_name::name AND s.table_name = v.table_name::name
               AND s.column_name = target::name;
            GET DIAGNOSTICS removed = ROW_COUNT;
        END LOOP;
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

-- Whether a look at a schema's data can decide its mappings alone: hcguard
-- did not provision it (there the declaration is the truth) and no report
-- of Connect's API covers it (one may fail what the data passes).
CREATE FUNCTION hcguard__data_decides(nsp oid, schema_name text)
RETURNS boolean
LANGUAGE sql STABLE
AS $$
    SELECT NOT hcguard__provisioned(nsp)
           AND NOT EXISTS (SELECT FROM hcguard.connect_snapshot s
                            WHERE s.schema_name = hcguard__data_decides.schema_name::name)
$$;

/*
 * Runs probes, each a scalar subquery giving a boolean, for the looks at
 * many mappings (#19): hcguard__probe_batch() of them to a statement, not
 * one, since a statement a mapping cost a thousand plans' and
 * subtransactions' overhead; each statement in a subtransaction rolled back
 * at once, so that no lock outlives the look.  Returns their answers in
 * order, NULL for every probe of a statement that failed (a table dropped
 * or changed meanwhile: the full look says why).  With plans, a prefix for
 * the statements' names, each statement is planned once a session, as
 * hcguard__quick's probe is, and named for its text: a mapping added or
 * dropped changes the names, and those of the prefix the call did not use
 * are deallocated.
 */
CREATE FUNCTION hcguard__probe_each(probes text[], plans text DEFAULT NULL)
RETURNS boolean[]
LANGUAGE plpgsql
AS $$
DECLARE
    old_pg boolean := current_setting('server_version_num')::integer < 140000;
    size integer := hcguard__probe_batch();
    answers boolean[] := '{}';
    seen boolean[];
    probe text;
    statement text;
    used text[] := '{}';
    prepare boolean;
    tidy boolean := false;
BEGIN
    FOR lo IN 1 .. coalesce(cardinality(probes), 0) BY size LOOP
        probe := 'SELECT ARRAY[' || array_to_string(probes[lo : lo + size - 1], ', ')
                 || ']::pg_catalog.bool[]';
        statement := plans || md5(probe);   -- NULL without plans
        used := used || statement;
        prepare := false;
        LOOP
            BEGIN
                IF old_pg THEN
                    -- no TID range scan: a scan that may stop at its first
                    -- row costs less without parallel workers
                    PERFORM set_config('max_parallel_workers_per_gather', '0', true);
                END IF;
                IF statement IS NULL THEN
                    EXECUTE probe INTO seen;
                ELSE
                    IF prepare THEN
                        EXECUTE format('PREPARE %I AS %s', statement, probe);
                    END IF;
                    EXECUTE 'EXECUTE ' || quote_ident(statement) INTO seen;
                END IF;
                RAISE EXCEPTION USING ERRCODE = 'HCQK0';
            EXCEPTION
                WHEN SQLSTATE 'HCQK0' THEN
                    EXIT;
                WHEN invalid_sql_statement_name THEN
                    -- not prepared yet in this session: prepare it, once
                    seen := NULL;
                    EXIT WHEN prepare OR statement IS NULL;
                    prepare := true;
                    tidy := true;
                WHEN OTHERS THEN
                    seen := NULL;
                    EXIT;
            END;
        END LOOP;
        answers := answers || coalesce(seen, array_fill(NULL::boolean,
                                                        ARRAY[least(size, cardinality(probes) - lo + 1)]));
    END LOOP;
    IF tidy THEN
        FOR statement IN SELECT p.name FROM pg_prepared_statements p
                          WHERE starts_with(p.name, plans) AND p.name <> ALL (used) LOOP
            EXECUTE 'DEALLOCATE ' || quote_ident(statement);
        END LOOP;
    END IF;
    RETURN answers;
END
$$;

/*
 * One row per mapping of a Connect schema.  The verdict, for the common
 * mapping (one the caller may read, in a schema hcguard did not provision
 * and no report of Connect's API covers, with no confirmation), comes from
 * a probe of its first blocks, planned once a session (hcguard__probe_each);
 * any other mapping, and one the probe does not prove, gets the full
 * verdict (hcguard__verdict), which the probe can only agree with.  The
 * catalog facts of every mapping come from one query, after all the looks.
 */
CREATE FUNCTION hcguard__schema_rows(nsp oid, schema_name text)
RETURNS SETOF hcguard_mapping_row
LANGUAGE plpgsql
SET jit = off   -- as hcguard__mappings_of
AS $$
DECLARE
    health record := hcguard__write_health(nsp, schema_name);
    plain boolean := hcguard__data_decides(nsp, schema_name);
    old_pg boolean := current_setting('server_version_num')::integer < 140000;
    names text[];
    common boolean[];
    places integer[];
    seen boolean[];
    proven boolean[];
    v hcguard__verdict;
    -- the rows, before their catalog facts: by name when proven (no relid
    -- was looked up), else the verdict's table
    n integer := 0;
    row_schema text[] := '{}';
    row_table text[] := '{}';
    row_relid oid[] := '{}';
    row_by_name boolean[] := '{}';
    row_synced boolean[] := '{}';
    row_evidence text[] := '{}';
BEGIN
    SELECT coalesce(array_agg(q.name ORDER BY q.name COLLATE "C"), '{}'),
           coalesce(array_agg(plain AND has_table_privilege(q.relid, 'SELECT')
                              AND NOT EXISTS (SELECT FROM hcguard.confirmation_store k
                                               WHERE k.schema_name = hcguard__schema_rows.schema_name::name
                                                 AND k.table_name = q.name::name AND k.column_name = ''
                                                 AND k.relid = q.relid AND k.attnum = 0)
                              ORDER BY q.name COLLATE "C"), '{}')
      INTO names, common
      FROM hcguard__mappings_of(nsp) AS q;
    -- (a plain LIMIT 1 plans faster than EXISTS: no subquery)
    SELECT hcguard__probe_each(
               coalesce(array_agg(format('(SELECT true FROM ONLY %I.%I WHERE ctid OPERATOR(pg_catalog.<) %L::pg_catalog.tid'
                                         ' AND %s LIMIT 1)',
                                         schema_name, u.name, format('(%s,0)', hcguard__probe_blocks()),
                                         hcguard__connect_written()) ORDER BY u.i), '{}'),
               'hcguard_mappings_' || left(md5(schema_name), 12) || '_'),
           coalesce(array_agg(u.i ORDER BY u.i), '{}')
      INTO proven, places
      FROM unnest(names, common) WITH ORDINALITY AS u(name, common, i)
     WHERE u.common;
    -- by the mapping's place
    seen := proven;
    proven := array_fill(NULL::boolean, ARRAY[cardinality(names)]);
    FOR k IN 1 .. cardinality(places) LOOP
        proven[places[k]] := seen[k];
    END LOOP;

    FOR i IN 1 .. cardinality(names) LOOP
        IF proven[i] THEN
            v.schema_name := schema_name;
            v.table_name := names[i];
            v.relid := NULL;
            v.synced := true;
            v.evidence := 'data';
            v.problem := NULL;
        ELSE
            v := hcguard__verdict(schema_name, names[i], '{}');
            CONTINUE WHEN v.problem IS NOT NULL AND v.problem NOT IN ('table_denied', 'not_synced');
        END IF;
        n := n + 1;
        row_schema[n] := v.schema_name;
        row_table[n] := v.table_name;
        row_relid[n] := v.relid;
        row_by_name[n] := coalesce(proven[i], false);
        row_synced[n] := CASE WHEN v.problem = 'table_denied' THEN NULL ELSE v.synced END;
        row_evidence[n] := v.evidence;
    END LOOP;

    -- The tables' facts as they stand now, after the looks: one may have
    -- waited for Connect's ALTER or DROP, and the facts must agree with the
    -- verdict (so a proven table is looked up again by name).
    RETURN QUERY
    SELECT o.schema_name, o.table_name, f.field_count,
           -- Unknown until the table is first analyzed: -1 from PostgreSQL
           -- 14 on; 13 has 0 rows in 0 pages, as for an empty table, and
           -- its planner takes both for unknown.
           CASE WHEN f.rows_estimate < 0 OR (f.rows_estimate = 0 AND f.pages = 0 AND old_pg)
                THEN NULL ELSE f.rows_estimate END,
           o.synced, o.evidence,
           CASE WHEN health.pending_known
                THEN coalesce((health.pending ->> o.table_name)::bigint, 0) END,
           CASE WHEN health.failed_known
                THEN coalesce((health.failed -> o.table_name ->> 0)::bigint, 0) END,
           (health.failed -> o.table_name ->> 1)::timestamptz,
           health.failed -> o.table_name ->> 2,
           f.status_trigger, f.log_trigger
      FROM unnest(row_schema, row_table, row_relid, row_by_name, row_synced, row_evidence)
           WITH ORDINALITY AS o(schema_name, table_name, relid, by_name, synced, evidence, n)
      LEFT JOIN LATERAL (
            SELECT -- the columns but Connect's own and dropped ones,
                   -- without reading every column: a dropped column is
                   -- renamed "........pg.dropped.N........", so the index
                   -- finds them
                   (c.relnatts
                     - (SELECT count(*) FROM pg_attribute a
                         WHERE a.attrelid = c.oid AND a.attnum > 0 AND a.attisdropped
                           AND a.attname >= '........pg.dropped.' AND a.attname < '........pg.dropped/')
                     - (SELECT count(*) FROM pg_attribute a
                         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                           AND a.attname IN ('id', '_hc_lastop', '_hc_err')))::integer AS field_count,
                   trunc(c.reltuples)::bigint AS rows_estimate, c.relpages AS pages,
                   EXISTS (SELECT FROM pg_trigger t
                            WHERE t.tgrelid = c.oid AND t.tgname = format('hc_%s_status_trigger', o.table_name)::name
                              AND t.tgenabled <> 'D') AS status_trigger,
                   EXISTS (SELECT FROM pg_trigger t
                            WHERE t.tgrelid = c.oid AND t.tgname = format('hc_%s_logtrigger', o.table_name)::name
                              AND t.tgenabled <> 'D') AS log_trigger
              FROM pg_class c
             WHERE c.oid = CASE WHEN o.by_name THEN to_regclass(format('%I.%I', o.schema_name, o.table_name))
                                ELSE o.relid END) AS f ON true
     ORDER BY o.n;
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
    -- every field column must be readable, not only _hc_lastop and sfid
    IF (l.verdict).problem = 'table_denied' THEN
        PERFORM hcguard__raise(hcguard__describe(l.verdict));
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
    d record;
    timeout_ms double precision;
    started timestamptz := clock_timestamp();
    last_progress timestamptz := started;
    waited_ms double precision;
    v hcguard__verdict;
    r hcguard__report;
    first_look boolean := true;
    passed boolean;
BEGIN
    PERFORM hcguard__name(schema_name, 'schema name'), hcguard__name(table_name, 'table name');
    cols := hcguard__optional_column(column_name);
    d := hcguard__declared_columns(cols);
    IF timeout IS NULL THEN
        PERFORM hcguard__error('timeout_null');
    END IF;
    timeout_ms := extract(epoch FROM timeout) * 1000;
    IF timeout_ms < 0 THEN
        PERFORM hcguard__error('timeout_negative');
    END IF;
    IF current_setting('transaction_isolation') IN ('repeatable read', 'serializable') THEN
        PERFORM hcguard__error('wait_isolation');
    END IF;
    LOOP
        -- a fresh verdict per poll, no lock held between polls
        v := hcguard__verdict(schema_name, table_name, d.names, true, d.types);
        -- where hcguard provisions, there is no Connect to wait for: what
        -- is missing is created at the first look, which then passes
        IF first_look AND hcguard__provisions(v)
           AND hcguard__provision(schema_name, table_name, d.names, d.types) THEN
            v := hcguard__verdict(schema_name, table_name, d.names, true, d.types);
        END IF;
        first_look := false;
        IF v.problem IS NULL THEN
            PERFORM hcguard__record_verdict(v);
            RETURN true;
        END IF;
        waited_ms := extract(epoch FROM clock_timestamp() - started) * 1000;
        IF waited_ms >= timeout_ms THEN
            passed := hcguard__pass(v);
            PERFORM hcguard__record_verdict(v);
            RETURN passed;
        END IF;
        IF clock_timestamp() - last_progress >= interval '30 seconds' THEN
            r := hcguard__describe(v);
            RAISE NOTICE USING
                MESSAGE = (hcguard__msg('wait_progress', floor(waited_ms / 1000)::text, r.message)).message,
                DETAIL = r.detail;
            last_progress := clock_timestamp();
        END IF;
        PERFORM pg_sleep(greatest(least(hcguard__poll_interval(), timeout_ms - waited_ms), 1) / 1000.0);
    END LOOP;
END
$$;

------------------------------------------------------------------------------
-- Configuration as code: the JSON `heroku connect:export` writes.
------------------------------------------------------------------------------

-- A document of another shape: why (a config_* report), at which path.
CREATE FUNCTION hcguard__refuse(why text, path text)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM hcguard__error(why, path);
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
        PERFORM hcguard__refuse('config_not_object', '$');
    END IF;
    IF NOT config ? 'mappings' THEN
        PERFORM hcguard__refuse('config_missing', '$.mappings');
    END IF;
    IF jsonb_typeof(config -> 'mappings') <> 'array' THEN
        PERFORM hcguard__refuse('config_not_array', '$.mappings');
    END IF;
    FOR m IN SELECT e FROM jsonb_array_elements(config -> 'mappings') AS e LOOP
        path := format('$.mappings[%s]', i);
        IF jsonb_typeof(m) <> 'object' THEN
            PERFORM hcguard__refuse('config_not_object', path);
        END IF;
        IF NOT m ? 'object_name' THEN
            PERFORM hcguard__refuse('config_missing', path || '.object_name');
        END IF;
        IF jsonb_typeof(m -> 'object_name') <> 'string' OR m ->> 'object_name' = '' THEN
            PERFORM hcguard__refuse('config_not_name', path || '.object_name');
        END IF;
        IF NOT m ? 'config' THEN
            PERFORM hcguard__refuse('config_missing', path || '.config');
        END IF;
        IF jsonb_typeof(m -> 'config') <> 'object' THEN
            PERFORM hcguard__refuse('config_not_object', path || '.config');
        END IF;
        IF NOT (m -> 'config') ? 'fields' THEN
            PERFORM hcguard__refuse('config_missing', path || '.config.fields');
        END IF;
        IF jsonb_typeof(m -> 'config' -> 'fields') <> 'object' THEN
            PERFORM hcguard__refuse('config_not_object', path || '.config.fields');
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

/*
 * The entries of a configuration (by their place in it) that a look at
 * their first blocks proves, for hcguard_required_config (#19): in a schema
 * hcguard did not provision and no report of Connect's API covers, a
 * mapping the caller may read, with a column for every field, whose first
 * blocks hold Connect-written rows with a value in each of those columns.
 * The full look (hcguard__look) can only agree with it, and every other
 * entry gets that look.  The columns of the whole file are resolved in one
 * query, and the tables read by hcguard__probe_each; a migration calls this
 * once in a session, so nothing is planned for later.
 */
CREATE FUNCTION hcguard__config_proven(nsp oid, schema_name text, config jsonb)
RETURNS integer[]
LANGUAGE plpgsql
SET jit = off   -- as hcguard__mappings_of
AS $$
DECLARE
    places integer[];
    probes text[];
BEGIN
    IF NOT hcguard__data_decides(nsp, schema_name) THEN
        RETURN '{}';
    END IF;
    SELECT coalesce(array_agg(m.ord ORDER BY m.ord), '{}'),
           -- (one comparison with an array of the counts plans faster
           -- than a comparison a count)
           coalesce(array_agg(format('(SELECT 0 OPERATOR(pg_catalog.<) ALL (ARRAY[count(*)%s])'
                                     ' FROM ONLY %I.%I WHERE ctid OPERATOR(pg_catalog.<) %L::pg_catalog.tid AND %s)',
                                     (SELECT string_agg(format(', count(%I)', c), '')
                                        FROM unnest(m.cols) AS c),
                                     schema_name, m.name, format('(%s,0)', hcguard__probe_blocks()),
                                     hcguard__connect_written())
                              ORDER BY m.ord), '{}')
      INTO places, probes
      FROM (SELECT p.ord, q.name, q.relid, k.cols
              FROM hcguard__parse_config(config) AS p
              JOIN hcguard__mappings_of(nsp) AS q ON q.name = lower(p.object_name)
              CROSS JOIN LATERAL (SELECT ARRAY(SELECT DISTINCT hcguard__column_of(f)
                                                 FROM unnest(p.fields) AS f) AS cols) AS k
            OFFSET 0) AS m   -- (each entry's columns listed once, not once a use)
     WHERE has_table_privilege(m.relid, 'SELECT')
       -- each column by its exact name (one cut at 63 bytes gets the full
       -- look), none of them Connect's own
       AND NOT EXISTS (SELECT FROM unnest(m.cols) AS c
                        WHERE c IN ('_hc_lastop', '_hc_err')
                           OR NOT EXISTS (SELECT FROM pg_attribute a
                                           WHERE a.attrelid = m.relid AND a.attname = c::name
                                             AND a.attname::text = c AND a.attnum > 0 AND NOT a.attisdropped));
    RETURN ARRAY(SELECT x.place FROM unnest(places, hcguard__probe_each(probes)) AS x(place, proven)
                  WHERE x.proven);
END
$$;

CREATE FUNCTION hcguard__config_diff(schema_name text, config jsonb,
                                     quick boolean DEFAULT false)
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
    proven integer[] := '{}';
BEGIN
    PERFORM hcguard__name(schema_name, 'schema name');
    IF config IS NULL THEN
        PERFORM hcguard__error('config_null');
    END IF;
    -- the document's shape is checked before anything else
    PERFORM count(*) FROM hcguard__parse_config(config);
    s := hcguard__resolve_schema(schema_name, true);
    IF s.problem IS NOT NULL THEN
        PERFORM hcguard__raise(hcguard__describe(s));
    END IF;
    IF quick THEN
        proven := hcguard__config_proven(s.nspid, s.schema_name, config);
    END IF;

    FOR m IN SELECT * FROM hcguard__parse_config(config) ORDER BY 1 LOOP
        tbl := lower(m.object_name);
        IF m.ord = ANY (proven) THEN
            seen := seen || tbl;
            CONTINUE;
        END IF;
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
        -- every field the file names must be readable too
        IF v.problem = 'table_denied' THEN
            PERFORM hcguard__raise(hcguard__describe(v));
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

/*
 * Under hcguard.on_failure = provision, creates every mapping and field the
 * file lists that the database lacks, before the file is checked, as the C
 * extension does: fields get Connect's types where Connect's own, else
 * character varying(255).  The first refusal stops it: the check then fails
 * as under error.
 */
CREATE FUNCTION hcguard__provision_config(schema_name text, config jsonb)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    s hcguard__verdict;
    m record;
    cols text[];
BEGIN
    IF config IS NULL THEN
        RETURN;     -- the check refuses it
    END IF;
    PERFORM hcguard__name(schema_name, 'schema name');
    PERFORM count(*) FROM hcguard__parse_config(config);
    s := hcguard__resolve_schema(schema_name, true);
    IF s.problem = 'schema_denied' THEN
        RETURN;
    END IF;
    FOR m IN SELECT * FROM hcguard__parse_config(config) ORDER BY 1 LOOP
        IF s.problem IS NULL AND NOT EXISTS (
            SELECT FROM hcguard__config_diff(schema_name,
                            jsonb_build_object('mappings', jsonb_build_array(jsonb_build_object(
                                'object_name', m.object_name,
                                'config', jsonb_build_object('fields',
                                    (SELECT jsonb_object_agg(f, '{}'::jsonb) FROM unnest(m.fields) AS f))))))
                          AS d
             WHERE d.problem NOT IN ('extra_mapping', 'extra_field')) THEN
            CONTINUE;
        END IF;
        cols := ARRAY(SELECT hcguard__column_of(f) FROM unnest(m.fields) WITH ORDINALITY AS q(f, o) ORDER BY o);
        IF NOT hcguard__provision(schema_name, lower(m.object_name), cols, NULL) THEN
            RETURN;
        END IF;
    END LOOP;
END
$$;

-- What a file maps is declared, once the check has returned.
CREATE FUNCTION hcguard__record_config(schema_name text, config jsonb)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    m record;
BEGIN
    IF NOT hcguard__may_record() THEN
        RETURN;
    END IF;
    -- one look at the store for the common case, where everything is
    -- recorded already, not two a mapping
    IF NOT EXISTS (SELECT lower(e.object_name)::name, c.name::name
                     FROM hcguard__parse_config(config) AS e,
                          unnest(ARRAY[''] || ARRAY(SELECT hcguard__column_of(f) FROM unnest(e.fields) AS f)) AS c(name)
                   EXCEPT
                   SELECT d.table_name, d.column_name
                     FROM hcguard.declaration_store d
                    WHERE d.schema_name = hcguard__record_config.schema_name::name) THEN
        RETURN;
    END IF;
    FOR m IN SELECT * FROM hcguard__parse_config(config) ORDER BY 1 LOOP
        PERFORM hcguard__record(schema_name, lower(m.object_name), '{}', '{}');
        PERFORM hcguard__record(schema_name, lower(m.object_name),
                                ARRAY(SELECT hcguard__column_of(f) FROM unnest(m.fields) AS f),
                                array_fill(NULL::text, ARRAY[cardinality(m.fields)]));
    END LOOP;
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
    found_schema text;
    r hcguard__report;
    passed boolean;
BEGIN
    IF hcguard__on_failure() = 'provision' THEN
        PERFORM hcguard__provision_config(schema_name, config);
    END IF;
    found_schema := (hcguard__find_schema(schema_name)).found_name;
    -- (the entries a look at their first blocks proves are passed over:
    -- passing, they add no line to the report)
    FOR d IN SELECT * FROM hcguard__config_diff(schema_name, config, true) LOOP
        CONTINUE WHEN d.problem IN ('extra_mapping', 'extra_field');
        missing_mappings := missing_mappings + (d.problem = 'missing_mapping')::integer;
        missing_fields := missing_fields + (d.problem = 'missing_field')::integer;
        failures := failures + 1;
        IF failures <= 20 THEN
            IF detail <> '' THEN
                detail := detail || E'\n';
            END IF;
            detail := detail || CASE d.problem
                WHEN 'missing_mapping' THEN hcguard__text('config_line_missing_mapping', d.object_name, d.table_name)
                WHEN 'unsynced_mapping' THEN hcguard__text('config_line_unsynced_mapping', d.object_name, d.table_name)
                WHEN 'missing_field' THEN hcguard__text('config_line_missing_field',
                                                        d.object_name, d.field_name, d.table_name, d.column_name)
                ELSE hcguard__text('config_line_unsynced_field',
                                   d.object_name, d.field_name, d.table_name, d.column_name) END;
        END IF;
    END LOOP;
    IF failures = 0 THEN
        PERFORM hcguard__record_config(found_schema, config);
        RETURN true;
    END IF;
    IF failures > 20 THEN
        detail := detail || E'\n' || hcguard__text('and_more', (failures - 20)::text);
    END IF;
    r := hcguard__msg(CASE WHEN missing_mappings > 0 THEN 'config_missing_objects'
                           WHEN missing_fields > 0 THEN 'config_missing_fields'
                           ELSE 'config_not_synced' END,
                      failures::text, found_schema);
    r.detail := detail;
    passed := hcguard__raise(r, hcguard__warn_only());
    PERFORM hcguard__record_config(found_schema, config);
    RETURN passed;
END
$$;

------------------------------------------------------------------------------
-- Every function of the edition runs with search_path pinned to pg_catalog
-- and this schema, whatever the caller's: nothing the caller put on their
-- search_path is reached.  Internal functions run from those, but the view
-- hcguard_declarations calls hcguard__declarations itself, so it is pinned
-- too.  Then the version is recorded.
------------------------------------------------------------------------------

DO $pin$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN SELECT p.oid FROM pg_catalog.pg_proc p
              WHERE p.pronamespace OPERATOR(pg_catalog.=) pg_catalog.current_schema()::pg_catalog.regnamespace
                AND p.proname OPERATOR(pg_catalog.~~) 'hcguard\_%'
                AND (p.proname OPERATOR(pg_catalog.!~~) 'hcguard\_\_%' OR p.prorettype OPERATOR(pg_catalog.=) 'pg_catalog.trigger'::pg_catalog.regtype
                     OR p.proname OPERATOR(pg_catalog.=) 'hcguard__declarations')
    LOOP
        EXECUTE pg_catalog.format('ALTER FUNCTION %s SET search_path = pg_catalog, %I, pg_temp',
                                  f, pg_catalog.current_schema());
    END LOOP;
END
$pin$;

INSERT INTO hcguard.sql_edition AS e (version) VALUES ('1.2')
ON CONFLICT (one_row) DO UPDATE SET version = excluded.version, updated_at = pg_catalog.now();
