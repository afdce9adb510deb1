#!/usr/bin/env bash
# test/migrate_alembic.sh: Alembic's autogenerate never sees hcguard's tables
# (spec, Version 1.2, "hcguard's own schema"; issue 14 point 1).  hcguard
# keeps them in its own schema, hcguard, which autogenerate does not compare
# (it compares the default schema, public, with the application's MetaData),
# so it proposes no drop_table of them.
#
# The application: test/tools/alembic/, an Alembic environment (Debian's
# python3-alembic, python3-sqlalchemy, python3-psycopg2): alembic.ini, env.py
# (the generic one, online, target_metadata = models.metadata, the database
# from HC_ALEMBIC_DB, the server from libpq's variables), models.py (one
# table, contact_email_optouts), and its revisions:
#   0001_install_hcguard    install/c/: CREATE EXTENSION hcguard
#                           install/sql/: runs hcguard.sql (a copy of
#                           heroku/hcguard.sql) through the DBAPI cursor
#   0002_contact_email_optouts
#                           SELECT hcguard_required('salesforce', 'contact',
#                           'email'), then the models' table
#
# For each edition, in a copy of the environment:
#   c    database owned by the superuser (CREATE EXTENSION needs one);
#   sql  database owned by hc_dev (LOGIN, no superuser), who runs Alembic and
#        so installs the SQL edition as the database's owner.
# Database hc_alembic_ED: the Connect double (test/connect_double.sql) with
# salesforce.contact (Email, LastName) loaded, as Connect leaves it.
#   alembic upgrade head    exits 0, alembic_version is 0002
#   alembic revision --autogenerate
#                           exits 0; autogenerate detects no change at all
#                           (no "[alembic.autogenerate.compare] Detected"
#                           line: the models match the database); the
#                           script it writes has no
#                           drop_table of hcguard's tables and names none of
#                           them (hcguard_confirmation_store,
#                           hcguard_sql_edition, confirmation_store,
#                           sql_edition), and its upgrade() is empty (pass)
# With hcguard 1.1 (tables in public) autogenerate detects them as removed
# tables and writes op.drop_table('hcguard_confirmation_store') (and, for
# the SQL edition, op.drop_table('hcguard_sql_edition')).
#
# Installs Alembic from Debian (scripts/deps python3-alembic
# python3-sqlalchemy python3-psycopg2) and runs it with Debian's Python,
# /usr/bin/python3 -m alembic.  Run as
# `pg_virtualenv -t -v 15 bash test/migrate_alembic.sh` from the repository
# root.  Exit 0 = pass.
# HCGUARD_SQL_FILE: the SQL edition to install (default heroku/hcguard.sql);
# HCGUARD_ALEMBIC_EDITIONS: the editions to run (default "c sql").
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
. test/tools/migrate_lib.sh
need_throwaway_cluster

root=$PWD
sql_file=$(realpath "${HCGUARD_SQL_FILE:-heroku/hcguard.sql}")
editions=${HCGUARD_ALEMBIC_EDITIONS:-c sql}
[ -r "$sql_file" ] || fatal "no SQL edition at $sql_file"

scripts/deps python3-alembic python3-sqlalchemy python3-psycopg2 ||
	fatal "scripts/deps python3-alembic python3-sqlalchemy python3-psycopg2 failed"
python=/usr/bin/python3
versions=$($python -c 'import sys, alembic, sqlalchemy, psycopg2
print("python %d.%d.%d, alembic %s, sqlalchemy %s, psycopg2 %s" % (sys.version_info[:3] + (alembic.__version__, sqlalchemy.__version__, psycopg2.__version__.split()[0])))') ||
	fatal "Alembic does not load with $python"
echo "$versions, $(psql --version), server $(q postgres 'SHOW server_version')"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

q postgres "CREATE ROLE hc_dev LOGIN PASSWORD 'hc_dev'" >/dev/null || fatal "CREATE ROLE hc_dev"

# alembic_in DIR ARGS...: `alembic ARGS...` in the environment DIR, as typed
# there; shows its output; sets out and rc.
alembic_in() {
	local dir=$1
	shift
	echo "\$ alembic $*"
	if out=$(cd "$dir" && $python -m alembic "$@" 2>&1); then rc=0; else rc=$?; fi
	[ -n "$out" ] && sed 's/^/    | /' <<<"$out"
	echo "    (exit code $rc)"
}

# as_owner COMMAND...: COMMAND as the edition's database owner.
as_owner() {
	if [ "$owner" = hc_dev ]; then PGUSER=hc_dev PGPASSWORD=hc_dev "$@"; else "$@"; fi
}

# upgrade_body FILE: the statements of the generated script's upgrade(),
# without comments, one a line.
upgrade_body() {
	sed -n '/^def upgrade/,/^def downgrade/p' "$1" | sed '1d;$d' |
		sed 's/#.*//; s/^ *//; /^$/d'
}

hcguard_tables='hcguard_confirmation_store|hcguard_sql_edition|confirmation_store|sql_edition'

for ed in $editions; do
	db=hc_alembic_$ed
	env_dir=$work/$ed
	say "$ed edition: an Alembic environment whose first revision installs hcguard"
	cp -r test/tools/alembic "$env_dir" && rm -rf "$env_dir/install" "$env_dir/__pycache__" || fatal "copying the environment"
	cp test/tools/alembic/install/"$ed"/*.py "$env_dir/versions/" || fatal "copying the install revision"
	case $ed in
	c) owner=$PGUSER ;;
	sql)
		owner=hc_dev
		cp "$sql_file" "$env_dir/hcguard.sql" || fatal "copying $sql_file"
		;;
	*) fatal "unknown edition $ed" ;;
	esac
	createdb -O "$owner" "$db" || fatal "createdb $db"
	export HC_ALEMBIC_DB=$db
	as_owner psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$root/test/connect_double.sql" >/dev/null ||
		fatal "loading test/connect_double.sql into $db"
	as_owner psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<-'SQL' || fatal "building the Connect schema in $db"
		SELECT hcdouble.create_connect_schema('salesforce');
		SELECT hcdouble.create_mapping('salesforce', 'Contact',
		    '[["Email", "email"], ["LastName", "string(80)"]]');
		SELECT hcdouble.connect_load('salesforce', 'Contact', 40);
	SQL

	say "$ed: alembic upgrade head ($db, as $owner)"
	as_owner alembic_in "$env_dir" upgrade head
	check "$ed: alembic upgrade head exits 0 ($rc)" [ "$rc" -eq 0 ]
	check_eq "$ed: alembic_version is 0002" 0002 "$(q "$db" "SELECT version_num FROM alembic_version" 2>&1)"
	check "$ed: contact_email_optouts exists" exists "$db" public.contact_email_optouts
	echo "    hcguard's tables in $db: $(q "$db" "SELECT string_agg(c.oid::regclass::text, ', ' ORDER BY 1)
		FROM pg_class c WHERE relkind = 'r' AND (relname LIKE 'hcguard%' OR relnamespace::regnamespace::text = 'hcguard')")"

	say "$ed: alembic revision --autogenerate (the models against $db)"
	as_owner alembic_in "$env_dir" revision --autogenerate --rev-id 0003 -m "after hcguard"
	check "$ed: alembic revision --autogenerate exits 0 ($rc)" [ "$rc" -eq 0 ]
	check_eq "$ed: autogenerate detects no change (no \"[alembic.autogenerate.compare] Detected\" line)" "" "$(grep -F '[alembic.autogenerate.compare] Detected' <<<"$out")"
	script=$(ls "$env_dir"/versions/0003_*.py 2>/dev/null | head -n 1)
	[ -n "$script" ] || fatal "$ed: autogenerate wrote no script"
	body=$(upgrade_body "$script")
	sed 's/^/    upgrade()| /' <<<"$body"
	check_eq "$ed: the generated script has no drop_table of hcguard's tables" \
		"" "$(grep -nE "drop_table\\(['\"]($hcguard_tables)['\"]" "$script")"
	check_eq "$ed: the generated script names none of hcguard's tables" \
		"" "$(grep -nE "$hcguard_tables" "$script")"
	check_eq "$ed: the generated upgrade() is empty" "pass" "$body"
done

finish
