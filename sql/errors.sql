--
-- Every row of the contract's error table, for every function that takes
-- names, and name resolution.  Errors are followed by their SQLSTATE.
--
-- The Connect schema salesforce, as life_of_field leaves it.
\set ECHO none
\i test/fixtures/salesforce.sql
\set ECHO all

-- An argument is NULL: 22004, never a silent pass.
SELECT hcguard_required(NULL, 'contact', 'email');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('salesforce', NULL, 'email');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('salesforce', 'contact', NULL::text);
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required(NULL, 'contact');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('salesforce', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('salesforce', 'contact', 'email', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('salesforce', 'contact', VARIADIC NULL::text[]);
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required(NULL, 'contact', 'email', 'lastname');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM hcguard_status(NULL, 'contact');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM hcguard_status('salesforce', NULL, 'email');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_confirm_synced(NULL, 'contact');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_confirm_synced('salesforce', NULL, 'email');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_revoke_confirmation(NULL, 'contact');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_revoke_confirmation('salesforce', NULL);
\echo :LAST_ERROR_SQLSTATE

-- A name is empty: 22023.  An empty column list too.
SELECT hcguard_required('', 'contact', 'email');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('salesforce', '', 'email');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('salesforce', 'contact', '');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('salesforce', '');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('salesforce', 'contact', 'email', '');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('salesforce', 'contact', VARIADIC ARRAY[]::text[]);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM hcguard_status('salesforce', 'contact', '');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_confirm_synced('salesforce', 'contact', '');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_revoke_confirmation('', 'contact');
\echo :LAST_ERROR_SQLSTATE

-- The schema does not exist: 3F000.  The hint names the Connect schemas.
SELECT hcguard_required('salesforce_prod', 'contact', 'email');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('salesforce_prod', 'contact');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_confirm_synced('salesforce_prod', 'contact');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_revoke_confirmation('salesforce_prod', 'contact');
\echo :LAST_ERROR_SQLSTATE

-- The schema exists but is not a Connect schema: 55000.
SELECT hcguard_required('public', 'contact', 'email');
\echo :LAST_ERROR_SQLSTATE
CREATE SCHEMA half_connect;
CREATE TABLE half_connect._hcmeta (id serial, hcver integer, org_id varchar(50), details text);
CREATE TABLE half_connect._trigger_log (id serial);
CREATE VIEW half_connect._trigger_log_archive AS SELECT 1 AS id;
SELECT hcguard_required('half_connect', 'contact');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_confirm_synced('half_connect', 'contact');
\echo :LAST_ERROR_SQLSTATE

-- No such table in the Connect schema: 42P01, with the closest mappings.
SELECT hcguard_required('salesforce', 'contacts', 'email');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('salesforce', 'opportunity');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_confirm_synced('salesforce', 'contacts', 'email');
\echo :LAST_ERROR_SQLSTATE

-- The table exists but is not a mapping: 55000.
SELECT hcguard_required('salesforce', '_trigger_log');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('salesforce', '_hcmeta', 'id');
\echo :LAST_ERROR_SQLSTATE
CREATE VIEW salesforce.contact_view AS SELECT * FROM salesforce.contact;
SELECT hcguard_required('salesforce', 'contact_view', 'email');
\echo :LAST_ERROR_SQLSTATE
DROP VIEW salesforce.contact_view;
CREATE TABLE salesforce.app_notes (id serial, sfid varchar(18), _hc_lastop varchar(32));
SELECT hcguard_required('salesforce', 'app_notes');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_confirm_synced('salesforce', 'app_notes');
\echo :LAST_ERROR_SQLSTATE
DROP TABLE salesforce.app_notes;
-- A table whose _hc_lastop is not character data is not Connect's.
CREATE TABLE salesforce.odd (id int, sfid varchar(18), _hc_lastop integer, _hc_err text);
INSERT INTO salesforce.odd VALUES (1, 'x', 1, NULL);
SELECT hcguard_required('salesforce', 'odd');
\echo :LAST_ERROR_SQLSTATE
DROP TABLE salesforce.odd;

-- No such column in the mapping: 42703, with the closest columns.
SELECT hcguard_required('salesforce', 'contact', 'emial');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('salesforce', 'contact', 'preferred_channel');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('salesforce', 'contact', 'zzzzzz');
\echo :LAST_ERROR_SQLSTATE
-- System columns are not mapped columns.
SELECT hcguard_required('salesforce', 'contact', 'ctid');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_confirm_synced('salesforce', 'contact', 'emial');
\echo :LAST_ERROR_SQLSTATE

-- Mapped but not synced: 55000 (the life_of_field test walks the causes).
SELECT hcdouble.add_field('salesforce', 'Contact', 'Fax', 'phone');
SELECT hcguard_required('salesforce', 'contact', 'fax');
\echo :LAST_ERROR_SQLSTATE

-- hcguard_status reports each of these as a row instead of raising.
\x on
SELECT * FROM hcguard_status('salesforce_prod', 'contact', 'email');
SELECT * FROM hcguard_status('public', 'contact');
SELECT * FROM hcguard_status('salesforce', 'contacts');
SELECT * FROM hcguard_status('salesforce', '_hcmeta');
SELECT * FROM hcguard_status('salesforce', 'contact', 'emial');
SELECT * FROM hcguard_status('salesforce', 'contact', 'fax');
SELECT * FROM hcguard_status('salesforce', 'contact', 'email');
\x off

-- Name resolution: exact first, then lower case; no quoting or dots parsed.
SELECT hcguard_required('SALESFORCE', 'CONTACT', 'EMAIL');
SELECT hcguard_required('salesforce.contact', 'email');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('"salesforce"', 'contact', 'email');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('salesforce', 'contact', '"email"');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required(' salesforce', 'contact', 'email');
\echo :LAST_ERROR_SQLSTATE
-- An exact match wins over the lower-case form.
CREATE TABLE salesforce."Contact" (id serial);
SELECT hcguard_required('salesforce', 'Contact', 'email');
\echo :LAST_ERROR_SQLSTATE
DROP TABLE salesforce."Contact";
SELECT hcguard_required('salesforce', 'Contact', 'email');
-- A name longer than an identifier is truncated as PostgreSQL truncates
-- identifiers: it names what a query naming it would find.  (Connect's
-- relationship columns often run past 63 bytes.)
SELECT hcdouble.add_field('salesforce', 'Contact',
    'a_field_name_that_is_exactly_sixty_three_bytes_long_xxxxxxxxxxx', 'string(10)');
SELECT hcdouble.connect_resync('salesforce', 'Contact',
    'a_field_name_that_is_exactly_sixty_three_bytes_long_xxxxxxxxxxx');
SELECT hcguard_required('salesforce', 'contact',
    'a_field_name_that_is_exactly_sixty_three_bytes_long_xxxxxxxxxxx');
SELECT hcguard_required('salesforce', 'contact',
    'a_field_name_that_is_exactly_sixty_three_bytes_long_xxxxxxxxxxxyz');
-- It confirms and revokes that column too.
SELECT hcguard_confirm_synced('salesforce', 'contact',
    'a_field_name_that_is_exactly_sixty_three_bytes_long_xxxxxxxxxxx');
SELECT hcguard_revoke_confirmation('salesforce', 'contact',
    'a_field_name_that_is_exactly_sixty_three_bytes_long_xxxxxxxxxxxyz');
SELECT hcguard_revoke_confirmation('salesforce', 'contact',
    'a_field_name_that_is_exactly_sixty_three_bytes_long_xxxxxxxxxxx');

-- Leave nothing behind: every file builds the schemas it uses.
SELECT hcdouble.drop_connect_schema('salesforce');
SET client_min_messages = warning;
DROP SCHEMA half_connect CASCADE;
RESET client_min_messages;
