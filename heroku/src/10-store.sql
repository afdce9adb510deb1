/*
 * Confirmations, as in the C extension: relid and attnum pin a confirmation
 * to the table and column that existed when it was made, so that one does
 * not survive into a new column of the same name.  The BEFORE trigger binds
 * them from the names.
 *
 * Without a superuser, functions cannot write here on behalf of a caller
 * whose rights they have checked (a SECURITY DEFINER function cannot tell
 * who called it).  So the table is open to everyone's writes, and its
 * trigger enforces what hcguard_confirm_synced promises: only whoever may
 * ALTER a mapping writes its confirmations, under their own name and the
 * current time.
 */
REVOKE ALL ON hcguard.confirmation_store FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON hcguard.confirmation_store TO PUBLIC;

/*
 * Internal objects (names starting hcguard__) are dropped and created again
 * on every run, so that an upgrade replaces them whatever they were; the
 * public ones are replaced in place, keeping grants and dependent objects.
 */
DO $drop$
DECLARE
    f regprocedure;
    t regtype;
BEGIN
    FOR t IN SELECT y.oid FROM pg_catalog.pg_type y
              WHERE y.typnamespace OPERATOR(pg_catalog.=) pg_catalog.current_schema()::pg_catalog.regnamespace
                AND y.typname OPERATOR(pg_catalog.=) ANY ('{hcguard__verdict,hcguard__report}'::pg_catalog.name[])
    LOOP
        EXECUTE pg_catalog.format('DROP TYPE %s CASCADE', t);
    END LOOP;
    FOR f IN SELECT p.oid FROM pg_catalog.pg_proc p
              WHERE p.pronamespace OPERATOR(pg_catalog.=) pg_catalog.current_schema()::pg_catalog.regnamespace
                AND p.proname OPERATOR(pg_catalog.~~) 'hcguard\_\_%'
    LOOP
        EXECUTE pg_catalog.format('DROP FUNCTION %s CASCADE', f);
    END LOOP;
END
$drop$;
