--
-- Setup: the Connect double, the extension from its first version, roles.
--
\set ECHO none
\i test/connect_double.sql
\set ECHO all

-- The suite installs the first released version and upgrades from there,
-- so that every upgrade script is exercised.
CREATE EXTENSION hcguard VERSION '1.0';
ALTER EXTENSION hcguard UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'hcguard';

-- What CREATE EXTENSION installs, as the contract names and types it.
SELECT pg_catalog.pg_describe_object(classid, objid, 0) AS object
  FROM pg_catalog.pg_depend
 WHERE refclassid = 'pg_extension'::regclass
   AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'hcguard')
   AND deptype = 'e'
 ORDER BY 1;

SELECT p.oid::regprocedure AS function, pg_get_function_result(p.oid) AS returns
  FROM pg_proc p
 WHERE p.proname LIKE 'hcguard\_%' AND p.pronamespace = 'public'::regnamespace
 ORDER BY 1;

-- Roles the suite uses: a mapping owner and a member of that role, the role
-- migrations run as (USAGE on the Connect schema and SELECT on its tables),
-- and a stranger.
CREATE ROLE regress_hc_owner;
CREATE ROLE regress_hc_owner_member IN ROLE regress_hc_owner;
CREATE ROLE regress_hc_migrator;
CREATE ROLE regress_hc_stranger;
