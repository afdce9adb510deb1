# shellcheck shell=bash
# Sourced by test/migrate_*.sh and test/sql_edition.sh, after test/lib.sh's
# helpers (which it sources): what the migration-tool tests share on top of
# them, the deploy runner, the Connect double's hand and the database every
# deploy starts from.  The sourcing script may set test_name first.

. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

# run COMMAND...: runs a deploy, shows its output; sets out and rc.  The log
# is the user's view of a refusal, so it shows the command as typed.
run() {
	echo "\$ $(hide "$*")"
	if out=$("$@" 2>&1); then rc=0; else rc=$?; fi
	[ -n "$out" ] && sed 's/^/    | /' <<<"$out"
	echo "    (exit code $rc)"
}
# hide TEXT: what run shows of a command; a test whose commands carry
# passwords (URLs) redefines it to mask them.
hide() { printf '%s\n' "$1"; }

exists() { [ "$(q "$1" "SELECT to_regclass('$2') IS NOT NULL")" = t ]; }

absent() { [ "$(q "$1" "SELECT to_regclass('$2') IS NULL")" = t ]; }

# out_has PREFIX TEXT: the tool's last output has a line with PREFIX and TEXT.
out_has() { grep -F -- "$2" <<<"$out" | grep -qF -- "$1"; }

# connect DB SQL: play Heroku Connect with the double; the checks after it
# assume Connect did it, so a failure stops the test.
connect() {
	echo "    (Connect, played by the double: $2)"
	q "$1" "$2" >/dev/null || fatal "query failed on $1: $2"
}

# setup_db DB [SQL]: a database as Heroku Connect leaves it, with hcguard,
# where the tool's deploys start; SQL is what the tool's project needs
# besides (plain psql's ledger table).
#   salesforce.contact (Email, LastName, Phone), 40 rows loaded by Connect;
#   salesforce.account (Name, Industry), 12 rows loaded by Connect.
setup_db() {
	createdb "$1" || fatal "createdb $1"
	psql -X -q -v ON_ERROR_STOP=1 -d "$1" -f test/connect_double.sql >/dev/null ||
		fatal "loading test/connect_double.sql into $1"
	psql -X -q -v ON_ERROR_STOP=1 -d "$1" >/dev/null <<-'SQL' || fatal "setting up $1"
		CREATE EXTENSION hcguard;
		SELECT hcdouble.create_connect_schema('salesforce');
		SELECT hcdouble.create_mapping('salesforce', 'Contact',
		    '[["Email", "email"], ["LastName", "string(80)"], ["Phone", "phone"]]');
		SELECT hcdouble.create_mapping('salesforce', 'Account',
		    '[["Name", "string(255)"], ["Industry", "picklist"]]');
		SELECT hcdouble.connect_load('salesforce', 'Contact', 40);
		SELECT hcdouble.connect_load('salesforce', 'Account', 12);
	SQL
	if [ $# -gt 1 ]; then
		psql -X -q -v ON_ERROR_STOP=1 -d "$1" -c "$2" >/dev/null || fatal "setting up $1"
	fi
	[ "$(q "$1" "SELECT extnamespace::regnamespace FROM pg_extension WHERE extname = 'hcguard'")" = public ] ||
		fatal "hcguard is not in schema public in $1"
}

# expect_guard DB GUARD_SQL: what hcguard itself says for this guard right
# now (psql, default verbosity): sets exp_msg, exp_detail (first line),
# exp_hint.  The tool's output must carry the same three texts.
expect_guard() {
	local err
	err=$(psql -X -q -v VERBOSITY=default -d "$1" -c "$2" 2>&1 >/dev/null) || true
	exp_msg=$(sed -n 's/^ERROR:  //p' <<<"$err" | head -n 1)
	exp_detail=$(sed -n 's/^DETAIL:  //p' <<<"$err" | head -n 1)
	exp_hint=$(sed -n 's/^HINT:  //p' <<<"$err" | head -n 1)
	if [ -z "$exp_msg" ] || [ -z "$exp_detail" ] || [ -z "$exp_hint" ]; then
		fatal "expected $2 to fail with an error, a detail and a hint; psql said: $err"
	fi
}
