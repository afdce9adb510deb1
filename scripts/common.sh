# Sourced by the scripts: the PostgreSQL 15 tools, and building and
# installing hcguard into that server.
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
export PG_CONFIG
PATH="$($PG_CONFIG --bindir):$PATH"
export PATH

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

# Builds with warnings as errors and installs into the server's directories.
build_and_install() {
	make -s clean >/dev/null
	make -s PG_CONFIG="$PG_CONFIG" && $sudo make -s install PG_CONFIG="$PG_CONFIG" >/dev/null
}
