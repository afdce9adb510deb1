#!/usr/bin/env bash
# test/package.sh: hcguard packaged as a real extension is (issue 18):
#
#   - META.json: test/meta_check.pl passes (the PGXN Meta Spec 1.0.0, and
#     agreement with hcguard.control and the Makefile), and fails on a
#     META.json broken in each of four ways;
#   - the Debian package: the repository's tracked files, copied to a
#     temporary directory, build with `dpkg-buildpackage -us -uc -b` (debian/
#     rules: pg_buildext, for PostgreSQL 15) into
#     postgresql-15-hcguard_<META.json's version>-<revision>_<arch>.deb,
#     whose files are exactly hcguard.so (and its JIT bitcode) under
#     /usr/lib/postgresql/15/lib, hcguard.control and the install and upgrade
#     scripts the Makefile installs under /usr/share/postgresql/15/extension,
#     byte for byte what this tree builds, and the package's documents: no
#     SQL edition, nothing in /usr/local;
#   - and it works: unpacked (dpkg-deb -x) into a temporary root that this
#     throwaway cluster reads through Debian's extension_destdir setting (a
#     patch Debian's PostgreSQL carries), CREATE EXTENSION hcguard is 1.2,
#     hcguard_required passes on a synced column and fails with 42703 on a
#     missing one, the backend has the package's hcguard.so mapped (not the
#     server's own), and 1.0 updates to 1.2.  extension_destdir falls back
#     to the server's directories for a file it does not find, so a copy of
#     the root with a marked control file and install script shows that the
#     root's files are the ones read.
#
# Run by scripts/test as `pg_virtualenv -t -v 15 bash test/package.sh` (cwd =
# repository root).  Exit 0 = pass.  It installs nothing into the server's
# directories; it needs Debian's build tools (scripts/deps installs them).
# Single-quoted $ below is Perl's or an inner shell's, on purpose.
# shellcheck disable=SC2016
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
. test/lib.sh
need_throwaway_cluster

pgver=15
pg_config=/usr/lib/postgresql/$pgver/bin/pg_config

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The server (user postgres) reads the unpacked package from here.
chmod 755 "$work"

say "build tools"
scripts/deps debhelper dpkg-dev postgresql-server-dev-all ||
	fatal "scripts/deps could not install Debian's build tools"

say "META.json"
if perl test/meta_check.pl >"$work/meta.log" 2>&1; then
	ok "META.json follows the PGXN Meta Spec and agrees with the tree (test/meta_check.pl)"
else
	not_ok "META.json follows the PGXN Meta Spec and agrees with the tree (test/meta_check.pl)"
	grep -v '^ok ' "$work/meta.log" | sed 's/^/    /'
fi

# broken_meta WHAT PERL EXPECTED: META.json changed by PERL (on $m) fails
# meta_check.pl with the line "not ok - EXPECTED".
broken_meta() {
	local what=$1 change=$2 expected=$3
	perl -MJSON::PP -e 'local $/; open(my $f, "<", "META.json") or die; my $m = decode_json(<$f>);
		eval $ARGV[0]; die $@ if $@; print JSON::PP->new->pretty->encode($m)' "$change" >"$work/META.json" ||
		fatal "cannot write a broken META.json"
	perl test/meta_check.pl "$work/META.json" >"$work/meta.log" 2>&1
	local rc=$?
	if [ $rc -eq 1 ] && grep -qxF "not ok - $expected" "$work/meta.log"; then
		ok "meta_check.pl refuses $what"
	else
		not_ok "meta_check.pl refuses $what (exit $rc, expected \"not ok - $expected\")"
		sed 's/^/    /' "$work/meta.log" | grep -v '^    ok ' | head -n 10
	fi
}
broken_meta "a license the spec does not list" '$m->{license} = "PostgreSQL"' \
	"license is one of the spec's identifiers (or a list of them, or names to URIs)"
broken_meta "a version other than the control file's" \
	'$m->{version} = "1.3.0"; $m->{provides}{hcguard}{version} = "1.3.0"' \
	"version is hcguard.control's default_version plus \".0\""
broken_meta "a PostgreSQL minimum other than the Makefile's" \
	'$m->{prereqs}{runtime}{requires}{PostgreSQL} = "12.0.0"' \
	"prereqs: runtime requires PostgreSQL as the Makefile's minimum, N.0.0"
broken_meta "an unknown prereqs phase" '$m->{prereqs}{install} = {requires => {plpgsql => 0}}' \
	"prereqs: only the phases configure, build, test, runtime, develop"

meta_version=$(perl -MJSON::PP -e 'local $/; open(my $f, "<", "META.json") or die; print decode_json(<$f>)->{version}') ||
	fatal "cannot read META.json's version"

say "the tracked tree, copied"
src=$work/src
mkdir "$src" || fatal "mkdir $src"
# The index's files as they are in the work tree (symbolic links kept).
git ls-files -z | xargs -0 cp -d --parents -t "$src" ||
	fatal "cannot copy the tracked files (is this a git checkout with every file present?)"
check "debian/ is tracked" test -x "$src/debian/rules" -a -f "$src/debian/control.in"

# The package is built for the versions debian/pgversions allows and the
# system supports; here, 15 only, whatever else is installed.
export PG_SUPPORTED_VERSIONS=$pgver
# Debian's build runs without the cluster's environment.
build_env=(env -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE -u PGPASSWORD -u PGCLUSTER)

check "debian/control is what pg_buildext generates from debian/control.in" \
	bash -c 'cd "$1" && pg_buildext checkcontrol >/dev/null' _ "$src"
changelog_version=$(cd "$src" && dpkg-parsechangelog -S Version) || fatal "dpkg-parsechangelog failed"
check_eq "debian/changelog's upstream version is META.json's" "$meta_version" "${changelog_version%-*}"

say "dpkg-buildpackage -us -uc -b"
started=$SECONDS
if ! (cd "$src" && "${build_env[@]}" dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1; then
	tail -n 40 "$work/build.log" | sed 's/^/    /'
	fatal "dpkg-buildpackage failed"
fi
echo "built in $((SECONDS - started)) s"

arch=$(dpkg --print-architecture)
deb_name=postgresql-$pgver-hcguard_${changelog_version}_$arch.deb
deb=$work/$deb_name
debs=("$work"/*.deb)
check_eq "the packages built" \
	"$(printf '%s\n' "$deb_name" "postgresql-$pgver-hcguard-dbgsym_${changelog_version}_$arch.deb" | sort)" \
	"$(printf '%s\n' "${debs[@]##*/}" | sort)"
[ -f "$deb" ] || fatal "$deb_name was not built"

check_eq "package name" "postgresql-$pgver-hcguard" "$(dpkg-deb -f "$deb" Package)"
check_eq "package version" "$changelog_version" "$(dpkg-deb -f "$deb" Version)"
check "package depends on postgresql-$pgver" \
	grep -qE "(^|, )postgresql-$pgver( |,|$)" <<<"$(dpkg-deb -f "$deb" Depends)"

say "the package's files"
# What the Makefile installs, from the copy (make clean ran at the end of
# the build, so the assembled scripts are made again for the comparison).
(cd "$src" && make -s PG_CONFIG="$pg_config" hcguard--1.2.sql hcguard--1.1--1.2.sql >/dev/null) ||
	fatal "cannot assemble the install scripts in the copy"
data=$(cd "$src" && make -s PG_CONFIG="$pg_config" print-DATA print-DATA_built | tr ' ' '\n' | grep .) ||
	fatal "cannot read DATA and DATA_built from the Makefile"
libdir=usr/lib/postgresql/$pgver/lib
extdir=usr/share/postgresql/$pgver/extension
docdir=usr/share/doc/postgresql-$pgver-hcguard
expected=$(
	echo "$libdir/hcguard.so"
	# PGXS installs JIT bitcode where the server was built with LLVM.
	if grep -q '^with_llvm[[:space:]]*=[[:space:]]*yes' "$("$pg_config" --pgxs | xargs dirname)/../Makefile.global"; then
		echo "$libdir/bitcode/hcguard.index.bc"
		for c in "$src"/src/*.c; do echo "$libdir/bitcode/hcguard/src/$(basename "$c" .c).bc"; done
	fi
	echo "$extdir/hcguard.control"
	for f in $data; do echo "$extdir/$f"; done
	printf '%s\n' "$docdir/README.md.gz" "$docdir/changelog.gz" "$docdir/changelog.Debian.gz" "$docdir/copyright"
)
files=$(dpkg-deb --fsys-tarfile "$deb" | tar -t | grep -v '/$' | sed 's|^\./||')
check_eq "the package holds exactly the extension's files and its documents" \
	"$(sort <<<"$expected")" "$(sort <<<"$files")"
check_eq "nothing in /usr/local" "" "$(grep '^usr/local/' <<<"$files")"
check_eq "no SQL edition in the package" "" "$(grep -E 'heroku|hcguard\.sql' <<<"$files")"

root=$work/root
dpkg-deb -x "$deb" "$root" || fatal "dpkg-deb -x failed"
check "hcguard.so is an ELF shared object" \
	test "$(head -c 4 "$root/$libdir/hcguard.so" | od -An -c | tr -d ' ')" = '177ELF'
for f in hcguard.control $data; do
	check "$f in the package is the tree's" cmp -s "$src/$f" "$root/$extdir/$f"
done

say "the package, installed in a temporary root (extension_destdir)"
# (pg_virtualenv -p PACKAGE sets it server-wide; each database here sets
# its own.)
[ "$(q postgres "SELECT count(*) FROM pg_settings WHERE name = 'extension_destdir'")" = 1 ] ||
	fatal "this PostgreSQL has no extension_destdir setting: it is not Debian's"
ok "the server has Debian's extension_destdir setting"

# db_with_root DB ROOT: a database whose sessions read extensions from ROOT.
db_with_root() {
	createdb "$1" || fatal "createdb $1"
	q postgres "ALTER DATABASE $1 SET extension_destdir = '$2'" >/dev/null || fatal "ALTER DATABASE $1"
}

# extension_destdir reads the root's file where there is one and the
# server's otherwise; a copy of the root with marked files shows the first.
marked=$work/marked
cp -a "$root" "$marked" || fatal "cp $root"
sed -i "s/^comment = .*/comment = 'control file from extension_destdir'/" "$marked/$extdir/hcguard.control"
echo "COMMENT ON EXTENSION hcguard IS 'install script from extension_destdir';" >>"$marked/$extdir/hcguard--1.2.sql"
db_with_root pkg_marked "$marked"
check_eq "extension_destdir: the root's control file is read" "control file from extension_destdir" \
	"$(q pkg_marked "SELECT comment FROM pg_available_extensions WHERE name = 'hcguard'" 2>&1)"
check_eq "extension_destdir: the root's install script is run" "install script from extension_destdir" \
	"$(q pkg_marked "CREATE EXTENSION hcguard; SELECT obj_description(oid, 'pg_extension') FROM pg_extension WHERE extname = 'hcguard'" 2>&1 | tail -n 1)"

db_with_root pkg "$root"
check_eq "SHOW extension_destdir in the test database" "$root" "$(q pkg "SHOW extension_destdir")"
q pkg "CREATE EXTENSION hcguard" >/dev/null || fatal "CREATE EXTENSION hcguard from the package failed"
check_eq "extversion" "1.2" "$(q pkg "SELECT extversion FROM pg_extension WHERE extname = 'hcguard'")"

# A Connect schema as the contract defines one (its three system tables)
# and a mapping whose one row Connect's bulk load wrote (_hc_lastop NULL,
# sfid set) with an email.
psql -X -q -v ON_ERROR_STOP=1 -d pkg >/dev/null <<'SQL' || fatal "cannot make the Connect schema"
CREATE SCHEMA salesforce;
CREATE TABLE salesforce._hcmeta (id serial PRIMARY KEY);
CREATE TABLE salesforce._trigger_log (id serial PRIMARY KEY);
CREATE TABLE salesforce._trigger_log_archive (id serial PRIMARY KEY);
CREATE TABLE salesforce.contact (
    id serial PRIMARY KEY,
    sfid varchar(18) UNIQUE,
    _hc_lastop varchar(32),
    _hc_err text,
    email varchar(80)
);
INSERT INTO salesforce.contact (sfid, _hc_lastop, email)
VALUES ('0031x00000AbCdEAAV', NULL, 'ada@example.com');
SQL

# One session: the guard's calls, then the libraries mapped in the backend.
out=$(psql -X -At -v VERBOSITY=sqlstate -d pkg 2>&1 <<'SQL'
SELECT 'email', hcguard_required('salesforce', 'contact', 'email');
SELECT hcguard_required('salesforce', 'contact', 'no_such_field__c');
SELECT DISTINCT 'mapped: ' || substring(line from '(/\S*hcguard\.so)$')
  FROM regexp_split_to_table(pg_read_file('/proc/self/maps'), E'\n') AS line
 WHERE line LIKE '%hcguard.so';
SQL
)
check_eq "hcguard_required('salesforce', 'contact', 'email') is true" "email|t" "$(grep '^email|' <<<"$out")"
check_eq "a missing column fails with SQLSTATE 42703" "ERROR:  42703" "$(grep '^ERROR: ' <<<"$out")"
check_eq "the backend runs the package's hcguard.so" "mapped: $root/$libdir/hcguard.so" \
	"$(grep '^mapped: ' <<<"$out")"

db_with_root pkg_update "$root"
check_eq "1.0, from the package, updates to 1.2" "1.2" \
	"$(q pkg_update "CREATE EXTENSION hcguard VERSION '1.0'; ALTER EXTENSION hcguard UPDATE;
	   SELECT extversion FROM pg_extension WHERE extname = 'hcguard'" 2>&1 | tail -n 1)"

finish
