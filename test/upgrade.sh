#!/usr/bin/env bash
# test/upgrade.sh: every released version of hcguard upgrades to the current
# one with ALTER EXTENSION hcguard UPDATE, keeping its confirmations, and
# ends up with exactly the objects a fresh CREATE EXTENSION hcguard
# installs; a database upgraded from the oldest version dumps and restores
# with its confirmations still counting.
#
# Run by scripts/test as `pg_virtualenv -t -v 15 bash test/upgrade.sh` (cwd =
# repository root) on a throwaway cluster where this repository's extension
# is installed.  Exit 0 = pass.
#
# The versions are not listed here: they are the hcguard--X.sql and
# hcguard--X--Y.sql files, as the server sees them (they must be the
# repository's), and the versions tested are those from which
# pg_extension_update_paths('hcguard') reaches the default version.  For
# each such version V, in a fresh database upgrade_V:
#   CREATE EXTENSION hcguard VERSION 'V'; confirm contact.fax__c (a column
#   with no data) and the mapping campaign (no rows); ALTER EXTENSION
#   hcguard UPDATE; then
#   - the version is the default one;
#   - the confirmations still count (hcguard_required passes on them), who,
#     when and note unchanged;
#   - the extension's objects are those of database direct, where CREATE
#     EXTENSION hcguard installed the default version: its member objects
#     (pg_describe_object over pg_depend deptype 'e'), every function's
#     signature, arguments and defaults, result, language, volatility,
#     strictness, security, parallel safety, cost, rows, body or symbol,
#     settings, privileges and comment; every relation's kind, privileges,
#     options, view definition; every column (of tables, views and
#     composite types: position, name, type, NOT NULL, default, dropped);
#     indexes, constraints, triggers; and the extension's configuration
#     tables and their dump filter.
# When the default version has no install script of its own, CREATE
# EXTENSION hcguard itself runs the chain of upgrade scripts, and that
# comparison cannot see a mistake in them; so database direct's member
# objects are also checked against the list the pg_regress suite reviews
# (the object list in expected/setup.out).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
. test/lib.sh

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# check_same WHAT FILE_EXPECTED FILE_ACTUAL: the two files are equal; if not,
# their differences are shown.
check_same() {
	if diff -q "$2" "$3" >/dev/null; then
		ok "$1"
	else
		not_ok "$1"
		diff -U 0 --label "$(basename "$2")" --label "$(basename "$3")" "$2" "$3" | sed 's/^/    /'
	fi
}

# describe DB FILE: the extension's objects in DB (test/sql/upgrade_describe.sql),
# into FILE.
describe() {
	psql -X -At -v ON_ERROR_STOP=1 -d "$1" -f test/sql/upgrade_describe.sql >"$2" 2>&1 ||
		fatal "cannot describe the extension in $1: $(cat "$2")"
	grep -q '^member ' "$2" || fatal "no member objects found in $1"
}

# make_db DB [VERSION]: a database with the Connect double, the extension
# (at VERSION, else the default one), Connect schema salesforce with
# mappings Contact (3 rows, fax__c NULL in all) and Campaign (no rows), and
# two confirmations: contact.fax__c and campaign.
make_db() {
	local db=$1 create="CREATE EXTENSION hcguard"
	[ $# -gt 1 ] && create="CREATE EXTENSION hcguard VERSION '$2'"
	createdb "$db" || fatal "createdb $db"
	psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<SQL || fatal "setting up $db ($create) failed"
\i test/connect_double.sql
$create;
SELECT hcdouble.create_connect_schema('salesforce');
SELECT hcdouble.create_mapping('salesforce', 'Contact', '[["Email", "email"], ["Fax__c", "phone"]]');
SELECT hcdouble.create_mapping('salesforce', 'Campaign');
SELECT hcdouble.connect_load('salesforce', 'Contact', 3, nulls => '{Fax__c}');
SELECT hcguard_confirm_synced('salesforce', 'contact', 'fax__c', 'empty in Salesforce');
SELECT hcguard_confirm_synced('salesforce', 'campaign', NULL, 'no records');
SQL
}

# The confirmations, as hcguard_confirmations lists them.
confirmations_sql="SELECT schema_name, table_name, coalesce(column_name, '(table)'),
       confirmed_by, confirmed_at, coalesce(note, '(no note)'), counts
  FROM hcguard_confirmations ORDER BY 1, 2, 3"

# check_confirmations_count DB WHAT: the two confirmations make the guard
# pass in DB.
check_confirmations_count() {
	local db=$1 what=$2
	check_eq "$what: hcguard_required('salesforce','contact','fax__c') passes on its confirmation" \
		"t|confirmation" \
		"$(q "$db" "SELECT hcguard_required('salesforce', 'contact', 'fax__c'),
		                   (SELECT evidence FROM hcguard_status('salesforce', 'contact', 'fax__c'))" 2>&1)"
	check_eq "$what: hcguard_required('salesforce','campaign') passes on its confirmation" \
		"t|confirmation" \
		"$(q "$db" "SELECT hcguard_required('salesforce', 'campaign'),
		                   (SELECT evidence FROM hcguard_status('salesforce', 'campaign'))" 2>&1)"
}

# ---------------------------------------------------------------------------
echo "# the versions"
default=$(q postgres "SELECT default_version FROM pg_available_extensions WHERE name = 'hcguard'") ||
	fatal "cannot read hcguard's default version"
[ -n "$default" ] || fatal "hcguard is not installed in this server"
echo "# default version: $default"

# The versions the repository's scripts define, and the ones the server
# knows: the same, or the installed extension is not this repository's.
repo_versions=$(
	for f in hcguard--*.sql; do
		v=${f#hcguard--}
		v=${v%.sql}
		printf '%s\n' "${v//--/$'\n'}"
	done | sort -u -V
)
server_versions=$(q postgres "SELECT version FROM pg_available_extension_versions
                               WHERE name = 'hcguard'" | sort -u -V)
check_eq "the server's hcguard versions are the repository's (hcguard--*.sql)" \
	"$repo_versions" "$server_versions"

# Every other version must reach the default one.
sources=$(q postgres "SELECT source FROM pg_extension_update_paths('hcguard')
                       WHERE target = '$default' AND path IS NOT NULL" | sort -V)
unreachable=$(q postgres "SELECT v.version FROM pg_available_extension_versions v
                           WHERE v.name = 'hcguard' AND v.version <> '$default'
                             AND NOT EXISTS (SELECT 1 FROM pg_extension_update_paths('hcguard') p
                                              WHERE p.source = v.version AND p.target = '$default'
                                                AND p.path IS NOT NULL)" | sort -V)
check_eq "every version has an update path to $default" "" "$unreachable"
q postgres "SELECT source || ': ' || path FROM pg_extension_update_paths('hcguard')
             WHERE target = '$default' AND path IS NOT NULL ORDER BY 1" | sed 's/^/# update path /'
[ -n "$sources" ] || echo "# no version to upgrade from: $default is the only one"

# ---------------------------------------------------------------------------
echo "# database direct: CREATE EXTENSION hcguard"
make_db direct
check_eq "direct: CREATE EXTENSION hcguard installs $default" "$default" \
	"$(q direct "SELECT extversion FROM pg_extension WHERE extname = 'hcguard'")"
check_confirmations_count direct direct
describe direct "$work/direct.objects"
echo "# direct: $(grep -c '' "$work/direct.objects") object lines, $(grep -c '^member ' "$work/direct.objects") member objects"

# The member objects the pg_regress suite reviews: the object list that
# expected/setup.out shows after CREATE EXTENSION ... ALTER EXTENSION UPDATE.
awk '/^ +object +$/ { inlist = 1; getline; next }
     inlist && /^\([0-9]+ rows?\)$/ { exit }
     inlist { sub(/^ +/, ""); sub(/ +$/, ""); print "member " $0 }' expected/setup.out |
	LC_ALL=C sort >"$work/reviewed.members"
grep '^member ' "$work/direct.objects" | LC_ALL=C sort >"$work/direct.members"
if [ -s "$work/reviewed.members" ]; then
	check_same "direct: the member objects are those expected/setup.out lists" \
		"$work/reviewed.members" "$work/direct.members"
else
	not_ok "direct: the object list in expected/setup.out was found"
fi

# ---------------------------------------------------------------------------
for v in $sources; do
	db="upgrade_${v//[^0-9A-Za-z]/_}"
	echo "# database $db: CREATE EXTENSION hcguard VERSION '$v', then ALTER EXTENSION hcguard UPDATE"
	make_db "$db" "$v"
	check_eq "$db: installed at $v" "$v" \
		"$(q "$db" "SELECT extversion FROM pg_extension WHERE extname = 'hcguard'")"
	check_confirmations_count "$db" "$db before the update"
	before=$(q "$db" "$confirmations_sql") || fatal "cannot list $db's confirmations"

	if q "$db" "ALTER EXTENSION hcguard UPDATE" >"$work/update.out" 2>&1; then
		ok "$db: ALTER EXTENSION hcguard UPDATE from $v"
	else
		not_ok "$db: ALTER EXTENSION hcguard UPDATE from $v"
		sed 's/^/    /' "$work/update.out"
		continue
	fi
	check_eq "$db: now at the default version" "$default" \
		"$(q "$db" "SELECT extversion FROM pg_extension WHERE extname = 'hcguard'")"
	check_confirmations_count "$db" "$db after the update"
	check_eq "$db: the confirmations are unchanged (who, when, note, counts)" "$before" \
		"$(q "$db" "$confirmations_sql" 2>&1)"
	describe "$db" "$work/$db.objects"
	check_same "$db: the extension's objects are those CREATE EXTENSION hcguard installs" \
		"$work/direct.objects" "$work/$db.objects"
done

# ---------------------------------------------------------------------------
# A database upgraded from the oldest version, dumped and restored.
# (test/dump_restore.sh covers dumps of a database created at the default
# version.)
oldest=$(head -n 1 <<<"$sources")
if [ -n "$oldest" ]; then
	src="upgrade_${oldest//[^0-9A-Za-z]/_}"
	echo "# pg_dump -Fc $src (upgraded from $oldest), pg_restore into restored"
	expected_confirmations=$(q "$src" "$confirmations_sql") || fatal "cannot list $src's confirmations"
	pg_dump -Fc "$src" >"$work/upgraded.dump" || fatal "pg_dump -Fc $src failed"
	createdb restored || fatal "createdb restored"
	if pg_restore -d restored "$work/upgraded.dump" 2>"$work/restore.err"; then
		ok "restored: pg_restore exits 0"
		check_eq "restored: hcguard at the default version" "$default" \
			"$(q restored "SELECT extversion FROM pg_extension WHERE extname = 'hcguard'" 2>&1)"
		check_confirmations_count restored restored
		check_eq "restored: the confirmations are $src's (who, when, note), and count" \
			"$expected_confirmations" "$(q restored "$confirmations_sql" 2>&1)"
		describe restored "$work/restored.objects"
		check_same "restored: the extension's objects are those CREATE EXTENSION hcguard installs" \
			"$work/direct.objects" "$work/restored.objects"
	else
		not_ok "restored: pg_restore exits 0"
		sed 's/^/    /' "$work/restore.err"
	fi
fi

finish
