#!/usr/bin/env bash
# test/fuzz_sql_edition.sh: test/fuzz.sh's randomized barrage against the
# SQL edition (heroku/hcguard.sql): 50,000 calls in two sessions, only the
# contract's SQLSTATEs, no crash, nothing changed but the confirmation
# store, no lock left behind.
# Run by scripts/test as `pg_virtualenv -t -v 15 bash test/fuzz_sql_edition.sh`.
HCGUARD_EDITION=sql exec bash "$(dirname "$0")/fuzz.sh"
