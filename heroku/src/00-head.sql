/*
 * hcguard, SQL edition: the same guard as the C extension, in plain SQL and
 * PL/pgSQL, for Heroku Postgres (no custom C extension, no superuser).
 *
 * Install, or upgrade in place (confirmations are kept), as the role that
 * owns the database:
 *
 *     psql "$DATABASE_URL" -X -1 -v ON_ERROR_STOP=1 -f hcguard.sql
 *
 * or run this file as an application's first migration.  It installs into
 * the current schema (normally public), records its version in
 * hcguard.sql_edition, and needs nothing but PL/pgSQL.  Remove it with
 * hcguard-uninstall.sql.  The README's section "How the editions differ"
 * says where this edition differs from the C extension.
 *
 * make assembles this file from heroku/src/, ddl/ (what both editions
 * create) and src/messages.txt (what both editions say): edit those.
 *
 * The file is plain SQL without psql meta-commands, so that migration tools
 * can run it.  It creates no transaction of its own: psql -1 or the
 * migration tool's transaction makes the install all-or-nothing.
 */

-- The installer's two refusals are the only texts not in src/messages.txt:
-- they are said before anything is created, and the C extension never says
-- them.
DO $pre$
BEGIN
    IF pg_catalog.current_schema() IS NULL THEN
        RAISE EXCEPTION USING
            ERRCODE = 'invalid_schema_name',
            MESSAGE = 'no schema has been selected to install hcguard into',
            HINT = 'Set search_path to the schema hcguard should live in (normally public), then run the file again.';
    END IF;
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) 'hcguard') THEN
        RAISE EXCEPTION USING
            ERRCODE = 'duplicate_object',
            MESSAGE = 'the hcguard extension is already installed in this database',
            DETAIL = 'The C extension and the SQL edition define the same functions; a database has one or the other.',
            HINT = 'Keep the extension, or remove it (DROP EXTENSION hcguard) before installing the SQL edition.';
    END IF;
END
$pre$;
