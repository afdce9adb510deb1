-- bench/setup.sql
--
-- Builders for bench/run's synthetic Heroku Connect databases, on top of
-- the Connect double (test/connect_double.sql, loaded first).  The Connect
-- schemas are made first, one after the other, with
-- hcdouble.create_connect_schema (it replaces public.get_xmlbinary(), which
-- two sessions cannot do at once); then each builder
-- is a procedure that commits as it goes, so that creating a thousand wide
-- mappings never holds thousands of locks in one transaction; bench/run
-- calls several of them at once from separate sessions.
--
--   hcbench.build_scale(schema, n)      n mappings in a Connect schema:
--                                       contact (52 columns, 10,000 rows,
--                                       fax all NULL) and n-1 custom objects
--                                       of 50 to 300 columns, 3 rows each
--   hcbench.build_big(schema, rows)     a contact mapping with
--                                       `rows` rows (fax all NULL), built
--                                       in one transaction (no WAL with
--                                       wal_level=minimal)
--   hcbench.build_config(schema, n, f)  n mappings of f fields each, 3 rows
--   hcbench.export(schema)              the `heroku connect:export`
--                                       document of a schema (jsonb)
--   hcbench.per_call_us(expr, n)        server-side µs per evaluation
--   hcbench.timed_calls(expr, n)        the same in ms for slow calls,
--                                       with the answer they gave
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS hcbench CASCADE;
CREATE SCHEMA hcbench;

-- Contact as Connect maps it: 45 Salesforce fields (with the 7 columns every
-- mapping has: 52 columns).  Fax, in the middle of the row, is the field
-- Salesforce holds no value for.
CREATE FUNCTION hcbench.contact_fields()
RETURNS jsonb
LANGUAGE sql IMMUTABLE
AS $$
    SELECT jsonb_agg(jsonb_build_array(field, sftype) ORDER BY ord)
      FROM (VALUES
        (1, 'Salutation', 'picklist'), (2, 'FirstName', 'string(40)'),
        (3, 'LastName', 'string(80)'), (4, 'Name', 'string(121)'),
        (5, 'Title', 'string(128)'), (6, 'Department', 'string(80)'),
        (7, 'Email', 'email'), (8, 'Phone', 'phone'),
        (9, 'MobilePhone', 'phone'), (10, 'HomePhone', 'phone'),
        (11, 'OtherPhone', 'phone'), (12, 'AssistantName', 'string(40)'),
        (13, 'AssistantPhone', 'phone'), (14, 'Birthdate', 'date'),
        (15, 'LeadSource', 'picklist'), (16, 'Description', 'textarea'),
        (17, 'MailingStreet', 'textarea'), (18, 'MailingCity', 'string(40)'),
        (19, 'MailingState', 'string(80)'), (20, 'MailingPostalCode', 'string(20)'),
        (21, 'MailingCountry', 'string(80)'), (22, 'MailingLatitude', 'double'),
        (23, 'Fax', 'phone'), (24, 'MailingLongitude', 'double'),
        (25, 'OtherStreet', 'textarea'), (26, 'OtherCity', 'string(40)'),
        (27, 'OtherState', 'string(80)'), (28, 'OtherPostalCode', 'string(20)'),
        (29, 'OtherCountry', 'string(80)'), (30, 'AccountId', 'reference'),
        (31, 'OwnerId', 'reference'), (32, 'ReportsToId', 'reference'),
        (33, 'CreatedById', 'reference'), (34, 'LastModifiedById', 'reference'),
        (35, 'LastModifiedDate', 'datetime'), (36, 'LastActivityDate', 'date'),
        (37, 'HasOptedOutOfEmail', 'boolean'), (38, 'DoNotCall', 'boolean'),
        (39, 'EmailBouncedDate', 'datetime'), (40, 'EmailBouncedReason', 'string(255)'),
        (41, 'Languages__c', 'string(100)'), (42, 'Level__c', 'picklist'),
        (43, 'Customer_Since__c', 'date'), (44, 'Lifetime_Value__c', 'currency'),
        (45, 'Loyalty_Points__c', 'int')
      ) AS t(ord, field, sftype)
$$;

-- n custom fields Field_001__c ... of the usual Salesforce types, in turn.
CREATE FUNCTION hcbench.custom_fields(n integer)
RETURNS jsonb
LANGUAGE sql IMMUTABLE
AS $$
    SELECT jsonb_agg(jsonb_build_array(
               format('Field_%s__c', lpad(k::text, 3, '0')),
               (ARRAY['string(80)', 'picklist', 'double', 'reference', 'datetime',
                      'boolean', 'email', 'phone', 'int', 'date', 'currency',
                      'textarea', 'url', 'percent', 'string(255)'])[1 + (k - 1) % 15])
           ORDER BY k)
      FROM generate_series(1, n) AS k
$$;

-- Custom object i's field count: 43 to 293 fields, i.e. 50 to 300 columns
-- with the 7 every mapping has; deterministic, spread over the range.
CREATE FUNCTION hcbench.field_count(i integer)
RETURNS integer
LANGUAGE sql IMMUTABLE
AS $$ SELECT 43 + (i * 7919) % 251 $$;

CREATE PROCEDURE hcbench.build_scale(s text, n integer)
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM hcdouble.create_mapping(s, 'Contact', hcbench.contact_fields());
    PERFORM hcdouble.connect_load(s, 'Contact', 10000, '{fax}');
    COMMIT;
    FOR i IN 2 .. n LOOP
        PERFORM hcdouble.create_mapping(s, format('Obj_%s__c', lpad(i::text, 4, '0')),
                                        hcbench.custom_fields(hcbench.field_count(i)));
        PERFORM hcdouble.connect_load(s, format('Obj_%s__c', lpad(i::text, 4, '0')), 3);
        IF i % 50 = 0 THEN
            COMMIT;
        END IF;
    END LOOP;
END;
$$;

CREATE PROCEDURE hcbench.build_big(s text, nrows integer)
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM hcdouble.create_mapping(s, 'Contact', hcbench.contact_fields());
    PERFORM hcdouble.connect_load(s, 'Contact', nrows, '{fax}');
END;
$$;

CREATE PROCEDURE hcbench.build_config(s text, n integer, nfields integer)
LANGUAGE plpgsql
AS $$
BEGIN
    FOR i IN 1 .. n LOOP
        PERFORM hcdouble.create_mapping(s, format('Cfg_%s__c', lpad(i::text, 4, '0')),
                                        hcbench.custom_fields(nfields));
        PERFORM hcdouble.connect_load(s, format('Cfg_%s__c', lpad(i::text, 4, '0')), 3);
        IF i % 50 = 0 THEN
            COMMIT;
        END IF;
    END LOOP;
END;
$$;

-- What `heroku connect:export` writes for the mappings of a schema: every
-- mapped column (Id for sfid, the Salesforce API name for the others).
CREATE FUNCTION hcbench.export(s text)
RETURNS jsonb
LANGUAGE sql STABLE
AS $$
    SELECT jsonb_build_object(
        'mappings', jsonb_agg(jsonb_build_object(
            'object_name', initcap(c.relname),
            'config', jsonb_build_object(
                'access', 'read_write',
                'sf_notify_enabled', false,
                'sf_polling_seconds', 600,
                'sf_max_daily_api_calls', 30000,
                'fields', (SELECT jsonb_object_agg(
                                      CASE a.attname WHEN 'sfid' THEN 'Id'
                                           ELSE initcap(a.attname) END, '{}'::jsonb)
                             FROM pg_attribute a
                            WHERE a.attrelid = c.oid AND a.attnum > 0
                              AND NOT a.attisdropped
                              AND a.attname NOT IN ('id', '_hc_lastop', '_hc_err')),
                'indexes', jsonb_build_object(
                    'Id', jsonb_build_object('unique', true),
                    'SystemModstamp', jsonb_build_object('unique', false))))
            ORDER BY c.relname),
        'connection', jsonb_build_object(
            'app_name', 'hcguard-bench', 'organization_id', '00D000000000001EAA',
            'api_version', '57.0'),
        'version', 1)
      FROM pg_class c
     WHERE c.relnamespace = s::regnamespace AND c.relkind = 'r'
       AND c.relname NOT LIKE '\_%'
$$;

-- Mean wall-clock microseconds per evaluation of an SQL expression,
-- evaluated n times in one statement (a volatile call in a WHERE clause is
-- evaluated for every row): the server-side cost of a call, with no
-- client, protocol, parse or transaction in it.  bench/run subtracts the
-- cost of the empty loop (expression 1).
CREATE FUNCTION hcbench.per_call_us(expr text, n integer)
RETURNS double precision
LANGUAGE plpgsql
AS $$
DECLARE
    t0 timestamptz;
    t1 timestamptz;
    c  bigint;
BEGIN
    t0 := clock_timestamp();
    EXECUTE format('SELECT count(*) FROM generate_series(1, %s) g WHERE (%s) IS NOT NULL', n, expr)
       INTO c;
    t1 := clock_timestamp();
    IF c <> n THEN
        RAISE EXCEPTION 'per_call_us: % gave NULL', expr;
    END IF;
    RETURN extract(epoch FROM t1 - t0) * 1e6 / n;
END;
$$;

-- Wall-clock milliseconds per evaluation of an SQL expression, evaluated n
-- times one statement after the other, and what it gave (as text; the
-- distinct answers joined by ' | ' if they differ): for calls that take
-- long enough, tens of milliseconds to seconds, to be timed one statement
-- at a time, whose answer bench/run checks.
CREATE FUNCTION hcbench.timed_calls(expr text, n integer,
                                    OUT answer text, OUT ms_per_call double precision)
LANGUAGE plpgsql
AS $$
DECLARE
    t0 timestamptz;
    t1 timestamptz;
    a text;
    answers text[] := '{}';
BEGIN
    t0 := clock_timestamp();
    FOR i IN 1 .. n LOOP
        EXECUTE format('SELECT (%s)::text', expr) INTO a;
        answers := answers || coalesce(a, 'NULL');
    END LOOP;
    t1 := clock_timestamp();
    SELECT string_agg(DISTINCT x, ' | ') INTO answer FROM unnest(answers) AS x;
    ms_per_call := extract(epoch FROM t1 - t0) * 1e3 / n;
END;
$$;
