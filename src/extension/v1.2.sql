-- What version 1.2 adds to the C extension besides the parts both editions
-- share (ddl/): pg_dump keeps every declaration and Connect's last report,
-- and the verdict on one declaration is C's.
SELECT pg_catalog.pg_extension_config_dump('hcguard.declaration_store', '');

CREATE FUNCTION hcguard__verdict_state(schema_name text, table_name text, column_name text,
                                       OUT code text, OUT message text)
AS 'MODULE_PATHNAME', 'hcguard_verdict_state'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
SELECT pg_catalog.pg_extension_config_dump('hcguard.connect_snapshot', '');
SELECT pg_catalog.pg_extension_config_dump('hcguard.connect_mapping_state', '');
