-- test/sql_edition.sh: every object outside the system schemas, by name,
-- and the settings and privileges an installer could change (run by
-- all_objects, as the superuser).
WITH sys(oid) AS (SELECT oid FROM pg_namespace
                   WHERE nspname IN ('pg_catalog', 'information_schema', 'pg_toast'))
SELECT 'class ' || c.oid::regclass::text || ' ' || c.relkind::text
       || ' owner ' || c.relowner::regrole::text || ' acl ' || coalesce(c.relacl::text, '-')
  FROM pg_class c WHERE c.relnamespace NOT IN (SELECT oid FROM sys)
UNION ALL
SELECT 'function ' || p.oid::regprocedure::text || ' acl ' || coalesce(p.proacl::text, '-')
  FROM pg_proc p WHERE p.pronamespace NOT IN (SELECT oid FROM sys)
UNION ALL
SELECT 'type ' || t.oid::regtype::text FROM pg_type t WHERE t.typnamespace NOT IN (SELECT oid FROM sys)
UNION ALL
SELECT 'schema ' || nspname || ' owner ' || nspowner::regrole::text || ' acl ' || coalesce(nspacl::text, '-')
  FROM pg_namespace
UNION ALL
SELECT 'trigger ' || tgrelid::regclass::text || ' ' || tgname FROM pg_trigger WHERE NOT tgisinternal
UNION ALL
SELECT 'constraint ' || conrelid::regclass::text || ' ' || contypid::regtype::text || ' ' || conname
  FROM pg_constraint WHERE connamespace NOT IN (SELECT oid FROM sys)
UNION ALL
SELECT 'policy ' || polrelid::regclass::text || ' ' || polname FROM pg_policy
UNION ALL
SELECT 'operator ' || o.oid::regoperator::text FROM pg_operator o
 WHERE o.oprnamespace NOT IN (SELECT oid FROM sys)
UNION ALL
SELECT 'extension ' || extname || ' ' || extversion FROM pg_extension
UNION ALL
SELECT 'event trigger ' || evtname FROM pg_event_trigger
UNION ALL
SELECT 'default acl ' || defaclrole::regrole::text || ' ' || defaclobjtype::text || ' ' || defaclacl::text
  FROM pg_default_acl
UNION ALL
SELECT 'setting ' || coalesce(nullif(setrole, 0)::regrole::text, '-') || ' ' || setconfig::text
  FROM pg_db_role_setting
 WHERE setdatabase IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))
UNION ALL
SELECT 'database ' || datname || ' owner ' || datdba::regrole::text || ' acl ' || coalesce(datacl::text, '-')
  FROM pg_database WHERE datname = current_database()
UNION ALL
SELECT 'comments ' || count(*) FROM pg_description
UNION ALL
SELECT 'roles ' || string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles
ORDER BY 1;
