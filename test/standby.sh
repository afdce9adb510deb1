#!/usr/bin/env bash
# test/standby.sh: the contract's promise that hcguard "works on a hot
# standby (read-only), except the confirmation functions, which fail there
# with a clear error".
#
# Run by scripts/test as `pg_virtualenv -t -v 15 bash test/standby.sh` (cwd =
# repository root); the pg_virtualenv cluster is the primary (the PG*
# variables point to it).  The standby runs as the operating system user
# that owns the primary's data directory (postgres when pg_virtualenv runs as
# root, as the suite does; runuser switches to it).  Exit 0 = pass.
#
#   primary: database standby_src with the Connect double, the extension, a
#            Connect schema salesforce: mapping Contact (Email, Fax__c,
#            Phone) with 3 rows whose Fax__c and Phone are NULL, mapping
#            Campaign with no rows.  Confirmations: contact.fax__c and
#            campaign; Phone is mapped and not synced.
#   standby: pg_basebackup -R of the primary (over its unix socket, peer
#            authentication as the cluster's owner), started with pg_ctl in a
#            temporary directory, on its own port and socket directory,
#            streaming from the primary.
#   On the standby: hcguard_required, hcguard_status, hcguard_columns,
#   hcguard_mappings, hcguard_config_diff, hcguard_required_config,
#   hcguard_wait and the hcguard_confirmations view give the primary's
#   answers, including the verdicts that rest on a confirmation;
#   hcguard_confirm_synced and hcguard_revoke_confirmation fail with SQLSTATE
#   25006, a message naming the function and the hot standby, and a hint to
#   run it on the primary, and change nothing.  A confirmation made, then
#   revoked, on the primary reaches the standby by replication.
#   Declarations (two made on the primary): the hcguard_declarations view,
#   hcguard_declarations_json, hcguard_check_declarations and
#   hcguard_required_declarations give the primary's answers on the standby;
#   every passing guard form there records nothing; hcguard_forget_declaration
#   fails with 25006 and changes nothing; a declaration made, and one
#   forgotten, on the primary reach the standby by replication.
#   Connect's report (one recorded on the primary): the hcguard_connect_state
#   view gives the primary's answer and vouches there too;
#   hcguard_record_connect_state fails with 25006 and changes nothing.
# The standby is stopped and its directory removed at exit, whatever happens.
#
# HCGUARD_EDITION=sql runs the same checks against the SQL edition
# (heroku/hcguard.sql) instead of the extension; test/standby_sql_edition.sh
# does that.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
. test/lib.sh
case "${HCGUARD_EDITION:-c}" in
	c) sql_edition=false ;;
	sql) sql_edition=true ;;
	*) echo "FATAL: HCGUARD_EDITION must be c or sql"; exit 2 ;;
esac

db=standby_src
bindir=$("${PG_CONFIG:-pg_config}" --bindir)
primary_data=$(q postgres "SHOW data_directory") || fatal "cannot reach the primary"
owner=$(stat -c %U "$primary_data")
work=$(mktemp -d /tmp/hcguard-standby.XXXXXX)
standby=$work/data
chown "$owner": "$work"
chmod 700 "$work"

# as_owner COMMAND...: runs COMMAND as the user the clusters run as.
as_owner() {
	if [ "$(id -un)" = "$owner" ]; then
		"$@"
	else
		runuser -u "$owner" -- "$@"
	fi
}

stop_standby() {
	if [ -f "$standby/postmaster.pid" ]; then
		as_owner "$bindir/pg_ctl" -D "$standby" -m fast -w -t 30 stop >/dev/null 2>&1 ||
			as_owner "$bindir/pg_ctl" -D "$standby" -m immediate -w stop >/dev/null 2>&1
	fi
	rm -rf "$work"
}
trap stop_standby EXIT
trap 'exit 1' INT TERM HUP

# fatal_hook: why the standby failed is in its log (the trap cleans up).
fatal_hook() {
	if [ -s "$work/standby.log" ]; then
		echo "# standby log:"
		tail -n 20 "$work/standby.log" | sed 's/^/#   /'
	fi
}

# q DB SQL (test/lib.sh) queries the primary; qs DB SQL the standby, on its
# socket in $work.
qs() { PGHOST=$work PGPORT=$sport q "$@"; }

# same_on_standby WHAT SQL: the standby answers SQL as the primary does (and
# the answer is not empty or an error).
same_on_standby() {
	local on_primary on_standby
	on_primary=$(q "$db" "$2" 2>&1) || fatal "on the primary, $2 failed: $on_primary"
	[ -n "$on_primary" ] || fatal "on the primary, $2 returned nothing"
	on_standby=$(qs "$db" "$2" 2>&1)
	check_eq "standby: $1 gives the primary's answer" "$on_primary" "$on_standby"
}

# wait_for_replay: the standby has replayed everything the primary has
# written so far.
wait_for_replay() {
	local lsn deadline=$(($(date +%s) + 30))
	lsn=$(q "$db" "SELECT pg_current_wal_lsn()") || fatal "cannot read the primary's WAL position"
	until [ "$(qs "$db" "SELECT pg_last_wal_replay_lsn() >= '$lsn'::pg_lsn" 2>/dev/null)" = t ]; do
		[ "$(date +%s)" -lt "$deadline" ] || fatal "the standby did not replay up to $lsn within 30 s"
		sleep 0.1
	done
}

# ---------------------------------------------------------------------------
echo "# primary: port $PGPORT, data directory $primary_data, run by $owner"
echo "# building $db on the primary"
createdb "$db" || fatal "createdb $db"
psql -X -q -v ON_ERROR_STOP=1 -v sql_edition="$sql_edition" -d "$db" -f test/sql/standby_setup.sql >/dev/null ||
	fatal "setting up $db failed"

check_eq "primary: the edition under test" "${HCGUARD_EDITION:-c}" \
	"$(q "$db" "SELECT CASE WHEN to_regclass('hcguard.sql_edition') IS NULL THEN 'c' ELSE 'sql' END")"

# Without their confirmations, fax__c and campaign would not pass: the
# checks below depend on them.
check_eq "primary: contact has 3 Connect-written rows, fax__c NULL in all" "3|0" \
	"$(q "$db" "SELECT count(*), count(fax__c) FROM salesforce.contact WHERE _hc_lastop IS NULL AND sfid IS NOT NULL")"
check_eq "primary: campaign has no rows" "0" "$(q "$db" "SELECT count(*) FROM salesforce.campaign")"
check_eq "primary: hcguard_status('salesforce','contact','fax__c') rests on the confirmation" \
	"t|confirmation" \
	"$(q "$db" "SELECT synced, evidence FROM hcguard_status('salesforce', 'contact', 'fax__c')")"

# ---------------------------------------------------------------------------
# The standby: its own port (free, for good measure: it listens on no TCP
# address, only on a socket in $work) and configuration (the Debian layout
# keeps the primary's outside its data directory; settings given to
# pg_virtualenv with -o, such as extension_destdir, are carried over).
primary_socket=$(q "$db" "SHOW unix_socket_directories" | cut -d, -f1 | sed 's/^ *//')
sport=$((PGPORT + 1))
while ss -Hltn "sport = :$sport" | grep -q . || [ -e "$primary_socket/.s.PGSQL.$sport" ]; do
	sport=$((sport + 1))
done
echo "# pg_basebackup -R from the primary's socket $primary_socket"
as_owner "$bindir/pg_basebackup" -h "$primary_socket" -p "$PGPORT" -U "$owner" \
	-D "$standby" -R -X stream -c fast >"$work/basebackup.log" 2>&1 ||
	fatal "pg_basebackup failed: $(cat "$work/basebackup.log")"

settings=$(q "$db" "SELECT format('%s = %L', name, current_setting(name))
                FROM pg_settings
               WHERE source IN ('configuration file', 'command line')
                 AND name NOT IN ('data_directory', 'config_file', 'hba_file', 'ident_file',
                                  'external_pid_file', 'port', 'listen_addresses',
                                  'unix_socket_directories', 'cluster_name')
                 AND name NOT LIKE 'ssl%'") || fatal "cannot read the primary's settings"
cat >"$standby/postgresql.conf" <<EOF
# the primary's settings
$settings
# the standby's own
port = $sport
listen_addresses = ''
unix_socket_directories = '$work'
hot_standby = on
EOF
echo "local all all trust" >"$standby/pg_hba.conf"
: >"$standby/pg_ident.conf"
chown "$owner": "$standby/postgresql.conf" "$standby/pg_hba.conf" "$standby/pg_ident.conf"

echo "# starting the standby on port $sport"
as_owner "$bindir/pg_ctl" -D "$standby" -l "$work/standby.log" -w -t 60 start >/dev/null ||
	fatal "the standby did not start"
check_eq "standby: pg_is_in_recovery()" "t" "$(qs "$db" "SELECT pg_is_in_recovery()" 2>&1)"
wait_for_replay
check_eq "standby: streaming from the primary" "streaming" \
	"$(qs "$db" "SELECT status FROM pg_stat_wal_receiver" 2>&1)"
check_eq "standby: the transaction is read-only" "on" \
	"$(qs "$db" "SHOW transaction_read_only" 2>&1)"

# ---------------------------------------------------------------------------
echo "# the guard on the standby"
check_eq "standby: hcguard_required('salesforce','Contact','Email') passes (data)" "t" \
	"$(qs "$db" "SELECT hcguard_required('salesforce', 'Contact', 'Email')" 2>&1)"
check_eq "standby: hcguard_required('salesforce','contact','fax__c') passes (confirmation)" "t" \
	"$(qs "$db" "SELECT hcguard_required('salesforce', 'contact', 'fax__c')" 2>&1)"
check_eq "standby: hcguard_required('salesforce','campaign') passes (confirmation)" "t" \
	"$(qs "$db" "SELECT hcguard_required('salesforce', 'campaign')" 2>&1)"
check_eq "standby: hcguard_required('salesforce','contact','email','fax__c') passes" "t" \
	"$(qs "$db" "SELECT hcguard_required('salesforce', 'contact', 'email', 'fax__c')" 2>&1)"
check_eq "standby: hcguard_required on phone (mapped, not synced) fails with 55000" \
	"55000|column \"phone\" of Heroku Connect mapping \"salesforce.contact\" is not synced" \
	"$(qs "$db" "SELECT standby_outcome(\$\$SELECT hcguard_required('salesforce', 'contact', 'phone')\$\$)" 2>&1 | cut -d'|' -f1,2)"
check_eq "standby: hcguard_required on a missing column fails with 42703" "42703" \
	"$(qs "$db" "SELECT standby_outcome(\$\$SELECT hcguard_required('salesforce', 'contact', 'preferred_channel__c')\$\$)" 2>&1 | cut -d'|' -f1)"
check_eq "standby: hcguard_status('salesforce','contact','fax__c')" \
	"salesforce|contact|fax__c|t|t|t|confirmation||" \
	"$(qs "$db" "SELECT * FROM hcguard_status('salesforce', 'contact', 'fax__c')" 2>&1)"
check_eq "standby: hcguard_wait('salesforce','contact','fax__c', 0) returns at once" "t" \
	"$(qs "$db" "SELECT hcguard_wait('salesforce', 'contact', 'fax__c', '0')" 2>&1)"

same_on_standby "hcguard_status('salesforce','campaign')" \
	"SELECT * FROM hcguard_status('salesforce', 'campaign')"
same_on_standby "hcguard_columns('salesforce','contact')" \
	"SELECT * FROM hcguard_columns('salesforce', 'contact')"
same_on_standby "hcguard_mappings()" \
	"SELECT * FROM hcguard_mappings() ORDER BY schema_name, table_name"
same_on_standby "hcguard_mappings('salesforce')" \
	"SELECT * FROM hcguard_mappings('salesforce') ORDER BY table_name"
same_on_standby "the hcguard_confirmations view" \
	"SELECT schema_name, table_name, column_name, confirmed_by, confirmed_at, note, counts
	   FROM hcguard_confirmations ORDER BY 1, 2, 3"

config='{"mappings": [
  {"object_name": "Contact",
   "config": {"fields": {"Id": {}, "Email": {}, "Fax__c": {}, "Phone": {}, "Title": {}}}},
  {"object_name": "Campaign", "config": {"fields": {"Id": {}}}},
  {"object_name": "Lead", "config": {"fields": {"Id": {}, "Company": {}}}}]}'
same_on_standby "hcguard_config_diff('salesforce', config)" \
	"SELECT * FROM hcguard_config_diff('salesforce', '$config')"
# Fax__c is not listed: its confirmation counts on the standby too
check_eq "standby: hcguard_config_diff lists phone, title, campaign.sfid and lead, not fax__c" \
	"Contact|Phone|unsynced_field
Contact|Title|missing_field
Campaign|Id|unsynced_field
Lead||missing_mapping" \
	"$(qs "$db" "SELECT object_name, field_name, problem FROM hcguard_config_diff('salesforce', '$config')
	        WHERE problem NOT LIKE 'extra%'" 2>&1)"
config_ok='{"mappings": [
  {"object_name": "Contact", "config": {"fields": {"Id": {}, "Email": {}, "Fax__c": {}}}},
  {"object_name": "Campaign", "config": {"fields": {}}}]}'
check_eq "standby: hcguard_required_config passes where confirmations vouch for fax__c and campaign" "t" \
	"$(qs "$db" "SELECT hcguard_required_config('salesforce', '$config_ok')" 2>&1)"
check_eq "standby: hcguard_required_config fails with 42P01 for a missing mapping" "42P01" \
	"$(qs "$db" "SELECT standby_outcome(\$\$SELECT hcguard_required_config('salesforce', '$config')\$\$)" 2>&1 | cut -d'|' -f1)"

# ---------------------------------------------------------------------------
echo "# confirming and revoking on the standby"
confirmations_before=$(qs "$db" "SELECT count(*) FROM hcguard_confirmations" 2>&1)
for call in \
	"hcguard_confirm_synced()|SELECT hcguard_confirm_synced('salesforce', 'contact', 'phone', 'on the standby')" \
	"hcguard_confirm_synced()|SELECT hcguard_confirm_synced('salesforce', 'contact', 'fax__c')" \
	"hcguard_revoke_confirmation()|SELECT hcguard_revoke_confirmation('salesforce', 'contact', 'fax__c')" \
	"hcguard_revoke_confirmation()|SELECT hcguard_revoke_confirmation('salesforce', 'campaign')"; do
	function=${call%%|*}
	sql=${call#*|}
	check_eq "standby: $sql fails: 25006, the hot standby named, hint to use the primary" \
		"25006|cannot execute $function on a hot standby|Run $function on the primary server; the confirmation reaches the standby by replication." \
		"$(qs "$db" "SELECT standby_outcome(\$\$$sql\$\$)" 2>&1)"
done
check_eq "standby: the refused calls changed nothing" "$confirmations_before" \
	"$(qs "$db" "SELECT count(*) FROM hcguard_confirmations" 2>&1)"
check_eq "standby: phone is still not synced, fax__c still confirmed" "f|t" \
	"$(qs "$db" "SELECT (SELECT synced FROM hcguard_status('salesforce', 'contact', 'phone')),
	              (SELECT synced FROM hcguard_status('salesforce', 'contact', 'fax__c'))" 2>&1)"

# ---------------------------------------------------------------------------
echo "# declarations on the standby: readable, never made or forgotten there"
declarations="SELECT schema_name, table_name, column_name, declared_type, declared_at, declared_by, ok, problem
                FROM hcguard_declarations ORDER BY 1, 2, 3"
check_eq "primary: the setup's two declarations, both holding" \
	"salesforce|campaign||t
salesforce|contact|email|t" \
	"$(q "$db" "SELECT schema_name, table_name, column_name, ok FROM hcguard_declarations ORDER BY 1, 2, 3")"
same_on_standby "the hcguard_declarations view" "$declarations"
same_on_standby "hcguard_declarations_json()" "SELECT hcguard_declarations_json()"
check_eq "standby: hcguard_check_declarations() passes" "t" \
	"$(qs "$db" "SELECT hcguard_check_declarations()" 2>&1)"
check_eq "standby: hcguard_required_declarations(the primary's document) passes" "t" \
	"$(qs "$db" "SELECT hcguard_required_declarations('$(q "$db" "SELECT hcguard_declarations_json()")')" 2>&1)"
# The guard has passed on the standby above for fax__c, campaign and the
# rest; here once more, each form, and none of them may have recorded.
for sql in \
	"SELECT hcguard_required('salesforce', 'contact', 'fax__c')" \
	"SELECT hcguard_required('salesforce', 'contact', 'fax__c varchar(40)')" \
	"SELECT hcguard_required('salesforce', 'contact', 'email', 'fax__c')" \
	"SELECT hcguard_wait('salesforce', 'contact', 'fax__c', '0')" \
	"SELECT hcguard_required_config('salesforce', '$config_ok')"; do
	check_eq "standby: $sql passes" "t" "$(qs "$db" "$sql" 2>&1)"
done
check_eq "standby: the passing calls recorded nothing" "$(q "$db" "$declarations")" \
	"$(qs "$db" "$declarations" 2>&1)"
check_eq "standby: hcguard_forget_declaration fails: 25006, the hot standby named, hint to use the primary" \
	"25006|cannot execute hcguard_forget_declaration on a hot standby|Run hcguard_forget_declaration on the primary server; the change reaches the standby by replication." \
	"$(qs "$db" "SELECT standby_outcome(\$\$SELECT hcguard_forget_declaration('salesforce', 'contact', 'email')\$\$)" 2>&1)"
check_eq "standby: forgetting a declaration that does not exist is refused the same way" "25006" \
	"$(qs "$db" "SELECT standby_outcome(\$\$SELECT hcguard_forget_declaration('salesforce', 'lead')\$\$)" 2>&1 | cut -d'|' -f1)"
check_eq "standby: the refused forget changed nothing" "$(q "$db" "$declarations")" \
	"$(qs "$db" "$declarations" 2>&1)"

# ---------------------------------------------------------------------------
echo "# Connect's report on the standby: readable, never recorded there"
connect_state="SELECT schema_name, object_name, table_name, connection_state, mapping_state, fields,
                      db_count, sf_count, recorded_at FROM hcguard_connect_state ORDER BY 1, 3"
same_on_standby "the hcguard_connect_state view" "$connect_state"
check_eq "standby: hcguard_record_connect_state fails: 25006, the hot standby named, hint to use the primary" \
	"25006|cannot execute hcguard_record_connect_state on a hot standby|Run hcguard_record_connect_state on the primary server; the snapshot reaches the standby by replication." \
	"$(qs "$db" "SELECT standby_outcome(\$\$SELECT hcguard_record_connect_state('{\"schema_name\": \"salesforce\", \"state\": \"PAUSED\", \"mappings\": []}')\$\$)" 2>&1)"
check_eq "standby: the refused recording changed nothing" "$(q "$db" "$connect_state")" \
	"$(qs "$db" "$connect_state" 2>&1)"
check_eq "standby: the primary's fresh report vouches there too (email, evidence connect)" "t|connect" \
	"$(qs "$db" "SELECT synced, evidence FROM hcguard_status('salesforce', 'contact', 'email')" 2>&1)"

# ---------------------------------------------------------------------------
echo "# confirming and revoking on the primary reaches the standby"
q "$db" "SELECT hcguard_confirm_synced('salesforce', 'contact', 'phone', 'confirmed on the primary')" >/dev/null ||
	fatal "confirming phone on the primary failed"
wait_for_replay
check_eq "standby: phone passes once the primary's confirmation is replayed" "t|confirmation" \
	"$(qs "$db" "SELECT synced, evidence FROM hcguard_status('salesforce', 'contact', 'phone')" 2>&1)"
check_eq "standby: hcguard_required('salesforce','contact','phone') passes" "t" \
	"$(qs "$db" "SELECT hcguard_required('salesforce', 'contact', 'phone')" 2>&1)"
q "$db" "SELECT hcguard_revoke_confirmation('salesforce', 'contact', 'fax__c')" >/dev/null ||
	fatal "revoking fax__c on the primary failed"
wait_for_replay
check_eq "standby: fax__c fails with 55000 once the primary's revocation is replayed" "55000" \
	"$(qs "$db" "SELECT standby_outcome(\$\$SELECT hcguard_required('salesforce', 'contact', 'fax__c')\$\$)" 2>&1 | cut -d'|' -f1)"

echo "# declaring and forgetting on the primary reaches the standby"
q "$db" "SELECT hcguard_required('salesforce', 'contact', 'phone varchar(40)')" >/dev/null ||
	fatal "declaring phone on the primary failed"
q "$db" "SELECT hcguard_forget_declaration('salesforce', 'campaign')" >/dev/null ||
	fatal "forgetting campaign on the primary failed"
wait_for_replay
check_eq "standby: the primary's new declaration and its forgetting are replayed" \
	"salesforce|contact|email||t
salesforce|contact|phone|character varying(40)|t" \
	"$(qs "$db" "SELECT schema_name, table_name, column_name, declared_type, ok FROM hcguard_declarations ORDER BY 1, 2, 3" 2>&1)"
same_on_standby "the hcguard_declarations view, after the primary's changes" "$declarations"

finish
