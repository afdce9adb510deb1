-- ddl/types.sql: the result types of hcguard_status and hcguard_mappings,
-- in both editions.
-- Created once: a type cannot be replaced in place, and the SQL edition
-- runs this again on every upgrade.
DO $types$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_type
                    WHERE typname OPERATOR(pg_catalog.=) 'hcguard_status_row'
                      AND typnamespace OPERATOR(pg_catalog.=) pg_catalog.current_schema()::pg_catalog.regnamespace) THEN
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
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_type
                    WHERE typname OPERATOR(pg_catalog.=) 'hcguard_mapping_row'
                      AND typnamespace OPERATOR(pg_catalog.=) pg_catalog.current_schema()::pg_catalog.regnamespace) THEN
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
    END IF;
END
$types$;
