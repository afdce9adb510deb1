/*
 * Removes hcguard's SQL edition, confirmations included: its functions,
 * types and view from the schema it was installed into (found on the
 * search_path, as the install found it), and its own schema, hcguard:
 *
 *     psql "$DATABASE_URL" -X -1 -v ON_ERROR_STOP=1 -f hcguard-uninstall.sql
 *
 * Heroku Connect's schemas and tables are not touched.
 */
DO $uninstall$
DECLARE
    nsp oid := (SELECT p.pronamespace FROM pg_catalog.pg_proc p
                 WHERE p.oid OPERATOR(pg_catalog.=)
                       pg_catalog.to_regprocedure('hcguard_required(text, text, text)'));
    f regprocedure;
BEGIN
    IF nsp IS NULL THEN
        RAISE EXCEPTION USING
            ERRCODE = 'undefined_table',
            MESSAGE = 'hcguard''s SQL edition is not installed in a schema on the search_path',
            HINT = 'Set search_path to the schema it was installed into, then run the file again.';
    END IF;
    EXECUTE pg_catalog.format('DROP VIEW IF EXISTS %1$s.hcguard_confirmations, %1$s.hcguard_declarations,'
                              ' %1$s.hcguard_connect_state',
                              nsp::pg_catalog.regnamespace);
    -- hcguard's own schema, which holds nothing but hcguard's tables (not
    -- CASCADE: whatever else someone put there stays, with the schema)
    DROP TABLE IF EXISTS hcguard.confirmation_store, hcguard.declaration_store, hcguard.connect_snapshot,
                         hcguard.connect_mapping_state, hcguard.sql_edition;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_class c
                    WHERE c.relnamespace OPERATOR(pg_catalog.=) pg_catalog.to_regnamespace('hcguard')) THEN
        DROP SCHEMA IF EXISTS hcguard;
    END IF;
    FOR f IN SELECT p.oid FROM pg_catalog.pg_proc p
              WHERE p.pronamespace OPERATOR(pg_catalog.=) nsp
                AND p.proname OPERATOR(pg_catalog.~~) 'hcguard\_%'
    LOOP
        EXECUTE pg_catalog.format('DROP FUNCTION IF EXISTS %s CASCADE', f);
    END LOOP;
    EXECUTE pg_catalog.format('DROP TYPE IF EXISTS %1$s.hcguard_status_row, %1$s.hcguard_mapping_row,'
                              ' %1$s.hcguard__verdict, %1$s.hcguard__report CASCADE',
                              nsp::pg_catalog.regnamespace);
END
$uninstall$;
