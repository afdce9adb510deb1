#!/usr/bin/env bash
# test/standby_sql_edition.sh: test/standby.sh's checks against the SQL
# edition (heroku/hcguard.sql): read-only functions work on a hot standby,
# confirming and revoking fail there with 25006 and change nothing.
# Run by scripts/test as `pg_virtualenv -t -v 15 bash test/standby_sql_edition.sh`.
HCGUARD_EDITION=sql exec bash "$(dirname "$0")/standby.sh"
