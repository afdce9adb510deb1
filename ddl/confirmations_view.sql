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
           @extschema@.hcguard_confirmation_counts(s.relid, s.attnum,
               s.schema_name, s.table_name, s.column_name) AS counts
      FROM hcguard.confirmation_store s;
GRANT SELECT ON hcguard_confirmations TO PUBLIC;
