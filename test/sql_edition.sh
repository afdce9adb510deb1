#!/usr/bin/env bash
# test/sql_edition.sh: the plain SQL edition of hcguard (heroku/hcguard.sql),
# for Heroku Postgres, where neither a C extension nor a superuser exists.
#
# The superuser of the throwaway cluster only plays Heroku's control plane:
# it creates the LOGIN role hc_app (NOSUPERUSER NOCREATEDB NOCREATEROLE), the
# databases hc_app owns, and a second role, migrator.  Everything else
# connects as hc_app through a URL, as $DATABASE_URL does on Heroku:
#
#     psql "$DATABASE_URL" -X -v ON_ERROR_STOP=1 -f heroku/hcguard.sql
#
# Databases (all owned by hc_app; the Connect double loaded by hc_app):
#   hc_sql    the SQL edition, installed by hc_app
#   hc_c      the C extension (CREATE EXTENSION hcguard by the superuser), the
#             reference the SQL edition is compared with
#   hc_fresh  the SQL edition installed once, to compare a re-run install with
#   hc_old    only with HCGUARD_SQL_OLD_FILE: an older SQL edition upgraded
# Connect state, the same in each: salesforce.contact (Email, LastName,
# Phone, 40 rows loaded by Connect, and Fax__c mapped but empty),
# salesforce.account (Name, Industry, 12 rows), salesforce.campaign (mapped,
# no rows), all readable by migrator; salesforce.lead, mapped afterwards, not
# readable by migrator.
#
# Checks, in order:
#  1 setup: hc_app is no superuser and cannot CREATE EXTENSION hcguard; after
#    the install hc_sql has only the extensions plpgsql and hstore, every
#    hcguard_% function is plpgsql or sql, in schema public, owned by hc_app.
#  2 install (each statement committing on its own; hc_fresh uses psql -1 as
#    the README does): version '1.1' (the C extension's
#    default_version), one row; the interface (arguments, defaults, result
#    columns) is the C extension's; migrator, with the default search_path,
#    calls hcguard_required unqualified: a synced field passes, a missing one
#    is 42703, an unsynced one 55000, NULL 22004; the same calls give the same
#    output and SQLSTATE as the C extension (every error class of the
#    contract, status, columns, wait, config).
#  3 re-running the install file keeps confirmations: the rows of
#    hcguard_confirmations are unchanged and still make hcguard_required pass;
#    one version row, '1.1', installed_at kept, updated_at not earlier.
#  4 upgrade: after the re-run, the objects are exactly those of a fresh
#    install (signatures, bodies, settings, owners, privileges, columns,
#    constraints, indexes, triggers, view definitions); with
#    HCGUARD_SQL_OLD_FILE, an older edition upgrades keeping confirmations.
#  5 the same migrations (test/tools/psql/migrations/) run unchanged against
#    both editions, as hc_app, in the same Connect states: refused (exit 3)
#    with identical ERROR/DETAIL/HINT lines and SQLSTATE while a field is
#    missing or not synced, applied once synced.  CONTEXT lines (PL/pgSQL
#    may add them) are ignored and reported.
#  6 removal with heroku/hcguard-uninstall.sql as hc_app: nothing named
#    hcguard% remains (relations, functions, types, triggers, constraints,
#    policies, schemas), Connect's tables and the migrations' objects are
#    untouched, the guard no longer resolves; installing again works, with no
#    confirmations left.
#  7 a weird or hostile search_path (pg_catalog, salesforce; empty; a schema
#    shadowing lower() and text =; migrator's pg_temp copy of the confirmation
#    store holding a fake confirmation) changes no verdict, and migrator
#    cannot add, change or remove confirmations by writing the store.  Each
#    check runs against the C extension too, to show that it is fair.
#  8 the installer refuses a database with the C extension: error, nothing
#    created, the extension's functions untouched; and CREATE EXTENSION
#    hcguard fails where the SQL edition is installed, changing nothing.
#  9 on a development database the owner cannot ALTER DATABASE ... SET
#    hcguard.on_failure (42501), but PGOPTIONS gives a session warnings.
# 10 the install file as the first migration of a deploy (psql -1 with the
#    application's migrations): refused and rolled back whole while a field
#    is missing, installed and applied once Connect has synced it.
#
# Run by scripts/test as `pg_virtualenv -t -v 15 bash test/sql_edition.sh`
# from the repository root.  Exit 0 = pass.
# HCGUARD_SQL_FILE, HCGUARD_UNINSTALL_FILE: the files to test (defaults
# heroku/hcguard.sql, heroku/hcguard-uninstall.sql), e.g. a broken copy to
# check that the checks bite.  HCGUARD_SQL_OLD_FILE: an older SQL edition to
# upgrade from (there is none yet: 1.1 is the first).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
. test/tools/migrate_lib.sh
need_throwaway_cluster

sql_file=${HCGUARD_SQL_FILE:-heroku/hcguard.sql}
uninstall_file=${HCGUARD_UNINSTALL_FILE:-heroku/hcguard-uninstall.sql}
old_file=${HCGUARD_SQL_OLD_FILE:-heroku/releases/hcguard-1.1.sql}
for f in "$sql_file" "$uninstall_file" $old_file; do
	[ -r "$f" ] || fatal "missing $f"
done
mig_dir=test/tools/psql/migrations
m1=$mig_dir/001_contact_email_optouts.sql
m2=$mig_dir/002_contact_channels.sql
m3=$mig_dir/003_account_tiers.sql
for f in "$m1" "$m2" "$m3"; do [ -r "$f" ] || fatal "missing $f"; done

# The files' checksums: a file edited while the test runs mixes two versions.
files_md5=$(cat "$sql_file" "$uninstall_file" | md5sum)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Roles with passwords: pg_virtualenv's pg_hba.conf asks TCP clients for
# scram-sha-256, and a URL carries the password as $DATABASE_URL does.
app_pw=$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')
mig_pw=$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')

# url ROLE PASSWORD DB
url() {
	case "$PGHOST" in
		/*) echo "postgresql://$1:$2@/$3?host=$PGHOST&port=$PGPORT" ;;
		*) echo "postgresql://$1:$2@$PGHOST:$PGPORT/$3" ;;
	esac
}
sql_app=$(url hc_app "$app_pw" hc_sql)
sql_mig=$(url migrator "$mig_pw" hc_sql)
c_app=$(url hc_app "$app_pw" hc_c)
c_mig=$(url migrator "$mig_pw" hc_c)
fresh_app=$(url hc_app "$app_pw" hc_fresh)

# hide TEXT: what run (test/tools/migrate_lib.sh) shows of a command, with
# the passwords masked.
hide() { sed "s/$app_pw/***/g; s/$mig_pw/***/g" <<<"$1"; }

# install URL / uninstall URL:
#     psql "$DATABASE_URL" -X -v ON_ERROR_STOP=1 -f heroku/hcguard.sql
# (each statement commits on its own, the harder case for a re-run);
# install1 / uninstall1 add -1, as the README and the files' headers say
# (all or nothing).  hc_fresh uses the latter.
install() { run psql "$1" -X -v ON_ERROR_STOP=1 -f "$sql_file"; }
uninstall() { run psql "$1" -X -v ON_ERROR_STOP=1 -f "$uninstall_file"; }
install1() { run psql "$1" -X -1 -v ON_ERROR_STOP=1 -f "$sql_file"; }
uninstall1() { run psql "$1" -X -1 -v ON_ERROR_STOP=1 -f "$uninstall_file"; }

# call URL SQL...: runs the statements in one psql session (default
# verbosity, no ON_ERROR_STOP), then prints the SQLSTATE of the last error.
# Sets out (stdout and stderr, without the SQLSTATE line) and state (00000
# if nothing failed).
call() {
	local u=$1 all
	shift
	local args=()
	for s in "$@"; do args+=(-c "$s"); done
	all=$(psql "$u" -X -v VERBOSITY=default "${args[@]}" \
		-c '\echo hcguard-test-sqlstate :LAST_ERROR_SQLSTATE' 2>&1)
	state=$(sed -n 's/^hcguard-test-sqlstate //p' <<<"$all")
	out=$(grep -v '^hcguard-test-sqlstate ' <<<"$all")
	[ -n "$state" ] || state="(psql failed: $all)"
}

# verdict WHAT URL EXPECTED_SQLSTATE SQL...: one check of the SQLSTATE the
# statements end with; for 00000 (the guard passes), a result "t" too.
verdict() {
	local what=$1 u=$2 want=$3
	shift 3
	call "$u" "$@"
	if [ "$state" = "$want" ] && { [ "$want" != 00000 ] || grep -qx ' t' <<<"$out"; }; then
		ok "$what"
	else
		not_ok "$what"
		show_out
	fi
}
show_out() { echo "    got SQLSTATE $state, output:"; sed 's/^/    | /' <<<"$out"; }

# strip_context: psql output without CONTEXT blocks (a CONTEXT line and its
# continuation lines, up to the next line psql starts itself).
strip_context() {
	awk '/^(psql:[^ ]*: )?CONTEXT:  / { skip = 1; next }
	     /^(psql:[^ ]*: )?(ERROR|WARNING|NOTICE|INFO|DETAIL|HINT|LOCATION|STATEMENT|QUERY):  / { skip = 0 }
	     !skip { print }'
}
# context_lines: the CONTEXT blocks only.
context_lines() {
	awk '/^(psql:[^ ]*: )?CONTEXT:  / { skip = 1; print; next }
	     /^(psql:[^ ]*: )?(ERROR|WARNING|NOTICE|INFO|DETAIL|HINT|LOCATION|STATEMENT|QUERY):  / { skip = 0 }
	     skip { print }'
}
contexts_seen=$work/contexts
: >"$contexts_seen"

# same_as_c WHAT C_URL SQL_URL SQL...: the statements give the same output
# (CONTEXT blocks aside) and SQLSTATE against both editions.
same_as_c() {
	local what=$1 cu=$2 su=$3 c_out c_state
	shift 3
	call "$cu" "$@"
	c_out=$out c_state=$state
	call "$su" "$@"
	context_lines <<<"$out" >>"$contexts_seen"
	if [ "$c_state" = "$state" ] && [ "$(strip_context <<<"$c_out")" = "$(strip_context <<<"$out")" ]; then
		ok "$what (SQLSTATE $state)"
	else
		not_ok "$what"
		echo "    C extension: SQLSTATE $c_state"
		sed 's/^/    | /' <<<"$c_out"
		echo "    SQL edition: SQLSTATE $state"
		sed 's/^/    | /' <<<"$out"
	fi
}

# Batches of same_as_c: case_add WHAT ROLE WANT SQL... queues a case (ROLE
# app or mig; WANT the SQLSTATE both editions must end with, or - for any);
# cases_run runs the queued cases in one psql session per role and edition
# (a connection costs more than the calls), each case ending with RESET ALL,
# and compares them case by case as same_as_c does.
case_whats=() case_roles=() case_wants=() case_sqls=()
case_add() {
	local what=$1 role=$2 want=$3 stmts=''
	shift 3
	for st in "$@"; do stmts+="$st;"$'\n'; done
	case_whats+=("$what") case_roles+=("$role") case_wants+=("$want") case_sqls+=("$stmts")
}
# case_script ROLE: the psql script of the queued cases of ROLE.
case_script() {
	local i
	for i in "${!case_whats[@]}"; do
		[ "${case_roles[$i]}" = "$1" ] || continue
		printf '\\set LAST_ERROR_SQLSTATE 00000\n\\echo hcguard-case %s\n%s\\echo hcguard-test-sqlstate :LAST_ERROR_SQLSTATE\nRESET ALL;\n' \
			"$i" "${case_sqls[$i]}"
	done
}
# case_out FILE I: the output of case I; case_state FILE I: its SQLSTATE.
case_out() { awk -v i="$2" '$0 == "hcguard-case " i { on = 1; next } /^hcguard-test-sqlstate / { on = 0 } on' "$1"; }
case_state() {
	awk -v i="$2" '$0 == "hcguard-case " i { on = 1; next } on && /^hcguard-test-sqlstate / { print $2; exit }' "$1"
}
cases_run() {
	local role ed i c_o s_o c_s s_s
	for role in app mig; do
		case_script $role >"$work/cases.$role.sql"
		for ed in c sql; do
			u=${ed}_${role}
			psql "${!u}" -X -q -v VERBOSITY=default -f - <"$work/cases.$role.sql" >"$work/cases.$role.$ed.out" 2>&1
		done
	done
	for i in "${!case_whats[@]}"; do
		role=${case_roles[$i]} want=${case_wants[$i]}
		c_o=$(case_out "$work/cases.$role.c.out" "$i") c_s=$(case_state "$work/cases.$role.c.out" "$i")
		s_o=$(case_out "$work/cases.$role.sql.out" "$i") s_s=$(case_state "$work/cases.$role.sql.out" "$i")
		context_lines <<<"$s_o" >>"$contexts_seen"
		if [ -n "$c_s" ] && [ "$c_s" = "$s_s" ] && { [ "$want" = - ] || [ "$want" = "$s_s" ]; } &&
			[ "$(strip_context <<<"$c_o")" = "$(strip_context <<<"$s_o")" ]; then
			ok "${case_whats[$i]} (SQLSTATE $s_s in both editions)"
		else
			not_ok "${case_whats[$i]}"
			echo "    C extension: SQLSTATE ${c_s:-none}"
			sed 's/^/    | /' <<<"$c_o"
			echo "    SQL edition: SQLSTATE ${s_s:-none}"
			sed 's/^/    | /' <<<"$s_o"
		fi
	done
	case_whats=() case_roles=() case_wants=() case_sqls=()
}

# setup_connect URL: as hc_app, what Heroku Connect leaves in a database.
setup_connect() {
	psql "$1" -X -q -v ON_ERROR_STOP=1 -f test/sql/sql_edition_connect.sql >/dev/null ||
		fatal "setting up Connect as hc_app in $(hide "$1")"
}

# hcguard_objects DB (as the superuser): every object named hcguard%, with
# what defines it; a fresh install and an upgraded one must give the same.
hcguard_objects() {
	psql -X -At -v ON_ERROR_STOP=1 -d "$1" -f test/sql/sql_edition_hcguard_objects.sql ||
		fatal "listing hcguard objects in $1"
}

# connect_state DB (as the superuser): Connect's tables, their columns,
# triggers, row counts and contents, and the migrations' objects.
connect_state() {
	psql -X -At -v ON_ERROR_STOP=1 -d "$1" -f test/sql/sql_edition_connect_state.sql ||
		fatal "reading Connect's state in $1"
}

# all_objects DB (as the superuser): every object outside the system
# schemas, by name, and the settings and privileges an installer could
# change; an install followed by an uninstall must leave it as it was.
all_objects() {
	psql -X -At -v ON_ERROR_STOP=1 -d "$1" -f test/sql/sql_edition_all_objects.sql ||
		fatal "listing the objects of $1"
}

# ===========================================================================
say "1. Heroku-like setup: the superuser only creates the roles and databases"
psql -X -q -v ON_ERROR_STOP=1 >/dev/null <<-SQL || fatal "creating roles and databases"
	CREATE ROLE hc_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
	    PASSWORD '$app_pw';
	CREATE ROLE migrator LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
	    PASSWORD '$mig_pw';
	CREATE DATABASE hc_sql OWNER hc_app;
	CREATE DATABASE hc_c OWNER hc_app;
	CREATE DATABASE hc_fresh OWNER hc_app;
SQL
q "$sql_app" "SELECT 1" >/dev/null || fatal "hc_app cannot log in to hc_sql"

check "hc_app connects through a URL as itself" \
	[ "$(q "$sql_app" "SELECT current_user || ' ' || session_user")" = "hc_app hc_app" ]
check "hc_app is not a superuser and cannot create databases or roles" \
	[ "$(q "$sql_app" "SELECT rolsuper || ' ' || rolcreatedb || ' ' || rolcreaterole FROM pg_roles WHERE rolname = current_user")" = "false false false" ]
check "hc_app owns hc_sql" \
	[ "$(q "$sql_app" "SELECT datdba::regrole::text FROM pg_database WHERE datname = current_database()")" = hc_app ]
verdict "hc_app cannot CREATE EXTENSION hcguard (untrusted C extension, as on Heroku): 42501" \
	"$sql_app" 42501 "BEGIN" "CREATE EXTENSION hcguard" "ROLLBACK"

say "hc_app loads the Connect double (CREATE EXTENSION hstore, test/connect_double.sql) in hc_sql, hc_c, hc_fresh"
for u in "$sql_app" "$c_app" "$fresh_app"; do setup_connect "$u"; done
ok "the Connect double loads and builds Connect's schema as hc_app (no superuser needed)"
fresh_before="$(all_objects hc_fresh)
$(connect_state hc_fresh)"
psql -X -q -v ON_ERROR_STOP=1 -d hc_c -c "CREATE EXTENSION hcguard" >/dev/null ||
	fatal "CREATE EXTENSION hcguard in hc_c (as the superuser)"
echo "    (the superuser ran CREATE EXTENSION hcguard in hc_c)"

# ===========================================================================
say "2. install the SQL edition as hc_app: psql \"\$DATABASE_URL\" -X -v ON_ERROR_STOP=1 -f heroku/hcguard.sql"
install "$sql_app"
check "install: psql exits 0" [ "$rc" -eq 0 ]
install_out=$out
[ "$rc" -eq 0 ] || fatal "the SQL edition does not install; nothing else can be tested"
check "install: no ERROR or WARNING in psql's output" bash -c '! grep -qE "(ERROR|WARNING):  " <<<"$1"' _ "$install_out"

c_version=$(q hc_c "SELECT default_version FROM pg_available_extensions WHERE name = 'hcguard'")
check_eq "hcguard.sql_edition: one row, version $c_version (the C extension's default_version)" \
	"1|$c_version" "$(q "$sql_app" "SELECT count(*) || '|' || max(version) FROM hcguard.sql_edition")"
check_eq "hcguard.sql_edition: installed_at and updated_at set" "t" \
	"$(q "$sql_app" "SELECT bool_and(installed_at IS NOT NULL AND updated_at IS NOT NULL) FROM hcguard.sql_edition")"

check_eq "extensions in hc_sql: only plpgsql and hstore" "hstore,plpgsql" \
	"$(q "$sql_app" "SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension")"
check_eq "every hcguard_% function is LANGUAGE plpgsql or sql" "" \
	"$(q "$sql_app" "SELECT string_agg(p.oid::regprocedure::text || ' ' || l.lanname, ', ') FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang WHERE p.proname LIKE 'hcguard%' AND l.lanname NOT IN ('plpgsql', 'sql')")"
check_eq "every hcguard% function, relation and type is in schema public and owned by hc_app" "" \
	"$(q "$sql_app" "SELECT string_agg(x, ', ') FROM (
	    SELECT p.oid::regprocedure::text AS x FROM pg_proc p WHERE p.proname LIKE 'hcguard%'
	       AND (p.pronamespace <> 'public'::regnamespace OR p.proowner <> 'hc_app'::regrole)
	    UNION ALL
	    SELECT c.oid::regclass::text FROM pg_class c WHERE c.relname LIKE 'hcguard%'
	       AND (c.relnamespace <> 'public'::regnamespace OR c.relowner <> 'hc_app'::regrole)
	    UNION ALL
	    SELECT t.oid::regtype::text FROM pg_type t WHERE t.typname LIKE 'hcguard%'
	       AND (t.typnamespace <> 'public'::regnamespace OR t.typowner <> 'hc_app'::regrole)) s")"

# The interface: each public function of the C extension, with the same
# arguments (names, types, defaults), and the same result columns.
iface_query="SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')'
       || ' defaults: ' || coalesce(pg_get_expr(p.proargdefaults, 0), '-')
       || ' setof: ' || p.proretset
  FROM pg_proc p
 WHERE p.pronamespace = 'public'::regnamespace
   AND p.proname IN ('hcguard_required', 'hcguard_status', 'hcguard_confirm_synced',
                     'hcguard_revoke_confirmation', 'hcguard_mappings', 'hcguard_columns',
                     'hcguard_wait', 'hcguard_config_diff', 'hcguard_required_config')
 ORDER BY 1"
c_iface=$(q "$c_app" "$iface_query")
check "the C extension's interface lists 11 functions (the test's own premise)" \
	[ "$(wc -l <<<"$c_iface")" -eq 11 ]
check_eq "interface: the same functions, arguments and defaults as the C extension" \
	"$c_iface" "$(q "$sql_app" "$iface_query")"
gdesc() {
	psql "$1" -X -v ON_ERROR_STOP=1 <<-'SQL' 2>&1
		SELECT hcguard_required('s', 't', 'c') \gdesc
		SELECT hcguard_required('s', 't') \gdesc
		SELECT hcguard_required('s', 't', 'c', 'd') \gdesc
		SELECT * FROM hcguard_status('s', 't') \gdesc
		SELECT hcguard_confirm_synced('s', 't') \gdesc
		SELECT hcguard_revoke_confirmation('s', 't') \gdesc
		SELECT * FROM hcguard_mappings() \gdesc
		SELECT * FROM hcguard_columns('s', 't') \gdesc
		SELECT hcguard_wait('s', 't') \gdesc
		SELECT * FROM hcguard_config_diff('s', '{}') \gdesc
		SELECT hcguard_required_config('s', '{}') \gdesc
		SELECT * FROM hcguard_confirmations \gdesc
	SQL
}
check_eq "interface: the same result columns (names, types) as the C extension, view hcguard_confirmations included" \
	"$(gdesc "$c_app")" "$(gdesc "$sql_app")"

say "2. migrator (a second role, default search_path) calls hcguard_required unqualified; every call gives the same output and SQLSTATE in both editions"
check_eq "migrator is not a superuser and has the default search_path" 'false|"$user", public' \
	"$(q "$sql_mig" "SELECT rolsuper || '|' || current_setting('search_path') FROM pg_roles WHERE rolname = current_user")"
case_add "migrator: synced Contact.Email passes" mig 00000 \
	"SELECT hcguard_required('salesforce', 'contact', 'email')"
case_add "migrator: missing Contact.Preferred_Channel__c fails with 42703" mig 42703 \
	"SELECT hcguard_required('salesforce', 'contact', 'preferred_channel__c')"
case_add "migrator: mapped but unsynced Contact.Fax__c fails with 55000" mig 55000 \
	"SELECT hcguard_required('salesforce', 'contact', 'fax__c')"
case_add "migrator: a NULL column fails with 22004 (never passes silently)" mig 22004 \
	"SELECT hcguard_required('salesforce', 'contact', NULL)"
case_add "migrator: several columns, one missing, fails with 42703" mig 42703 \
	"SELECT hcguard_required('salesforce', 'contact', 'email', 'fax__c', 'preferred_channel__c')"
case_add "migrator: the loaded mapping Contact passes" mig 00000 \
	"SELECT hcguard_required('salesforce', 'Contact')"
case_add "migrator: the empty mapping Campaign fails with 55000" mig 55000 \
	"SELECT hcguard_required('salesforce', 'campaign')"
case_add "migrator: a failed guard aborts the transaction (the next statement fails with 25P02)" mig 25P02 \
	"BEGIN" "SELECT hcguard_required('salesforce', 'contact', 'fax__c')" "SELECT 1" "COMMIT"

cfg='{"mappings": [{"object_name": "Contact", "config": {"fields": {"Id": {}, "Email": {}, "Fax__c": {}, "Preferred_Channel__c": {}}}}, {"object_name": "Opportunity", "config": {"fields": {"Name": {}}}}]}'
case_add "synced column: t" app 00000 \
	"SELECT hcguard_required('salesforce', 'Contact', 'Email')"
case_add "missing column (42703): message, detail, hint" app 42703 \
	"SELECT hcguard_required('salesforce', 'contact', 'preferred_channel__c')"
case_add "missing column close to an existing one (42703, hint names it)" app 42703 \
	"SELECT hcguard_required('salesforce', 'contact', 'emial')"
case_add "unsynced column (55000)" app 55000 \
	"SELECT hcguard_required('salesforce', 'contact', 'fax__c')"
case_add "several columns, one missing, one unsynced (42703, detail lists both)" app 42703 \
	"SELECT hcguard_required('salesforce', 'contact', 'email', 'fax__c', 'preferred_channel__c')"
case_add "empty mapping (55000)" app 55000 \
	"SELECT hcguard_required('salesforce', 'campaign')"
case_add "no such table (42P01)" app 42P01 \
	"SELECT hcguard_required('salesforce', 'opportunity', 'name')"
case_add "no such schema (3F000)" app 3F000 \
	"SELECT hcguard_required('salesforc', 'contact', 'email')"
case_add "not a Connect schema (55000)" app 55000 \
	"SELECT hcguard_required('public', 'schema_migrations', 'version')"
case_add "not a mapping (55000)" app 55000 \
	"SELECT hcguard_required('salesforce', '_hcmeta', 'hcver')"
case_add "NULL argument (22004)" app 22004 \
	"SELECT hcguard_required('salesforce', NULL, 'email')"
case_add "empty name (22023)" app 22023 \
	"SELECT hcguard_required('salesforce', 'contact', '')"
case_add "migrator may not read salesforce.lead (42501)" mig 42501 \
	"SELECT hcguard_required('salesforce', 'lead', 'company')"
case_add "migrator may not confirm (42501)" mig 42501 \
	"SELECT hcguard_confirm_synced('salesforce', 'contact', 'fax__c')"
case_add "hcguard_status rows" app 00000 \
	"SELECT * FROM hcguard_status('salesforce', 'contact', 'fax__c') UNION ALL SELECT * FROM hcguard_status('salesforce', 'contact', 'email') UNION ALL SELECT * FROM hcguard_status('salesforce', 'contact', 'nope') UNION ALL SELECT * FROM hcguard_status('salesforce', 'campaign')"
case_add "hcguard_columns rows" app 00000 \
	"SELECT * FROM hcguard_columns('salesforce', 'contact')"
case_add "hcguard_wait, timeout 0, missing column (42703)" app 42703 \
	"SELECT hcguard_wait('salesforce', 'contact', 'preferred_channel__c', '0')"
case_add "hcguard_wait, synced column: t" app 00000 \
	"SELECT hcguard_wait('salesforce', 'contact', 'email', '1 second')"
case_add "hcguard_config_diff rows" app 00000 \
	"SELECT * FROM hcguard_config_diff('salesforce', '$cfg') ORDER BY 1, 2, 3, 4, 5"
case_add "hcguard_required_config, a mapping missing (42P01)" app 42P01 \
	"SELECT hcguard_required_config('salesforce', '$cfg')"
case_add "hcguard_required_config, not a Connect configuration (22023)" app 22023 \
	"SELECT hcguard_required_config('salesforce', '{\"mapping\": []}')"
case_add "hcguard_revoke_confirmation with nothing to revoke: f" app 00000 \
	"SELECT hcguard_revoke_confirmation('salesforce', 'contact', 'email')"
cases_run

# hcguard.on_failure: any role may set it in the SQL edition.
call "$sql_mig" "SET hcguard.on_failure = warning" \
	"SELECT hcguard_required('salesforce', 'contact', 'preferred_channel__c')"
check "migrator, hcguard.on_failure = warning: WARNING with the error's message, returns f" \
	bash -c 'grep -qF "WARNING:  column \"preferred_channel__c\" of Heroku Connect mapping \"salesforce.contact\" does not exist" <<<"$1" &&
		grep -qx " f" <<<"$1" && [ "$2" = 00000 ]' _ "$out" "$state"

# ===========================================================================
say "3. confirmations survive re-running the install file"
for u in "$sql_app" "$c_app"; do
	q "$u" "SELECT hcguard_confirm_synced('salesforce', 'contact', 'fax__c', 'verified in the Heroku Connect dashboard'),
	               hcguard_confirm_synced('salesforce', 'campaign', NULL, 'no campaigns in Salesforce yet')" >/dev/null ||
		fatal "confirming contact.fax__c and campaign in $(hide "$u")"
done
verdict "after hcguard_confirm_synced: migrator, Contact.Fax__c passes" "$sql_mig" 00000 \
	"SELECT hcguard_required('salesforce', 'contact', 'fax__c')"
verdict "after hcguard_confirm_synced: migrator, mapping Campaign passes" "$sql_mig" 00000 \
	"SELECT hcguard_required('salesforce', 'campaign')"
same_as_c "hcguard_status of a confirmed column (evidence confirmation)" "$c_app" "$sql_app" \
	"SELECT * FROM hcguard_status('salesforce', 'contact', 'fax__c')"
confs_query="SELECT c::text FROM hcguard_confirmations c ORDER BY 1"
confs_before=$(q "$sql_app" "$confs_query")
check "hcguard_confirmations lists the 2 confirmations" [ "$(grep -c . <<<"$confs_before")" -eq 2 ]
edition_before=$(q "$sql_app" "SELECT installed_at || '|' || updated_at FROM hcguard.sql_edition")
store_oid_before=$(q "$sql_app" "SELECT to_regclass('hcguard.confirmation_store')::oid")

install "$sql_app"
check "re-run install: psql exits 0" [ "$rc" -eq 0 ]
check "re-run install: no ERROR or WARNING in psql's output" bash -c '! grep -qE "(ERROR|WARNING):  " <<<"$1"' _ "$out"
check_eq "re-run install: hcguard_confirmations unchanged (who, when, note, counts)" \
	"$confs_before" "$(q "$sql_app" "$confs_query")"
check_eq "re-run install: hcguard.sql_edition still one row, version $c_version" \
	"1|$c_version" "$(q "$sql_app" "SELECT count(*) || '|' || max(version) FROM hcguard.sql_edition")"
check_eq "re-run install: installed_at kept" "${edition_before%%|*}" \
	"$(q "$sql_app" "SELECT installed_at FROM hcguard.sql_edition")"
check "re-run install: updated_at not earlier than before" \
	[ "$(q "$sql_app" "SELECT updated_at >= '${edition_before#*|}'::timestamptz FROM hcguard.sql_edition")" = t ]
if [ "$(q "$sql_app" "SELECT updated_at > '${edition_before#*|}'::timestamptz FROM hcguard.sql_edition")" = t ]; then
	echo "    (updated_at advanced with the re-run)"
else
	echo "    (updated_at did NOT change with the re-run)"
fi
if [ "$(q "$sql_app" "SELECT to_regclass('hcguard.confirmation_store')::oid")" = "$store_oid_before" ]; then
	echo "    (the confirmation store is the same table as before: kept in place, not copied)"
else
	echo "    (the confirmation store is a new table: its rows were copied)"
fi
verdict "re-run install: migrator, confirmed Contact.Fax__c still passes" "$sql_mig" 00000 \
	"SELECT hcguard_required('salesforce', 'contact', 'fax__c')"
verdict "re-run install: migrator, confirmed mapping Campaign still passes" "$sql_mig" 00000 \
	"SELECT hcguard_required('salesforce', 'campaign')"
verdict "re-run install: migrator, missing Preferred_Channel__c still fails with 42703" "$sql_mig" 42703 \
	"SELECT hcguard_required('salesforce', 'contact', 'preferred_channel__c')"
same_as_c "re-run install: hcguard_status of the confirmed column, as the C extension" "$c_app" "$sql_app" \
	"SELECT * FROM hcguard_status('salesforce', 'contact', 'fax__c')"
same_as_c "re-run install: hcguard_revoke_confirmation works on a kept confirmation (t)" "$c_app" "$sql_app" \
	"BEGIN" "SELECT hcguard_revoke_confirmation('salesforce', 'campaign')" "ROLLBACK"

# ===========================================================================
say "4. upgrade in place: a re-run install ends with the objects of a fresh install"
install1 "$fresh_app"
check "fresh install in hc_fresh (psql -1): psql exits 0" [ "$rc" -eq 0 ]
install "$sql_app"
check "third install run in hc_sql: psql exits 0" [ "$rc" -eq 0 ]
fresh_objects=$(hcguard_objects hc_fresh)
check "hc_fresh has hcguard objects (the comparison's premise)" [ "$(grep -c '^function ' <<<"$fresh_objects")" -ge 11 ]
check_eq "hc_sql, installed three times: the same objects as hc_fresh, installed once" \
	"$fresh_objects" "$(hcguard_objects hc_sql)"
check_eq "hc_sql, installed three times: confirmations unchanged" \
	"$confs_before" "$(q "$sql_app" "$confs_query")"
if [ -n "$old_file" ]; then
	say "4. upgrade from an older SQL edition ($old_file)"
	psql -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE hc_old OWNER hc_app" >/dev/null || fatal "createdb hc_old"
	old_app=$(url hc_app "$app_pw" hc_old)
	setup_connect "$old_app"
	run psql "$old_app" -X -v ON_ERROR_STOP=1 -f "$old_file"
	check "older edition installs: psql exits 0" [ "$rc" -eq 0 ]
	echo "    (older edition's version: $(q "$old_app" "SELECT version FROM hcguard_sql_edition"))"
	q "$old_app" "SELECT hcguard_confirm_synced('salesforce', 'contact', 'fax__c', 'verified in the Heroku Connect dashboard'),
	                     hcguard_confirm_synced('salesforce', 'campaign', NULL, 'no campaigns in Salesforce yet')" >/dev/null ||
		fatal "confirming contact.fax__c and campaign in hc_old"
	old_confs=$(q "$old_app" "SELECT schema_name || '.' || table_name || '.' || coalesce(column_name, '-') FROM hcguard_confirmations ORDER BY 1")
	install "$old_app"
	check "upgrade: psql exits 0" [ "$rc" -eq 0 ]
	check_eq "upgrade: version $c_version" "$c_version" "$(q "$old_app" "SELECT version FROM hcguard.sql_edition")"
	check_eq "upgrade: confirmations kept" "$old_confs" \
		"$(q "$old_app" "SELECT schema_name || '.' || table_name || '.' || coalesce(column_name, '-') FROM hcguard_confirmations ORDER BY 1")"
	verdict "upgrade: confirmed Contact.Fax__c still passes" "$old_app" 00000 \
		"SELECT hcguard_required('salesforce', 'contact', 'fax__c')"
	check_eq "upgrade: the same objects as a fresh install" \
		"$(sed 's/hc_fresh/DB/g' <<<"$fresh_objects")" "$(hcguard_objects hc_old | sed 's/hc_old/DB/g')"
else
	echo "    (HCGUARD_SQL_OLD_FILE is empty: no upgrade from an older edition tested)"
fi

# ===========================================================================
say "5. the same migrations run unchanged against the C extension (hc_c) and the SQL edition (hc_sql), as hc_app"

# deploy WHAT FILE...: runs the migration files with psql -1 against both
# editions (and again with VERBOSITY=verbose for the SQLSTATE); sets
# c_out/c_rc/c_state and s_out/s_rc/s_state.
deploy() {
	local what=$1
	shift
	local fargs=()
	for f in "$@"; do fargs+=(-f "$f"); done
	echo "    [$what]"
	run psql "$c_app" -X -1 -v ON_ERROR_STOP=1 "${fargs[@]}"
	c_out=$out c_rc=$rc
	c_state=$(psql "$c_app" -X -1 -v ON_ERROR_STOP=1 -v VERBOSITY=verbose "${fargs[@]}" 2>&1 |
		sed -n 's/^.*ERROR:  \([0-9A-Z]\{5\}\): .*$/\1/p' | head -n 1)
	run psql "$sql_app" -X -1 -v ON_ERROR_STOP=1 "${fargs[@]}"
	s_out=$out s_rc=$rc
	s_state=$(psql "$sql_app" -X -1 -v ON_ERROR_STOP=1 -v VERBOSITY=verbose "${fargs[@]}" 2>&1 |
		sed -n 's/^.*ERROR:  \([0-9A-Z]\{5\}\): .*$/\1/p' | head -n 1)
	context_lines <<<"$s_out" >>"$contexts_seen"
	[ -s "$work/deploy_context" ] || context_lines <<<"$s_out" >"$work/deploy_context"
}
ledger() { q "$1" "SELECT coalesce(string_agg(version, ' ' ORDER BY version), '') FROM public.schema_migrations"; }
# refused_both WHAT SQLSTATE ERROR_TEXT NAME RELS...
refused_both() {
	local what=$1 want=$2 msg=$3 name=$4 rel
	shift 4
	check "$what: both editions exit 3 (C $c_rc, SQL $s_rc)" [ "$c_rc" -eq 3 -a "$s_rc" -eq 3 ]
	check "$what: SQLSTATE $want in both editions (C ${c_state:-none}, SQL ${s_state:-none})" \
		[ "$c_state" = "$want" -a "$s_state" = "$want" ]
	check "$what: the C extension's output has ERROR:  $msg" bash -c 'grep -F -- "$1" <<<"$2" | grep -qF "ERROR:  "' _ "$msg" "$c_out"
	check_eq "$what: ERROR/DETAIL/HINT lines identical in both editions (CONTEXT aside)" \
		"$(strip_context <<<"$c_out")" "$(strip_context <<<"$s_out")"
	for rel in "$@"; do
		check "$what: SQL edition rolled back, $rel does not exist" absent "$sql_app" "$rel"
	done
	check "$what: SQL edition's schema_migrations does not record $name" \
		bash -c '! grep -qw -- "$1" <<<"$2"' _ "$name" "$(ledger "$sql_app")"
}
# applied_both WHAT NAMES RELS...
applied_both() {
	local what=$1 names=$2 rel
	shift 2
	check "$what: both editions exit 0 (C $c_rc, SQL $s_rc)" [ "$c_rc" -eq 0 -a "$s_rc" -eq 0 ]
	check_eq "$what: psql's output identical in both editions" "$c_out" "$s_out"
	check_eq "$what: schema_migrations records $names in the C extension's database" "$names" "$(ledger "$c_app")"
	check_eq "$what: schema_migrations records $names in the SQL edition's database" "$names" "$(ledger "$sql_app")"
	for rel in "$@"; do
		check "$what: $rel exists in both" exists_both "$rel"
	done
}
exists_both() { exists "$c_app" "$1" && exists "$sql_app" "$1"; }
# connect_both SQL: Connect, played by the double, does the same in both.
connect_both() { connect "$c_app" "$1"; connect "$sql_app" "$1"; }

missing_msg='column "preferred_channel__c" of Heroku Connect mapping "salesforce.contact" does not exist'
unsynced_msg='column "preferred_channel__c" of Heroku Connect mapping "salesforce.contact" is not synced'

deploy "001: Contact.Email synced" "$m1"
applied_both "001" "001_contact_email_optouts" public.contact_email_optouts

deploy "002 while Preferred_Channel__c is not mapped" "$m2"
refused_both "002, field missing" 42703 "$missing_msg" 002_contact_channels public.contact_channels

say "Connect maps Contact.Preferred_Channel__c and Account.Tier__c in both databases (columns added, empty)"
connect_both "SELECT hcdouble.add_field('salesforce', 'Contact', 'Preferred_Channel__c', 'picklist')"
connect_both "SELECT hcdouble.add_field('salesforce', 'Account', 'Tier__c', 'picklist')"

deploy "002 while Preferred_Channel__c is mapped, not synced" "$m2"
refused_both "002, field not synced" 55000 "$unsynced_msg" 002_contact_channels public.contact_channels

say "Connect finishes the resync of Contact.Preferred_Channel__c in both databases"
connect_both "SELECT hcdouble.connect_resync('salesforce', 'Contact', 'Preferred_Channel__c')"
deploy "002 once synced" "$m2"
applied_both "002 once synced" "001_contact_email_optouts 002_contact_channels" public.contact_channels

deploy "003 while Account.Tier__c is not synced" "$m3"
refused_both "003, Account.Tier__c not synced" 55000 \
	'column "tier__c" of Heroku Connect mapping "salesforce.account" is not synced' \
	003_account_tiers public.tier_channel_rules public.account_tiers

say "Connect finishes the resync of Account.Tier__c in both databases"
connect_both "SELECT hcdouble.connect_resync('salesforce', 'Account', 'Tier__c')"
deploy "003 once synced" "$m3"
applied_both "003 once synced" "001_contact_email_optouts 002_contact_channels 003_account_tiers" \
	public.tier_channel_rules public.account_tiers

# ===========================================================================
say "6. removal with heroku/hcguard-uninstall.sql, as hc_app"
state_before=$(connect_state hc_sql)
uninstall "$sql_app"
check "uninstall: psql exits 0" [ "$rc" -eq 0 ]
check "uninstall: no ERROR or WARNING in psql's output" bash -c '! grep -qE "(ERROR|WARNING):  " <<<"$1"' _ "$out"
check_eq "uninstall: nothing named hcguard% remains (relations, functions, types, triggers, constraints, policies, schemas)" \
	"" "$(hcguard_objects hc_sql)"
check_eq "uninstall: nothing named hcguard% in pg_constraint, pg_operator, pg_event_trigger" "" \
	"$(q hc_sql "SELECT string_agg(n, ', ') FROM (SELECT conname::text AS n FROM pg_constraint WHERE conname LIKE 'hcguard%'
	             UNION ALL SELECT oprname FROM pg_operator WHERE oprname LIKE 'hcguard%'
	             UNION ALL SELECT evtname FROM pg_event_trigger WHERE evtname LIKE 'hcguard%') s")"
check_eq "uninstall: Connect's tables (columns, triggers, rows), hstore, the double and the migrations' objects untouched" \
	"$state_before" "$(connect_state hc_sql)"
verdict "uninstall: the guard no longer resolves (42883), it does not pass silently" "$sql_mig" 42883 \
	"SELECT hcguard_required('salesforce', 'contact', 'email')"

install "$sql_app"
check "install again: psql exits 0" [ "$rc" -eq 0 ]
check_eq "install again: version $c_version" "$c_version" "$(q "$sql_app" "SELECT version FROM hcguard.sql_edition")"
check_eq "install again: no confirmations (the uninstall removed them)" "0" \
	"$(q "$sql_app" "SELECT count(*) FROM hcguard_confirmations")"
check_eq "install again: the same objects as a fresh install" "$fresh_objects" "$(hcguard_objects hc_sql)"
verdict "install again: migrator, synced Contact.Preferred_Channel__c passes" "$sql_mig" 00000 \
	"SELECT hcguard_required('salesforce', 'contact', 'preferred_channel__c')"
verdict "install again: migrator, Contact.Fax__c, no longer confirmed, fails with 55000" "$sql_mig" 55000 \
	"SELECT hcguard_required('salesforce', 'contact', 'fax__c')"
q "$fresh_app" "SELECT hcguard_confirm_synced('salesforce', 'contact', 'fax__c', 'verified in the Heroku Connect dashboard')" >/dev/null ||
	fatal "confirming contact.fax__c in hc_fresh"
uninstall1 "$fresh_app"
check "uninstall from hc_fresh (psql -1, one confirmation): psql exits 0" [ "$rc" -eq 0 ]
check_eq "hc_fresh, installed then uninstalled: every object, privilege, setting and Connect's rows as before the install" \
	"$fresh_before" "$(all_objects hc_fresh; connect_state hc_fresh)"

# Keep the two databases alike for what follows.
q "$sql_app" "SELECT hcguard_confirm_synced('salesforce', 'contact', 'fax__c', 'verified in the Heroku Connect dashboard')" >/dev/null ||
	fatal "confirming contact.fax__c in hc_sql"
q "$c_app" "SELECT hcguard_revoke_confirmation('salesforce', 'campaign')" >/dev/null ||
	fatal "revoking the confirmation of campaign in hc_c"

# ===========================================================================
say "7. weird and hostile search_path: the same verdicts and output in both editions (so the checks are fair)"
# A schema that shadows lower(text) (every name would become "email") and
# text = text (always true), in both databases.
for u in "$c_app" "$sql_app"; do
	psql "$u" -X -q -v ON_ERROR_STOP=1 >/dev/null <<-'SQL' || fatal "creating schema shady in $(hide "$u")"
		CREATE SCHEMA shady;
		CREATE FUNCTION shady.lower(text) RETURNS text LANGUAGE sql AS $$ SELECT 'email'::text $$;
		CREATE FUNCTION shady.always(text, text) RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;
		CREATE OPERATOR shady.= (LEFTARG = text, RIGHTARG = text, FUNCTION = shady.always);
		CREATE FUNCTION shady.always(name, text) RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;
		CREATE OPERATOR shady.= (LEFTARG = name, RIGHTARG = text, FUNCTION = shady.always);
		GRANT USAGE ON SCHEMA shady TO PUBLIC;
	SQL
done
case_add "search_path = pg_catalog, salesforce; public.hcguard_required on synced Email passes" app 00000 \
	"SET search_path = pg_catalog, salesforce" "SELECT public.hcguard_required('salesforce', 'contact', 'email')"
case_add "search_path = pg_catalog, salesforce; missing column fails with 42703" app 42703 \
	"SET search_path = pg_catalog, salesforce" "SELECT public.hcguard_required('salesforce', 'contact', 'nosuch__c')"
case_add "search_path = ''; missing column fails with 42703" app 42703 \
	"SET search_path = ''" "SELECT public.hcguard_required('salesforce', 'contact', 'nosuch__c')"
case_add "search_path = ''; confirmed Fax__c passes" app 00000 \
	"SET search_path = ''" "SELECT public.hcguard_required('salesforce', 'contact', 'fax__c')"
case_add "search_path = shady, pg_catalog, public (lower() and text = shadowed): missing column still fails with 42703" app 42703 \
	"SET search_path = shady, pg_catalog, public" "SELECT hcguard_required('salesforce', 'contact', 'NoSuch__c')"
case_add "search_path = shady, pg_catalog, public: unconfirmed empty mapping Campaign still fails with 55000" app 55000 \
	"SET search_path = shady, pg_catalog, public" "SELECT hcguard_required('salesforce', 'campaign')"
case_add "search_path = shady, pg_catalog, public: synced Email still passes" app 00000 \
	"SET search_path = shady, pg_catalog, public" "SELECT hcguard_required('salesforce', 'contact', 'email')"
case_add "migrator, search_path = shady, pg_catalog, public: missing column still fails with 42703" mig 42703 \
	"SET search_path = shady, pg_catalog, public" "SELECT hcguard_required('salesforce', 'contact', 'NoSuch__c')"
case_add "migrator, search_path = shady, pg_catalog, public: hcguard_status of unsynced Campaign" mig 00000 \
	"SET search_path = shady, pg_catalog, public" "SELECT * FROM public.hcguard_status('salesforce', 'campaign')"
cases_run
# migrator (who may not write the store) creates a temporary table named
# like the confirmation store (pg_temp comes first in every search_path for
# relations) holding a confirmation of the empty mapping Campaign that was
# made, copied and rolled back: it must not count.
for ed in C SQL; do
	if [ $ed = C ]; then db=hc_c u=$c_mig; else db=hc_sql u=$sql_mig; fi
	fake_row=$(psql -X -q -At -v ON_ERROR_STOP=1 -d $db <<-'SQL'
		BEGIN;
		SELECT hcguard_confirm_synced('salesforce', 'campaign', NULL, 'never committed') \gset
		SELECT row_to_json(s) FROM hcguard.confirmation_store s WHERE s.table_name = 'campaign';
		ROLLBACK;
	SQL
	) || fatal "making a fake confirmation in $db"
	store_cols=$(q $db "SELECT string_agg(quote_ident(attname) || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum)
	                      FROM pg_attribute WHERE attrelid = 'hcguard.confirmation_store'::regclass
	                       AND attnum > 0 AND NOT attisdropped")
	psql "$u" -X -q -v row="$fake_row" >"$work/pgtemp.out" 2>&1 <<-SQL
		\set ON_ERROR_STOP 1
		CREATE TEMP TABLE confirmation_store ($store_cols);
		INSERT INTO pg_temp.confirmation_store
		    SELECT * FROM json_populate_record(NULL::pg_temp.confirmation_store, :'row');
		SELECT 'pg_temp rows ' || count(*) FROM pg_temp.confirmation_store;
		\set ON_ERROR_STOP 0
		SELECT hcguard_required('salesforce', 'campaign');
		\echo hcguard-test-sqlstate :LAST_ERROR_SQLSTATE
		SELECT count(*) AS campaign_confirmations_seen FROM hcguard_confirmations WHERE table_name = 'campaign';
	SQL
	if grep -q 'pg_temp rows 1' "$work/pgtemp.out" &&
		grep -q '^hcguard-test-sqlstate 55000$' "$work/pgtemp.out" &&
		grep -qx ' *0' "$work/pgtemp.out"; then
		ok "$ed: migrator's pg_temp.confirmation_store with a fake confirmation: Campaign still fails with 55000, hcguard_confirmations shows none"
	else
		not_ok "$ed: migrator's pg_temp.confirmation_store with a fake confirmation: Campaign still fails with 55000, hcguard_confirmations shows none"
		sed 's/^/    | /' "$work/pgtemp.out"
	fi
done

say "7. migrator writes the confirmation store directly (the C extension first)"
# The SQL edition's store may be open to writes, guarded by its trigger: a
# role that may not ALTER the mapping must not be able to add, change or
# remove a confirmation by hand.
for ed in C SQL; do
	if [ $ed = C ]; then db=hc_c u=$c_mig; else db=hc_sql u=$sql_mig; fi
	confs=$(q $db "SELECT c::text FROM hcguard_confirmations c ORDER BY 1")
	check "$ed: the premise: contact.fax__c is confirmed, campaign is not" \
		[ "$(q $db "SELECT string_agg(table_name || '.' || coalesce(column_name, '-'), ' ' ORDER BY 1) FROM hcguard_confirmations")" = contact.fax__c ]
	call "$u" "INSERT INTO hcguard.confirmation_store (schema_name, table_name, column_name, confirmed_by, confirmed_at, note) VALUES ('salesforce', 'campaign', '', 'hc_app', now(), 'forged')"
	if [ "$state" != 00000 ]; then
		ok "$ed: migrator's INSERT of a confirmation of Campaign into the store is refused ($state)"
	else
		not_ok "$ed: migrator's INSERT of a confirmation of Campaign into the store is refused"
		show_out
	fi
	verdict "$ed: after migrator's INSERT, Campaign still fails with 55000" "$u" 55000 \
		"SELECT hcguard_required('salesforce', 'campaign')"
	call "$u" "UPDATE hcguard.confirmation_store SET note = 'changed by migrator', confirmed_by = 'migrator'"
	echo "    (migrator's UPDATE of the store: SQLSTATE $state; $(grep -m1 -E '^(UPDATE|ERROR)' <<<"$out"))"
	call "$u" "DELETE FROM hcguard.confirmation_store"
	echo "    (migrator's DELETE from the store: SQLSTATE $state; $(grep -m1 -E '^(DELETE|ERROR)' <<<"$out"))"
	check_eq "$ed: after migrator's UPDATE and DELETE, hcguard_confirmations unchanged" \
		"$confs" "$(q $db "SELECT c::text FROM hcguard_confirmations c ORDER BY 1")"
	verdict "$ed: after migrator's UPDATE and DELETE, confirmed Fax__c still passes" "$u" 00000 \
		"SELECT hcguard_required('salesforce', 'contact', 'fax__c')"
done

# ===========================================================================
say "8. the installer refuses a database where the C extension is installed"
c_before=$(hcguard_objects hc_c)
run psql -X -v ON_ERROR_STOP=1 -d hc_c -f "$sql_file"
check "install into hc_c as the superuser: psql fails (exit 3)" [ "$rc" -eq 3 ]
check "install into hc_c: the output has an ERROR, and it names the extension" \
	bash -c 'grep "ERROR:  " <<<"$1" | grep -qi "extension"' _ "$out"
echo "    (the refusal: $(grep -m1 'ERROR:  ' <<<"$out" | sed 's/^.*ERROR:  //'))"
check_eq "install into hc_c: nothing created or changed (every hcguard% object as before)" \
	"$c_before" "$(hcguard_objects hc_c)"
run psql "$c_app" -X -v ON_ERROR_STOP=1 -f "$sql_file"
check "install into hc_c as hc_app: psql fails (exit 3)" [ "$rc" -eq 3 ]
check_eq "install into hc_c as hc_app: nothing created or changed" "$c_before" "$(hcguard_objects hc_c)"

sql_before=$(hcguard_objects hc_sql)
run psql -X -v ON_ERROR_STOP=1 -d hc_sql -c "CREATE EXTENSION hcguard"
check "CREATE EXTENSION hcguard in hc_sql (SQL edition installed), as the superuser: fails" [ "$rc" -ne 0 ]
check_eq "CREATE EXTENSION hcguard in hc_sql: nothing created or changed" "$sql_before" "$(hcguard_objects hc_sql)"

# ===========================================================================
# 9 a development database without Connect: the owner cannot store
# hcguard.on_failure in the database (PostgreSQL 15 lets only superusers set
# a parameter no loaded module defines with ALTER DATABASE or ALTER ROLE),
# but a session can ask for warnings, as the README says, with PGOPTIONS.
echo "# 9 warnings on a development database"
call "$sql_app" "ALTER DATABASE hc_sql SET hcguard.on_failure = warning"
check_eq "ALTER DATABASE ... SET hcguard.on_failure as the owner: 42501" "42501" "$state"
PGOPTIONS='-c hcguard.on_failure=warning' call "$sql_app" \
	"SELECT hcguard_required('nowhere', 'contact', 'email')"
if [ "$state" = 00000 ] && grep -qx ' f' <<<"$out" &&
	grep -q '^WARNING:  schema "nowhere" does not exist' <<<"$out"; then
	ok "PGOPTIONS='-c hcguard.on_failure=warning': a WARNING and false"
else
	not_ok "PGOPTIONS='-c hcguard.on_failure=warning': a WARNING and false"
	show_out
fi
call "$sql_app" "SELECT hcguard_required('nowhere', 'contact', 'email')"
check_eq "without it, the same call fails with 3F000" "3F000" "$state"

# ===========================================================================
# 10 the edition as an application's first migration: a deploy script runs
# it with the application's migrations in one transaction (psql -1 with
# several -f).  Refused at 002, everything rolls back, the install included;
# once Connect has synced the field, the same deploy installs and applies.
echo "# 10 the install file as the first migration of a deploy"
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE hc_first OWNER hc_app" ||
	fatal "CREATE DATABASE hc_first"
first_app=$(url hc_app "$app_pw" hc_first)
setup_connect "$first_app"
run psql "$first_app" -X -1 -v ON_ERROR_STOP=1 -f "$sql_file" -f "$m1" -f "$m2"
check "first migration, 002's field not mapped: the deploy exits 3" [ "$rc" -eq 3 ]
check "first migration, refused: the deploy names the missing field" \
	grep -qF "ERROR:  $missing_msg" <<<"$out"
check_eq "first migration, refused: nothing of hcguard and no migration is left" "0|0|" \
	"$(q "$first_app" "SELECT (SELECT count(*) FROM pg_proc WHERE proname LIKE 'hcguard%'),
	                          (SELECT count(*) FROM pg_class WHERE relname LIKE 'hcguard%'),
	                          (SELECT coalesce(string_agg(version, ' '), '') FROM public.schema_migrations)")"
connect "$first_app" "SELECT hcdouble.add_field('salesforce', 'Contact', 'Preferred_Channel__c', 'picklist')"
connect "$first_app" "SELECT hcdouble.connect_resync('salesforce', 'Contact', 'Preferred_Channel__c')"
run psql "$first_app" -X -1 -v ON_ERROR_STOP=1 -f "$sql_file" -f "$m1" -f "$m2"
check "first migration, once synced: the deploy exits 0" [ "$rc" -eq 0 ]
check_eq "first migration, applied: the edition is installed and both migrations recorded" \
	"$c_version|001_contact_email_optouts 002_contact_channels" \
	"$(q "$first_app" "SELECT (SELECT version FROM hcguard.sql_edition),
	                          (SELECT string_agg(version, ' ' ORDER BY version) FROM public.schema_migrations)")"

# ===========================================================================
echo
if [ -s "$contexts_seen" ]; then
	echo "The SQL edition's errors carry CONTEXT lines (ignored in the comparisons); a refused migration's:"
	sed 's/^/    /' "$work/deploy_context" 2>/dev/null
	echo "  the first lines of all of them:"
	grep '^CONTEXT:' "$contexts_seen" | sort -u | sed 's/^/    /'
else
	echo "The SQL edition's errors carry no CONTEXT lines."
fi
check "$sql_file and $uninstall_file did not change while the test ran" \
	[ "$(cat "$sql_file" "$uninstall_file" | md5sum)" = "$files_md5" ]

finish
