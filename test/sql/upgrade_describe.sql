-- test/upgrade.sh: the extension's objects, described without OIDs, one
-- line each; a database upgraded to a version must list what a fresh
-- CREATE EXTENSION of it lists.
WITH ext AS (SELECT oid FROM pg_extension WHERE extname = 'hcguard'),
member AS (
    SELECT d.classid, d.objid, d.objsubid FROM pg_depend d, ext
     WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'),
rel AS (
    -- member relations, and the relations behind member composite types
    SELECT objid AS relid FROM member WHERE classid = 'pg_class'::regclass
    UNION
    SELECT t.typrelid FROM member m JOIN pg_type t ON t.oid = m.objid
     WHERE m.classid = 'pg_type'::regclass AND t.typrelid <> 0),
line AS (
    SELECT 'extension ' || concat_ws(' | ', e.extname, e.extversion,
               'relocatable=' || e.extrelocatable, 'schema=' || n.nspname,
               'config=' || (SELECT string_agg(c::regclass::text, ',' ORDER BY c::regclass::text)
                               FROM unnest(e.extconfig) c),
               'condition=' || array_to_string(e.extcondition, ',')) AS l
      FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace, ext
     WHERE e.oid = ext.oid
    UNION ALL
    SELECT 'member ' || pg_describe_object(classid, objid, objsubid) FROM member
    UNION ALL
    SELECT 'function ' || concat_ws(' | ', p.oid::regprocedure::text,
               'args=' || pg_get_function_arguments(p.oid),
               'returns=' || pg_get_function_result(p.oid),
               'language=' || l.lanname, 'kind=' || p.prokind::text,
               'volatile=' || p.provolatile::text, 'strict=' || p.proisstrict,
               'security_definer=' || p.prosecdef, 'leakproof=' || p.proleakproof,
               'parallel=' || p.proparallel::text, 'cost=' || p.procost, 'rows=' || p.prorows,
               'src=' || p.prosrc, 'bin=' || coalesce(p.probin, '-'),
               'config=' || coalesce(array_to_string(p.proconfig, ','), '-'),
               'acl=' || coalesce(p.proacl::text, '-'),
               'comment=' || coalesce(obj_description(p.oid, 'pg_proc'), '-'))
      FROM member m JOIN pg_proc p ON p.oid = m.objid JOIN pg_language l ON l.oid = p.prolang
     WHERE m.classid = 'pg_proc'::regclass
    UNION ALL
    SELECT 'type ' || concat_ws(' | ', t.oid::regtype::text, 'typtype=' || t.typtype::text,
               'comment=' || coalesce(obj_description(t.oid, 'pg_type'), '-'))
      FROM member m JOIN pg_type t ON t.oid = m.objid
     WHERE m.classid = 'pg_type'::regclass
    UNION ALL
    SELECT 'relation ' || concat_ws(' | ', c.oid::regclass::text, 'kind=' || c.relkind::text,
               'persistence=' || c.relpersistence::text,
               'acl=' || coalesce(c.relacl::text, '-'),
               'options=' || coalesce(array_to_string(c.reloptions, ','), '-'),
               'rowsecurity=' || c.relrowsecurity,
               'view=' || coalesce(CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END, '-'),
               'comment=' || coalesce(obj_description(c.oid, 'pg_class'), '-'))
      FROM rel JOIN pg_class c ON c.oid = rel.relid
    UNION ALL
    SELECT 'column ' || concat_ws(' | ', a.attrelid::regclass::text,
               lpad(a.attnum::text, 3, '0'), a.attname, format_type(a.atttypid, a.atttypmod),
               'notnull=' || a.attnotnull, 'dropped=' || a.attisdropped,
               'default=' || coalesce(pg_get_expr(d.adbin, d.adrelid), '-'),
               'identity=' || a.attidentity::text, 'generated=' || a.attgenerated::text,
               'collation=' || coalesce((SELECT collname FROM pg_collation WHERE oid = a.attcollation), '-'),
               'acl=' || coalesce(a.attacl::text, '-'),
               'comment=' || coalesce(col_description(a.attrelid, a.attnum), '-'))
      FROM rel JOIN pg_attribute a ON a.attrelid = rel.relid
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE a.attnum > 0
    UNION ALL
    SELECT 'index ' || i.indrelid::regclass::text || ' | ' || pg_get_indexdef(i.indexrelid)
             || ' | primary=' || i.indisprimary || ' | unique=' || i.indisunique
      FROM rel JOIN pg_index i ON i.indrelid = rel.relid
    UNION ALL
    SELECT 'constraint ' || concat_ws(' | ', co.conrelid::regclass::text, co.conname,
               pg_get_constraintdef(co.oid))
      FROM rel JOIN pg_constraint co ON co.conrelid = rel.relid
    UNION ALL
    SELECT 'trigger ' || pg_get_triggerdef(tg.oid) || ' | enabled=' || tg.tgenabled::text
      FROM rel JOIN pg_trigger tg ON tg.tgrelid = rel.relid
     WHERE NOT tg.tgisinternal
    UNION ALL
    SELECT 'policy ' || concat_ws(' | ', po.polrelid::regclass::text, po.polname)
      FROM rel JOIN pg_policy po ON po.polrelid = rel.relid
    UNION ALL
    SELECT 'rule ' || pg_get_ruledef(ru.oid)
      FROM rel JOIN pg_rewrite ru ON ru.ev_class = rel.relid)
SELECT l FROM line ORDER BY l COLLATE "C";
