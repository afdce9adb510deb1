# Sourced by test/migrate_*.sh: the assertions and the Connect double's
# hand, shared by the migration-tool tests.  The sourcing script sets
# test_name and failures=0 first.

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; failures=$((failures + 1)); }
fatal() { echo "FATAL: $*"; echo "$test_name: FAILED"; exit 1; }
say() { printf '\n==> %s\n' "$*"; }

# check WHAT COMMAND...: one assertion.
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}

# q DB SQL: one value; any SQL error is fatal.
q() { psql -X -At -v ON_ERROR_STOP=1 -d "$1" -c "$2" || fatal "query failed on $1: $2"; }

exists() { [ "$(q "$1" "SELECT to_regclass('$2') IS NOT NULL")" = t ]; }

absent() { [ "$(q "$1" "SELECT to_regclass('$2') IS NULL")" = t ]; }

# out_has PREFIX TEXT: the tool's last output has a line with PREFIX and TEXT.
out_has() { grep -F -- "$2" <<<"$out" | grep -qF -- "$1"; }

# connect DB SQL: play Heroku Connect with the double.
connect() {
	echo "    (Connect, played by the double: $2)"
	q "$1" "$2" >/dev/null
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
