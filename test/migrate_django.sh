#!/usr/bin/env bash
# test/migrate_django.sh: hcguard stops a Django deploy (`manage.py
# migrate`) until Heroku Connect has mapped and synced the field a migration
# needs, and `manage.py test` builds its test database through the same
# migrations once the test settings set hcguard.on_failure = provision
# (issue 18).
#
# The project: test/tools/django/, a minimal Django project (Debian's
# python3-django 3.2 and python3-psycopg2, run with /usr/bin/python3):
# manage.py, hcsite/settings.py (the database from HC_DJANGO_DB, the server
# from libpq's variables; the test database is HC_DJANGO_DB_test),
# hcsite/settings_test.py (the same, plus OPTIONS "-c
# hcguard.on_failure=provision"), and one application, crm, with one test
# (crm/tests.py: writes and reads salesforce.contact.email) and its
# migrations:
#   0001_install_hcguard        install/c/: RunSQL("CREATE EXTENSION IF NOT
#                               EXISTS hcguard"); install/sql/: RunSQL of
#                               hcguard.sql (a copy of heroku/hcguard.sql)
#                               read when the migration runs
#   0002_contact_email_optouts  RunSQL("SELECT hcguard_required('salesforce',
#                               'contact', 'email')"), then CreateModel
#                               (table crm_contactemailoptout)
#
# For each edition, in a copy of the project:
#   c    databases owned by the superuser, who runs Django (CREATE EXTENSION
#        needs one, and only a superuser may set hcguard.on_failure);
#   sql  databases owned by hc_dev (LOGIN CREATEDB, no superuser), who runs
#        Django and so installs the SQL edition as the database's owner.
# Database hc_django_ED: the Connect double with salesforce.contact
# (LastName) loaded: Contact.Email is not mapped.
#   migrate  -> exits 1; 0001 applied, 0002 refused (42703): the output ends
#               with Django's exception and hcguard's DETAIL and HINT lines;
#               django_migrations does not record 0002, crm_contactemailoptout
#               does not exist
#   Connect maps Email (column added, empty)
#   migrate  -> exits 1, 0002 refused (55000, not synced), same checks
#   Connect syncs Email
#   migrate  -> exits 0, django_migrations records 0001 and 0002, the table
#               exists
#   test                      (hcsite.settings) -> exits 1: the fresh test
#               database has no Connect schema, 0002's guard fails (3F000)
#   test --settings=hcsite.settings_test -> exits 0: the guard provisions
#               salesforce.contact.email and the test passes ("Ran 1 test",
#               "OK")
#
# What the user sees on a refusal (the end of the traceback; exit code 1):
#   django.db.utils.ProgrammingError: column "email" of Heroku Connect mapping "salesforce.contact" does not exist
#   DETAIL:  No column of the mapping is named "email": Heroku Connect does not map that field in this database.
#   HINT:  Add the field to the mapping in this environment's Heroku Connect dashboard, [...]
# Not synced (55000) ends the same way with django.db.utils.OperationalError.
# psycopg2 2.9.5 puts the server's DETAIL and HINT (and, for the SQL
# edition, its CONTEXT) in the exception's text; the same lines also follow
# "psycopg2.errors.UndefinedColumn:" higher up the chained traceback.
#
# Versions (Debian 12): Django 3.2.25, psycopg2 2.9.5, Python 3.11.2.  About
# 12 s.  Run by scripts/test as `pg_virtualenv -t -v 15 bash
# test/migrate_django.sh` from the repository root.  Exit 0 = pass.
# HCGUARD_SQL_FILE: the SQL edition to install (default heroku/hcguard.sql);
# HCGUARD_DJANGO_EDITIONS: the editions to run (default "c sql").
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
. test/tools/migrate_lib.sh
need_throwaway_cluster

root=$PWD
sql_file=$(realpath "${HCGUARD_SQL_FILE:-heroku/hcguard.sql}")
editions=${HCGUARD_DJANGO_EDITIONS:-c sql}
[ -r "$sql_file" ] || fatal "no SQL edition at $sql_file"

scripts/deps python3-django python3-psycopg2 ||
	fatal "scripts/deps python3-django python3-psycopg2 failed"
# Debian's Python, where Debian's Django is (not a python3 earlier on PATH).
python=/usr/bin/python3
versions=$($python -c 'import sys, django, psycopg2
print("python %d.%d.%d, django %s, psycopg2 %s" % (sys.version_info[:3] + (django.get_version(), psycopg2.__version__.split()[0])))') ||
	fatal "Django does not load with $python"
echo "$versions, $(psql --version), server $(q postgres 'SHOW server_version')"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PYTHONDONTWRITEBYTECODE=1

q postgres "CREATE ROLE hc_dev LOGIN CREATEDB PASSWORD 'hc_dev'" >/dev/null || fatal "CREATE ROLE hc_dev"

# manage DIR ARGS...: `python manage.py ARGS...` in the project DIR, as typed
# there; shows its output without the traceback's frames (the lines
# "  File ..." and the source lines under them); sets out and rc.
manage() {
	local dir=$1 frames
	shift
	echo "\$ python manage.py $*"
	if out=$(cd "$dir" && $python manage.py "$@" 2>&1); then rc=0; else rc=$?; fi
	frames=$(grep -c '^  File "' <<<"$out")
	awk '/^  File "/ { skip = 1; next } skip && /^    / { next } { skip = 0; print }' <<<"$out" |
		sed '/^$/d; s/^/    | /'
	[ "$frames" -eq 0 ] || echo "    | ($frames traceback frames not shown)"
	echo "    (exit code $rc)"
}

# as_owner COMMAND...: COMMAND as the edition's database owner.
as_owner() {
	if [ "$owner" = hc_dev ]; then PGUSER=hc_dev PGPASSWORD=hc_dev "$@"; else "$@"; fi
}

# ledger DB: the crm migrations django_migrations records, space-separated.
ledger() {
	q "$1" "SELECT coalesce(string_agg(name, ' ' ORDER BY id), '') FROM django_migrations WHERE app = 'crm'" 2>&1
}

# refused WHAT PSYCOPG2_CLASS DJANGO_CLASS: the migrate just run was refused
# by hcguard (the guard whose texts expect_guard read) at 0002, with what
# Django shows: psycopg2's exception for the SQLSTATE, and Django's wrapper
# of it (ProgrammingError for class 42, OperationalError for class 55).
refused() {
	local what=$1 class=$2 dj_class=$3
	check "$what: migrate exits non-zero ($rc)" [ "$rc" -ne 0 ]
	check "$what: output has Applying crm.0002_contact_email_optouts... without OK" \
		bash -c 'grep -q "^  Applying crm.0002_contact_email_optouts\.\.\." <<<"$1" &&
			! grep -q "^  Applying crm.0002_contact_email_optouts\.\.\. OK" <<<"$1"' _ "$out"
	check "$what: output has psycopg2.errors.$class: $exp_msg" \
		grep -qxF "psycopg2.errors.$class: $exp_msg" <<<"$out"
	check "$what: output has django.db.utils.$dj_class: $exp_msg" \
		grep -qxF "django.db.utils.$dj_class: $exp_msg" <<<"$out"
	check "$what: the output's last DETAIL is hcguard's" \
		[ "$(grep '^DETAIL:  ' <<<"$out" | tail -n 1)" = "DETAIL:  $exp_detail" ]
	check "$what: the output's last HINT is hcguard's" \
		[ "$(grep '^HINT:  ' <<<"$out" | tail -n 1)" = "HINT:  $exp_hint" ]
	check_eq "$what: django_migrations records 0001 only" "0001_install_hcguard" "$(ledger "$db")"
	check "$what: crm_contactemailoptout does not exist" absent "$db" public.crm_contactemailoptout
}

guard="SELECT hcguard_required('salesforce', 'contact', 'email')"

for ed in $editions; do
	db=hc_django_$ed
	app=$work/$ed
	say "$ed edition: a Django project whose first migration installs hcguard"
	cp -r test/tools/django "$app" && rm -rf "$app/install" &&
		cp test/tools/django/install/"$ed"/*.py "$app/crm/migrations/" || fatal "copying the project"
	case $ed in
	c) owner=$PGUSER ;;
	sql)
		owner=hc_dev
		cp "$sql_file" "$app/hcguard.sql" || fatal "copying $sql_file"
		;;
	*) fatal "unknown edition $ed" ;;
	esac
	createdb -O "$owner" "$db" || fatal "createdb $db"
	export HC_DJANGO_DB=$db
	as_owner psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$root/test/connect_double.sql" >/dev/null ||
		fatal "loading test/connect_double.sql into $db"
	as_owner psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<-'SQL' || fatal "building the Connect schema in $db"
		SELECT hcdouble.create_connect_schema('salesforce');
		SELECT hcdouble.create_mapping('salesforce', 'Contact', '[["LastName", "string(80)"]]');
		SELECT hcdouble.connect_load('salesforce', 'Contact', 40);
	SQL

	say "$ed: manage.py migrate ($db, as $owner): Contact.Email is not mapped"
	as_owner manage "$app" migrate
	check "$ed: 0001_install_hcguard applied" grep -qx '  Applying crm.0001_install_hcguard\.\.\. OK' <<<"$out"
	expect_guard "$db" "$guard"
	refused "$ed: migrate, Email not mapped" UndefinedColumn ProgrammingError

	say "$ed: Connect maps Contact.Email (SCHEMA_CHANGED: column added, empty)"
	connect "$db" "SELECT hcdouble.add_field('salesforce', 'Contact', 'Email', 'email')"
	expect_guard "$db" "$guard"
	as_owner manage "$app" migrate
	refused "$ed: migrate, Email mapped, not synced" ObjectNotInPrerequisiteState OperationalError

	say "$ed: Connect finishes the resync of Contact.Email"
	connect "$db" "SELECT hcdouble.connect_resync('salesforce', 'Contact', 'Email')"
	as_owner manage "$app" migrate
	check "$ed: migrate exits 0 once synced ($rc)" [ "$rc" -eq 0 ]
	check "$ed: output has Applying crm.0002_contact_email_optouts... OK" \
		grep -qx '  Applying crm.0002_contact_email_optouts\.\.\. OK' <<<"$out"
	check_eq "$ed: django_migrations records 0001 and 0002" \
		"0001_install_hcguard 0002_contact_email_optouts" "$(ledger "$db")"
	check "$ed: crm_contactemailoptout exists" exists "$db" public.crm_contactemailoptout

	say "$ed: manage.py test with the project's settings: the test database has no Connect"
	as_owner manage "$app" test --noinput
	check "$ed: test exits non-zero without provision ($rc)" [ "$rc" -ne 0 ]
	check "$ed: the test database's migration 0002 is refused: no schema salesforce" \
		grep -qxF 'django.db.utils.ProgrammingError: schema "salesforce" does not exist' <<<"$out"
	check "$ed: no test ran" bash -c '! grep -q "^Ran " <<<"$1"' _ "$out"

	say "$ed: manage.py test --settings=hcsite.settings_test (hcguard.on_failure = provision)"
	as_owner manage "$app" test --noinput --settings=hcsite.settings_test -v 2
	check "$ed: test exits 0 with provision ($rc)" [ "$rc" -eq 0 ]
	check "$ed: the test database ran 0002 (its guard provisioned salesforce.contact.email)" \
		grep -qx '  Applying crm.0002_contact_email_optouts\.\.\. OK' <<<"$out"
	check "$ed: test_contact_email_is_readable ... ok" \
		grep -q '^test_contact_email_is_readable .* \.\.\. ok$' <<<"$out"
	check "$ed: Ran 1 test" grep -q '^Ran 1 test in ' <<<"$out"
	check "$ed: OK" grep -qx 'OK' <<<"$out"
	check_eq "$ed: Django destroyed its test database" 0 \
		"$(q postgres "SELECT count(*) FROM pg_database WHERE datname = '${db}_test'")"
done

finish
