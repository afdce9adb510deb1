--
-- Typed declarations: a column argument may carry the type the code
-- expects after its name, separated by white space.  Builds its own
-- fixtures.
--
SET client_min_messages = warning;
SELECT hcdouble.create_connect_schema('hctyped');
SELECT hcdouble.create_mapping('hctyped', 'Contact',
    '[["Email","email"],["Opt_In__c","boolean"],["Amount__c","currency"],
      ["Phone","phone"],["Birthdate","date"],["Notes__c","textarea"],
      ["Seen_At__c","datetime"],["Employees__c","int"]]');
SELECT hcdouble.connect_load('hctyped', 'Contact', 3);
-- A field just added to the mapping, not synced yet.
SELECT hcdouble.add_field('hctyped', 'Contact', 'Twitter__c', 'string(15)');
-- Columns of types Connect does not make, as a hand-made mapping might have.
ALTER TABLE hctyped.contact ADD COLUMN price__c numeric(18,2),
    ADD COLUMN tags__c text[], ADD COLUMN codes__c varchar(10)[],
    ADD COLUMN seen_tz__c timestamp(3) with time zone;
CREATE DOMAIN hctyped.sf_id AS varchar(18);
ALTER TABLE hctyped.contact ADD COLUMN owner__c hctyped.sf_id;
-- ... filled by Connect (a Connect session: xmlbinary = hex).
SET xmlbinary = hex;
UPDATE hctyped.contact SET price__c = 1.5, tags__c = '{a}', codes__c = '{b}',
    seen_tz__c = '2024-01-01 00:00:00+00', owner__c = '005000000000001';
RESET xmlbinary;
RESET client_min_messages;

-- The type is read as PostgreSQL reads a type name: each spelling of the
-- same type passes.
SELECT hcguard_required('hctyped', 'Contact', 'Opt_In__c boolean');
SELECT hcguard_required('hctyped', 'Contact', 'opt_in__c bool');
SELECT hcguard_required('hctyped', 'Contact', 'Amount__c double precision');
SELECT hcguard_required('hctyped', 'Contact', 'amount__c float8');
SELECT hcguard_required('hctyped', 'Contact', 'Email varchar(80)');
SELECT hcguard_required('hctyped', 'Contact', 'Email character varying(80)');
SELECT hcguard_required('hctyped', 'Contact', 'Email	CHARACTER  VARYING (80)');
SELECT hcguard_required('hctyped', 'Contact', 'Seen_At__c timestamp');
SELECT hcguard_required('hctyped', 'Contact', 'Seen_At__c timestamp without time zone');
SELECT hcguard_required('hctyped', 'Contact', 'seen_tz__c timestamp(3) with time zone');
SELECT hcguard_required('hctyped', 'Contact', 'seen_tz__c timestamptz(3)');
SELECT hcguard_required('hctyped', 'Contact', 'price__c numeric(18,2)');
SELECT hcguard_required('hctyped', 'Contact', 'price__c decimal(18, 2)');
SELECT hcguard_required('hctyped', 'Contact', 'tags__c text[]');
SELECT hcguard_required('hctyped', 'Contact', 'codes__c varchar(10)[]');
SELECT hcguard_required('hctyped', 'Contact', 'owner__c hctyped.sf_id');
SELECT hcguard_required('hctyped', 'Contact', 'Employees__c integer');
SELECT hcguard_required('hctyped', 'Contact', 'Id varchar(18)');
-- Without a type, any type passes, as before; white space after the name
-- alone declares nothing.
SELECT hcguard_required('hctyped', 'Contact', 'Email');
SELECT hcguard_required('hctyped', 'Contact', 'Email ');

-- A type that differs: 42804, naming both types.  The modifier counts.
SELECT hcguard_required('hctyped', 'Contact', 'Email varchar(255)');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('hctyped', 'Contact', 'Email text');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('hctyped', 'Contact', 'Seen_At__c timestamp with time zone');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('hctyped', 'Contact', 'price__c numeric');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('hctyped', 'Contact', 'tags__c varchar[]');
\echo :LAST_ERROR_SQLSTATE
-- A domain is not its base type.
SELECT hcguard_required('hctyped', 'Contact', 'owner__c varchar(18)');
\echo :LAST_ERROR_SQLSTATE

-- A type that does not exist: 42704; text that is no type name: 22023.
-- Both are bad input, refused before anything is looked at, even where the
-- schema does not exist.
SELECT hcguard_required('hctyped', 'Contact', 'Opt_In__c boolen');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('nowhere', 'Contact', 'Opt_In__c no_such_schema.boolean');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('hctyped', 'Contact', 'Opt_In__c integer(5)');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('hctyped', 'Contact', 'Email varchar(0)');
\echo :LAST_ERROR_SQLSTATE
-- three parts name another database's type, which no query can use (the
-- fuzz barrage found PostgreSQL's 0A000 coming through)
SELECT hcguard_required('hctyped', 'Contact', 'Email otherdb.public.text');
\echo :LAST_ERROR_SQLSTATE
-- a modifier that does not parse makes no type name, even of a type that
-- does not exist (the editions' differential test found them apart)
SELECT hcguard_required('hctyped', 'Contact', 'Email no_such_type(${x})');
\echo :LAST_ERROR_SQLSTATE
-- A type with nothing before it names no column.
SELECT hcguard_required('hctyped', 'Contact', ' boolean');
\echo :LAST_ERROR_SQLSTATE
-- A bookkeeping column stays refused, typed or not.
SELECT hcguard_required('hctyped', 'Contact', '_hc_err text');
\echo :LAST_ERROR_SQLSTATE

-- The ranking holds for several columns: 42703 if any is missing, else
-- 42804 if any type differs, else 55000; the detail names every unmet
-- column and why.
SELECT hcguard_required('hctyped', 'Contact', 'Email text', 'Fax__c varchar(40)',
    'Twitter__c varchar(15)', 'Phone varchar(40)');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('hctyped', 'Contact', 'Email text', 'Twitter__c varchar(15)',
    'Phone varchar(40)', 'Amount__c integer');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('hctyped', 'Contact', 'Email varchar(80)', 'Twitter__c varchar(15)',
    'Notes__c text');
\echo :LAST_ERROR_SQLSTATE
SELECT hcguard_required('hctyped', 'Contact', 'Email varchar(80)', 'Notes__c text');

-- hcguard_status and hcguard_wait take typed columns too; the status is a
-- row, its problem the message.
SELECT column_name, mapped, synced, evidence, problem
  FROM hcguard_status('hctyped', 'Contact', 'Email varchar(255)');
SELECT column_name, mapped, synced, evidence, problem
  FROM hcguard_status('hctyped', 'Contact', 'Email varchar(80)');
SELECT hcguard_wait('hctyped', 'Contact', 'Email varchar(80)', '0');
SELECT hcguard_wait('hctyped', 'Contact', 'Email varchar(255)', '0');
\echo :LAST_ERROR_SQLSTATE
-- Under on_failure = warning a mismatch warns and returns false.
SET hcguard.on_failure = warning;
SELECT hcguard_required('hctyped', 'Contact', 'Email text');
RESET hcguard.on_failure;

SET client_min_messages = warning;
SELECT hcdouble.drop_connect_schema('hctyped');
RESET client_min_messages;
