-- What version 1.2 adds to the C extension besides the parts both editions
-- share (ddl/): pg_dump keeps every declaration and Connect's last report,
-- and the verdict on one declaration is C's.
SELECT pg_catalog.pg_extension_config_dump('hcguard.declaration_store', '');

-- Sessions keep what they found in two of hcguard's stores; one trigger
-- function, AFTER each statement that writes to either, makes every session
-- forget it (src/catalog_memory.c).  ALWAYS: also where a session replays
-- changes (session_replication_role = replica).
CREATE FUNCTION hcguard__store_changed()
RETURNS trigger
AS 'MODULE_PATHNAME', 'hcguard_store_changed'
LANGUAGE C;

-- Each session keeps the declarations it found recorded, so that a guard
-- called again does not search the store (src/declarations.c).
CREATE TRIGGER hcguard_declarations_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON hcguard.declaration_store
    FOR EACH STATEMENT EXECUTE FUNCTION hcguard__store_changed();
ALTER TABLE hcguard.declaration_store ENABLE ALWAYS TRIGGER hcguard_declarations_changed;

-- Each session keeps that no report of Connect's state was ever recorded,
-- so that a guard does not look into the store (src/connect_state.c).
CREATE TRIGGER hcguard_connect_state_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON hcguard.connect_snapshot
    FOR EACH STATEMENT EXECUTE FUNCTION hcguard__store_changed();
ALTER TABLE hcguard.connect_snapshot ENABLE ALWAYS TRIGGER hcguard_connect_state_changed;

CREATE FUNCTION hcguard__verdict_state(schema_name text, table_name text, column_name text,
                                       OUT code text, OUT message text)
AS 'MODULE_PATHNAME', 'hcguard_verdict_state'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
SELECT pg_catalog.pg_extension_config_dump('hcguard.connect_snapshot', '');
SELECT pg_catalog.pg_extension_config_dump('hcguard.connect_mapping_state', '');
