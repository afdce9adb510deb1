#!/usr/bin/env bash
# test/migrate_psql.sh: hcguard stops a deploy of plain SQL migrations run the
# way deploy scripts run them,
#
#     psql -X -1 -v ON_ERROR_STOP=1 -f migration.sql
#
# and lets the same deploy through once Heroku Connect has mapped and synced
# the fields it needs.  Migrations: test/tools/psql/migrations/
#   001_contact_email_optouts.sql  needs Contact.Email (synced from the start)
#   002_contact_channels.sql       needs Contact.Preferred_Channel__c
#   003_account_tiers.sql          needs Contact.Preferred_Channel__c, Email
#                                  and Account.Tier__c, Name (two objects,
#                                  one variadic call per object)
# Plain psql has no ledger of its own; each migration records itself in
# public.schema_migrations, in its own transaction, as such projects do.
#
# Database hc_psql_each: each file deployed on its own (one transaction each).
#   deploy 001 -> applied
#   deploy 002 -> refused: Preferred_Channel__c not mapped (42703)
#   Connect maps Preferred_Channel__c and Tier__c (columns added, still empty)
#   deploy 002 -> refused: not synced (55000)
#   Connect syncs Preferred_Channel__c
#   deploy 002 -> applied; deploy 003 -> refused: Account.Tier__c not synced
#   Connect syncs Tier__c
#   deploy 003 -> applied
# Database hc_psql_one_txn: the three files in ONE transaction (psql -1 with
# several -f; psql 10 and later wrap them all in a single transaction).
#   deploy 001+002+003 -> refused at 002; 001's changes rolled back too
#   Connect maps and syncs both fields
#   deploy 001+002+003 -> applied
# Every refusal: psql exits 3, its output has hcguard's ERROR, DETAIL and HINT
# lines, the refused migration's objects (and, in one transaction, those of
# the migrations before it) do not exist, and the ledger does not record it.
#
# Run by scripts/test as `pg_virtualenv -t -v 15 bash test/migrate_psql.sh`
# from the repository root.  Exit 0 = pass.
set -euo pipefail
cd "$(dirname "$0")/.."
. test/tools/migrate_lib.sh
need_throwaway_cluster

# ledger DB: the versions recorded in public.schema_migrations, space-separated.
ledger() { q "$1" "SELECT coalesce(string_agg(version, ' ' ORDER BY version), '') FROM public.schema_migrations"; }

# refused WHAT DB NAME RELS...: the deploy just run was refused by hcguard
# (the guard whose texts expect_guard read), left none of RELS behind, and
# the ledger does not record migration NAME.
refused() {
	local what=$1 db=$2 name=$3 rel
	shift 3
	check "$what: psql exits 3 (ON_ERROR_STOP)" [ "$rc" -eq 3 ]
	check "$what: output has ERROR:  $exp_msg" out_has "ERROR:  " "$exp_msg"
	check "$what: output has DETAIL:  $exp_detail" out_has "DETAIL:  " "$exp_detail"
	check "$what: output has HINT:  $exp_hint" out_has "HINT:  " "$exp_hint"
	for rel in "$@"; do
		check "$what: rolled back, $rel does not exist" absent "$db" "$rel"
	done
	check "$what: schema_migrations does not record $name" \
		bash -c '! grep -qw -- "$1" <<<"$2"' _ "$name" "$(ledger "$db")"
}

# applied WHAT DB NAMES RELS...: the deploy just run succeeded, the ledger
# records exactly NAMES (space-separated) and RELS exist.
applied() {
	local what=$1 db=$2 names=$3 rel
	shift 3
	check "$what: psql exits 0" [ "$rc" -eq 0 ]
	check "$what: schema_migrations records $names" [ "$(ledger "$db")" = "$names" ]
	for rel in "$@"; do
		check "$what: $rel exists" exists "$db" "$rel"
	done
}

# Plain psql has no ledger: the migrations record themselves here.
ledger_table="CREATE TABLE public.schema_migrations (
    version    text PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
)"

dir=test/tools/psql/migrations
m1=$dir/001_contact_email_optouts.sql
m2=$dir/002_contact_channels.sql
m3=$dir/003_account_tiers.sql
for f in "$m1" "$m2" "$m3"; do [ -r "$f" ] || fatal "missing $f"; done
guard2="SELECT hcguard_required('salesforce', 'contact', 'preferred_channel__c')"
guard3="SELECT hcguard_required('salesforce', 'account', 'tier__c', 'name')"

# ---------------------------------------------------------------------------
say "hc_psql_each: each migration file deployed on its own"
db=hc_psql_each
setup_db $db "$ledger_table"

run psql -X -1 -v ON_ERROR_STOP=1 -d $db -f "$m1"
applied "001 (Contact.Email is synced)" $db "001_contact_email_optouts" public.contact_email_optouts

expect_guard $db "$guard2"
run psql -X -1 -v ON_ERROR_STOP=1 -d $db -f "$m2"
refused "002, Preferred_Channel__c not mapped" $db 002_contact_channels public.contact_channels

say "Connect maps Contact.Preferred_Channel__c and Account.Tier__c (SCHEMA_CHANGED: columns added, empty)"
connect $db "SELECT hcdouble.add_field('salesforce', 'Contact', 'Preferred_Channel__c', 'picklist')"
connect $db "SELECT hcdouble.add_field('salesforce', 'Account', 'Tier__c', 'picklist')"
expect_guard $db "$guard2"
run psql -X -1 -v ON_ERROR_STOP=1 -d $db -f "$m2"
refused "002, Preferred_Channel__c mapped, not synced" $db 002_contact_channels public.contact_channels

say "Connect finishes the resync of Contact.Preferred_Channel__c"
connect $db "SELECT hcdouble.connect_resync('salesforce', 'Contact', 'Preferred_Channel__c')"
run psql -X -1 -v ON_ERROR_STOP=1 -d $db -f "$m2"
applied "002 once synced" $db "001_contact_email_optouts 002_contact_channels" public.contact_channels
check "002 once synced: the view reads the 40 contacts" \
	[ "$(q $db "SELECT count(preferred_channel__c) FROM public.contact_channels")" = 40 ]

expect_guard $db "$guard3"
run psql -X -1 -v ON_ERROR_STOP=1 -d $db -f "$m3"
refused "003 (two objects), Account.Tier__c not synced" $db 003_account_tiers \
	public.tier_channel_rules public.account_tiers

say "Connect finishes the resync of Account.Tier__c"
connect $db "SELECT hcdouble.connect_resync('salesforce', 'Account', 'Tier__c')"
run psql -X -1 -v ON_ERROR_STOP=1 -d $db -f "$m3"
applied "003 once synced" $db "001_contact_email_optouts 002_contact_channels 003_account_tiers" \
	public.tier_channel_rules public.account_tiers

# ---------------------------------------------------------------------------
say "hc_psql_one_txn: the three migrations in one transaction (psql -1 with several -f)"
db=hc_psql_one_txn
setup_db $db "$ledger_table"

expect_guard $db "$guard2"
run psql -X -1 -v ON_ERROR_STOP=1 -d $db -f "$m1" -f "$m2" -f "$m3"
refused "001+002+003 in one transaction, 002 refused" $db 002_contact_channels \
	public.contact_channels public.tier_channel_rules public.account_tiers
check "001+002+003 in one transaction, 002 refused: 001's table was rolled back too" \
	absent $db public.contact_email_optouts
check "001+002+003 in one transaction, 002 refused: schema_migrations is empty" \
	[ "$(ledger $db)" = "" ]

say "Connect maps and syncs Contact.Preferred_Channel__c and Account.Tier__c"
connect $db "SELECT hcdouble.add_field('salesforce', 'Contact', 'Preferred_Channel__c', 'picklist')"
connect $db "SELECT hcdouble.connect_resync('salesforce', 'Contact', 'Preferred_Channel__c')"
connect $db "SELECT hcdouble.add_field('salesforce', 'Account', 'Tier__c', 'picklist')"
connect $db "SELECT hcdouble.connect_resync('salesforce', 'Account', 'Tier__c')"
run psql -X -1 -v ON_ERROR_STOP=1 -d $db -f "$m1" -f "$m2" -f "$m3"
applied "001+002+003 in one transaction once synced" $db \
	"001_contact_email_optouts 002_contact_channels 003_account_tiers" \
	public.contact_email_optouts public.contact_channels public.tier_channel_rules public.account_tiers

finish
