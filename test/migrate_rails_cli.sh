#!/usr/bin/env bash
# test/migrate_rails_cli.sh: hcguard stops `bin/rails db:migrate` until
# Heroku Connect has mapped and synced the field a migration needs, and what
# the user sees then (issue 18).  test/migrate_rails.sh runs Rails' tasks
# through rake without Bundler; this test runs them as a generated
# application does: bin/rails, which loads config/boot.rb, which runs
# bundler/setup with the application's Gemfile.
#
# The application: test/tools/rails/ (see test/migrate_rails.sh), with
# bin/rails and config/boot.rb as `rails new` writes them and a Gemfile
# (railties, activerecord, pg) that Bundler resolves from Debian's gems
# (ruby-railties, ruby-activerecord, ruby-pg, ruby-bundler; no network, so
# no Gemfile.lock is committed: Bundler writes one in the test's copy).
# Migrations: 20240101000000_install_hcguard (install/c/: enable_extension
# "hcguard"; install/sql/: runs db/hcguard.sql, a copy of heroku/hcguard.sql)
# and 20240101000100_create_contact_email_optouts (SELECT
# hcguard_required('salesforce', 'contact', 'email'), then a table).
#
# For each edition (c: databases owned by the superuser; sql: owned by
# hc_dev, LOGIN CREATEDB, no superuser, who installs the SQL edition), in a
# copy of the application; database hc_rails_cli_ED: the Connect double with
# salesforce.contact (LastName) loaded, Contact.Email not mapped:
#   bin/rails db:migrate -> exits 1; stderr starts with "rails aborted!";
#       the install migration is applied, the guarded one refused (42703)
#       with hcguard's ERROR, DETAIL and HINT lines; schema_migrations does
#       not record it; contact_email_optouts does not exist
#   Connect maps Email (column added, empty)
#   bin/rails db:migrate -> exits 1, not synced (55000), the same checks
#   Connect syncs Email
#   bin/rails db:migrate -> exits 0, both recorded, the table exists
#   bin/rails db:schema:load into hc_rails_cli_ED_fresh -> exits 0, no ERROR
#   bin/rails db:test:prepare (hc_rails_cli_ED_test) -> exits 0, no ERROR
#
# What the user sees (stderr; exit code 1; stdout has the migrations'
# progress before it, "== 20240101000100 CreateContactEmailOptouts:
# migrating" and the execute line):
#   rails aborted!
#   StandardError: An error has occurred, this and all later migrations canceled:
#
#   PG::UndefinedColumn: ERROR:  column "email" of Heroku Connect mapping "salesforce.contact" does not exist
#   DETAIL:  No column of the mapping is named "email": Heroku Connect does not map that field in this database.
#   HINT:  Add the field to the mapping in this environment's Heroku Connect dashboard, wait for the sync to finish, then deploy again.
#   /.../db/migrate/20240101000100_create_contact_email_optouts.rb:4:in `up'
#
#   Caused by:
#   ActiveRecord::StatementInvalid: PG::UndefinedColumn: ERROR:  [the same three lines]
#   [...]
#   Tasks: TOP => db:migrate
#   (See full trace by running task with --trace)
# For the SQL edition a CONTEXT line (the PL/pgSQL call stack) follows the HINT.
#
# Versions (Debian 12): Ruby 3.1.2, railties and activerecord 6.1.7.10,
# ruby-pg 1.4.5, Bundler 2.3.15.  About 20 s.  Run by scripts/test as
# `pg_virtualenv -t -v 15 bash test/migrate_rails_cli.sh` from the
# repository root.  Exit 0 = pass.
# HCGUARD_SQL_FILE: the SQL edition to install (default heroku/hcguard.sql);
# HCGUARD_RAILS_EDITIONS: the editions to run (default "c sql").
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
. test/tools/migrate_lib.sh
need_throwaway_cluster

root=$PWD
sql_file=$(realpath "${HCGUARD_SQL_FILE:-heroku/hcguard.sql}")
editions=${HCGUARD_RAILS_EDITIONS:-c sql}
[ -r "$sql_file" ] || fatal "no SQL edition at $sql_file"

scripts/deps ruby-activerecord ruby-railties ruby-pg ruby-bundler ||
	fatal "scripts/deps ruby-activerecord ruby-railties ruby-pg ruby-bundler failed"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

q postgres "CREATE ROLE hc_dev LOGIN CREATEDB PASSWORD 'hc_dev'" >/dev/null || fatal "CREATE ROLE hc_dev"

# tables DB: the tables in schema public, space-separated, sorted.
tables() {
	q "$1" "SELECT coalesce(string_agg(relname, ' ' ORDER BY relname), '')
	        FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p')"
}

# rails_in APP TASK...: `bin/rails TASK...` in the application APP, as typed
# in its directory; shows its stdout, then its stderr, long lines cut (the
# SQL edition's install echoes 150 kB of SQL on one line); sets out (both),
# err (stderr alone) and rc.
rails_in() {
	local dir=$1
	shift
	echo "\$ bin/rails $*"
	if (cd "$dir" && bin/rails "$@" >"$work/stdout" 2>"$work/stderr"); then rc=0; else rc=$?; fi
	err=$(cat "$work/stderr")
	out=$(cat "$work/stdout" "$work/stderr")
	sed '/^$/d; s/^\(.\{200\}\).\{20,\}$/\1 [...]/; s/^/    | /' "$work/stdout"
	sed '/^$/d; s/^\(.\{200\}\).\{20,\}$/\1 [...]/; s/^/    2| /' "$work/stderr"
	echo "    (exit code $rc)"
}

# as_owner COMMAND...: COMMAND as the edition's database owner.
as_owner() {
	if [ "$owner" = hc_dev ]; then PGUSER=hc_dev PGPASSWORD=hc_dev "$@"; else "$@"; fi
}

ledger() { q "$1" "SELECT string_agg(version, ' ' ORDER BY version) FROM schema_migrations" 2>&1; }

# refused WHAT PG_CLASS: the db:migrate just run was refused by hcguard (the
# guard whose texts expect_guard read) at 20240101000100.
refused() {
	local what=$1 class=$2
	check "$what: bin/rails db:migrate exits non-zero ($rc)" [ "$rc" -ne 0 ]
	check_eq "$what: stderr starts with rails aborted!" "rails aborted!" "$(head -n 1 <<<"$err")"
	check "$what: StandardError: An error has occurred, this and all later migrations canceled:" \
		grep -qxF "StandardError: An error has occurred, this and all later migrations canceled:" <<<"$err"
	check "$what: PG::$class: ERROR:  $exp_msg" grep -qxF "PG::$class: ERROR:  $exp_msg" <<<"$err"
	check "$what: DETAIL:  $exp_detail" grep -qxF "DETAIL:  $exp_detail" <<<"$err"
	check "$what: HINT:  $exp_hint" grep -qxF "HINT:  $exp_hint" <<<"$err"
	check "$what: Tasks: TOP => db:migrate" grep -qxF "Tasks: TOP => db:migrate" <<<"$err"
	check_eq "$what: schema_migrations records the install migration only" 20240101000000 "$(ledger "$db")"
	check "$what: contact_email_optouts does not exist" absent "$db" public.contact_email_optouts
}

no_error() { ! grep -q 'ERROR' <<<"$out"; }
guard="SELECT hcguard_required('salesforce', 'contact', 'email')"
app_tables="ar_internal_metadata contact_email_optouts schema_migrations"

for ed in $editions; do
	db=hc_rails_cli_$ed
	app=$work/$ed
	say "$ed edition: a Rails application, run through bin/rails and Bundler"
	cp -r test/tools/rails "$app" && rm -rf "$app/install" "$app/Gemfile.lock" &&
		cp test/tools/rails/install/"$ed"/*.rb "$app/db/migrate/" || fatal "copying the application"
	case $ed in
	c) owner=$PGUSER ;;
	sql)
		owner=hc_dev
		cp "$sql_file" "$app/db/hcguard.sql" || fatal "copying $sql_file"
		;;
	*) fatal "unknown edition $ed" ;;
	esac
	for d in "$db" "${db}_fresh"; do createdb -O "$owner" "$d" || fatal "createdb $d"; done
	export HC_RAILS_DB=$db HC_RAILS_TEST_DB=${db}_test
	as_owner psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$root/test/connect_double.sql" >/dev/null ||
		fatal "loading test/connect_double.sql into $db"
	as_owner psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<-'SQL' || fatal "building the Connect schema in $db"
		SELECT hcdouble.create_connect_schema('salesforce');
		SELECT hcdouble.create_mapping('salesforce', 'Contact', '[["LastName", "string(80)"]]');
		SELECT hcdouble.connect_load('salesforce', 'Contact', 40);
	SQL
	versions=$(cd "$app" && ruby -e 'require_relative "config/boot"; require "rails"; require "active_record"; require "pg"
		puts "ruby #{RUBY_VERSION}, railties #{Rails.version}, activerecord #{ActiveRecord.version}, pg #{PG::VERSION}, bundler #{Bundler::VERSION}"') ||
		fatal "Rails does not load through Bundler"
	echo "    $versions"

	say "$ed: bin/rails db:migrate ($db, as $owner): Contact.Email is not mapped"
	as_owner rails_in "$app" db:migrate
	check "$ed: the install migration ran" grep -q '^== 20240101000000 InstallHcguard: migrated' <<<"$out"
	expect_guard "$db" "$guard"
	refused "$ed: db:migrate, Email not mapped" UndefinedColumn

	say "$ed: Connect maps Contact.Email (SCHEMA_CHANGED: column added, empty)"
	connect "$db" "SELECT hcdouble.add_field('salesforce', 'Contact', 'Email', 'email')"
	expect_guard "$db" "$guard"
	as_owner rails_in "$app" db:migrate
	refused "$ed: db:migrate, Email mapped, not synced" ObjectNotInPrerequisiteState

	say "$ed: Connect finishes the resync of Contact.Email"
	connect "$db" "SELECT hcdouble.connect_resync('salesforce', 'Contact', 'Email')"
	as_owner rails_in "$app" db:migrate
	check "$ed: db:migrate exits 0 once synced ($rc)" [ "$rc" -eq 0 ]
	check "$ed: == 20240101000100 CreateContactEmailOptouts: migrated" \
		grep -q '^== 20240101000100 CreateContactEmailOptouts: migrated' <<<"$out"
	check_eq "$ed: schema_migrations records both" "20240101000000 20240101000100" "$(ledger "$db")"
	check "$ed: contact_email_optouts exists" exists "$db" public.contact_email_optouts
	check "$ed: db:migrate dumped db/schema.rb" grep -qF 'create_table "contact_email_optouts"' "$app/db/schema.rb"

	say "$ed: bin/rails db:schema:load into an empty database (${db}_fresh)"
	HC_RAILS_DB=${db}_fresh SKIP_TEST_DATABASE=1 as_owner rails_in "$app" db:schema:load
	check "$ed: db:schema:load exits 0 ($rc)" [ "$rc" -eq 0 ]
	check "$ed: db:schema:load reports no ERROR" no_error
	check_eq "$ed: ${db}_fresh's tables in public" "$app_tables" "$(tables "${db}_fresh")"

	say "$ed: bin/rails db:test:prepare (purges ${db}_test, loads db/schema.rb)"
	as_owner rails_in "$app" db:test:prepare
	check "$ed: db:test:prepare exits 0 ($rc)" [ "$rc" -eq 0 ]
	check "$ed: db:test:prepare reports no ERROR" no_error
	check_eq "$ed: ${db}_test's tables in public" "$app_tables" "$(tables "${db}_test" 2>&1)"
done

finish
