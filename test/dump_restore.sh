#!/usr/bin/env bash
# test/dump_restore.sh: the contract's promise that "a dump and restore of the
# database (pg_dump, pg_restore) keeps the confirmations that counted", and
# that a confirmation voided by Connect dropping its column is not revived by
# the restore (where a column of the same name exists again).
#
# Run by scripts/test as `pg_virtualenv -v 15 bash test/dump_restore.sh`
# (cwd = repository root) on a fresh throwaway cluster; creates and uses only
# the databases src, dst, dst2, sqlsrc, sqldst and the role hc_dump_owner.  Exit 0 = pass.
#
#   src:  Connect schema salesforce; mapping Contact (Email, Fax__c) with 3
#         rows whose Fax__c is NULL; mapping Campaign with no rows.
#         Confirmations: contact.fax__c and campaign (both count), and
#         contact.old__c, voided: Old__c was confirmed, then dropped and
#         mapped again by Connect.
#   dst:  pg_dump -Fc src | pg_restore -d dst
#   dst2: pg_dump src (plain SQL) | psql -v ON_ERROR_STOP=1 dst2
#   In each: the two confirmations that counted still make hcguard_required
#   pass and keep who/when/note; old__c's does not count, and
#   hcguard_required on old__c still fails with SQLSTATE 55000.  Connect's
#   last report (hcguard_record_connect_state, vouching for Email only) is
#   restored as it was recorded, recorded_at included, in both editions.
# sqlsrc, sqldst: the same with the SQL edition, where restored
#   confirmations do not count until confirmed again (see the end).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
. test/lib.sh

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# sqlstate DB SQL: the SQLSTATE SQL ends with, 00000 on success.
# A fresh session each time, so an earlier error cannot be reported again.
sqlstate() {
	psql -X -At -v ON_ERROR_STOP=0 -d "$1" -c "$2" -c '\echo :SQLSTATE' 2>>"$work/errors" | tail -n 1
}

# The confirmation rows, as hcguard_confirmations lists them.
confirmations_sql="SELECT schema_name, table_name, coalesce(column_name, '(table)'),
       confirmed_by, confirmed_at, coalesce(note, '(no note)'), counts
  FROM hcguard_confirmations ORDER BY 1, 2, 3"
counted_sql="SELECT schema_name, table_name, coalesce(column_name, '(table)'),
       confirmed_by, confirmed_at, coalesce(note, '(no note)'), counts
  FROM hcguard_confirmations WHERE counts ORDER BY 1, 2, 3"

# ---------------------------------------------------------------------------
echo "# building src"
createdb src || fatal "createdb src"
# The Connect state and the confirmations of both source databases (src,
# and sqlsrc below).
psql -X -q -v ON_ERROR_STOP=1 -v sql_edition=false -d src -f test/sql/dump_restore_setup.sql >/dev/null ||
	fatal "setting up src failed"

me=$(q src "SELECT current_user") || fatal "cannot read current_user"

# Without their confirmations, fax__c and campaign would not pass: make sure
# the test really depends on them.
check_eq "src: contact has 3 Connect-written rows, fax__c NULL in all" "3|0" \
	"$(q src "SELECT count(*), count(fax__c) FROM salesforce.contact WHERE _hc_lastop IS NULL AND sfid IS NOT NULL")"
check_eq "src: campaign has no rows" "0" "$(q src "SELECT count(*) FROM salesforce.campaign")"
check_eq "src: the three confirmations, old__c's voided" \
	"salesforce|campaign|(table)|$me|no records|t
salesforce|contact|fax__c|$me|empty in Salesforce|t
salesforce|contact|old__c|$me|to be voided|f" \
	"$(q src "SELECT schema_name, table_name, coalesce(column_name, '(table)'), confirmed_by, note, counts
	            FROM hcguard_confirmations ORDER BY 1, 2, 3")"
check_eq "src: SELECT counts FROM hcguard_confirmations WHERE column_name = 'old__c' is false" "f" \
	"$(q src "SELECT counts FROM hcguard_confirmations WHERE column_name = 'old__c'")"
check_eq "src: hcguard_required('salesforce','contact','fax__c') passes" "t" \
	"$(q src "SELECT hcguard_required('salesforce', 'contact', 'fax__c')" 2>&1)"
check_eq "src: hcguard_required('salesforce','campaign') passes" "t" \
	"$(q src "SELECT hcguard_required('salesforce', 'campaign')" 2>&1)"
check_eq "src: hcguard_required('salesforce','contact','old__c') fails with 55000" "55000" \
	"$(sqlstate src "SELECT hcguard_required('salesforce', 'contact', 'old__c')")"

# What the restored databases must hold: the rows that counted, unchanged
# (confirmed_by, confirmed_at, note).
expected_counted=$(q src "$counted_sql") || fatal "cannot list src's confirmations"
[ "$(wc -l <<<"$expected_counted")" -eq 2 ] ||
	fatal "src should have exactly 2 confirmations that count, has:
$expected_counted"

# Connect's last report, as hcguard_connect_state lists it.
connect_sql="SELECT schema_name, object_name, table_name, connection_state, mapping_state, fields,
       db_count, sf_count, recorded_at FROM hcguard_connect_state ORDER BY 1, 3"
expected_connect=$(q src "$connect_sql") || fatal "cannot list src's Connect state"
[ "$(wc -l <<<"$expected_connect")" -eq 1 ] || fatal "src should have one mapping of Connect's report"

# check_restored DB: the checks every restored database must pass.
check_restored() {
	local db=$1 rows
	check_eq "$db: hstore and hcguard extensions restored" "hcguard
hstore" "$(q "$db" "SELECT extname FROM pg_extension WHERE extname IN ('hstore', 'hcguard') ORDER BY 1" 2>&1)"
	check_eq "$db: hcguard_required('salesforce','contact','fax__c') returns true" "t" \
		"$(q "$db" "SELECT hcguard_required('salesforce', 'contact', 'fax__c')" 2>&1)"
	check_eq "$db: hcguard_required('salesforce','campaign') returns true" "t" \
		"$(q "$db" "SELECT hcguard_required('salesforce', 'campaign')" 2>&1)"
	check_eq "$db: the confirmations that count are src's (fax__c, campaign), confirmed_by, confirmed_at, note kept" \
		"$expected_counted" "$(q "$db" "$counted_sql" 2>&1)"
	check_eq "$db: Connect's last report is src's, recorded_at kept" \
		"$expected_connect" "$(q "$db" "$connect_sql" 2>&1)"
	rows=$(q "$db" "SELECT count(*) FROM hcguard_confirmations
	                 WHERE column_name = 'old__c' AND counts" 2>&1)
	check_eq "$db: old__c's voided confirmation is absent or does not count" "0" "$rows"
	check_eq "$db: hcguard_required('salesforce','contact','old__c') still fails with 55000" "55000" \
		"$(sqlstate "$db" "SELECT hcguard_required('salesforce', 'contact', 'old__c')")"
	echo "# $db: hcguard_confirmations now lists:"
	q "$db" "$confirmations_sql" 2>&1 | sed 's/^/#   /'
}

# ---------------------------------------------------------------------------
echo "# custom format: pg_dump -Fc src, pg_restore -d dst"
pg_dump -Fc src >"$work/src.dump" || fatal "pg_dump -Fc src failed"
createdb dst || fatal "createdb dst"
if pg_restore -d dst "$work/src.dump" 2>"$work/restore.err"; then
	ok "pg_restore -d dst exits 0"
	check_restored dst
else
	not_ok "pg_restore -d dst exits 0"
	sed 's/^/    /' "$work/restore.err"
fi

# ---------------------------------------------------------------------------
echo "# plain format: pg_dump src | psql -X -v ON_ERROR_STOP=1 dst2"
createdb dst2 || fatal "createdb dst2"
if pg_dump src | psql -X -q -v ON_ERROR_STOP=1 dst2 >/dev/null 2>"$work/plain.err"; then
	ok "plain dump restores into dst2 without error"
	check_restored dst2
else
	not_ok "plain dump restores into dst2 without error"
	sed 's/^/    /' "$work/plain.err"
fi

# ---------------------------------------------------------------------------
# The SQL edition (heroku/hcguard.sql) cannot do what the extension's dump
# filter does: pg_dump dumps all its store's rows, and its binding trigger is
# created after the data is loaded, so restored rows stay bound to src's
# objects.  It fails closed: in the restored database no confirmation counts
# until someone confirms again, and the voided one never does.
echo "# SQL edition: installed by the database owner, pg_dump -Fc sqlsrc, pg_restore -d sqldst"
psql -X -q -c "CREATE ROLE hc_dump_owner" || fatal "CREATE ROLE hc_dump_owner"
createdb -O hc_dump_owner sqlsrc || fatal "createdb sqlsrc"
psql -X -q -v ON_ERROR_STOP=1 -v sql_edition=true -d sqlsrc -f test/sql/dump_restore_setup.sql \
	>/dev/null 2>"$work/sqlsrc.err" ||
	{ cat "$work/sqlsrc.err"; fatal "setting up sqlsrc failed"; }
# the SQL edition's version is the C extension's default version
version=$(sed -n "s/^default_version = '\(.*\)'/\1/p" hcguard.control)
check_eq "sqlsrc: the SQL edition is installed, not the extension" "$version|0" \
	"$(q sqlsrc "SELECT version, (SELECT count(*) FROM pg_extension WHERE extname = 'hcguard') FROM hcguard.sql_edition" 2>&1)"
check_eq "sqlsrc: fax__c and campaign count, old__c's is voided" "campaign|(table)|t
contact|fax__c|t
contact|old__c|f" \
	"$(q sqlsrc "SELECT table_name, coalesce(column_name, '(table)'), counts FROM hcguard_confirmations ORDER BY 1, 2" 2>&1)"

pg_dump -Fc sqlsrc >"$work/sqlsrc.dump" || fatal "pg_dump -Fc sqlsrc failed"
createdb -O hc_dump_owner sqldst || fatal "createdb sqldst"
if pg_restore -d sqldst "$work/sqlsrc.dump" 2>"$work/sqlrestore.err"; then
	ok "sqldst: pg_restore exits 0"
else
	not_ok "sqldst: pg_restore exits 0"
	sed 's/^/    /' "$work/sqlrestore.err"
fi
check_eq "sqldst: version recorded, every function's search_path still pinned" "$version|0" \
	"$(q sqldst "SELECT version, (SELECT count(*) FROM pg_proc WHERE proname LIKE 'hcguard%' AND proname NOT LIKE 'hcguard\_\_%' AND proconfig IS NULL) FROM hcguard.sql_edition" 2>&1)"
check_eq "sqldst: Connect's last report is sqlsrc's, recorded_at kept" \
	"$(q sqlsrc "$connect_sql")" "$(q sqldst "$connect_sql" 2>&1)"
check_eq "sqldst: hcguard_required('salesforce','contact','email') passes on the data" "t" \
	"$(q sqldst "SELECT hcguard_required('salesforce', 'contact', 'email')" 2>&1)"
check_eq "sqldst: the three rows are restored (who, when, note kept), none counts" \
	"$(q sqlsrc "SELECT table_name, coalesce(column_name, '(table)'), confirmed_by, confirmed_at, note, false FROM hcguard_confirmations ORDER BY 1, 2")" \
	"$(q sqldst "SELECT table_name, coalesce(column_name, '(table)'), confirmed_by, confirmed_at, note, counts FROM hcguard_confirmations ORDER BY 1, 2" 2>&1)"
check_eq "sqldst: hcguard_required('salesforce','contact','fax__c') fails closed with 55000" "55000" \
	"$(sqlstate sqldst "SELECT hcguard_required('salesforce', 'contact', 'fax__c')")"
check_eq "sqldst: hcguard_required('salesforce','campaign') fails closed with 55000" "55000" \
	"$(sqlstate sqldst "SELECT hcguard_required('salesforce', 'campaign')")"
# The README's way back: confirm again what still holds (not old__c).
psql -X -q -v ON_ERROR_STOP=1 -d sqldst >/dev/null 2>>"$work/errors" <<'SQL' || not_ok "sqldst: confirming again succeeds"
SELECT hcguard_confirm_synced(schema_name, table_name, column_name, note)
  FROM hcguard_confirmations
 WHERE NOT counts AND column_name IS DISTINCT FROM 'old__c';
SQL
check_eq "sqldst: confirmed again, fax__c and campaign pass" "t|t" \
	"$(q sqldst "SELECT hcguard_required('salesforce', 'contact', 'fax__c'), hcguard_required('salesforce', 'campaign')" 2>&1)"
check_eq "sqldst: hcguard_required('salesforce','contact','old__c') still fails with 55000" "55000" \
	"$(sqlstate sqldst "SELECT hcguard_required('salesforce', 'contact', 'old__c')")"
check_eq "sqldst: CREATE EXTENSION hcguard fails (42P06: its schema hcguard exists) where the SQL edition is installed" "42P06" \
	"$(sqlstate sqldst "CREATE EXTENSION hcguard")"

if [ "$failures" -ne 0 ] && [ -s "$work/errors" ]; then
	echo
	echo "# server errors seen by the SQLSTATE checks (expected ones included):"
	sed 's/^/#   /' "$work/errors"
fi
finish
