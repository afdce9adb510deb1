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
CREATE TABLE hcguard.connect_snapshot (
    schema_name      name PRIMARY KEY,
    connection_state text NOT NULL,
    recorded_at      timestamptz NOT NULL,
    recorded_by      name NOT NULL DEFAULT current_user
);
CREATE TABLE hcguard.connect_mapping_state (
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
