/*
 * Removes hcguard's SQL edition, confirmations included, from the schema it
 * was installed into (found on the search_path, as the install found it):
 *
 *     psql "$DATABASE_URL" -X -1 -v ON_ERROR_STOP=1 -f hcguard-uninstall.sql
 *
 * Heroku Connect's schemas and tables are not touched.
 */
DO $uninstall$
DECLARE
    nsp oid := (SELECT c.relnamespace FROM pg_catalog.pg_class c
                 WHERE c.oid OPERATOR(pg_catalog.=) pg_catalog.to_regclass('hcguard_sql_edition'));
    f regprocedure;
BEGIN
    IF nsp IS NULL THEN
        RAISE EXCEPTION USING
            ERRCODE = 'undefined_table',
            MESSAGE = 'hcguard''s SQL edition is not installed in a schema on the search_path',
            HINT = 'Set search_path to the schema it was installed into, then run the file again.';
    END IF;
    EXECUTE pg_catalog.format('DROP VIEW IF EXISTS %s.hcguard_confirmations', nsp::pg_catalog.regnamespace);
    EXECUTE pg_catalog.format('DROP TABLE IF EXISTS %1$s.hcguard_confirmation_store, %1$s.hcguard_sql_edition',
                              nsp::pg_catalog.regnamespace);
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
