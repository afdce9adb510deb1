#!/usr/bin/env bash
# test/fuzz.sh: hcguard under a randomized barrage of calls.
#
# Run by the suite (scripts/test) on a throwaway cluster, from the repository
# root:   pg_virtualenv -t -v 15 bash test/fuzz.sh
#
# In a fresh database it loads the Connect double, creates the extension and
# a few Connect schemas (mappings synced and not, mixed-case names, row-level
# security, pending and failed writes, confirmations), then makes at least
# 100,000 calls of every hcguard function with random names (real ones, case
# variants, hostile strings, NULLs, random valid UTF-8, very long names),
# random timeouts, random configuration documents (valid and malformed),
# random hcguard.on_failure, random roles (a superuser, a mapping owner, a
# migrator with USAGE and SELECT, a stranger), some in read-only
# transactions, in two concurrent sessions (READ COMMITTED and REPEATABLE
# READ).  Each call's outcome is tallied by SQLSTATE.  It checks that:
#   1. every call ends in a result or one of the contract's SQLSTATEs
#      (22004 22023 3F000 55000 42P01 42703 42501; 25000 only from
#      hcguard_wait, 25006 only from confirm/revoke in a read-only
#      transaction; 40001 and 40P01 only from confirm/revoke, which the two
#      sessions' concurrent writes of the same store rows cause), and
#      confirm/revoke never succeed in a read-only transaction;
#   2. the server never crashed: both sessions finish, a new connection
#      works, the server log has no "terminated by signal", PANIC or TRAP;
#   3. nothing changed but hcguard's confirmation store: a fingerprint of
#      the catalogs (relations, columns, functions, schemas, roles, grants,
#      triggers, policies, settings) and of every table's content is the
#      same before and after;
#   4. every stored confirmation was written by a role allowed to
#      (a superuser or a member of the mapping's owner), no role but the
#      superuser could SET hcguard.on_failure, and a new session still
#      has it at error;
#   5. no call left a lock on a Connect table behind.
# Exit 0 = pass.
#
# FUZZ_SEED=n repeats a run's calls (the seed is printed; the two sessions
# interleave differently each time); FUZZ_CALLS=n sets the number of calls
# (default 200000, split between the two sessions; about 15-30 s on two
# cores).  FUZZ_SHAPES=1 adds shapes the contract admits but Connect never
# makes (a mapping whose _hc_lastop is an integer, a Connect schema whose
# logs lack Connect's columns): see the README's "Reliability" section.
# FUZZ_KEEP=1 keeps the database; FUZZ_LOG=file names the server log when
# not under pg_virtualenv.  HCGUARD_EDITION=sql fuzzes the SQL edition
# (heroku/hcguard.sql) instead, 50,000 calls by default (it is about ten
# times slower per call), where any role may set hcguard.on_failure (see the
# README's comparison of the editions); test/fuzz_sql_edition.sh does that.
set -uo pipefail
cd "$(dirname "$0")/.."

edition=${HCGUARD_EDITION:-c}
case "$edition" in
	c) install=(-c 'CREATE EXTENSION hcguard'); default_calls=200000 min_calls=100000 ;;
	sql) install=(-c 'SET client_min_messages = warning' -f heroku/hcguard.sql); default_calls=50000 min_calls=25000 ;;
	*) echo "HCGUARD_EDITION must be c or sql" >&2; exit 2 ;;
esac
seed=${FUZZ_SEED:-$(( (RANDOM << 15 | RANDOM) % 1000000 ))}
calls=${FUZZ_CALLS:-$default_calls}
db=hcguard_fuzz
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

say() { printf '%s\n' "$*"; }
fail() { failures=$((failures + 1)); say "FAIL: $*"; }
psql_db() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }

say "fuzz: seed $seed (repeat with FUZZ_SEED=$seed), $calls calls"
start=$(date +%s)

# Where the server logs, to look for crashes afterwards.
logfile=${FUZZ_LOG:-}
if [ -z "$logfile" ] &&  [ -n "${PG_CLUSTER_CONF_ROOT:-}" ]; then
	logfile=$(ls "${PG_CLUSTER_CONF_ROOT%/postgresql}"/log/postgresql-*-regress.log 2>/dev/null | head -n 1)
fi
[ -z "$logfile" ] && logfile=$(ls /var/log/postgresql/postgresql-*-regress.log 2>/dev/null | head -n 1)
log_lines_before=0
[ -n "$logfile" ] && log_lines_before=$(wc -l <"$logfile")

# A fresh database in UTF-8, so that random names can be any valid UTF-8
# and case folding covers more than ASCII where the locale allows.
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
if ! psql -X -q -d postgres -c "CREATE DATABASE $db TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'" 2>/dev/null; then
	psql -X -q -v ON_ERROR_STOP=1 -d postgres \
		-c "CREATE DATABASE $db TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'" || exit 1
fi

# --- the Connect environment -------------------------------------------------
psql_db -c 'CREATE EXTENSION hstore' -f test/connect_double.sql "${install[@]}" || exit 1
psql_db >/dev/null <<'SQL' || { say "FAIL: setup"; exit 1; }
SET client_min_messages = warning;
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'fuzz_owner') THEN
        CREATE ROLE fuzz_owner;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'fuzz_migrator') THEN
        CREATE ROLE fuzz_migrator;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'fuzz_stranger') THEN
        CREATE ROLE fuzz_stranger;
    END IF;
END
$$;

-- salesforce: synced and unsynced mappings and fields, write health
SELECT hcdouble.create_connect_schema('salesforce');
SELECT hcdouble.create_mapping('salesforce', 'Contact',
    '[["Email","email"],["LastName","string(80)"],["Phone","phone"]]');
SELECT hcdouble.connect_load('salesforce', 'Contact', 50, '{phone}');
SELECT hcdouble.add_field('salesforce', 'Contact', 'Preferred_Channel__c', 'picklist');
SELECT hcdouble.create_mapping('salesforce', 'Lead', '[["Company","string(255)"]]');
SELECT hcdouble.create_mapping('salesforce', 'Account',
    '[["Name","string(255)"],["Industry","picklist"]]', 'read_only');
SELECT hcdouble.connect_load('salesforce', 'Account', 5);
SELECT hcdouble.app_insert('salesforce', 'Contact', '{"email": "a@example.com"}');
SELECT hcdouble.connect_push('salesforce', 'Contact', false);
SELECT hcdouble.app_insert('salesforce', 'Contact', '{"email": "b@example.com"}');
-- row-level security: the migrator sees only the application's rows
SELECT hcdouble.create_mapping('salesforce', 'Opportunity',
    '[["StageName","picklist"],["Amount","currency"]]');
SELECT hcdouble.connect_load('salesforce', 'Opportunity', 10);
ALTER TABLE salesforce.opportunity ENABLE ROW LEVEL SECURITY;
CREATE POLICY only_pending ON salesforce.opportunity FOR SELECT TO fuzz_migrator
    USING (_hc_lastop = 'PENDING');
-- names that exist only in mixed case
CREATE TABLE salesforce."MixedCase" (id integer PRIMARY KEY, sfid varchar(18),
    "Name" varchar(80), _hc_lastop varchar(32), _hc_err text);
INSERT INTO salesforce."MixedCase" VALUES (1, '001000000000001AAA', 'x', 'SYNCED', NULL);
-- not mappings
CREATE TABLE salesforce.notes (id integer, body text);
CREATE VIEW salesforce.contact_v AS SELECT * FROM salesforce.contact;

-- a second Connect schema, named in mixed case
SELECT hcdouble.create_connect_schema('Org2');
SELECT hcdouble.create_mapping('Org2', 'Invoice__c', '[["Total__c","currency"]]');
SELECT hcdouble.connect_load('Org2', 'Invoice__c', 3);

-- not a Connect schema
CREATE SCHEMA plain;
CREATE TABLE plain.contact (id integer, sfid varchar(18), _hc_lastop varchar(32), _hc_err text);

-- who may do what: the owner owns contact and invoice__c; the migrator
-- reads; the stranger has nothing
ALTER TABLE salesforce.contact OWNER TO fuzz_owner;
ALTER TABLE "Org2".invoice__c OWNER TO fuzz_owner;
GRANT USAGE ON SCHEMA salesforce, "Org2" TO fuzz_owner;
SELECT hcdouble.grant_reader('salesforce', 'fuzz_migrator');
SELECT hcdouble.grant_reader('Org2', 'fuzz_migrator');

-- confirmations: a field empty in Salesforce, an object with no records
SELECT hcguard_confirm_synced('salesforce', 'contact', 'phone', 'verified');
SELECT hcguard_confirm_synced('salesforce', 'lead', NULL, 'no leads yet');

-- a canary
CREATE TABLE public.fuzz_canary (id integer PRIMARY KEY);
INSERT INTO public.fuzz_canary VALUES (1);
ANALYZE;

-- the harness's own tables, outside the fingerprint
CREATE SCHEMA fuzz_harness;
CREATE TABLE fuzz_harness.tally (session text, fn text, outcome text, n bigint);
CREATE TABLE fuzz_harness.bad (session text, fn text, role text, args text,
    sqlstate text, message text);
GRANT USAGE ON SCHEMA fuzz_harness TO PUBLIC;
SQL

# Shapes the contract's definitions admit but Connect never makes: a mapping
# whose _hc_lastop is not text, a Connect schema whose logs lack Connect's
# columns.  Off by default: see the README's "Reliability" section.
if [ "${FUZZ_SHAPES:-0}" = 1 ]; then
	say "fuzz: with odd shapes (FUZZ_SHAPES=1)"
	psql_db >/dev/null <<'SQL' || { say "FAIL: setup of odd shapes"; exit 1; }
CREATE TABLE salesforce.odd_lastop (id integer, sfid varchar(18), _hc_lastop integer, _hc_err text);
INSERT INTO salesforce.odd_lastop VALUES (1, '001000000000002AAA', 1, NULL);
GRANT SELECT ON salesforce.odd_lastop TO fuzz_migrator;
CREATE SCHEMA odd_logs;
CREATE TABLE odd_logs._hcmeta (id integer);
CREATE TABLE odd_logs._trigger_log (id integer);
CREATE TABLE odd_logs._trigger_log_archive (id integer);
GRANT USAGE ON SCHEMA odd_logs TO fuzz_migrator;
GRANT SELECT ON ALL TABLES IN SCHEMA odd_logs TO fuzz_migrator;
SQL
fi

# --- the fingerprint: everything but hcguard's store -------------------------
cat >"$work/fingerprint.sql" <<'SQL'
CREATE OR REPLACE FUNCTION fuzz_harness.fingerprint()
RETURNS TABLE (part text, digest text)
LANGUAGE plpgsql AS $fp$
DECLARE
    r record;
    d text;
BEGIN
    part := 'relations';
    SELECT md5(string_agg(format('%s.%s %s %s %s %s %s', n.nspname, c.relname, c.relkind,
                                 c.relnatts, c.relowner::regrole, c.relacl, c.relrowsecurity),
                          E'\n' ORDER BY n.nspname, c.relname))
      INTO digest
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relpersistence <> 't' AND n.nspname <> 'fuzz_harness';
    RETURN NEXT;
    part := 'columns';
    SELECT md5(string_agg(format('%s %s %s %s %s %s', a.attrelid::regclass, a.attnum,
                                 a.attname, a.atttypid::regtype, a.attisdropped, a.attacl),
                          E'\n' ORDER BY a.attrelid::regclass::text, a.attnum))
      INTO digest
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'fuzz_harness')
       AND c.relpersistence <> 't';
    RETURN NEXT;
    part := 'functions';
    SELECT md5(string_agg(format('%s %s %s %s', p.oid::regprocedure, p.proowner::regrole,
                                 p.proacl, md5(p.prosrc)),
                          E'\n' ORDER BY p.oid::regprocedure::text))
      INTO digest
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'fuzz_harness');
    RETURN NEXT;
    part := 'schemas, roles, settings';
    SELECT md5(concat_ws(E'\n',
        (SELECT string_agg(format('%s %s %s', nspname, nspowner::regrole, nspacl), ',' ORDER BY nspname)
           FROM pg_namespace WHERE nspname !~ '^pg_(temp|toast_temp)'),
        (SELECT string_agg(format('%s %s %s %s', rolname, rolsuper, rolcreaterole, rolcanlogin), ',' ORDER BY rolname)
           FROM pg_roles),
        (SELECT string_agg(format('%s %s', roleid, member), ',' ORDER BY roleid, member)
           FROM pg_auth_members),
        (SELECT string_agg(format('%s %s %s', setdatabase, setrole, setconfig), ',' ORDER BY setdatabase, setrole)
           FROM pg_db_role_setting),
        (SELECT string_agg(format('%s %s %s', tgrelid::regclass, tgname, tgenabled), ',' ORDER BY 1)
           FROM pg_trigger),
        (SELECT string_agg(format('%s %s %s', polrelid::regclass, polname, pg_get_expr(polqual, polrelid)), ',' ORDER BY 1)
           FROM pg_policy),
        (SELECT string_agg(format('%s %s', extname, extversion), ',' ORDER BY extname)
           FROM pg_extension),
        (SELECT string_agg(format('%s %s', datname, datacl), ',' ORDER BY datname)
           FROM pg_database)))
      INTO digest;
    RETURN NEXT;
    -- the content of every table and sequence but the store
    FOR r IN SELECT c.oid::regclass AS rel, c.relkind
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE c.relkind IN ('r', 'S') AND c.relpersistence <> 't'
                AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'fuzz_harness')
                AND c.relname <> 'hcguard_confirmation_store'
              ORDER BY 1
    LOOP
        IF r.relkind = 'S' THEN
            EXECUTE format('SELECT md5(last_value || '' '' || is_called) FROM %s', r.rel) INTO d;
        ELSE
            EXECUTE format('SELECT md5(coalesce(string_agg(t::text, E''\n'' ORDER BY t::text), '''')) FROM %s t',
                           r.rel) INTO d;
        END IF;
        part := 'content of ' || r.rel::text;
        digest := d;
        RETURN NEXT;
    END LOOP;
END
$fp$;
SQL
psql_db -f "$work/fingerprint.sql" || exit 1
psql_db -At -F ' ' -c 'SELECT * FROM fuzz_harness.fingerprint()' >"$work/before" || exit 1

# --- the barrage ---------------------------------------------------------------
# One DO block per session.  Every call runs in its own subtransaction (an
# EXCEPTION block) as a random role; a sentinel error rolls back the calls
# that must leave nothing behind (those in read-only mode, and a share of
# the others), so that both committed and rolled-back confirmations occur.
cat >"$work/barrage.sql" <<'SQL'
SET client_min_messages = error;
SET log_min_messages = fatal;
SET hcguard.poll_interval = 10;
SET statement_timeout = '600s';
-- load hcguard's library first: before that, hcguard.on_failure is only a
-- placeholder, which anyone may set (the library refuses the value when it
-- loads; sql/on_failure.sql tests that)
SELECT (public.hcguard_status('salesforce', 'contact')).synced IS NOT NULL AS hcguard_loaded;
DO $barrage$
DECLARE
    session   text := current_setting('fuzz.session');
    seed      double precision := current_setting('fuzz.seed')::double precision;
    ncalls    integer := current_setting('fuzz.calls')::integer;
    -- real names and case variants, for each position
    schemas   text[] := ARRAY['salesforce', 'salesforce', 'salesforce', 'Salesforce', 'SALESFORCE',
                              'Org2', 'Org2', 'org2', 'ORG2', 'plain', 'public', 'pg_catalog',
                              'hcdouble', 'fuzz_harness'];
    tables    text[] := ARRAY['contact', 'Contact', 'CONTACT', 'lead', 'Lead', 'account',
                              'opportunity', 'Opportunity', 'MixedCase', 'mixedcase', 'MIXEDCASE',
                              'notes', 'contact_v', '_hcmeta', '_trigger_log', '_trigger_log_archive',
                              '_sf_event_log', 'invoice__c', 'Invoice__c', 'hcguard_confirmation_store'];
    columns   text[] := ARRAY['email', 'Email', 'EMAIL', 'lastname', 'LastName', 'phone', 'Phone',
                              'preferred_channel__c', 'Preferred_Channel__c', 'Name', 'name', 'NAME',
                              'sfid', 'Id', 'id', '_hc_lastop', '_hc_err', 'createddate',
                              'systemmodstamp', 'isdeleted', 'company', 'industry', 'stagename',
                              'amount', 'total__c', 'ctid', 'xmin', 'tableoid', 'body'];
    hostile   text[] := ARRAY[
        '', ' ', '  ', E'\t', E'\n', E'\r\n', E'\x01', E'\x1f', 'contact ', ' contact',
        '"contact"', '"Contact"', 'salesforce.contact', '.', '..', ';', 'contact;',
        'contact; DROP TABLE public.fuzz_canary',
        $s$x'); DROP TABLE public.fuzz_canary; --$s$, $s$'$s$, $s$''$s$, '"', '""',
        '$$', '$x$ DROP TABLE public.fuzz_canary $x$', E'\\', E'back\\slash', E'\\x00',
        '%s%s%s%n', '%d%x%p', '{}', '[]', 'null', 'NULL', '*', '%', '_', 'contact%',
        'kontakt_ä', 'KONTAKT_Ä', 'Ä', 'ä', 'İ', 'ı', 'ẞ', 'ß', 'ǅ', 'Σ', 'ς', 'ﬀ',
        'Kontakt', 'ＣＯＮＴＡＣＴ', 'ｃｏｎｔａｃｔ', 'con​tact', '﻿contact', '‮contact',
        'contact́', '📇', '🙂🙃', '中文', 'العربية', '␀',
        repeat('a', 63), repeat('a', 64), repeat('A', 63), repeat('b', 200),
        repeat('c', 5000), repeat('x', 62) || 'ä', repeat('ä', 31) || 'x',
        repeat('ä', 32), repeat('🙂', 15) || 'abc', repeat('🙂', 16), repeat('é', 100),
        'preferred_channel__c' || repeat('_', 43), repeat('EMAIL', 13)];
    names     text[];
    pools     text[];
    fns       text[] := ARRAY['required3', 'required2', 'requiredv', 'status', 'confirm',
                              'revoke', 'mappings', 'columns', 'wait', 'config_diff',
                              'required_config', 'set_on_failure', 'confirmations_view'];
    weights   integer[] := ARRAY[12, 8, 8, 10, 10, 8, 5, 8, 8, 8, 8, 3, 4];
    roles     text[] := ARRAY[NULL, 'fuzz_owner', 'fuzz_migrator', 'fuzz_stranger'];
    timeouts  interval[] := ARRAY['0', '0', '0', '1 ms', '2 ms', '1 microsecond', '-1 microsecond',
                                  '-1 ms', '-5 days', '-1 mon', NULL]::interval[];
    docs      jsonb[] := ARRAY['null', '1', '"x"', '[]', '{}', '{"mappings": null}',
        '{"mappings": {}}', '{"mappings": [1]}', '{"mappings": [[]]}', '{"mappings": [{}]}',
        '{"mappings": [{"object_name": 1}]}', '{"mappings": [{"object_name": ""}]}',
        '{"mappings": [{"object_name": "Contact"}]}',
        '{"mappings": [{"object_name": "Contact", "config": []}]}',
        '{"mappings": [{"object_name": "Contact", "config": {}}]}',
        '{"mappings": [{"object_name": "Contact", "config": {"fields": []}}]}',
        '{"mappings": [{"object_name": "Contact", "config": {"fields": null}}]}',
        '{"mappings": [{"object_name": "Contact", "config": {"fields": {}}}, 7]}',
        '{"mappings": []}']::jsonb[];
    nnames    integer;
    total_w   integer;
    fn        text;
    role      text;
    a         text[];
    arr       text[];
    tmo       interval;
    doc       jsonb;
    on_fail   text;
    read_only boolean;
    undo      boolean;
    outcome   text;
    state     text;
    msg       text;
    r         double precision;
    k         integer;
    i         integer;
    tally     jsonb := '{}';
    spent     jsonb := '{}';
    t0        timestamptz;
    connect_rels oid[];
    leaked    bigint;
BEGIN
    PERFORM setseed(seed);
    IF current_setting('fuzz.shapes') = '1' THEN
        schemas := schemas || 'odd_logs'::text;
        tables := tables || 'odd_lastop'::text;
    END IF;
    names := schemas || tables || columns || hostile;

    -- random names: case variants of real names and random valid UTF-8
    pools := schemas || tables || columns;
    FOR i IN 1 .. 150 LOOP
        SELECT string_agg(CASE WHEN random() < 0.5 THEN upper(ch) ELSE lower(ch) END, '')
          INTO msg
          FROM regexp_split_to_table(pools[1 + floor(random() * array_length(pools, 1))::integer], '') AS ch;
        names := names || coalesce(msg, '');
    END LOOP;
    FOR i IN 1 .. 400 LOOP
        SELECT string_agg(chr(CASE
                   WHEN r2 < 0.45 THEN 32 + floor(random() * 95)::integer        -- printable ASCII
                   WHEN r2 < 0.55 THEN 1 + floor(random() * 31)::integer         -- control
                   WHEN r2 < 0.70 THEN 160 + floor(random() * 400)::integer      -- Latin
                   WHEN r2 < 0.80 THEN 768 + floor(random() * 112)::integer      -- combining
                   WHEN r2 < 0.88 THEN 19968 + floor(random() * 20000)::integer  -- CJK
                   WHEN r2 < 0.95 THEN 127744 + floor(random() * 1280)::integer  -- emoji
                   ELSE 57344 + floor(random() * 6400)::integer                  -- private use
               END), '')
          INTO msg
          FROM (SELECT random() AS r2 FROM generate_series(1, 1 + floor(random() * random() * 90)::integer)) g;
        names := names || msg;
    END LOOP;
    nnames := array_length(names, 1);
    SELECT sum(w) INTO total_w FROM unnest(weights) AS w;
    SELECT array_agg(c.oid) INTO connect_rels
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname IN ('salesforce', 'Org2');

    FOR i IN 1 .. ncalls LOOP
        -- the function
        k := floor(random() * total_w)::integer;
        FOR j IN 1 .. array_length(fns, 1) LOOP
            k := k - weights[j];
            IF k < 0 THEN fn := fns[j]; EXIT; END IF;
        END LOOP;
        -- its arguments: a real name for that position, any name, or NULL
        a := ARRAY[]::text[];
        FOR j IN 1 .. 4 LOOP
            r := random();
            pools := CASE j WHEN 1 THEN schemas WHEN 2 THEN tables ELSE columns END;
            a := a || CASE WHEN r < 0.04 THEN NULL
                           WHEN r < 0.75 THEN pools[1 + floor(random() * array_length(pools, 1))::integer]
                           ELSE names[1 + floor(random() * nnames)::integer] END;
        END LOOP;
        IF fn = 'requiredv' THEN
            arr := CASE WHEN random() < 0.05 THEN NULL
                        ELSE a[3:3 + floor(random() * 3)::integer] END;
        ELSIF fn = 'wait' THEN
            tmo := timeouts[1 + floor(random() * array_length(timeouts, 1))::integer];
        ELSIF fn IN ('config_diff', 'required_config') THEN
            IF random() < 0.4 THEN
                doc := docs[1 + floor(random() * array_length(docs, 1))::integer];
            ELSE
                -- a configuration of 0 to 3 mappings of 1 to 7 fields
                SELECT jsonb_build_object('version', 1, 'mappings', coalesce(jsonb_agg(m), '[]'))
                  INTO doc
                  FROM (SELECT jsonb_build_object(
                                   'object_name', CASE WHEN random() < 0.05 THEN NULL
                                                       WHEN random() < 0.7 THEN tables[1 + floor(random() * array_length(tables, 1))::integer]
                                                       ELSE names[1 + floor(random() * nnames)::integer] END,
                                   'config', jsonb_build_object('access', 'read_write', 'fields',
                                       (SELECT coalesce(jsonb_object_agg(CASE WHEN random() < 0.7
                                                        THEN columns[1 + floor(random() * array_length(columns, 1))::integer]
                                                        ELSE names[1 + floor(random() * nnames)::integer] END, '{}'::jsonb), '{}')
                                          FROM generate_series(0, floor(random() * 6)::integer + 0 * g) f))) AS m
                          FROM generate_series(1, floor(random() * 4)::integer) g) s;
            END IF;
        END IF;
        role := roles[1 + floor(random() * 4)::integer];
        on_fail := CASE WHEN random() < 0.5 THEN 'error' ELSE 'warning' END;
        read_only := random() < 0.08;
        undo := read_only OR random() < 0.3;

        t0 := clock_timestamp();
        BEGIN
            PERFORM set_config('hcguard.on_failure', on_fail, true);
            IF read_only THEN
                PERFORM set_config('transaction_read_only', 'on', true);
            END IF;
            IF role IS NOT NULL THEN
                PERFORM set_config('role', role, true);
            END IF;
            CASE fn
            WHEN 'required3' THEN
                EXECUTE 'SELECT public.hcguard_required($1, $2, $3)::text' INTO outcome USING a[1], a[2], a[3];
            WHEN 'required2' THEN
                EXECUTE 'SELECT public.hcguard_required($1, $2)::text' INTO outcome USING a[1], a[2];
            WHEN 'requiredv' THEN
                EXECUTE 'SELECT public.hcguard_required($1, $2, VARIADIC $3)::text' INTO outcome USING a[1], a[2], arr;
            WHEN 'status' THEN
                EXECUTE 'SELECT (s).synced::text FROM public.hcguard_status($1, $2, $3) AS s' INTO outcome USING a[1], a[2], a[3];
            WHEN 'confirm' THEN
                EXECUTE 'SELECT public.hcguard_confirm_synced($1, $2, $3, $4)::text' INTO outcome USING a[1], a[2], a[3], a[4];
            WHEN 'revoke' THEN
                EXECUTE 'SELECT public.hcguard_revoke_confirmation($1, $2, $3)::text' INTO outcome USING a[1], a[2], a[3];
            WHEN 'mappings' THEN
                EXECUTE 'SELECT count(*)::text FROM public.hcguard_mappings($1)' INTO outcome USING a[1];
            WHEN 'columns' THEN
                EXECUTE 'SELECT count(*)::text FROM public.hcguard_columns($1, $2)' INTO outcome USING a[1], a[2];
            WHEN 'wait' THEN
                EXECUTE 'SELECT public.hcguard_wait($1, $2, $3, $4)::text' INTO outcome USING a[1], a[2], a[3], tmo;
            WHEN 'config_diff' THEN
                EXECUTE 'SELECT count(*)::text FROM public.hcguard_config_diff($1, $2)' INTO outcome USING a[1], doc;
            WHEN 'required_config' THEN
                EXECUTE 'SELECT public.hcguard_required_config($1, $2)::text' INTO outcome USING a[1], doc;
            WHEN 'set_on_failure' THEN
                EXECUTE format('SET hcguard.on_failure = %s',
                               CASE WHEN random() < 0.8 THEN 'warning' ELSE quote_literal(coalesce(a[1], 'x')) END);
                outcome := 'set';
            WHEN 'confirmations_view' THEN
                EXECUTE 'SELECT count(*)::text FROM public.hcguard_confirmations' INTO outcome;
            END CASE;
            state := 'ok';
            IF undo THEN
                RAISE SQLSTATE 'HZUND';
            END IF;
            PERFORM set_config('role', 'none', true);
        EXCEPTION
            WHEN SQLSTATE 'HZUND' THEN
                state := 'ok';
            WHEN OTHERS THEN
                GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
                IF NOT (state IN ('22004', '22023', '3F000', '55000', '42P01', '42703', '42501')
                        OR (state = '25000' AND fn = 'wait')
                        OR (state = '25006' AND read_only AND fn IN ('confirm', 'revoke'))
                        -- two sessions confirming the same thing: under
                        -- REPEATABLE READ PostgreSQL's serialization failure,
                        -- and, since each session's transaction holds the
                        -- store's rows it wrote for 100 calls, a deadlock
                        OR (state = '40001' AND fn IN ('confirm', 'revoke')
                            AND current_setting('transaction_isolation') <> 'read committed')
                        OR (state = '40P01' AND fn IN ('confirm', 'revoke'))) THEN
                    INSERT INTO fuzz_harness.bad VALUES (session, fn, coalesce(role, 'superuser'),
                        concat_ws(', ', quote_nullable(a[1]), quote_nullable(a[2]), quote_nullable(a[3]),
                                  quote_nullable(a[4]), quote_nullable(arr::text), quote_nullable(tmo::text),
                                  quote_nullable(left(doc::text, 300)), 'on_failure=' || on_fail,
                                  CASE WHEN read_only THEN 'read only' END),
                        state, left(msg, 500));
                END IF;
        END;
        -- only a superuser may change hcguard.on_failure; confirmations are
        -- refused in read-only transactions
        IF fn = 'set_on_failure' AND role IS NOT NULL AND state = 'ok'
           AND current_setting('fuzz.edition') = 'c' THEN
            INSERT INTO fuzz_harness.bad VALUES (session, fn, role, '', 'weakened',
                'a non-superuser changed hcguard.on_failure');
        END IF;
        IF fn IN ('confirm', 'revoke') AND read_only AND state = 'ok' THEN
            INSERT INTO fuzz_harness.bad VALUES (session, fn, coalesce(role, 'superuser'),
                concat_ws(', ', quote_nullable(a[1]), quote_nullable(a[2]), quote_nullable(a[3])),
                'wrote', 'a confirmation function succeeded in a read-only transaction');
        END IF;
        spent := jsonb_set(spent, ARRAY[fn], to_jsonb(coalesce((spent ->> fn)::double precision, 0)
                           + extract(epoch FROM clock_timestamp() - t0) * 1000));
        tally := jsonb_set(tally, ARRAY[fn || ' ' || state],
                           to_jsonb(coalesce((tally ->> (fn || ' ' || state))::bigint, 0) + 1));

        IF i % 100 = 0 OR i = ncalls THEN
            -- no call left a lock on a Connect table behind
            SELECT count(*) INTO leaked FROM pg_locks
             WHERE pid = pg_backend_pid() AND locktype = 'relation'
               AND relation = ANY (connect_rels);
            IF leaked > 0 THEN
                INSERT INTO fuzz_harness.bad VALUES (session, 'locks', '', '', 'leaked',
                    leaked || ' locks on Connect tables held after ' || i || ' calls');
            END IF;
            PERFORM set_config('hcguard.on_failure', 'error', false);
            COMMIT;
        END IF;
    END LOOP;

    INSERT INTO fuzz_harness.tally
    SELECT session, split_part(key, ' ', 1), split_part(key, ' ', 2), value::bigint
      FROM jsonb_each_text(tally);
    INSERT INTO fuzz_harness.tally
    SELECT session, key, 'ms', round(value::double precision)
      FROM jsonb_each_text(spent);
END
$barrage$;
SQL

half=$(( (calls + 1) / 2 ))
t0=$(date +%s.%N)
PGOPTIONS="-c fuzz.edition=$edition -c fuzz.shapes=${FUZZ_SHAPES:-0} -c fuzz.session=read_committed -c fuzz.seed=$(awk "BEGIN{print $seed / 1000000}") -c fuzz.calls=$half" \
	psql_db -f "$work/barrage.sql" >"$work/a.out" 2>&1 &
pid_a=$!
PGOPTIONS="-c fuzz.edition=$edition -c fuzz.shapes=${FUZZ_SHAPES:-0} -c fuzz.session=repeatable_read -c fuzz.seed=$(awk "BEGIN{print -($seed + 1) / 1000000}") -c fuzz.calls=$half -c default_transaction_isolation=repeatable\\ read" \
	psql_db -f "$work/barrage.sql" >"$work/b.out" 2>&1 &
pid_b=$!
wait $pid_a; rc_a=$?
wait $pid_b; rc_b=$?
t1=$(date +%s.%N)
say "barrage: 2 sessions, $(awk "BEGIN{printf \"%.1f\", $t1 - $t0}") s"
[ $rc_a -eq 0 ] || { fail "session read_committed did not complete (psql exit $rc_a)"; sed 's/^/    /' "$work/a.out" | tail -n 20; }
[ $rc_b -eq 0 ] || { fail "session repeatable_read did not complete (psql exit $rc_b)"; sed 's/^/    /' "$work/b.out" | tail -n 20; }

# --- the checks ----------------------------------------------------------------
# (after a crash the server restarts: give it a moment before judging)
connected=0
for try in $(seq 1 15); do
	if psql -X -q -d "$db" -Atc 'SELECT 1' >/dev/null 2>&1; then
		connected=1
		break
	fi
	sleep 1
done
if [ "$connected" -eq 0 ]; then
	fail "a new connection does not work"
	exit 1
elif [ "$try" -eq 1 ]; then
	say "check: a new connection works"
else
	fail "a new connection worked only after $try tries (the server restarted?)"
fi

if [ -n "$logfile" ]; then
	sleep 2		# the server's log reaches its file with a delay
	if tail -n +"$((log_lines_before + 1))" "$logfile" | grep -E 'terminated by signal|PANIC|TRAP:|server process .* was terminated' >"$work/crash"; then
		fail "the server log reports a crash:"
		sed 's/^/    /' "$work/crash" | head -n 20
	else
		say "check: the server log ($logfile) shows no crash"
	fi
else
	say "note: server log not found; crash check relies on the sessions completing"
fi

say "calls by function and outcome (ok = a result; else the SQLSTATE):"
psql_db -c "SELECT fn AS function, string_agg(outcome || ' ' || total, ', ' ORDER BY outcome) FILTER (WHERE outcome <> 'ms') AS outcomes,
                   sum(total) FILTER (WHERE outcome <> 'ms') AS calls, sum(total) FILTER (WHERE outcome = 'ms') AS ms
              FROM (SELECT fn, outcome, sum(n) AS total FROM fuzz_harness.tally GROUP BY fn, outcome) t
             GROUP BY fn ORDER BY fn" | sed 's/^/    /'
total=$(psql_db -Atc "SELECT coalesce(sum(n), 0) FROM fuzz_harness.tally WHERE outcome <> 'ms'")
if [ "$total" -ge "$min_calls" ]; then
	say "check: $total calls made (at least $min_calls)"
else
	fail "only $total calls made (at least $min_calls wanted)"
fi
for s in read_committed repeatable_read; do
	n=$(psql_db -Atc "SELECT coalesce(sum(n), 0) FROM fuzz_harness.tally WHERE session = '$s' AND outcome <> 'ms'")
	say "      $s: $n"
done

nbad=$(psql_db -Atc 'SELECT count(*) FROM fuzz_harness.bad')
if [ "$nbad" -eq 0 ]; then
	say "check: every call ended in a result or a contract SQLSTATE; no lock left behind; on_failure never weakened"
else
	fail "$nbad calls broke the contract; the first 20:"
	psql_db -c "SELECT session, fn, role, sqlstate, message, args FROM fuzz_harness.bad LIMIT 20" | sed 's/^/    /'
fi

# hcguard_wait under REPEATABLE READ must have said 25000
n25000=$(psql_db -Atc "SELECT coalesce(sum(n), 0) FROM fuzz_harness.tally WHERE session = 'repeatable_read' AND fn = 'wait' AND outcome = '25000'")
nwaitok=$(psql_db -Atc "SELECT coalesce(sum(n), 0) FROM fuzz_harness.tally WHERE session = 'repeatable_read' AND fn = 'wait' AND outcome = 'ok'")
if [ "$n25000" -gt 0 ] && [ "$nwaitok" -eq 0 ]; then
	say "check: hcguard_wait never waited under REPEATABLE READ ($n25000 x 25000)"
else
	fail "hcguard_wait under REPEATABLE READ: $n25000 x 25000, $nwaitok results"
fi

psql_db -At -F ' ' -c 'SELECT * FROM fuzz_harness.fingerprint()' >"$work/after"
if diff "$work/before" "$work/after" >"$work/fpdiff"; then
	say "check: nothing outside hcguard's confirmation store changed ($(wc -l <"$work/before") fingerprint parts)"
else
	fail "the database changed outside hcguard's confirmation store:"
	sed 's/^/    /' "$work/fpdiff" | head -n 20
fi

nstore=$(psql_db -Atc 'SELECT count(*) FROM public.hcguard_confirmation_store')
intruder_rows="
	SELECT * FROM public.hcguard_confirmation_store s
	 WHERE s.confirmed_by NOT IN (SELECT rolname FROM pg_roles WHERE rolsuper)
	   AND NOT EXISTS (SELECT FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	                    WHERE n.nspname = s.schema_name AND c.relname = s.table_name
	                      AND pg_has_role(s.confirmed_by, c.relowner, 'USAGE'))"
intruders=$(psql_db -Atc "SELECT count(*) FROM ($intruder_rows) i")
if [ "$intruders" -eq 0 ]; then
	say "check: all $nstore stored confirmations were made by a superuser or the mapping's owner"
else
	fail "$intruders confirmations were made by roles that may not confirm:"
	psql_db -c "SELECT schema_name, table_name, column_name, confirmed_by FROM ($intruder_rows) i" |
		sed 's/^/    /' | head -n 20
fi

if [ "$(psql -X -d "$db" -Atc 'SELECT hcguard_required($$salesforce$$, $$contact$$) IS NOT NULL' \
	-c "SELECT coalesce(nullif(current_setting('hcguard.on_failure', true), ''), 'error')" | tail -n 1)" = error ]; then
	say "check: hcguard.on_failure is still error in a new session"
else
	fail "hcguard.on_failure is not error in a new session"
fi

[ -n "${FUZZ_KEEP:-}" ] || psql -X -q -d postgres -c "DROP DATABASE $db" >/dev/null 2>&1
psql -X -q -d postgres -c "DROP ROLE IF EXISTS fuzz_owner, fuzz_migrator, fuzz_stranger" >/dev/null 2>&1

end=$(date +%s)
if [ "$failures" -eq 0 ]; then
	say "fuzz: PASS ($total calls, seed $seed, $((end - start)) s)"
	exit 0
fi
say "fuzz: FAIL ($failures checks failed, seed $seed, $((end - start)) s)"
exit 1
