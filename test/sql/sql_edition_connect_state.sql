-- test/sql_edition.sh: Connect's tables, their columns, triggers, row counts
-- and contents, and the migrations' objects (run by connect_state, as the
-- superuser).
SELECT c.oid::regclass::text || ' ' || c.relkind::text || ' '
       || (SELECT string_agg(a.attname || ':' || format_type(a.atttypid, a.atttypmod), ',' ORDER BY a.attnum)
             FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)
       || ' triggers ' || coalesce((SELECT string_agg(t.tgname, ',' ORDER BY t.tgname)
                                      FROM pg_trigger t WHERE t.tgrelid = c.oid), '-')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname IN ('salesforce', 'public', 'hcdouble') AND c.relname !~ 'hcguard'
 ORDER BY 1;
SELECT 'function ' || p.oid::regprocedure::text FROM pg_proc p
 WHERE p.pronamespace IN ('salesforce'::regnamespace, 'public'::regnamespace, 'hcdouble'::regnamespace)
   AND p.proname !~ 'hcguard' ORDER BY 1;
SELECT 'rows ' || tbl || ' ' || array_to_string(xpath('/row/*/text()',
       query_to_xml(format('SELECT count(*) AS n, md5(coalesce(string_agg(t::text, %L ORDER BY t::text), %L)) AS m FROM %s t',
                           ',', '', tbl), false, false, '')), ' ')
  FROM unnest(ARRAY['salesforce.contact', 'salesforce.account', 'salesforce.campaign',
                    'salesforce.lead', 'salesforce._hcmeta', 'salesforce._trigger_log',
                    'salesforce._trigger_log_archive', 'salesforce._sf_event_log',
                    'public.schema_migrations', 'public.contact_email_optouts',
                    'public.tier_channel_rules']) AS tbl
 WHERE to_regclass(tbl) IS NOT NULL
 ORDER BY 1;
SELECT 'view ' || c.oid::regclass::text || ' ' || md5(pg_get_viewdef(c.oid))
  FROM pg_class c WHERE c.relkind = 'v' AND c.relnamespace = 'public'::regnamespace
   AND c.relname !~ 'hcguard' ORDER BY 1;
SELECT 'extensions ' || string_agg(extname, ',' ORDER BY extname) FROM pg_extension;
