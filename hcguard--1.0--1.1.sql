/* hcguard--1.0--1.1.sql: beyond one column */

\echo Use "ALTER EXTENSION hcguard UPDATE TO '1.1'" to load this file. \quit

-- Overview and write health, for psql.
CREATE TYPE hcguard_mapping_row AS (
    schema_name     text,
    table_name      text,
    field_count     integer,
    rows_estimate   bigint,
    synced          boolean,
    evidence        text,
    pending_writes  bigint,
    failed_writes   bigint,
    last_failure_at timestamptz,
    last_failure    text,
    status_trigger  boolean,
    log_trigger     boolean
);

CREATE FUNCTION hcguard_mappings(schema_name text DEFAULT NULL)
RETURNS SETOF hcguard_mapping_row
AS 'MODULE_PATHNAME', 'hcguard_mappings'
LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 100;

CREATE FUNCTION hcguard_columns(schema_name text, table_name text)
RETURNS TABLE (column_name text, data_type text, synced boolean, evidence text)
AS 'MODULE_PATHNAME', 'hcguard_columns'
LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 100;

-- Waiting for Connect.
CREATE FUNCTION hcguard_wait(schema_name text, table_name text,
                             column_name text DEFAULT NULL,
                             timeout interval DEFAULT '15 minutes')
RETURNS boolean
AS 'MODULE_PATHNAME', 'hcguard_wait'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

-- Configuration as code: the JSON heroku connect:export writes.
CREATE FUNCTION hcguard_config_diff(schema_name text, config jsonb)
RETURNS TABLE (object_name text, field_name text, table_name text,
               column_name text, problem text)
AS 'MODULE_PATHNAME', 'hcguard_config_diff'
LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 20;

CREATE FUNCTION hcguard_required_config(schema_name text, config jsonb)
RETURNS boolean
AS 'MODULE_PATHNAME', 'hcguard_required_config'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
