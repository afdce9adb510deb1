-- test/sql_edition.sh: every object named hcguard%, with what defines it
-- (run by hcguard_objects, as the superuser).
WITH rels AS (SELECT oid FROM pg_class WHERE relname LIKE 'hcguard%')
SELECT 'function ' || p.oid::regprocedure::text
       || ' returns ' || pg_get_function_result(p.oid)
       || ' args ' || pg_get_function_arguments(p.oid)
       || ' lang ' || l.lanname || ' vol ' || p.provolatile::text
       || ' strict ' || p.proisstrict || ' secdef ' || p.prosecdef
       || ' leakproof ' || p.proleakproof || ' parallel ' || p.proparallel::text
       || ' cost ' || p.procost || ' rows ' || p.prorows
       || ' config ' || coalesce(p.proconfig::text, '-')
       || ' owner ' || p.proowner::regrole::text
       || ' acl ' || coalesce(p.proacl::text, '-')
       || ' body ' || md5(p.prosrc)
       || ' comment ' || coalesce(md5(obj_description(p.oid, 'pg_proc')), '-')
  FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
 WHERE p.proname LIKE 'hcguard%'
UNION ALL
SELECT 'relation ' || c.oid::regclass::text || ' kind ' || c.relkind::text
       || ' owner ' || c.relowner::regrole::text
       || ' acl ' || coalesce(c.relacl::text, '-')
       || ' options ' || coalesce(c.reloptions::text, '-')
       || ' rls ' || c.relrowsecurity || '/' || c.relforcerowsecurity
       || ' persistence ' || c.relpersistence::text
       || ' view ' || coalesce(md5(pg_get_viewdef(c.oid)), '-')
       || ' comment ' || coalesce(md5(obj_description(c.oid, 'pg_class')), '-')
  FROM pg_class c WHERE c.oid IN (SELECT oid FROM rels)
UNION ALL
SELECT 'column ' || a.attrelid::regclass::text || ' #'
       || row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum)
       || ' ' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
       || ' notnull ' || a.attnotnull || ' identity ' || a.attidentity::text
       || ' generated ' || a.attgenerated::text
       || ' default ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '-')
       || ' acl ' || coalesce(a.attacl::text, '-')
  FROM pg_attribute a
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE a.attrelid IN (SELECT oid FROM rels) AND a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' '
       || pg_get_constraintdef(oid)
  FROM pg_constraint WHERE conrelid IN (SELECT oid FROM rels)
UNION ALL
SELECT 'index ' || pg_get_indexdef(indexrelid)
  FROM pg_index WHERE indrelid IN (SELECT oid FROM rels)
UNION ALL
SELECT 'trigger ' || pg_get_triggerdef(oid) || ' enabled ' || tgenabled::text
  FROM pg_trigger WHERE NOT tgisinternal
   AND (tgrelid IN (SELECT oid FROM rels) OR tgname LIKE 'hcguard%')
UNION ALL
SELECT 'policy ' || polrelid::regclass::text || ' ' || polname
  FROM pg_policy WHERE polrelid IN (SELECT oid FROM rels) OR polname LIKE 'hcguard%'
UNION ALL
SELECT 'type ' || t.oid::regtype::text || ' ' || t.typtype::text
       || ' owner ' || t.typowner::regrole::text || ' acl ' || coalesce(t.typacl::text, '-')
  FROM pg_type t WHERE t.typname LIKE 'hcguard%' OR t.typname LIKE '\_hcguard%'
UNION ALL
SELECT 'schema ' || nspname FROM pg_namespace WHERE nspname LIKE 'hcguard%'
UNION ALL
SELECT 'extension ' || extname FROM pg_extension WHERE extname LIKE 'hcguard%'
ORDER BY 1;
