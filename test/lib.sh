# shellcheck shell=bash
# test/lib.sh: the helpers every shell test shares, so that they all report
# the same way: a line "ok - WHAT" or "not ok - WHAT" per check, and a last
# line "<test>: passed" (exit 0) or "<test>: FAILED (N checks)" (exit 1).
#
# Sourced, never run, by a script that has already done
#     cd "$(dirname "$0")/.."      # the repository root
#     . test/lib.sh
# The test's name is $test_name if the script set it before sourcing, else
# the script's file name without .sh (test/standby_sql_edition.sh runs
# test/standby.sh, and so reports as standby).

# scripts/test runs every test/*.sh as a test; this file is not one.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	echo "test/lib.sh holds the tests' shared helpers; it has nothing to run"
	exit 0
fi

test_name=${test_name:-$(basename "$0" .sh)}

# The number of failed checks: a check goes on after a failure, so that one
# run shows every failure, and finish turns the count into the exit status.
failures=0

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; failures=$((failures + 1)); }

# fatal WHY: a step the rest depends on failed, so the checks after it would
# only fail for the same reason; stop now.  A script that has more to show
# on the way out (a server log) defines fatal_hook.
fatal() {
	echo "FATAL: $*"
	if declare -F fatal_hook >/dev/null; then fatal_hook; fi
	echo "$test_name: FAILED"
	exit 1
}

# need_throwaway_cluster: a test creates roles and databases as it pleases,
# so it refuses a server that pg_virtualenv did not just make for it.
need_throwaway_cluster() {
	if [ -z "${PGHOST:-}${PGPORT:-}" ]; then
		echo "$test_name: run me on a throwaway cluster: pg_virtualenv -t -v 15 bash $0" >&2
		exit 2
	fi
}

# say TEXT: a heading, so that a long log reads as the steps of a story.
say() { printf '\n==> %s\n' "$*"; }

# q DB SQL: one value (or rows, unaligned, |-separated).  DB is a database
# name or a URL.  It returns psql's exit status rather than stopping, since
# a check may want the error text (q ... 2>&1) as its actual value; a step
# that must not fail says so with q ... || fatal.
q() { psql -X -At -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }

# check WHAT COMMAND...: a check that is a command's success.
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}

# check_eq WHAT EXPECTED ACTUAL: a check that two texts are equal.  On
# failure a few lines are shown side by side, and longer texts (an object
# list) as a diff, where the one changed line is easier to spot.
check_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		if [ "$(grep -c '' <<<"$2")" -le 10 ] && [ "$(grep -c '' <<<"$3")" -le 10 ]; then
			echo "    expected: $(sed '2,$s/^/              /' <<<"$2")"
			echo "    got:      $(sed '2,$s/^/              /' <<<"$3")"
		else
			diff <(echo "$2") <(echo "$3") | sed 's/^/    /' | head -n 40 || true
		fi
	fi
}

# finish: the last line, and the exit status scripts/test judges by; the
# time taken, because a test that grows slow is worth noticing.
finish() {
	echo
	echo "$test_name: $SECONDS s"
	if [ "$failures" -ne 0 ]; then
		echo "$test_name: FAILED ($failures checks)"
		exit 1
	fi
	echo "$test_name: passed"
	exit 0
}
