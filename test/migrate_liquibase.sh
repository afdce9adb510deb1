#!/usr/bin/env bash
# test/migrate_liquibase.sh: hcguard stops a Liquibase deploy (`update`)
# until Heroku Connect has mapped and synced the fields its changesets need,
# and what the user sees then (issue 18).
#
# Project: test/tools/liquibase/ (package.json and package-lock.json pin the
# npm package liquibase 4.28.1, which bundles Liquibase 4.28.0 and the
# PostgreSQL JDBC driver 42.7.3; `npm ci` installs it into node_modules/;
# Liquibase runs on Debian's openjdk-17-jre-headless), liquibase.properties
# (changelog-file: changelog.sql; the URL, username and password come from
# LIQUIBASE_COMMAND_URL, _USERNAME and _PASSWORD), and changelog.sql, a
# formatted SQL changelog whose changesets put the guard first:
#   app:contact-email-optouts  needs Contact.Email (synced), a table
#   app:contact-channels       needs Contact.Preferred_Channel__c, a view
# Liquibase's ledger is the table public.databasechangelog.
#
# Database hc_liquibase (C extension, the Connect double: Contact and
# Account loaded, Preferred_Channel__c not mapped):
#   npx node-liquibase update -> exits 1; contact-email-optouts applied and
#       recorded (each changeset is its own transaction), contact-channels
#       refused (42703): the output has hcguard's message, Detail and Hint
#       (as the JDBC driver words them); databasechangelog does not record
#       it, the view does not exist, databasechangeloglock is released
#   Connect maps Preferred_Channel__c (column added, empty)
#   npx node-liquibase update -> exits 1, not synced (55000), same checks
#   Connect syncs it
#   npx node-liquibase update -> exits 0; both recorded, the view exists
#
# What the user sees (exit code 1; node-liquibase prints Liquibase's stdout,
# then its stderr in red, then node's report of the failed child process,
# which repeats that stderr):
#   Running Changeset: changelog.sql::contact-channels::app
#   ERROR: Exception Details
#   ERROR: Exception Primary Class:  PSQLException
#   ERROR: Exception Primary Reason:  ERROR: column "preferred_channel__c" of Heroku Connect mapping "salesforce.contact" does not exist
#     Detail: No column of the mapping is named "preferred_channel__c": Heroku Connect does not map that field in this database.
#     Hint: Add the field to the mapping in this environment's Heroku Connect dashboard, wait for the sync to finish, then deploy again.
#   ERROR: Exception Primary Source:  PostgreSQL 15.x
#
#   Unexpected error running Liquibase: Migration failed for changeset changelog.sql::contact-channels::app:
#        Reason: liquibase.exception.DatabaseException: ERROR: column "preferred_channel__c" of Heroku Connect mapping "salesforce.contact" does not exist
#     Detail: No column of the mapping is named "preferred_channel__c": [...]
#     Hint: Add the field to the mapping [...], then deploy again. [Failed SQL: (0) SELECT hcguard_required('salesforce', 'contact', 'preferred_channel__c')]
#
# Versions: npm liquibase 4.28.1 (Liquibase 4.28.0, PostgreSQL JDBC 42.7.3),
# OpenJDK 17.0.15, node 20.20.  About 20 s.  Run by scripts/test as `pg_virtualenv
# -t -v 15 bash test/migrate_liquibase.sh` from the repository root.  Exit
# 0 = pass.
set -euo pipefail
cd "$(dirname "$0")/.."
. test/tools/migrate_lib.sh
need_throwaway_cluster

scripts/deps openjdk-17-jre-headless unzip || fatal "scripts/deps openjdk-17-jre-headless unzip failed"
command -v java >/dev/null || fatal "java is not on PATH"

project=test/tools/liquibase
command -v node >/dev/null || fatal "node is not on PATH"
command -v npm >/dev/null || fatal "npm is not on PATH"
say "npm ci in $project (node $(node --version), npm $(npm --version 2>/dev/null))"
if npm_log=$(cd "$project" && npm ci --no-audit --no-fund --prefer-offline 2>&1); then
	sed 's/^/    | /' <<<"$npm_log"
else
	sed 's/^/    | /' <<<"$npm_log"
	fatal "npm ci failed in $project"
fi
[ -x "$project/node_modules/.bin/node-liquibase" ] || fatal "npm ci did not install liquibase"
lib=$project/node_modules/liquibase/dist/liquibase/internal/lib
echo "    npm liquibase $(node -p "require('./$project/node_modules/liquibase/package.json').version"):" \
	"Liquibase $(unzip -p "$lib/liquibase-core.jar" META-INF/MANIFEST.MF | sed -n 's/^Liquibase-Version: *//p' | tr -d '\r')," \
	"PostgreSQL JDBC $(unzip -p "$lib/postgresql.jar" META-INF/MANIFEST.MF | sed -n 's/^Implementation-Version: *//p' | tr -d '\r');" \
	"$(java -version 2>&1 | head -n 1)"

# update DB: `npx node-liquibase update` in the project directory against
# database DB, as typed there (the connection in Liquibase's environment
# variables); shows its output without the banner; sets out and rc.
update() {
	echo "\$ cd $project && LIQUIBASE_COMMAND_URL=jdbc:postgresql://$PGHOST:$PGPORT/$1 npx node-liquibase update"
	if out=$(cd "$project" &&
		LIQUIBASE_COMMAND_URL="jdbc:postgresql://$PGHOST:$PGPORT/$1" \
			LIQUIBASE_COMMAND_USERNAME="$PGUSER" LIQUIBASE_COMMAND_PASSWORD="$PGPASSWORD" \
			npx node-liquibase update 2>&1); then
		rc=0
	else
		rc=$?
	fi
	grep -v '^##' <<<"$out" | sed '/^ *$/d; s/^/    | /'
	echo "    (exit code $rc)"
}

# ledger DB: the changesets databasechangelog records, space-separated.
ledger() {
	if [ "$(q "$1" "SELECT to_regclass('public.databasechangelog') IS NULL")" = t ]; then
		echo ""
	else
		q "$1" "SELECT coalesce(string_agg(author || ':' || id, ' ' ORDER BY orderexecuted), '') FROM public.databasechangelog"
	fi
}

# refused WHAT: the update just run was refused by hcguard at
# contact-channels (the guard whose texts expect_guard read).
refused() {
	local what=$1
	check "$what: update exits non-zero ($rc)" [ "$rc" -ne 0 ]
	check "$what: Running Changeset: changelog.sql::contact-channels::app" \
		grep -qxF "Running Changeset: changelog.sql::contact-channels::app" <<<"$out"
	check "$what: ERROR: Exception Primary Reason:  ERROR: $exp_msg" \
		grep -qxF "ERROR: Exception Primary Reason:  ERROR: $exp_msg" <<<"$out"
	check "$what: Reason: liquibase.exception.DatabaseException: ERROR: $exp_msg" \
		grep -qxF "     Reason: liquibase.exception.DatabaseException: ERROR: $exp_msg" <<<"$out"
	check "$what: Unexpected error running Liquibase: Migration failed for changeset changelog.sql::contact-channels::app:" \
		grep -qxF "Unexpected error running Liquibase: Migration failed for changeset changelog.sql::contact-channels::app:" <<<"$out"
	check "$what:   Detail: $exp_detail" grep -qxF "  Detail: $exp_detail" <<<"$out"
	check "$what:   Hint: $exp_hint" grep -qxF "  Hint: $exp_hint" <<<"$out"
	check "$what:   Hint: ... [Failed SQL: (0) $guard2]" \
		grep -qxF "  Hint: $exp_hint [Failed SQL: (0) $guard2]" <<<"$out"
	check_eq "$what: databasechangelog records app:contact-email-optouts only" \
		"app:contact-email-optouts" "$(ledger $db)"
	check "$what: contact_email_optouts stays (its own changeset, its own transaction)" \
		exists $db public.contact_email_optouts
	check "$what: contact_channels does not exist" absent $db public.contact_channels
	check_eq "$what: databasechangeloglock is released" f \
		"$(q $db "SELECT bool_or(locked) FROM databasechangeloglock")"
}

guard2="SELECT hcguard_required('salesforce', 'contact', 'preferred_channel__c')"
db=hc_liquibase
setup_db $db

say "npx node-liquibase update: Contact.Preferred_Channel__c is not mapped"
expect_guard $db "$guard2"
update $db
refused "update, Preferred_Channel__c not mapped"

say "Connect maps Contact.Preferred_Channel__c (SCHEMA_CHANGED: column added, empty)"
connect $db "SELECT hcdouble.add_field('salesforce', 'Contact', 'Preferred_Channel__c', 'picklist')"
expect_guard $db "$guard2"
update $db
refused "update, Preferred_Channel__c mapped, not synced"

say "Connect finishes the resync of Contact.Preferred_Channel__c"
connect $db "SELECT hcdouble.connect_resync('salesforce', 'Contact', 'Preferred_Channel__c')"
update $db
check "update once synced: exits 0 ($rc)" [ "$rc" -eq 0 ]
check "update once synced: Liquibase says: Run: 1" grep -qE '^Run: +1$' <<<"$out"
check_eq "update once synced: databasechangelog records both" \
	"app:contact-email-optouts app:contact-channels" "$(ledger $db)"
check "update once synced: contact_channels exists" exists $db public.contact_channels

finish
