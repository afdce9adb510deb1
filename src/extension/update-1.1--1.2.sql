/* hcguard--1.1--1.2.sql: hcguard's own schema */

\echo Use "ALTER EXTENSION hcguard UPDATE TO '1.2'" to load this file. \quit

-- hcguard's tables move into a schema of their own, so that the tools that
-- dump or diff the application's schema never see them (ddl/schema.sql).
-- The confirmations move with their table; the view and the functions find
-- it there.
CREATE SCHEMA hcguard;
COMMENT ON SCHEMA hcguard IS 'hcguard''s own tables: confirmations, declarations, Connect''s state (managed by hcguard; do not edit)';
GRANT USAGE ON SCHEMA hcguard TO PUBLIC;

ALTER TABLE hcguard_confirmation_store SET SCHEMA hcguard;
ALTER TABLE hcguard.hcguard_confirmation_store RENAME TO confirmation_store;
ALTER INDEX hcguard.hcguard_confirmation_store_pkey RENAME TO confirmation_store_pkey;

-- pg_dump's filter names the table's columns through its name.
SELECT pg_catalog.pg_extension_config_dump('hcguard.confirmation_store', $filter$
 WHERE EXISTS (
    SELECT FROM pg_catalog.pg_class c, pg_catalog.pg_namespace n
     WHERE c.oid OPERATOR(pg_catalog.=) confirmation_store.relid
       AND n.oid OPERATOR(pg_catalog.=) c.relnamespace
       AND c.relname OPERATOR(pg_catalog.=) confirmation_store.table_name
       AND n.nspname OPERATOR(pg_catalog.=) confirmation_store.schema_name)
   AND ((confirmation_store.attnum OPERATOR(pg_catalog.=) 0
         AND confirmation_store.column_name OPERATOR(pg_catalog.=) ''::pg_catalog.name)
        OR EXISTS (
    SELECT FROM pg_catalog.pg_attribute a
     WHERE a.attrelid OPERATOR(pg_catalog.=) confirmation_store.relid
       AND a.attnum OPERATOR(pg_catalog.=) confirmation_store.attnum
       AND NOT a.attisdropped
       AND a.attname OPERATOR(pg_catalog.=) confirmation_store.column_name))
$filter$);

-- The view, as a fresh install creates it (ddl/confirmations_view.sql).
CREATE OR REPLACE VIEW hcguard_confirmations AS
    SELECT s.schema_name::text AS schema_name,
           s.table_name::text AS table_name,
           NULLIF(s.column_name::text, '') AS column_name,
           s.confirmed_by::text AS confirmed_by,
           s.confirmed_at,
           s.note,
           @extschema@.hcguard_confirmation_counts(s.relid, s.attnum,
               s.schema_name, s.table_name, s.column_name) AS counts
      FROM hcguard.confirmation_store s;
