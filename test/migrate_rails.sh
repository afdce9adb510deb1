#!/usr/bin/env bash
# test/migrate_rails.sh: Rails never sees hcguard's tables (spec, Version
# 1.2, "hcguard's own schema"; issue 14 point 1).  hcguard keeps them in its
# own schema, hcguard, which Rails' schema dumper does not read (it dumps the
# schemas of the search_path: public), so db/schema.rb holds only the
# application's tables, and db:schema:load and db:test:prepare rebuild a
# database from it.
#
# The application: test/tools/rails/, a minimal Rails 6.1 application
# (railties and ActiveRecord from Debian's packages, no Bundler, no network):
# config/application.rb, config/database.yml (database names from
# HC_RAILS_DB and HC_RAILS_TEST_DB, the server from libpq's variables),
# Rakefile (Rails' own tasks), and its migrations:
#   20240101000000_install_hcguard          install/c/: enable_extension "hcguard"
#                                           install/sql/: runs db/hcguard.sql
#                                           (a copy of heroku/hcguard.sql)
#   20240101000100_create_contact_email_optouts
#                                           SELECT hcguard_required('salesforce',
#                                           'contact', 'email'), then a table
#
# For each edition, in a copy of the application:
#   c    databases owned by the superuser (CREATE EXTENSION needs one);
#   sql  databases owned by hc_dev (LOGIN CREATEDB, no superuser), who runs
#        Rails and so installs the SQL edition as the database's owner.
# Database hc_rails_ED: the Connect double (test/connect_double.sql) with
# salesforce.contact (Email, LastName) loaded, as Connect leaves it.
#   rake db:migrate         exits 0, both migrations recorded
#   rake db:schema:dump     db/schema.rb: its create_table lines are the
#                           application's table only, and nothing in it names
#                           hcguard's tables (hcguard_confirmation_store,
#                           hcguard_sql_edition, confirmation_store,
#                           sql_edition); for c, it has enable_extension
#                           "hcguard"
#   rake db:schema:load     into hc_rails_ED_fresh, an empty database: exits 0,
#                           no ERROR; its tables in public are the
#                           application's and Rails' own (for c, the
#                           extension is there, as schema.rb enables it)
#   rake db:test:prepare    purges hc_rails_ED_test and loads schema.rb into
#                           it: exits 0, the same tables in public
# With hcguard 1.1 (tables in public) schema.rb dumps hcguard's tables and the
# loads fail: c with "cannot drop table hcguard_confirmation_store because
# extension hcguard requires it", sql with a syntax error at "CHECK ()" (the
# dumper writes hcguard_sql_edition_one_row_check's expression as "").
#
# Installs Rails from Debian (scripts/deps ruby-activerecord ruby-railties
# ruby-pg rake).  Run as `pg_virtualenv -t -v 15 bash test/migrate_rails.sh`
# from the repository root.  Exit 0 = pass.
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

scripts/deps ruby-activerecord ruby-railties ruby-pg rake ||
	fatal "scripts/deps ruby-activerecord ruby-railties ruby-pg rake failed"
command -v rake >/dev/null || fatal "rake is not installed"
versions=$(ruby -e 'require "rails"; require "active_record"; require "pg"
	puts "ruby #{RUBY_VERSION}, railties #{Rails.version}, activerecord #{ActiveRecord.version}, pg #{PG::VERSION}"') ||
	fatal "Rails does not load"
echo "$versions, $(psql --version), server $(q postgres 'SHOW server_version')"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The SQL edition's owner: what Heroku gives an application, plus CREATEDB,
# which db:test:prepare needs (it drops and creates the test database).
q postgres "CREATE ROLE hc_dev LOGIN CREATEDB PASSWORD 'hc_dev'" >/dev/null || fatal "CREATE ROLE hc_dev"

# tables DB: the tables in schema public, space-separated, sorted.
tables() {
	q "$1" "SELECT coalesce(string_agg(relname, ' ' ORDER BY relname), '')
	        FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p')"
}

# no_error: the last tool output has no ERROR from the server.
no_error() { ! grep -q 'ERROR' <<<"$out"; }

# schema_rb_names FILE: the tables schema.rb creates, space-separated, sorted.
schema_rb_names() { grep -oE 'create_table "[^"]+"' "$1" | sed 's/create_table "//; s/"$//' | sort | paste -sd' '; }

# rake_in APP TASK...: Rails' TASK in the application APP, as typed in its
# directory; shows the output without the backtrace's frames in Ruby's and
# the gems' own files, and long lines cut; sets out and rc.
rake_in() {
	local dir=$1 frames
	shift
	echo "\$ rake $*"
	if out=$(cd "$dir" && rake "$@" 2>&1); then rc=0; else rc=$?; fi
	frames=$(grep -cE '^(/usr/share/rubygems-integration|/usr/lib/ruby)/' <<<"$out")
	# execute(...) echoes its SQL on one line: the SQL edition's is 100 kB
	grep -vE '^(/usr/share/rubygems-integration|/usr/lib/ruby)/' <<<"$out" |
		sed '/^$/d; s/^\(.\{200\}\).\{20,\}$/\1 [...]/; s/^/    | /'
	[ "$frames" -eq 0 ] || echo "    | ($frames backtrace lines in Ruby's and Rails' own files not shown)"
	echo "    (exit code $rc)"
}

# as_owner COMMAND...: COMMAND as the edition's database owner.
as_owner() {
	if [ "$owner" = hc_dev ]; then PGUSER=hc_dev PGPASSWORD=hc_dev "$@"; else "$@"; fi
}

app_tables="ar_internal_metadata contact_email_optouts schema_migrations"

for ed in $editions; do
	db=hc_rails_$ed
	app=$work/$ed
	say "$ed edition: a Rails application whose first migration installs hcguard"
	cp -r test/tools/rails "$app" && rm -rf "$app/install" &&
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

	# Rails connects as the owner; the owner loads the Connect double too.
	export HC_RAILS_DB=$db HC_RAILS_TEST_DB=${db}_test
	as_owner psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$root/test/connect_double.sql" >/dev/null ||
		fatal "loading test/connect_double.sql into $db"
	as_owner psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<-'SQL' || fatal "building the Connect schema in $db"
		SELECT hcdouble.create_connect_schema('salesforce');
		SELECT hcdouble.create_mapping('salesforce', 'Contact',
		    '[["Email", "email"], ["LastName", "string(80)"]]');
		SELECT hcdouble.connect_load('salesforce', 'Contact', 40);
	SQL

	say "$ed: rake db:migrate (hc_rails_$ed, as $owner)"
	as_owner rake_in "$app" db:migrate
	check "$ed: db:migrate exits 0 ($rc)" [ "$rc" -eq 0 ]
	check_eq "$ed: schema_migrations records both migrations" "20240101000000 20240101000100" \
		"$(q "$db" "SELECT string_agg(version, ' ' ORDER BY version) FROM schema_migrations" 2>&1)"
	check "$ed: contact_email_optouts exists" exists "$db" public.contact_email_optouts
	echo "    hcguard's tables in $db: $(q "$db" "SELECT string_agg(c.oid::regclass::text, ', ' ORDER BY 1)
		FROM pg_class c WHERE relkind = 'r' AND (relname LIKE 'hcguard%' OR relnamespace::regnamespace::text = 'hcguard')")"

	say "$ed: rake db:schema:dump"
	as_owner rake_in "$app" db:schema:dump
	check "$ed: db:schema:dump exits 0 ($rc)" [ "$rc" -eq 0 ]
	schema_rb=$app/db/schema.rb
	[ -r "$schema_rb" ] || fatal "$ed: no db/schema.rb"
	grep -v '^#' "$schema_rb" | grep -v '^$' | sed 's/^/    schema.rb| /'
	check_eq "$ed: db/schema.rb creates the application's tables only" \
		"contact_email_optouts" "$(schema_rb_names "$schema_rb")"
	check_eq "$ed: db/schema.rb names none of hcguard's tables (no line matches confirmation_store or sql_edition)" \
		"" "$(grep -nE 'confirmation_store|sql_edition' "$schema_rb")"
	if [ "$ed" = c ]; then
		check "$ed: db/schema.rb has enable_extension \"hcguard\"" grep -qF 'enable_extension "hcguard"' "$schema_rb"
	fi

	say "$ed: rake db:schema:load into an empty database (hc_rails_${ed}_fresh)"
	HC_RAILS_DB=${db}_fresh SKIP_TEST_DATABASE=1 as_owner rake_in "$app" db:schema:load
	check "$ed: db:schema:load exits 0 ($rc)" [ "$rc" -eq 0 ]
	check "$ed: db:schema:load reports no ERROR" no_error
	check_eq "$ed: ${db}_fresh's tables in public are the application's and Rails' own" \
		"$app_tables" "$(tables "${db}_fresh")"
	if [ "$ed" = c ]; then
		check_eq "$ed: ${db}_fresh has the extension hcguard (schema.rb enables it)" 1 \
			"$(q "${db}_fresh" "SELECT count(*) FROM pg_extension WHERE extname = 'hcguard'")"
	fi

	say "$ed: rake db:test:prepare (purges hc_rails_${ed}_test, loads db/schema.rb)"
	as_owner rake_in "$app" db:test:prepare
	check "$ed: db:test:prepare exits 0 ($rc)" [ "$rc" -eq 0 ]
	check "$ed: db:test:prepare reports no ERROR" no_error
	if [ "$(q postgres "SELECT count(*) FROM pg_database WHERE datname = '${db}_test'")" = 1 ]; then
		check_eq "$ed: ${db}_test's tables in public are the application's and Rails' own" \
			"$app_tables" "$(tables "${db}_test")"
	else
		not_ok "$ed: ${db}_test exists"
	fi
done

finish
