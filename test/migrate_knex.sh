#!/usr/bin/env bash
# test/migrate_knex.sh: hcguard stops a Knex deploy until Heroku Connect has
# mapped and synced the fields its migrations need, and what the user sees
# then (issue 18): knex's CLI, from knex 3.2.0 on, prints the error's stack
# only, without PostgreSQL's DETAIL and HINT; a small script calling
# knex.migrate.latest() (test/tools/knex/migrate.js) prints all three.
#
# Project: test/tools/knex/ (package.json and package-lock.json pin knex
# 3.3.0 and pg 8.16.3; `npm ci` installs them into its node_modules/, with
# the node and npm found on PATH), knexfile.js (client pg, the database from
# HC_KNEX_DB, the server from libpq's variables), migrate.js, and
# migrations, in order:
#   20240101000000_contact_email_optouts  needs Contact.Email (synced), a table
#   20240101000100_contact_channels       needs Contact.Preferred_Channel__c, a view
# knex's ledger is the table public.knex_migrations.
#
# Database hc_knex (C extension, the Connect double: Contact and Account
# loaded, Preferred_Channel__c not mapped):
#   npx knex migrate:latest -> exits 1; refused at contact_channels (42703);
#       the output has the message, and neither DETAIL nor HINT; knex ran
#       both pending migrations in one transaction, so contact_email_optouts
#       was rolled back too; knex_migrations is empty
#   node migrate.js         -> exits 1; ERROR, DETAIL and HINT lines; the
#       same rollback
#   Connect maps Preferred_Channel__c (column added, empty)
#   node migrate.js         -> exits 1, not synced (55000): ERROR, DETAIL, HINT
#   Connect syncs it
#   npx knex migrate:latest -> exits 0, "Batch 1 run: 2 migrations"; both
#       recorded, the table and the view exist
#
# What the user sees from `npx knex migrate:latest` (knex 3.3.0, exit code 1):
#   migration file "20240101000100_contact_channels.js" failed
#   migration failed with error: SELECT hcguard_required('salesforce', 'contact', 'preferred_channel__c') - column "preferred_channel__c" of Heroku Connect mapping "salesforce.contact" does not exist
#   error: SELECT hcguard_required('salesforce', 'contact', 'preferred_channel__c') - column "preferred_channel__c" of Heroku Connect mapping "salesforce.contact" does not exist
#       at parseErrorMessage (.../node_modules/pg-protocol/dist/parser.js:306:11)
#       [... the stack ...]
# (knex 3.1.0's CLI printed err.message, err.detail and the stack: the
# DETAIL, never the HINT; 3.2.0 replaced that with the stack alone,
# bin/utils/cli-config-utils.js, exit().)
# From `node migrate.js`: those first two lines, then
#   ERROR:  SELECT hcguard_required(...) - column "preferred_channel__c" of Heroku Connect mapping "salesforce.contact" does not exist
#   DETAIL:  No column of the mapping is named "preferred_channel__c": [...]
#   HINT:  Add the field to the mapping in this environment's Heroku Connect dashboard, [...]
#
# Versions: knex 3.3.0, pg 8.16.3, node 20.20.  About 15 s.  Run by
# scripts/test as `pg_virtualenv -t -v 15 bash test/migrate_knex.sh` from the
# repository root.  Exit 0 = pass.
set -euo pipefail
cd "$(dirname "$0")/.."
. test/tools/migrate_lib.sh
need_throwaway_cluster

project=test/tools/knex
command -v node >/dev/null || fatal "node is not on PATH"
command -v npm >/dev/null || fatal "npm is not on PATH"
say "npm ci in $project (node $(node --version), npm $(npm --version 2>/dev/null))"
if npm_log=$(cd "$project" && npm ci --no-audit --no-fund --prefer-offline 2>&1); then
	sed 's/^/    | /' <<<"$npm_log"
else
	sed 's/^/    | /' <<<"$npm_log"
	fatal "npm ci failed in $project"
fi
[ -x "$project/node_modules/.bin/knex" ] || fatal "npm ci did not install knex"
echo "    knex $(node -p "require('./$project/node_modules/knex/package.json').version"), pg $(node -p "require('./$project/node_modules/pg/package.json').version")"

unset DATABASE_URL

# in_project DB COMMAND...: COMMAND in the project directory against database
# DB, shown as typed there; shows its output; sets out and rc.
in_project() {
	local db=$1
	shift
	echo "\$ cd $project && HC_KNEX_DB=$db $*"
	if out=$(cd "$project" && HC_KNEX_DB=$db "$@" 2>&1); then rc=0; else rc=$?; fi
	[ -n "$out" ] && sed 's/^/    | /' <<<"$out"
	echo "    (exit code $rc)"
}

# ledger DB: the migrations knex_migrations records, space-separated.
ledger() {
	if [ "$(q "$1" "SELECT to_regclass('public.knex_migrations') IS NULL")" = t ]; then
		echo ""
	else
		q "$1" "SELECT coalesce(string_agg(name, ' ' ORDER BY id), '') FROM public.knex_migrations"
	fi
}

# rolled_back WHAT: the deploy just run left nothing: one transaction.
rolled_back() {
	check "$1: contact_channels does not exist" absent $db public.contact_channels
	check "$1: contact_email_optouts was rolled back too (one transaction)" absent $db public.contact_email_optouts
	check_eq "$1: knex_migrations records nothing" "" "$(ledger $db)"
}

n1=20240101000000_contact_email_optouts.js
n2=20240101000100_contact_channels.js
guard2="SELECT hcguard_required('salesforce', 'contact', 'preferred_channel__c')"

db=hc_knex
setup_db $db

say "npx knex migrate:latest: Contact.Preferred_Channel__c is not mapped"
expect_guard $db "$guard2"
in_project $db npx knex migrate:latest
check "CLI: exits non-zero ($rc)" [ "$rc" -ne 0 ]
check "CLI: migration file \"$n2\" failed" out_has "" "migration file \"$n2\" failed"
check "CLI: migration failed with error: $guard2 - $exp_msg" \
	grep -qxF "migration failed with error: $guard2 - $exp_msg" <<<"$out"
check "CLI: the stack's first line: error: $guard2 - $exp_msg" \
	grep -qxF "error: $guard2 - $exp_msg" <<<"$out"
check "CLI: then the stack (at parseErrorMessage ...)" grep -q '^    at parseErrorMessage ' <<<"$out"
check "CLI: no DETAIL (knex >= 3.2.0 prints the stack only)" bash -c '! grep -qF -- "$1" <<<"$2"' _ "$exp_detail" "$out"
check "CLI: no HINT" bash -c '! grep -qF -- "$1" <<<"$2"' _ "$exp_hint" "$out"
rolled_back "CLI"

say "node migrate.js (knex.migrate.latest(), printing message, detail and hint)"
in_project $db node migrate.js
check "migrate.js: exits 1 ($rc)" [ "$rc" -eq 1 ]
check "migrate.js: ERROR:  $guard2 - $exp_msg" grep -qxF "ERROR:  $guard2 - $exp_msg" <<<"$out"
check "migrate.js: DETAIL:  $exp_detail" grep -qxF "DETAIL:  $exp_detail" <<<"$out"
check "migrate.js: HINT:  $exp_hint" grep -qxF "HINT:  $exp_hint" <<<"$out"
rolled_back "migrate.js"

say "Connect maps Contact.Preferred_Channel__c (SCHEMA_CHANGED: column added, empty)"
connect $db "SELECT hcdouble.add_field('salesforce', 'Contact', 'Preferred_Channel__c', 'picklist')"
expect_guard $db "$guard2"
in_project $db node migrate.js
check "migrate.js, not synced: exits 1 ($rc)" [ "$rc" -eq 1 ]
check "migrate.js, not synced: ERROR:  $guard2 - $exp_msg" grep -qxF "ERROR:  $guard2 - $exp_msg" <<<"$out"
check "migrate.js, not synced: DETAIL:  $exp_detail" grep -qxF "DETAIL:  $exp_detail" <<<"$out"
check "migrate.js, not synced: HINT:  $exp_hint" grep -qxF "HINT:  $exp_hint" <<<"$out"
rolled_back "migrate.js, not synced"

say "Connect finishes the resync of Contact.Preferred_Channel__c"
connect $db "SELECT hcdouble.connect_resync('salesforce', 'Contact', 'Preferred_Channel__c')"
in_project $db npx knex migrate:latest
check "CLI once synced: exits 0 ($rc)" [ "$rc" -eq 0 ]
check "CLI once synced: Batch 1 run: 2 migrations" out_has "" "Batch 1 run: 2 migrations"
check_eq "CLI once synced: knex_migrations records both" "$n1 $n2" "$(ledger $db)"
check "CLI once synced: contact_email_optouts exists" exists $db public.contact_email_optouts
check "CLI once synced: contact_channels exists" exists $db public.contact_channels

finish
