/* hcguard--1.0.sql: the guard a migration calls */

\echo Use "CREATE EXTENSION hcguard" to load this file. \quit

/*
 * Confirmations: someone verified in Connect's dashboard that a mapping or a
 * field finished syncing although the data cannot show it (an object with no
 * records, a field empty in Salesforce).
 *
 * relid and attnum pin the confirmation to the very table and column that
 * existed when it was made: Connect drops and re-adds columns and tables, and
 * a confirmation must not survive into a new column of the same name.  They
 * are filled by the BEFORE INSERT trigger from the names, so that a restore
 * (pg_dump only dumps the rows that still count, see below) binds the rows to
 * the restored objects.
 */
CREATE TABLE hcguard_confirmation_store (
    schema_name  name NOT NULL,
    table_name   name NOT NULL,
    column_name  name NOT NULL DEFAULT '',   -- '' confirms the mapping itself
    relid        oid,
    attnum       int2,
    confirmed_by name NOT NULL,
    confirmed_at timestamptz NOT NULL,
    note         text,
    PRIMARY KEY (schema_name, table_name, column_name)
);
REVOKE ALL ON hcguard_confirmation_store FROM PUBLIC;

CREATE FUNCTION hcguard_confirmation_bind()
RETURNS trigger
AS 'MODULE_PATHNAME', 'hcguard_confirmation_bind'
LANGUAGE C;

CREATE TRIGGER hcguard_confirmation_bind
    BEFORE INSERT ON hcguard_confirmation_store
    FOR EACH ROW EXECUTE FUNCTION hcguard_confirmation_bind();

-- Whether a stored confirmation still names the object it was made for.
CREATE FUNCTION hcguard_confirmation_counts(relid oid, attnum int2,
                                            schema_name name, table_name name,
                                            column_name name)
RETURNS boolean
AS 'MODULE_PATHNAME', 'hcguard_confirmation_counts'
LANGUAGE C STABLE PARALLEL SAFE;

-- pg_dump keeps the confirmations that count, and only those.  The filter
-- runs in every pg_dump, superusers' included, with search_path empty: it
-- names nothing outside pg_catalog, so that no one who can create objects in
-- the extension's schema can plant code for a dump to run.  It says in SQL
-- what hcguard_confirmation_counts says in C.
SELECT pg_catalog.pg_extension_config_dump('hcguard_confirmation_store', $filter$
 WHERE EXISTS (
    SELECT FROM pg_catalog.pg_class c, pg_catalog.pg_namespace n
     WHERE c.oid OPERATOR(pg_catalog.=) hcguard_confirmation_store.relid
       AND n.oid OPERATOR(pg_catalog.=) c.relnamespace
       AND c.relname OPERATOR(pg_catalog.=) hcguard_confirmation_store.table_name
       AND n.nspname OPERATOR(pg_catalog.=) hcguard_confirmation_store.schema_name)
   AND ((hcguard_confirmation_store.attnum OPERATOR(pg_catalog.=) 0
         AND hcguard_confirmation_store.column_name OPERATOR(pg_catalog.=) ''::pg_catalog.name)
        OR EXISTS (
    SELECT FROM pg_catalog.pg_attribute a
     WHERE a.attrelid OPERATOR(pg_catalog.=) hcguard_confirmation_store.relid
       AND a.attnum OPERATOR(pg_catalog.=) hcguard_confirmation_store.attnum
       AND NOT a.attisdropped
       AND a.attname OPERATOR(pg_catalog.=) hcguard_confirmation_store.column_name))
$filter$);

CREATE VIEW hcguard_confirmations AS
    SELECT s.schema_name::text AS schema_name,
           s.table_name::text AS table_name,
           NULLIF(s.column_name::text, '') AS column_name,
           s.confirmed_by::text AS confirmed_by,
           s.confirmed_at,
           s.note,
           @extschema@.hcguard_confirmation_counts(s.relid, s.attnum,
               s.schema_name, s.table_name, s.column_name) AS counts
      FROM @extschema@.hcguard_confirmation_store s;
GRANT SELECT ON hcguard_confirmations TO PUBLIC;

CREATE FUNCTION hcguard_required(schema_name text, table_name text,
                                 column_name text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'hcguard_required_column'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION hcguard_required(schema_name text, table_name text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'hcguard_required_table'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION hcguard_required(schema_name text, table_name text,
                                 VARIADIC column_names text[])
RETURNS boolean
AS 'MODULE_PATHNAME', 'hcguard_required_columns'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

-- OUT parameters cannot share the input parameters' names, hence a type.
CREATE TYPE hcguard_status_row AS (
    schema_name    text,
    table_name     text,
    column_name    text,
    connect_schema boolean,
    mapped         boolean,
    synced         boolean,
    evidence       text,
    problem        text,
    hint           text
);

CREATE FUNCTION hcguard_status(schema_name text, table_name text,
                               column_name text DEFAULT NULL)
RETURNS hcguard_status_row
AS 'MODULE_PATHNAME', 'hcguard_status'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION hcguard_confirm_synced(schema_name text, table_name text,
                                       column_name text DEFAULT NULL,
                                       note text DEFAULT NULL)
RETURNS void
AS 'MODULE_PATHNAME', 'hcguard_confirm_synced'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION hcguard_revoke_confirmation(schema_name text,
                                            table_name text,
                                            column_name text DEFAULT NULL)
RETURNS boolean
AS 'MODULE_PATHNAME', 'hcguard_revoke_confirmation'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
