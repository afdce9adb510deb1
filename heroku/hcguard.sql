/*
 * hcguard, SQL edition: the same guard as the C extension, in plain SQL and
 * PL/pgSQL, for Heroku Postgres (no custom C extension, no superuser).
 *
 * Install, or upgrade in place (confirmations are kept), as the role that
 * owns the database:
 *
 *     psql "$DATABASE_URL" -X -1 -v ON_ERROR_STOP=1 -f hcguard.sql
 *
 * or run this file as an application's first migration.  It installs into
 * the current schema (normally public), records its version in
 * hcguard.sql_edition, and needs nothing but PL/pgSQL.  Remove it with
 * hcguard-uninstall.sql.  The README's section "How the editions differ"
 * says where this edition differs from the C extension.
 *
 * make assembles this file from heroku/src/, ddl/ (what both editions
 * create) and src/messages.txt (what both editions say): edit those.
 *
 * The file is plain SQL without psql meta-commands, so that migration tools
 * can run it.  It creates no transaction of its own: psql -1 or the
 * migration tool's transaction makes the install all-or-nothing.
 */

-- The installer's two refusals are the only texts not in src/messages.txt:
-- they are said before anything is created, and the C extension never says
-- them.
DO $pre$
BEGIN
    IF pg_catalog.current_schema() IS NULL THEN
        RAISE EXCEPTION USING
            ERRCODE = 'invalid_schema_name',
            MESSAGE = 'no schema has been selected to install hcguard into',
            HINT = 'Set search_path to the schema hcguard should live in (normally public), then run the file again.';
    END IF;
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) 'hcguard') THEN
        RAISE EXCEPTION USING
            ERRCODE = 'duplicate_object',
            MESSAGE = 'the hcguard extension is already installed in this database',
            DETAIL = 'The C extension and the SQL edition define the same functions; a database has one or the other.',
            HINT = 'Keep the extension, or remove it (DROP EXTENSION hcguard) before installing the SQL edition.';
    END IF;
END
$pre$;

-- ddl/schema.sql: hcguard's own schema, in both editions.
--
-- hcguard keeps its tables (confirmations; the SQL edition's version row)
-- in a schema of their own, so that the tools that dump or diff the
-- application's schema (Rails' schema.rb, Alembic's autogenerate) never see
-- them; its functions and views stay where they were installed, so that
-- migrations call hcguard_required(...) unqualified.
CREATE SCHEMA IF NOT EXISTS hcguard;
COMMENT ON SCHEMA hcguard IS 'hcguard''s own tables: confirmations, declarations, Connect''s state (managed by hcguard; do not edit)';
GRANT USAGE ON SCHEMA hcguard TO PUBLIC;

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
CREATE TABLE IF NOT EXISTS hcguard.sql_edition (
    version      text NOT NULL,
    installed_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at   timestamptz NOT NULL DEFAULT pg_catalog.now(),
    one_row      boolean PRIMARY KEY DEFAULT true CHECK (one_row)
);
GRANT SELECT ON hcguard.sql_edition TO PUBLIC;


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
CREATE TABLE IF NOT EXISTS hcguard.confirmation_store (
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
CREATE TABLE IF NOT EXISTS hcguard.declaration_store (
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

-- ddl/connect_state_store.sql: what Heroku Connect's API last said, in both
-- editions.
--
-- hcguard_record_connect_state (ddl/connect_state.sql) keeps one snapshot
-- per Connect schema: the newest replaces the one before, so the tables
-- stay as small as the connection.  connect_snapshot holds the connection's
-- state, connect_mapping_state one row per mapping of the report, with its
-- configured fields as Connect names them (fields) and as the columns
-- Connect gives them (columns: in lower case, the field Id being sfid),
-- which the guard compares with the catalog's names.
--
-- No foreign key joins the two: a restore loads them in either order.
-- Only hcguard_record_connect_state writes here, as its caller, who needs
-- the rights confirming needs (checked there); the tables' guard refuses
-- anyone else's direct writes the same way.
CREATE TABLE IF NOT EXISTS hcguard.connect_snapshot (
    schema_name      name PRIMARY KEY,
    connection_state text NOT NULL,
    recorded_at      timestamptz NOT NULL,
    recorded_by      name NOT NULL DEFAULT current_user
);
CREATE TABLE IF NOT EXISTS hcguard.connect_mapping_state (
    schema_name       name NOT NULL,
    table_name        name NOT NULL,
    object_name       text NOT NULL,
    mapping_state     text NOT NULL,
    state_description text,
    fields            text[] NOT NULL,
    columns           name[] NOT NULL,
    db_count          bigint,
    sf_count          bigint,
    PRIMARY KEY (schema_name, table_name)
);
REVOKE ALL ON hcguard.connect_snapshot, hcguard.connect_mapping_state FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON hcguard.connect_snapshot, hcguard.connect_mapping_state TO PUBLIC;

/*
 * Confirmations, as in the C extension: relid and attnum pin a confirmation
 * to the table and column that existed when it was made, so that one does
 * not survive into a new column of the same name.  The BEFORE trigger binds
 * them from the names.
 *
 * Without a superuser, functions cannot write here on behalf of a caller
 * whose rights they have checked (a SECURITY DEFINER function cannot tell
 * who called it).  So the table is open to everyone's writes, and its
 * trigger enforces what hcguard_confirm_synced promises: only whoever may
 * ALTER a mapping writes its confirmations, under their own name and the
 * current time.
 */
REVOKE ALL ON hcguard.confirmation_store FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON hcguard.confirmation_store TO PUBLIC;

/*
 * Internal objects (names starting hcguard__) are dropped and created again
 * on every run, so that an upgrade replaces them whatever they were; the
 * public ones are replaced in place, keeping grants and dependent objects.
 */
DO $drop$
DECLARE
    f regprocedure;
    t regtype;
BEGIN
    FOR t IN SELECT y.oid FROM pg_catalog.pg_type y
              WHERE y.typnamespace OPERATOR(pg_catalog.=) pg_catalog.current_schema()::pg_catalog.regnamespace
                AND y.typname OPERATOR(pg_catalog.=) ANY ('{hcguard__verdict,hcguard__report}'::pg_catalog.name[])
    LOOP
        EXECUTE pg_catalog.format('DROP TYPE %s CASCADE', t);
    END LOOP;
    FOR f IN SELECT p.oid FROM pg_catalog.pg_proc p
              WHERE p.pronamespace OPERATOR(pg_catalog.=) pg_catalog.current_schema()::pg_catalog.regnamespace
                AND p.proname OPERATOR(pg_catalog.~~) 'hcguard\_\_%'
    LOOP
        EXECUTE pg_catalog.format('DROP FUNCTION %s CASCADE', f);
    END LOOP;
END
$drop$;

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

-- Generated from src/messages.txt by scripts/gen-messages: do not edit.
-- The texts of every report (see hcguard__msg and hcguard__text).
CREATE FUNCTION hcguard__msg_def(msg_id text, OUT sqlstate text, OUT message text,
                                 OUT detail text, OUT hint text, OUT body text)
LANGUAGE plpgsql IMMUTABLE
AS $$
BEGIN
    SELECT m.sqlstate, m.message, m.detail, m.hint, m.body
      INTO sqlstate, message, detail, hint, body
      FROM (VALUES
        ('arg_null', '22004', '%1$s must not be null', 'A null name would let the check pass without checking anything.', NULL, NULL),
        ('arg_empty', '22023', '%1$s must not be empty', NULL, NULL, NULL),
        ('column_list_null', '22004', 'column names must not be null', 'A null list would let the check pass without checking anything.', NULL, NULL),
        ('column_list_empty', '22023', 'at least one column name is required', NULL, 'To require only the mapping itself, call hcguard_required(schema_name, table_name).', NULL),
        ('column_list_element_null', '22004', 'column name must not be null', 'Element %1$s of the column list is null.', NULL, NULL),
        ('column_list_element_empty', '22023', 'column name must not be empty', 'Element %1$s of the column list is empty.', NULL, NULL),
        ('bookkeeping_column', '22023', 'column "%1$s" is Heroku Connect''s bookkeeping, not a Salesforce field', 'Heroku Connect adds "_hc_lastop" and "_hc_err" to every mapping to track its own writes; they hold no Salesforce data.', 'Name the Salesforce field the code needs, by its API name (for example "Email" or "Preferred_Channel__c").', NULL),
        ('timeout_null', '22004', 'timeout must not be null', NULL, NULL, NULL),
        ('timeout_negative', '22023', 'timeout must not be negative', NULL, NULL, NULL),
        ('no_schema_listed', '3F000', 'schema "%1$s" does not exist', 'No schema is named %2$s. The Heroku Connect schemas of this database are %3$s.', 'Name the schema Heroku Connect writes to in this environment.', NULL),
        ('no_schema_alone', '3F000', 'schema "%1$s" does not exist', 'No schema is named %2$s. This database has no Heroku Connect schema.', 'If this database has no Heroku Connect (a development or CI database), a superuser can make hcguard build what the migrations declare: ALTER DATABASE %3$s SET hcguard.on_failure = provision;', NULL),
        ('schema_denied', '42501', 'permission denied for schema "%1$s"', 'Role "%2$s" lacks USAGE on the schema, which hcguard needs to look at the mapping.', 'Grant it to the role that runs migrations: GRANT USAGE ON SCHEMA %3$s TO %4$s;', NULL),
        ('not_connect_listed', '55000', 'schema "%1$s" is not a Heroku Connect schema', 'It lacks %2$s, which Heroku Connect creates in its schema.', 'Name one of this database''s Heroku Connect schemas: %3$s.', NULL),
        ('not_connect_alone', '55000', 'schema "%1$s" is not a Heroku Connect schema', 'It lacks %2$s, which Heroku Connect creates in its schema.', 'If this database has no Heroku Connect (a development or CI database), a superuser can make hcguard build what the migrations declare: ALTER DATABASE %3$s SET hcguard.on_failure = provision;', NULL),
        ('no_table', '42P01', 'Heroku Connect mapping "%1$s" does not exist', 'No table of schema "%2$s" is named %3$s: Heroku Connect maps no such Salesforce object in this database.', 'Create the mapping in this environment''s Heroku Connect dashboard, wait for its initial load to finish, then deploy again.', NULL),
        ('closest_mappings', NULL, NULL, NULL, NULL, 'Closest existing mappings: %1$s.'),
        ('not_mapping', '55000', 'table "%1$s" is not a Heroku Connect mapping', '%2$s', 'Name the table Heroku Connect created for the Salesforce object: its API name in lower case.', NULL),
        ('system_table', '55000', 'table "%1$s" is a Heroku Connect system table, not a mapping', 'Heroku Connect keeps "_hcmeta", "_trigger_log", "_trigger_log_archive" and "_sf_event_log" for its own bookkeeping; they stand for no Salesforce object.', 'Name the table Heroku Connect created for the Salesforce object: its API name in lower case.', NULL),
        ('why_system_table', NULL, NULL, NULL, NULL, 'It is one of Heroku Connect''s system tables.'),
        ('why_view', NULL, NULL, NULL, NULL, 'It is a view, not an ordinary table.'),
        ('why_matview', NULL, NULL, NULL, NULL, 'It is a materialized view, not an ordinary table.'),
        ('why_foreign_table', NULL, NULL, NULL, NULL, 'It is a foreign table, not an ordinary table.'),
        ('why_partitioned_table', NULL, NULL, NULL, NULL, 'It is a partitioned table, not an ordinary table.'),
        ('why_sequence', NULL, NULL, NULL, NULL, 'It is a sequence, not an ordinary table.'),
        ('why_relation', NULL, NULL, NULL, NULL, 'It is a relation, not an ordinary table.'),
        ('why_lacks_columns', NULL, NULL, NULL, NULL, 'It lacks %1$s, which Heroku Connect gives every mapping table.'),
        ('why_lastop_type', NULL, NULL, NULL, NULL, 'Its column "_hc_lastop" is of type %1$s, not the character varying Heroku Connect gives it.'),
        ('table_denied', '42501', 'permission denied for table "%1$s"', 'Role "%2$s" lacks SELECT on the table, which hcguard needs to see what Heroku Connect has synced.', 'Grant it to the role that runs migrations: GRANT SELECT ON %3$s TO %4$s;', NULL),
        ('mapping_not_synced', '55000', 'Heroku Connect mapping "%1$s" is not synced', NULL, 'Wait for the mapping''s initial load to finish (the dashboard shows DATA_SYNCED), then deploy again. If the object has no records in Salesforce, record that you verified the sync: %2$s', NULL),
        ('column_missing', '42703', 'column "%1$s" of Heroku Connect mapping "%2$s" does not exist', 'No column of the mapping is named %3$s: Heroku Connect does not map that field in this database.', 'Add the field to the mapping in this environment''s Heroku Connect dashboard, wait for the sync to finish, then deploy again.', NULL),
        ('column_not_synced', '55000', 'column "%1$s" of Heroku Connect mapping "%2$s" is not synced', NULL, 'Wait for Heroku Connect to finish syncing (the mapping shows DATA_SYNCED in the dashboard), then deploy again. If the field is empty for every record in Salesforce, record that you verified the sync: %3$s', NULL),
        ('columns_missing', '42703', '%1$s of %2$s required columns of Heroku Connect mapping "%3$s" are not mapped and synced', NULL, 'Add the missing fields to the mapping in this environment''s Heroku Connect dashboard, wait for the sync to finish, then deploy again.', NULL),
        ('columns_not_synced', '55000', '%1$s of %2$s required columns of Heroku Connect mapping "%3$s" are not synced', NULL, 'Wait for Heroku Connect to finish syncing (the mapping shows DATA_SYNCED in the dashboard), then deploy again. If a field is empty for every record in Salesforce, record that you verified its sync with hcguard_confirm_synced.', NULL),
        ('line_column_missing', NULL, NULL, NULL, NULL, 'Column "%1$s" does not exist. No column is named %2$s.'),
        ('line_column_not_synced', NULL, NULL, NULL, NULL, 'Column "%1$s" is not synced.'),
        ('closest_columns', NULL, NULL, NULL, NULL, 'Closest existing columns: %1$s.'),
        ('closest_columns_to', NULL, NULL, NULL, NULL, 'Closest existing columns to "%1$s": %2$s.'),
        ('confirm_call', NULL, NULL, NULL, NULL, 'SELECT hcguard_confirm_synced(%1$s, %2$s, %3$s, ''verified in the Heroku Connect dashboard'');'),
        ('rows_one', NULL, NULL, NULL, NULL, '%1$s row'),
        ('rows_many', NULL, NULL, NULL, NULL, '%1$s rows'),
        ('table_no_rows', NULL, NULL, NULL, NULL, 'The table has no rows.'),
        ('table_rows_not_connect', NULL, NULL, NULL, NULL, 'The table has %1$s, none written by Heroku Connect: %2$s.'),
        ('only_row_no_value', NULL, NULL, NULL, NULL, 'The table''s only row holds no value.'),
        ('no_row_has_value', NULL, NULL, NULL, NULL, 'None of the table''s %1$s holds a value.'),
        ('only_row_has_value', NULL, NULL, NULL, NULL, 'The table''s only row holds a value, not written by Heroku Connect: %1$s.'),
        ('all_rows_have_value', NULL, NULL, NULL, NULL, 'All the table''s %1$s hold a value, none written by Heroku Connect: %2$s.'),
        ('rows_have_value_one', NULL, NULL, NULL, NULL, '%1$s of the table''s %2$s holds a value, none written by Heroku Connect: %3$s.'),
        ('rows_have_value_many', NULL, NULL, NULL, NULL, '%1$s of the table''s %2$s hold a value, none written by Heroku Connect: %3$s.'),
        ('origin_pending', NULL, NULL, NULL, NULL, '%1$s pending'),
        ('origin_failed', NULL, NULL, NULL, NULL, '%1$s failed'),
        ('origin_unknown', NULL, NULL, NULL, NULL, '%1$s with neither _hc_lastop nor sfid set'),
        ('origin_other', NULL, NULL, NULL, NULL, '%1$s with another _hc_lastop value'),
        ('confirm_on_standby', '25006', 'cannot execute %1$s on a hot standby', 'Confirmations are written to the database, and a standby is read-only.', 'Run %1$s on the primary server; the confirmation reaches the standby by replication.', NULL),
        ('confirm_read_only', '25006', 'cannot execute %1$s in a read-only transaction', NULL, NULL, NULL),
        ('not_owner', '42501', 'must be owner of table %1$s', 'Confirming or revoking a sync needs the rights ALTER TABLE needs on the mapping "%2$s".', 'Ask the owner of the table, a member of its owning role, or a superuser to run %3$s.', NULL),
        ('replaced_column', '42703', 'Heroku Connect replaced "%1$s" while it was being confirmed', NULL, 'Check the sync of the new one, then confirm again.', NULL),
        ('replaced_table', '42P01', 'Heroku Connect replaced "%1$s" while it was being confirmed', NULL, 'Check the sync of the new one, then confirm again.', NULL),
        ('wait_isolation', '25000', 'hcguard_wait cannot wait inside a REPEATABLE READ or SERIALIZABLE transaction', 'The transaction''s snapshot would never show Heroku Connect''s progress.', 'Run it in a READ COMMITTED transaction, or call hcguard_required instead.', NULL),
        ('wait_progress', NULL, 'still waiting for Heroku Connect after %1$s seconds: %2$s', NULL, NULL, NULL),
        ('config_null', '22004', 'configuration must not be null', 'A null configuration would let the check pass without checking anything.', NULL, NULL),
        ('config_missing', '22023', 'document is not a Heroku Connect configuration', '%1$s is missing.', 'Pass the JSON that "heroku connect:export" writes.', NULL),
        ('config_not_object', '22023', 'document is not a Heroku Connect configuration', '%1$s must be an object.', 'Pass the JSON that "heroku connect:export" writes.', NULL),
        ('config_not_array', '22023', 'document is not a Heroku Connect configuration', '%1$s must be an array.', 'Pass the JSON that "heroku connect:export" writes.', NULL),
        ('config_not_name', '22023', 'document is not a Heroku Connect configuration', '%1$s must be a non-empty string.', 'Pass the JSON that "heroku connect:export" writes.', NULL),
        ('config_missing_objects', '42P01', 'Heroku Connect has not mapped and synced %1$s of the configuration''s mappings and fields in schema "%2$s"', NULL, 'Apply the configuration to this environment''s Heroku Connect (heroku connect:import, or the dashboard), wait for the sync to finish, then deploy again. hcguard_config_diff lists every difference.', NULL),
        ('config_missing_fields', '42703', 'Heroku Connect has not mapped and synced %1$s of the configuration''s mappings and fields in schema "%2$s"', NULL, 'Apply the configuration to this environment''s Heroku Connect (heroku connect:import, or the dashboard), wait for the sync to finish, then deploy again. hcguard_config_diff lists every difference.', NULL),
        ('config_not_synced', '55000', 'Heroku Connect has not mapped and synced %1$s of the configuration''s mappings and fields in schema "%2$s"', NULL, 'Wait for Heroku Connect to finish syncing (the mappings show DATA_SYNCED in the dashboard), then deploy again. hcguard_config_diff lists every difference.', NULL),
        ('config_line_missing_mapping', NULL, NULL, NULL, NULL, 'Mapping "%1$s": table "%2$s" does not exist.'),
        ('config_line_unsynced_mapping', NULL, NULL, NULL, NULL, 'Mapping "%1$s": table "%2$s" is not synced.'),
        ('config_line_missing_field', NULL, NULL, NULL, NULL, 'Field "%1$s.%2$s": column "%3$s.%4$s" does not exist.'),
        ('config_line_unsynced_field', NULL, NULL, NULL, NULL, 'Field "%1$s.%2$s": column "%3$s.%4$s" is not synced.'),
        ('and_more', NULL, NULL, NULL, NULL, 'And %1$s more.'),
        ('store_missing', '42P01', 'hcguard''s confirmation store "%1$s" is missing', NULL, 'Reinstall the extension: DROP EXTENSION hcguard; CREATE EXTENSION hcguard;', NULL),
        ('store_denied', '42501', 'permission denied for table confirmation_store', NULL, NULL, NULL),
        ('declared_type_unknown', '42704', 'type "%1$s" declared for column "%2$s" does not exist', NULL, 'Declare the column''s type as PostgreSQL names it, for example "boolean", "double precision" or "varchar(80)".', NULL),
        ('declared_type_invalid', '22023', 'type "%1$s" declared for column "%2$s" is not a type name', 'A column argument is the field''s name, then, after white space, the type the code expects.', 'Declare the column''s type as PostgreSQL names it, for example "boolean", "double precision" or "varchar(80)".', NULL),
        ('column_wrong_type', '42804', 'column "%1$s" of Heroku Connect mapping "%2$s" is of type %3$s, not %4$s', 'The column''s type is %3$s; the code declares %4$s.', 'Heroku Connect keeps a column''s type when the Salesforce field''s type or length changes: remove the field from the mapping and add it back in this environment''s Heroku Connect dashboard, wait for the sync to finish, then deploy again. Or declare the type this environment has.', NULL),
        ('columns_wrong_type', '42804', '%1$s of %2$s required columns of Heroku Connect mapping "%3$s" are not of the declared type or not synced', NULL, 'Heroku Connect keeps a column''s type when the Salesforce field''s type or length changes: remove the field from the mapping and add it back in this environment''s Heroku Connect dashboard, wait for the sync to finish, then deploy again. Or declare the type this environment has.', NULL),
        ('line_column_wrong_type', NULL, NULL, NULL, NULL, 'Column "%1$s" is of type %2$s, not %3$s.'),
        ('provisioned_mark', NULL, NULL, NULL, NULL, 'Heroku Connect schema provisioned by hcguard from the migrations'' declarations, for development and tests; Heroku Connect does not sync it.'),
        ('provision_schema', '00000', 'hcguard provisioned schema "%1$s" as a Heroku Connect schema', 'hcguard.on_failure is provision and this database has no Heroku Connect, so hcguard creates what the migrations declare.', NULL, NULL),
        ('provision_system_table', '00000', 'hcguard provisioned Heroku Connect''s system table "%1$s"', NULL, NULL, NULL),
        ('provision_function', '00000', 'hcguard provisioned function %1$s, which Heroku Connect''s triggers call', NULL, NULL, NULL),
        ('provision_extension', '00000', 'hcguard created extension hstore in schema "%1$s", which Heroku Connect''s triggers need', NULL, NULL, NULL),
        ('provision_table', '00000', 'hcguard provisioned Heroku Connect mapping "%1$s"', 'It has Heroku Connect''s own columns and its status and log triggers: the application''s writes are marked PENDING and logged in %2$s, as in production.', NULL, NULL),
        ('provision_column', '00000', 'hcguard provisioned column "%1$s" of Heroku Connect mapping "%2$s", of type %3$s', NULL, NULL, NULL),
        ('provision_column_type', '00000', 'hcguard changed column "%1$s" of Heroku Connect mapping "%2$s" from type %3$s to %4$s', 'hcguard provisioned the column, and a migration declares it of type %4$s.', NULL, NULL),
        ('provision_refused_connect', '00000', 'hcguard provisions nothing: schema "%1$s" is a Heroku Connect schema that hcguard did not provision', 'hcguard.on_failure is provision, but this database has Heroku Connect, so hcguard fails as it does under error.', NULL, NULL),
        ('provision_refused_schema', '00000', 'hcguard provisions nothing: schema "%1$s" exists and hcguard did not provision it', 'hcguard never writes into a schema that Heroku Connect, or anyone else, manages, so it fails as it does under error.', NULL, NULL),
        ('provision_refused_table', '00000', 'hcguard provisions nothing: "%1$s" exists and is not a Heroku Connect mapping', 'hcguard creates mappings only where no table of that name exists, so it fails as it does under error.', NULL, NULL),
        ('provision_refused_column', '00000', 'hcguard provisions nothing: column "%1$s" is Heroku Connect''s own, of type %2$s', 'hcguard gives Heroku Connect''s own columns Heroku Connect''s types, so it fails as it does under error.', NULL, NULL),
        ('provision_needs_update', '55000', 'provisioning needs version 1.2 of the hcguard extension', 'hcguard.on_failure is provision, but this database''s hcguard extension has not been updated to 1.2, which creates what provisioning runs.', 'Update it: ALTER EXTENSION hcguard UPDATE;', NULL),
        ('provision_denied_detail', NULL, NULL, NULL, NULL, 'To provision what a migration declared, hcguard ran as role "%2$s": %1$s'),
        ('provision_denied_hint', NULL, NULL, NULL, NULL, 'Run the migrations as a role that may create it (the database''s owner, say), or create it before they run.'),
        ('declarations_fail_mapping', '42P01', '%1$s of %2$s declared requirements do not hold in this database', NULL, 'Map and sync what is missing in this environment''s Heroku Connect dashboard, or forget a declaration the code no longer needs: SELECT hcguard_forget_declaration(schema_name, table_name, column_name);', NULL),
        ('declarations_fail_column', '42703', '%1$s of %2$s declared requirements do not hold in this database', NULL, 'Map and sync what is missing in this environment''s Heroku Connect dashboard, or forget a declaration the code no longer needs: SELECT hcguard_forget_declaration(schema_name, table_name, column_name);', NULL),
        ('declarations_fail_type', '42804', '%1$s of %2$s declared requirements do not hold in this database', NULL, 'Heroku Connect keeps a column''s type when the Salesforce field''s type or length changes: remove the field from the mapping and add it back in this environment''s Heroku Connect dashboard. Or forget a declaration the code no longer needs: SELECT hcguard_forget_declaration(schema_name, table_name, column_name);', NULL),
        ('declarations_fail_sync', '55000', '%1$s of %2$s declared requirements do not hold in this database', NULL, 'Wait for Heroku Connect to finish syncing (the mappings show DATA_SYNCED in the dashboard), or confirm a sync the data cannot show with hcguard_confirm_synced.', NULL),
        ('declaration_line', NULL, NULL, NULL, NULL, '%1$s: %2$s.'),
        ('forget_on_standby', '25006', 'cannot execute %1$s on a hot standby', 'Declarations are written to the database, and a standby is read-only.', 'Run %1$s on the primary server; the change reaches the standby by replication.', NULL),
        ('forget_denied', '42501', 'permission denied to forget the declaration of %1$s', 'Forgetting a declaration needs the rights confirming a sync needs: those ALTER TABLE needs on the mapping, or, where the mapping is gone, on hcguard''s own tables.', 'Ask the owner of the table, a member of its owning role, or a superuser to run it.', NULL),
        ('declarations_doc_not_object', '22023', 'document is not a list of hcguard declarations', '%1$s must be an object.', 'Pass the JSON that hcguard_declarations_json() returns.', NULL),
        ('declarations_doc_missing', '22023', 'document is not a list of hcguard declarations', '%1$s is missing.', 'Pass the JSON that hcguard_declarations_json() returns.', NULL),
        ('declarations_doc_not_array', '22023', 'document is not a list of hcguard declarations', '%1$s must be an array.', 'Pass the JSON that hcguard_declarations_json() returns.', NULL),
        ('declarations_doc_not_name', '22023', 'document is not a list of hcguard declarations', '%1$s must be a non-empty string.', 'Pass the JSON that hcguard_declarations_json() returns.', NULL),
        ('declarations_doc_not_text', '22023', 'document is not a list of hcguard declarations', '%1$s must be a string or null.', 'Pass the JSON that hcguard_declarations_json() returns.', NULL),
        ('declarations_doc_null', '22004', 'declarations must not be null', 'A null document would let the check pass without checking anything.', NULL, NULL),
        ('connect_doc_null', '22004', 'connection report must not be null', NULL, NULL, NULL),
        ('connect_doc_not_object', '22023', 'document is not a Heroku Connect connection report', '%1$s must be an object.', 'Pass the document that GET /api/v3/connections/{id}?deep=true returns, as bin/hcguard-connect fetches it.', NULL),
        ('connect_doc_missing', '22023', 'document is not a Heroku Connect connection report', '%1$s is missing.', 'Pass the document that GET /api/v3/connections/{id}?deep=true returns, as bin/hcguard-connect fetches it.', NULL),
        ('connect_doc_not_name', '22023', 'document is not a Heroku Connect connection report', '%1$s must be a non-empty string.', 'Pass the document that GET /api/v3/connections/{id}?deep=true returns, as bin/hcguard-connect fetches it.', NULL),
        ('connect_doc_not_array', '22023', 'document is not a Heroku Connect connection report', '%1$s must be an array.', 'Pass the document that GET /api/v3/connections/{id}?deep=true returns, as bin/hcguard-connect fetches it.', NULL),
        ('connect_doc_not_deep', '22023', 'document is not a Heroku Connect connection report', '%1$s is missing: the document lists no mappings.', 'Fetch the connection with ?deep=true, which lists its mappings, as bin/hcguard-connect does.', NULL),
        ('connect_doc_not_count', '22023', 'document is not a Heroku Connect connection report', '%1$s must be a whole number that is not negative.', 'Pass the document that GET /api/v3/connections/{id}?deep=true returns, as bin/hcguard-connect fetches it.', NULL),
        ('connect_doc_empty_field', '22023', 'document is not a Heroku Connect connection report', '%1$s names a field with an empty name.', 'Pass the document that GET /api/v3/connections/{id}?deep=true returns, as bin/hcguard-connect fetches it.', NULL),
        ('connect_doc_repeated', '22023', 'document is not a Heroku Connect connection report', '%1$s names a mapping listed before it.', 'Pass the document that GET /api/v3/connections/{id}?deep=true returns, as bin/hcguard-connect fetches it.', NULL),
        ('connect_no_schema', '3F000', 'schema "%1$s" does not exist', 'The Heroku Connect report is for schema "%1$s", which this database does not have.', 'Record the report of the connection that syncs into this database.', NULL),
        ('connect_on_standby', '25006', 'cannot execute %1$s on a hot standby', 'Heroku Connect''s state is written to the database, and a standby is read-only.', 'Run %1$s on the primary server; the snapshot reaches the standby by replication.', NULL),
        ('connect_record_denied', '42501', 'permission denied to record Heroku Connect''s state for schema %1$s', 'Recording needs the rights confirming a sync needs on every mapping of the schema (those ALTER TABLE needs), or ownership of the schema.', 'Record it as the role Heroku Connect writes with (on Heroku, the database''s own credentials), or ask a superuser.', NULL),
        ('connect_max_age_invalid', '22023', 'invalid value for parameter "hcguard.connect_state_max_age": "%1$s"', NULL, 'Set it to an interval, for example 15min or 1h.', NULL),
        ('connect_mapping_no_table', '01000', 'Heroku Connect mapping "%1$s" has no table', 'The report lists object %2$s in state %3$s, but the schema has no such table, so no guard on it can pass.', 'Check that the report is of the connection that syncs into this database; if the mapping is new, wait for Heroku Connect to create its table.', NULL),
        ('connect_connection_state', NULL, NULL, NULL, NULL, 'Heroku Connect reported the connection in state %1$s (%2$s) %3$s ago.'),
        ('connect_mapping_state', NULL, NULL, NULL, NULL, 'Heroku Connect reported the mapping in state %1$s (%2$s) %3$s ago.'),
        ('connect_wait', NULL, NULL, NULL, NULL, 'Wait until Heroku Connect shows the connection idle and the mapping DATA_SYNCED (bin/hcguard-connect wait waits, recording its state), then deploy again.'),
        ('seconds_one', NULL, NULL, NULL, NULL, '%1$s second'),
        ('seconds_many', NULL, NULL, NULL, NULL, '%1$s seconds'),
        ('connect_state_unknown', NULL, NULL, NULL, NULL, 'a state hcguard does not know; the Heroku Connect dashboard explains it'),
        ('connect_state_idle', NULL, NULL, NULL, NULL, 'idle'),
        ('connect_state_polling_db_changes', NULL, NULL, NULL, NULL, 'polling the database for changes'),
        ('connect_state_import_configuration', NULL, NULL, NULL, NULL, 'importing a mapping configuration'),
        ('connect_state_busy', NULL, NULL, NULL, NULL, 'busy changing its mappings'),
        ('connect_state_need_authentication', NULL, NULL, NULL, NULL, 'its Salesforce authorization must be renewed'),
        ('connect_state_inactive_org', NULL, NULL, NULL, NULL, 'the Salesforce organization is inactive'),
        ('connect_state_paused', NULL, NULL, NULL, NULL, 'paused: nothing syncs'),
        ('connect_state_initial', NULL, NULL, NULL, NULL, 'creating the table'),
        ('connect_state_reload_table', NULL, NULL, NULL, NULL, 'reloading every record from Salesforce'),
        ('connect_state_schema_changed', NULL, NULL, NULL, NULL, 'altering the database schema'),
        ('connect_state_resync', NULL, NULL, NULL, NULL, 'loading new columns'),
        ('connect_state_data_synced', NULL, NULL, NULL, NULL, 'all rows synced since the last poll')
      ) AS m(id, sqlstate, message, detail, hint, body)
     WHERE m.id = msg_id;
END
$$;

-- ddl/messages.sql: how both editions say what the catalogue holds.
--
-- The SQL edition speaks through these functions; the C extension speaks
-- from src/messages.h, and has these too for the one PL/pgSQL part both
-- editions share (ddl/provision.sql), so that its notices come from the
-- same catalogue, hcguard__msg_def, made from src/messages.txt.

CREATE TYPE hcguard__report AS (
    sqlstate text,
    message  text,
    detail   text,
    hint     text
);

------------------------------------------------------------------------------
-- Messages: the catalogue's texts (hcguard__msg_def, made from
-- src/messages.txt, as the C extension's are), filled by format(), which
-- reads the catalogue's %1$s placeholders as the C extension fills them.
------------------------------------------------------------------------------

CREATE FUNCTION hcguard__msg(msg_id text, VARIADIC args text[] DEFAULT '{}')
RETURNS hcguard__report
LANGUAGE plpgsql IMMUTABLE
AS $$
DECLARE
    m record := hcguard__msg_def(msg_id);
    r hcguard__report;
BEGIN
    IF m.message IS NULL THEN
        RAISE EXCEPTION 'hcguard: no report "%" in the catalogue', msg_id;
    END IF;
    r.sqlstate := m.sqlstate;
    r.message := format(m.message, VARIADIC args);
    r.detail := format(m.detail, VARIADIC args);
    r.hint := format(m.hint, VARIADIC args);
    RETURN r;
END
$$;

CREATE FUNCTION hcguard__text(msg_id text, VARIADIC args text[] DEFAULT '{}')
RETURNS text
LANGUAGE plpgsql IMMUTABLE
AS $$
DECLARE
    m record := hcguard__msg_def(msg_id);
BEGIN
    IF m.body IS NULL THEN
        RAISE EXCEPTION 'hcguard: no text "%" in the catalogue', msg_id;
    END IF;
    RETURN format(m.body, VARIADIC args);
END
$$;

-- Raises a report: an error, or with warn a warning that returns false.  A
-- detail or hint the report lacks is left out, not sent empty.
CREATE FUNCTION hcguard__raise(r hcguard__report, warn boolean DEFAULT false)
RETURNS boolean
LANGUAGE plpgsql
AS $$
BEGIN
    IF warn THEN
        IF r.detail IS NULL AND r.hint IS NULL THEN
            RAISE WARNING USING ERRCODE = r.sqlstate, MESSAGE = r.message;
        ELSIF r.hint IS NULL THEN
            RAISE WARNING USING ERRCODE = r.sqlstate, MESSAGE = r.message, DETAIL = r.detail;
        ELSIF r.detail IS NULL THEN
            RAISE WARNING USING ERRCODE = r.sqlstate, MESSAGE = r.message, HINT = r.hint;
        ELSE
            RAISE WARNING USING ERRCODE = r.sqlstate, MESSAGE = r.message, DETAIL = r.detail,
                HINT = r.hint;
        END IF;
        RETURN false;
    END IF;
    IF r.detail IS NULL AND r.hint IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = r.sqlstate, MESSAGE = r.message;
    ELSIF r.hint IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = r.sqlstate, MESSAGE = r.message, DETAIL = r.detail;
    ELSIF r.detail IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = r.sqlstate, MESSAGE = r.message, HINT = r.hint;
    END IF;
    RAISE EXCEPTION USING ERRCODE = r.sqlstate, MESSAGE = r.message, DETAIL = r.detail,
        HINT = r.hint;
END
$$;

-- Raises a report of the catalogue as an error.
CREATE FUNCTION hcguard__error(msg_id text, VARIADIC args text[] DEFAULT '{}')
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM hcguard__raise(hcguard__msg(msg_id, VARIADIC args));
END
$$;


-- hcguard.on_failure, as both editions' PL/pgSQL reads it.  In the SQL
-- edition any role can set it; a value other than warning and provision is
-- error there, the safe reading of a typo.  The C extension's setting only
-- takes its three values.
CREATE FUNCTION hcguard__on_failure()
RETURNS text
LANGUAGE sql STABLE
AS $$ SELECT lower(btrim(coalesce(current_setting('hcguard.on_failure', true), ''))) $$;

-- Raises a notice of the catalogue: what hcguard did, or chose not to do.
CREATE FUNCTION hcguard__notice(msg_id text, VARIADIC args text[] DEFAULT '{}')
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    r hcguard__report := hcguard__msg(msg_id, VARIADIC args);
BEGIN
    IF r.detail IS NULL THEN
        RAISE NOTICE USING MESSAGE = r.message;
    ELSE
        RAISE NOTICE USING MESSAGE = r.message, DETAIL = r.detail;
    END IF;
END
$$;

-- ddl/provision.sql: provisioning, in both editions (hcguard.on_failure =
-- provision).
--
-- In a database without Heroku Connect (a developer's, CI's, a framework's
-- test database) a declaration that would fail creates what it names
-- instead, shaped as Connect makes it, so that the migrations build the
-- Connect schema the code will meet, and a field no migration declares
-- does not exist.  Both editions call hcguard__provision with their
-- search_path pinned to pg_catalog and the schema these functions live in;
-- everything is created as the calling role, with its rights.
--
-- What is never done: writing into a schema hcguard did not provision (a
-- real Connect schema, or anyone else's), or provisioning anything at all
-- in a database that holds a Connect schema hcguard did not provision.
-- There the caller fails exactly as under on_failure = error.

-- Whether hcguard provisioned a schema: the schema's comment is the mark, so
-- that a person reading \dn+ sees it too.  (The catalogue's mark is looked
-- up only for a schema with a comment: most have none, and every verdict
-- asks.)
CREATE FUNCTION hcguard__provisioned(nsp oid)
RETURNS boolean
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    mark text;
BEGIN
    SELECT d.description INTO mark
      FROM pg_description d
     WHERE d.objoid = nsp AND d.classoid = 'pg_namespace'::regclass AND d.objsubid = 0;
    RETURN mark IS NOT NULL AND mark = hcguard__text('provisioned_mark');
END
$$;

-- Connect's own columns of a mapping, with the types Connect gives them, in
-- the order Connect creates them (_hc_lastop and _hc_err come after the
-- fields the mapping starts with).
CREATE FUNCTION hcguard__connect_columns(OUT name name, OUT type text, OUT definition text)
RETURNS SETOF record
LANGUAGE sql IMMUTABLE
AS $$
    VALUES ('id', 'integer', 'serial PRIMARY KEY'),
           ('sfid', 'character varying(18)', 'character varying(18)'),
           ('systemmodstamp', 'timestamp without time zone', 'timestamp without time zone'),
           ('isdeleted', 'boolean', 'boolean'),
           ('createddate', 'timestamp without time zone', 'timestamp without time zone'),
           ('_hc_lastop', 'character varying(32)', 'character varying(32)'),
           ('_hc_err', 'text', 'text')
$$;

-- A name as Connect writes it: the API name in lower case, cut as
-- PostgreSQL cuts identifiers.  The field Id is the column sfid.
CREATE FUNCTION hcguard__provision_name(given text, is_column boolean DEFAULT false)
RETURNS name
LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE WHEN is_column AND lower(given) = 'id' THEN 'sfid'::name ELSE lower(given)::name END
$$;

-- A name's object is found as a query finds it: as given, else in lower
-- case (the field Id being sfid).
CREATE FUNCTION hcguard__provision_spellings(given text, is_column boolean DEFAULT false)
RETURNS name[]
LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE WHEN is_column AND lower(given) = 'id' THEN ARRAY['sfid'::name]
                ELSE ARRAY[given::name, lower(given)::name] END
$$;

/*
 * Runs one statement of provisioning.  Where the caller lacks the right,
 * PostgreSQL's own error (42501) goes on, with what hcguard tried to do and
 * as whom, since the migration that caused it may not say.
 */
CREATE FUNCTION hcguard__provision_run(statement text)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    msg text;
BEGIN
    EXECUTE statement;
EXCEPTION WHEN insufficient_privilege THEN
    GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
    RAISE EXCEPTION USING
        ERRCODE = 'insufficient_privilege',
        MESSAGE = msg,
        DETAIL = hcguard__text('provision_denied_detail', statement, current_user),
        HINT = hcguard__text('provision_denied_hint');
END
$$;

-- The schema and what Connect keeps in it, each made only where missing.
CREATE FUNCTION hcguard__provision_schema(s name)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    hstore_schema name;
BEGIN
    IF to_regnamespace(quote_ident(s)) IS NULL THEN
        PERFORM hcguard__provision_run(format('CREATE SCHEMA %I', s));
        PERFORM hcguard__provision_run(format('COMMENT ON SCHEMA %I IS %L', s,
                                              hcguard__text('provisioned_mark')));
        PERFORM hcguard__notice('provision_schema', s);
    END IF;

    IF to_regclass(format('%I._hcmeta', s)) IS NULL THEN
        PERFORM hcguard__provision_run(format(
            'CREATE TABLE %I._hcmeta (id serial PRIMARY KEY, hcver integer, org_id character varying(50),'
            ' details text)', s));
        PERFORM hcguard__notice('provision_system_table', format('%I._hcmeta', s));
    END IF;

    IF to_regclass(format('%I._trigger_log', s)) IS NULL THEN
        PERFORM hcguard__provision_run(format(
            'CREATE TABLE %I._trigger_log (id serial PRIMARY KEY, txid bigint,'
            ' created_at timestamp with time zone DEFAULT now(),'
            ' updated_at timestamp with time zone DEFAULT now(),'
            ' processed_at timestamp with time zone, processed_tx bigint,'
            ' state character varying(8), action character varying(7),'
            ' table_name character varying(128), record_id integer, sfid character varying(18),'
            ' old text, "values" text, sf_result integer, sf_message text)', s));
        PERFORM hcguard__provision_run(format(
            'CREATE INDEX _trigger_log_idx_state_table_name ON %I._trigger_log (state, table_name)'
            ' WHERE state IN (''NEW'', ''PENDING'')', s));
        PERFORM hcguard__provision_run(format(
            'CREATE INDEX _trigger_log_idx_created_at ON %I._trigger_log (created_at)', s));
        -- Connect wakes up on every queued write
        PERFORM hcguard__provision_run(format(
            'CREATE OR REPLACE FUNCTION %1$I.tlog_notify_trigger() RETURNS trigger LANGUAGE plpgsql'
            ' AS $body$ BEGIN PERFORM pg_catalog.pg_notify(%2$L, ''ping''); RETURN NEW; END $body$',
            s, s || '.hc_trigger_log'));
        PERFORM hcguard__provision_run(format(
            'CREATE TRIGGER tlog_insert_trigger AFTER INSERT ON %1$I._trigger_log'
            ' FOR EACH ROW EXECUTE FUNCTION %1$I.tlog_notify_trigger()', s));
        PERFORM hcguard__notice('provision_system_table', format('%I._trigger_log', s));
    END IF;

    IF to_regclass(format('%I._trigger_log_archive', s)) IS NULL THEN
        PERFORM hcguard__provision_run(format(
            'CREATE TABLE %1$I._trigger_log_archive (id integer PRIMARY KEY, txid bigint,'
            ' created_at timestamp with time zone, updated_at timestamp with time zone,'
            ' processed_at timestamp with time zone, processed_tx bigint,'
            ' state character varying(8), action character varying(7),'
            ' table_name character varying(128), record_id integer, sfid character varying(18),'
            ' old text, "values" text, sf_result integer, sf_message text)', s));
        PERFORM hcguard__provision_run(format(
            'CREATE INDEX _trigger_log_archive_idx_state_table_name ON %I._trigger_log_archive'
            ' (state, table_name) WHERE state = ''FAILED''', s));
        PERFORM hcguard__notice('provision_system_table', format('%I._trigger_log_archive', s));
    END IF;

    IF to_regclass(format('%I._sf_event_log', s)) IS NULL THEN
        PERFORM hcguard__provision_run(format(
            'CREATE TABLE %I._sf_event_log (id serial PRIMARY KEY, table_name character varying(128),'
            ' action character varying(7), synced_at timestamp with time zone DEFAULT now(),'
            ' sf_timestamp timestamp with time zone, sfid character varying(20), record text,'
            ' processed boolean)', s));
        PERFORM hcguard__notice('provision_system_table', format('%I._sf_event_log', s));
    END IF;

    -- How Connect's triggers tell the application's writes (base64, the
    -- default) from Connect's own sessions (hex).
    IF to_regprocedure(format('%I.get_xmlbinary()', s)) IS NULL THEN
        PERFORM hcguard__provision_run(format(
            'CREATE FUNCTION %I.get_xmlbinary() RETURNS character varying LANGUAGE sql STABLE'
            ' AS $body$ SELECT pg_catalog.current_setting(''xmlbinary'')::character varying $body$', s));
        PERFORM hcguard__notice('provision_function', format('%I.get_xmlbinary()', s));
    END IF;

    -- Connect's loggers record rows as hstore, which Connect installs in
    -- public.  hstore is a trusted extension: whoever may create in the
    -- database may create it; where the caller may not create in public,
    -- it goes into the provisioned schema.
    SELECT e.extnamespace::regnamespace::name INTO hstore_schema
      FROM pg_extension e WHERE e.extname = 'hstore';
    IF hstore_schema IS NULL THEN
        hstore_schema := CASE WHEN to_regnamespace('public') IS NOT NULL
                                   AND has_schema_privilege('public', 'CREATE')
                              THEN 'public' ELSE s END;
        PERFORM hcguard__provision_run(format('CREATE EXTENSION hstore SCHEMA %I', hstore_schema));
        PERFORM hcguard__notice('provision_extension', hstore_schema);
    END IF;
END
$$;

-- A mapping table, as Connect creates it for a read-write mapping, with its
-- first fields before Connect's bookkeeping columns.
CREATE FUNCTION hcguard__provision_table(s name, t name, fields name[], types text[])
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    hs text := (SELECT quote_ident(e.extnamespace::regnamespace::name)
                  FROM pg_extension e WHERE e.extname = 'hstore');
    rel text := format('%I.%I', s, t);
    cols text;
BEGIN
    SELECT string_agg(format('%I %s', c.name, c.definition), ', ' ORDER BY c.o)
      INTO cols
      FROM (SELECT n.name, n.definition, n.o
              FROM hcguard__connect_columns() WITH ORDINALITY AS n(name, type, definition, o)
             WHERE n.name NOT IN ('_hc_lastop', '_hc_err')
            UNION ALL
            SELECT f.name, coalesce(f.type, 'character varying(255)'), 100 + f.o
              FROM unnest(fields, types) WITH ORDINALITY AS f(name, type, o)
            UNION ALL
            SELECT n.name, n.definition, 1000 + n.o
              FROM hcguard__connect_columns() WITH ORDINALITY AS n(name, type, definition, o)
             WHERE n.name IN ('_hc_lastop', '_hc_err')) AS c(name, definition, o);
    PERFORM hcguard__provision_run(format('CREATE TABLE %s (%s)', rel, cols));
    PERFORM hcguard__provision_run(format('CREATE UNIQUE INDEX %I ON %s (sfid)',
                                          ('hcu_idx_' || t || '_sfid')::name, rel));
    PERFORM hcguard__provision_run(format('CREATE INDEX %I ON %s (systemmodstamp)',
                                          ('hc_idx_' || t || '_systemmodstamp')::name, rel));

    -- The status trigger: the application's writes are PENDING until
    -- Connect pushes them; Connect's own are SYNCED, unless Connect's
    -- update sets _hc_lastop itself (INSERTED, UPDATED, FAILED).
    PERFORM hcguard__provision_run(format(
        'CREATE FUNCTION %1$I.%2$I() RETURNS trigger LANGUAGE plpgsql AS $body$'
        ' BEGIN'
        '   IF %1$I.get_xmlbinary() OPERATOR(pg_catalog.=) ''base64'' THEN'
        '     NEW._hc_lastop := ''PENDING''; NEW._hc_err := NULL;'
        '   ELSIF TG_OP OPERATOR(pg_catalog.=) ''INSERT'' THEN'
        '     NEW._hc_lastop := ''SYNCED''; NEW._hc_err := NULL;'
        '   ELSIF NEW._hc_lastop IS NULL OR NEW._hc_lastop IS NOT DISTINCT FROM OLD._hc_lastop THEN'
        '     NEW._hc_lastop := ''SYNCED''; NEW._hc_err := NULL;'
        '   END IF;'
        '   RETURN NEW;'
        ' END $body$',
        s, ('hc_' || t || '_status')::name));
    PERFORM hcguard__provision_run(format(
        'CREATE TRIGGER %I BEFORE INSERT OR UPDATE ON %s FOR EACH ROW EXECUTE FUNCTION %I.%I()',
        ('hc_' || t || '_status_trigger')::name, rel, s, ('hc_' || t || '_status')::name));

    -- The log trigger: the application's writes are queued in _trigger_log
    -- (state NEW) for Connect to push, the row as hstore text.
    PERFORM hcguard__provision_run(format(
        'CREATE FUNCTION %1$I.%2$I() RETURNS trigger LANGUAGE plpgsql AS $body$'
        ' DECLARE'
        '   excluded text[] := ARRAY[''_hc_lastop'', ''_hc_err''];'
        ' BEGIN'
        '   IF %1$I.get_xmlbinary() OPERATOR(pg_catalog.<>) ''base64'' THEN RETURN NULL; END IF;'
        '   IF TG_OP OPERATOR(pg_catalog.=) ''INSERT'' THEN'
        '     INSERT INTO %1$I._trigger_log (txid, created_at, state, action, table_name, record_id, sfid, "values")'
        '     VALUES (pg_catalog.txid_current(), pg_catalog.clock_timestamp(), ''NEW'', TG_OP, TG_TABLE_NAME,'
        '             NEW.id, NEW.sfid, (%3$s.hstore(NEW) OPERATOR(%3$s.-) excluded)::text);'
        '   ELSIF TG_OP OPERATOR(pg_catalog.=) ''UPDATE'' THEN'
        '     INSERT INTO %1$I._trigger_log (txid, created_at, state, action, table_name, record_id, sfid, old, "values")'
        '     VALUES (pg_catalog.txid_current(), pg_catalog.clock_timestamp(), ''NEW'', TG_OP, TG_TABLE_NAME,'
        '             NEW.id, OLD.sfid, (%3$s.hstore(OLD) OPERATOR(%3$s.-) excluded)::text,'
        '             ((%3$s.hstore(NEW) OPERATOR(%3$s.-) %3$s.hstore(OLD)) OPERATOR(%3$s.-) excluded)::text);'
        '   ELSE'
        '     INSERT INTO %1$I._trigger_log (txid, created_at, state, action, table_name, record_id, sfid, old)'
        '     VALUES (pg_catalog.txid_current(), pg_catalog.clock_timestamp(), ''NEW'', TG_OP, TG_TABLE_NAME,'
        '             OLD.id, OLD.sfid, (%3$s.hstore(OLD) OPERATOR(%3$s.-) excluded)::text);'
        '   END IF;'
        '   RETURN NULL;'
        ' END $body$',
        s, ('hc_' || t || '_logger')::name, hs));
    PERFORM hcguard__provision_run(format(
        'CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION %I.%I()',
        ('hc_' || t || '_logtrigger')::name, rel, s, ('hc_' || t || '_logger')::name));

    PERFORM hcguard__notice('provision_table', format('%I.%I', s, t), format('%I._trigger_log', s));
    PERFORM hcguard__notice('provision_column', f.name, format('%I.%I', s, t),
                            coalesce(f.type, 'character varying(255)'))
       FROM unnest(fields, types) AS f(name, type);
END
$$;

/*
 * Creates what a declaration names and the database lacks: the schema (with
 * Connect's system tables), the mapping table, the columns (of their
 * declared types, else character varying(255), Connect's type for
 * picklists and most text fields).  A provisioned column declared with
 * another type is changed to it.  columns and types run in parallel; a
 * type is as format_type writes it, or NULL where none was declared.
 *
 * Returns false, having created nothing and said why in a notice, where
 * hcguard must not provision; the caller then fails as under error.
 */
CREATE FUNCTION hcguard__provision(schema_given text, table_given text,
                                   columns text[], types text[])
RETURNS boolean
LANGUAGE plpgsql
AS $$
DECLARE
    other name;
    nsp oid;
    s name;
    rel oid;
    kind "char";
    t name;
    fields name[] := '{}';
    field_types text[] := '{}';
    changes name[] := '{}';
    change_from text[] := '{}';
    change_to text[] := '{}';
    found_name name;
    found_type text;
    own_type text;
    n name;
BEGIN
    -- One provisioning at a time in a database: two migrations that find
    -- the same schema missing must not both create it.  Connect schemas
    -- and the objects below are looked at only once it is held.
    PERFORM pg_advisory_xact_lock(1751345013, 1);

    -- A database with Heroku Connect is never provisioned: there a setting
    -- put by mistake must not let a deploy through.
    SELECT c.relnamespace::regnamespace::name INTO other
      FROM pg_class c
     WHERE c.relname IN ('_hcmeta', '_trigger_log', '_trigger_log_archive')
       AND NOT hcguard__provisioned(c.relnamespace)
     ORDER BY 1 LIMIT 1;
    IF other IS NOT NULL THEN
        PERFORM hcguard__notice('provision_refused_connect', other);
        RETURN false;
    END IF;

    SELECT n2.oid, n2.nspname INTO nsp, s
      FROM unnest(hcguard__provision_spellings(schema_given)) WITH ORDINALITY AS g(name, o)
      JOIN pg_namespace n2 ON n2.nspname = g.name
     ORDER BY g.o LIMIT 1;
    IF nsp IS NOT NULL AND NOT hcguard__provisioned(nsp) THEN
        PERFORM hcguard__notice('provision_refused_schema', s);
        RETURN false;
    END IF;
    s := coalesce(s, lower(schema_given)::name);

    IF nsp IS NOT NULL THEN
        SELECT c.oid, c.relname, c.relkind INTO rel, t, kind
          FROM unnest(hcguard__provision_spellings(table_given)) WITH ORDINALITY AS g(name, o)
          JOIN pg_class c ON c.relname = g.name AND c.relnamespace = nsp
         ORDER BY g.o LIMIT 1;
    END IF;
    IF rel IS NOT NULL AND (kind <> 'r'
                            OR t IN ('_hcmeta', '_trigger_log', '_trigger_log_archive', '_sf_event_log')
                            OR (SELECT count(*) FROM pg_attribute
                                 WHERE attrelid = rel AND NOT attisdropped
                                   AND attname IN ('sfid', '_hc_lastop', '_hc_err')) < 3) THEN
        PERFORM hcguard__notice('provision_refused_table', format('%I.%I', s, t));
        RETURN false;
    END IF;
    t := coalesce(t, hcguard__provision_name(table_given));

    -- What each column needs: nothing, to be added, or its type changed.
    -- Connect's own columns keep Connect's types.
    FOR i IN 1 .. coalesce(cardinality(columns), 0) LOOP
        found_name := NULL;
        found_type := NULL;
        IF rel IS NOT NULL THEN
            SELECT p.attname, format_type(p.atttypid, p.atttypmod) INTO found_name, found_type
              FROM unnest(hcguard__provision_spellings(columns[i], true)) WITH ORDINALITY AS g(name, o)
              JOIN pg_attribute p ON p.attname = g.name AND p.attrelid = rel
                                 AND p.attnum > 0 AND NOT p.attisdropped
             ORDER BY g.o LIMIT 1;
        END IF;
        n := coalesce(found_name, hcguard__provision_name(columns[i], true));
        own_type := (SELECT c.type FROM hcguard__connect_columns() c WHERE c.name = n);
        IF own_type IS NOT NULL THEN
            IF types[i] IS NOT NULL AND types[i] <> own_type THEN
                PERFORM hcguard__notice('provision_refused_column', n, own_type);
                RETURN false;
            END IF;
            CONTINUE;
        END IF;
        IF found_name IS NULL THEN
            IF NOT n = ANY (fields) THEN
                fields := fields || n;
                field_types := field_types || types[i];
            END IF;
        ELSIF types[i] IS NOT NULL AND types[i] <> found_type AND NOT n = ANY (changes) THEN
            changes := changes || n;
            change_from := change_from || found_type;
            change_to := change_to || types[i];
        END IF;
    END LOOP;

    PERFORM hcguard__provision_schema(s);
    IF rel IS NULL THEN
        PERFORM hcguard__provision_table(s, t, fields, field_types);
        RETURN true;
    END IF;
    FOR i IN 1 .. cardinality(fields) LOOP
        PERFORM hcguard__provision_run(format('ALTER TABLE %I.%I ADD COLUMN %I %s', s, t, fields[i],
                                              coalesce(field_types[i], 'character varying(255)')));
        PERFORM hcguard__notice('provision_column', fields[i], format('%I.%I', s, t),
                                coalesce(field_types[i], 'character varying(255)'));
    END LOOP;
    FOR i IN 1 .. cardinality(changes) LOOP
        PERFORM hcguard__provision_run(format('ALTER TABLE %1$I.%2$I ALTER COLUMN %3$I TYPE %4$s USING %3$I::%4$s',
                                              s, t, changes[i], change_to[i]));
        PERFORM hcguard__notice('provision_column_type', changes[i], format('%I.%I', s, t),
                                change_from[i], change_to[i]);
    END LOOP;
    RETURN true;
END
$$;

-- ddl/declarations.sql: declarations, in both editions.
--
-- Each edition records declarations in its own way (the C extension looks
-- for the row through the index before it calls hcguard__declare; the SQL
-- edition asks with a query), and each has its own hcguard__verdict_state:
-- the SQLSTATE (code) and message hcguard_required would raise for one name, NULL
-- when it would pass.  Everything else about declarations is written once,
-- here: the store's guard, the view, the checks, the document, forgetting.
-- Every public function here runs with search_path pinned to pg_catalog and
-- hcguard's schema (the C extension's install script and the SQL edition's
-- pin them alike).

-- Whether the current user acts as the owner of a mapping (its owner, a
-- member of the owning role, a superuser), or, where the mapping is gone, of
-- the store: who may confirm a sync, revoke a confirmation or forget a
-- declaration.
CREATE FUNCTION hcguard__owns_mapping(schema_name name, table_name name, store oid)
RETURNS boolean
LANGUAGE sql STABLE
AS $$
    SELECT pg_has_role(coalesce((SELECT c.relowner
                                   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                                  WHERE n.nspname = $1 AND c.relname = $2),
                                (SELECT relowner FROM pg_class WHERE oid = $3)),
                       'USAGE')
$$;

-- Who may remove a declaration: whoever may confirm the sync of its mapping.
CREATE FUNCTION hcguard__may_forget(schema_name name, table_name name, column_name name, store oid)
RETURNS void
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    IF NOT hcguard__owns_mapping(schema_name, table_name, store) THEN
        PERFORM hcguard__error('forget_denied',
                               format('%I.%I', schema_name, table_name)
                               || CASE WHEN column_name <> '' THEN format('.%I', column_name) ELSE '' END);
    END IF;
END
$$;

-- The store's guard: every row is signed by its writer, now; removing or
-- renaming a declaration needs the rights forgetting needs.  The store's
-- owner (a superuser, in the C extension) writes rows as they are, so that
-- a restore keeps who declared what, and when.
CREATE FUNCTION hcguard__declaration_guard()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP = 'INSERT' AND pg_has_role((SELECT c.relowner FROM pg_class c WHERE c.oid = TG_RELID),
                                        'USAGE') THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE'
       OR (TG_OP = 'UPDATE' AND (NEW.schema_name, NEW.table_name, NEW.column_name)
                                 IS DISTINCT FROM (OLD.schema_name, OLD.table_name, OLD.column_name)) THEN
        PERFORM hcguard__may_forget(OLD.schema_name, OLD.table_name, OLD.column_name, TG_RELID);
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    NEW.declared_by := current_user;
    NEW.declared_at := now();
    RETURN NEW;
END
$$;

CREATE TRIGGER hcguard_declaration_guard
    BEFORE INSERT OR UPDATE OR DELETE ON hcguard.declaration_store
    FOR EACH ROW EXECUTE FUNCTION hcguard__declaration_guard();

/*
 * Records one declaration.  A new name is inserted; a new type replaces the
 * recorded one; the same type, or none where one is recorded (a call that
 * declares less does not weaken what another declared), writes nothing.
 * Recording never fails the guard it follows: in REPEATABLE READ, a row
 * that a concurrent migration wrote first is a serialization failure, and
 * then that migration's declaration stands for this one.  Two transactions
 * that each hold a row the other is inserting deadlock; the one the server
 * picks gives up its recording, not its verdict, and the other's row
 * stands for it.  (SERIALIZABLE
 * transactions record nothing: their reads of the store could fail the
 * migration at commit.)
 */
CREATE FUNCTION hcguard__declare(schema_name name, table_name name, column_name name,
                                 declared_type text)
RETURNS boolean
LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO hcguard.declaration_store AS d (schema_name, table_name, column_name, declared_type)
    VALUES (schema_name, table_name, coalesce(column_name, ''), declared_type)
    ON CONFLICT DO NOTHING;
    IF FOUND THEN
        RETURN true;
    END IF;
    IF declared_type IS NOT NULL THEN
        UPDATE hcguard.declaration_store AS d
           SET declared_type = hcguard__declare.declared_type
         WHERE d.schema_name = hcguard__declare.schema_name
           AND d.table_name = hcguard__declare.table_name
           AND d.column_name = coalesce(hcguard__declare.column_name, '')
           AND d.declared_type IS DISTINCT FROM hcguard__declare.declared_type;
    END IF;
    RETURN FOUND;
EXCEPTION WHEN serialization_failure OR deadlock_detected THEN
    RETURN false;
END
$$;

/*
 * Records the declarations of one mapping at once, as hcguard__declare
 * records one (the SQL edition's way: a configuration file names thousands
 * of fields, and one statement writes them where a call per field would
 * take a subtransaction each).  A name given twice is declared once, by
 * its first mention, as the guard judges a column listed twice: a guard's
 * list may hold one name twice where it stopped before looking at the
 * columns (a schema the caller may not use), or as Id and sfid.
 */
CREATE FUNCTION hcguard__declare_all(schema_name name, table_name name, columns name[],
                                     types text[])
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    WITH given AS (
        SELECT DISTINCT ON (c.name) c.name, c.type
          FROM unnest(columns, types) WITH ORDINALITY AS c(name, type, o)
         ORDER BY c.name, c.o)
    INSERT INTO hcguard.declaration_store AS d (schema_name, table_name, column_name, declared_type)
    SELECT hcguard__declare_all.schema_name, hcguard__declare_all.table_name, g.name, g.type
      FROM given g
     ORDER BY g.name
    ON CONFLICT DO NOTHING;
    WITH given AS (
        SELECT DISTINCT ON (c.name) c.name, c.type
          FROM unnest(columns, types) WITH ORDINALITY AS c(name, type, o)
         ORDER BY c.name, c.o)
    UPDATE hcguard.declaration_store AS d
       SET declared_type = g.type
      FROM given g
     WHERE d.schema_name = hcguard__declare_all.schema_name
       AND d.table_name = hcguard__declare_all.table_name
       AND d.column_name = g.name
       AND g.type IS NOT NULL
       AND d.declared_type IS DISTINCT FROM g.type;
EXCEPTION WHEN serialization_failure OR deadlock_detected THEN
    RETURN;
END
$$;

-- A declaration as a column argument: the name, then its type.
CREATE FUNCTION hcguard__declared_arg(column_name text, declared_type text)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE WHEN coalesce(column_name, '') = '' THEN NULL
                WHEN declared_type IS NULL THEN column_name
                ELSE column_name || ' ' || declared_type END
$$;

-- The verdict on one declaration: the SQLSTATE and message its guard would
-- raise, NULL when it holds.  A declaration can no longer be judged at all
-- (its type was dropped, say): that is its problem.
CREATE FUNCTION hcguard__declaration_state(schema_name text, table_name text, column_name text,
                                           declared_type text, OUT code text, OUT message text)
LANGUAGE plpgsql
AS $$
BEGIN
    SELECT s.code, s.message INTO code, message
      FROM hcguard__verdict_state(schema_name, table_name,
                                  hcguard__declared_arg(column_name, declared_type)) AS s;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
END
$$;

-- Every recorded declaration, with whether it holds now.
CREATE FUNCTION hcguard__declarations()
RETURNS TABLE (schema_name text, table_name text, column_name text, declared_type text,
               declared_at timestamptz, declared_by text, ok boolean, problem text)
LANGUAGE plpgsql
AS $$
DECLARE
    d record;
    st record;
BEGIN
    FOR d IN SELECT * FROM hcguard.declaration_store s
              ORDER BY s.schema_name, s.table_name, s.column_name LOOP
        st := hcguard__declaration_state(d.schema_name, d.table_name, d.column_name, d.declared_type);
        schema_name := d.schema_name;
        table_name := d.table_name;
        column_name := NULLIF(d.column_name::text, '');
        declared_type := d.declared_type;
        declared_at := d.declared_at;
        declared_by := d.declared_by;
        ok := st.code IS NULL;
        problem := st.message;
        RETURN NEXT;
    END LOOP;
END
$$;

CREATE OR REPLACE VIEW hcguard_declarations AS
    SELECT * FROM hcguard__declarations();
GRANT SELECT ON hcguard_declarations TO PUBLIC;

/*
 * Checks a list of declarations (parallel arrays) as hcguard_required
 * checks one: 42P01 if a mapping (or its schema) is missing, else 42703,
 * else 42804, else 55000 (not synced, or not to be judged), the detail
 * listing the problems (the first 20, then a count).  Follows
 * hcguard.on_failure: under provision, what is missing is provisioned, then
 * judged again.
 */
CREATE FUNCTION hcguard__check_declarations(schemas text[], tables text[], columns text[], types text[])
RETURNS boolean
LANGUAGE plpgsql
AS $$
DECLARE
    n integer := coalesce(cardinality(schemas), 0);
    st record;
    rank integer;
    best integer := 5;
    failures integer := 0;
    detail text := '';
    r hcguard__report;
BEGIN
    FOR i IN 1 .. n LOOP
        st := hcguard__declaration_state(schemas[i], tables[i], columns[i], types[i]);
        IF st.code IS NOT NULL AND hcguard__on_failure() = 'provision'
           AND st.code NOT IN ('42501', '42704', '22023')
           AND hcguard__provision(schemas[i], tables[i],
                                  CASE WHEN coalesce(columns[i], '') = '' THEN '{}'::text[]
                                       ELSE ARRAY[columns[i]] END,
                                  CASE WHEN coalesce(columns[i], '') = '' THEN '{}'::text[]
                                       ELSE ARRAY[types[i]] END) THEN
            st := hcguard__declaration_state(schemas[i], tables[i], columns[i], types[i]);
        END IF;
        CONTINUE WHEN st.code IS NULL;
        failures := failures + 1;
        rank := CASE WHEN st.code IN ('3F000', '42P01') THEN 1
                     WHEN st.code = '42703' THEN 2
                     WHEN st.code = '42804' THEN 3
                     ELSE 4 END;
        best := least(best, rank);
        IF failures <= 20 THEN
            IF detail <> '' THEN
                detail := detail || E'\n';
            END IF;
            detail := detail || hcguard__text('declaration_line',
                format('%I.%I', schemas[i], tables[i])
                || CASE WHEN coalesce(columns[i], '') <> '' THEN format('.%I', columns[i]) ELSE '' END,
                st.message);
        END IF;
    END LOOP;
    IF failures = 0 THEN
        RETURN true;
    END IF;
    IF failures > 20 THEN
        detail := detail || E'\n' || hcguard__text('and_more', (failures - 20)::text);
    END IF;
    r := hcguard__msg(CASE best WHEN 1 THEN 'declarations_fail_mapping'
                                WHEN 2 THEN 'declarations_fail_column'
                                WHEN 3 THEN 'declarations_fail_type'
                                ELSE 'declarations_fail_sync' END,
                      failures::text, n::text);
    r.detail := detail;
    RETURN hcguard__raise(r, hcguard__on_failure() = 'warning');
END
$$;

CREATE OR REPLACE FUNCTION hcguard_check_declarations()
RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    s text[];
    t text[];
    c text[];
    ty text[];
BEGIN
    SELECT array_agg(d.schema_name::text ORDER BY d.schema_name, d.table_name, d.column_name),
           array_agg(d.table_name::text ORDER BY d.schema_name, d.table_name, d.column_name),
           array_agg(d.column_name::text ORDER BY d.schema_name, d.table_name, d.column_name),
           array_agg(d.declared_type ORDER BY d.schema_name, d.table_name, d.column_name)
      INTO s, t, c, ty
      FROM hcguard.declaration_store d;
    RETURN hcguard__check_declarations(s, t, c, ty);
END
$$;

-- The declarations as a document, to carry to another environment.
CREATE OR REPLACE FUNCTION hcguard_declarations_json()
RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT jsonb_build_object(
        'format', 'hcguard declarations',
        'version', 1,
        'database', current_database(),
        'declarations', coalesce(jsonb_agg(jsonb_build_object(
            'schema_name', d.schema_name,
            'table_name', d.table_name,
            'column_name', NULLIF(d.column_name::text, ''),
            'declared_type', d.declared_type,
            'declared_at', d.declared_at,
            'declared_by', d.declared_by)
          ORDER BY d.schema_name, d.table_name, d.column_name), '[]'::jsonb))
      FROM hcguard.declaration_store d
$$;

-- A refusal of a document that is not one of hcguard_declarations_json()'s.
CREATE FUNCTION hcguard__refuse_declarations(why text, path text)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM hcguard__error(why, path);
END
$$;

-- Checks, in this database, every declaration of such a document (before
-- promoting from staging to production).  It records nothing.
CREATE OR REPLACE FUNCTION hcguard_required_declarations(declarations jsonb)
RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    e jsonb;
    path text;
    i integer := 0;
    f text;
    s text[] := '{}';
    t text[] := '{}';
    c text[] := '{}';
    ty text[] := '{}';
BEGIN
    IF declarations IS NULL THEN
        PERFORM hcguard__error('declarations_doc_null');
    END IF;
    IF jsonb_typeof(declarations) <> 'object' THEN
        PERFORM hcguard__refuse_declarations('declarations_doc_not_object', '$');
    END IF;
    IF NOT declarations ? 'declarations' THEN
        PERFORM hcguard__refuse_declarations('declarations_doc_missing', '$.declarations');
    END IF;
    IF jsonb_typeof(declarations -> 'declarations') <> 'array' THEN
        PERFORM hcguard__refuse_declarations('declarations_doc_not_array', '$.declarations');
    END IF;
    FOR e IN SELECT x FROM jsonb_array_elements(declarations -> 'declarations') AS x LOOP
        path := format('$.declarations[%s]', i);
        IF jsonb_typeof(e) <> 'object' THEN
            PERFORM hcguard__refuse_declarations('declarations_doc_not_object', path);
        END IF;
        FOREACH f IN ARRAY ARRAY['schema_name', 'table_name'] LOOP
            IF NOT e ? f THEN
                PERFORM hcguard__refuse_declarations('declarations_doc_missing', path || '.' || f);
            END IF;
            IF jsonb_typeof(e -> f) <> 'string' OR e ->> f = '' THEN
                PERFORM hcguard__refuse_declarations('declarations_doc_not_name', path || '.' || f);
            END IF;
        END LOOP;
        FOREACH f IN ARRAY ARRAY['column_name', 'declared_type'] LOOP
            IF e ? f AND jsonb_typeof(e -> f) NOT IN ('string', 'null') THEN
                PERFORM hcguard__refuse_declarations('declarations_doc_not_text', path || '.' || f);
            END IF;
        END LOOP;
        s := s || (e ->> 'schema_name');
        t := t || (e ->> 'table_name');
        c := c || (e ->> 'column_name');
        ty := ty || (e ->> 'declared_type');
        i := i + 1;
    END LOOP;
    RETURN hcguard__check_declarations(s, t, c, ty);
END
$$;

-- The code no longer needs it: true if a declaration was removed.  Names
-- are found as the guard finds them: as given, else in lower case (Id being
-- sfid).
CREATE OR REPLACE FUNCTION hcguard_forget_declaration(schema_name text, table_name text,
                                           column_name text DEFAULT NULL)
RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    d record;
    removed integer := 0;
BEGIN
    IF schema_name IS NULL THEN
        PERFORM hcguard__error('arg_null', 'schema name');
    ELSIF table_name IS NULL THEN
        PERFORM hcguard__error('arg_null', 'table name');
    ELSIF schema_name = '' THEN
        PERFORM hcguard__error('arg_empty', 'schema name');
    ELSIF table_name = '' THEN
        PERFORM hcguard__error('arg_empty', 'table name');
    ELSIF column_name = '' THEN
        PERFORM hcguard__error('arg_empty', 'column name');
    END IF;
    IF pg_is_in_recovery() THEN
        PERFORM hcguard__error('forget_on_standby', 'hcguard_forget_declaration');
    ELSIF current_setting('transaction_read_only')::boolean THEN
        PERFORM hcguard__error('confirm_read_only', 'hcguard_forget_declaration');
    END IF;
    -- every matching declaration (as given and in lower case, there may be
    -- two), the rights checked in the order of their names first, so that
    -- a refusal names the same one whatever the rows' order
    FOR d IN SELECT s.schema_name, s.table_name, s.column_name
               FROM hcguard.declaration_store s
              WHERE s.schema_name = ANY (hcguard__provision_spellings(hcguard_forget_declaration.schema_name))
                AND s.table_name = ANY (hcguard__provision_spellings(hcguard_forget_declaration.table_name))
                AND s.column_name = ANY (CASE WHEN hcguard_forget_declaration.column_name IS NULL
                                              THEN ARRAY[''::name]
                                              ELSE hcguard__provision_spellings(hcguard_forget_declaration.column_name, true) END)
              ORDER BY s.schema_name COLLATE "C", s.table_name COLLATE "C", s.column_name COLLATE "C"
    LOOP
        PERFORM hcguard__may_forget(d.schema_name, d.table_name, d.column_name,
                                    'hcguard.declaration_store'::regclass);
        DELETE FROM hcguard.declaration_store s
         WHERE s.schema_name = d.schema_name AND s.table_name = d.table_name
           AND s.column_name = d.column_name;
        removed := removed + 1;
    END LOOP;
    RETURN removed > 0;
END
$$;

-- ddl/connect_state.sql: Heroku Connect's own report, in both editions.
--
-- A release step hands hcguard the connection document Connect's API
-- returns (GET /api/v3/connections/{id}?deep=true); hcguard_record_connect_state
-- keeps it (ddl/connect_state_store.sql) and the view hcguard_connect_state
-- shows it.  While the snapshot is fresh (hcguard.connect_state_max_age),
-- the guard takes Connect's word: a mapping in DATA_SYNCED on an idle
-- connection vouches for its configured fields, and any other state fails
-- the verdict.  The C extension reads the store in C on every verdict (it
-- must cost nothing when there is no snapshot); the SQL edition asks
-- hcguard__connect_verdict, below.  Both say what they found with the
-- catalogue's words, from here or from src/messages.txt.

-- The connection states in which Connect syncs, and the mapping state in
-- which a mapping's data is whole.
CREATE FUNCTION hcguard__connect_idle(connection_state text)
RETURNS boolean
LANGUAGE sql IMMUTABLE
AS $$ SELECT connection_state IN ('IDLE', 'POLLING_DB_CHANGES') $$;

-- hcguard.connect_state_max_age as an interval.  The C extension's setting
-- is an integer of seconds, which SHOW writes with its unit ('15min'); the
-- SQL edition's is a plain custom setting, any interval, 15 minutes unset.
CREATE FUNCTION hcguard__connect_max_age()
RETURNS interval
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    setting text := nullif(current_setting('hcguard.connect_state_max_age', true), '');
BEGIN
    IF setting IS NULL THEN
        RETURN interval '15 minutes';
    END IF;
    -- a bare number is seconds, as the C extension's unit makes it
    RETURN CASE WHEN setting ~ '^\s*[0-9]+\s*$' THEN make_interval(secs => setting::double precision)
                ELSE setting::interval END;
EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow OR interval_field_overflow
               OR invalid_text_representation THEN
    PERFORM hcguard__error('connect_max_age_invalid', setting);
    RETURN NULL;
END
$$;

-- What a state means, in the catalogue's words; a state hcguard does not
-- know is said to be one.
CREATE FUNCTION hcguard__connect_meaning(state text)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
    SELECT coalesce((SELECT m.body FROM hcguard__msg_def('connect_state_' || lower(state)) AS m
                      WHERE state ~ '^[A-Z_]+$'),
                    hcguard__text('connect_state_unknown'))
$$;

-- "134 seconds"
CREATE FUNCTION hcguard__connect_age(recorded_at timestamptz)
RETURNS text
LANGUAGE sql VOLATILE
AS $$
    SELECT hcguard__text(CASE WHEN s = 1 THEN 'seconds_one' ELSE 'seconds_many' END, s::text)
      FROM (SELECT greatest(floor(extract(epoch FROM clock_timestamp() - recorded_at)), 0)::bigint AS s) a
$$;

-- Who may record Connect's state for a schema: whoever may confirm a sync
-- on every mapping in it (the owner of each table, or a member of the
-- owning role), or the schema's owner; a schema without mappings, its owner
-- only.  A snapshot speaks for every mapping of the schema: replacing it
-- must not be open to the owner of one table.
CREATE FUNCTION hcguard__may_record_connect(schema_name name)
RETURNS boolean
LANGUAGE sql STABLE
AS $$
    SELECT coalesce(pg_has_role(n.nspowner, 'USAGE'), false)
           OR (EXISTS (SELECT FROM pg_class c
                        WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'p')
                          AND EXISTS (SELECT FROM pg_attribute a
                                       WHERE a.attrelid = c.oid AND a.attname = '_hc_lastop'
                                         AND NOT a.attisdropped))
               AND NOT EXISTS (SELECT FROM pg_class c
                                WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'p')
                                  AND EXISTS (SELECT FROM pg_attribute a
                                               WHERE a.attrelid = c.oid AND a.attname = '_hc_lastop'
                                                 AND NOT a.attisdropped)
                                  AND NOT pg_has_role(c.relowner, 'USAGE')))
      FROM pg_namespace n
     WHERE n.nspname = schema_name
$$;

-- The store's guard: only who may record Connect's state for a schema
-- writes its rows, and every snapshot is signed by its writer, now.  The
-- store's owner writes rows as they are (a restore).
CREATE FUNCTION hcguard__connect_state_guard()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF pg_has_role((SELECT c.relowner FROM pg_class c WHERE c.oid = TG_RELID), 'USAGE') THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND NOT coalesce(hcguard__may_record_connect(OLD.schema_name), false) THEN
        PERFORM hcguard__error('connect_record_denied', quote_ident(OLD.schema_name));
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    IF NOT coalesce(hcguard__may_record_connect(NEW.schema_name), false) THEN
        PERFORM hcguard__error('connect_record_denied', quote_ident(NEW.schema_name));
    END IF;
    IF TG_TABLE_NAME = 'connect_snapshot' THEN
        NEW.recorded_by := current_user;
        NEW.recorded_at := now();
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER hcguard_connect_state_guard
    BEFORE INSERT OR UPDATE OR DELETE ON hcguard.connect_snapshot
    FOR EACH ROW EXECUTE FUNCTION hcguard__connect_state_guard();
CREATE TRIGGER hcguard_connect_state_guard
    BEFORE INSERT OR UPDATE OR DELETE ON hcguard.connect_mapping_state
    FOR EACH ROW EXECUTE FUNCTION hcguard__connect_state_guard();

-- A refusal of a document that is not a connection report.
CREATE FUNCTION hcguard__refuse_connect(why text, path text)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM hcguard__error(why, path);
END
$$;

-- A string member of a report: present, a string, and not empty.
CREATE FUNCTION hcguard__connect_string(doc jsonb, key text, path text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE
AS $$
BEGIN
    IF NOT doc ? key THEN
        PERFORM hcguard__refuse_connect('connect_doc_missing', path || '.' || key);
    END IF;
    IF jsonb_typeof(doc -> key) <> 'string' OR doc ->> key = '' THEN
        PERFORM hcguard__refuse_connect('connect_doc_not_name', path || '.' || key);
    END IF;
    RETURN doc ->> key;
END
$$;

-- A count of a report: absent or null is unknown; otherwise a whole
-- number that is not negative.
CREATE FUNCTION hcguard__connect_count(counts jsonb, key text, path text)
RETURNS bigint
LANGUAGE plpgsql IMMUTABLE
AS $$
BEGIN
    IF counts IS NULL OR jsonb_typeof(counts -> key) IS NULL OR jsonb_typeof(counts -> key) = 'null' THEN
        RETURN NULL;
    END IF;
    IF jsonb_typeof(counts -> key) <> 'number' OR (counts ->> key) !~ '^[0-9]{1,18}$' THEN
        PERFORM hcguard__refuse_connect('connect_doc_not_count', path || '.' || key);
    END IF;
    RETURN (counts ->> key)::bigint;
END
$$;

/*
 * Records a snapshot of a connection report: the connection's state and,
 * for each mapping, its state, configured fields and counts.  It replaces
 * the schema's snapshot before it (snapshots older than the newest are of
 * no use to a verdict).  The whole document is checked before anything is
 * written; a mapping whose table is not in the schema is recorded (it is
 * what Connect said) and reported in a warning, since no guard can pass on
 * it.  Returns the number of mappings recorded.
 */
CREATE OR REPLACE FUNCTION hcguard_record_connect_state(connection jsonb)
RETURNS integer
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    schema_given text;
    nsp name;
    connection_state text;
    m jsonb;
    path text;
    i integer := 0;
    object_name text;
    f text;
    fields text[];
    mappings jsonb := '[]';
    tables text[] := '{}';
BEGIN
    IF connection IS NULL THEN
        PERFORM hcguard__error('connect_doc_null');
    END IF;
    IF jsonb_typeof(connection) <> 'object' THEN
        PERFORM hcguard__refuse_connect('connect_doc_not_object', '$');
    END IF;
    schema_given := hcguard__connect_string(connection, 'schema_name', '$');
    connection_state := hcguard__connect_string(connection, 'state', '$');
    IF NOT connection ? 'mappings' THEN
        PERFORM hcguard__refuse_connect('connect_doc_not_deep', '$.mappings');
    END IF;
    IF jsonb_typeof(connection -> 'mappings') <> 'array' THEN
        PERFORM hcguard__refuse_connect('connect_doc_not_array', '$.mappings');
    END IF;
    FOR m IN SELECT x FROM jsonb_array_elements(connection -> 'mappings') AS x LOOP
        path := format('$.mappings[%s]', i);
        IF jsonb_typeof(m) <> 'object' THEN
            PERFORM hcguard__refuse_connect('connect_doc_not_object', path);
        END IF;
        object_name := hcguard__connect_string(m, 'object_name', path);
        PERFORM hcguard__connect_string(m, 'state', path);
        IF jsonb_typeof(m -> 'config') IS DISTINCT FROM 'object' THEN
            PERFORM hcguard__refuse_connect(CASE WHEN m ? 'config' THEN 'connect_doc_not_object'
                                                 ELSE 'connect_doc_missing' END, path || '.config');
        END IF;
        IF jsonb_typeof(m -> 'config' -> 'fields') IS DISTINCT FROM 'object' THEN
            PERFORM hcguard__refuse_connect(CASE WHEN m -> 'config' ? 'fields' THEN 'connect_doc_not_object'
                                                 ELSE 'connect_doc_missing' END, path || '.config.fields');
        END IF;
        IF m ? 'counts' AND jsonb_typeof(m -> 'counts') NOT IN ('object', 'null') THEN
            PERFORM hcguard__refuse_connect('connect_doc_not_object', path || '.counts');
        END IF;
        fields := ARRAY(SELECT jsonb_object_keys(m -> 'config' -> 'fields') ORDER BY 1);
        FOREACH f IN ARRAY fields LOOP
            IF f = '' THEN
                PERFORM hcguard__refuse_connect('connect_doc_empty_field', path || '.config.fields');
            END IF;
        END LOOP;
        -- Connect names a mapping's table after its object, in lower case
        IF lower(object_name)::name = ANY (tables) THEN
            PERFORM hcguard__refuse_connect('connect_doc_repeated', path || '.object_name');
        END IF;
        tables := tables || lower(object_name)::name::text;
        mappings := mappings || jsonb_build_object(
            'object_name', object_name,
            'table_name', lower(object_name)::name,
            'state', m ->> 'state',
            'state_description', CASE WHEN jsonb_typeof(m -> 'state_description') = 'string'
                                      THEN m ->> 'state_description' END,
            'fields', to_jsonb(fields),
            'columns', to_jsonb(ARRAY(SELECT DISTINCT hcguard__provision_name(x, true)
                                        FROM unnest(fields) AS x ORDER BY 1)),
            'db_count', hcguard__connect_count(m -> 'counts', 'db', path || '.counts'),
            'sf_count', hcguard__connect_count(m -> 'counts', 'sf', path || '.counts'));
        i := i + 1;
    END LOOP;

    -- the schema, as the guard finds it: as given, else in lower case
    SELECT n.nspname INTO nsp
      FROM unnest(hcguard__provision_spellings(schema_given)) WITH ORDINALITY AS g(name, o)
      JOIN pg_namespace n ON n.nspname = g.name
     ORDER BY g.o LIMIT 1;
    IF nsp IS NULL THEN
        PERFORM hcguard__error('connect_no_schema', schema_given);
    END IF;
    IF pg_is_in_recovery() THEN
        PERFORM hcguard__error('connect_on_standby', 'hcguard_record_connect_state');
    ELSIF current_setting('transaction_read_only')::boolean THEN
        PERFORM hcguard__error('confirm_read_only', 'hcguard_record_connect_state');
    END IF;
    IF NOT coalesce(hcguard__may_record_connect(nsp), false) THEN
        PERFORM hcguard__error('connect_record_denied', quote_ident(nsp));
    END IF;

    DELETE FROM hcguard.connect_mapping_state s WHERE s.schema_name = nsp;
    INSERT INTO hcguard.connect_snapshot AS s (schema_name, connection_state, recorded_at)
    VALUES (nsp, connection_state, now())
    ON CONFLICT ON CONSTRAINT connect_snapshot_pkey
    DO UPDATE SET connection_state = excluded.connection_state, recorded_at = excluded.recorded_at,
                  recorded_by = current_user;
    INSERT INTO hcguard.connect_mapping_state
           (schema_name, table_name, object_name, mapping_state, state_description, fields, columns,
            db_count, sf_count)
    SELECT nsp, (e ->> 'table_name')::name, e ->> 'object_name', e ->> 'state', e ->> 'state_description',
           ARRAY(SELECT jsonb_array_elements_text(e -> 'fields')),
           ARRAY(SELECT jsonb_array_elements_text(e -> 'columns'))::name[],
           (e ->> 'db_count')::bigint, (e ->> 'sf_count')::bigint
      FROM jsonb_array_elements(mappings) AS e;

    FOR m IN SELECT e FROM jsonb_array_elements(mappings) AS e
              WHERE NOT EXISTS (SELECT FROM pg_class c
                                 WHERE c.relnamespace = (SELECT n.oid FROM pg_namespace n WHERE n.nspname = nsp)
                                   AND c.relname = (e ->> 'table_name')::name)
              ORDER BY e ->> 'table_name'
    LOOP
        PERFORM hcguard__raise(hcguard__msg('connect_mapping_no_table',
                                            format('%s.%s', nsp, m ->> 'table_name'),
                                            m ->> 'object_name', m ->> 'state'),
                               true);
    END LOOP;
    RETURN i;
END
$$;

-- What Connect last said, a row per mapping of each schema's snapshot.
CREATE OR REPLACE VIEW hcguard_connect_state AS
    SELECT s.schema_name::text AS schema_name, m.object_name, m.table_name::text AS table_name,
           s.connection_state, m.mapping_state, m.fields, m.db_count, m.sf_count, s.recorded_at
      FROM hcguard.connect_snapshot s
      JOIN hcguard.connect_mapping_state m ON m.schema_name = s.schema_name;
GRANT SELECT ON hcguard_connect_state TO PUBLIC;

/*
 * Connect's word on a mapping, for the SQL edition's verdict (the C
 * extension reads the same rows in C): NULL when there is no fresh snapshot
 * of the schema, or one of an idle connection that does not list the
 * mapping; 'synced' with the columns
 * its configured fields make, when the connection is idle and the mapping
 * DATA_SYNCED; otherwise 'blocked', with the sentence a report's detail
 * shows.
 */
CREATE FUNCTION hcguard__connect_verdict(schema_name name, table_name name,
                                         OUT state text, OUT columns name[], OUT blocked text)
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    r record;
BEGIN
    SELECT s.connection_state, s.recorded_at, m.mapping_state, m.columns AS cols INTO r
      FROM hcguard.connect_snapshot s
      LEFT JOIN hcguard.connect_mapping_state m
        ON m.schema_name = s.schema_name AND m.table_name = hcguard__connect_verdict.table_name
     WHERE s.schema_name = hcguard__connect_verdict.schema_name
       AND s.recorded_at >= clock_timestamp() - hcguard__connect_max_age();
    IF NOT FOUND THEN
        RETURN;
    END IF;
    -- a connection that does not sync holds every mapping back, listed or not
    IF NOT hcguard__connect_idle(r.connection_state) THEN
        state := 'blocked';
        blocked := hcguard__text('connect_connection_state', r.connection_state,
                                 hcguard__connect_meaning(r.connection_state),
                                 hcguard__connect_age(r.recorded_at));
    ELSIF r.mapping_state IS NULL THEN
        RETURN;
    ELSIF r.mapping_state <> 'DATA_SYNCED' THEN
        state := 'blocked';
        blocked := hcguard__text('connect_mapping_state', r.mapping_state,
                                 hcguard__connect_meaning(r.mapping_state),
                                 hcguard__connect_age(r.recorded_at));
    ELSE
        state := 'synced';
        columns := r.cols;
    END IF;
END
$$;

/*
 * A verdict: whether Connect has mapped and synced a table and some of its
 * columns, and everything the report needs.  problem is NULL when all is
 * well, else the first unmet condition: no_schema, schema_denied,
 * not_connect, no_table, not_mapping, table_denied, no_column, not_synced.
 * The col_* arrays run in parallel, one entry per listed column (a column
 * listed twice, as Name and name, counts once).
 */
CREATE TYPE hcguard__verdict AS (
    problem        text,
    schema_given   text,
    table_given    text,
    schema_name    text,
    table_name     text,
    nspid          oid,
    relid          oid,
    connect_schema boolean,
    provisioned    boolean,
    mapped         boolean,
    synced         boolean,
    evidence       text,
    why            text,
    closest        text[],
    observed       text,
    col_given      text[],
    col_name       text[],
    col_attnum     int2[],
    col_problem    text[],
    col_evidence   text[],
    col_closest    text[],
    col_observed   text[],
    col_declared   text[],
    col_actual     text[],
    connect_blocked text
);

------------------------------------------------------------------------------
-- Arguments: a NULL never passes, an empty name names nothing.
------------------------------------------------------------------------------

CREATE FUNCTION hcguard__name(value text, what text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE
AS $$
BEGIN
    IF value IS NULL THEN
        PERFORM hcguard__error('arg_null', what);
    END IF;
    IF value = '' THEN
        PERFORM hcguard__error('arg_empty', what);
    END IF;
    RETURN value;
END
$$;

-- A column argument: a name that can stand for a Salesforce field.
-- Connect's bookkeeping columns cannot: a guard on one would pass or fail on
-- Connect's own housekeeping, and its hints would send the reader the wrong
-- way.
CREATE FUNCTION hcguard__field_name(value text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE
AS $$
BEGIN
    IF lower(value) IN ('_hc_lastop', '_hc_err') THEN
        PERFORM hcguard__error('bookkeeping_column', lower(value));
    END IF;
    RETURN value;
END
$$;

CREATE FUNCTION hcguard__column_arg(value text)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$ SELECT hcguard__field_name(hcguard__name(value, 'column name')) $$;

/*
 * The type a column argument declares after its name, as PostgreSQL reads a
 * type name and format_type writes it ("varchar(80)" is "character
 * varying(80)"), or NULL.  to_regtype() drops a type's modifier, so the
 * modifier is read by the type's own typmodin function, as the parser does.
 * A type that does not exist is 42704; text that is no type name is 22023.
 */
CREATE FUNCTION hcguard__declared_type(declared text, column_name text)
RETURNS text
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    parts text[] := regexp_match(declared, '^(.*?)\s*\(([^()]*)\)(.*)$');
    base text := coalesce(parts[1] || parts[3], declared);
    t oid;
    modin regproc;
    typmod integer := -1;
    valid boolean := true;
BEGIN
    BEGIN
        t := to_regtype(base);
        -- a modifier that is no modifier at all ("x($)") is no type name,
        -- whether or not the type exists, as PostgreSQL's parser says
        IF t IS NULL AND parts IS NOT NULL THEN
            PERFORM to_regtype(declared);
        END IF;
        IF t IS NOT NULL AND parts IS NOT NULL THEN
            SELECT y.typmodin INTO modin FROM pg_type y WHERE y.oid = t;
            IF modin = 0 THEN
                valid := false;
            ELSE
                EXECUTE format('SELECT %s(%L::pg_catalog.cstring[])', modin, '{' || parts[2] || '}')
                   INTO typmod;
            END IF;
        END IF;
    EXCEPTION WHEN data_exception OR syntax_error_or_access_rule_violation OR feature_not_supported THEN
        -- what the text says (feature_not_supported: a name of three parts,
        -- another database's); anything else is raised as it came
        valid := false;
    END;
    IF NOT valid THEN
        PERFORM hcguard__error('declared_type_invalid', declared, column_name);
    END IF;
    IF t IS NULL THEN
        PERFORM hcguard__error('declared_type_unknown', declared, column_name);
    END IF;
    RETURN format_type(t, typmod);
END
$$;

/*
 * Column arguments that may carry the type the code expects after the name,
 * separated by white space: "opt_in__c boolean".  The name ends at the first
 * white space (Salesforce's API names have none); without anything after it,
 * any type will do.  Returns the names and, in step, the declared types.
 */
CREATE FUNCTION hcguard__declared_columns(columns text[], OUT names text[], OUT types text[])
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    m text[];
BEGIN
    names := '{}';
    types := '{}';
    FOR i IN 1 .. coalesce(cardinality(columns), 0) LOOP
        m := regexp_match(columns[i], '^([^ \t\n\r\f\v]*)[ \t\n\r\f\v]+(.*)$');
        IF m IS NULL THEN
            names := names || columns[i];
            types := types || NULL::text;
            CONTINUE;
        END IF;
        IF m[1] = '' THEN
            PERFORM hcguard__error('arg_empty', 'column name');
        END IF;
        PERFORM hcguard__field_name(m[1]);
        names := names || m[1];
        types := types || CASE WHEN m[2] = '' THEN NULL ELSE hcguard__declared_type(m[2], m[1]) END;
    END LOOP;
END
$$;

-- A column argument that may be NULL, meaning the table itself.
CREATE FUNCTION hcguard__optional_column(value text)
RETURNS text[]
LANGUAGE plpgsql IMMUTABLE
AS $$
BEGIN
    IF value IS NULL THEN
        RETURN '{}';
    END IF;
    RETURN ARRAY[hcguard__column_arg(value)];
END
$$;

CREATE FUNCTION hcguard__column_list(names text[])
RETURNS text[]
LANGUAGE plpgsql IMMUTABLE
AS $$
BEGIN
    IF names IS NULL THEN
        PERFORM hcguard__error('column_list_null');
    END IF;
    IF cardinality(names) = 0 THEN
        PERFORM hcguard__error('column_list_empty');
    END IF;
    -- elements in storage order, whatever the array's bounds and dimensions,
    -- as the C extension reads them
    names := ARRAY(SELECT unnest(names));
    FOR i IN 1 .. cardinality(names) LOOP
        IF names[i] IS NULL THEN
            PERFORM hcguard__error('column_list_element_null', i::text);
        END IF;
        IF names[i] = '' THEN
            PERFORM hcguard__error('column_list_element_empty', i::text);
        END IF;
        PERFORM hcguard__field_name(names[i]);
    END LOOP;
    -- the list's own bounds do not matter
    RETURN ARRAY(SELECT unnest(names));
END
$$;

------------------------------------------------------------------------------
-- The Connect model, read from the catalogs.  Names are plain names: looked
-- up exactly as given, then in lower case.  A name longer than an
-- identifier is truncated as PostgreSQL truncates identifiers (the cast to
-- name cuts at a character boundary): a query naming a longer column finds
-- the truncated one, and so must hcguard.
------------------------------------------------------------------------------

-- The names to look for, in order: as given, then in lower case.
CREATE FUNCTION hcguard__spellings(given text)
RETURNS name[]
LANGUAGE sql IMMUTABLE
AS $$ SELECT ARRAY[given::name, lower(given)::name] $$;

-- The spellings a missing name was looked up by: "Name" or "name".
CREATE FUNCTION hcguard__tried(given text)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE WHEN given::name = lower(given)::name THEN format('"%s"', given::name)
                ELSE format('"%s" or "%s"', given::name, lower(given)::name) END
$$;

-- The column a field name means.  The field Id, in any case, is the column
-- sfid: Connect's own id is its serial key, which every row fills, so a
-- guard on it would always pass.
CREATE FUNCTION hcguard__column_of_field(given text)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$ SELECT CASE WHEN given IN ('id', 'Id', 'iD', 'ID') THEN 'sfid' ELSE given END $$;

CREATE FUNCTION hcguard__find_schema(given text, OUT nspid oid, OUT found_name text)
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    SELECT n.oid, n.nspname INTO nspid, found_name
      FROM pg_namespace n
     WHERE n.nspname = ANY (hcguard__spellings(given))
     ORDER BY n.nspname = given::name DESC LIMIT 1;
END
$$;

CREATE FUNCTION hcguard__find_table(nsp oid, given text, OUT relid oid, OUT found_name text,
                                    OUT relkind "char")
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    SELECT c.oid, c.relname, c.relkind INTO relid, found_name, relkind
      FROM pg_class c
     WHERE c.relnamespace = nsp AND c.relname = ANY (hcguard__spellings(given))
     ORDER BY c.relname = given::name DESC LIMIT 1;
END
$$;

-- A live user column: system columns and dropped ones are not mapped.
CREATE FUNCTION hcguard__find_column(rel oid, given text, OUT attnum int2, OUT found_name text)
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    SELECT a.attnum, a.attname INTO attnum, found_name
      FROM pg_attribute a
     WHERE a.attrelid = rel
       AND a.attname = ANY (hcguard__spellings(hcguard__column_of_field(given)))
       AND a.attnum > 0 AND NOT a.attisdropped
     ORDER BY a.attname = hcguard__column_of_field(given)::name DESC LIMIT 1;
END
$$;

-- The system tables a schema lacks to be a Connect schema ('' if none).
CREATE FUNCTION hcguard__connect_schema_lacks(nsp oid)
RETURNS text
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    RETURN (
    SELECT CASE
            WHEN (SELECT count(*) FROM pg_class c
                   WHERE c.relnamespace = nsp
                     AND c.relname IN ('_hcmeta', '_trigger_log', '_trigger_log_archive')
                     AND c.relkind IN ('r', 'p')) = 3 THEN ''
            ELSE (SELECT string_agg(format('"%s"', t.name), ', ' ORDER BY t.ord)
                    FROM unnest(ARRAY['_hcmeta', '_trigger_log', '_trigger_log_archive'])
                         WITH ORDINALITY AS t(name, ord)
                   WHERE NOT EXISTS (SELECT FROM pg_class c
                                      WHERE c.relnamespace = nsp AND c.relname = t.name
                                        AND c.relkind IN ('r', 'p'))) END);
END
$$;

-- The Connect schemas of this database, by name, for hints.
CREATE FUNCTION hcguard__connect_schemas()
RETURNS text[]
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    RETURN (
    SELECT coalesce(array_agg(n.nspname::text ORDER BY n.nspname COLLATE "C"), '{}')
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relname = '_hcmeta' AND hcguard__connect_schema_lacks(n.oid) = '');
END
$$;

-- What keeps a table from being a mapping, or NULL if it is one.
CREATE FUNCTION hcguard__not_mapping(rel oid)
RETURNS text
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    kind "char";
    lacking text;
    lastop_type oid;
BEGIN
    IF hcguard__is_system_table((SELECT c.relname FROM pg_class c WHERE c.oid = rel)) THEN
        RETURN hcguard__text('why_system_table');
    END IF;
    SELECT c.relkind INTO kind FROM pg_class c WHERE c.oid = rel;
    IF kind IS DISTINCT FROM 'r' THEN
        RETURN hcguard__text(CASE kind WHEN 'v' THEN 'why_view'
                                       WHEN 'm' THEN 'why_matview'
                                       WHEN 'f' THEN 'why_foreign_table'
                                       WHEN 'p' THEN 'why_partitioned_table'
                                       WHEN 'S' THEN 'why_sequence'
                                       ELSE 'why_relation' END);
    END IF;
    SELECT string_agg(format('"%s"', m.name), ', ' ORDER BY m.ord) INTO lacking
      FROM unnest(ARRAY['sfid', '_hc_lastop', '_hc_err']) WITH ORDINALITY AS m(name, ord)
     WHERE NOT EXISTS (SELECT FROM pg_attribute a
                        WHERE a.attrelid = rel AND a.attname = m.name
                          AND a.attnum > 0 AND NOT a.attisdropped);
    IF lacking IS NOT NULL THEN
        RETURN hcguard__text('why_lacks_columns', lacking);
    END IF;
    -- the probe reads _hc_lastop as text: Connect makes it varchar(32)
    SELECT a.atttypid INTO lastop_type FROM pg_attribute a
     WHERE a.attrelid = rel AND a.attname = '_hc_lastop';
    lastop_type := hcguard__base_type(lastop_type);
    IF lastop_type IN ('text'::regtype, 'varchar'::regtype, 'bpchar'::regtype) THEN
        RETURN NULL;
    END IF;
    RETURN hcguard__text('why_lastop_type', format_type(lastop_type, NULL));
END
$$;

CREATE FUNCTION hcguard__base_type(t oid)
RETURNS oid
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    base oid;
BEGIN
    LOOP
        SELECT typbasetype INTO base FROM pg_type WHERE oid = t AND typtype = 'd';
        EXIT WHEN base IS NULL OR base = 0;
        t := base;
    END LOOP;
    RETURN t;
END
$$;

-- The mappings of a Connect schema.
/*
 * The mappings of a schema, by name in C order: hcguard__not_mapping's test
 * made on every table at once (a schema holds a thousand mappings, and
 * asking table by table cost more than judging them).
 */
CREATE FUNCTION hcguard__mappings_of(nsp oid)
RETURNS TABLE (relid oid, name text)
LANGUAGE plpgsql STABLE
-- a subquery a table prices the query past jit_above_cost: compiling it
-- took longer than running it
SET jit = off
AS $$
BEGIN
    RETURN QUERY
    SELECT c.oid, c.relname::text
      FROM pg_class c
     WHERE c.relnamespace = nsp AND c.relkind = 'r'
       AND NOT hcguard__is_system_table(c.relname)
       AND (SELECT count(*) FROM pg_attribute a
             WHERE a.attrelid = c.oid AND a.attname IN ('sfid', '_hc_lastop', '_hc_err')
               AND a.attnum > 0 AND NOT a.attisdropped) = 3
       AND (SELECT CASE WHEN t.typtype = 'd' THEN hcguard__base_type(t.oid) ELSE t.oid END
              FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
             WHERE a.attrelid = c.oid AND a.attname = '_hc_lastop')
           IN ('text'::regtype, 'varchar'::regtype, 'bpchar'::regtype)
     ORDER BY c.relname COLLATE "C";
END
$$;

CREATE FUNCTION hcguard__mapping_names(nsp oid)
RETURNS text[]
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    RETURN (SELECT coalesce(array_agg(m.name ORDER BY m.name COLLATE "C"), '{}') FROM hcguard__mappings_of(nsp) AS m);
END
$$;

-- The columns Connect adds for its own bookkeeping (sfid is the field Id).
CREATE FUNCTION hcguard__is_connect_column(name text)
RETURNS boolean
LANGUAGE sql IMMUTABLE
AS $$ SELECT name IN ('id', '_hc_lastop', '_hc_err') $$;

-- Connect's system tables, which stand for no Salesforce object.
CREATE FUNCTION hcguard__is_system_table(name text)
RETURNS boolean
LANGUAGE sql IMMUTABLE
AS $$ SELECT name IN ('_hcmeta', '_trigger_log', '_trigger_log_archive', '_sf_event_log') $$;

-- The Salesforce field columns of a table, in order: every live column but
-- Connect's bookkeeping, which no code needs declared.
CREATE FUNCTION hcguard__field_column_names(rel oid)
RETURNS text[]
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    RETURN (
    SELECT coalesce(array_agg(a.attname::text ORDER BY a.attnum), '{}')
          FROM pg_attribute a
         WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped
           AND NOT hcguard__is_connect_column(a.attname));
END
$$;

------------------------------------------------------------------------------
-- The closest existing names to one that does not exist: an edit distance
-- of about a third of the name, at most three suggestions.
------------------------------------------------------------------------------

-- Levenshtein distance in characters, or limit + 1 once it exceeds limit.
CREATE FUNCTION hcguard__distance(a text, b text, lim integer)
RETURNS integer
LANGUAGE plpgsql IMMUTABLE
AS $$
DECLARE
    ac text[] := regexp_split_to_array(a, '');
    bc text[] := regexp_split_to_array(b, '');
    m integer := length(a);
    n integer := length(b);
    prev integer[];
    cur integer[];
    best integer;
BEGIN
    IF abs(m - n) > lim THEN
        RETURN lim + 1;
    END IF;
    IF m = 0 OR n = 0 THEN
        RETURN greatest(m, n);
    END IF;
    prev := ARRAY(SELECT generate_series(0, n));
    FOR i IN 1 .. m LOOP
        cur := ARRAY[i];
        best := i;
        FOR j IN 1 .. n LOOP
            cur := cur || least(prev[j + 1] + 1, cur[j] + 1,
                                prev[j] + CASE WHEN ac[i] = bc[j] THEN 0 ELSE 1 END);
            best := least(best, cur[j + 1]);
        END LOOP;
        IF best > lim THEN
            RETURN lim + 1;
        END IF;
        prev := cur;
    END LOOP;
    RETURN least(prev[n + 1], lim + 1);
END
$$;

CREATE FUNCTION hcguard__closest(wanted text, candidates text[])
RETURNS text[]
LANGUAGE plpgsql IMMUTABLE
AS $$
DECLARE
    lowered text := lower(wanted);
    lim integer;
BEGIN
    IF octet_length(wanted) >= 128 OR cardinality(candidates) = 0 THEN
        RETURN '{}';
    END IF;
    lim := greatest(2, octet_length(lowered) / 3);
    RETURN ARRAY(
        SELECT c.name
          FROM (SELECT name, hcguard__distance(lowered, name, lim) AS d
                  FROM unnest(candidates) AS name) AS c
         WHERE c.d <= lim AND c.name <> lowered
         ORDER BY c.d, c.name COLLATE "C"
         LIMIT 3);
END
$$;

------------------------------------------------------------------------------
-- Confirmations.
------------------------------------------------------------------------------

-- The identity a name triple has now: relid, and attnum (0 for a table).
CREATE FUNCTION hcguard__identity(schema_name name, table_name name, column_name name,
                                  OUT relid oid, OUT attnum int2)
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    SELECT c.oid,
           CASE WHEN column_name = '' THEN 0::int2
                ELSE (SELECT a.attnum FROM pg_attribute a
                       WHERE a.attrelid = c.oid AND a.attname = column_name
                         AND a.attnum > 0 AND NOT a.attisdropped) END
      INTO relid, attnum
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = schema_name AND c.relname = table_name;
END
$$;

-- Whether a stored confirmation still names the object it was made for.
CREATE OR REPLACE FUNCTION hcguard_confirmation_counts(relid oid, attnum int2,
                                                       schema_name name, table_name name,
                                                       column_name name)
RETURNS boolean
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    RETURN (
    SELECT coalesce((SELECT i.relid = $1 AND i.attnum = $2
                           FROM hcguard__identity($3, $4, $5) AS i), false));
END
$$;

CREATE FUNCTION hcguard__confirmed(schema_name text, table_name text, column_name text,
                                   rel oid, att int2)
RETURNS boolean
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    RETURN (
    SELECT EXISTS (SELECT FROM hcguard.confirmation_store s
                        WHERE s.schema_name = $1::name AND s.table_name = $2::name
                          AND s.column_name = $3::name
                          AND s.relid = rel AND s.attnum = att));
END
$$;

-- Whether the current user may ALTER the table a confirmation names: else
-- 42501.  Confirmations of a table that is gone are the store owner's alone.
CREATE FUNCTION hcguard__may_change(schema_name name, table_name name, store oid)
RETURNS void
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    IF NOT hcguard__owns_mapping(schema_name, table_name, store) THEN
        -- as the C extension words it, whose store no one else may write
        PERFORM hcguard__error('store_denied');
    END IF;
END
$$;

/*
 * The store's guard: binds a written row to the objects its names have now,
 * and lets only whoever may ALTER the mapping (its owner, a member of the
 * owning role, a superuser) write its confirmations, under their own name.
 * The store's owner may also remove confirmations of tables that are gone.
 */
CREATE FUNCTION hcguard__store_guard()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM hcguard__may_change(OLD.schema_name, OLD.table_name, TG_RELID);
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    PERFORM hcguard__may_change(NEW.schema_name, NEW.table_name, TG_RELID);
    SELECT i.relid, i.attnum INTO NEW.relid, NEW.attnum
      FROM hcguard__identity(NEW.schema_name, NEW.table_name, NEW.column_name) AS i;
    IF NEW.attnum IS NULL THEN
        NEW.relid := NULL;
    END IF;
    NEW.confirmed_by := current_user;
    NEW.confirmed_at := now();
    RETURN NEW;
END
$$;

CREATE TRIGGER hcguard_confirmation_bind
    BEFORE INSERT OR UPDATE OR DELETE ON hcguard.confirmation_store
    FOR EACH ROW EXECUTE FUNCTION hcguard__store_guard();


-- ddl/confirmations_view.sql: the confirmations, for people, in both
-- editions.  (@extschema@ is the extension's schema; the SQL edition's
-- assembly drops the qualification, its functions pin search_path.)
CREATE OR REPLACE VIEW hcguard_confirmations AS
    SELECT s.schema_name::text AS schema_name,
           s.table_name::text AS table_name,
           NULLIF(s.column_name::text, '') AS column_name,
           s.confirmed_by::text AS confirmed_by,
           s.confirmed_at,
           s.note,
           hcguard_confirmation_counts(s.relid, s.attnum,
               s.schema_name, s.table_name, s.column_name) AS counts
      FROM hcguard.confirmation_store s;
GRANT SELECT ON hcguard_confirmations TO PUBLIC;

------------------------------------------------------------------------------
-- The verdict.
------------------------------------------------------------------------------

-- The first links of the chain: the schema exists, the caller may use it,
-- it is a Connect schema.
CREATE FUNCTION hcguard__resolve_schema(schema_given text, check_read boolean)
RETURNS hcguard__verdict
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    v hcguard__verdict;
    s record;
BEGIN
    v.schema_given := schema_given;
    v.schema_name := schema_given;
    v.connect_schema := false;
    v.provisioned := false;
    v.mapped := false;
    v.synced := false;
    v.col_given := '{}';
    s := hcguard__find_schema(schema_given);
    IF s.nspid IS NULL THEN
        v.problem := 'no_schema';
        v.closest := hcguard__connect_schemas();
        RETURN v;
    END IF;
    v.nspid := s.nspid;
    v.schema_name := s.found_name;
    v.provisioned := hcguard__provisioned(s.nspid);
    IF check_read AND NOT has_schema_privilege(s.nspid, 'USAGE') THEN
        v.problem := 'schema_denied';
        RETURN v;
    END IF;
    v.why := hcguard__connect_schema_lacks(s.nspid);
    IF v.why <> '' THEN
        v.problem := 'not_connect';
        v.closest := hcguard__connect_schemas();
        RETURN v;
    END IF;
    v.why := NULL;
    v.connect_schema := true;
    RETURN v;
END
$$;

/*
 * Walks the names down the contract's chain to the table and stops at the
 * first broken link, with the table locked (AccessShareLock, as a query
 * takes) so that the catalog facts and the data agree.  The caller runs
 * this inside a subtransaction that it rolls back, which releases that lock.
 */
CREATE FUNCTION hcguard__resolve_table(schema_given text, table_given text, check_read boolean)
RETURNS hcguard__verdict
LANGUAGE plpgsql
AS $$
DECLARE
    v hcguard__verdict := hcguard__resolve_schema(schema_given, check_read);
    t record;
BEGIN
    v.table_given := table_given;
    v.table_name := table_given;
    IF v.problem IS NOT NULL THEN
        RETURN v;
    END IF;

    t := hcguard__find_table(v.nspid, table_given);
    v.table_name := coalesce(t.found_name, table_given);
    IF t.relkind = 'r' AND has_schema_privilege(v.nspid, 'USAGE')
       AND has_table_privilege(t.relid, 'SELECT') THEN
        -- Locked by name, then looked up again: Connect may have replaced
        -- the table while the lock was awaited.
        BEGIN
            EXECUTE format('LOCK TABLE ONLY %I.%I IN ACCESS SHARE MODE', v.schema_name, t.found_name);
        EXCEPTION WHEN undefined_table THEN
            NULL;   -- dropped while the lock was awaited
        END;
        t := hcguard__find_table(v.nspid, table_given);
    END IF;
    IF t.relid IS NULL THEN
        v.problem := 'no_table';
        v.closest := hcguard__closest(table_given, hcguard__mapping_names(v.nspid));
        RETURN v;
    END IF;
    v.relid := t.relid;
    v.table_name := t.found_name;
    v.why := hcguard__not_mapping(t.relid);
    IF v.why IS NOT NULL THEN
        v.problem := 'not_mapping';
    END IF;
    RETURN v;
END
$$;

/*
 * The rest of the chain, on a table verdict: the listed columns exist (a
 * column listed twice, as Name and name, counts once) and the caller may
 * read them.  Called again on the same table verdict with other columns, it
 * starts afresh.
 */
CREATE FUNCTION hcguard__resolve_columns(v hcguard__verdict, columns text[], check_read boolean,
                                         declared text[] DEFAULT NULL)
RETURNS hcguard__verdict
LANGUAGE plpgsql
AS $$
DECLARE
    c record;
    lastop int2;
    sfid int2;
    existing text[];
    missing text[] := '{}';
    actual text;
    att_names text[];
    att_nums int2[];
    spelled text;
    k integer;
    c_attnum int2;
    c_name text;
    att_types text[];
    col_given text[] := '{}';
    col_attnum int2[] := '{}';
    col_evidence text[] := '{}';
    col_observed text[] := '{}';
    col_declared text[] := '{}';
    col_actual text[] := '{}';
    col_name text[] := '{}';
    col_problem text[] := '{}';
    col_closest text[] := '{}';
BEGIN
    v.mapped := false;
    v.col_declared := '{}';
    v.col_actual := '{}';
    v.col_given := '{}';
    v.col_name := '{}';
    v.col_attnum := '{}';
    v.col_problem := '{}';
    v.col_evidence := '{}';
    v.col_closest := '{}';
    v.col_observed := '{}';
    IF v.problem IS NOT NULL THEN
        v.col_given := columns;
        v.col_name := columns;
        v.col_problem := array_fill(NULL::text, ARRAY[cardinality(columns)]);
        v.col_declared := coalesce(declared, array_fill(NULL::text, ARRAY[cardinality(columns)]));
        RETURN v;
    END IF;
    lastop := (hcguard__find_column(v.relid, '_hc_lastop')).attnum;
    sfid := (hcguard__find_column(v.relid, 'sfid')).attnum;

    -- Many columns (a configuration's): the table's columns read once, and
    -- each name looked up as hcguard__find_column does, the exact spelling
    -- first, then the lower-case one.
    IF cardinality(columns) > 1 THEN
        SELECT array_agg(a.attname::text ORDER BY a.attnum), array_agg(a.attnum ORDER BY a.attnum),
               array_agg(format_type(a.atttypid, a.atttypmod) ORDER BY a.attnum)
          INTO att_names, att_nums, att_types
          FROM pg_attribute a
         WHERE a.attrelid = v.relid AND a.attnum > 0 AND NOT a.attisdropped;
    END IF;

    -- built in local arrays, appended in place, and stored once: an
    -- append to a field of the verdict copies the whole array
    v.mapped := true;
    FOR i IN 1 .. coalesce(cardinality(columns), 0) LOOP
        IF att_names IS NULL THEN
            c := hcguard__find_column(v.relid, columns[i]);
            c_attnum := c.attnum;
            c_name := c.found_name;
        ELSE
            spelled := hcguard__column_of_field(columns[i]);
            k := coalesce(array_position(att_names, spelled::name::text),
                          array_position(att_names, lower(spelled)::name::text));
            c_attnum := att_nums[k];
            c_name := att_names[k];
        END IF;
        -- listed before, as Name and name, or as the same missing name
        CONTINUE WHEN c_attnum = ANY (col_attnum)
                   OR (c_attnum IS NULL AND columns[i] = ANY (missing));
        col_given := col_given || columns[i];
        col_attnum := col_attnum || c_attnum;
        col_evidence := col_evidence || NULL::text;
        col_observed := col_observed || NULL::text;
        col_declared := col_declared || declared[i];
        IF c_attnum IS NOT NULL THEN
            -- a declared type must be the column's, modifier included, as
            -- format_type writes them: Connect keeps a column's type when
            -- the Salesforce field's type or length changes
            -- (looked up only for a declaration: most calls declare none)
            actual := NULL;
            IF declared[i] IS NOT NULL AND att_names IS NOT NULL THEN
                actual := att_types[k];
            ELSIF declared[i] IS NOT NULL THEN
                SELECT format_type(a.atttypid, a.atttypmod) INTO actual
                  FROM pg_attribute a WHERE a.attrelid = v.relid AND a.attnum = c_attnum;
            END IF;
            col_actual := col_actual || actual;
            col_name := col_name || c_name;
            col_problem := col_problem ||
                CASE WHEN declared[i] IS NOT NULL AND declared[i] <> actual THEN 'wrong_type' END;
            col_closest := col_closest || NULL::text;
        ELSE
            col_actual := col_actual || NULL::text;
            IF existing IS NULL THEN
                existing := hcguard__field_column_names(v.relid);
            END IF;
            missing := missing || columns[i];
            col_name := col_name || columns[i];
            col_problem := col_problem || 'no_column'::text;
            col_closest := col_closest ||
                (SELECT string_agg(format('"%s"', x), ', ' ORDER BY o)
                   FROM unnest(hcguard__closest(columns[i], existing)) WITH ORDINALITY AS q(x, o));
            v.mapped := false;
        END IF;
    END LOOP;

    v.col_given := col_given;
    v.col_attnum := col_attnum;
    v.col_evidence := col_evidence;
    v.col_observed := col_observed;
    v.col_declared := col_declared;
    v.col_actual := col_actual;
    v.col_name := col_name;
    v.col_problem := col_problem;
    v.col_closest := col_closest;

    IF check_read AND NOT hcguard__can_read(v.relid, lastop, sfid, v.col_attnum) THEN
        v.problem := 'table_denied';
    ELSIF NOT v.mapped THEN
        v.problem := 'no_column';
    ELSIF 'wrong_type' = ANY (v.col_problem) THEN
        v.problem := 'wrong_type';
    END IF;
    RETURN v;
END
$$;

-- SELECT on the table, or on every column the probe reads.
CREATE FUNCTION hcguard__can_read(rel oid, lastop int2, sfid int2, attnums int2[])
RETURNS boolean
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    RETURN (
    SELECT has_table_privilege(rel, 'SELECT')
            OR (has_column_privilege(rel, lastop, 'SELECT')
                AND has_column_privilege(rel, sfid, 'SELECT')
                AND NOT EXISTS (SELECT FROM unnest(attnums) AS a
                                 WHERE a IS NOT NULL
                                   AND NOT has_column_privilege(rel, a, 'SELECT'))));
END
$$;

-- "1 row", "2 rows"
CREATE FUNCTION hcguard__rows(n bigint)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$ SELECT hcguard__text(CASE WHEN n = 1 THEN 'rows_one' ELSE 'rows_many' END, n::text) $$;

-- The rows that hold a value but none written by Connect, by origin, so
-- that the detail accounts for every one: "2 pending, 1 failed".
CREATE FUNCTION hcguard__origins(pending bigint, failed bigint, unknown bigint, other bigint)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
    SELECT concat_ws(', ',
                     CASE WHEN pending > 0 THEN hcguard__text('origin_pending', pending::text) END,
                     CASE WHEN failed > 0 THEN hcguard__text('origin_failed', failed::text) END,
                     CASE WHEN unknown > 0 THEN hcguard__text('origin_unknown', unknown::text) END,
                     CASE WHEN other > 0 THEN hcguard__text('origin_other', other::text) END)
$$;

-- What the data says of a table that no Connect-written row fills, as a
-- sentence.
CREATE FUNCTION hcguard__observed_table(total bigint, pending bigint, failed bigint, unknown bigint)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE
        WHEN total = 0 THEN hcguard__text('table_no_rows')
        ELSE hcguard__text('table_rows_not_connect', hcguard__rows(total),
                           hcguard__origins(pending, failed, unknown, total - pending - failed - unknown))
    END
$$;

-- What the data says of a column that no Connect-written row fills, likewise.
CREATE FUNCTION hcguard__observed_column(total bigint, valued bigint, pending bigint, failed bigint,
                                         unknown bigint)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE
        WHEN total = 0 THEN hcguard__text('table_no_rows')
        WHEN valued = 0 AND total = 1 THEN hcguard__text('only_row_no_value')
        WHEN valued = 0 THEN hcguard__text('no_row_has_value', hcguard__rows(total))
        WHEN valued = total AND total = 1 THEN
            hcguard__text('only_row_has_value',
                          hcguard__origins(pending, failed, unknown, valued - pending - failed - unknown))
        WHEN valued = total THEN
            hcguard__text('all_rows_have_value', hcguard__rows(total),
                          hcguard__origins(pending, failed, unknown, valued - pending - failed - unknown))
        ELSE hcguard__text(CASE WHEN valued = 1 THEN 'rows_have_value_one' ELSE 'rows_have_value_many' END,
                           valued::text, hcguard__rows(total),
                           hcguard__origins(pending, failed, unknown, valued - pending - failed - unknown))
    END
$$;

-- Connect's writes, as a condition on a mapping's row: its own statuses,
-- and its bulk loads, which pass the status trigger by and leave _hc_lastop
-- NULL with sfid set.
CREATE FUNCTION hcguard__connect_written()
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
    SELECT '(_hc_lastop::pg_catalog.text OPERATOR(pg_catalog.=) ANY (''{SYNCED,INSERTED,UPDATED}''::pg_catalog.text[])'
           ' OR (_hc_lastop IS NULL AND sfid IS NOT NULL))'
$$;

-- The columns a probe of one column reads (no more: a role may read only
-- some of a mapping's columns).
CREATE FUNCTION hcguard__probe_columns(column_name text)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE WHEN column_name IN ('sfid', '_hc_lastop') THEN '_hc_lastop, sfid'
                ELSE format('%I, _hc_lastop, sfid', column_name) END
$$;

-- How many rows the first look at a mapping reads: a synced column is
-- proven by its first rows, and one that is not costs these rows and then
-- the one pass that counts what the report shows (which still passes the
-- column if a Connect-written value comes later).
CREATE FUNCTION hcguard__probe_rows()
RETURNS integer
LANGUAGE sql IMMUTABLE
AS $$ SELECT 1000 $$;

-- The same first look, in blocks, for the fast path (hcguard__quick): about
-- 1,000 to 2,000 rows of a mapping 50 columns wide.
CREATE FUNCTION hcguard__probe_blocks()
RETURNS integer
LANGUAGE sql IMMUTABLE
AS $$ SELECT 100 $$;

-- How many mappings hcguard_mappings probes in one statement: each holds
-- its lock, and its indexes' (which the planner opens), until the
-- statement's subtransaction ends, so a schema of a thousand mappings must
-- not take them all at once (the lock table is shared, sized by
-- max_locks_per_transaction).
CREATE FUNCTION hcguard__probe_batch()
RETURNS integer
LANGUAGE sql IMMUTABLE
AS $$ SELECT 50 $$;

/*
 * Asks for evidence of a sync: a confirmation first, since it answers
 * without reading the table, then the data.  A synced column is usually
 * proven by the first rows; only what is not synced costs a scan of the
 * whole table, which also counts what the report shows.  With one_scan,
 * for many columns whose report is not wanted (hcguard_columns), a single
 * pass over the table answers for all of them.
 */
CREATE FUNCTION hcguard__judge(v hcguard__verdict, one_scan boolean DEFAULT false,
                               unproven boolean DEFAULT false)
RETURNS hcguard__verdict
LANGUAGE plpgsql
AS $$
DECLARE
    connect_written CONSTANT text := hcguard__connect_written();
    is_pending CONSTANT text := '_hc_lastop::pg_catalog.text OPERATOR(pg_catalog.=) ''PENDING''';
    is_failed CONSTANT text := '_hc_lastop::pg_catalog.text OPERATOR(pg_catalog.=) ''FAILED''';
    is_unknown CONSTANT text := '_hc_lastop IS NULL AND sfid IS NULL';
    rel text;
    probes text[] := '{}';
    wanted integer[] := '{}';
    proven boolean[];
    counts text[] := '{}';
    total bigint;
    n_valued bigint[];
    n_connect bigint[];
    n_pending bigint[];
    n_failed bigint[];
    n_unknown bigint[];
    n_pending1 bigint;
    n_failed1 bigint;
    n_unknown1 bigint;
    k bigint;
    connect record;
    confirmed text[];
BEGIN
    -- a missing or mistyped column does not stop the others being judged
    IF v.problem IS NOT NULL AND v.problem NOT IN ('no_column', 'wrong_type') THEN
        RETURN v;
    END IF;
    -- in a schema hcguard provisioned the declaration is the truth: what
    -- exists counts as synced, without rows
    IF v.provisioned THEN
        IF cardinality(v.col_given) = 0 THEN
            v.evidence := 'provisioned';
        END IF;
        FOR i IN 1 .. cardinality(v.col_given) LOOP
            IF v.col_problem[i] IS NULL THEN
                v.col_evidence[i] := 'provisioned';
            END IF;
        END LOOP;
        v.synced := NOT EXISTS (SELECT FROM unnest(v.col_problem) AS p WHERE p IS NOT NULL);
        RETURN v;
    END IF;
    -- a fresh report of Connect's API that shows the mapping busy or in
    -- error fails it whatever the data or a confirmation say
    SELECT * INTO connect FROM hcguard__connect_verdict(v.schema_name::name, v.table_name::name);
    IF connect.state = 'blocked' THEN
        v.connect_blocked := connect.blocked;
        v.observed := connect.blocked;
        FOR i IN 1 .. cardinality(v.col_given) LOOP
            IF v.col_problem[i] IS NULL THEN
                v.col_problem[i] := 'not_synced';
                v.col_observed[i] := connect.blocked;
            END IF;
        END LOOP;
        v.synced := false;
        v.problem := coalesce(v.problem, 'not_synced');
        RETURN v;
    END IF;
    rel := format('ONLY %I.%I', v.schema_name, v.table_name);
    -- Parallel workers cost more to start than a probe that stops at the
    -- first rows.  (Local to the caller's subtransaction, rolled back.)
    PERFORM set_config('max_parallel_workers_per_gather', '0', true);

    IF cardinality(v.col_given) = 0 THEN
        IF hcguard__confirmed(v.schema_name, v.table_name, '', v.relid, 0::int2) THEN
            v.evidence := 'confirmation';
            v.synced := true;
            RETURN v;
        END IF;
        IF connect.state = 'synced' THEN
            v.evidence := 'connect';
            v.synced := true;
            RETURN v;
        END IF;
        -- the first rows, then one pass that counts (and may still find one)
        EXECUTE format('SELECT EXISTS (SELECT FROM (SELECT _hc_lastop, sfid FROM %s LIMIT %s) p WHERE %s)',
                       rel, hcguard__probe_rows(), connect_written)
           INTO v.synced;
        IF v.synced THEN
            v.evidence := 'data';
            RETURN v;
        END IF;
        EXECUTE format('SELECT count(*), count(*) FILTER (WHERE %s), count(*) FILTER (WHERE %s),'
                       ' count(*) FILTER (WHERE %s), count(*) FILTER (WHERE %s) FROM %s',
                       is_pending, is_failed, is_unknown, connect_written, rel)
           INTO total, n_pending1, n_failed1, n_unknown1, k;
        IF k > 0 THEN
            v.synced := true;
            v.evidence := 'data';
            RETURN v;
        END IF;
        v.problem := 'not_synced';
        v.observed := hcguard__observed_table(total, n_pending1, n_failed1, n_unknown1);
        RETURN v;
    END IF;

    -- the table's confirmations in one look, not one a column (a
    -- configuration names a hundred columns of a mapping)
    SELECT array_agg(format('%s/%s', s.column_name, s.attnum))
      INTO confirmed
      FROM hcguard.confirmation_store s
     WHERE s.schema_name = v.schema_name::name AND s.table_name = v.table_name::name
       AND s.relid = v.relid AND s.column_name <> '';
    FOR i IN 1 .. cardinality(v.col_given) LOOP
        CONTINUE WHEN v.col_problem[i] IS NOT NULL;
        IF format('%s/%s', v.col_name[i], v.col_attnum[i]) = ANY (confirmed) THEN
            v.col_evidence[i] := 'confirmation';
        ELSIF connect.state = 'synced' AND v.col_name[i]::name = ANY (connect.columns) THEN
            v.col_evidence[i] := 'connect';
        ELSE
            wanted := wanted || i;
            CONTINUE WHEN one_scan;
            probes := probes || format('EXISTS (SELECT FROM (SELECT %s FROM %s LIMIT %s) p'
                                       ' WHERE %I IS NOT NULL AND %s)',
                                       hcguard__probe_columns(v.col_name[i]), rel, hcguard__probe_rows(),
                                       v.col_name[i], connect_written);
        END IF;
    END LOOP;

    IF cardinality(wanted) > 0 AND one_scan THEN
        -- Connect's rows filtered once, not once a column: a hundred
        -- copies of the test cost more to plan than the scan of a small
        -- mapping costs to run
        EXECUTE format('SELECT ARRAY[%s] FROM %s WHERE %s',
                       (SELECT string_agg(format('count(%I) > 0', v.col_name[w]), ', ' ORDER BY o)
                          FROM unnest(wanted) WITH ORDINALITY AS q(w, o)),
                       rel, connect_written)
           INTO proven;
    ELSIF cardinality(wanted) > 0 AND unproven THEN
        -- the caller's probe (hcguard__quick) read the first rows already
        proven := array_fill(false, ARRAY[cardinality(wanted)]);
    ELSIF cardinality(wanted) > 0 THEN
        EXECUTE 'SELECT ARRAY[' || array_to_string(probes, ', ') || ']' INTO proven;
    END IF;
    FOR k IN 1 .. cardinality(wanted) LOOP
        IF proven[k] THEN
            v.col_evidence[wanted[k]] := 'data';
        ELSE
            v.col_problem[wanted[k]] := 'not_synced';
            counts := counts || v.col_name[wanted[k]];
        END IF;
    END LOOP;

    IF cardinality(counts) > 0 AND NOT one_scan THEN
        -- One pass counts the rows and the values: it reads each row only
        -- as far as the columns counted, where Connect's own columns,
        -- usually last, would make it read every row whole.
        EXECUTE format('SELECT count(*), ARRAY[%s] FROM %s',
                       (SELECT string_agg(format('count(%I)', c), ', ' ORDER BY o)
                          FROM unnest(counts) WITH ORDINALITY AS q(c, o)),
                       rel)
           INTO total, n_valued;
        n_connect := array_fill(0::bigint, ARRAY[cardinality(counts)]);
        n_pending := n_connect;
        n_failed := n_connect;
        n_unknown := n_connect;
        IF EXISTS (SELECT FROM unnest(n_valued) AS n WHERE n > 0) THEN
            -- Values past the first rows: who wrote them, and whether
            -- Connect did after all.  Only the rows holding one are read
            -- whole (the inner scan's filter reads up to the columns).
            EXECUTE format('SELECT ARRAY[%s], ARRAY[%s], ARRAY[%s], ARRAY[%s]'
                           ' FROM (SELECT %s FROM %s WHERE %s OFFSET 0) p',
                           (SELECT string_agg(format('count(%I) FILTER (WHERE %s)', c, connect_written), ', ' ORDER BY o)
                              FROM unnest(counts) WITH ORDINALITY AS q(c, o)),
                           (SELECT string_agg(format('count(%I) FILTER (WHERE %s)', c, is_pending), ', ' ORDER BY o)
                              FROM unnest(counts) WITH ORDINALITY AS q(c, o)),
                           (SELECT string_agg(format('count(%I) FILTER (WHERE %s)', c, is_failed), ', ' ORDER BY o)
                              FROM unnest(counts) WITH ORDINALITY AS q(c, o)),
                           (SELECT string_agg(format('count(%I) FILTER (WHERE %s)', c, is_unknown), ', ' ORDER BY o)
                              FROM unnest(counts) WITH ORDINALITY AS q(c, o)),
                           (SELECT string_agg(format('%I', c), ', ')
                              FROM (SELECT DISTINCT c FROM unnest(counts || ARRAY['_hc_lastop', 'sfid']) AS c) AS d),
                           rel,
                           (SELECT string_agg(format('%I IS NOT NULL', c), ' OR ' ORDER BY o)
                              FROM unnest(counts) WITH ORDINALITY AS q(c, o)))
               INTO n_connect, n_pending, n_failed, n_unknown;
        END IF;
        k := 0;
        FOR i IN 1 .. cardinality(v.col_given) LOOP
            IF v.col_problem[i] = 'not_synced' THEN
                k := k + 1;
                IF n_connect[k] > 0 THEN
                    v.col_problem[i] := NULL;
                    v.col_evidence[i] := 'data';
                ELSE
                    v.col_observed[i] := hcguard__observed_column(total, n_valued[k], n_pending[k], n_failed[k],
                                                                  n_unknown[k]);
                END IF;
            END IF;
        END LOOP;
    END IF;

    v.synced := NOT EXISTS (SELECT FROM unnest(v.col_problem) AS p WHERE p IS NOT NULL);
    IF v.problem IS NULL AND NOT v.synced THEN
        v.problem := 'not_synced';
    END IF;
    RETURN v;
END
$$;

/*
 * One look at a mapping, holding no lock afterwards: the work runs in a
 * subtransaction that is rolled back, which releases exactly the locks taken
 * inside it (a lock the caller held before stays held).  In READ COMMITTED
 * every query here takes a fresh snapshot, so data read after waiting for
 * Connect's lock is read as of after Connect's transaction, as the catalog
 * facts are.  What is looked at:
 *   resolve  the names only (confirming and revoking: no read rights needed)
 *   judge    the names and the evidence: the guard's verdict
 *   fields   every field column of the mapping (fields, types), judged in
 *            one scan; mapping: the table's own resolution
 *   config   mapping: the table judged; the listed columns judged in one
 *            scan; fields: every column of the table
 */
CREATE FUNCTION hcguard__look(schema_given text, table_given text, columns text[], what text,
                              declared text[] DEFAULT NULL,
                              OUT mapping hcguard__verdict, OUT verdict hcguard__verdict,
                              OUT fields text[], OUT types text[])
LANGUAGE plpgsql
AS $$
DECLARE
    check_read boolean := what <> 'resolve';
    t hcguard__verdict;
    attempts integer := 0;
BEGIN
    LOOP
        attempts := attempts + 1;
        BEGIN
            t := hcguard__resolve_table(schema_given, table_given, check_read);
            IF what IN ('fields', 'config') THEN
                mapping := hcguard__resolve_columns(t, '{}', check_read);
            END IF;
            IF what = 'fields' AND mapping.problem IS NULL THEN
                SELECT array_agg(a.attname::text ORDER BY a.attnum),
                       array_agg(format_type(a.atttypid, a.atttypmod) ORDER BY a.attnum)
                  INTO fields, types
                  FROM pg_attribute a
                 WHERE a.attrelid = t.relid AND a.attnum > 0 AND NOT a.attisdropped
                   AND NOT hcguard__is_connect_column(a.attname);
                columns := coalesce(fields, '{}');
            ELSIF what = 'config' AND mapping.problem IS NULL THEN
                mapping := hcguard__judge(mapping);
                fields := hcguard__field_column_names(t.relid);
            END IF;
            verdict := hcguard__resolve_columns(t, columns, check_read, declared);
            IF what <> 'resolve' THEN
                verdict := hcguard__judge(verdict, what NOT IN ('judge', 'judge_unproven'),
                                          what = 'judge_unproven');
            END IF;
            RAISE EXCEPTION USING ERRCODE = 'HC000';
        EXCEPTION
            WHEN SQLSTATE 'HC000' THEN
                RETURN;
            WHEN undefined_table OR undefined_column THEN
                -- dropped by Connect between looking and locking: look again
                IF attempts >= 10 THEN
                    RAISE;
                END IF;
        END;
    END LOOP;
END
$$;

-- The guard's verdict (or, without judging, the names' resolution alone).
CREATE FUNCTION hcguard__verdict(schema_given text, table_given text, columns text[],
                                 judge boolean DEFAULT true, declared text[] DEFAULT NULL,
                                 unproven boolean DEFAULT false)
RETURNS hcguard__verdict
LANGUAGE plpgsql
AS $$
BEGIN
    RETURN (hcguard__look(schema_given, table_given, columns,
                          CASE WHEN NOT judge THEN 'resolve' WHEN unproven THEN 'judge_unproven'
                               ELSE 'judge' END, declared)).verdict;
END
$$;

------------------------------------------------------------------------------
-- The report: what a person at a failed deploy reads.  Every text comes from
-- the catalogue (hcguard__msg_def, made from src/messages.txt), which the C
-- extension is built from too.
------------------------------------------------------------------------------

-- "a", "b", "c": a list of names, as the catalogue's texts quote names.
CREATE FUNCTION hcguard__quoted_list(names text[])
RETURNS text
LANGUAGE plpgsql IMMUTABLE
AS $$
BEGIN
    RETURN (
    SELECT string_agg(format('"%s"', n), ', ' ORDER BY o)
          FROM unnest(names) WITH ORDINALITY AS q(n, o));
END
$$;

CREATE FUNCTION hcguard__confirm_call(v hcguard__verdict, column_name text)
RETURNS text
LANGUAGE sql STABLE
AS $$
    SELECT hcguard__text('confirm_call', quote_literal(v.schema_name), quote_literal(v.table_name),
                         coalesce(quote_literal(column_name), 'NULL'))
$$;

-- A report whose hint gains a sentence of the catalogue.
CREATE FUNCTION hcguard__append_hint(r hcguard__report, msg_id text, VARIADIC args text[])
RETURNS hcguard__report
LANGUAGE plpgsql IMMUTABLE
AS $$
BEGIN
    r.hint := concat_ws(' ', r.hint, hcguard__text(msg_id, VARIADIC args));
    RETURN r;
END
$$;

CREATE FUNCTION hcguard__describe_one_column(v hcguard__verdict, i integer)
RETURNS hcguard__report
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    r hcguard__report;
    mapping text := v.schema_name || '.' || v.table_name;
BEGIN
    IF v.col_problem[i] = 'no_column' THEN
        r := hcguard__msg('column_missing', v.col_name[i], mapping,
                          hcguard__tried(hcguard__column_of_field(v.col_given[i])));
        IF v.col_closest[i] IS NOT NULL THEN
            r := hcguard__append_hint(r, 'closest_columns', v.col_closest[i]);
        END IF;
        RETURN r;
    END IF;
    IF v.col_problem[i] = 'wrong_type' THEN
        RETURN hcguard__msg('column_wrong_type', v.col_name[i], mapping, v.col_actual[i],
                            v.col_declared[i]);
    END IF;
    r := hcguard__msg('column_not_synced', v.col_name[i], mapping,
                      hcguard__confirm_call(v, v.col_name[i]));
    r.detail := v.col_observed[i];
    IF v.connect_blocked IS NOT NULL THEN
        r.hint := hcguard__text('connect_wait');
    END IF;
    RETURN r;
END
$$;

-- Several columns: one line of detail per unmet column.
CREATE FUNCTION hcguard__describe_columns(v hcguard__verdict)
RETURNS hcguard__report
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    r hcguard__report;
    unmet integer := (SELECT count(*) FROM unnest(v.col_problem) AS p WHERE p IS NOT NULL);
    lines text[] := '{}';
BEGIN
    IF unmet = 1 THEN
        FOR i IN 1 .. cardinality(v.col_given) LOOP
            IF v.col_problem[i] IS NOT NULL THEN
                RETURN hcguard__describe_one_column(v, i);
            END IF;
        END LOOP;
    END IF;
    r := hcguard__msg(CASE v.problem WHEN 'no_column' THEN 'columns_missing'
                                     WHEN 'wrong_type' THEN 'columns_wrong_type'
                                     ELSE 'columns_not_synced' END,
                      unmet::text, cardinality(v.col_given)::text, v.schema_name || '.' || v.table_name);
    FOR i IN 1 .. cardinality(v.col_given) LOOP
        CONTINUE WHEN v.col_problem[i] IS NULL;
        IF v.col_problem[i] = 'no_column' THEN
            lines := lines || hcguard__text('line_column_missing', v.col_name[i],
                                            hcguard__tried(hcguard__column_of_field(v.col_given[i])));
        ELSIF v.col_problem[i] = 'wrong_type' THEN
            lines := lines || hcguard__text('line_column_wrong_type', v.col_name[i], v.col_actual[i],
                                            v.col_declared[i]);
        ELSE
            lines := lines || (hcguard__text('line_column_not_synced', v.col_name[i]) || ' ' || v.col_observed[i]);
        END IF;
        IF v.col_closest[i] IS NOT NULL THEN
            r := hcguard__append_hint(r, 'closest_columns_to', v.col_name[i], v.col_closest[i]);
        END IF;
    END LOOP;
    r.detail := array_to_string(lines, E'\n');
    IF v.connect_blocked IS NOT NULL AND v.problem = 'not_synced' THEN
        r.hint := hcguard__text('connect_wait');
    END IF;
    RETURN r;
END
$$;

-- Where the schema is missing or no Connect schema: the report's variant.
CREATE FUNCTION hcguard__describe_schema(v hcguard__verdict, missing boolean)
RETURNS hcguard__report
LANGUAGE sql STABLE
AS $$
    SELECT CASE WHEN cardinality(v.closest) > 0 THEN
               hcguard__msg(CASE WHEN missing THEN 'no_schema_listed' ELSE 'not_connect_listed' END,
                            v.schema_name, CASE WHEN missing THEN hcguard__tried(v.schema_given) ELSE v.why END,
                            hcguard__quoted_list(v.closest))
           ELSE
               hcguard__msg(CASE WHEN missing THEN 'no_schema_alone' ELSE 'not_connect_alone' END,
                            v.schema_name, CASE WHEN missing THEN hcguard__tried(v.schema_given) ELSE v.why END,
                            quote_ident(current_database()))
           END
$$;

-- One verdict becomes one message, detail and hint, whether raised, warned
-- or shown by hcguard_status.  NULL when all is well.
CREATE FUNCTION hcguard__describe(v hcguard__verdict)
RETURNS hcguard__report
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    r hcguard__report;
    mapping text := v.schema_name || '.' || v.table_name;
BEGIN
    CASE v.problem
    WHEN 'no_schema' THEN
        r := hcguard__describe_schema(v, true);
    WHEN 'schema_denied' THEN
        r := hcguard__msg('schema_denied', v.schema_name, current_user::text,
                          quote_ident(v.schema_name), quote_ident(current_user));
    WHEN 'not_connect' THEN
        r := hcguard__describe_schema(v, false);
    WHEN 'no_table' THEN
        r := hcguard__msg('no_table', mapping, v.schema_name, hcguard__tried(v.table_given));
        IF cardinality(v.closest) > 0 THEN
            r := hcguard__append_hint(r, 'closest_mappings', hcguard__quoted_list(v.closest));
        END IF;
    WHEN 'not_mapping' THEN
        r := hcguard__msg(CASE WHEN hcguard__is_system_table(v.table_name) THEN 'system_table'
                               ELSE 'not_mapping' END, mapping, v.why);
    WHEN 'table_denied' THEN
        r := hcguard__msg('table_denied', mapping, current_user::text,
                          format('%I.%I', v.schema_name, v.table_name), quote_ident(current_user));
    WHEN 'no_column', 'wrong_type' THEN
        r := hcguard__describe_columns(v);
    WHEN 'not_synced' THEN
        IF cardinality(v.col_given) > 0 THEN
            r := hcguard__describe_columns(v);
        ELSE
            r := hcguard__msg('mapping_not_synced', mapping, hcguard__confirm_call(v, NULL));
            r.detail := v.observed;
            IF v.connect_blocked IS NOT NULL THEN
                r.hint := hcguard__text('connect_wait');
            END IF;
        END IF;
    ELSE
        RETURN NULL;
    END CASE;
    RETURN r;
END
$$;

-- hcguard.on_failure: any role can set it here (see the README); read by
-- hcguard__on_failure (ddl/messages.sql).
CREATE FUNCTION hcguard__warn_only()
RETURNS boolean
LANGUAGE sql STABLE
AS $$ SELECT hcguard__on_failure() = 'warning' $$;

-- Whether a failing verdict is to be provisioned (ddl/provision.sql): what
-- the caller may not look at is not, and its error stands.
CREATE FUNCTION hcguard__provisions(v hcguard__verdict)
RETURNS boolean
LANGUAGE sql STABLE
AS $$
    SELECT v.problem IS NOT NULL AND v.problem NOT IN ('schema_denied', 'table_denied')
           AND hcguard__on_failure() = 'provision'
$$;

-- The guard's answer: true, or the failure as hcguard.on_failure says.
CREATE FUNCTION hcguard__pass(v hcguard__verdict)
RETURNS boolean
LANGUAGE plpgsql
AS $$
BEGIN
    IF v.problem IS NULL THEN
        RETURN true;
    END IF;
    RETURN hcguard__raise(hcguard__describe(v), hcguard__warn_only());
END
$$;

------------------------------------------------------------------------------
-- Declarations: what a guard that returned named is recorded
-- (ddl/declaration_store.sql, ddl/declarations.sql), in read-write
-- transactions only, and only what is new.
------------------------------------------------------------------------------

-- Whether this transaction records declarations: as in the C extension,
-- not a read-only one, not a SERIALIZABLE one (see hcguard__declare).
CREATE FUNCTION hcguard__may_record()
RETURNS boolean
LANGUAGE sql STABLE
AS $$
    SELECT NOT current_setting('transaction_read_only')::boolean
           AND current_setting('transaction_isolation') <> 'serializable'
$$;

CREATE FUNCTION hcguard__record(schema_name text, table_name text, columns text[], types text[])
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    IF NOT hcguard__may_record() THEN
        RETURN;
    END IF;
    IF coalesce(cardinality(columns), 0) = 0 THEN
        columns := ARRAY[''];
        types := ARRAY[NULL::text];
    END IF;
    -- one look for the common case, where everything is recorded already:
    -- declaring less (no type) does not weaken what is recorded
    IF EXISTS (SELECT FROM unnest(columns, types) AS c(name, type)
                WHERE NOT EXISTS (
                      SELECT FROM hcguard.declaration_store d
                       WHERE d.schema_name = hcguard__record.schema_name::name
                         AND d.table_name = hcguard__record.table_name::name
                         AND d.column_name = c.name::name
                         AND (c.type IS NULL OR d.declared_type = c.type))) THEN
        PERFORM hcguard__declare_all(schema_name::name, table_name::name, columns::name[], types);
    END IF;
END
$$;

-- Records what a verdict named, by the names the catalog has, or, for what
-- does not exist (a guard that warned), by the names Connect would give it:
-- in lower case, the field Id being sfid.
CREATE FUNCTION hcguard__record_verdict(v hcguard__verdict)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM hcguard__record(CASE WHEN v.nspid IS NULL THEN lower(v.schema_given) ELSE v.schema_name END,
                            CASE WHEN v.relid IS NULL THEN lower(v.table_given) ELSE v.table_name END,
                            ARRAY(SELECT CASE WHEN v.col_attnum[i] IS NULL
                                              THEN hcguard__column_of(v.col_given[i])
                                              ELSE v.col_name[i] END
                                    FROM generate_subscripts(v.col_given, 1) AS i ORDER BY i),
                            v.col_declared);
END
$$;

-- The SQLSTATE and message hcguard_required would raise for one name (the
-- column may declare its type), both NULL where it would pass; it never
-- provisions and never records (see ddl/declarations.sql).
CREATE FUNCTION hcguard__verdict_state(schema_name text, table_name text, column_name text,
                                       OUT code text, OUT message text)
LANGUAGE plpgsql
AS $$
DECLARE
    d record;
    v hcguard__verdict;
    r hcguard__report;
BEGIN
    PERFORM hcguard__name(schema_name, 'schema name'), hcguard__name(table_name, 'table name');
    d := hcguard__declared_columns(hcguard__optional_column(column_name));
    v := hcguard__verdict(schema_name, table_name, d.names, true, d.types);
    IF v.problem IS NOT NULL THEN
        r := hcguard__describe(v);
        code := r.sqlstate;
        message := r.message;
    END IF;
END
$$;

------------------------------------------------------------------------------
-- The contract's functions.
------------------------------------------------------------------------------

-- The guard on columns that may declare their types.
CREATE FUNCTION hcguard__require(schema_name text, table_name text, columns text[],
                                 unproven boolean DEFAULT false)
RETURNS boolean
LANGUAGE plpgsql
AS $$
DECLARE
    d record := hcguard__declared_columns(columns);
    v hcguard__verdict := hcguard__verdict(schema_name, table_name, d.names, true, d.types, unproven);
    passed boolean;
BEGIN
    -- what provisioning created must pass the guard like anything else
    IF hcguard__provisions(v) AND hcguard__provision(schema_name, table_name, d.names, d.types) THEN
        v := hcguard__verdict(schema_name, table_name, d.names, true, d.types);
    END IF;
    passed := hcguard__pass(v);
    -- it returned (under warning, false): what it named is declared
    PERFORM hcguard__record_verdict(v);
    RETURN passed;
END
$$;

/*
 * The common call, made fast: one column, named exactly as the catalog
 * names it, of a mapping in a Connect schema, with a Connect-written row
 * that holds a value.  Only a passing verdict is made here, and only where
 * the full verdict (hcguard__verdict) could not differ:
 *   - names are looked up by syscache (to_regclass), the shape of the
 *     schema and the mapping by one planned query, and the data by the
 *     probe, which fails where a name, a column or a right is missing;
 *   - a report of Connect's API on the schema could fail what the data
 *     passes: then the full verdict decides;
 *   - a confirmation, or the schema being provisioned, could only pass it.
 * Everything runs in a subtransaction rolled back at its end, which
 * releases the probe's lock as hcguard__look does; any error there (a
 * missing column, a right, Connect altering the table meanwhile) means
 * "let the full verdict say why".  True when the column passes so; false
 * when the first blocks hold no Connect-written value, so that the full verdict
 * goes straight to the pass that counts what its report shows; NULL
 * otherwise.
 */
CREATE FUNCTION hcguard__quick(schema_name text, table_name text, column_name text)
RETURNS boolean
LANGUAGE plpgsql
AS $$
DECLARE
    q text;
    rel oid;
    shape boolean;
    proven boolean;
    probe text;
    prepare boolean := false;
BEGIN
    -- names the full verdict reads otherwise: in another case, cut at 63
    -- bytes, Id (sfid), Connect's own columns and tables, a declared type
    IF column_name ~ '\s' OR lower(column_name) = 'id' OR column_name IN ('_hc_lastop', '_hc_err')
       OR table_name IN ('_hcmeta', '_trigger_log', '_trigger_log_archive', '_sf_event_log')
       OR octet_length(schema_name) > 63 OR octet_length(table_name) > 63 OR octet_length(column_name) > 63 THEN
        RETURN NULL;
    END IF;
    q := quote_ident(schema_name) || '.';
    -- The probe is planned once a session and column, as a prepared
    -- statement named for the column: planning it anew on every call cost
    -- as much as all the rest.  PostgreSQL plans it again when the table
    -- changes, and checks the caller's rights on every execution; a
    -- prepared statement outlives the subtransaction below, and one that
    -- is gone (DEALLOCATE, DISCARD) is made again.
    probe := 'hcguard_probe_' || md5(q || quote_ident(table_name) || '.' || quote_ident(column_name));
    LOOP
        BEGIN
            rel := to_regclass(q || quote_ident(table_name));
            -- a mapping (a table with _hc_err, a text _hc_lastop and the
            -- column) in a schema with Connect's three tables; no report of
            -- Connect's API on the schema, no confirmation of the column
            SELECT (SELECT count(*) FROM pg_class c
                     WHERE c.oid IN (rel, to_regclass(q || '_hcmeta'), to_regclass(q || '_trigger_log'),
                                     to_regclass(q || '_trigger_log_archive'))
                       AND (c.relkind = 'r' OR (c.oid <> rel AND c.relkind = 'p'))) = 4
               AND (SELECT count(*) FROM pg_attribute a
                     WHERE a.attrelid = rel AND a.attname IN ('_hc_err', '_hc_lastop', hcguard__quick.column_name::name)
                       AND a.attnum > 0 AND NOT a.attisdropped
                       AND (a.attname <> '_hc_lastop' OR a.atttypid IN ('text'::regtype, 'varchar'::regtype, 'bpchar'::regtype))) = 3
               AND NOT EXISTS (SELECT FROM hcguard.connect_snapshot r WHERE r.schema_name = hcguard__quick.schema_name::name)
               AND NOT EXISTS (SELECT FROM hcguard.confirmation_store k
                                WHERE k.schema_name = hcguard__quick.schema_name::name
                                  AND k.table_name = hcguard__quick.table_name::name
                                  AND k.column_name = hcguard__quick.column_name::name)
              INTO shape;
            IF shape THEN
                IF prepare THEN
                    -- Parallel workers cost more to start than a probe of
                    -- the first blocks (PostgreSQL 13, which has no TID
                    -- range scan, might otherwise plan them).
                    PERFORM set_config('max_parallel_workers_per_gather', '0', true);
                    -- The table's first blocks, so that a column with no
                    -- Connect-written value costs one pass (the full
                    -- verdict's, which counts) and not two.  A range of
                    -- ctid, not a LIMIT in a subquery, which costs more to
                    -- plan; PostgreSQL 13 reads the whole table here.
                    EXECUTE format('PREPARE %I AS SELECT EXISTS (SELECT FROM ONLY %I.%I'
                                   ' WHERE ctid OPERATOR(pg_catalog.<) %L::pg_catalog.tid AND %I IS NOT NULL AND %s)',
                                   probe, schema_name, table_name, format('(%s,0)', hcguard__probe_blocks()),
                                   column_name, hcguard__connect_written());
                END IF;
                EXECUTE 'EXECUTE ' || quote_ident(probe) INTO proven;
            END IF;
            RAISE EXCEPTION USING ERRCODE = 'HCQK0';
        EXCEPTION
            WHEN SQLSTATE 'HCQK0' THEN
                EXIT;
            WHEN invalid_sql_statement_name THEN
                -- not prepared yet in this session: prepare it, once
                IF prepare THEN
                    RETURN NULL;
                END IF;
                prepare := true;
            WHEN OTHERS THEN
                RETURN NULL;
        END;
    END LOOP;
    IF NOT proven THEN
        RETURN false;
    ELSIF proven IS NULL THEN
        RETURN NULL;
    END IF;
    -- recorded already, as it is after the first call: nothing to write
    PERFORM FROM hcguard.declaration_store d
      WHERE d.schema_name = hcguard__quick.schema_name::name AND d.table_name = hcguard__quick.table_name::name
        AND d.column_name = hcguard__quick.column_name::name;
    IF NOT FOUND THEN
        PERFORM hcguard__record(schema_name, table_name, ARRAY[column_name], ARRAY[NULL::text]);
    END IF;
    RETURN true;
END
$$;

CREATE OR REPLACE FUNCTION hcguard_required(schema_name text, table_name text,
                                            column_name text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    quick boolean;
BEGIN
    -- bad arguments (checked inline: the common call should not pay for
    -- three function calls); the checks below say which one, and how
    IF schema_name IS NULL OR schema_name = '' OR table_name IS NULL OR table_name = ''
       OR column_name IS NULL OR column_name = '' OR lower(column_name) IN ('_hc_lastop', '_hc_err') THEN
        PERFORM hcguard__name(schema_name, 'schema name'), hcguard__name(table_name, 'table name'),
                hcguard__column_arg(column_name);
    END IF;
    quick := hcguard__quick(schema_name, table_name, column_name);
    IF quick THEN
        RETURN true;
    END IF;
    RETURN hcguard__require(schema_name, table_name, ARRAY[column_name], quick IS NOT NULL);
END
$$;

CREATE OR REPLACE FUNCTION hcguard_required(schema_name text, table_name text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
BEGIN
    RETURN hcguard__require(hcguard__name(schema_name, 'schema name'),
                            hcguard__name(table_name, 'table name'),
                            '{}');
END
$$;

CREATE OR REPLACE FUNCTION hcguard_required(schema_name text, table_name text,
                                            VARIADIC column_names text[])
RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
BEGIN
    RETURN hcguard__require(hcguard__name(schema_name, 'schema name'),
                            hcguard__name(table_name, 'table name'),
                            hcguard__column_list(column_names));
END
$$;

CREATE OR REPLACE FUNCTION hcguard_status(schema_name text, table_name text,
                                          column_name text DEFAULT NULL)
RETURNS hcguard_status_row
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    cols text[];
    d record;
    v hcguard__verdict;
    r hcguard__report;
    s hcguard_status_row;
BEGIN
    PERFORM hcguard__name(schema_name, 'schema name'), hcguard__name(table_name, 'table name');
    cols := hcguard__optional_column(column_name);
    d := hcguard__declared_columns(cols);
    v := hcguard__verdict(schema_name, table_name, d.names, true, d.types);
    r := hcguard__describe(v);
    s.schema_name := v.schema_name;
    s.table_name := v.table_name;
    s.column_name := v.col_name[1];
    -- what could not be looked at is unknown, not false
    IF v.problem IS DISTINCT FROM 'schema_denied' THEN
        s.connect_schema := v.connect_schema;
        s.mapped := v.mapped;
        IF v.problem IS DISTINCT FROM 'table_denied' THEN
            s.synced := v.synced;
        END IF;
    END IF;
    s.evidence := CASE WHEN cardinality(cols) > 0 THEN v.col_evidence[1] ELSE v.evidence END;
    s.problem := r.message;
    s.hint := r.hint;
    RETURN s;
END
$$;

-- Confirmations are writes: refuse them where writes cannot happen.
CREATE FUNCTION hcguard__writable(function_name text)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    IF pg_is_in_recovery() THEN
        PERFORM hcguard__error('confirm_on_standby', function_name);
    END IF;
    IF current_setting('transaction_read_only') = 'on' THEN
        PERFORM hcguard__error('confirm_read_only', function_name);
    END IF;
END
$$;

/*
 * The mapping (and column) a confirmation names, checked for the caller's
 * right to ALTER it.  Raises what is wrong; returns the verdict.
 */
CREATE FUNCTION hcguard__target(schema_name text, table_name text, column_name text,
                                function_name text, column_must_exist boolean)
RETURNS hcguard__verdict
LANGUAGE plpgsql
AS $$
DECLARE
    v hcguard__verdict;
    cols text[];
BEGIN
    PERFORM hcguard__name(schema_name, 'schema name'), hcguard__name(table_name, 'table name');
    cols := hcguard__optional_column(column_name);
    PERFORM hcguard__writable(function_name);
    v := hcguard__verdict(schema_name, table_name, cols, false);
    IF v.problem IS NOT NULL AND NOT (v.problem = 'no_column' AND NOT column_must_exist) THEN
        PERFORM hcguard__raise(hcguard__describe(v));
    END IF;
    IF NOT pg_has_role((SELECT relowner FROM pg_class WHERE oid = v.relid), 'USAGE') THEN
        PERFORM hcguard__error('not_owner', v.table_name, v.schema_name || '.' || v.table_name, function_name);
    END IF;
    RETURN v;
END
$$;

CREATE OR REPLACE FUNCTION hcguard_confirm_synced(schema_name text, table_name text,
                                                  column_name text DEFAULT NULL,
                                                  note text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    v hcguard__verdict := hcguard__target(schema_name, table_name, column_name,
                                          'hcguard_confirm_synced()', true);
    target text := coalesce(v.col_name[1], '');
    now_v hcguard__verdict;
BEGIN
    -- Written without a lock on the mapping (the INSERT may wait for another
    -- session's confirmation, and Connect's ALTER TABLE must not queue
    -- behind that).  The trigger bound the record to what the names meant
    -- then: if Connect dropped or replaced the column or table since it was
    -- resolved, fail, which rolls the record back.
    INSERT INTO hcguard.confirmation_store AS s
           (schema_name, table_name, column_name, confirmed_by, confirmed_at, note)
    VALUES (v.schema_name, v.table_name, target, current_user, now(), note)
    ON CONFLICT ON CONSTRAINT confirmation_store_pkey DO UPDATE SET
           relid = excluded.relid, attnum = excluded.attnum,
           confirmed_by = excluded.confirmed_by,
           confirmed_at = excluded.confirmed_at, note = excluded.note;
    now_v := hcguard__verdict(v.schema_given, v.table_given, v.col_given, false);
    IF now_v.problem IS NOT NULL THEN
        PERFORM hcguard__raise(hcguard__describe(now_v));
    END IF;
    IF now_v.relid <> v.relid OR now_v.col_attnum[1] IS DISTINCT FROM v.col_attnum[1] THEN
        PERFORM hcguard__error(CASE WHEN target = '' THEN 'replaced_table' ELSE 'replaced_column' END,
                               CASE WHEN target = '' THEN now_v.table_name ELSE now_v.col_name[1] END);
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION hcguard_revoke_confirmation(schema_name text, table_name text,
                                                       column_name text DEFAULT NULL)
RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    -- the column may be gone already: its confirmation can still be removed
    v hcguard__verdict := hcguard__target(schema_name, table_name, column_name,
                                          'hcguard_revoke_confirmation()', false);
    target text := coalesce(v.col_name[1], '');
    removed integer;
BEGIN
    IF v.col_problem[1] IS DISTINCT FROM 'no_column' THEN
        DELETE FROM hcguard.confirmation_store s
         WHERE s.schema_name = v.schema_name::name AND s.table_name = v.table_name::name
           AND s.column_name = target::name;
        GET DIAGNOSTICS removed = ROW_COUNT;
    ELSE
        -- a column that no longer exists: by each spelling it is looked up by
        removed := 0;
        FOREACH target IN ARRAY hcguard__spellings(hcguard__column_of_field(v.col_given[1])) LOOP
            EXIT WHEN removed > 0;
            DELETE FROM hcguard.confirmation_store s
             WHERE s.schema_name = v.schema_name::name AND s.table_name = v.table_name::name
               AND s.column_name = target::name;
            GET DIAGNOSTICS removed = ROW_COUNT;
        END LOOP;
    END IF;
    RETURN removed > 0;
END
$$;

------------------------------------------------------------------------------
-- Beyond one column: overview and write health.
------------------------------------------------------------------------------

-- Whether a log has the columns the health queries read, and the caller may.
CREATE FUNCTION hcguard__log_readable(nsp oid, log_name text)
RETURNS boolean
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    RETURN (
    SELECT coalesce((SELECT has_table_privilege(c.oid, 'SELECT')
                            AND (SELECT count(*) FROM pg_attribute a
                                  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                                    AND a.attname IN ('state', 'table_name', 'sf_message',
                                                      'processed_at', 'updated_at', 'created_at')) = 6
                           FROM pg_class c
                          WHERE c.relnamespace = nsp AND c.relname = log_name), false));
END
$$;

/*
 * Pending and failed writes per table of a Connect schema, from the logs.
 * The queries ask what Connect's partial indexes answer, with sequential
 * scans priced out, and run in a subtransaction rolled back afterwards, so
 * that no lock on the logs outlives the call.
 */
CREATE FUNCTION hcguard__write_health(nsp oid, schema_name text,
    OUT pending_known boolean, OUT failed_known boolean,
    OUT pending jsonb, OUT failed jsonb)
LANGUAGE plpgsql
AS $$
BEGIN
    pending_known := hcguard__log_readable(nsp, '_trigger_log');
    failed_known := pending_known AND hcguard__log_readable(nsp, '_trigger_log_archive');
    pending := '{}';
    failed := '{}';
    IF NOT pending_known THEN
        RETURN;
    END IF;
    BEGIN
        PERFORM set_config('enable_seqscan', 'off', true);
        EXECUTE format('SELECT coalesce(jsonb_object_agg(t, n), ''{}'') FROM ('
                       'SELECT table_name::pg_catalog.text AS t, count(*) AS n FROM %I._trigger_log'
                       ' WHERE state IN (''NEW'', ''PENDING'') AND table_name IS NOT NULL GROUP BY table_name) AS q',
                       schema_name)
           INTO pending;
        IF failed_known THEN
            EXECUTE format('SELECT coalesce(jsonb_object_agg(t, jsonb_build_array(n, at, m)), ''{}'') FROM ('
                           'SELECT table_name::pg_catalog.text AS t, count(*) AS n, max(at) AS at,'
                           ' (array_agg(sf_message ORDER BY at DESC NULLS LAST))[1] AS m'
                           ' FROM (SELECT table_name, COALESCE(processed_at, updated_at, created_at) AS at, sf_message'
                           '         FROM %1$I._trigger_log WHERE state = ''FAILED'''
                           '       UNION ALL'
                           '       SELECT table_name, COALESCE(processed_at, updated_at, created_at), sf_message'
                           '         FROM %1$I._trigger_log_archive WHERE state = ''FAILED'') AS f'
                           ' WHERE table_name IS NOT NULL GROUP BY table_name) AS q',
                           schema_name)
               INTO failed;
        END IF;
        RAISE EXCEPTION USING ERRCODE = 'HC000';
    EXCEPTION WHEN SQLSTATE 'HC000' THEN
        NULL;
    END;
END
$$;

-- Whether Connect's trigger hc_<table>_<suffix> is on the table and enabled.
CREATE FUNCTION hcguard__has_trigger(rel oid, table_name text, suffix text)
RETURNS boolean
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    RETURN (
    SELECT EXISTS (SELECT FROM pg_trigger t
                        WHERE t.tgrelid = rel
                          AND t.tgname = format('hc_%s_%s', table_name, suffix)::name
                          AND t.tgenabled <> 'D'));
END
$$;

-- Whether a look at a schema's data can decide its mappings alone: hcguard
-- did not provision it (there the declaration is the truth) and no report
-- of Connect's API covers it (one may fail what the data passes).
CREATE FUNCTION hcguard__data_decides(nsp oid, schema_name text)
RETURNS boolean
LANGUAGE sql STABLE
AS $$
    SELECT NOT hcguard__provisioned(nsp)
           AND NOT EXISTS (SELECT FROM hcguard.connect_snapshot s
                            WHERE s.schema_name = hcguard__data_decides.schema_name::name)
$$;

/*
 * Runs probes, each a scalar subquery giving a boolean, for the looks at
 * many mappings (#19): hcguard__probe_batch() of them to a statement, not
 * one, since a statement a mapping cost a thousand plans' and
 * subtransactions' overhead; each statement in a subtransaction rolled back
 * at once, so that no lock outlives the look.  Returns their answers in
 * order, NULL for every probe of a statement that failed (a table dropped
 * or changed meanwhile: the full look says why).  With plans, a prefix for
 * the statements' names, each statement is planned once a session, as
 * hcguard__quick's probe is, and named for its text: a mapping added or
 * dropped changes the names, and those of the prefix the call did not use
 * are deallocated.
 */
CREATE FUNCTION hcguard__probe_each(probes text[], plans text DEFAULT NULL)
RETURNS boolean[]
LANGUAGE plpgsql
AS $$
DECLARE
    old_pg boolean := current_setting('server_version_num')::integer < 140000;
    size integer := hcguard__probe_batch();
    answers boolean[] := '{}';
    seen boolean[];
    probe text;
    statement text;
    used text[] := '{}';
    prepare boolean;
    tidy boolean := false;
BEGIN
    FOR lo IN 1 .. coalesce(cardinality(probes), 0) BY size LOOP
        probe := 'SELECT ARRAY[' || array_to_string(probes[lo : lo + size - 1], ', ')
                 || ']::pg_catalog.bool[]';
        statement := plans || md5(probe);   -- NULL without plans
        used := used || statement;
        prepare := false;
        LOOP
            BEGIN
                IF old_pg THEN
                    -- no TID range scan: a scan that may stop at its first
                    -- row costs less without parallel workers
                    PERFORM set_config('max_parallel_workers_per_gather', '0', true);
                END IF;
                IF statement IS NULL THEN
                    EXECUTE probe INTO seen;
                ELSE
                    IF prepare THEN
                        EXECUTE format('PREPARE %I AS %s', statement, probe);
                    END IF;
                    EXECUTE 'EXECUTE ' || quote_ident(statement) INTO seen;
                END IF;
                RAISE EXCEPTION USING ERRCODE = 'HCQK0';
            EXCEPTION
                WHEN SQLSTATE 'HCQK0' THEN
                    EXIT;
                WHEN invalid_sql_statement_name THEN
                    -- not prepared yet in this session: prepare it, once
                    seen := NULL;
                    EXIT WHEN prepare OR statement IS NULL;
                    prepare := true;
                    tidy := true;
                WHEN OTHERS THEN
                    seen := NULL;
                    EXIT;
            END;
        END LOOP;
        answers := answers || coalesce(seen, array_fill(NULL::boolean,
                                                        ARRAY[least(size, cardinality(probes) - lo + 1)]));
    END LOOP;
    IF tidy THEN
        FOR statement IN SELECT p.name FROM pg_prepared_statements p
                          WHERE starts_with(p.name, plans) AND p.name <> ALL (used) LOOP
            EXECUTE 'DEALLOCATE ' || quote_ident(statement);
        END LOOP;
    END IF;
    RETURN answers;
END
$$;

/*
 * One row per mapping of a Connect schema.  The verdict, for the common
 * mapping (one the caller may read, in a schema hcguard did not provision
 * and no report of Connect's API covers, with no confirmation), comes from
 * a probe of its first blocks, planned once a session (hcguard__probe_each);
 * any other mapping, and one the probe does not prove, gets the full
 * verdict (hcguard__verdict), which the probe can only agree with.  The
 * catalog facts of every mapping come from one query, after all the looks.
 */
CREATE FUNCTION hcguard__schema_rows(nsp oid, schema_name text)
RETURNS SETOF hcguard_mapping_row
LANGUAGE plpgsql
SET jit = off   -- as hcguard__mappings_of
AS $$
DECLARE
    health record := hcguard__write_health(nsp, schema_name);
    plain boolean := hcguard__data_decides(nsp, schema_name);
    old_pg boolean := current_setting('server_version_num')::integer < 140000;
    names text[];
    common boolean[];
    places integer[];
    seen boolean[];
    proven boolean[];
    v hcguard__verdict;
    -- the rows, before their catalog facts: by name when proven (no relid
    -- was looked up), else the verdict's table
    n integer := 0;
    row_schema text[] := '{}';
    row_table text[] := '{}';
    row_relid oid[] := '{}';
    row_by_name boolean[] := '{}';
    row_synced boolean[] := '{}';
    row_evidence text[] := '{}';
BEGIN
    SELECT coalesce(array_agg(q.name ORDER BY q.name COLLATE "C"), '{}'),
           coalesce(array_agg(plain AND has_table_privilege(q.relid, 'SELECT')
                              AND NOT EXISTS (SELECT FROM hcguard.confirmation_store k
                                               WHERE k.schema_name = hcguard__schema_rows.schema_name::name
                                                 AND k.table_name = q.name::name AND k.column_name = ''
                                                 AND k.relid = q.relid AND k.attnum = 0)
                              ORDER BY q.name COLLATE "C"), '{}')
      INTO names, common
      FROM hcguard__mappings_of(nsp) AS q;
    -- (a plain LIMIT 1 plans faster than EXISTS: no subquery)
    SELECT hcguard__probe_each(
               coalesce(array_agg(format('(SELECT true FROM ONLY %I.%I WHERE ctid OPERATOR(pg_catalog.<) %L::pg_catalog.tid'
                                         ' AND %s LIMIT 1)',
                                         schema_name, u.name, format('(%s,0)', hcguard__probe_blocks()),
                                         hcguard__connect_written()) ORDER BY u.i), '{}'),
               'hcguard_mappings_' || left(md5(schema_name), 12) || '_'),
           coalesce(array_agg(u.i ORDER BY u.i), '{}')
      INTO proven, places
      FROM unnest(names, common) WITH ORDINALITY AS u(name, common, i)
     WHERE u.common;
    -- by the mapping's place
    seen := proven;
    proven := array_fill(NULL::boolean, ARRAY[cardinality(names)]);
    FOR k IN 1 .. cardinality(places) LOOP
        proven[places[k]] := seen[k];
    END LOOP;

    FOR i IN 1 .. cardinality(names) LOOP
        IF proven[i] THEN
            v.schema_name := schema_name;
            v.table_name := names[i];
            v.relid := NULL;
            v.synced := true;
            v.evidence := 'data';
            v.problem := NULL;
        ELSE
            v := hcguard__verdict(schema_name, names[i], '{}');
            CONTINUE WHEN v.problem IS NOT NULL AND v.problem NOT IN ('table_denied', 'not_synced');
        END IF;
        n := n + 1;
        row_schema[n] := v.schema_name;
        row_table[n] := v.table_name;
        row_relid[n] := v.relid;
        row_by_name[n] := coalesce(proven[i], false);
        row_synced[n] := CASE WHEN v.problem = 'table_denied' THEN NULL ELSE v.synced END;
        row_evidence[n] := v.evidence;
    END LOOP;

    -- The tables' facts as they stand now, after the looks: one may have
    -- waited for Connect's ALTER or DROP, and the facts must agree with the
    -- verdict (so a proven table is looked up again by name).
    RETURN QUERY
    SELECT o.schema_name, o.table_name, f.field_count,
           -- Unknown until the table is first analyzed: -1 from PostgreSQL
           -- 14 on; 13 has 0 rows in 0 pages, as for an empty table, and
           -- its planner takes both for unknown.
           CASE WHEN f.rows_estimate < 0 OR (f.rows_estimate = 0 AND f.pages = 0 AND old_pg)
                THEN NULL ELSE f.rows_estimate END,
           o.synced, o.evidence,
           CASE WHEN health.pending_known
                THEN coalesce((health.pending ->> o.table_name)::bigint, 0) END,
           CASE WHEN health.failed_known
                THEN coalesce((health.failed -> o.table_name ->> 0)::bigint, 0) END,
           (health.failed -> o.table_name ->> 1)::timestamptz,
           health.failed -> o.table_name ->> 2,
           f.status_trigger, f.log_trigger
      FROM unnest(row_schema, row_table, row_relid, row_by_name, row_synced, row_evidence)
           WITH ORDINALITY AS o(schema_name, table_name, relid, by_name, synced, evidence, n)
      LEFT JOIN LATERAL (
            SELECT -- the columns but Connect's own and dropped ones,
                   -- without reading every column: a dropped column is
                   -- renamed "........pg.dropped.N........", so the index
                   -- finds them
                   (c.relnatts
                     - (SELECT count(*) FROM pg_attribute a
                         WHERE a.attrelid = c.oid AND a.attnum > 0 AND a.attisdropped
                           AND a.attname >= '........pg.dropped.' AND a.attname < '........pg.dropped/')
                     - (SELECT count(*) FROM pg_attribute a
                         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                           AND a.attname IN ('id', '_hc_lastop', '_hc_err')))::integer AS field_count,
                   trunc(c.reltuples)::bigint AS rows_estimate, c.relpages AS pages,
                   EXISTS (SELECT FROM pg_trigger t
                            WHERE t.tgrelid = c.oid AND t.tgname = format('hc_%s_status_trigger', o.table_name)::name
                              AND t.tgenabled <> 'D') AS status_trigger,
                   EXISTS (SELECT FROM pg_trigger t
                            WHERE t.tgrelid = c.oid AND t.tgname = format('hc_%s_logtrigger', o.table_name)::name
                              AND t.tgenabled <> 'D') AS log_trigger
              FROM pg_class c
             WHERE c.oid = CASE WHEN o.by_name THEN to_regclass(format('%I.%I', o.schema_name, o.table_name))
                                ELSE o.relid END) AS f ON true
     ORDER BY o.n;
END
$$;

CREATE OR REPLACE FUNCTION hcguard_mappings(schema_name text DEFAULT NULL)
RETURNS SETOF hcguard_mapping_row
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE ROWS 100
AS $$
DECLARE
    v hcguard__verdict;
    s record;
BEGIN
    IF schema_name IS NOT NULL THEN
        v := hcguard__resolve_schema(hcguard__name(schema_name, 'schema name'), true);
        IF v.problem IS NOT NULL THEN
            PERFORM hcguard__raise(hcguard__describe(v));
        END IF;
        RETURN QUERY SELECT * FROM hcguard__schema_rows(v.nspid, v.schema_name);
        RETURN;
    END IF;
    -- every Connect schema the caller may look into
    FOR s IN SELECT n.oid, n.nspname::text AS name FROM pg_namespace n
              WHERE n.nspname::text = ANY (hcguard__connect_schemas())
                AND has_schema_privilege(n.oid, 'USAGE')
              ORDER BY n.nspname COLLATE "C" LOOP
        RETURN QUERY SELECT * FROM hcguard__schema_rows(s.oid, s.name);
    END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION hcguard_columns(schema_name text, table_name text)
RETURNS TABLE (column_name text, data_type text, synced boolean, evidence text)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE ROWS 100
AS $$
DECLARE
    l record;
BEGIN
    PERFORM hcguard__name(schema_name, 'schema name'), hcguard__name(table_name, 'table name');
    -- listed and judged under one lock: Connect cannot add or drop a column
    -- in between
    l := hcguard__look(schema_name, table_name, '{}', 'fields');
    IF (l.mapping).problem IS NOT NULL THEN
        PERFORM hcguard__raise(hcguard__describe(l.mapping));
    END IF;
    -- every field column must be readable, not only _hc_lastop and sfid
    IF (l.verdict).problem = 'table_denied' THEN
        PERFORM hcguard__raise(hcguard__describe(l.verdict));
    END IF;
    FOR i IN 1 .. coalesce(cardinality(l.fields), 0) LOOP
        column_name := (l.verdict).col_name[i];
        data_type := l.types[i];
        synced := (l.verdict).col_problem[i] IS NULL;
        evidence := (l.verdict).col_evidence[i];
        RETURN NEXT;
    END LOOP;
END
$$;

------------------------------------------------------------------------------
-- Waiting for Connect.
------------------------------------------------------------------------------

CREATE FUNCTION hcguard__poll_interval()
RETURNS double precision
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    setting text := btrim(coalesce(current_setting('hcguard.poll_interval', true), ''));
    ms double precision;
BEGIN
    IF setting = '' THEN
        RETURN 1000;
    ELSIF setting ~ '^[0-9]+$' THEN
        ms := setting::double precision;
    ELSE
        ms := extract(epoch FROM setting::interval) * 1000;
    END IF;
    RETURN least(greatest(ms, 10), 3600 * 1000);
END
$$;

CREATE OR REPLACE FUNCTION hcguard_wait(schema_name text, table_name text,
                                        column_name text DEFAULT NULL,
                                        timeout interval DEFAULT '15 minutes')
RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    cols text[];
    d record;
    timeout_ms double precision;
    started timestamptz := clock_timestamp();
    last_progress timestamptz := started;
    waited_ms double precision;
    v hcguard__verdict;
    r hcguard__report;
    first_look boolean := true;
    passed boolean;
BEGIN
    PERFORM hcguard__name(schema_name, 'schema name'), hcguard__name(table_name, 'table name');
    cols := hcguard__optional_column(column_name);
    d := hcguard__declared_columns(cols);
    IF timeout IS NULL THEN
        PERFORM hcguard__error('timeout_null');
    END IF;
    timeout_ms := extract(epoch FROM timeout) * 1000;
    IF timeout_ms < 0 THEN
        PERFORM hcguard__error('timeout_negative');
    END IF;
    IF current_setting('transaction_isolation') IN ('repeatable read', 'serializable') THEN
        PERFORM hcguard__error('wait_isolation');
    END IF;
    LOOP
        -- a fresh verdict per poll, no lock held between polls
        v := hcguard__verdict(schema_name, table_name, d.names, true, d.types);
        -- where hcguard provisions, there is no Connect to wait for: what
        -- is missing is created at the first look, which then passes
        IF first_look AND hcguard__provisions(v)
           AND hcguard__provision(schema_name, table_name, d.names, d.types) THEN
            v := hcguard__verdict(schema_name, table_name, d.names, true, d.types);
        END IF;
        first_look := false;
        IF v.problem IS NULL THEN
            PERFORM hcguard__record_verdict(v);
            RETURN true;
        END IF;
        waited_ms := extract(epoch FROM clock_timestamp() - started) * 1000;
        IF waited_ms >= timeout_ms THEN
            passed := hcguard__pass(v);
            PERFORM hcguard__record_verdict(v);
            RETURN passed;
        END IF;
        IF clock_timestamp() - last_progress >= interval '30 seconds' THEN
            r := hcguard__describe(v);
            RAISE NOTICE USING
                MESSAGE = (hcguard__msg('wait_progress', floor(waited_ms / 1000)::text, r.message)).message,
                DETAIL = r.detail;
            last_progress := clock_timestamp();
        END IF;
        PERFORM pg_sleep(greatest(least(hcguard__poll_interval(), timeout_ms - waited_ms), 1) / 1000.0);
    END LOOP;
END
$$;

------------------------------------------------------------------------------
-- Configuration as code: the JSON `heroku connect:export` writes.
------------------------------------------------------------------------------

-- A document of another shape: why (a config_* report), at which path.
CREATE FUNCTION hcguard__refuse(why text, path text)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM hcguard__error(why, path);
END
$$;

-- The mappings of an export as (object_name, fields[]), refusing a
-- document of any other shape.
CREATE FUNCTION hcguard__parse_config(config jsonb)
RETURNS TABLE (ord integer, object_name text, fields text[])
LANGUAGE plpgsql
AS $$
DECLARE
    m jsonb;
    path text;
    i integer := 0;
BEGIN
    IF jsonb_typeof(config) IS DISTINCT FROM 'object' THEN
        PERFORM hcguard__refuse('config_not_object', '$');
    END IF;
    IF NOT config ? 'mappings' THEN
        PERFORM hcguard__refuse('config_missing', '$.mappings');
    END IF;
    IF jsonb_typeof(config -> 'mappings') <> 'array' THEN
        PERFORM hcguard__refuse('config_not_array', '$.mappings');
    END IF;
    FOR m IN SELECT e FROM jsonb_array_elements(config -> 'mappings') AS e LOOP
        path := format('$.mappings[%s]', i);
        IF jsonb_typeof(m) <> 'object' THEN
            PERFORM hcguard__refuse('config_not_object', path);
        END IF;
        IF NOT m ? 'object_name' THEN
            PERFORM hcguard__refuse('config_missing', path || '.object_name');
        END IF;
        IF jsonb_typeof(m -> 'object_name') <> 'string' OR m ->> 'object_name' = '' THEN
            PERFORM hcguard__refuse('config_not_name', path || '.object_name');
        END IF;
        IF NOT m ? 'config' THEN
            PERFORM hcguard__refuse('config_missing', path || '.config');
        END IF;
        IF jsonb_typeof(m -> 'config') <> 'object' THEN
            PERFORM hcguard__refuse('config_not_object', path || '.config');
        END IF;
        IF NOT (m -> 'config') ? 'fields' THEN
            PERFORM hcguard__refuse('config_missing', path || '.config.fields');
        END IF;
        IF jsonb_typeof(m -> 'config' -> 'fields') <> 'object' THEN
            PERFORM hcguard__refuse('config_not_object', path || '.config.fields');
        END IF;
        ord := i;
        object_name := m ->> 'object_name';
        -- jsonb keeps an object's keys shortest first, then in byte order
        fields := ARRAY(SELECT k FROM jsonb_object_keys(m -> 'config' -> 'fields') AS k);
        RETURN NEXT;
        i := i + 1;
    END LOOP;
END
$$;

-- The column Connect gives a field.
CREATE FUNCTION hcguard__column_of(field text)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$ SELECT CASE WHEN lower(field) = 'id' THEN 'sfid' ELSE lower(field) END $$;

/*
 * The entries of a configuration (by their place in it) that a look at
 * their first blocks proves, for hcguard_required_config (#19): in a schema
 * hcguard did not provision and no report of Connect's API covers, a
 * mapping the caller may read, with a column for every field, whose first
 * blocks hold Connect-written rows with a value in each of those columns.
 * The full look (hcguard__look) can only agree with it, and every other
 * entry gets that look.  The columns of the whole file are resolved in one
 * query, and the tables read by hcguard__probe_each; a migration calls this
 * once in a session, so nothing is planned for later.
 */
CREATE FUNCTION hcguard__config_proven(nsp oid, schema_name text, config jsonb)
RETURNS integer[]
LANGUAGE plpgsql
SET jit = off   -- as hcguard__mappings_of
AS $$
DECLARE
    places integer[];
    probes text[];
BEGIN
    IF NOT hcguard__data_decides(nsp, schema_name) THEN
        RETURN '{}';
    END IF;
    SELECT coalesce(array_agg(m.ord ORDER BY m.ord), '{}'),
           -- (one comparison with an array of the counts plans faster
           -- than a comparison a count)
           coalesce(array_agg(format('(SELECT 0 OPERATOR(pg_catalog.<) ALL (ARRAY[count(*)%s])'
                                     ' FROM ONLY %I.%I WHERE ctid OPERATOR(pg_catalog.<) %L::pg_catalog.tid AND %s)',
                                     (SELECT string_agg(format(', count(%I)', c), '')
                                        FROM unnest(m.cols) AS c),
                                     schema_name, m.name, format('(%s,0)', hcguard__probe_blocks()),
                                     hcguard__connect_written())
                              ORDER BY m.ord), '{}')
      INTO places, probes
      FROM (SELECT p.ord, q.name, q.relid, k.cols
              FROM hcguard__parse_config(config) AS p
              JOIN hcguard__mappings_of(nsp) AS q ON q.name = lower(p.object_name)
              CROSS JOIN LATERAL (SELECT ARRAY(SELECT DISTINCT hcguard__column_of(f)
                                                 FROM unnest(p.fields) AS f) AS cols) AS k
            OFFSET 0) AS m   -- (each entry's columns listed once, not once a use)
     WHERE has_table_privilege(m.relid, 'SELECT')
       -- each column by its exact name (one cut at 63 bytes gets the full
       -- look), none of them Connect's own
       AND NOT EXISTS (SELECT FROM unnest(m.cols) AS c
                        WHERE c IN ('_hc_lastop', '_hc_err')
                           OR NOT EXISTS (SELECT FROM pg_attribute a
                                           WHERE a.attrelid = m.relid AND a.attname = c::name
                                             AND a.attname::text = c AND a.attnum > 0 AND NOT a.attisdropped));
    RETURN ARRAY(SELECT x.place FROM unnest(places, hcguard__probe_each(probes)) AS x(place, proven)
                  WHERE x.proven);
END
$$;

CREATE FUNCTION hcguard__config_diff(schema_name text, config jsonb,
                                     quick boolean DEFAULT false)
RETURNS TABLE (object_name text, field_name text, table_name text,
               column_name text, problem text)
LANGUAGE plpgsql
AS $$
DECLARE
    s hcguard__verdict;
    l record;
    m record;
    tbl text;
    columns text[];
    mapping hcguard__verdict;
    v hcguard__verdict;
    seen text[] := '{}';
    covered text[];
    existing text[];
    p text;
    j integer;
    proven integer[] := '{}';
BEGIN
    PERFORM hcguard__name(schema_name, 'schema name');
    IF config IS NULL THEN
        PERFORM hcguard__error('config_null');
    END IF;
    -- the document's shape is checked before anything else
    PERFORM count(*) FROM hcguard__parse_config(config);
    s := hcguard__resolve_schema(schema_name, true);
    IF s.problem IS NOT NULL THEN
        PERFORM hcguard__raise(hcguard__describe(s));
    END IF;
    IF quick THEN
        proven := hcguard__config_proven(s.nspid, s.schema_name, config);
    END IF;

    FOR m IN SELECT * FROM hcguard__parse_config(config) ORDER BY 1 LOOP
        tbl := lower(m.object_name);
        IF m.ord = ANY (proven) THEN
            seen := seen || tbl;
            CONTINUE;
        END IF;
        columns := ARRAY(SELECT hcguard__column_of(f) FROM unnest(m.fields) WITH ORDINALITY AS q(f, o) ORDER BY o);
        -- one look at the table, under one lock, for the mapping and all
        -- the file's fields
        l := hcguard__look(s.schema_name, tbl, columns, 'config');
        mapping := l.mapping;
        v := l.verdict;
        existing := l.fields;
        IF mapping.problem = 'table_denied' THEN
            PERFORM hcguard__raise(hcguard__describe(mapping));
        END IF;
        -- every field the file names must be readable too
        IF v.problem = 'table_denied' THEN
            PERFORM hcguard__raise(hcguard__describe(v));
        END IF;
        IF mapping.problem IN ('no_table', 'not_mapping') THEN
            RETURN QUERY SELECT m.object_name, NULL::text, tbl, NULL::text, 'missing_mapping'::text;
            CONTINUE;
        END IF;
        seen := seen || mapping.table_name;
        IF NOT mapping.synced THEN
            RETURN QUERY SELECT m.object_name, NULL::text, mapping.table_name, NULL::text, 'unsynced_mapping'::text;
        END IF;
        covered := '{}';
        FOR i IN 1 .. cardinality(columns) LOOP
            p := NULL;
            -- the verdict lists a column named twice once: find this one's,
            -- as given, else by the name it was found under
            j := coalesce(array_position(v.col_given, columns[i]),
                          array_position(v.col_name, columns[i]));
            IF j IS NOT NULL AND (v.col_given[j] = columns[i] OR v.col_attnum[j] IS NOT NULL) THEN
                p := coalesce(v.col_problem[j], 'ok');
                covered := covered || v.col_name[j];
            END IF;
            IF p = 'no_column' THEN
                RETURN QUERY SELECT m.object_name, m.fields[i], v.table_name, columns[i], 'missing_field'::text;
            ELSIF p = 'not_synced' AND mapping.synced THEN
                -- an unsynced mapping already says its fields are not synced
                RETURN QUERY SELECT m.object_name, m.fields[i], v.table_name, columns[i], 'unsynced_field'::text;
            END IF;
        END LOOP;
        RETURN QUERY SELECT m.object_name, NULL::text, v.table_name, e, 'extra_field'::text
                       FROM unnest(existing) WITH ORDINALITY AS q(e, o)
                      WHERE NOT hcguard__is_connect_column(e) AND e <> ALL (covered)
                      ORDER BY o;
    END LOOP;

    RETURN QUERY SELECT NULL::text, NULL::text, x.name, NULL::text, 'extra_mapping'::text
                   FROM unnest(hcguard__mapping_names(s.nspid)) AS x(name)
                  WHERE x.name <> ALL (seen)
                  ORDER BY x.name COLLATE "C";
END
$$;

CREATE OR REPLACE FUNCTION hcguard_config_diff(schema_name text, config jsonb)
RETURNS TABLE (object_name text, field_name text, table_name text,
               column_name text, problem text)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE ROWS 20
AS $$
BEGIN
    RETURN QUERY SELECT * FROM hcguard__config_diff(schema_name, config);
END
$$;

/*
 * Under hcguard.on_failure = provision, creates every mapping and field the
 * file lists that the database lacks, before the file is checked, as the C
 * extension does: fields get Connect's types where Connect's own, else
 * character varying(255).  The first refusal stops it: the check then fails
 * as under error.
 */
CREATE FUNCTION hcguard__provision_config(schema_name text, config jsonb)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    s hcguard__verdict;
    m record;
    cols text[];
BEGIN
    IF config IS NULL THEN
        RETURN;     -- the check refuses it
    END IF;
    PERFORM hcguard__name(schema_name, 'schema name');
    PERFORM count(*) FROM hcguard__parse_config(config);
    s := hcguard__resolve_schema(schema_name, true);
    IF s.problem = 'schema_denied' THEN
        RETURN;
    END IF;
    FOR m IN SELECT * FROM hcguard__parse_config(config) ORDER BY 1 LOOP
        IF s.problem IS NULL AND NOT EXISTS (
            SELECT FROM hcguard__config_diff(schema_name,
                            jsonb_build_object('mappings', jsonb_build_array(jsonb_build_object(
                                'object_name', m.object_name,
                                'config', jsonb_build_object('fields',
                                    (SELECT jsonb_object_agg(f, '{}'::jsonb) FROM unnest(m.fields) AS f))))))
                          AS d
             WHERE d.problem NOT IN ('extra_mapping', 'extra_field')) THEN
            CONTINUE;
        END IF;
        cols := ARRAY(SELECT hcguard__column_of(f) FROM unnest(m.fields) WITH ORDINALITY AS q(f, o) ORDER BY o);
        IF NOT hcguard__provision(schema_name, lower(m.object_name), cols, NULL) THEN
            RETURN;
        END IF;
    END LOOP;
END
$$;

-- What a file maps is declared, once the check has returned.
CREATE FUNCTION hcguard__record_config(schema_name text, config jsonb)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    m record;
BEGIN
    IF NOT hcguard__may_record() THEN
        RETURN;
    END IF;
    -- one look at the store for the common case, where everything is
    -- recorded already, not two a mapping
    IF NOT EXISTS (SELECT lower(e.object_name)::name, c.name::name
                     FROM hcguard__parse_config(config) AS e,
                          unnest(ARRAY[''] || ARRAY(SELECT hcguard__column_of(f) FROM unnest(e.fields) AS f)) AS c(name)
                   EXCEPT
                   SELECT d.table_name, d.column_name
                     FROM hcguard.declaration_store d
                    WHERE d.schema_name = hcguard__record_config.schema_name::name) THEN
        RETURN;
    END IF;
    FOR m IN SELECT * FROM hcguard__parse_config(config) ORDER BY 1 LOOP
        PERFORM hcguard__record(schema_name, lower(m.object_name), '{}', '{}');
        PERFORM hcguard__record(schema_name, lower(m.object_name),
                                ARRAY(SELECT hcguard__column_of(f) FROM unnest(m.fields) AS f),
                                array_fill(NULL::text, ARRAY[cardinality(m.fields)]));
    END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION hcguard_required_config(schema_name text, config jsonb)
RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    d record;
    detail text := '';
    failures integer := 0;
    missing_mappings integer := 0;
    missing_fields integer := 0;
    found_schema text;
    r hcguard__report;
    passed boolean;
BEGIN
    IF hcguard__on_failure() = 'provision' THEN
        PERFORM hcguard__provision_config(schema_name, config);
    END IF;
    found_schema := (hcguard__find_schema(schema_name)).found_name;
    -- (the entries a look at their first blocks proves are passed over:
    -- passing, they add no line to the report)
    FOR d IN SELECT * FROM hcguard__config_diff(schema_name, config, true) LOOP
        CONTINUE WHEN d.problem IN ('extra_mapping', 'extra_field');
        missing_mappings := missing_mappings + (d.problem = 'missing_mapping')::integer;
        missing_fields := missing_fields + (d.problem = 'missing_field')::integer;
        failures := failures + 1;
        IF failures <= 20 THEN
            IF detail <> '' THEN
                detail := detail || E'\n';
            END IF;
            detail := detail || CASE d.problem
                WHEN 'missing_mapping' THEN hcguard__text('config_line_missing_mapping', d.object_name, d.table_name)
                WHEN 'unsynced_mapping' THEN hcguard__text('config_line_unsynced_mapping', d.object_name, d.table_name)
                WHEN 'missing_field' THEN hcguard__text('config_line_missing_field',
                                                        d.object_name, d.field_name, d.table_name, d.column_name)
                ELSE hcguard__text('config_line_unsynced_field',
                                   d.object_name, d.field_name, d.table_name, d.column_name) END;
        END IF;
    END LOOP;
    IF failures = 0 THEN
        PERFORM hcguard__record_config(found_schema, config);
        RETURN true;
    END IF;
    IF failures > 20 THEN
        detail := detail || E'\n' || hcguard__text('and_more', (failures - 20)::text);
    END IF;
    r := hcguard__msg(CASE WHEN missing_mappings > 0 THEN 'config_missing_objects'
                           WHEN missing_fields > 0 THEN 'config_missing_fields'
                           ELSE 'config_not_synced' END,
                      failures::text, found_schema);
    r.detail := detail;
    passed := hcguard__raise(r, hcguard__warn_only());
    PERFORM hcguard__record_config(found_schema, config);
    RETURN passed;
END
$$;

------------------------------------------------------------------------------
-- Every function of the edition runs with search_path pinned to pg_catalog
-- and this schema, whatever the caller's: nothing the caller put on their
-- search_path is reached.  Internal functions run from those, but the view
-- hcguard_declarations calls hcguard__declarations itself, so it is pinned
-- too.  Then the version is recorded.
------------------------------------------------------------------------------

DO $pin$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN SELECT p.oid FROM pg_catalog.pg_proc p
              WHERE p.pronamespace OPERATOR(pg_catalog.=) pg_catalog.current_schema()::pg_catalog.regnamespace
                AND p.proname OPERATOR(pg_catalog.~~) 'hcguard\_%'
                AND (p.proname OPERATOR(pg_catalog.!~~) 'hcguard\_\_%' OR p.prorettype OPERATOR(pg_catalog.=) 'pg_catalog.trigger'::pg_catalog.regtype
                     OR p.proname OPERATOR(pg_catalog.=) 'hcguard__declarations')
    LOOP
        EXECUTE pg_catalog.format('ALTER FUNCTION %s SET search_path = pg_catalog, %I, pg_temp',
                                  f, pg_catalog.current_schema());
    END LOOP;
END
$pin$;

INSERT INTO hcguard.sql_edition AS e (version) VALUES ('1.2')
ON CONFLICT (one_row) DO UPDATE SET version = excluded.version, updated_at = pg_catalog.now();
