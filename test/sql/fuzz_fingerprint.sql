-- test/fuzz.sh: fuzz_harness.fingerprint(), a digest of everything but
-- hcguard's confirmation store, taken before and after the barrage.
CREATE OR REPLACE FUNCTION fuzz_harness.fingerprint()
RETURNS TABLE (part text, digest text)
LANGUAGE plpgsql AS $fp$
DECLARE
    r record;
    d text;
BEGIN
    part := 'relations';
    SELECT md5(string_agg(format('%s.%s %s %s %s %s %s', n.nspname, c.relname, c.relkind,
                                 c.relnatts, c.relowner::regrole, c.relacl, c.relrowsecurity),
                          E'\n' ORDER BY n.nspname, c.relname))
      INTO digest
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relpersistence <> 't' AND n.nspname <> 'fuzz_harness';
    RETURN NEXT;
    part := 'columns';
    SELECT md5(string_agg(format('%s %s %s %s %s %s', a.attrelid::regclass, a.attnum,
                                 a.attname, a.atttypid::regtype, a.attisdropped, a.attacl),
                          E'\n' ORDER BY a.attrelid::regclass::text, a.attnum))
      INTO digest
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'fuzz_harness')
       AND c.relpersistence <> 't';
    RETURN NEXT;
    part := 'functions';
    SELECT md5(string_agg(format('%s %s %s %s', p.oid::regprocedure, p.proowner::regrole,
                                 p.proacl, md5(p.prosrc)),
                          E'\n' ORDER BY p.oid::regprocedure::text))
      INTO digest
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'fuzz_harness');
    RETURN NEXT;
    part := 'schemas, roles, settings';
    SELECT md5(concat_ws(E'\n',
        (SELECT string_agg(format('%s %s %s', nspname, nspowner::regrole, nspacl), ',' ORDER BY nspname)
           FROM pg_namespace WHERE nspname !~ '^pg_(temp|toast_temp)'),
        (SELECT string_agg(format('%s %s %s %s', rolname, rolsuper, rolcreaterole, rolcanlogin), ',' ORDER BY rolname)
           FROM pg_roles),
        (SELECT string_agg(format('%s %s', roleid, member), ',' ORDER BY roleid, member)
           FROM pg_auth_members),
        (SELECT string_agg(format('%s %s %s', setdatabase, setrole, setconfig), ',' ORDER BY setdatabase, setrole)
           FROM pg_db_role_setting),
        (SELECT string_agg(format('%s %s %s', tgrelid::regclass, tgname, tgenabled), ',' ORDER BY 1)
           FROM pg_trigger),
        (SELECT string_agg(format('%s %s %s', polrelid::regclass, polname, pg_get_expr(polqual, polrelid)), ',' ORDER BY 1)
           FROM pg_policy),
        (SELECT string_agg(format('%s %s', extname, extversion), ',' ORDER BY extname)
           FROM pg_extension),
        (SELECT string_agg(format('%s %s', datname, datacl), ',' ORDER BY datname)
           FROM pg_database)))
      INTO digest;
    RETURN NEXT;
    -- the content of every table and sequence but the stores: hcguard's
    -- own writes (confirmations; declarations, which every guard that
    -- returns may record)
    FOR r IN SELECT c.oid::regclass AS rel, c.relkind
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE c.relkind IN ('r', 'S') AND c.relpersistence <> 't'
                AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'fuzz_harness')
                AND NOT (n.nspname = 'hcguard' AND c.relname IN ('confirmation_store', 'declaration_store'))
              ORDER BY 1
    LOOP
        IF r.relkind = 'S' THEN
            EXECUTE format('SELECT md5(last_value || '' '' || is_called) FROM %s', r.rel) INTO d;
        ELSE
            EXECUTE format('SELECT md5(coalesce(string_agg(t::text, E''\n'' ORDER BY t::text), '''')) FROM %s t',
                           r.rel) INTO d;
        END IF;
        part := 'content of ' || r.rel::text;
        digest := d;
        RETURN NEXT;
    END LOOP;
END
$fp$;
