--
-- Setup: what every file of the suite runs with.  The Makefile's regress-db
-- (test/fixtures/prepare.sql) put it in this database before pg_regress
-- started, so that any file also runs alone: the Connect double, the
-- extension, roles.  This file checks it.
--

-- The suite installs the first released version and upgrades from there,
-- so that every upgrade script is exercised.  The preparation did; this file
-- does it again, from nothing, to show it.
DROP EXTENSION hcguard;
CREATE EXTENSION hcguard VERSION '1.0';
ALTER EXTENSION hcguard UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'hcguard';

-- What CREATE EXTENSION installs, as the contract names and types it.
-- PostgreSQL 17 and later also list the types that come with a table, a
-- view or a type (its row type, its array type): left out, so that the
-- list is the same on every version.
SELECT pg_catalog.pg_describe_object(d.classid, d.objid, 0) AS object
  FROM pg_catalog.pg_depend d
 WHERE d.refclassid = 'pg_extension'::regclass
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'hcguard')
   AND d.deptype = 'e'
   AND NOT EXISTS (SELECT FROM pg_type t
                    WHERE d.classid = 'pg_type'::regclass AND t.oid = d.objid
                      AND (t.typcategory = 'A'
                           OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) <> 'c'))
 ORDER BY 1;

SELECT p.oid::regprocedure AS function, pg_get_function_result(p.oid) AS returns
  FROM pg_proc p
 WHERE p.proname LIKE 'hcguard\_%' AND p.pronamespace = 'public'::regnamespace
 ORDER BY 1;

-- Roles the suite uses: a mapping owner and a member of that role, the role
-- migrations run as (USAGE on the Connect schema and SELECT on its tables),
-- and a stranger.  None is a superuser or holds any setting.
SELECT r.rolname, r.rolsuper, r.rolinherit, r.rolcanlogin,
       ARRAY(SELECT m.roleid::regrole::text FROM pg_auth_members m
              WHERE m.member = r.oid ORDER BY 1) AS member_of,
       (SELECT count(*) FROM pg_db_role_setting s WHERE s.setrole = r.oid) AS settings
  FROM pg_roles r
 WHERE r.rolname IN ('regress_hc_owner', 'regress_hc_owner_member',
                     'regress_hc_migrator', 'regress_hc_stranger')
 ORDER BY 1;

-- The Connect double is loaded, and no Connect schema exists yet.
SELECT count(*) > 0 AS double_loaded FROM pg_proc WHERE pronamespace = 'hcdouble'::regnamespace;
SELECT count(*) AS connect_schemas FROM pg_class WHERE relname = '_hcmeta';
