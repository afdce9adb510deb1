--
-- Declarations: every guard that returns, in a read-write transaction,
-- records what it named; the records are checked again at any time
-- (hcguard_declarations, hcguard_check_declarations), carried to another
-- environment as a document, and forgotten by whoever may confirm.
--
\set SHOW_CONTEXT never
SELECT hcdouble.create_connect_schema('salesforce');
SELECT hcdouble.create_mapping('salesforce', 'Contact',
    '[["Email", "email"], ["Phone", "phone"], ["Opt_In__c", "boolean"], ["Tier__c", "picklist"]]');
SELECT hcdouble.connect_load('salesforce', 'Contact', 3);
SELECT hcdouble.create_mapping('salesforce', 'Account', '[["Name", "string"]]');
SELECT hcdouble.connect_load('salesforce', 'Account', 2);
SELECT hcdouble.create_mapping('salesforce', 'Lead', '[["Company", "string"]]');
SELECT hcdouble.connect_load('salesforce', 'Lead', 2);
SELECT hcdouble.grant_reader('salesforce', 'regress_hc_migrator');
TRUNCATE hcguard.declaration_store;

-- The migrations run, as the migrator.
SET ROLE regress_hc_migrator;
SELECT hcguard_required('salesforce', 'Contact', 'Email varchar(80)', 'opt_in__c boolean');
SELECT hcguard_required('salesforce', 'contact', 'Phone');
SELECT hcguard_required('salesforce', 'account');
SELECT hcguard_required('salesforce', 'lead', 'Id');
SELECT hcguard_wait('salesforce', 'contact', 'tier__c', '1 minute');
SELECT hcguard_required_config('salesforce',
  '{"mappings": [{"object_name": "Account", "config": {"fields": {"Name": {}}}}]}');
-- Looking is not declaring.
SELECT synced FROM hcguard_status('salesforce', 'lead', 'company');
RESET ROLE;
SELECT schema_name, table_name, column_name, declared_type, declared_by, ok, problem
  FROM hcguard_declarations;
SELECT hcguard_check_declarations();

-- What is already recorded is not written again (the row's system columns
-- do not change); a new type replaces the recorded one, and a call that
-- declares no type leaves the recorded one.
SELECT ctid AS email_row FROM hcguard.declaration_store
 WHERE table_name = 'contact' AND column_name = 'email' \gset
SELECT hcguard_required('salesforce', 'contact', 'email varchar(80)');
SELECT hcguard_required('salesforce', 'contact', 'email');
SELECT ctid = :'email_row' AS not_rewritten, declared_type FROM hcguard.declaration_store
 WHERE table_name = 'contact' AND column_name = 'email';
SELECT hcguard_required('salesforce', 'contact', 'phone varchar(40)');
SELECT declared_type FROM hcguard.declaration_store
 WHERE table_name = 'contact' AND column_name = 'phone';

-- A failed guard raised: its transaction records nothing.  Under warning,
-- the call returned, and what it named is declared.
SELECT hcguard_required('salesforce', 'contact', 'fax');
SET hcguard.on_failure = warning;
SELECT hcguard_required('salesforce', 'contact', 'fax');
RESET hcguard.on_failure;
SELECT column_name, ok FROM hcguard_declarations WHERE column_name = 'fax';
SELECT hcguard_forget_declaration('salesforce', 'contact', 'fax');

-- A column named twice is recorded once, with its first declaration, as
-- the guard judges it: also where the guard stopped before looking at the
-- columns (a schema the caller may not use), and where two spellings are
-- one name (Id and sfid).  A type recorded before is replaced.
CREATE SCHEMA hidden;
INSERT INTO hcguard.declaration_store (schema_name, table_name, column_name, declared_type)
VALUES ('hidden', 'contact', 'sfid', 'character varying(80)');
SET hcguard.on_failure = warning;
SET client_min_messages = error;
SET ROLE regress_hc_migrator;
SELECT hcguard_required('hidden', 'Contact', 'Id varchar(18)', 'sfid varchar(80)', 'ID', 'Fax', 'fax date');
SELECT hcguard_required('salesforce', 'contact', 'Fax varchar(40)', 'FAX date', 'fax');
RESET ROLE;
RESET client_min_messages;
RESET hcguard.on_failure;
SELECT schema_name, table_name, column_name, declared_type, declared_by
  FROM hcguard.declaration_store
 WHERE schema_name = 'hidden' OR column_name = 'fax'
 ORDER BY 1, 2, 3;
DELETE FROM hcguard.declaration_store WHERE schema_name = 'hidden' OR column_name = 'fax';
DROP SCHEMA hidden;

-- Read-only transactions record nothing, and the guard works as before.
SELECT count(*) AS declarations FROM hcguard.declaration_store;
BEGIN READ ONLY;
SELECT hcguard_required('salesforce', 'lead', 'company');
SELECT hcguard_required_config('salesforce',
  '{"mappings": [{"object_name": "Lead", "config": {"fields": {"Company": {}}}}]}');
COMMIT;
SELECT count(*) AS declarations FROM hcguard.declaration_store;

-- After the deploy, Connect's mapping changes under the application.
-- A field removed from the mapping:
SELECT hcdouble.drop_field('salesforce', 'Contact', 'Opt_In__c');
-- a field removed and added back with another type:
SELECT hcdouble.drop_field('salesforce', 'Contact', 'Email');
SELECT hcdouble.add_field('salesforce', 'Contact', 'Email', 'string');
SELECT hcdouble.connect_resync('salesforce', 'Contact', 'Email');
-- a mapping dropped:
SELECT hcdouble.drop_mapping('salesforce', 'Lead');
-- a column no longer synced after a reload that left it empty:
SELECT hcdouble.connect_reload('salesforce', 'Contact', 0);
SELECT hcdouble.connect_load('salesforce', 'Contact', 2, '{Tier__c, Phone}');
SELECT ok, count(*) FROM hcguard_declarations GROUP BY ok ORDER BY ok;
SELECT table_name, column_name, declared_type, problem FROM hcguard_declarations WHERE NOT ok;
-- The view judges with its own search_path, whatever the reader's: the same
-- rows from a path without public, and from one that shadows text = text.
SET search_path = pg_catalog;
SELECT table_name, column_name, problem FROM public.hcguard_declarations WHERE NOT ok;
CREATE SCHEMA shadow;
CREATE FUNCTION shadow.always(text, text) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT true';
CREATE OPERATOR shadow.= (LEFTARG = text, RIGHTARG = text, FUNCTION = shadow.always);
SET search_path = shadow, pg_catalog, public;
SELECT ok, count(*) FROM hcguard_declarations GROUP BY ok ORDER BY ok;
RESET search_path;
DROP SCHEMA shadow CASCADE;
-- The check fails with the first of the contract's SQLSTATEs that applies
-- (a missing mapping: 42P01), and names every problem.
SELECT hcguard_check_declarations();
\echo :LAST_ERROR_SQLSTATE
-- Under warning: the same report, and false.
SET hcguard.on_failure = warning;
SELECT hcguard_check_declarations();
RESET hcguard.on_failure;
-- Without the missing mapping, the missing column ranks first (42703),
-- then the type (42804), then the sync (55000).
SELECT hcguard_forget_declaration('salesforce', 'lead');
SELECT hcguard_forget_declaration('salesforce', 'Lead', 'Id');
SELECT hcguard_check_declarations();
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_forget_declaration('salesforce', 'contact', 'opt_in__c');
SELECT hcguard_check_declarations();
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_forget_declaration('salesforce', 'contact', 'email');
SELECT hcguard_check_declarations();
\echo :LAST_ERROR_SQLSTATE
-- A health check for monitoring: one row, whatever holds.
SELECT count(*) FILTER (WHERE NOT ok) AS broken, count(*) AS declared,
       string_agg(problem, '; ' ORDER BY table_name, column_name) FILTER (WHERE NOT ok) AS problems
  FROM hcguard_declarations;
SELECT hcguard_forget_declaration('salesforce', 'contact', 'tier__c');
SELECT hcguard_forget_declaration('salesforce', 'contact', 'phone');
SELECT hcguard_check_declarations();

-- A whole schema dropped and rebuilt by a connection rebuild, with one
-- field fewer.  (Phone, empty since the reload, is declared under warning.)
SELECT hcguard_required('salesforce', 'contact', 'email');
SET hcguard.on_failure = warning;
SET client_min_messages = error;
SELECT hcguard_required('salesforce', 'contact', 'phone');
RESET client_min_messages;
RESET hcguard.on_failure;
SELECT hcdouble.drop_connect_schema('salesforce');
SELECT hcguard_check_declarations();
\echo :LAST_ERROR_SQLSTATE
SELECT hcdouble.create_connect_schema('salesforce');
SELECT hcdouble.create_mapping('salesforce', 'Contact', '[["Email", "email"]]');
SELECT hcdouble.connect_load('salesforce', 'Contact', 2);
SELECT hcdouble.create_mapping('salesforce', 'Account', '[["Name", "string"]]');
SELECT hcdouble.connect_load('salesforce', 'Account', 2);
SELECT hcguard_check_declarations();
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_forget_declaration('salesforce', 'contact', 'phone');
SELECT hcguard_check_declarations();

-- The document: staging's declarations, checked in a database shaped like
-- production (here, this one): the same report, nothing recorded.
SELECT jsonb_pretty(hcguard_declarations_json() - 'database'
         #- '{declarations,0,declared_at}' #- '{declarations,1,declared_at}'
         #- '{declarations,2,declared_at}');
SELECT hcguard_required_declarations(hcguard_declarations_json());
SELECT hcguard_required_declarations(
  '{"declarations": [{"schema_name": "salesforce", "table_name": "contact", "column_name": "email",
                      "declared_type": "character varying(80)"},
                     {"schema_name": "salesforce", "table_name": "account"}]}');
SELECT count(*) AS declarations FROM hcguard.declaration_store;
-- Documents of another shape: 22023, naming the bad path; NULL: 22004.
SELECT hcguard_required_declarations(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required_declarations('[]');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required_declarations('{"mappings": []}');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required_declarations('{"declarations": {}}');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required_declarations('{"declarations": [1]}');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required_declarations('{"declarations": [{"schema_name": "salesforce"}]}');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required_declarations('{"declarations": [{"schema_name": "", "table_name": "contact"}]}');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required_declarations(
  '{"declarations": [{"schema_name": "salesforce", "table_name": "contact", "column_name": 7}]}');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required_declarations(
  '{"declarations": [{"schema_name": "salesforce", "table_name": "contact", "declared_type": "no_such_type"}]}');
SELECT hcguard_required_declarations(
  '{"declarations": [{"schema_name": "salesforce", "table_name": "contact", "column_name": "email",
                      "declared_type": "no_such_type"}]}');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required_declarations('{"declarations": []}');

-- Forgetting needs the rights confirming needs: the mapping's owner (or a
-- member of its role), a superuser; where the mapping is gone, hcguard's
-- own tables' owner.  The store refuses anyone else's DELETE too.
SELECT hcguard_required('salesforce', 'contact', 'email');
SET ROLE regress_hc_migrator;
SELECT hcguard_forget_declaration('salesforce', 'contact', 'email');
\echo :LAST_ERROR_SQLSTATE
DELETE FROM hcguard.declaration_store WHERE column_name = 'email';
\echo :LAST_ERROR_SQLSTATE
UPDATE hcguard.declaration_store SET column_name = 'e_mail' WHERE column_name = 'email';
\echo :LAST_ERROR_SQLSTATE
-- A row written by hand is signed by its writer, now.
INSERT INTO hcguard.declaration_store (schema_name, table_name, column_name, declared_by, declared_at)
VALUES ('salesforce', 'account', 'industry', 'someone_else', '2001-01-01');
SELECT declared_by, declared_at > now() - interval '1 hour' AS now FROM hcguard.declaration_store
 WHERE table_name = 'account' AND column_name = 'industry';
RESET ROLE;
SELECT hcdouble.create_mapping('salesforce', 'Case', '[["Subject", "string"]]');
SELECT hcdouble.connect_load('salesforce', 'Case', 1);
ALTER TABLE salesforce.case OWNER TO regress_hc_owner;
SELECT hcguard_required('salesforce', 'case', 'subject');
SET ROLE regress_hc_owner_member;
SELECT hcguard_forget_declaration('salesforce', 'case', 'subject');
SELECT hcguard_forget_declaration('salesforce', 'case', 'subject');
RESET ROLE;
-- Bad arguments.
SELECT hcguard_forget_declaration(NULL, 'contact');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_forget_declaration('salesforce', '');
\echo :LAST_ERROR_SQLSTATE

-- What a guard recorded and then found recorded in a transaction or a
-- savepoint that rolls back is not recorded: the next guard records it.
-- (The C extension keeps, for the session, the declarations it found;
-- what is rolled back it forgets.)
CREATE FUNCTION declared_case() RETURNS text[] LANGUAGE sql
    AS $$SELECT array_agg(column_name ORDER BY column_name) FROM hcguard.declaration_store
           WHERE schema_name = 'salesforce' AND table_name = 'case'$$;
BEGIN;
SELECT hcguard_required('salesforce', 'case', 'subject');
SELECT hcguard_required('salesforce', 'case', 'subject');
SELECT declared_case();
ROLLBACK;
SELECT declared_case();
SELECT hcguard_required('salesforce', 'case', 'subject');
SELECT declared_case();
SELECT hcguard_forget_declaration('salesforce', 'case', 'subject');
BEGIN;
SAVEPOINT s;
SELECT hcguard_required('salesforce', 'case', 'subject');
SELECT hcguard_required('salesforce', 'case', 'subject');
ROLLBACK TO SAVEPOINT s;
SELECT hcguard_required('salesforce', 'case', 'subject');
COMMIT;
SELECT declared_case();
-- ... and a guard that finds its declaration removed by hand records it
-- again, TRUNCATE included.
SELECT hcguard_required('salesforce', 'case', 'subject');
TRUNCATE hcguard.declaration_store;
SELECT hcguard_required('salesforce', 'case', 'subject');
SELECT declared_case();
DROP FUNCTION declared_case();

-- Leave nothing behind.
TRUNCATE hcguard.declaration_store;
SELECT hcdouble.drop_connect_schema('salesforce');
