# Sourced by the scripts: the PostgreSQL 15 tools, and building and
# installing hcguard into that server.
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
export PG_CONFIG
PATH="$($PG_CONFIG --bindir):$PATH"
export PATH

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

# Builds with warnings as errors and installs into the server's directories,
# after removing the install scripts an earlier build left there: the
# versions the server offers must be this repository's (test/upgrade.sh).
build_and_install() {
	make -s clean >/dev/null
	make -s PG_CONFIG="$PG_CONFIG" || return 1
	$sudo rm -f "$($PG_CONFIG --sharedir)/extension/hcguard--"*.sql
	$sudo make -s install PG_CONFIG="$PG_CONFIG" >/dev/null
}
