-- ddl/schema.sql: hcguard's own schema, in both editions.
--
-- hcguard keeps its tables (confirmations; the SQL edition's version row)
-- in a schema of their own, so that the tools that dump or diff the
-- application's schema (Rails' schema.rb, Alembic's autogenerate) never see
-- them; its functions and views stay where they were installed, so that
-- migrations call hcguard_required(...) unqualified.
CREATE SCHEMA hcguard;
COMMENT ON SCHEMA hcguard IS 'hcguard''s own tables: confirmations, declarations, Connect''s state (managed by hcguard; do not edit)';
GRANT USAGE ON SCHEMA hcguard TO PUBLIC;
