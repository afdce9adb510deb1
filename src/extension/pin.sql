-- The PL/pgSQL both editions share runs with search_path pinned to
-- pg_catalog and this schema, whatever the caller's, as the SQL edition's
-- functions do: its public functions, its trigger, and the function the view
-- hcguard_declarations reads.  (Internal ones run from those, or from C with
-- search_path pinned for the call.)
DO $pin$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN SELECT p.oid FROM pg_catalog.pg_proc p
              WHERE p.pronamespace OPERATOR(pg_catalog.=) '@extschema@'::pg_catalog.regnamespace
                AND p.prolang OPERATOR(pg_catalog.<>) (SELECT l.oid FROM pg_catalog.pg_language l
                                                        WHERE l.lanname OPERATOR(pg_catalog.=) 'c')
                AND (p.proname OPERATOR(pg_catalog.!~~) 'hcguard\_\_%'
                     OR p.prorettype OPERATOR(pg_catalog.=) 'pg_catalog.trigger'::pg_catalog.regtype
                     OR p.proname OPERATOR(pg_catalog.=) 'hcguard__declarations')
    LOOP
        EXECUTE pg_catalog.format('ALTER FUNCTION %s SET search_path = pg_catalog, %s, pg_temp',
                                  f, '@extschema@');
    END LOOP;
END
$pin$;
