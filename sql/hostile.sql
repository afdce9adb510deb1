--
-- Hostile names and a hostile environment.
--
-- Every function meets NULLs in every position, empty and blank names,
-- names of 63, 64 and 200+ bytes, multibyte names (one whose 63-byte
-- truncation splits a character), quotes, dots, semicolons, SQL text,
-- backslashes, control characters and names that exist only in mixed case.
-- Every call ends in a result or one of the contract's SQLSTATEs, and
-- nothing but hcguard's confirmation store changes.  Then a search_path
-- full of look-alike functions, operators, tables and a view changes no
-- result and runs no look-alike.
--
-- The output is the same whatever the database encoding (UTF8 or
-- SQL_ASCII): hostile names appear in error messages and unaligned rows,
-- never in aligned columns, and no object is given a name that would be
-- truncated.  The Connect schemas made here are dropped at the end.
--
CREATE TABLE hostile_canary (id integer PRIMARY KEY, note text);
INSERT INTO hostile_canary VALUES (1, 'alive');

-- A Connect schema whose mappings have hostile names, synced.
SELECT hcdouble.create_connect_schema('hc_hostile');
SELECT hcdouble.create_mapping('hc_hostile', 'Contact',
    '[["Email","email"],["LastName","string(80)"]]');
SELECT count(hcdouble.add_field('hc_hostile', 'Contact', f, 'string(20)')) AS fields_added
  FROM unnest(ARRAY['kontakt_ä', '📇', $$it's "quoted"$$, 'semi;colon', 'dot.ted',
                    E'back\\slash', E'tab\there', 'x; drop table hostile_canary; --',
                    'd$$ollar', '%s%n', repeat('y', 63), repeat('ä', 31) || 'y']) AS f;
SELECT hcdouble.connect_load('hc_hostile', 'Contact', 3);
SELECT hcdouble.create_mapping('hc_hostile', 'Lead', '[["Company","string(255)"]]');
SELECT hcdouble.create_mapping('hc_hostile', $$t"; drop table hostile_canary; --$$,
    '[["Name","string(80)"]]');
SELECT hcdouble.connect_load('hc_hostile', $$t"; drop table hostile_canary; --$$, 2);
-- A table that exists only in mixed case, as people create them (Connect
-- never does): its name is found exactly, its lower case is another name.
CREATE TABLE hc_hostile."MixedCase" (id integer PRIMARY KEY, sfid varchar(18),
    "Name" varchar(80), _hc_lastop varchar(32), _hc_err text);
INSERT INTO hc_hostile."MixedCase" VALUES (1, '001000000000001AAA', 'x', 'SYNCED', NULL);
-- A Connect schema named in mixed case, and one with a hostile name.
SELECT hcdouble.create_connect_schema('HcMixed');
SELECT hcdouble.create_mapping('HcMixed', 'Contact', '[["Email","email"]]');
SELECT hcdouble.connect_load('HcMixed', 'Contact', 1);
SELECT hcdouble.create_connect_schema($$s"; drop table hostile_canary; --$$);
SELECT hcdouble.create_mapping($$s"; drop table hostile_canary; --$$, 'Contact',
    '[["Email","email"]]');
SELECT hcdouble.connect_load($$s"; drop table hostile_canary; --$$, 'Contact', 1);
SELECT hcdouble.app_insert($$s"; drop table hostile_canary; --$$, 'Contact',
    '{"email": "x@example.com"}') IS NOT NULL AS inserted;
SELECT hcdouble.connect_push($$s"; drop table hostile_canary; --$$, 'Contact', false,
    $$INVALID_EMAIL: '); drop table hostile_canary; --$$);
SELECT hcdouble.app_insert($$s"; drop table hostile_canary; --$$, 'Contact',
    '{"email": "y@example.com"}') IS NOT NULL AS inserted;
-- Row-level security on the hostile table: for the migrator the probe then
-- reads through SQL, which must quote the names.
ALTER TABLE hc_hostile."t""; drop table hostile_canary; --" ENABLE ROW LEVEL SECURITY;
CREATE POLICY connect_rows ON hc_hostile."t""; drop table hostile_canary; --"
    FOR SELECT TO regress_hc_migrator USING (_hc_lastop IS NULL OR _hc_lastop = 'SYNCED');
SELECT hcdouble.grant_reader(s, 'regress_hc_migrator')
  FROM unnest(ARRAY['hc_hostile', 'HcMixed', $$s"; drop table hostile_canary; --$$]) AS s;
-- The mapping owner owns lead.
ALTER TABLE hc_hostile.lead OWNER TO regress_hc_owner;
GRANT USAGE ON SCHEMA hc_hostile TO regress_hc_owner;

-- What must not change: every relation's name, kind, columns and owner,
-- and the content of every table in the Connect schemas made here.
CREATE FUNCTION hostile_fingerprint() RETURNS text
LANGUAGE plpgsql AS $fp$
DECLARE
    r record;
    digest text;
    parts text;
BEGIN
    SELECT md5(string_agg(format('%s %s %s %s %s', c.relnamespace::regnamespace, c.relname,
                                 c.relkind, c.relnatts, c.relowner::regrole),
                          ',' ORDER BY c.relnamespace::regnamespace::text, c.relname))
      INTO parts
      FROM pg_class c
     WHERE c.relpersistence <> 't';
    FOR r IN SELECT c.oid::regclass AS rel
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname IN ('hc_hostile', 'HcMixed', $$s"; drop table hostile_canary; --$$)
                AND c.relkind = 'r'
              ORDER BY 1
    LOOP
        EXECUTE format('SELECT md5(string_agg(t::text, '','' ORDER BY t::text)) FROM %s t', r.rel)
           INTO digest;
        parts := parts || ' ' || coalesce(digest, '-');
    END LOOP;
    RETURN md5(parts);
END
$fp$;

--
-- 1. Every function, every argument position, every hostile name.
--
-- hostile_outcome() runs one call and says how it ended: its result, or
-- ERROR and the SQLSTATE.  The table below lists, for each call and
-- argument position, which names led to which outcome, the other arguments
-- being valid (schema hc_hostile, table contact, column email, a note; in
-- a configuration, object Contact and field Email).
--
CREATE FUNCTION hostile_outcome(call text) RETURNS text
LANGUAGE plpgsql AS $f$
DECLARE
    result text;
BEGIN
    EXECUTE call INTO result;
    RETURN coalesce(result, 'null');
EXCEPTION WHEN OTHERS THEN
    RETURN pg_catalog.concat('ERROR ', SQLSTATE);
END
$f$;

CREATE TABLE hostile_names (ord integer, label text, name text);
INSERT INTO hostile_names VALUES
    (1, 'null', NULL),
    (2, 'empty', ''),
    (3, 'space', ' '),
    (4, 'tab', E'\t'),
    (5, 'newline', E'\n'),
    (6, 'padded', ' contact '),
    (7, '63 bytes', repeat('a', 63)),
    (8, '64 bytes', repeat('a', 64)),
    (9, '200 bytes', repeat('b', 200)),
    (10, '5000 bytes', repeat('c', 5000)),
    (11, 'multibyte', 'kontakt_ä'),
    (12, 'emoji', '📇'),
    (13, 'split at 63', repeat('y', 62) || 'ä'),
    (14, '63-byte column', repeat('y', 63)),
    (15, 'its 64-byte extension', repeat('y', 64)),
    (16, '63-byte multibyte column', repeat('ä', 31) || 'y'),
    (17, 'single quote', $$it's$$),
    (18, 'quotes column', $$it's "quoted"$$),
    (19, 'double quotes', '"contact"'),
    (20, 'dot', 'hc_hostile.contact'),
    (21, 'dot column', 'dot.ted'),
    (22, 'semicolon', 'contact; drop table hostile_canary'),
    (23, 'sql text', $$x'); drop table hostile_canary; --$$),
    (24, 'sql text column', 'x; drop table hostile_canary; --'),
    (25, 'dollar quotes', '$$ drop table hostile_canary $$'),
    (26, 'dollar column', 'd$$ollar'),
    (27, 'backslash', E'back\\slash'),
    (28, 'tab column', E'tab\there'),
    (29, 'format codes', '%s%n'),
    (30, 'hostile table', $$t"; drop table hostile_canary; --$$),
    (31, 'hostile schema', $$s"; drop table hostile_canary; --$$),
    (32, 'MixedCase', 'MixedCase'),
    (33, 'mixedcase', 'mixedcase'),
    (34, 'MIXEDCASE', 'MIXEDCASE'),
    (35, 'HcMixed', 'HcMixed'),
    (36, 'hcmixed', 'hcmixed'),
    (37, 'CONTACT', 'CONTACT');

-- The calls: %1$s to %4$s are the schema, table (or object), column (or
-- field) and note arguments, as SQL literals.
CREATE TABLE hostile_calls (ord integer, call text, template text, positions text[]);
INSERT INTO hostile_calls VALUES
    (1, 'required(s, t, c)', $$SELECT hcguard_required(%1$s, %2$s, %3$s)::text$$,
        '{schema,table,column}'),
    (2, 'required(s, t)', $$SELECT hcguard_required(%1$s, %2$s)::text$$,
        '{schema,table}'),
    (3, 'required(s, t, VARIADIC)', $$SELECT hcguard_required(%1$s, %2$s, 'lastname', %3$s)::text$$,
        '{schema,table,column}'),
    (4, 'status(s, t, c)', $$SELECT 'row, synced ' || coalesce(synced::text, 'unknown') FROM hcguard_status(%1$s, %2$s, %3$s)$$,
        '{schema,table,column}'),
    (5, 'confirm_synced(s, t, c, n)', $$SELECT 'confirmed' FROM hcguard_confirm_synced(%1$s, %2$s, %3$s, %4$s)$$,
        '{schema,table,column,note}'),
    (6, 'revoke_confirmation(s, t, c)', $$SELECT hcguard_revoke_confirmation(%1$s, %2$s, %3$s)::text$$,
        '{schema,table,column}'),
    (7, 'mappings(s)', $$SELECT count(*) || ' rows' FROM hcguard_mappings(%1$s)
        WHERE schema_name IN ('hc_hostile', 'HcMixed', 's"; drop table hostile_canary; --')$$,
        '{schema}'),
    (8, 'columns(s, t)', $$SELECT count(*) || ' rows' FROM hcguard_columns(%1$s, %2$s)$$,
        '{schema,table}'),
    (9, 'wait(s, t, c, 0)', $$SELECT hcguard_wait(%1$s, %2$s, %3$s, '0')::text$$,
        '{schema,table,column}'),
    (10, 'config_diff(s, doc)', $$SELECT count(*) || ' rows' FROM hcguard_config_diff(%1$s,
        jsonb_build_object('mappings', jsonb_build_array(jsonb_build_object('object_name', %2$s,
            'config', jsonb_build_object('fields', jsonb_build_object(%3$s, '{}'::jsonb))))))$$,
        '{schema,object,field}'),
    (11, 'required_config(s, doc)', $$SELECT hcguard_required_config(%1$s,
        jsonb_build_object('mappings', jsonb_build_array(jsonb_build_object('object_name', %2$s,
            'config', jsonb_build_object('fields', jsonb_build_object(%3$s, '{}'::jsonb))))))::text$$,
        '{schema,object,field}');

CREATE TABLE hostile_results (role text, call_ord integer, call text, position text,
                              name_ord integer, label text, outcome text);
GRANT SELECT, INSERT ON hostile_names, hostile_calls, hostile_results TO PUBLIC;
CREATE FUNCTION hostile_run() RETURNS void
LANGUAGE plpgsql AS $run$
DECLARE
    c record;
    n record;
    args text[];
BEGIN
    FOR c IN SELECT * FROM hostile_calls ORDER BY ord LOOP
        FOR p IN 1 .. array_length(c.positions, 1) LOOP
            FOR n IN SELECT * FROM hostile_names ORDER BY ord LOOP
                -- a JSON key cannot be null
                CONTINUE WHEN c.positions[p] = 'field' AND n.name IS NULL;
                args := CASE WHEN c.positions[2] = 'object'
                             THEN ARRAY['hc_hostile', 'Contact', 'Email', NULL]
                             ELSE ARRAY['hc_hostile', 'contact', 'email', 'checked by hand'] END;
                args[p] := n.name;
                INSERT INTO hostile_results VALUES (current_user, c.ord, c.call, c.positions[p],
                    n.ord, n.label,
                    hostile_outcome(format(c.template,
                        quote_nullable(args[1]) || '::text', quote_nullable(args[2]) || '::text',
                        quote_nullable(args[3]) || '::text', quote_nullable(args[4]) || '::text')));
            END LOOP;
        END LOOP;
    END LOOP;
END
$run$;

SELECT hostile_fingerprint() AS fingerprint_before \gset
SELECT hostile_run();
\pset format unaligned
SELECT call, position, outcome, string_agg(label, ', ' ORDER BY name_ord) AS names
  FROM hostile_results
 GROUP BY call_ord, call, position, outcome
 ORDER BY call_ord, array_position(ARRAY['schema', 'table', 'object', 'column', 'field', 'note'],
                                   position), min(name_ord);
\pset format aligned

-- The same calls as the migrator (USAGE and SELECT; row-level security on
-- the hostile table) differ only where the contract says: confirming and
-- revoking need the owner's rights.
SET ROLE regress_hc_migrator;
SELECT hostile_run();
RESET ROLE;
\pset format unaligned
SELECT m.call, m.position, m.outcome AS as_migrator, s.outcome AS as_superuser,
       string_agg(m.label, ', ' ORDER BY m.name_ord) AS names
  FROM hostile_results m
  JOIN hostile_results s ON s.role <> 'regress_hc_migrator' AND s.call_ord = m.call_ord
                        AND s.position = m.position AND s.name_ord = m.name_ord
 WHERE m.role = 'regress_hc_migrator' AND m.outcome IS DISTINCT FROM s.outcome
 GROUP BY m.call_ord, m.call, m.position, m.outcome, s.outcome
 ORDER BY m.call_ord, min(m.name_ord);
\pset format aligned

-- Every call ended in a result or one of the contract's SQLSTATEs (42704:
-- a column argument's white space starts a declared type, since 1.2, and
-- the rest of a hostile name is no type that exists).
SELECT role = 'regress_hc_migrator' AS as_migrator, count(*) AS calls,
       count(*) FILTER (WHERE outcome LIKE 'ERROR %'
                          AND substr(outcome, 7) NOT IN ('22004', '22023', '3F000', '55000',
                                                         '42P01', '42703', '42704', '42501')) AS outside_contract
  FROM hostile_results
 GROUP BY 1 ORDER BY 1;

--
-- 2. What a person reads: the messages quote hostile names as given, and
-- hcguard's SQL never interprets them.  (Errors that list the database's
-- Connect schemas are shown tersely: other tests make schemas too.)
--
\set VERBOSITY terse
SELECT hcguard_required(NULL, NULL, NULL::text);
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required(NULL, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required(NULL, 'contact', VARIADIC NULL::text[]);
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('hc_hostile', 'contact', VARIADIC ARRAY['email', NULL]);
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('hc_hostile', 'contact', VARIADIC ARRAY['email', '']);
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('hc_hostile', 'contact', VARIADIC ARRAY[]::text[]);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM hcguard_status(NULL, NULL, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_confirm_synced(NULL, NULL, NULL, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_revoke_confirmation(NULL, NULL, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM hcguard_mappings('');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM hcguard_columns(NULL, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_wait(NULL, NULL, NULL, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_wait('hc_hostile', 'contact', 'email', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_wait('hc_hostile', 'lead', NULL, '-1 ms');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_wait('hc_hostile', 'lead', NULL, '-1 mon');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_wait('hc_hostile', 'contact', 'email', '1 microsecond');
SELECT * FROM hcguard_config_diff(NULL, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM hcguard_config_diff('hc_hostile', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required_config('hc_hostile', 'null');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required_config('hc_hostile', '{"mappings": [{"object_name": "Contact", "config": {"fields": [";drop table hostile_canary"]}}]}');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('hcmixed', 'contact');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required(repeat('ä', 40), 'contact');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required($$s"; drop table hostile_canary; --$$ || ' ', 'contact');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
SELECT hcguard_required('hc_hostile', 'contact', E'tab\there\nand a newline');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('hc_hostile', 'contact', 'kontakt_a');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('hc_hostile', 'contact', repeat('y', 64));
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('hc_hostile', 'contact', repeat('y', 62) || 'ä');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('hc_hostile', 'contact', '%s%s%s%s%n', '%x%p', $$'); drop table hostile_canary; --$$);
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('hc_hostile', 'mixedcase');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('hc_hostile', 'MixedCase', 'name');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('hc_hostile', 'MixedCase', 'Name');
SELECT hcguard_required('HcMixed', 'CONTACT', 'EMAIL');
SELECT hcguard_required('hc_hostile', $$T"; DROP TABLE hostile_canary; --$$, 'NAME');
SELECT hcguard_required($$s"; drop table hostile_canary; --$$, 'contact', 'email');
SELECT hcguard_required('hc_hostile', 'contact', 'kontakt_ä', '📇', $$it's "quoted"$$,
    'semi;colon', 'dot.ted', E'back\\slash', E'tab\there', 'x; drop table hostile_canary; --',
    'd$$ollar', '%s%n', repeat('y', 63), repeat('ä', 31) || 'y');
SELECT hcguard_confirm_synced('hc_hostile', 'contact', 'semi;colon',
    $$'); drop table hostile_canary; --$$);
SELECT schema_name, table_name, column_name, note, counts
  FROM hcguard_confirmations WHERE schema_name = 'hc_hostile';
SELECT hcguard_revoke_confirmation('hc_hostile', 'contact', 'SEMI;COLON');
SELECT count(*) AS confirmations FROM hcguard_confirmations WHERE schema_name = 'hc_hostile';
-- Write health of a schema with a hostile name, and a hostile message from
-- Salesforce.
SELECT table_name, pending_writes, failed_writes, last_failure
  FROM hcguard_mappings($$s"; drop table hostile_canary; --$$);
-- As the migrator, the hostile table is read through SQL (row-level
-- security).
SET ROLE regress_hc_migrator;
SELECT hcguard_required('hc_hostile', $$t"; drop table hostile_canary; --$$, 'name');
SELECT column_name = repeat('ä', 31) || 'y' AS multibyte_63, data_type, synced, evidence
  FROM hcguard_columns('hc_hostile', 'contact') WHERE column_name LIKE '%y';
RESET ROLE;

-- Nothing else changed: the canary is alive, and no relation, column or
-- Connect table content differs from before the calls.  Confirmations made
-- above were all revoked.
SELECT note AS canary FROM hostile_canary;
SELECT hostile_fingerprint() = :'fingerprint_before' AS unchanged;
SELECT count(*) AS confirmations_left FROM hcguard.confirmation_store
 WHERE schema_name IN ('hc_hostile', 'HcMixed', $$s"; drop table hostile_canary; --$$);

--
-- 3. The SQL that hints suggest runs as it reads, whatever the names.
--
-- A field not synced yet: the hint's hcguard_confirm_synced call confirms
-- exactly that column.
SELECT hcdouble.add_field('hc_hostile', 'Contact', $$o'dd "na\me$$, 'string(10)');
SELECT substring(hint from 'SELECT hcguard_confirm_synced.*;$') AS confirm_call
  FROM hcguard_status('hc_hostile', 'contact', $$o'dd "na\me$$) \gset
\echo :confirm_call
:confirm_call
SELECT hcguard_required('hc_hostile', 'contact', $$o'dd "na\me$$);
SELECT hcguard_revoke_confirmation('hc_hostile', 'contact', $$o'dd "na\me$$);
-- A role without rights: the hints' GRANTs give exactly what is missing.
SET ROLE regress_hc_stranger;
SELECT substring(hint from 'GRANT .*;$') AS grant_usage
  FROM hcguard_status($$s"; drop table hostile_canary; --$$, 'contact', 'email') \gset
RESET ROLE;
\echo :grant_usage
:grant_usage
SET ROLE regress_hc_stranger;
SELECT substring(hint from 'GRANT .*;$') AS grant_select
  FROM hcguard_status($$s"; drop table hostile_canary; --$$, 'contact', 'email') \gset
RESET ROLE;
\echo :grant_select
:grant_select
SET ROLE regress_hc_stranger;
SELECT hcguard_required($$s"; drop table hostile_canary; --$$, 'contact', 'email');
RESET ROLE;

--
-- 4. A hostile search_path.  Schema regress_lookalike holds functions,
-- aggregates and operators named like those hcguard's SQL might use,
-- tables named like Connect's and like hcguard's store, and a view named
-- like hcguard's; every look-alike counts its call in a sequence and
-- raises "look-alike called".  With regress_lookalike first on the path
-- (pg_catalog implicitly first, or explicitly after it; pg_temp first, with
-- temporary look-alike tables; and an empty path), every function gives
-- exactly what it gives under the normal path, as a superuser, as the
-- mapping owner and as the migrator, and no look-alike runs.
--
CREATE SCHEMA regress_lookalike;
GRANT USAGE ON SCHEMA regress_lookalike TO PUBLIC;
CREATE SEQUENCE regress_lookalike.calls;
GRANT USAGE ON SEQUENCE regress_lookalike.calls TO PUBLIC;
CREATE FUNCTION regress_lookalike.trap() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_catalog.nextval('regress_lookalike.calls');
    RAISE EXCEPTION 'look-alike called';
END
$$;
DO $$
DECLARE
    f text;
    t text;
BEGIN
    -- functions
    FOREACH f IN ARRAY ARRAY[
        'lower(text) RETURNS text', 'upper(text) RETURNS text', 'initcap(text) RETURNS text',
        'format(text) RETURNS text', 'format(text, VARIADIC text[]) RETURNS text',
        'quote_ident(text) RETURNS text', 'quote_literal(text) RETURNS text',
        'quote_nullable(text) RETURNS text', 'concat(VARIADIC text[]) RETURNS text',
        'concat_ws(text, VARIADIC text[]) RETURNS text', 'length(text) RETURNS integer',
        'textlen(text) RETURNS integer', 'btrim(text) RETURNS text',
        'substr(text, integer, integer) RETURNS text', 'left(text, integer) RETURNS text',
        'texteq(text, text) RETURNS boolean', 'textne(text, text) RETURNS boolean',
        'nameeq(name, name) RETURNS boolean', 'oideq(oid, oid) RETURNS boolean',
        'int2eq(int2, int2) RETURNS boolean', 'int4eq(integer, integer) RETURNS boolean',
        'current_setting(text) RETURNS text', 'set_config(text, text, boolean) RETURNS text',
        'now() RETURNS timestamptz', 'clock_timestamp() RETURNS timestamptz',
        'txid_current() RETURNS bigint', 'get_xmlbinary() RETURNS varchar',
        'format_type(oid, integer) RETURNS text', 'pg_get_userbyid(oid) RETURNS name',
        'has_table_privilege(text, text) RETURNS boolean',
        'has_schema_privilege(text, text) RETURNS boolean',
        'array_length(anyarray, integer) RETURNS integer',
        'array_to_string(anyarray, text) RETURNS text',
        '"coalesce"(text, text) RETURNS text', '"nullif"(text, text) RETURNS text',
        '"greatest"(integer, integer) RETURNS integer',
        'hcguard_confirmation_counts(oid, int2, name, name, name) RETURNS boolean']
    LOOP
        EXECUTE format('CREATE FUNCTION regress_lookalike.%s LANGUAGE plpgsql AS %L', f,
                       'BEGIN PERFORM regress_lookalike.trap(); RETURN NULL; END');
    END LOOP;
    -- aggregates
    EXECUTE 'CREATE FUNCTION regress_lookalike.agg_trap(text) RETURNS text LANGUAGE plpgsql '
            'AS ''BEGIN PERFORM regress_lookalike.trap(); RETURN NULL; END''';
    EXECUTE 'CREATE AGGREGATE regress_lookalike.count(*) (SFUNC = regress_lookalike.agg_trap, STYPE = text)';
    FOREACH t IN ARRAY ARRAY['text', 'name', 'varchar', 'bigint', 'integer', 'boolean', 'timestamptz']
    LOOP
        EXECUTE format('CREATE FUNCTION regress_lookalike.agg_trap(text, %s) RETURNS text '
                       'LANGUAGE plpgsql AS %L', t,
                       'BEGIN PERFORM regress_lookalike.trap(); RETURN NULL; END');
        FOREACH f IN ARRAY ARRAY['count', 'max', 'min', 'array_agg']
        LOOP
            EXECUTE format('CREATE AGGREGATE regress_lookalike.%s(%s) '
                           '(SFUNC = regress_lookalike.agg_trap, STYPE = text)', f, t);
        END LOOP;
    END LOOP;
    EXECUTE 'CREATE AGGREGATE regress_lookalike.sum(bigint) (SFUNC = regress_lookalike.agg_trap, STYPE = text)';
    EXECUTE 'CREATE AGGREGATE regress_lookalike.bool_or(boolean) (SFUNC = regress_lookalike.agg_trap, STYPE = text)';
    EXECUTE 'CREATE FUNCTION regress_lookalike.agg_trap(text, text, text) RETURNS text LANGUAGE plpgsql '
            'AS ''BEGIN PERFORM regress_lookalike.trap(); RETURN NULL; END''';
    EXECUTE 'CREATE AGGREGATE regress_lookalike.string_agg(text, text) (SFUNC = regress_lookalike.agg_trap, STYPE = text)';
    -- operators: = and <> for every pair of types hcguard's SQL compares,
    -- LIKE and ||
    FOREACH t IN ARRAY ARRAY['text,text', 'name,name', 'varchar,varchar', 'bpchar,bpchar',
                             'name,text', 'text,name', 'oid,oid', 'int2,int2', 'integer,integer',
                             'bigint,bigint', 'boolean,boolean', 'timestamptz,timestamptz',
                             'varchar,text', 'text,varchar']
    LOOP
        EXECUTE format('CREATE FUNCTION regress_lookalike.op_trap(%s, %s) RETURNS boolean '
                       'LANGUAGE plpgsql AS %L', split_part(t, ',', 1), split_part(t, ',', 2),
                       'BEGIN PERFORM regress_lookalike.trap(); RETURN NULL; END');
        EXECUTE format('CREATE OPERATOR regress_lookalike.= (LEFTARG = %s, RIGHTARG = %s, '
                       'FUNCTION = regress_lookalike.op_trap)', split_part(t, ',', 1), split_part(t, ',', 2));
        EXECUTE format('CREATE OPERATOR regress_lookalike.<> (LEFTARG = %s, RIGHTARG = %s, '
                       'FUNCTION = regress_lookalike.op_trap)', split_part(t, ',', 1), split_part(t, ',', 2));
    END LOOP;
    EXECUTE 'CREATE OPERATOR regress_lookalike.~~ (LEFTARG = text, RIGHTARG = text, '
            'FUNCTION = regress_lookalike.op_trap)';
    EXECUTE 'CREATE FUNCTION regress_lookalike.cat_trap(text, text) RETURNS text LANGUAGE plpgsql '
            'AS ''BEGIN PERFORM regress_lookalike.trap(); RETURN NULL; END''';
    EXECUTE 'CREATE OPERATOR regress_lookalike.|| (LEFTARG = text, RIGHTARG = text, '
            'FUNCTION = regress_lookalike.cat_trap)';
END
$$;
-- Tables named like Connect's (so regress_lookalike is a Connect schema
-- with a mapping named contact), like hcguard's store, and a view named
-- like hcguard's; temporary ones too.
CREATE TABLE regress_lookalike._hcmeta (LIKE hc_hostile._hcmeta);
CREATE TABLE regress_lookalike._trigger_log (LIKE hc_hostile._trigger_log);
CREATE TABLE regress_lookalike._trigger_log_archive (LIKE hc_hostile._trigger_log_archive);
CREATE TABLE regress_lookalike.contact (LIKE hc_hostile.contact);
CREATE TABLE regress_lookalike.confirmation_store (LIKE hcguard.confirmation_store);
CREATE VIEW regress_lookalike.hcguard_confirmations AS
    SELECT NULL::text AS schema_name FROM regress_lookalike.trap();
CREATE TEMP TABLE _hcmeta (LIKE hc_hostile._hcmeta);
CREATE TEMP TABLE _trigger_log (LIKE hc_hostile._trigger_log);
CREATE TEMP TABLE contact (LIKE hc_hostile.contact);
CREATE TEMP TABLE confirmation_store (LIKE hcguard.confirmation_store);
GRANT SELECT ON ALL TABLES IN SCHEMA regress_lookalike TO PUBLIC;

-- The calls, every function, each giving one text value.
CREATE TABLE lookalike_calls (ord integer, call text);
INSERT INTO lookalike_calls VALUES
    (1, $$SELECT public.hcguard_required('hc_hostile', 'contact', 'email')::text$$),
    (2, $$SELECT public.hcguard_required('hc_hostile', 'Contact', 'EMAIL')::text$$),
    (3, $$SELECT public.hcguard_required('hc_hostile', 'contact')::text$$),
    (4, $$SELECT public.hcguard_required('hc_hostile', 'contact', 'email', 'kontakt_ä', 'dot.ted')::text$$),
    (5, $$SELECT public.hcguard_required('hc_hostile', 'lead')::text$$),
    (6, $$SELECT public.hcguard_required('hc_hostile', 'contact', 'emial')::text$$),
    (7, $$SELECT public.hcguard_required('nowhere', 'contact')::text$$),
    (8, $$SELECT public.hcguard_required('public', 'contact')::text$$),
    (9, $$SELECT public.hcguard_required('hc_hostile', 't"; drop table hostile_canary; --', 'name')::text$$),
    (10, $$SELECT s::text FROM public.hcguard_status('hc_hostile', 'contact', 'emial') s$$),
    (11, $$SELECT s::text FROM public.hcguard_status('hc_hostile', 'lead') s$$),
    (12, $$SELECT s::text FROM public.hcguard_status('nowhere', 'contact') s$$),
    (13, $$SELECT public.hcguard_confirm_synced('hc_hostile', 'lead', NULL, 'no leads')::text$$),
    (14, $$SELECT public.hcguard_required('hc_hostile', 'lead')::text$$),
    (15, $$SELECT public.hcguard_revoke_confirmation('hc_hostile', 'lead')::text$$),
    (16, $$SELECT public.hcguard_revoke_confirmation('hc_hostile', 'lead', 'GONE')::text$$),
    (17, $$SELECT public.hcguard_confirm_synced('hc_hostile', 'contact', 'kontakt_ä', 'checked')::text$$),
    (18, $$SELECT public.hcguard_revoke_confirmation('hc_hostile', 'contact', 'KONTAKT_ä')::text$$),
    (19, $$SELECT pg_catalog.string_agg(pg_catalog.concat_ws(' ', m.schema_name, m.table_name,
             m.field_count, m.synced, m.evidence, m.pending_writes, m.failed_writes,
             m.last_failure_at, m.last_failure, m.status_trigger, m.log_trigger), ';')
           FROM public.hcguard_mappings('hc_hostile') m$$),
    (20, $$SELECT pg_catalog.string_agg(pg_catalog.concat_ws(' ', m.schema_name, m.table_name,
             m.field_count, m.synced, m.evidence, m.pending_writes, m.failed_writes,
             m.last_failure_at, m.last_failure, m.status_trigger, m.log_trigger), ';')
           FROM public.hcguard_mappings('s"; drop table hostile_canary; --') m$$),
    (21, $$SELECT pg_catalog.string_agg(pg_catalog.concat_ws(' ', m.schema_name, m.table_name,
             m.field_count, m.synced, m.evidence, m.pending_writes, m.failed_writes,
             m.last_failure_at, m.last_failure, m.status_trigger, m.log_trigger), ';')
           FROM public.hcguard_mappings() m$$),
    (22, $$SELECT pg_catalog.string_agg(c::text, ';') FROM public.hcguard_columns('hc_hostile', 'contact') c$$),
    (23, $$SELECT public.hcguard_wait('hc_hostile', 'contact', 'email', '0')::text$$),
    (24, $$SELECT public.hcguard_wait('hc_hostile', 'lead', NULL, '0')::text$$),
    (25, $$SELECT pg_catalog.string_agg(d::text, ';') FROM public.hcguard_config_diff('hc_hostile',
             '{"mappings": [{"object_name": "Contact", "config": {"fields": {"Id": {}, "Email": {}, "Fax": {}}}},
                            {"object_name": "Lead", "config": {"fields": {"Company": {}}}},
                            {"object_name": "Case", "config": {"fields": {}}}]}') d$$),
    (26, $$SELECT public.hcguard_required_config('hc_hostile',
             '{"mappings": [{"object_name": "Contact", "config": {"fields": {"Id": {}, "Email": {}}}}]}')::text$$),
    (27, $$SELECT public.hcguard_required_config('hc_hostile',
             '{"mappings": [{"object_name": "Lead", "config": {"fields": {"Company": {}}}}]}')::text$$),
    (28, $$SELECT pg_catalog.string_agg(pg_catalog.concat_ws(' ', schema_name, table_name,
             column_name, confirmed_by, note, counts), ';') FROM public.hcguard_confirmations$$);

-- Runs every call as a role under a search_path; the role and the path are
-- set after the calls are read and reset before returning.  Everything in
-- it that the path could capture is qualified.
CREATE FUNCTION lookalike_run(role text, path text) RETURNS TABLE (ord integer, outcome text)
LANGUAGE plpgsql AS $f$
DECLARE
    calls text[];
    saved text := pg_catalog.current_setting('search_path');
    result text;
BEGIN
    SELECT pg_catalog.array_agg(l.call ORDER BY l.ord) INTO calls FROM public.lookalike_calls l;
    IF role IS NOT NULL THEN
        PERFORM pg_catalog.set_config('role', role, true);
    END IF;
    IF path IS NOT NULL THEN
        PERFORM pg_catalog.set_config('search_path', path, true);
    END IF;
    FOR i IN 1 .. pg_catalog.array_length(calls, 1) LOOP
        BEGIN
            EXECUTE calls[i] INTO result;
            result := COALESCE(result, 'null');
        EXCEPTION WHEN OTHERS THEN
            result := pg_catalog.concat('ERROR ', SQLSTATE, ': ', SQLERRM);
        END;
        ord := i;
        outcome := result;
        RETURN NEXT;
    END LOOP;
    PERFORM pg_catalog.set_config('search_path', saved, true);
    PERFORM pg_catalog.set_config('role', 'none', true);
END
$f$;

CREATE TABLE lookalike_results AS
SELECT r.role_ord, r.role_label, p.path_ord, p.path, x.ord, x.outcome
  FROM (VALUES (1, 'superuser', NULL), (2, 'owner', 'regress_hc_owner'),
               (3, 'migrator', 'regress_hc_migrator')) AS r(role_ord, role_label, role),
       (VALUES (0, NULL),
               (1, 'regress_lookalike, public'),
               (2, 'regress_lookalike, public, pg_catalog'),
               (3, 'pg_temp, regress_lookalike, public, pg_catalog'),
               (4, '')) AS p(path_ord, path),
       LATERAL lookalike_run(r.role, p.path) AS x
 ORDER BY r.role_ord, p.path_ord, x.ord;

-- Under the normal path, the calls end as they should (the owner owns
-- lead and may not read contact; the migrator may not confirm) ...
SELECT l.ord, left(regexp_replace(substr(l.call, 8), '\s+', ' ', 'g'), 60) AS call,
       max(CASE WHEN r.outcome LIKE 'ERROR%' THEN substr(r.outcome, 1, 11) ELSE 'ok' END)
           FILTER (WHERE r.role_label = 'superuser') AS superuser,
       max(CASE WHEN r.outcome LIKE 'ERROR%' THEN substr(r.outcome, 1, 11) ELSE 'ok' END)
           FILTER (WHERE r.role_label = 'owner') AS owner,
       max(CASE WHEN r.outcome LIKE 'ERROR%' THEN substr(r.outcome, 1, 11) ELSE 'ok' END)
           FILTER (WHERE r.role_label = 'migrator') AS migrator
  FROM lookalike_calls l JOIN lookalike_results r ON r.ord = l.ord AND r.path IS NULL
 GROUP BY l.ord, l.call ORDER BY l.ord;
-- ... and every hostile path gives every role exactly the same results,
SELECT r.role_label AS role, r.path, count(*) AS calls,
       count(*) FILTER (WHERE r.outcome IS DISTINCT FROM n.outcome) AS different
  FROM lookalike_results r
  JOIN lookalike_results n ON n.role_ord = r.role_ord AND n.path IS NULL AND n.ord = r.ord
 WHERE r.path IS NOT NULL
 GROUP BY r.role_ord, r.role_label, r.path_ord, r.path
 ORDER BY r.role_ord, r.path_ord;
\pset format unaligned
SELECT r.role_label AS role, r.path, r.ord, n.outcome AS normal, r.outcome AS hostile
  FROM lookalike_results r
  JOIN lookalike_results n ON n.role_ord = r.role_ord AND n.path IS NULL AND n.ord = r.ord
 WHERE r.path IS NOT NULL AND r.outcome IS DISTINCT FROM n.outcome
 ORDER BY r.role_ord, r.path_ord, r.ord;
\pset format aligned
-- ... and no look-alike was ever called.
SELECT is_called AS lookalike_called FROM regress_lookalike.calls;
-- (The look-alikes do work when called: the test would see them.)
SET search_path = regress_lookalike, public, pg_catalog;
\set VERBOSITY terse
SELECT 'a'::text = 'a'::text;
\set VERBOSITY default
RESET search_path;
SELECT is_called AS lookalike_called FROM regress_lookalike.calls;

--
-- Leave nothing behind: other tests list the database's Connect schemas.
--
SET client_min_messages = warning;
DROP SCHEMA regress_lookalike CASCADE;
DROP TABLE pg_temp._hcmeta, pg_temp._trigger_log, pg_temp.contact, pg_temp.confirmation_store;
SELECT hcdouble.drop_connect_schema(s)
  FROM unnest(ARRAY['hc_hostile', 'HcMixed', $$s"; drop table hostile_canary; --$$]) AS s;
DELETE FROM hcguard.confirmation_store
 WHERE schema_name IN ('hc_hostile', 'HcMixed', $$s"; drop table hostile_canary; --$$);
DROP TABLE hostile_canary, hostile_names, hostile_calls, hostile_results, lookalike_calls,
    lookalike_results;
DROP FUNCTION hostile_fingerprint(), hostile_outcome(text), hostile_run(), lookalike_run(text, text);
RESET client_min_messages;
