-- Upgrading from 1.1, whose tables were in the schema the edition was
-- installed into: they move into hcguard's own schema, confirmations kept.
DO $move$
DECLARE
    old_store regclass := pg_catalog.to_regclass(pg_catalog.format('%I.hcguard_confirmation_store',
                                                                  pg_catalog.current_schema()));
    old_version regclass := pg_catalog.to_regclass(pg_catalog.format('%I.hcguard_sql_edition',
                                                                    pg_catalog.current_schema()));
BEGIN
    IF old_store IS NOT NULL THEN
        EXECUTE pg_catalog.format('ALTER TABLE %s SET SCHEMA hcguard', old_store);
        ALTER TABLE hcguard.hcguard_confirmation_store RENAME TO confirmation_store;
        ALTER INDEX hcguard.hcguard_confirmation_store_pkey RENAME TO confirmation_store_pkey;
    END IF;
    IF old_version IS NOT NULL THEN
        EXECUTE pg_catalog.format('ALTER TABLE %s SET SCHEMA hcguard', old_version);
        ALTER TABLE hcguard.hcguard_sql_edition RENAME TO sql_edition;
        ALTER TABLE hcguard.sql_edition RENAME CONSTRAINT hcguard_sql_edition_pkey TO sql_edition_pkey;
        ALTER TABLE hcguard.sql_edition RENAME CONSTRAINT hcguard_sql_edition_one_row_check
            TO sql_edition_one_row_check;
    END IF;
END
$move$;

-- Which edition and version this database has.
CREATE TABLE hcguard.sql_edition (
    version      text NOT NULL,
    installed_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at   timestamptz NOT NULL DEFAULT pg_catalog.now(),
    one_row      boolean PRIMARY KEY DEFAULT true CHECK (one_row)
);
GRANT SELECT ON hcguard.sql_edition TO PUBLIC;

