--
-- Connect schemas shaped like public dumps of real Heroku Connect databases.
-- Only structure (names, types, constraints, triggers) and counts come from
-- the dumps; every row is generated here, no third party's values copied.
--
-- org_shape follows fragforce/fragforce.org dev/ffsfdc.sql (pg_dump 15.2,
--   schema-only, schema "org", 6 mappings; contact, "user", el_history__c
--   rebuilt with every column in dump order).  As there: fields added later
--   sit after _hc_lastop, _hc_err (contact); "user" has no isdeleted; the
--   older status trigger (application writes always PENDING, `!=` test)
--   calls get_xmlbinary() unqualified; READONLY loggers are defined but no
--   log trigger exists; _sf_event_log present.  No rows in the dump: rows
--   follow the 8:5 ratio below, el_history__c stays empty.
-- sf2_shape.account follows a pgAdmin export of schema "salesforce", table
--   account (public code index, stored file 22606260208; repository not
--   resolvable), sfid COLLATE ucs_basic.  Counted there, 13 rows: 8 with
--   _hc_lastop NULL and sfid set (one shared systemmodstamp: the load),
--   5 SYNCED (later systemmodstamps), 0 PENDING/FAILED/other, 0 sfid NULL.
--   Non-null, load/SYNCED rows: phone 7/5, type 7/4, website 7/5,
--   description 4/2, active__c 6/4, name/createddate/isdeleted 8/5.
--   sf2_shape.contact: first 16 columns of contact in a schema-only dump of
--   "salesforce" (stored file 12120994954, every sfid COLLATE ucs_basic);
--   rows in the 8:5 ratio, assistantname and birthdate left empty.  Neither
--   file shows system tables or triggers: added as heroku-connect.md says.
-- inf_shape follows a schema-only dump of a schema named "schema" (stored
--   file 48729053344): READONLY loggers with log triggers WHEN
--   public.get_xmlbinary() = 'base64', the older status trigger, sfid
--   NOT NULL with PRIMARY KEY (id, sfid) (recordtype: UNIQUE (sfid)), and
--   the application's foreign keys between mappings on sfid.  No rows: the
--   8:5 ratio again.
-- No dump had a name longer than 63 bytes, nor PENDING or FAILED rows.
--
SET client_min_messages = warning;

-- Connect's system tables, identical in every dump.
DO $do$
DECLARE s text;
BEGIN
  IF to_regprocedure('public.get_xmlbinary()') IS NULL THEN
    CREATE FUNCTION public.get_xmlbinary() RETURNS varchar LANGUAGE plpgsql
      AS 'BEGIN RETURN current_setting(''xmlbinary''); END';
  END IF;
  FOREACH s IN ARRAY ARRAY['org_shape', 'sf2_shape', 'inf_shape'] LOOP
    EXECUTE format('CREATE SCHEMA %I', s);
    EXECUTE format('CREATE TABLE %I._hcmeta (id serial PRIMARY KEY, hcver integer,
      org_id varchar(50), details text)', s);
    EXECUTE format('CREATE TABLE %I._sf_event_log (id serial PRIMARY KEY,
      table_name varchar(128), action varchar(7), synced_at timestamptz DEFAULT now(),
      sf_timestamp timestamptz, sfid varchar(20), record text, processed boolean)', s);
    EXECUTE format('CREATE TABLE %I._trigger_log (id serial PRIMARY KEY, txid bigint,
      created_at timestamptz DEFAULT now(), updated_at timestamptz DEFAULT now(),
      processed_at timestamptz, processed_tx bigint, state varchar(8), action varchar(7),
      table_name varchar(128), record_id integer, sfid varchar(18), old text,
      "values" text, sf_result integer, sf_message text)', s);
    -- The archive keeps the ids it was given: no sequence, no defaults.
    EXECUTE format('CREATE TABLE %1$I._trigger_log_archive (LIKE %1$I._trigger_log, PRIMARY KEY (id))', s);
    EXECUTE format('CREATE INDEX _trigger_log_idx_state_table_name ON %I._trigger_log
      (state, table_name) WHERE state IN (''NEW'', ''PENDING'')', s);
    EXECUTE format('CREATE INDEX _trigger_log_archive_idx_state_table_name
      ON %I._trigger_log_archive (state, table_name) WHERE state = ''FAILED''', s);
    EXECUTE format('CREATE FUNCTION %1$I.tlog_notify_trigger() RETURNS trigger
      LANGUAGE plpgsql AS $b$ BEGIN PERFORM pg_notify(%2$L, ''ping''); RETURN NEW; END $b$',
      s, s || '.hc_trigger_log');
    EXECUTE format('CREATE TRIGGER tlog_insert_trigger AFTER INSERT ON %1$I._trigger_log
      FOR EACH ROW EXECUTE FUNCTION %1$I.tlog_notify_trigger()', s);
    EXECUTE format('INSERT INTO %I._hcmeta (hcver, org_id) VALUES (3, %L)', s, 'org-' || s);
  END LOOP;
END $do$;

-- org_shape: mappings as in the fragforce dump.
CREATE TABLE org_shape.contact (
    lastname varchar(80), accountid varchar(18), name varchar(121),
    masterrecordid varchar(18), ownerid varchar(18), isdeleted boolean,
    systemmodstamp timestamp, department varchar(80), extra_life_id__c varchar(20),
    createddate timestamp, fragforce_org_user__c varchar(18), title varchar(128),
    extra_life_user_name__c varchar(50), firstname varchar(40), sfid varchar(18),
    id serial PRIMARY KEY, _hc_lastop varchar(32), _hc_err text,
    currencyisocode varchar(3), contact_type__c varchar(255),
    last_el_update__c timestamp, mayedit boolean, createdbyid varchar(18));
CREATE TABLE org_shape."user" (
    lastname varchar(80), usertype varchar(40), aboutme varchar(1000), accountid varchar(18),
    contactid__c varchar(18), name varchar(121), isactive boolean, systemmodstamp timestamp,
    alias varchar(8), createddate timestamp, title varchar(80), firstname varchar(40),
    contactid varchar(18), userroleid varchar(18), sfid varchar(18), id serial PRIMARY KEY,
    _hc_lastop varchar(32), _hc_err text, companyname varchar(80));
CREATE TABLE org_shape.el_history__c (
    currencyisocode varchar(3), contact__c varchar(18), year__c varchar(255), name varchar(80),
    raised__c double precision, lastmodifieddate timestamp, ownerid varchar(18),
    mayedit boolean, isdeleted boolean, goal__c double precision, systemmodstamp timestamp,
    el_id__c varchar(7), lastmodifiedbyid varchar(18), islocked boolean,
    createddate timestamp, createdbyid varchar(18), site__c varchar(18), sfid varchar(18),
    id serial PRIMARY KEY, _hc_lastop varchar(32), _hc_err text);
CREATE UNIQUE INDEX hcu_idx_contact_extra_life_id__c ON org_shape.contact (extra_life_id__c);

-- sf2_shape: account as in the 13-row export, contact as in the ucs_basic dump.
CREATE TABLE sf2_shape.account (
    name varchar(255), phone varchar(40), isdeleted boolean,
    systemmodstamp timestamp, createddate timestamp, type varchar(255),
    website varchar(255), description text, active__c varchar(255),
    sfid varchar(18) COLLATE ucs_basic, id serial PRIMARY KEY,
    _hc_lastop varchar(32), _hc_err text);
CREATE TABLE sf2_shape.contact (
    primary_contact__c boolean, lastname varchar(80), otherstate varchar(80),
    mailingpostalcode varchar(20), emailbouncedreason varchar(255),
    mailinglongitude double precision, mailingstate varchar(80), recordtypeid varchar(18),
    othercountry varchar(80), othergeocodeaccuracy varchar(255), accountid varchar(18),
    otherpostalcode varchar(20), training_items__c varchar(4099), assistantname varchar(40),
    isemailbounced boolean, birthdate date, isdeleted boolean, systemmodstamp timestamp,
    createddate timestamp, sfid varchar(18) COLLATE ucs_basic, id serial PRIMARY KEY,
    _hc_lastop varchar(32), _hc_err text);

-- inf_shape: sfid NOT NULL, (id, sfid) keys and the application's foreign keys.
CREATE TABLE inf_shape.contact (
    lastname varchar(80), accountid varchar(18), name varchar(121), birthdate date,
    infrm__referral_date__c date, isdeleted boolean, systemmodstamp timestamp,
    client_id__c varchar(30), createddate timestamp, firstname varchar(40),
    sfid varchar(18) NOT NULL, id serial, _hc_lastop varchar(32), _hc_err text,
    reportstoid varchar(18), email varchar(80), PRIMARY KEY (id, sfid));
CREATE TABLE inf_shape.recordtype (
    createddate timestamp, name varchar(80), systemmodstamp timestamp,
    sfid varchar(18) UNIQUE, id serial PRIMARY KEY, _hc_lastop varchar(32), _hc_err text);
CREATE TABLE inf_shape.infrm__action__c (
    createddate timestamp, isdeleted boolean, name varchar(80), systemmodstamp timestamp,
    sfid varchar(18) NOT NULL, id serial, _hc_lastop varchar(32), _hc_err text,
    recordtypeid varchar(18), counsellor__c varchar(255), start_date_new__c date,
    complexity_factors__c varchar(4099), contextual_problems__c varchar(4099),
    goal_progress__c varchar(255), core_score__c double precision,
    core_score_stage__c varchar(255), infrm__client__c varchar(18), PRIMARY KEY (id, sfid));

-- The initial load: plain INSERTs, no trigger yet: _hc_lastop NULL, sfid set,
-- one load systemmodstamp per mapping.  The first 8/13 of each mapping's rows
-- are never edited since; the rest are re-written by a later poll below.
INSERT INTO sf2_shape.account (name, phone, isdeleted, systemmodstamp, createddate,
                               type, website, description, active__c, sfid)
SELECT 'Account ' || i,
       CASE WHEN i <> 3 THEN '(555) 010-' || lpad(i::text, 4, '0') END,
       false, '2022-08-07 22:14:20', '2022-08-06 20:26:48',
       CASE WHEN i NOT IN (3, 11) THEN 'Customer - Direct' END,
       CASE WHEN i <> 3 THEN 'www.example-' || i || '.test' END,
       CASE WHEN i IN (4, 5, 6, 8, 9, 10) THEN 'Generated description ' || i END,
       CASE WHEN i NOT IN (2, 3, 11) THEN 'Yes' END,
       '001SHAPE' || lpad(i::text, 10, '0')
  FROM generate_series(1, 13) AS i;
INSERT INTO sf2_shape.contact (primary_contact__c, lastname, mailingstate, accountid,
    training_items__c, isemailbounced, isdeleted, systemmodstamp, createddate, sfid)
SELECT i % 4 = 0, 'Last' || i, CASE WHEN i % 3 <> 0 THEN 'CA' END,
       '001SHAPE' || lpad((i % 13 + 1)::text, 10, '0'),
       CASE WHEN i % 5 = 0 THEN 'Forklift;Safety' END, false, false,
       '2022-08-07 22:14:20', '2022-08-06 20:26:48', '003SHAPE' || lpad(i::text, 10, '0')
  FROM generate_series(1, 26) AS i;
INSERT INTO org_shape.contact (lastname, firstname, name, accountid, ownerid, isdeleted,
    systemmodstamp, createddate, extra_life_id__c, title, sfid, currencyisocode,
    contact_type__c, createdbyid)
SELECT 'Last' || i, 'First' || i, 'First' || i || ' Last' || i,
       '001ORG' || lpad(i::text, 12, '0'), '005ORG000000000001', false,
       '2023-04-01 10:00:00', '2023-01-01 09:00:00',
       CASE WHEN i % 2 = 0 THEN (400000 + i)::text END,
       CASE WHEN i % 4 = 0 AND i <= 16 THEN 'Streamer' END,
       '003ORG' || lpad(i::text, 12, '0'), 'USD',
       CASE WHEN i % 3 = 0 THEN 'Participant' END, '005ORG000000000001'
  FROM generate_series(1, 26) AS i;
INSERT INTO org_shape."user" (lastname, firstname, name, usertype, isactive, alias,
                              systemmodstamp, createddate, sfid)
SELECT 'Last' || i, 'First' || i, 'First' || i || ' Last' || i, 'Standard', i <> 13,
       'u' || i, '2023-04-01 10:00:00', '2023-01-01 09:00:00',
       '005ORG' || lpad(i::text, 12, '0')
  FROM generate_series(1, 13) AS i;
INSERT INTO inf_shape.recordtype (createddate, name, systemmodstamp, sfid)
SELECT '2021-01-01', 'Type ' || i, '2021-06-01', '012INF' || lpad(i::text, 12, '0')
  FROM generate_series(1, 13) AS i;
INSERT INTO inf_shape.contact (lastname, firstname, name, isdeleted, systemmodstamp,
                               createddate, client_id__c, email, sfid)
SELECT 'Last' || i, 'First' || i, 'First' || i || ' Last' || i, false, '2021-06-01',
       '2021-01-01', 'C-' || i, CASE WHEN i % 3 <> 0 THEN 'c' || i || '@example.test' END,
       '003INF' || lpad(i::text, 12, '0')
  FROM generate_series(1, 26) AS i;
INSERT INTO inf_shape.infrm__action__c (createddate, isdeleted, name, systemmodstamp, sfid,
    recordtypeid, start_date_new__c, goal_progress__c, core_score__c, infrm__client__c)
SELECT '2021-01-01', false, 'A-' || i, '2021-06-01', 'a01INF' || lpad(i::text, 12, '0'),
       '012INF' || lpad((i % 13 + 1)::text, 12, '0'), date '2021-02-01' + i,
       CASE WHEN i % 2 = 0 THEN 'Improving' END, CASE WHEN i % 4 <> 0 THEN i * 1.5 END,
       '003INF' || lpad((i % 26 + 1)::text, 12, '0')
  FROM generate_series(1, 26) AS i;

-- Connect's indexes and triggers: the older status trigger of the org_shape and
-- inf_shape dumps, heroku-connect.md's for sf2_shape; log triggers only in inf_shape.
DO $do$
DECLARE r record;
BEGIN
  FOR r IN SELECT n.nspname AS s, c.relname AS t FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname IN ('org_shape', 'sf2_shape', 'inf_shape')
              AND c.relkind = 'r' AND c.relname NOT LIKE '\_%' ORDER BY 1, 2 LOOP
    EXECUTE format('CREATE UNIQUE INDEX %I ON %I.%I (sfid)', 'hcu_idx_' || r.t || '_sfid', r.s, r.t);
    EXECUTE format('CREATE INDEX %I ON %I.%I (systemmodstamp)',
                   'hc_idx_' || r.t || '_systemmodstamp', r.s, r.t);
    EXECUTE format($f$CREATE FUNCTION %I.%I() RETURNS trigger LANGUAGE plpgsql AS $b$
      BEGIN
        IF (get_xmlbinary() = 'base64') THEN  -- user op
          %s
          NEW._hc_lastop = 'PENDING'; NEW._hc_err = NULL; RETURN NEW;
        ELSE  -- connect op
          IF (TG_OP = 'UPDATE' AND NEW._hc_lastop IS NOT NULL
              AND NEW._hc_lastop %s OLD._hc_lastop) THEN RETURN NEW; END IF;
          NEW._hc_lastop = 'SYNCED'; NEW._hc_err = NULL; RETURN NEW;
        END IF;
      END $b$$f$, r.s, 'hc_' || r.t || '_status',
      CASE WHEN r.s = 'sf2_shape' THEN 'IF (TG_OP = ''UPDATE'' AND NEW._hc_lastop IS NOT NULL
            AND NEW._hc_lastop IS DISTINCT FROM OLD._hc_lastop) THEN RETURN NEW; END IF;' END,
      CASE WHEN r.s = 'sf2_shape' THEN 'IS DISTINCT FROM' ELSE '!=' END);
    EXECUTE format('CREATE TRIGGER %I BEFORE INSERT OR UPDATE ON %I.%I FOR EACH ROW
      EXECUTE FUNCTION %I.%I()', 'hc_' || r.t || '_status_trigger', r.s, r.t, r.s,
      'hc_' || r.t || '_status');
    CONTINUE WHEN r.s = 'sf2_shape';
    -- The READONLY logger (VERSION 4); org_shape defines it but never uses it.
    EXECUTE format($f$CREATE FUNCTION %1$I.%2$I() RETURNS trigger LANGUAGE plpgsql AS $b$
      DECLARE
        r %1$I._trigger_log; excluded_cols text[] = ARRAY['_hc_lastop', '_hc_err']::text[];
      BEGIN
        r = ROW(); r.id = nextval(%3$L); r.action = TG_OP::text; r.state = 'READONLY';
        r.table_name = TG_TABLE_NAME::text; r.txid = txid_current(); r.created_at = clock_timestamp();
        IF (TG_OP <> 'INSERT') THEN r.old = hstore(OLD.*) - excluded_cols; r.sfid = OLD.sfid; END IF;
        IF (TG_OP = 'DELETE') THEN r.record_id = OLD.id; ELSE r.record_id = NEW.id; END IF;
        IF (TG_OP = 'INSERT') THEN r.values = hstore(NEW.*) - excluded_cols;
        ELSEIF (TG_OP = 'UPDATE') THEN r.values = (hstore(NEW.*) - hstore(r.old)) - excluded_cols;
        END IF;
        INSERT INTO %1$I._trigger_log VALUES (r.*);
        RETURN NULL;
      END $b$$f$, r.s, 'hc_' || r.t || '_logger', r.s || '._trigger_log_id_seq');
    CONTINUE WHEN r.s = 'org_shape';
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I.%I FOR EACH ROW
      WHEN (public.get_xmlbinary()::text = ''base64''::text) EXECUTE FUNCTION %I.%I()',
      'hc_' || r.t || '_logtrigger', r.s, r.t, r.s, 'hc_' || r.t || '_logger');
  END LOOP;
END $do$;
ALTER TABLE inf_shape.infrm__action__c
  ADD FOREIGN KEY (infrm__client__c) REFERENCES inf_shape.contact (sfid),
  ADD FOREIGN KEY (recordtypeid) REFERENCES inf_shape.recordtype (sfid);

-- Later polls, as Connect (xmlbinary = hex): records edited in Salesforce since
-- the load are written again and the status trigger marks them SYNCED.
SET xmlbinary = hex;
UPDATE sf2_shape.account SET systemmodstamp = timestamp '2022-08-11' + id * interval '1 minute'
 WHERE sfid > '001SHAPE0000000008';
UPDATE sf2_shape.contact SET systemmodstamp = '2022-08-11 00:00:00' WHERE sfid > '003SHAPE0000000016';
UPDATE org_shape.contact SET systemmodstamp = '2023-05-01 00:00:00', mayedit = true
 WHERE sfid > '003ORG000000000016';
UPDATE org_shape."user" SET systemmodstamp = '2023-05-01 00:00:00' WHERE sfid > '005ORG000000000008';
UPDATE inf_shape.recordtype SET systemmodstamp = '2021-07-01' WHERE sfid > '012INF000000000008';
UPDATE inf_shape.contact SET systemmodstamp = '2021-07-01' WHERE sfid > '003INF000000000016';
UPDATE inf_shape.infrm__action__c SET systemmodstamp = '2021-07-01' WHERE sfid > 'a01INF000000000016';
RESET xmlbinary;
ANALYZE org_shape.contact, org_shape."user", org_shape.el_history__c, sf2_shape.account,
        sf2_shape.contact, inf_shape.contact, inf_shape.recordtype, inf_shape.infrm__action__c;
RESET client_min_messages;

-- The distribution the shapes reproduce.
SELECT m AS mapping, _hc_lastop, sfid IS NOT NULL AS has_sfid, count(*)
  FROM (SELECT 'sf2_shape.account' AS m, _hc_lastop, sfid FROM sf2_shape.account
        UNION ALL SELECT 'org_shape.contact', _hc_lastop, sfid FROM org_shape.contact
        UNION ALL SELECT 'inf_shape.infrm__action__c', _hc_lastop, sfid
                    FROM inf_shape.infrm__action__c) AS d
 GROUP BY 1, 2, 3 ORDER BY 1, 2 NULLS FIRST, 3;
SELECT count(*) AS trigger_log_rows FROM inf_shape._trigger_log;

-- Overview of each shape (clock times shown only as present or not).  Every
-- table was analyzed.  PostgreSQL 13 cannot tell the empty one from a table
-- never analyzed, so its estimate is NULL there (README, hcguard_mappings);
-- it is shown as the 0 later versions give.
SELECT m.schema_name, m.table_name, field_count,
       CASE WHEN rows_estimate IS NULL
                 AND current_setting('server_version_num')::integer < 140000
            THEN 0 ELSE rows_estimate END AS rows_estimate, synced, evidence,
       pending_writes, failed_writes, last_failure_at IS NOT NULL AS has_last_failure_at,
       last_failure, status_trigger, log_trigger
  FROM unnest(ARRAY['org_shape', 'sf2_shape', 'inf_shape']) AS s,
       LATERAL hcguard_mappings(s) AS m
 ORDER BY 1, 2;

-- Every field column of every mapping.
SELECT t.s AS schema_name, t.t AS table_name, c.*
  FROM (VALUES ('org_shape', 'contact'), ('org_shape', 'user'), ('org_shape', 'el_history__c'),
               ('sf2_shape', 'account'), ('sf2_shape', 'contact'), ('inf_shape', 'contact'),
               ('inf_shape', 'recordtype'), ('inf_shape', 'infrm__action__c')) AS t (s, t),
       LATERAL hcguard_columns(t.s, t.t) AS c
 ORDER BY 1, 2, 3;

-- Synced fields, typed as Salesforce API names.  Most rows were written by
-- the initial load and still have _hc_lastop NULL.
SELECT hcguard_required('org_shape', 'Contact', 'Contact_Type__c');
SELECT hcguard_required('org_shape', 'User', 'IsActive');
SELECT hcguard_required('sf2_shape', 'Account', 'Active__c');
SELECT hcguard_required('sf2_shape', 'Account', 'Description');
SELECT hcguard_required('sf2_shape', 'Contact', 'Training_Items__c');
SELECT hcguard_required('inf_shape', 'infrm__Action__c', 'infrm__Client__c');
SELECT hcguard_required('inf_shape', 'RecordType');
-- A field added to the mapping after the load, filled only on rows Connect
-- wrote since (SYNCED): mayedit on org_shape.contact.
SELECT hcguard_required('org_shape', 'Contact', 'MayEdit');
-- A field holding values only on rows loaded and never edited since
-- (_hc_lastop NULL, sfid set): Connect wrote them, so the field is synced.
SELECT hcguard_required('org_shape', 'Contact', 'Title');

-- Fields empty in every row, and a mapping with no rows: not synced.
SELECT * FROM hcguard_status('org_shape', 'Contact', 'Department');
SELECT * FROM hcguard_status('sf2_shape', 'Contact', 'AssistantName');
SELECT * FROM hcguard_status('inf_shape', 'infrm__Action__c', 'Counsellor__c');
SELECT * FROM hcguard_status('org_shape', 'EL_History__c');
SELECT * FROM hcguard_status('org_shape', 'EL_History__c', 'Raised__c');
SELECT hcguard_required('sf2_shape', 'Contact', 'Birthdate');
SELECT hcguard_required('org_shape', 'el_history__c');

-- Id means sfid.
SELECT st.* FROM unnest(ARRAY['org_shape', 'sf2_shape', 'inf_shape']) AS s,
                 LATERAL hcguard_status(s, 'Contact', 'Id') AS st ORDER BY 1;

SET client_min_messages = warning;
DROP SCHEMA org_shape CASCADE;
DROP SCHEMA sf2_shape CASCADE;
DROP SCHEMA inf_shape CASCADE;
RESET client_min_messages;
