#!/usr/bin/env bash
# test/migrate_sqitch.sh: hcguard stops a Sqitch deploy, and lets the same
# deploy through once Heroku Connect has mapped and synced the fields it
# needs.  Project: test/tools/sqitch/ (sqitch.conf, sqitch.plan, deploy/,
# revert/, verify/; deploy scripts wrap their change in BEGIN ... COMMIT as
# Sqitch's templates do).  Changes, in plan order:
#   contact_email_optouts  needs Contact.Email (synced from the start)
#   contact_channels       needs Contact.Preferred_Channel__c
#   account_tiers          needs Contact.Preferred_Channel__c, Email and
#                          Account.Tier__c, Name (two objects, one variadic
#                          call per object)
# Sqitch's ledger is its registry: sqitch.changes, shown by `sqitch status`.
#
# Database hc_sqitch_change: `sqitch deploy --mode change` (on failure, keep
# the changes deployed before the failing one; each change's script is its
# own transaction).
#   deploy -> contact_email_optouts deployed; contact_channels refused:
#             Preferred_Channel__c not mapped (42703)
#   Connect maps Preferred_Channel__c and Tier__c (columns added, still empty)
#   deploy -> contact_channels refused: not synced (55000)
#   Connect syncs Preferred_Channel__c
#   deploy -> contact_channels deployed; account_tiers refused: Account.Tier__c
#             not synced
#   Connect syncs Tier__c
#   deploy -> account_tiers deployed
# Database hc_sqitch_all: `sqitch deploy --mode all` (Sqitch's default: on
# failure, revert every change this deploy deployed).  Sqitch has no option
# to run several changes in one transaction; --mode all is what it offers:
# the changes before the failing one are undone by their revert scripts.
#   deploy -> contact_email_optouts deployed, contact_channels refused,
#             contact_email_optouts reverted: nothing left, nothing recorded
#   Connect maps and syncs both fields
#   deploy -> all three deployed
# Every refusal: sqitch exits non-zero, its output has hcguard's ERROR,
# DETAIL and HINT lines (Sqitch runs the scripts with psql and passes psql's
# messages through), the refused change's objects do not exist, and neither
# sqitch.changes nor `sqitch status` records it.
#
# Installs Sqitch from Debian (scripts/deps sqitch libdbd-pg-perl).
# Run by scripts/test as `pg_virtualenv -t -v 15 bash test/migrate_sqitch.sh`
# from the repository root.  Exit 0 = pass.
set -euo pipefail
cd "$(dirname "$0")/.."
. test/tools/migrate_lib.sh
need_throwaway_cluster

scripts/deps sqitch libdbd-pg-perl || fatal "scripts/deps sqitch libdbd-pg-perl failed"
command -v sqitch >/dev/null || fatal "sqitch is not installed"
echo "$(sqitch --version), $(psql --version)"

# Sqitch's identity for the registry; no user or system configuration.
export SQITCH_USER_CONFIG=/nonexistent/sqitch.conf
export SQITCH_SYSTEM_CONFIG=/nonexistent/sqitch.conf
export SQITCH_FULLNAME="hcguard tests"
export SQITCH_EMAIL="hcguard-tests@example.invalid"
project=test/tools/sqitch

# ledger DB: the changes recorded in sqitch.changes, space-separated, in
# deploy order (empty if Sqitch never created its registry).
ledger() {
	if [ "$(q "$1" "SELECT to_regclass('sqitch.changes') IS NULL")" = t ]; then
		echo ""
	else
		q "$1" "SELECT coalesce(string_agg(change, ' ' ORDER BY committed_at, change), '') FROM sqitch.changes"
	fi
}

# sqitch_status DB: `sqitch status` output (it exits 1 when nothing is deployed).
sqitch_status() { sqitch --chdir "$project" status "db:pg:$1" 2>&1 || true; }

# deploy DB MODE: the deploy under test.
deploy() { run sqitch --chdir "$project" deploy --mode "$2" "db:pg:$1"; }

# refused WHAT DB CHANGE RELS...: the deploy just run was refused by hcguard
# (the guard whose texts expect_guard read), left none of RELS behind, and
# Sqitch does not record CHANGE.
refused() {
	local what=$1 db=$2 change=$3 rel status
	shift 3
	check "$what: sqitch exits non-zero ($rc)" [ "$rc" -ne 0 ]
	check "$what: output has ERROR:  $exp_msg" out_has "ERROR:  " "$exp_msg"
	check "$what: output has DETAIL:  $exp_detail" out_has "DETAIL:  " "$exp_detail"
	check "$what: output has HINT:  $exp_hint" out_has "HINT:  " "$exp_hint"
	check "$what: sqitch reports + $change ... not ok" \
		bash -c 'grep -qF -- "+ $2" <<<"$1" && grep -q "not ok" <<<"$1"' _ "$out" "$change"
	for rel in "$@"; do
		check "$what: rolled back, $rel does not exist" absent "$db" "$rel"
	done
	check "$what: sqitch.changes does not record $change" \
		bash -c '! grep -qw -- "$1" <<<"$2"' _ "$change" "$(ledger "$db")"
	status=$(sqitch_status "$db")
	sed 's/^/    status| /' <<<"$status"
	check "$what: sqitch status: $change is not deployed (listed as undeployed, or no changes deployed)" \
		bash -c '{ sed -n "/^Undeployed change/,\$p" <<<"$1" | grep -qF -- "* $2"; } ||
			grep -qx "No changes deployed" <<<"$1"' _ "$status" "$change"
}

# applied WHAT DB CHANGES RELS...: the deploy just run succeeded, Sqitch
# records exactly CHANGES (space-separated) and RELS exist.
applied() {
	local what=$1 db=$2 changes=$3 rel status
	shift 3
	check "$what: sqitch exits 0" [ "$rc" -eq 0 ]
	check "$what: sqitch.changes records $changes" [ "$(ledger "$db")" = "$changes" ]
	status=$(sqitch_status "$db")
	sed 's/^/    status| /' <<<"$status"
	check "$what: sqitch status: last change ${changes##* }" \
		bash -c 'grep -qE "^# Name: +$2\$" <<<"$1"' _ "$status" "${changes##* }"
	for rel in "$@"; do
		check "$what: $rel exists" exists "$db" "$rel"
	done
}

for f in sqitch.conf sqitch.plan deploy/contact_channels.sql deploy/account_tiers.sql; do
	[ -r "$project/$f" ] || fatal "missing $project/$f"
done
guard2="SELECT hcguard_required('salesforce', 'contact', 'preferred_channel__c')"
guard3="SELECT hcguard_required('salesforce', 'account', 'tier__c', 'name')"

# ---------------------------------------------------------------------------
say "hc_sqitch_change: sqitch deploy --mode change (each change its own transaction)"
db=hc_sqitch_change
setup_db $db

expect_guard $db "$guard2"
deploy $db change
refused "deploy 1, Preferred_Channel__c not mapped" $db contact_channels public.contact_channels
check "deploy 1: the change before it stays deployed (--mode change)" \
	[ "$(ledger $db)" = "contact_email_optouts" ]
check "deploy 1: sqitch.events logs the failure of contact_channels" \
	[ "$(q $db "SELECT count(*) FROM sqitch.events WHERE event = 'fail' AND change = 'contact_channels'")" = 1 ]

say "Connect maps Contact.Preferred_Channel__c and Account.Tier__c (SCHEMA_CHANGED: columns added, empty)"
connect $db "SELECT hcdouble.add_field('salesforce', 'Contact', 'Preferred_Channel__c', 'picklist')"
connect $db "SELECT hcdouble.add_field('salesforce', 'Account', 'Tier__c', 'picklist')"
expect_guard $db "$guard2"
deploy $db change
refused "deploy 2, Preferred_Channel__c mapped, not synced" $db contact_channels public.contact_channels

say "Connect finishes the resync of Contact.Preferred_Channel__c"
connect $db "SELECT hcdouble.connect_resync('salesforce', 'Contact', 'Preferred_Channel__c')"
expect_guard $db "$guard3"
deploy $db change
refused "deploy 3, contact_channels passes, account_tiers (two objects): Account.Tier__c not synced" \
	$db account_tiers public.tier_channel_rules public.account_tiers
check "deploy 3: contact_channels deployed (its guard passed)" \
	[ "$(ledger $db)" = "contact_email_optouts contact_channels" ]
check "deploy 3: public.contact_channels exists" exists $db public.contact_channels

say "Connect finishes the resync of Account.Tier__c"
connect $db "SELECT hcdouble.connect_resync('salesforce', 'Account', 'Tier__c')"
deploy $db change
applied "deploy 4 once synced" $db "contact_email_optouts contact_channels account_tiers" \
	public.tier_channel_rules public.account_tiers

# ---------------------------------------------------------------------------
say "hc_sqitch_all: sqitch deploy --mode all (revert everything this deploy deployed)"
db=hc_sqitch_all
setup_db $db

expect_guard $db "$guard2"
deploy $db all
refused "deploy --mode all, contact_channels refused" $db contact_channels \
	public.contact_channels public.tier_channel_rules public.account_tiers
check "deploy --mode all: sqitch reverted the change before it" out_has "Reverting all changes" ""
check "deploy --mode all: contact_email_optouts's table is gone (reverted)" \
	absent $db public.contact_email_optouts
check "deploy --mode all: sqitch.changes is empty" [ "$(ledger $db)" = "" ]
check "deploy --mode all: sqitch status says no changes deployed" \
	bash -c 'grep -qF "No changes deployed" <<<"$1"' _ "$(sqitch_status $db)"

say "Connect maps and syncs Contact.Preferred_Channel__c and Account.Tier__c"
connect $db "SELECT hcdouble.add_field('salesforce', 'Contact', 'Preferred_Channel__c', 'picklist')"
connect $db "SELECT hcdouble.connect_resync('salesforce', 'Contact', 'Preferred_Channel__c')"
connect $db "SELECT hcdouble.add_field('salesforce', 'Account', 'Tier__c', 'picklist')"
connect $db "SELECT hcdouble.connect_resync('salesforce', 'Account', 'Tier__c')"
deploy $db all
applied "deploy --mode all once synced" $db "contact_email_optouts contact_channels account_tiers" \
	public.contact_email_optouts public.contact_channels public.tier_channel_rules public.account_tiers

finish
