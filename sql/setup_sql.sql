--
-- Setup for the SQL edition's run of the suite: what every file runs with.
-- The Makefile's regress-db-sql (test/fixtures/prepare.sql) put it in this
-- database before pg_regress started, so that any file also runs alone: the
-- Connect double, the edition installed as on Heroku Postgres (by the
-- database's owner, who is not a superuser, with plain psql -f), roles.
-- This file checks it.  The other files are the C extension's, unchanged.
--
SELECT pg_get_userbyid(datdba) AS database_owner FROM pg_database
 WHERE datname = current_database();
SET ROLE regress_hc_dbowner;
SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user;
-- The preparation installed it; here it is removed and installed again as
-- the owner, from nothing, to show it.
\set ECHO none
SET client_min_messages = warning;
\i heroku/hcguard-uninstall.sql
\i heroku/hcguard.sql
-- installing again upgrades in place
\i heroku/hcguard.sql
RESET client_min_messages;
\set ECHO all
RESET ROLE;
SELECT version FROM hcguard.sql_edition;

-- It needs no extension, and is all PL/pgSQL and SQL.
SELECT extname FROM pg_extension ORDER BY 1;
SELECT l.lanname, count(*) > 0 AS functions
  FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
 WHERE p.proname LIKE 'hcguard%'
 GROUP BY 1 ORDER BY 1;

-- What it installs, as the contract names and types it.
SELECT p.oid::regprocedure AS function, pg_get_function_result(p.oid) AS returns
  FROM pg_proc p
 WHERE p.proname LIKE 'hcguard\_%' AND p.proname NOT LIKE 'hcguard\_\_%'
   AND p.pronamespace = 'public'::regnamespace
 ORDER BY 1::text;
SELECT c.relname, c.relkind, pg_get_userbyid(c.relowner) AS owner
  FROM pg_class c
 WHERE c.relname LIKE 'hcguard%' AND c.relnamespace = 'public'::regnamespace
 ORDER BY 1::text;

-- Every function a user or the executor calls runs with search_path
-- pinned; the internal ones (hcguard__*) are only called from those, and
-- stay unpinned so that their plans survive hcguard's subtransactions.
SELECT p.proname, p.proconfig FROM pg_proc p
 WHERE p.proname LIKE 'hcguard%' AND p.proconfig IS NOT NULL
 GROUP BY 1, 2 ORDER BY 1;
SELECT count(*) AS unpinned_entry_points FROM pg_proc
 WHERE proname LIKE 'hcguard%' AND proname NOT LIKE 'hcguard\_\_%' AND proconfig IS NULL;

-- Roles the suite uses: a mapping owner and a member of that role, the role
-- migrations run as (USAGE on the Connect schema and SELECT on its tables),
-- and a stranger; and the database's owner.  None is a superuser or holds
-- any setting.
SELECT r.rolname, r.rolsuper, r.rolinherit, r.rolcanlogin,
       ARRAY(SELECT m.roleid::regrole::text FROM pg_auth_members m
              WHERE m.member = r.oid ORDER BY 1) AS member_of,
       (SELECT count(*) FROM pg_db_role_setting s WHERE s.setrole = r.oid) AS settings
  FROM pg_roles r
 WHERE r.rolname IN ('regress_hc_owner', 'regress_hc_owner_member',
                     'regress_hc_migrator', 'regress_hc_stranger', 'regress_hc_dbowner')
 ORDER BY 1;

-- The Connect double is loaded, and no Connect schema exists yet.
SELECT count(*) > 0 AS double_loaded FROM pg_proc WHERE pronamespace = 'hcdouble'::regnamespace;
SELECT count(*) AS connect_schemas FROM pg_class WHERE relname = '_hcmeta';
