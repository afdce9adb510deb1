#!/usr/bin/env bash
# test/hcguard_connect.sh: bin/hcguard-connect (issue 17, point 2) against a
# fake Connect API (test/fake_connect_api.py, playing the scenarios of
# test/fake_connect_api.json over HTTP on 127.0.0.1) and databases with a
# Connect schema made by the Connect double:
#
#   hcconnect_sql  the SQL edition (heroku/hcguard.sql), as on Heroku Postgres
#   hcconnect_c    the C extension (skipped, and said, when not installed)
#   hcconnect_doc  the SQL edition, for docs/release-phase.md's examples
#
# Scenarios (app names are the fake API's scenarios):
#   1. hc-progress: wait Contact sees SCHEMA_CHANGED, RESYNC, DATA_SYNCED
#      (the server moves on at each request), prints a progress line per
#      poll (docs/release-phase.md shows them), exits 0 after the third
#      poll; hcguard_connect_state shows DATA_SYNCED; again on the C
#      extension (hc-progress-c), object names in other cases.  A synced
#      mapping of a BUSY connection is not done (hc-account).
#   2. hc-error: a mapping in an error state, exit 1 naming it; hc-auth:
#      NEED_AUTHENTICATION, exit 1; an object not mapped, exit 1.
#   3. a token the API refuses (401): exit 2, "refused the token".
#   4. nothing listening: exit 2; an HTTP 503: exit 2.
#   5. hc-slow (the server sleeps 5 s) with --http-timeout 1: exit 2 in
#      under 4 s; hc-stuck (RESYNC for ever) with --timeout 3s: exit 1 in
#      3 to 6 s.
#   6. no connection for the app, several connections: exit 2 with what to
#      do; --resource picks one.
#   7. the token is in no output of any run (not even under bash -x), in no
#      pg_dump of the databases, and in no argv of curl or psql (wrappers on
#      PATH record every argv), while the fake API did receive it.
#   8. record records one snapshot and prints its summary (two records
#      record two states); usage errors exit 2; psql missing exits 2.
#   9. docs/release-phase.md: its procfile and sh blocks run as they stand.
#
# Run by scripts/test as `pg_virtualenv -t -v 15 bash test/hcguard_connect.sh`
# from the repository root.  Exit 0 = pass.  HCGUARD_SQL_FILE: the SQL
# edition to install (default heroku/hcguard.sql).
# Single-quoted $ below is an inner shell's, on purpose; the functions that
# traps and check call are reached indirectly.
# shellcheck disable=SC2016,SC2317
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
. test/lib.sh
need_throwaway_cluster

# Debian's curl (what the script uses) and Python (the fake API's server).
scripts/deps curl python3 || fatal "scripts/deps curl python3 failed"
python=/usr/bin/python3

top=$(pwd)
sql_file=$(realpath "${HCGUARD_SQL_FILE:-heroku/hcguard.sql}")
work=$(mktemp -d)
server_pid=''
cleanup() {
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null
		wait "$server_pid" 2>/dev/null
	fi
	rm -rf "$work"
}
trap cleanup EXIT
fatal_hook() {
	echo "--- fake Connect API's log:"
	cat "$work/api.log" 2>/dev/null
}

# The tokens: distinctive, so that a leak anywhere is found by grep.
token="hcgtok-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
wrong_token="hcgbad-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"

# ---- the databases ----------------------------------------------------------

# setup DB EDITION: a Connect schema salesforce (Contact with Email and
# Preferred_Channel__c, Account with Name; loaded) and hcguard.
setup() {
	local db=$1 edition=$2
	createdb "$db" || fatal "createdb $db"
	psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<'SQL' || fatal "the Connect double in $db"
\i test/connect_double.sql
SELECT hcdouble.create_connect_schema('salesforce');
SELECT hcdouble.create_mapping('salesforce', 'Contact', '[["Email", "email"], ["Preferred_Channel__c", "picklist"]]');
SELECT hcdouble.connect_load('salesforce', 'Contact', 3);
SELECT hcdouble.create_mapping('salesforce', 'Account', '[["Name", "string"]]');
SELECT hcdouble.connect_load('salesforce', 'Account', 2);
SQL
	if [ "$edition" = c ]; then
		q "$db" "CREATE EXTENSION hcguard" >/dev/null || fatal "CREATE EXTENSION hcguard in $db"
	else
		psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c 'SET client_min_messages = warning' \
			-f "$sql_file" >/dev/null || fatal "installing the SQL edition in $db"
	fi
}

say "databases"
setup hcconnect_sql sql
setup hcconnect_doc sql
c_edition=$(q postgres "SELECT count(*) FROM pg_available_extensions WHERE name = 'hcguard'")
if [ "$c_edition" = 1 ]; then
	setup hcconnect_c c
else
	echo "# the C extension is not installed in this cluster: its scenario is skipped"
fi
for db in hcconnect_sql hcconnect_doc; do
	q "$db" "SELECT 'hcguard_record_connect_state(jsonb)'::regprocedure, 'hcguard_connect_state'::regclass" >/dev/null ||
		fatal "$db has no hcguard_record_connect_state(jsonb) or hcguard_connect_state: $sql_file is older than hcguard 1.2's Connect API support"
done

# ---- the fake API and the argv recorders ------------------------------------

say "the fake Connect API"
"$python" test/fake_connect_api.py test/fake_connect_api.json "$token" "$work/port" \
	"$work/api.log" 18600 18699 2>"$work/api.err" &
server_pid=$!
for _ in $(seq 100); do
	[ -s "$work/port" ] && break
	kill -0 "$server_pid" 2>/dev/null || fatal "the fake API did not start: $(cat "$work/api.err")"
	sleep 0.05
done
[ -s "$work/port" ] || fatal "the fake API did not start within 5 s"
port=$(cat "$work/port")
api="http://127.0.0.1:$port"
echo "# fake Connect API at $api"

# A port in the range where nothing listens: bound, then let go.
dead_port=$("$python" -c '
import socket, sys
for p in range(18699, 18599, -1):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); s.close(); print(p); sys.exit(0)
    except OSError:
        s.close()
sys.exit(1)') || fatal "no free port for the network failure scenario"

# curl and psql, as the script finds them on PATH, record their argv (one
# argument a line) and run the real ones: the token must be in none.
mkdir "$work/bin"
for tool in curl psql; do
	real=$(command -v "$tool") || fatal "$tool is not installed"
	cat >"$work/bin/$tool" <<EOF
#!/bin/sh
printf '%s\n' "\$@" >>"$work/$tool.argv"
exec "$real" "\$@"
EOF
	chmod +x "$work/bin/$tool"
done
PATH="$work/bin:$PATH"

# ---- running the script -----------------------------------------------------

# run NAME APP DB ARGS...: bin/hcguard-connect ARGS with the app, the fake
# API and the database in its environment; its output (both streams) in
# $out and $work/NAME.out, its exit status in $rc, its duration (ms) in $ms.
# HCC_TOKEN, HCC_SERVER, HCC_PATH change the token, the API, PATH;
# HCC_SHELL=bash runs the script with bash -x.
run() {
	local name=$1 app=$2 db=$3 t0
	shift 3
	runs=$((runs + 1))
	local file=$work/$runs-$name.out
	t0=$(date +%s%3N)
	# timeout: a broken script that never gives up fails the test, no more.
	timeout 30 env HEROKU_API_KEY="${HCC_TOKEN-$token}" HEROKU_APP_NAME="$app" \
		CONNECT_DISCOVERY_SERVER="${HCC_SERVER:-$api}" DATABASE_URL="postgresql:///$db" \
		PATH="${HCC_PATH:-$PATH}" ${HCC_SHELL:+$HCC_SHELL -x} bin/hcguard-connect "$@" >"$file" 2>&1
	rc=$?
	ms=$(($(date +%s%3N) - t0))
	out=$(cat "$file")
	echo "# $name: exit $rc in ${ms} ms"
	sed 's/^/#   /' "$file"
}
runs=0

# between MS LO HI: LO <= MS < HI.
between() { [ "$1" -ge "$2" ] && [ "$1" -lt "$3" ]; }

# has TEXT: the last run's output contains TEXT.
has() { grep -qF -- "$1" <<<"$out"; }

# state DB: what hcguard_connect_state says of salesforce's mappings.
state() {
	q "$1" "SELECT object_name, connection_state, mapping_state, db_count, sf_count,
	               EXISTS (SELECT FROM unnest(fields) f WHERE lower(f) = 'preferred_channel__c')
	          FROM hcguard_connect_state WHERE schema_name = 'salesforce' ORDER BY lower(object_name)"
}

# requests PATTERN: how many requests the fake API logged matching PATTERN.
requests() { grep -c -- "$1" "$work/api.log"; }

# ---- 1. Connect moves through SCHEMA_CHANGED, RESYNC, DATA_SYNCED -----------

say "1. wait Contact while Connect adds a field"
run progress hc-progress hcconnect_sql wait --interval 1s --timeout 30s Contact
check_eq "1: exit 0" 0 "$rc"
check_eq "1: a progress line per poll, then done" \
	"hcguard-connect: [0s] connection BUSY; Contact SCHEMA_CHANGED (db 3, sf 3)
hcguard-connect: [1s] connection POLLING_DB_CHANGES; Contact RESYNC (db 3, sf 3)
hcguard-connect: [2s] connection IDLE; Contact DATA_SYNCED (db 3, sf 3)
hcguard-connect: Connect reports the connection IDLE and Contact DATA_SYNCED (db 3, sf 3): done after 3 poll(s)" \
	"$out"
check "1: the polls were 1 s apart (2 to 5 s in all)" between "$ms" 2000 5000
check_eq "1: one discovery request, for the app" 1 "$(requests '^/connections?app=hc-progress token=ok')"
check_eq "1: three deep detail requests" 3 "$(requests '^/api/v3/connections/c-progress?deep=true token=ok')"
check_eq "1: requests say Accept: application/json and Heroku-Client: cli" 0 \
	"$(grep -vc 'accept=application/json client=cli$' "$work/api.log")"
check_eq "1: hcguard_connect_state shows the last snapshot: DATA_SYNCED, idle" \
	"Account|IDLE|DATA_SYNCED|2|2|f
Contact|IDLE|DATA_SYNCED|3|3|t" "$(state hcconnect_sql)"
check_eq "1: recorded during this run" t \
	"$(q hcconnect_sql "SELECT min(recorded_at) > now() - interval '1 minute' FROM hcguard_connect_state")"
# docs/release-phase.md shows this run's output (elapsed times as above).
check "1: docs/release-phase.md shows these progress lines" \
	grep -qF -- "   hcguard-connect: [1s] connection POLLING_DB_CHANGES; Contact RESYNC (db 3, sf 3)" docs/release-phase.md
doc_lines=$(sed -n '/^   hcguard-connect: /s/^   //p' docs/release-phase.md)
check_eq "1: docs/release-phase.md's sample is this output" "$out" "$doc_lines"

# Account is DATA_SYNCED from the start, but the connection is BUSY at the
# first poll: not done until the second.
run account hc-account hcconnect_sql wait --interval 1s --timeout 30s Account
check_eq "1: a synced mapping of a busy connection: exit 0" 0 "$rc"
check "1: ... at the second poll, once the connection is no longer BUSY" \
	has "Connect reports the connection POLLING_DB_CHANGES and Account DATA_SYNCED (db 2, sf 2): done after 2 poll(s)"

if [ "$c_edition" = 1 ]; then
	say "1. the same on the C extension, object names in other cases"
	run progress_c hc-progress-c hcconnect_c wait --interval 1s --timeout 30s CONTACT account
	check_eq "1 (C): exit 0" 0 "$rc"
	check_eq "1 (C): three progress lines and done" 4 "$(grep -c '^hcguard-connect: ' <<<"$out")"
	check "1 (C): both named mappings in the progress lines" \
		has "[2s] connection IDLE; Contact DATA_SYNCED (db 3, sf 3), Account DATA_SYNCED (db 2, sf 2)"
	check_eq "1 (C): hcguard_connect_state shows DATA_SYNCED" \
		"Account|IDLE|DATA_SYNCED|2|2|f
Contact|IDLE|DATA_SYNCED|3|3|t" "$(state hcconnect_c)"
fi

# ---- 2. error states --------------------------------------------------------

say "2. a mapping in an error state"
run error hc-error hcconnect_sql wait --interval 1s Contact
check_eq "2: exit 1" 1 "$rc"
check "2: names the mapping and its state" has "mapping Contact is in state SYSTEM_ERROR"
check "2: with Connect's description" has "INVALID_FIELD Preferred_Channel__c"
check "2: says what to do" has "fix it (heroku connect:recover --app hc-error restarts the connection), then deploy again"
check_eq "2: the snapshot was recorded" "SYSTEM_ERROR" \
	"$(q hcconnect_sql "SELECT mapping_state FROM hcguard_connect_state WHERE object_name = 'Contact'")"
run error_all hc-error hcconnect_sql wait --interval 1s
check_eq "2: without names every mapping counts: exit 1" 1 "$rc"
run error_other hc-error hcconnect_sql wait --interval 1s --timeout 3s Account
check_eq "2: a mapping not named does not count: exit 0" 0 "$rc"

run auth hc-auth hcconnect_sql wait --interval 1s Contact
check_eq "2: NEED_AUTHENTICATION: exit 1" 1 "$rc"
check "2: NEED_AUTHENTICATION: says so and what to do" \
	has "the connection is NEED_AUTHENTICATION: Heroku Connect has lost its Salesforce authorization"

run unmapped hc-synced hcconnect_sql wait --interval 1s Contact Invoice__c
check_eq "2: an object not mapped: exit 1" 1 "$rc"
check "2: an object not mapped: says which, and what is mapped" \
	has "Invoice__c is not mapped in app hc-synced's Heroku Connect (schema salesforce; mapped: Account, Contact)"

# ---- 3. the token refused ---------------------------------------------------

say "3. a token the API refuses"
HCC_TOKEN=$wrong_token run refused hc-synced hcconnect_sql wait --interval 1s Contact
check_eq "3: exit 2" 2 "$rc"
check "3: says the token was refused, and where it comes from" \
	has "HTTP 401: the Connect API refused the token in HEROKU_API_KEY"
check "3: says how to get a long-lived one" has "heroku authorizations:create"
check "3: the refused token is not printed" bash -c '! grep -qF -- "$1" <<<"$2"' _ "$wrong_token" "$out"

# ---- 4. network failures ----------------------------------------------------

say "4. nothing listening; a server error"
HCC_SERVER="http://127.0.0.1:$dead_port" run unreachable hc-synced hcconnect_sql record
check_eq "4: nothing listening: exit 2" 2 "$rc"
check "4: nothing listening: says the API cannot be reached" has "The Connect API cannot be reached"
run down hc-down hcconnect_sql record
check_eq "4: HTTP 503: exit 2" 2 "$rc"
check "4: HTTP 503: says so" has "unexpected HTTP status 503"

# ---- 5. slowness ------------------------------------------------------------

say "5. a slow API; Connect slower than --timeout"
run slow hc-slow hcconnect_sql --http-timeout 1 record
check_eq "5: no answer within --http-timeout: exit 2" 2 "$rc"
check "5: within bounded time (under 4 s)" between "$ms" 0 4000
check "5: says it had no answer in time" has "no answer within 1s"

run stuck hc-stuck hcconnect_sql wait --timeout 3s --interval 1s Contact
check_eq "5: --timeout 3s passed: exit 1" 1 "$rc"
check "5: in 3 to 6 s" between "$ms" 3000 6000
check "5: says what it waited for" has "gave up after 3s (4 polls): Contact RESYNC (loading new fields' values for existing rows)"
check_eq "5: a progress line per poll" 4 "$(grep -c '^hcguard-connect: \[' <<<"$out")"

# ---- 6. no connection, several ----------------------------------------------

say "6. no connection for the app; several"
run nobody hc-nobody hcconnect_sql record
check_eq "6: no connection: exit 2" 2 "$rc"
check "6: no connection: says so" has "no Heroku Connect connection found for app hc-nobody"
run several hc-several hcconnect_sql wait Contact
check_eq "6: several connections: exit 2" 2 "$rc"
check "6: several connections: lists them and says to pick one" \
	has "2 Heroku Connect connections found for app hc-several (resources: herokuconnect-round-12345, herokuconnect-square-67890): name one with --resource NAME"
run resource hc-several hcconnect_sql --resource herokuconnect-round-12345 record
check_eq "6: --resource picks one: exit 0" 0 "$rc"
check_eq "6: --resource is passed on as resource_name" 1 \
	"$(requests '^/connections?app=hc-several&resource_name=herokuconnect-round-12345 token=ok')"

# ---- 8. record, usage -------------------------------------------------------

say "8. record; usage errors"
run record1 hc-record hcconnect_doc record
check_eq "8: record: exit 0" 0 "$rc"
check_eq "8: record: one summary line" \
	"hcguard-connect: recorded Connect's report on app hc-record (schema salesforce): connection BUSY, 2 mapping(s): Account DATA_SYNCED (db 2, sf 2), Contact SCHEMA_CHANGED (db 3, sf 3)" "$out"
check_eq "8: record: recorded once, as Connect said" \
	"Account|BUSY|DATA_SYNCED|2|2|f
Contact|BUSY|SCHEMA_CHANGED|3|3|t" "$(state hcconnect_doc)"
run record2 hc-record hcconnect_doc --app=hc-record record
check_eq "8: record again (--app=): exit 0" 0 "$rc"
check_eq "8: the next snapshot replaces it" "RESYNC" \
	"$(q hcconnect_doc "SELECT mapping_state FROM hcguard_connect_state WHERE object_name = 'Contact'")"
check_eq "8: two detail requests, one per record" 2 "$(requests '^/api/v3/connections/c-record?deep=true')"

run help hc-synced hcconnect_sql --help
check_eq "8: --help: exit 0" 0 "$rc"
check "8: --help documents the exit status" has "Exit status:"
usage_case() {
	local what=$1 expect=$2
	shift 2
	run usage hc-synced hcconnect_sql "$@"
	check_eq "8: usage: $what: exit 2" 2 "$rc"
	check "8: usage: $what: says '$expect'" has "$expect"
}
usage_case "no command" "say what to do: record or wait"
usage_case "unknown command" "unknown command sync" sync
usage_case "unknown option" "unknown option --bogus" wait --bogus
usage_case "--timeout above 55m" "--timeout 56m is more than 55m" wait --timeout 56m Contact
usage_case "--timeout 1h" "--timeout 1h is more than 55m" wait --timeout 1h Contact
usage_case "--timeout not a duration" "--timeout soon: not a duration" wait --timeout soon
usage_case "--interval below 1s" "--interval must be at least 1s" wait --interval 0s
usage_case "--timeout without a value" "--timeout needs a value" wait --timeout
usage_case "record with objects" "record takes no object names" record Contact
usage_case "not an object name" "is not a Salesforce object name" wait "Contact; DROP TABLE x"
HCC_TOKEN='' run notoken hc-synced hcconnect_sql record
check_eq "8: usage: no HEROKU_API_KEY: exit 2" 2 "$rc"
check "8: usage: no HEROKU_API_KEY: says so" has "HEROKU_API_KEY is not set"
run noapp '' hcconnect_sql record
check_eq "8: usage: no app: exit 2" 2 "$rc"
check "8: usage: no app: says how to name it" has "no app: give --app NAME"
run nodb hc-synced hcconnect_sql --database-url-var HEROKU_POSTGRESQL_RED_URL record
check_eq "8: usage: the database URL's config var not set: exit 2" 2 "$rc"
check "8: usage: says which var" has "\$HEROKU_POSTGRESQL_RED_URL is not set"

# psql missing: a PATH with every tool the script uses but psql.
mkdir "$work/nopsql"
for tool in bash env curl mktemp rm cat grep sed head tail tr sleep date; do
	ln -s "$(command -v "$tool")" "$work/nopsql/$tool"
done
HCC_PATH="$work/nopsql" run nopsql hc-synced hcconnect_sql record
check_eq "8: psql missing: exit 2" 2 "$rc"
check "8: psql missing: says so and where it comes from" has "psql not found on PATH"

# A database without hcguard 1.2: the report cannot be recorded.
createdb hcconnect_none || fatal "createdb hcconnect_none"
q hcconnect_none "CREATE SCHEMA salesforce" >/dev/null
run nohcguard hc-synced hcconnect_none record
check_eq "8: hcguard not installed: exit 2" 2 "$rc"
check "8: hcguard not installed: says to install it" has "install hcguard 1.2 or later"

# A role without the rights confirming needs: hcguard refuses (42501).
q hcconnect_sql "CREATE ROLE hc_connect_nobody LOGIN PASSWORD 'nobody'" >/dev/null || fatal "CREATE ROLE"
run norights hc-synced "hcconnect_sql?user=hc_connect_nobody&password=nobody" record
check_eq "8: the database refuses the role: exit 2" 2 "$rc"
check "8: the database refuses the role: says hcguard's ERROR" has "recording Connect's report in \$DATABASE_URL: ERROR:"

run nodbserver hc-synced "hcconnect_sql?host=127.0.0.1&port=$dead_port" record
check_eq "8: the database cannot be reached: exit 2" 2 "$rc"
check "8: the database cannot be reached: says psql's error" has "cannot connect to the database in \$DATABASE_URL: psql: error: connection to server at \"127.0.0.1\""

# ---- 9. docs/release-phase.md -----------------------------------------------

say "9. docs/release-phase.md's examples"
# blocks LANG: each ```LANG block of the document not preceded by an
# "<!-- untested: why -->" line, NUL-separated, indentation removed.
blocks() {
	perl -ne '
		BEGIN { $/ = "\n"; }
		if (!defined $in && /^(\s*)```\Q'"$1"'\E\s*$/) { ($ind, $in, $text) = ($1, 1, ""); $skip = $prev =~ /^\s*<!-- untested:/; next; }
		if (defined $in && /^\s*```\s*$/) { print "$text\0" unless $skip; undef $in; next; }
		if (defined $in) { s/^\Q$ind\E//; $text .= $_; next; }
		$prev = $_ if /\S/;
	' docs/release-phase.md
}
mapfile -d '' procfile_blocks < <(blocks procfile)
mapfile -d '' sh_blocks < <(blocks sh)
check_eq "9: two Procfile examples" 2 "${#procfile_blocks[@]}"
check_eq "9: one sh example runs here" 1 "${#sh_blocks[@]}"
echo "# $(grep -c '<!-- untested:' docs/release-phase.md) blocks marked untested (Heroku CLI)"

# The app the examples run in: bin/ and db/release.sql, a migration that
# needs Contact.Preferred_Channel__c and counts the releases it ran in.
mkdir -p "$work/app/db"
ln -s "$top/bin" "$work/app/bin"
cat >"$work/app/db/release.sql" <<'SQL'
SELECT hcguard_required('salesforce', 'contact', 'preferred_channel__c');
CREATE TABLE IF NOT EXISTS public.releases (n serial PRIMARY KEY);
INSERT INTO public.releases DEFAULT VALUES;
SQL
releases() { q hcconnect_doc "SELECT count(*) FROM public.releases" 2>/dev/null || echo 0; }

# release WHICH APP [SERVER]: the Procfile's release command, run by a shell
# in the app's directory: sh (dash), so that the line is POSIX, whatever
# shell the platform starts it with.
release() {
	local cmd=${procfile_blocks[$1]#release: }
	(cd "$work/app" && timeout 30 env HEROKU_API_KEY="$token" HEROKU_APP_NAME="$2" \
		CONNECT_DISCOVERY_SERVER="${3:-$api}" DATABASE_URL="postgresql:///hcconnect_doc" \
		sh -c "$cmd") >"$work/$((runs += 1))-release.out" 2>&1
	rc=$?
	out=$(cat "$work/$runs-release.out")
	echo "# release ($2): exit $rc"
	sed 's/^/#   /' "$work/$runs-release.out"
}
strict=0 lenient=1
case ${procfile_blocks[0]:-} in *'[ $? -eq 2 ]'*) strict=1 lenient=0 ;; esac
check "9: the lenient example lets exit status 2 through" grep -qF '|| [ $? -eq 2 ]' <<<"${procfile_blocks[$lenient]:-}"

release "$strict" hc-synced
check_eq "9: strict, Connect synced: exit 0" 0 "$rc"
check_eq "9: strict, Connect synced: the migration ran" 1 "$(releases)"
release "$strict" hc-error
check_eq "9: strict, a mapping in error: exit 1" 1 "$rc"
check_eq "9: strict, a mapping in error: the migration did not run" 1 "$(releases)"
release "$strict" hc-synced "http://127.0.0.1:$dead_port"
check_eq "9: strict, the API unreachable: exit 2" 2 "$rc"
check_eq "9: strict, the API unreachable: the migration did not run" 1 "$(releases)"
release "$lenient" hc-error
check_eq "9: lenient, a mapping in error: exit 1" 1 "$rc"
check_eq "9: lenient, a mapping in error: the migration did not run" 1 "$(releases)"
release "$lenient" hc-synced
check_eq "9: lenient, Connect synced: the migration ran" 2 "$(releases)"
release "$lenient" hc-synced "http://127.0.0.1:$dead_port"
check_eq "9: lenient, the API unreachable: exit 0" 0 "$rc"
check_eq "9: lenient, the API unreachable: the migration ran (hcguard judged)" 3 "$(releases)"

(cd "$work/app" && env HEROKU_API_KEY="$token" HEROKU_APP_NAME=hc-synced CONNECT_DISCOVERY_SERVER="$api" \
	DATABASE_URL="postgresql:///hcconnect_doc" bash -e -c "${sh_blocks[0]:-false}") >"$work/doc_sh.out" 2>&1
check_eq "9: the sh example: exit 0" 0 "$?"
check "9: the sh example: record's summary and the view's rows" \
	bash -c 'grep -q "recorded Connect.s report on app hc-synced" "$1" && grep -q "Contact .*IDLE .*DATA_SYNCED" "$1"' _ "$work/doc_sh.out"
sed 's/^/#   /' "$work/doc_sh.out"

# ---- 7. the token -----------------------------------------------------------

say "7. the token is nowhere"
HCC_SHELL=bash run traced hc-progress hcconnect_sql record
check_eq "7: under bash -x: exit 0" 0 "$rc"
check "7: the fake API received the token" [ "$(requests 'token=ok')" -gt 10 ]
check "7: curl ran through the argv recorder" [ -s "$work/curl.argv" ]
check "7: psql ran through the argv recorder" [ -s "$work/psql.argv" ]
for t in "$token" "$wrong_token"; do
	which=token
	[ "$t" = "$token" ] || which="refused token"
	check "7: the $which is in no output" bash -c '! grep -rlF -- "$1" "$2"/*.out' _ "$t" "$work"
	check "7: the $which is in no argv of curl or psql" bash -c '! grep -qF -- "$1" "$2/curl.argv" "$2/psql.argv"' _ "$t" "$work"
	for db in hcconnect_sql hcconnect_doc ${c_edition/1/hcconnect_c}; do
		[ "$db" = 0 ] && continue
		check "7: the $which is not in pg_dump $db" bash -c 'pg_dump -d "$2" | { ! grep -qF -- "$1"; }' _ "$t" "$db"
	done
done
check "7: pg_dump did dump the recorded report (fields as Connect names them)" \
	bash -c '[ "$(pg_dump -d hcconnect_sql | grep -c Preferred_Channel__c)" -gt 0 ]'

finish
