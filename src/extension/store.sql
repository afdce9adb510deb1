-- The C extension's side of the store: only its owner writes it, through
-- hcguard_confirm_synced; the trigger binds a row to the objects its names
-- have; pg_dump keeps the confirmations that still count.
REVOKE ALL ON hcguard.confirmation_store FROM PUBLIC;

CREATE FUNCTION hcguard_confirmation_bind()
RETURNS trigger
AS 'MODULE_PATHNAME', 'hcguard_confirmation_bind'
LANGUAGE C;

CREATE TRIGGER hcguard_confirmation_bind
    BEFORE INSERT ON hcguard.confirmation_store
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

