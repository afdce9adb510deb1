#!/usr/bin/env bash
# test/differential.sh: the C extension and the SQL edition side by side, the
# same calls on the same data (issue 13, "Differential testing").
#
#     pg_virtualenv -t -v 15 bash test/differential.sh     # from the repository root
#     DIFF_SEED=123456 pg_virtualenv -t -v 15 bash test/differential.sh   # the same calls again
#     DIFF_CALLS=200000 pg_virtualenv -t -v 15 bash test/differential.sh
#
# Two databases in one throwaway cluster, both owned by hcdiff_dbowner (no
# superuser, no CREATEDB, no CREATEROLE):
#   hcdiff_c    hstore, the Connect double, CREATE EXTENSION hcguard
#   hcdiff_sql  hstore, the Connect double, heroku/hcguard.sql installed by
#               hcdiff_dbowner with psql -f, as on Heroku Postgres
# In both, the same Connect environment (test/differential/fixture.sql) and
# harness (test/differential/harness.sql).  Before the barrage both must hold
# the same fixture (a fingerprint of the catalogs and contents of the
# fixture's schemas), or the test stops: the comparison would be unfair.
#
# What is compared.  test/differential/calls.pl writes DIFF_CALLS calls
# (default 50,000) from the seed, and the same file runs in both databases
# at once, one psql session each.  Every call's whole outcome must be the
# same in both:
#   * every row it returns (sorted: the order of rows is not in the contract);
#   * every ERROR and WARNING, in psql's verbose form: SQLSTATE, message,
#     DETAIL, HINT and the error fields (schema, table, column, ...);
#   * after hcguard_confirm_synced, hcguard_revoke_confirmation and Connect's
#     events, every row of hcguard_confirmations (who, note, counts, and
#     whether this call wrote it, instead of when).
# Also compared: hcguard_mappings() and hcguard_confirmations on the fixture
# before the barrage, and after it the fixture's fingerprint (only hcguard's
# store may have changed, and Connect's events alike in both) and
# hcguard_mappings() and hcguard_confirmations again.  Every outcome must
# also be within the contract: an ERROR or WARNING whose SQLSTATE the
# contract does not name for that call fails the test too.
#
# The calls: every function of the contract (hcguard_required in its three
# forms, VARIADIC arrays with NULLs, empty, NULL and two-dimensional, and the
# spread form; hcguard_status; hcguard_confirm_synced and
# hcguard_revoke_confirmation, positional and named; the view
# hcguard_confirmations; hcguard_mappings; hcguard_columns; hcguard_wait
# with a zero, NULL or negative timeout, never one that could sleep;
# hcguard_config_diff and hcguard_required_config with valid, incomplete,
# tricky, long and malformed documents), half of them coherent (a real
# schema, one of its tables, one of its columns, in the spellings people
# type) and the others mixing real names, case variants, Id, bookkeeping
# columns, Connect's system tables, missing names and close misspellings,
# names over 63 bytes, multibyte, hostile and random UTF-8 names, NULLs and
# empty strings.  Each runs as one of eight roles (the superuser; the owner
# of some mappings, hcdiff_owner, and its member; hcdiff_migrator with USAGE
# and SELECT, column privileges only on one mapping, row-level security on
# another; hcdiff_stranger, with nothing but one mapping it owns;
# hcdiff_auditor, a member of pg_read_all_data; "Hcdiff Odd""Role", whose
# name needs quoting; hcdiff_dbowner, who installed the SQL edition and owns
# a mapping), with hcguard.on_failure unset, error or warning, now and then
# with another search_path (one that shadows lower() and text = text),
# in autocommit, a REPEATABLE READ or a READ ONLY transaction.  Now and then
# Heroku Connect (the double) changes something: adds, syncs or drops a
# field, drops and maps again a mapping, pushes writes, reloads.
#
# Output: the first DIFF_SHOW (20) differing calls, each with its role,
# setting, transaction and SQL and both outcomes; a summary of the
# differences by function and outcome; the count.  Exit 0: no difference;
# 1: the editions differ (or an outcome is outside the contract); 2: the
# test could not run (setup failed, a session died, the harness broke).
#
# The allow-list, the only differences ignored, each for a reason the
# README's "How the editions differ" gives:
#   1. CONTEXT lines.  The SQL edition's PL/pgSQL adds CONTEXT lines naming
#      its functions.  The barrage runs with \set SHOW_CONTEXT never, so
#      neither edition's CONTEXT is printed or compared.
#   2. LOCATION lines (verbose mode): the server source file and line that
#      raised the message, one of hcguard's C files or PL/pgSQL's
#      pl_exec.c.  test/differential/compare.pl drops them.
#   3. Who may set hcguard.on_failure: only a superuser in the C extension,
#      any role in the SQL edition.  The harness sets it as the superuser
#      before it becomes the call's role, and no call sets it, so that
#      difference never shows; no non-superuser SET is compared.
# Whatever else differs is a difference between the editions.
#
# DIFF_SEED=n repeats a run's calls (the seed is printed); DIFF_CALLS=n sets
# their number; DIFF_SHOW=n how many differing calls are printed;
# DIFF_KEEP=1 keeps the two databases and the work directory (calls.tsv,
# barrage.sql, out_c, out_sql: psql's output for each) and prints where.
# HCGUARD_SQL_FILE: the SQL edition to install (default heroku/hcguard.sql;
# it is copied when the test starts).  About 1.5 minutes for 50,000 calls
# on two cores; the SQL edition's session is the slower.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

if [ -z "${PGHOST:-}${PGPORT:-}" ]; then
	echo "differential: run me on a throwaway cluster: pg_virtualenv -t -v 15 bash $0" >&2
	exit 2
fi

seed=${DIFF_SEED:-$(( (RANDOM << 15 | RANDOM) % 1000000 ))}
calls=${DIFF_CALLS:-50000}
show=${DIFF_SHOW:-20}
sql_file=${HCGUARD_SQL_FILE:-heroku/hcguard.sql}
dir=test/differential
work=$(mktemp -d)
keep=${DIFF_KEEP:-}
started=$SECONDS

say() { printf '%s\n' "$*"; }
fatal() { say "differential: FAIL (setup): $*"; exit 2; }
cleanup() {
	if [ -n "$keep" ]; then
		say "differential: kept $work and the databases hcdiff_c, hcdiff_sql"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

case "$seed" in *[!0-9]*|'') fatal "DIFF_SEED must be a number" ;; esac
case "$calls" in *[!0-9]*|'') fatal "DIFF_CALLS must be a number" ;; esac
for f in "$sql_file" test/connect_double.sql "$dir/fixture.sql" "$dir/harness.sql" \
	"$dir/calls.pl" "$dir/compare.pl"; do
	[ -r "$f" ] || fatal "missing $f"
done
# the SQL edition as it is now: a file edited while the test runs would mix
# two versions
cp "$sql_file" "$work/hcguard.sql"

say "differential: seed $seed (repeat with DIFF_SEED=$seed), $calls calls"

psql_su() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

# --- roles and databases -------------------------------------------------------
[ "$(psql_su -d postgres -Atc 'SELECT rolsuper FROM pg_roles WHERE rolname = current_user')" = t ] ||
	fatal "connect as a superuser"
psql_su -d postgres >/dev/null <<'SQL' || fatal "creating roles and databases"
SET client_min_messages = warning;
DROP DATABASE IF EXISTS hcdiff_c;
DROP DATABASE IF EXISTS hcdiff_sql;
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['hcdiff_dbowner', 'hcdiff_owner', 'hcdiff_migrator', 'hcdiff_stranger'] LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('CREATE ROLE %I NOSUPERUSER NOCREATEDB NOCREATEROLE', r);
        END IF;
    END LOOP;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'hcdiff_member') THEN
        CREATE ROLE hcdiff_member NOSUPERUSER NOCREATEDB NOCREATEROLE IN ROLE hcdiff_owner;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'Hcdiff Odd"Role') THEN
        CREATE ROLE "Hcdiff Odd""Role" NOSUPERUSER NOCREATEDB NOCREATEROLE;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'hcdiff_auditor') THEN
        CREATE ROLE hcdiff_auditor NOSUPERUSER NOCREATEDB NOCREATEROLE IN ROLE pg_read_all_data;
    END IF;
END
$$;
SQL
for db in hcdiff_c hcdiff_sql; do
	if ! psql -X -q -d postgres -c "CREATE DATABASE $db OWNER hcdiff_dbowner TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'" 2>/dev/null; then
		psql_su -d postgres -c "CREATE DATABASE $db OWNER hcdiff_dbowner TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'" ||
			fatal "creating database $db"
	fi
done

# --- the two editions, the same fixture -------------------------------------------
psql_su -d hcdiff_c -c 'CREATE EXTENSION hstore' -f test/connect_double.sql \
	-c 'CREATE EXTENSION hcguard' >"$work/setup_c.log" 2>&1 ||
	{ cat "$work/setup_c.log"; fatal "installing the C extension in hcdiff_c"; }
# as on Heroku: the database's owner installs the file with psql -f
psql_su -d hcdiff_sql -c 'CREATE EXTENSION hstore' -f test/connect_double.sql \
	-c 'SET ROLE hcdiff_dbowner' -c 'SET client_min_messages = warning' -f "$work/hcguard.sql" \
	-c 'RESET ROLE' >"$work/setup_sql.log" 2>&1 ||
	{ cat "$work/setup_sql.log"; fatal "installing the SQL edition in hcdiff_sql as hcdiff_dbowner"; }
for db in hcdiff_c hcdiff_sql; do
	psql_su -d "$db" -f "$dir/fixture.sql" -f "$dir/harness.sql" -c 'ANALYZE' >"$work/fixture_$db.log" 2>&1 ||
		{ cat "$work/fixture_$db.log"; fatal "building the fixture in $db"; }
done
c_version=$(psql_su -d hcdiff_c -Atc "SELECT extversion FROM pg_extension WHERE extname = 'hcguard'")
sql_version=$(psql_su -d hcdiff_sql -Atc 'SELECT version FROM hcguard.sql_edition')
sql_langs=$(psql_su -d hcdiff_sql -Atc "SELECT string_agg(DISTINCT l.lanname || ' ' || p.proowner::regrole, ', ')
                                         FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
                                        WHERE p.proname LIKE 'hcguard%'")
say "differential: C extension $c_version in hcdiff_c; SQL edition $sql_version in hcdiff_sql (functions: $sql_langs)"
[ "$c_version" = "$sql_version" ] ||
	say "differential: note: the two editions' versions differ ($c_version, $sql_version)"

# The fixture, as hcguard sees it: catalogs and contents of everything in
# the schemas the fixture made.  It must be the same in both databases
# before the barrage, and stay so (only hcguard's store may change).
fingerprint() {
	psql_su -d "$1" -At <<-'SQL'
		WITH nsp AS (SELECT oid, nspname FROM pg_namespace
		              WHERE nspname IN ('salesforce', 'Org2', 'sales_eu', 'empty_connect', 'plain', 'half_connect', 'odd', 'shadow', 's"; drop table plain.contact; --'))
		SELECT format('schema %s %s %s', nspname, pg_get_userbyid(n.nspowner), n.nspacl)
		  FROM pg_namespace n WHERE n.oid IN (SELECT oid FROM nsp)
		UNION ALL
		SELECT format('relation %s.%s %s %s %s %s %s %s %s %s', nsp.nspname, c.relname, c.relkind, c.relpersistence, c.relforcerowsecurity,
		              pg_get_userbyid(c.relowner), c.relacl, c.relrowsecurity, c.reltuples, c.relnatts)
		  FROM pg_class c JOIN nsp ON nsp.oid = c.relnamespace
		UNION ALL
		SELECT format('column %s.%s %s %s %s %s %s', nsp.nspname, c.relname, a.attnum, a.attname,
		              format_type(a.atttypid, a.atttypmod), a.attisdropped, a.attacl)
		  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN nsp ON nsp.oid = c.relnamespace
		 WHERE a.attnum > 0
		UNION ALL
		SELECT format('trigger %s %s %s', tgrelid::regclass, tgname, tgenabled)
		  FROM pg_trigger WHERE tgrelid IN (SELECT c.oid FROM pg_class c JOIN nsp ON nsp.oid = c.relnamespace)
		UNION ALL
		SELECT format('policy %s %s %s %s', polrelid::regclass, polname, polroles::regrole[], pg_get_expr(polqual, polrelid))
		  FROM pg_policy WHERE polrelid IN (SELECT c.oid FROM pg_class c JOIN nsp ON nsp.oid = c.relnamespace)
		UNION ALL
		SELECT format('roles %s', string_agg(format('%s %s %s', rolname, rolsuper, pg_has_role(rolname, 'hcdiff_owner', 'MEMBER')), ', ' ORDER BY rolname))
		  FROM pg_roles WHERE rolname ILIKE 'hcdiff%'
		ORDER BY 1;
		-- every table's and sequence's content
		CREATE TEMP TABLE fp (line text);
		DO $fp$
		DECLARE
		    r record;
		    d text;
		BEGIN
		    FOR r IN SELECT c.oid::regclass AS rel, c.relkind FROM pg_class c
		               JOIN pg_namespace n ON n.oid = c.relnamespace
		              WHERE n.nspname IN ('salesforce', 'Org2', 'sales_eu', 'empty_connect', 'plain', 'half_connect', 'odd', 'shadow', 's"; drop table plain.contact; --')
		                AND c.relkind IN ('r', 'S', 'm')
		    LOOP
		        IF r.relkind = 'S' THEN
		            EXECUTE format('SELECT last_value || '' '' || is_called FROM %s', r.rel) INTO d;
		        ELSE
		            EXECUTE format('SELECT md5(coalesce(string_agg(t::text, E''\n'' ORDER BY t::text), '''')) FROM %s t', r.rel) INTO d;
		        END IF;
		        INSERT INTO fp VALUES (format('content %s %s', r.rel, d));
		    END LOOP;
		END
		$fp$;
		SELECT line FROM fp ORDER BY 1;
	SQL
}
# What hcguard says of the fixture as a whole, as the superuser.
overview() {
	psql_su -d "$1" -At <<-'SQL'
		SELECT t::text FROM hcguard_mappings() t ORDER BY 1;
		SELECT t::text FROM (SELECT schema_name, table_name, column_name, confirmed_by, note, counts
		                       FROM hcguard_confirmations) t ORDER BY 1;
	SQL
}
fingerprint hcdiff_c >"$work/fixture_c" || fatal "fingerprint of hcdiff_c"
fingerprint hcdiff_sql >"$work/fixture_sql" || fatal "fingerprint of hcdiff_sql"
if ! diff -u "$work/fixture_c" "$work/fixture_sql" >"$work/fixture.diff"; then
	sed 's/^/    /' "$work/fixture.diff" | head -n 40
	fatal "the fixture differs between hcdiff_c and hcdiff_sql: the comparison would not be fair"
fi
say "differential: the fixture is the same in both databases ($(wc -l <"$work/fixture_c") catalog and content lines)"
overview hcdiff_c >"$work/overview_c" || fatal "hcguard_mappings() in hcdiff_c"
overview hcdiff_sql >"$work/overview_sql" || fatal "hcguard_mappings() in hcdiff_sql"
overview_differs=0
if ! diff -u "$work/overview_c" "$work/overview_sql" >"$work/overview.diff"; then
	overview_differs=1
	say "DIFFERENCE: hcguard_mappings() or hcguard_confirmations differ on the fixture (- C extension, + SQL edition):"
	sed 's/^/    /' "$work/overview.diff" | head -n 40
fi

# --- the barrage ---------------------------------------------------------------
perl "$dir/calls.pl" "$seed" "$calls" "$work" || fatal "generating the calls"
t0=$SECONDS
psql -X -q -d hcdiff_c -f "$work/barrage.sql" >/dev/null 2>"$work/out_c" &
pid_c=$!
psql -X -q -d hcdiff_sql -f "$work/barrage.sql" >/dev/null 2>"$work/out_sql" &
pid_sql=$!
wait "$pid_c"; rc_c=$?
wait "$pid_sql"; rc_sql=$?
say "differential: $calls calls in each database in $((SECONDS - t0)) s (psql exit codes: C $rc_c, SQL $rc_sql)"
broken=0
[ "$rc_c" -eq 0 ] || { broken=1; say "FAIL: the session of hcdiff_c did not complete:"; tail -n 5 "$work/out_c" | sed 's/^/    /'; }
[ "$rc_sql" -eq 0 ] || { broken=1; say "FAIL: the session of hcdiff_sql did not complete:"; tail -n 5 "$work/out_sql" | sed 's/^/    /'; }

# --- the comparison --------------------------------------------------------------
perl "$dir/compare.pl" "$work/calls.tsv" "$work/out_c" "$work/out_sql" "$show"
rc_cmp=$?

# Both databases end the same: Connect's events changed both alike, and
# hcguard changed nothing but its store.
after_differs=0
fingerprint hcdiff_c >"$work/fixture_c.after" || fatal "fingerprint of hcdiff_c after the barrage"
fingerprint hcdiff_sql >"$work/fixture_sql.after" || fatal "fingerprint of hcdiff_sql after the barrage"
if ! diff -u "$work/fixture_c.after" "$work/fixture_sql.after" >"$work/fixture_after.diff"; then
	after_differs=1
	say "DIFFERENCE: after the barrage, the databases differ outside hcguard's store (- C extension, + SQL edition):"
	sed 's/^/    /' "$work/fixture_after.diff" | head -n 20
fi
overview hcdiff_c >"$work/overview_c.after" && overview hcdiff_sql >"$work/overview_sql.after" ||
	fatal "hcguard_mappings() after the barrage"
if ! diff -u "$work/overview_c.after" "$work/overview_sql.after" >"$work/overview_after.diff"; then
	after_differs=1
	say "DIFFERENCE: after the barrage, hcguard_mappings() or hcguard_confirmations differ (- C extension, + SQL edition):"
	sed 's/^/    /' "$work/overview_after.diff" | head -n 40
fi
nconf=$(psql_su -d hcdiff_c -Atc 'SELECT count(*) FROM hcguard_confirmations')

if [ -z "$keep" ]; then
	psql -X -q -d postgres -c 'DROP DATABASE hcdiff_c' -c 'DROP DATABASE hcdiff_sql' >/dev/null 2>&1
	psql -X -q -d postgres -c 'DROP ROLE hcdiff_member, hcdiff_owner, hcdiff_migrator, hcdiff_stranger, hcdiff_auditor, "Hcdiff Odd""Role", hcdiff_dbowner' >/dev/null 2>&1
fi

elapsed=$((SECONDS - started))
if [ "$broken" -eq 0 ] && [ "$rc_cmp" -eq 0 ] && [ "$overview_differs" -eq 0 ] && [ "$after_differs" -eq 0 ]; then
	say "differential: PASS ($calls calls, no difference beyond the allow-list; $nconf confirmations at the end; seed $seed, $elapsed s)"
	exit 0
fi
[ "$rc_cmp" -eq 2 ] && broken=1
say "differential: FAIL (the editions differ; seed $seed, $elapsed s; repeat with DIFF_SEED=$seed)"
[ "$broken" -eq 1 ] && exit 2
exit 1
