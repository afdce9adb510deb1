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
#      (22004 22023 3F000 55000 42P01 42703 42501; 42704 and 42804 only
#      from the functions that take typed columns; 25000 only from
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
cd "$(dirname "$0")/.." || exit 1
. test/lib.sh

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

psql_db() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }

echo "fuzz: seed $seed (repeat with FUZZ_SEED=$seed), $calls calls"

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
		-c "CREATE DATABASE $db TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'" || fatal "CREATE DATABASE $db"
fi

# --- the Connect environment -------------------------------------------------
psql_db -c 'CREATE EXTENSION hstore' -f test/connect_double.sql "${install[@]}" ||
	fatal "loading the Connect double and hcguard"
psql_db -f test/sql/fuzz_setup.sql >/dev/null || fatal "setup"

# Shapes the contract's definitions admit but Connect never makes: a mapping
# whose _hc_lastop is not text, a Connect schema whose logs lack Connect's
# columns.  Off by default: see the README's "Reliability" section.
if [ "${FUZZ_SHAPES:-0}" = 1 ]; then
	echo "fuzz: with odd shapes (FUZZ_SHAPES=1)"
	psql_db >/dev/null <<'SQL' || fatal "setup of odd shapes"
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
psql_db -f test/sql/fuzz_fingerprint.sql || fatal "creating fuzz_harness.fingerprint()"
psql_db -At -F ' ' -c 'SELECT * FROM fuzz_harness.fingerprint()' >"$work/before" || fatal "taking the fingerprint"

# --- the barrage ---------------------------------------------------------------
# One DO block per session, test/sql/fuzz_barrage.sql.  Every call runs in
# its own subtransaction (an EXCEPTION block) as a random role; a sentinel
# error rolls back the calls that must leave nothing behind (those in
# read-only mode, and a share of the others), so that both committed and
# rolled-back confirmations occur.
half=$(( (calls + 1) / 2 ))
t0=$(date +%s.%N)
PGOPTIONS="-c fuzz.edition=$edition -c fuzz.shapes=${FUZZ_SHAPES:-0} -c fuzz.session=read_committed -c fuzz.seed=$(awk "BEGIN{print $seed / 1000000}") -c fuzz.calls=$half" \
	psql_db -f test/sql/fuzz_barrage.sql >"$work/a.out" 2>&1 &
pid_a=$!
PGOPTIONS="-c fuzz.edition=$edition -c fuzz.shapes=${FUZZ_SHAPES:-0} -c fuzz.session=repeatable_read -c fuzz.seed=$(awk "BEGIN{print -($seed + 1) / 1000000}") -c fuzz.calls=$half -c default_transaction_isolation=repeatable\\ read" \
	psql_db -f test/sql/fuzz_barrage.sql >"$work/b.out" 2>&1 &
pid_b=$!
wait $pid_a; rc_a=$?
wait $pid_b; rc_b=$?
t1=$(date +%s.%N)
echo "barrage: 2 sessions, $(awk "BEGIN{printf \"%.1f\", $t1 - $t0}") s"
[ $rc_a -eq 0 ] || { not_ok "session read_committed did not complete (psql exit $rc_a)"; sed 's/^/    /' "$work/a.out" | tail -n 20; }
[ $rc_b -eq 0 ] || { not_ok "session repeatable_read did not complete (psql exit $rc_b)"; sed 's/^/    /' "$work/b.out" | tail -n 20; }

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
	fatal "a new connection does not work"
elif [ "$try" -eq 1 ]; then
	ok "a new connection works"
else
	not_ok "a new connection worked only after $try tries (the server restarted?)"
fi

if [ -n "$logfile" ]; then
	sleep 2		# the server's log reaches its file with a delay
	if tail -n +"$((log_lines_before + 1))" "$logfile" | grep -E 'terminated by signal|PANIC|TRAP:|server process .* was terminated' >"$work/crash"; then
		not_ok "the server log reports a crash:"
		sed 's/^/    /' "$work/crash" | head -n 20
	else
		ok "the server log ($logfile) shows no crash"
	fi
else
	echo "note: server log not found; crash check relies on the sessions completing"
fi

echo "calls by function and outcome (ok = a result; else the SQLSTATE):"
psql_db -c "SELECT fn AS function, string_agg(outcome || ' ' || total, ', ' ORDER BY outcome) FILTER (WHERE outcome <> 'ms') AS outcomes,
                   sum(total) FILTER (WHERE outcome <> 'ms') AS calls, sum(total) FILTER (WHERE outcome = 'ms') AS ms
              FROM (SELECT fn, outcome, sum(n) AS total FROM fuzz_harness.tally GROUP BY fn, outcome) t
             GROUP BY fn ORDER BY fn" | sed 's/^/    /'
total=$(psql_db -Atc "SELECT coalesce(sum(n), 0) FROM fuzz_harness.tally WHERE outcome <> 'ms'")
if [ "$total" -ge "$min_calls" ]; then
	ok "$total calls made (at least $min_calls)"
else
	not_ok "only $total calls made (at least $min_calls wanted)"
fi
for s in read_committed repeatable_read; do
	n=$(psql_db -Atc "SELECT coalesce(sum(n), 0) FROM fuzz_harness.tally WHERE session = '$s' AND outcome <> 'ms'")
	echo "      $s: $n"
done

nbad=$(psql_db -Atc 'SELECT count(*) FROM fuzz_harness.bad')
if [ "$nbad" -eq 0 ]; then
	ok "every call ended in a result or a contract SQLSTATE; no lock left behind; on_failure never weakened"
else
	not_ok "$nbad calls broke the contract; the first 20:"
	psql_db -c "SELECT session, fn, role, sqlstate, message, args FROM fuzz_harness.bad LIMIT 20" | sed 's/^/    /'
fi

# hcguard_wait under REPEATABLE READ must have said 25000
n25000=$(psql_db -Atc "SELECT coalesce(sum(n), 0) FROM fuzz_harness.tally WHERE session = 'repeatable_read' AND fn = 'wait' AND outcome = '25000'")
nwaitok=$(psql_db -Atc "SELECT coalesce(sum(n), 0) FROM fuzz_harness.tally WHERE session = 'repeatable_read' AND fn = 'wait' AND outcome = 'ok'")
if [ "$n25000" -gt 0 ] && [ "$nwaitok" -eq 0 ]; then
	ok "hcguard_wait never waited under REPEATABLE READ ($n25000 x 25000)"
else
	not_ok "hcguard_wait under REPEATABLE READ: $n25000 x 25000, $nwaitok results"
fi

psql_db -At -F ' ' -c 'SELECT * FROM fuzz_harness.fingerprint()' >"$work/after"
if diff "$work/before" "$work/after" >"$work/fpdiff"; then
	ok "nothing outside hcguard's confirmation store changed ($(wc -l <"$work/before") fingerprint parts)"
else
	not_ok "the database changed outside hcguard's confirmation store:"
	sed 's/^/    /' "$work/fpdiff" | head -n 20
fi

nstore=$(psql_db -Atc 'SELECT count(*) FROM hcguard.confirmation_store')
intruder_rows="
	SELECT * FROM hcguard.confirmation_store s
	 WHERE s.confirmed_by NOT IN (SELECT rolname FROM pg_roles WHERE rolsuper)
	   AND NOT EXISTS (SELECT FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	                    WHERE n.nspname = s.schema_name AND c.relname = s.table_name
	                      AND pg_has_role(s.confirmed_by, c.relowner, 'USAGE'))"
intruders=$(psql_db -Atc "SELECT count(*) FROM ($intruder_rows) i")
if [ "$intruders" -eq 0 ]; then
	ok "all $nstore stored confirmations were made by a superuser or the mapping's owner"
else
	not_ok "$intruders confirmations were made by roles that may not confirm:"
	psql_db -c "SELECT schema_name, table_name, column_name, confirmed_by FROM ($intruder_rows) i" |
		sed 's/^/    /' | head -n 20
fi

if [ "$(psql -X -d "$db" -Atc 'SELECT hcguard_required($$salesforce$$, $$contact$$) IS NOT NULL' \
	-c "SELECT coalesce(nullif(current_setting('hcguard.on_failure', true), ''), 'error')" | tail -n 1)" = error ]; then
	ok "hcguard.on_failure is still error in a new session"
else
	not_ok "hcguard.on_failure is not error in a new session"
fi

[ -n "${FUZZ_KEEP:-}" ] || psql -X -q -d postgres -c "DROP DATABASE $db" >/dev/null 2>&1
psql -X -q -d postgres -c "DROP ROLE IF EXISTS fuzz_owner, fuzz_migrator, fuzz_stranger" >/dev/null 2>&1

echo "fuzz: $total calls, seed $seed"
finish
