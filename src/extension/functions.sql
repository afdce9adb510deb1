-- The C extension's functions: the contract's, in C.
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
