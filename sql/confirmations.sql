--
-- Confirmations: someone verified the sync where the data cannot show it.
-- They record who, when and a note; they void when the object they name is
-- dropped, even if one of the same name comes back; confirming needs the
-- rights ALTER TABLE needs.
--
-- The Connect schema salesforce, as life_of_field leaves it.
\set ECHO none
\i test/fixtures/salesforce.sql
\set ECHO all
-- Connect has added the field Fax to the mapping (as in errors), and no
-- record has a fax.
SELECT hcdouble.add_field('salesforce', 'Contact', 'Fax', 'phone');

-- An object with no records in Salesforce: its mapping never gets a row.
SELECT hcdouble.create_mapping('salesforce', 'Campaign', '[["Name","string(80)"]]');
SELECT hcguard_required('salesforce', 'campaign');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_confirm_synced('salesforce', 'Campaign', NULL,
    'DATA_SYNCED in the dashboard; the org has no campaigns');
SELECT hcguard_required('salesforce', 'campaign');
\x on
SELECT * FROM hcguard_status('salesforce', 'campaign');
\x off
-- A table confirmation does not vouch for its columns.
SELECT hcguard_required('salesforce', 'campaign', 'name');
\echo :LAST_ERROR_SQLSTATE

-- A field empty in Salesforce for every record.
SELECT hcguard_required('salesforce', 'contact', 'fax');
\echo :LAST_ERROR_SQLSTATE
BEGIN;
SELECT hcguard_confirm_synced('salesforce', 'contact', 'Fax');
SELECT confirmed_at = now() AS confirmed_now FROM hcguard_confirmations WHERE column_name = 'fax';
COMMIT;
SELECT hcguard_required('salesforce', 'contact', 'fax');
\x on
SELECT * FROM hcguard_status('salesforce', 'contact', 'fax');
\x off
SELECT schema_name, table_name, column_name, confirmed_by, note, counts
  FROM hcguard_confirmations ORDER BY table_name, column_name;

-- Confirming again updates who, when and the note; it stays one record.
ALTER TABLE salesforce.contact OWNER TO regress_hc_owner;
SET ROLE regress_hc_owner;
SELECT hcguard_confirm_synced('salesforce', 'contact', 'fax', 'no fax numbers in Salesforce');
RESET ROLE;
SELECT column_name, confirmed_by, note, counts
  FROM hcguard_confirmations WHERE table_name = 'contact';

-- Whoever may ALTER the mapping may confirm: its owner (above), a member of
-- the owning role, a superuser.  Nobody else, whatever else they may do.
SET ROLE regress_hc_owner_member;
SELECT hcguard_confirm_synced('salesforce', 'contact', 'fax', 'checked again');
RESET ROLE;
SELECT hcdouble.grant_reader('salesforce', 'regress_hc_migrator');
SET ROLE regress_hc_migrator;
SELECT hcguard_confirm_synced('salesforce', 'contact', 'fax', 'I am only a migrator');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_revoke_confirmation('salesforce', 'contact', 'fax');
\echo :LAST_ERROR_SQLSTATE
-- The store itself is out of reach; the view is for everyone.
INSERT INTO hcguard.confirmation_store (schema_name, table_name, column_name, confirmed_by, confirmed_at)
VALUES ('salesforce', 'contact', 'title', 'me', now());
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM hcguard_confirmations;
RESET ROLE;
SET ROLE regress_hc_stranger;
SELECT hcguard_confirm_synced('salesforce', 'contact', 'fax');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT column_name, confirmed_by, note FROM hcguard_confirmations WHERE table_name = 'contact';

-- Connect drops the column and adds it back later (the field was removed
-- from the mapping and added again): the confirmation no longer counts.
SELECT hcdouble.drop_field('salesforce', 'Contact', 'Fax');
SELECT column_name, counts FROM hcguard_confirmations WHERE table_name = 'contact';
SELECT hcdouble.add_field('salesforce', 'Contact', 'Fax', 'phone');
SELECT column_name, counts FROM hcguard_confirmations WHERE table_name = 'contact';
SELECT hcguard_required('salesforce', 'contact', 'fax');
\echo :LAST_ERROR_SQLSTATE
-- Confirming the new column replaces the void record.
SELECT hcguard_confirm_synced('salesforce', 'contact', 'fax', 'checked the new mapping');
SELECT column_name, note, counts FROM hcguard_confirmations WHERE table_name = 'contact';
SELECT hcguard_required('salesforce', 'contact', 'fax');

-- A mapping dropped and created again: its confirmation is void too.
SELECT hcdouble.drop_mapping('salesforce', 'Campaign');
SELECT hcdouble.create_mapping('salesforce', 'Campaign', '[["Name","string(80)"]]');
SELECT table_name, column_name, counts FROM hcguard_confirmations WHERE table_name = 'campaign';
SELECT hcguard_required('salesforce', 'campaign');
\echo :LAST_ERROR_SQLSTATE

-- Revoking: true if a confirmation was removed.  Names fold as elsewhere,
-- and a confirmation of a column that is gone can still be removed.
SELECT hcguard_revoke_confirmation('salesforce', 'Campaign');
SELECT hcguard_revoke_confirmation('salesforce', 'campaign');
SELECT hcguard_confirm_synced('salesforce', 'contact', 'title', 'to be dropped');
SELECT hcdouble.drop_field('salesforce', 'Contact', 'Title');
SELECT hcguard_revoke_confirmation('salesforce', 'contact', 'Title');
SELECT hcguard_revoke_confirmation('salesforce', 'contact', 'title');
SELECT hcguard_revoke_confirmation('salesforce', 'contact', 'FAX');
SELECT hcguard_required('salesforce', 'contact', 'fax');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM hcguard_confirmations WHERE table_name = 'contact';

-- Confirmations are writes: a read-only transaction refuses them (a hot
-- standby does too, with its own message), while the guard still works.
BEGIN READ ONLY;
SELECT hcguard_required('salesforce', 'contact', 'email');
SELECT hcguard_confirm_synced('salesforce', 'contact', 'fax');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN READ ONLY;
SELECT hcguard_revoke_confirmation('salesforce', 'contact', 'fax');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- The owner's rights used to write the store do not leak to the caller's
-- environment: a look-alike "=" operator on the search_path is not called.
CREATE SCHEMA regress_evil;
CREATE FUNCTION regress_evil.name_eq(name, name) RETURNS boolean
    LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'look-alike operator called'; END$$;
CREATE OPERATOR regress_evil.= (LEFTARG = name, RIGHTARG = name, FUNCTION = regress_evil.name_eq);
GRANT USAGE ON SCHEMA regress_evil TO PUBLIC;
SET ROLE regress_hc_owner;
SET search_path = regress_evil, public, pg_catalog;
SELECT hcguard_confirm_synced('salesforce', 'contact', 'fax', 'with a hostile search_path');
SELECT hcguard_revoke_confirmation('salesforce', 'contact', 'fax');
RESET search_path;
RESET ROLE;
DROP SCHEMA regress_evil CASCADE;

-- Leave nothing behind: every file builds the Connect schemas it uses.
SELECT hcdouble.drop_connect_schema('salesforce');
