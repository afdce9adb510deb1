#!/usr/bin/env bash
# test/declarations.sh: declarations outside one database (spec, Version
# 1.2, "Declarations"; issue 15): the promotion workflow end to end, the
# monitoring commands of the README, dump and restore, and the upgrade.
# For each edition (c: the extension; sql: heroku/hcguard.sql installed by
# the database's owner):
#
#   staging_ED     a Connect schema (the test double) where Contact maps
#                  Email and Preferred_Channel__c, synced; the migrations
#                  declare both, and Account.
#   production_ED  the same, but Preferred_Channel__c is not mapped.
#   - staging's document, checked in production with the README's command:
#     psql exits 1 with the 42703 report naming the field, and records
#     nothing; in staging it exits 0.
#   - the README's cron command exits 0 on staging, 1 once Connect drops a
#     declared field there.
#   - pg_dump | pg_restore into restored_ED keeps every declaration, with
#     who and when.
#   - the C extension created at 1.1 and updated records declarations from
#     then on; the SQL edition run again over itself keeps them.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
. test/lib.sh
need_throwaway_cluster

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
editions=${HCGUARD_DECLARATION_EDITIONS:-c sql}
sql_file=${HCGUARD_SQL_FILE:-heroku/hcguard.sql}

psql -X -q -c "CREATE ROLE hc_decl_owner LOGIN CREATEDB" >/dev/null 2>&1

# setup DB EDITION MAPPED_FIELDS: a Connect-shaped database with hcguard.
setup() {
	local db=$1 edition=$2 fields=$3
	createdb -O hc_decl_owner "$db" || fatal "createdb $db"
	psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<SQL || fatal "setting up $db"
\i test/connect_double.sql
SELECT hcdouble.create_connect_schema('salesforce');
SELECT hcdouble.create_mapping('salesforce', 'Contact', '$fields');
SELECT hcdouble.connect_load('salesforce', 'Contact', 3);
SELECT hcdouble.create_mapping('salesforce', 'Account', '[["Name", "string"]]');
SELECT hcdouble.connect_load('salesforce', 'Account', 2);
SQL
	if [ "$edition" = c ]; then
		q "$db" "CREATE EXTENSION hcguard" >/dev/null || fatal "CREATE EXTENSION in $db"
	else
		psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c 'SET ROLE hc_decl_owner' \
			-c 'SET client_min_messages = warning' -f "$sql_file" >/dev/null ||
			fatal "installing the SQL edition in $db"
	fi
}

both='[["Email", "email"], ["Preferred_Channel__c", "picklist"]]'
email_only='[["Email", "email"]]'

for ed in $editions; do
	say "edition $ed: staging and production"
	setup "staging_$ed" "$ed" "$both"
	setup "production_$ed" "$ed" "$email_only"

	# the migrations, on staging
	check "$ed: staging's migrations pass" \
		psql -X -q -v ON_ERROR_STOP=1 -d "staging_$ed" \
		-c "SELECT hcguard_required('salesforce', 'contact', 'email varchar(80)', 'preferred_channel__c')" \
		-c "SELECT hcguard_required('salesforce', 'account')"
	check_eq "$ed: staging recorded three declarations" \
		"salesforce|account|||t
salesforce|contact|email|character varying(80)|t
salesforce|contact|preferred_channel__c||t" \
		"$(q "staging_$ed" "SELECT schema_name, table_name, column_name, declared_type, ok FROM hcguard_declarations")"

	# the promotion: staging's document, checked in production (README)
	psql "staging_$ed" -X -At -c 'SELECT hcguard_declarations_json()' >"$work/declarations.json"
	check "$ed: the document lists the three declarations" \
		test "$(q "staging_$ed" "SELECT jsonb_array_length(hcguard_declarations_json() -> 'declarations')")" = 3
	before=$(q "production_$ed" "SELECT count(*) FROM hcguard.declaration_store")
	out=$(psql "production_$ed" -X -q -v ON_ERROR_STOP=1 -v doc="$(cat "$work/declarations.json")" \
		<<<"SELECT hcguard_required_declarations(:'doc')" 2>&1)
	rc=$?
	check_eq "$ed: checked in production, psql exits 3 (a script's error)" 3 "$rc"
	check "$ed: ... with the report naming the unmapped field" grep -q \
		'ERROR:  1 of 3 declared requirements do not hold in this database' <<<"$out"
	check "$ed: ... and its detail" grep -q \
		'salesforce.contact.preferred_channel__c: column "preferred_channel__c" of Heroku Connect mapping "salesforce.contact" does not exist.' <<<"$out"
	check_eq "$ed: ... and production recorded nothing" "$before" \
		"$(q "production_$ed" "SELECT count(*) FROM hcguard.declaration_store")"
	out=$(psql "staging_$ed" -X -q -v ON_ERROR_STOP=1 -v doc="$(cat "$work/declarations.json")" \
		<<<"SELECT hcguard_required_declarations(:'doc')" 2>&1)
	check_eq "$ed: checked in staging itself, psql exits 0" "0" "$?"
	out=$(psql "production_$ed" -X -q -v ON_ERROR_STOP=1 -v doc='{"declarations": [{"table_name": "x"}]}' \
		<<<"SELECT hcguard_required_declarations(:'doc')" 2>&1)
	check_eq "$ed: a malformed document: psql exits 3" "3" "$?"
	check "$ed: ... with the bad path" grep -q 'DETAIL:  $.declarations\[0\].schema_name is missing.' <<<"$out"

	# monitoring (README's cron command)
	psql "staging_$ed" -X -q -v ON_ERROR_STOP=1 -c 'SELECT hcguard_check_declarations()' >/dev/null 2>&1
	check_eq "$ed: cron check on staging exits 0" "0" "$?"
	q "staging_$ed" "SELECT hcdouble.drop_field('salesforce', 'Contact', 'Preferred_Channel__c')" >/dev/null
	out=$(psql "staging_$ed" -X -q -v ON_ERROR_STOP=1 -c 'SELECT hcguard_check_declarations()' 2>&1)
	check_eq "$ed: once Connect drops a declared field, the cron check exits 1" "1" "$?"
	check "$ed: ... naming it" grep -q 'column "preferred_channel__c" of Heroku Connect mapping "salesforce.contact" does not exist' <<<"$out"

	# dump and restore
	say "edition $ed: dump and restore"
	createdb -O hc_decl_owner "restored_$ed" || fatal "createdb restored_$ed"
	if [ "$ed" = c ]; then
		pg_dump -Fc "staging_$ed" | pg_restore -d "restored_$ed" 2>"$work/restore.err"
	else
		pg_dump -Fc "staging_$ed" | pg_restore -d "restored_$ed" 2>"$work/restore.err"
	fi
	check_eq "$ed: the restore reported no error" "" "$(grep -v '^$' "$work/restore.err")"
	decl="SELECT schema_name, table_name, column_name, declared_type, declared_by, declared_at FROM hcguard.declaration_store ORDER BY 1, 2, 3"
	check_eq "$ed: the restored database has every declaration, with who and when" \
		"$(q "staging_$ed" "$decl")" "$(q "restored_$ed" "$decl")"
done

# Upgrades: the C extension from 1.1 records from the update on; the SQL
# edition run again over itself keeps its declarations.
if [[ " $editions " == *" c "* ]]; then
	say "upgrade: the C extension from 1.1"
	createdb upgraded_c || fatal "createdb upgraded_c"
	psql -X -q -v ON_ERROR_STOP=1 -d upgraded_c >/dev/null <<SQL || fatal "setting up upgraded_c"
\i test/connect_double.sql
SELECT hcdouble.create_connect_schema('salesforce');
SELECT hcdouble.create_mapping('salesforce', 'Contact', '$email_only');
SELECT hcdouble.connect_load('salesforce', 'Contact', 3);
CREATE EXTENSION hcguard VERSION '1.1';
SQL
	check_eq "c 1.1: the guard passes (nothing to record into)" "t" \
		"$(q upgraded_c "SELECT hcguard_required('salesforce', 'contact', 'email')")"
	q upgraded_c "ALTER EXTENSION hcguard UPDATE TO '1.2'" >/dev/null || not_ok "ALTER EXTENSION UPDATE"
	q upgraded_c "SELECT hcguard_required('salesforce', 'contact', 'email')" >/dev/null
	check_eq "c updated to 1.2: the guard records" "salesforce|contact|email" \
		"$(q upgraded_c "SELECT schema_name, table_name, column_name FROM hcguard_declarations")"
fi
if [[ " $editions " == *" sql "* ]]; then
	say "upgrade: the SQL edition over itself"
	before=$(q restored_sql "$decl")
	psql -X -q -v ON_ERROR_STOP=1 -d restored_sql -c 'SET ROLE hc_decl_owner' \
		-c 'SET client_min_messages = warning' -f "$sql_file" >/dev/null || not_ok "the SQL edition runs again"
	check_eq "sql: run again, it keeps every declaration" "$before" "$(q restored_sql "$decl")"
fi

finish
