-- ddl/declaration_store.sql: the declaration store, in both editions.
--
-- What this database's migrations declared: each hcguard_required (any
-- form), hcguard_wait and hcguard_required_config that returned in a
-- read-write transaction, by name as found in the catalog ('' as
-- column_name declares the mapping itself), with the type it declared
-- (as format_type writes it; NULL: any type).  A declaration already
-- recorded with the same type is not written again.
--
-- Any role that runs migrations records here, so the table is open to
-- everyone's writes; its trigger (ddl/declarations.sql) signs every row with
-- the writer and the time, and lets only whoever may confirm a sync remove
-- a declaration.  Adding one is what any call of hcguard_required does.
CREATE TABLE hcguard.declaration_store (
    schema_name   name NOT NULL,
    table_name    name NOT NULL,
    column_name   name NOT NULL DEFAULT '',
    declared_type text,
    declared_at   timestamptz NOT NULL DEFAULT now(),
    declared_by   name NOT NULL DEFAULT current_user,
    PRIMARY KEY (schema_name, table_name, column_name)
);
REVOKE ALL ON hcguard.declaration_store FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON hcguard.declaration_store TO PUBLIC;
