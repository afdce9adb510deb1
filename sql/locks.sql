--
-- No lock left behind: once a call returns, the transaction holds no lock
-- on a Connect table (or its indexes) that it did not hold before, so that
-- Connect's own ALTER TABLE never queues behind a long migration.
--
CREATE VIEW connect_locks AS
SELECT c.relname::text AS relation, l.mode
  FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
 WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation'
   AND c.relnamespace IN ('salesforce'::regnamespace, 'org'::regnamespace)
 ORDER BY 1, 2;

BEGIN;
SELECT hcguard_required('salesforce', 'contact', 'email');
SELECT hcguard_required('salesforce', 'contact');
SELECT hcguard_required('salesforce', 'contact', 'email', 'lastname');
SELECT hcguard_required('org', 'user', 'username');
SELECT synced FROM hcguard_status('salesforce', 'contact', 'email');
SELECT * FROM connect_locks;
COMMIT;

-- Failing calls, in warning mode (an error ends the transaction anyway).
BEGIN;
SET LOCAL hcguard.on_failure = warning;
SELECT hcguard_required('salesforce', 'contact', 'fax');
SELECT hcguard_required('salesforce', 'contact', 'nope');
SELECT problem IS NOT NULL AS failed FROM hcguard_status('salesforce', 'campaign');
SELECT * FROM connect_locks;
COMMIT;

-- Inside a savepoint that catches the error.
BEGIN;
SAVEPOINT s;
SELECT hcguard_required('salesforce', 'contact', 'fax');
ROLLBACK TO SAVEPOINT s;
SELECT * FROM connect_locks;
COMMIT;

-- Confirming and revoking lock the mapping only while they work.
BEGIN;
SELECT hcguard_confirm_synced('salesforce', 'contact', 'fax', 'locks test');
SELECT hcguard_revoke_confirmation('salesforce', 'contact', 'fax');
SELECT * FROM connect_locks;
COMMIT;

-- A lock the transaction held before the call is still held after it.
BEGIN;
LOCK TABLE salesforce.contact IN ACCESS SHARE MODE;
SELECT hcguard_required('salesforce', 'contact', 'email');
SELECT * FROM connect_locks;
COMMIT;
BEGIN;
LOCK TABLE salesforce.contact IN SHARE ROW EXCLUSIVE MODE;
SELECT hcguard_required('salesforce', 'contact', 'email');
SELECT * FROM connect_locks;
COMMIT;

-- Under row-level security the probe goes through the planner, which locks
-- the table's indexes too: all of it is released.
BEGIN;
SET LOCAL ROLE regress_hc_migrator;
SELECT hcguard_required('salesforce', 'opportunity', 'stagename');
RESET ROLE;
SELECT * FROM connect_locks;
COMMIT;
DROP VIEW connect_locks;
