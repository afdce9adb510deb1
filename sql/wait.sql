--
-- hcguard_wait, as one session sees it (tests/specs/wait_*.spec have Connect
-- work in a second session meanwhile).
--
-- The Connect schema salesforce, as life_of_field leaves it.
\set ECHO none
\i test/fixtures/salesforce.sql
\set ECHO all
-- Connect has added the field Fax to the mapping (as in errors), and no
-- record has a fax.
SELECT hcdouble.add_field('salesforce', 'Contact', 'Fax', 'phone');
-- The migrator may read it (as in confirmations and privileges).
SELECT hcdouble.grant_reader('salesforce', 'regress_hc_migrator');

-- What is synced already: true at once.
SELECT hcguard_wait('salesforce', 'contact', 'email');
SELECT hcguard_wait('salesforce', 'contact');
SELECT hcguard_wait('Salesforce', 'Contact', 'Email', '0 seconds');

-- The polling interval is any user's to set.
SET ROLE regress_hc_migrator;
SET hcguard.poll_interval = 50;
SHOW hcguard.poll_interval;
-- At the timeout it fails exactly as hcguard_required would.
SELECT hcguard_wait('salesforce', 'contact', 'preferred_channel', '200 milliseconds');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_wait('salesforce', 'lead', timeout => '100 milliseconds');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET hcguard.on_failure = warning;
SELECT hcguard_wait('salesforce', 'contact', 'fax', '200 milliseconds');
RESET hcguard.on_failure;

-- Cancellation: statement_timeout (pg_cancel_backend is in the specs).
SET statement_timeout = '300ms';
SELECT hcguard_wait('salesforce', 'contact', 'fax', '1 minute');
\echo :LAST_ERROR_SQLSTATE
RESET statement_timeout;

-- It could never see Connect's progress in these: refused at once.
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT hcguard_wait('salesforce', 'contact', 'email');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT hcguard_wait('salesforce', 'contact', 'email');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- Arguments.
SELECT hcguard_wait('salesforce', 'contact', 'email', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_wait('salesforce', 'contact', 'email', '-1 second');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_wait(NULL, 'contact');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_wait('salesforce', 'contact', '');
\echo :LAST_ERROR_SQLSTATE

-- Progress: a notice about every 30 seconds saying what is still missing.
SET hcguard.poll_interval = 1000;
SET hcguard.on_failure = warning;
SELECT hcguard_wait('salesforce', 'contact', 'fax', '31 seconds');
RESET hcguard.on_failure;
RESET hcguard.poll_interval;

-- Leave nothing behind: every file builds the Connect schemas it uses.
SELECT hcdouble.drop_connect_schema('salesforce');
