-- ddl/confirmation_store.sql: the confirmation store, in both editions.
--
-- Confirmations: someone verified in Connect's dashboard that a mapping or a
-- field finished syncing although the data cannot show it (an object with no
-- records, a field empty in Salesforce).  relid and attnum pin a
-- confirmation to the very table and column that existed when it was made:
-- Connect drops and re-adds columns and tables, and a confirmation must not
-- survive into a new column of the same name.  A BEFORE trigger (each
-- edition has its own) fills them from the names, so that a restore binds
-- the rows to the restored objects.
CREATE TABLE hcguard.confirmation_store (
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
