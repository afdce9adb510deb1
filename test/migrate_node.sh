#!/usr/bin/env bash
# test/migrate_node.sh: hcguard stops a node-pg-migrate deploy, and lets the
# same deploy through once Heroku Connect has mapped and synced the fields it
# needs.  Project: test/tools/node/ (package.json and package-lock.json pin
# node-pg-migrate and pg; `npm ci` installs them into its node_modules/, with
# the node and npm found on PATH).  Migrations, in order:
#   1704067200000_contact_email_optouts  needs Contact.Email (synced from the start)
#   1704067260000_contact_channels       needs Contact.Preferred_Channel__c
#   1704067320000_account_tiers          needs Contact.Preferred_Channel__c, Email
#                                        and Account.Tier__c, Name (two objects,
#                                        one variadic call per object)
# node-pg-migrate's ledger is the table public.pgmigrations.
#
# Database hc_node_each: `node-pg-migrate up --no-single-transaction` (each
# migration in its own transaction).
#   up -> contact_email_optouts applied; contact_channels refused:
#         Preferred_Channel__c not mapped (42703)
#   Connect maps Preferred_Channel__c and Tier__c (columns added, still empty)
#   up -> contact_channels refused: not synced (55000)
#   Connect syncs Preferred_Channel__c
#   up -> contact_channels applied; account_tiers refused: Account.Tier__c not synced
#   Connect syncs Tier__c
#   up -> account_tiers applied
# Database hc_node_one_txn: `node-pg-migrate up --single-transaction` (its
# default: every pending migration in one transaction).
#   up -> refused at contact_channels; contact_email_optouts rolled back too
#   Connect maps and syncs both fields
#   up -> all three applied
# Every refusal: node-pg-migrate exits non-zero; its output has hcguard's
# message and, in the error object it prints, `detail:` and `hint:` with
# hcguard's DETAIL and HINT; the refused migration's objects do not exist and
# pgmigrations does not record it.
#
# Run by scripts/test as `pg_virtualenv -t -v 15 bash test/migrate_node.sh`
# from the repository root.  Exit 0 = pass.
set -euo pipefail
cd "$(dirname "$0")/.."
. test/tools/migrate_lib.sh
need_throwaway_cluster

project=test/tools/node
command -v node >/dev/null || fatal "node is not on PATH"
command -v npm >/dev/null || fatal "npm is not on PATH"
say "npm ci in $project (node $(node --version), npm $(npm --version 2>/dev/null))"
if npm_log=$(cd "$project" && npm ci --no-audit --no-fund --prefer-offline 2>&1); then
	sed 's/^/    | /' <<<"$npm_log"
else
	sed 's/^/    | /' <<<"$npm_log"
	fatal "npm ci failed in $project"
fi
[ -x "$project/node_modules/.bin/node-pg-migrate" ] || fatal "npm ci did not install node-pg-migrate"
echo "    node-pg-migrate $(node -p "require('./$project/node_modules/node-pg-migrate/package.json').version"), pg $(node -p "require('./$project/node_modules/pg/package.json').version")"

# The connection comes from libpq's variables (PGHOST, PGPORT, PGUSER,
# PGPASSWORD, PGDATABASE), which node-pg-migrate reads when DATABASE_URL is unset.
unset DATABASE_URL

# migrate DB ARGS...: the deploy under test, run in the project directory:
#   node-pg-migrate ARGS... against database DB; shows its output; sets out and rc.
migrate() {
	local db=$1
	shift
	echo "\$ cd $project && PGDATABASE=$db node_modules/.bin/node-pg-migrate $*"
	if out=$(cd "$project" && PGDATABASE=$db node_modules/.bin/node-pg-migrate "$@" 2>&1); then
		rc=0
	else
		rc=$?
	fi
	[ -n "$out" ] && sed 's/^/    | /' <<<"$out"
	echo "    (exit code $rc)"
}

# ledger DB: the migrations recorded in public.pgmigrations, space-separated,
# in run order (empty if node-pg-migrate never created the table).
ledger() {
	if [ "$(q "$1" "SELECT to_regclass('public.pgmigrations') IS NULL")" = t ]; then
		echo ""
	else
		q "$1" "SELECT coalesce(string_agg(name, ' ' ORDER BY id), '') FROM public.pgmigrations"
	fi
}

# refused WHAT DB MIGRATION RELS...: the deploy just run was refused by
# hcguard (the guard whose texts expect_guard read), left none of RELS
# behind, and pgmigrations does not record MIGRATION.
refused() {
	local what=$1 db=$2 name=$3 rel
	shift 3
	check "$what: node-pg-migrate exits non-zero ($rc)" [ "$rc" -ne 0 ]
	check "$what: output has error: $exp_msg" out_has "error: " "$exp_msg"
	check "$what: output has detail: $exp_detail" out_has "detail: " "$exp_detail"
	check "$what: output has hint: $exp_hint" out_has "hint: " "$exp_hint"
	for rel in "$@"; do
		check "$what: rolled back, $rel does not exist" absent "$db" "$rel"
	done
	check "$what: pgmigrations does not record $name" \
		bash -c '! grep -qw -- "$1" <<<"$2"' _ "$name" "$(ledger "$db")"
}

# applied WHAT DB NAMES RELS...: the deploy just run succeeded, pgmigrations
# records exactly NAMES (space-separated) and RELS exist.
applied() {
	local what=$1 db=$2 names=$3 rel
	shift 3
	check "$what: node-pg-migrate exits 0" [ "$rc" -eq 0 ]
	check "$what: pgmigrations records $names" [ "$(ledger "$db")" = "$names" ]
	for rel in "$@"; do
		check "$what: $rel exists" exists "$db" "$rel"
	done
}

n1=1704067200000_contact_email_optouts
n2=1704067260000_contact_channels
n3=1704067320000_account_tiers
for n in $n1 $n2 $n3; do [ -r "$project/migrations/$n.js" ] || fatal "missing $project/migrations/$n.js"; done
guard2="SELECT hcguard_required('salesforce', 'contact', 'preferred_channel__c')"
guard3="SELECT hcguard_required('salesforce', 'account', 'tier__c', 'name')"

# ---------------------------------------------------------------------------
say "hc_node_each: node-pg-migrate up --no-single-transaction (each migration its own transaction)"
db=hc_node_each
setup_db $db

expect_guard $db "$guard2"
migrate $db up --no-single-transaction
refused "up 1, Preferred_Channel__c not mapped" $db $n2 public.contact_channels
check "up 1: the migration before it stays applied (own transaction)" [ "$(ledger $db)" = "$n1" ]

say "Connect maps Contact.Preferred_Channel__c and Account.Tier__c (SCHEMA_CHANGED: columns added, empty)"
connect $db "SELECT hcdouble.add_field('salesforce', 'Contact', 'Preferred_Channel__c', 'picklist')"
connect $db "SELECT hcdouble.add_field('salesforce', 'Account', 'Tier__c', 'picklist')"
expect_guard $db "$guard2"
migrate $db up --no-single-transaction
refused "up 2, Preferred_Channel__c mapped, not synced" $db $n2 public.contact_channels

say "Connect finishes the resync of Contact.Preferred_Channel__c"
connect $db "SELECT hcdouble.connect_resync('salesforce', 'Contact', 'Preferred_Channel__c')"
expect_guard $db "$guard3"
migrate $db up --no-single-transaction
refused "up 3, contact_channels passes, account_tiers (two objects): Account.Tier__c not synced" \
	$db $n3 public.tier_channel_rules public.account_tiers
check "up 3: contact_channels applied (its guard passed)" [ "$(ledger $db)" = "$n1 $n2" ]
check "up 3: public.contact_channels exists" exists $db public.contact_channels

say "Connect finishes the resync of Account.Tier__c"
connect $db "SELECT hcdouble.connect_resync('salesforce', 'Account', 'Tier__c')"
migrate $db up --no-single-transaction
applied "up 4 once synced" $db "$n1 $n2 $n3" public.tier_channel_rules public.account_tiers

# ---------------------------------------------------------------------------
say "hc_node_one_txn: node-pg-migrate up --single-transaction (all pending migrations in one transaction)"
db=hc_node_one_txn
setup_db $db

expect_guard $db "$guard2"
migrate $db up --single-transaction
refused "up --single-transaction, contact_channels refused" $db $n2 \
	public.contact_channels public.tier_channel_rules public.account_tiers
check "up --single-transaction: node-pg-migrate rolled the whole run back" \
	out_has "Rolling back attempted migration" ""
check "up --single-transaction: contact_email_optouts's table was rolled back too" \
	absent $db public.contact_email_optouts
check "up --single-transaction: pgmigrations is empty" [ "$(ledger $db)" = "" ]

say "Connect maps and syncs Contact.Preferred_Channel__c and Account.Tier__c"
connect $db "SELECT hcdouble.add_field('salesforce', 'Contact', 'Preferred_Channel__c', 'picklist')"
connect $db "SELECT hcdouble.connect_resync('salesforce', 'Contact', 'Preferred_Channel__c')"
connect $db "SELECT hcdouble.add_field('salesforce', 'Account', 'Tier__c', 'picklist')"
connect $db "SELECT hcdouble.connect_resync('salesforce', 'Account', 'Tier__c')"
migrate $db up --single-transaction
applied "up --single-transaction once synced" $db "$n1 $n2 $n3" \
	public.contact_email_optouts public.contact_channels public.tier_channel_rules public.account_tiers

finish
