-- test/fuzz.sh: one session's barrage.  Its parameters are settings, which
-- the DO block reads (psql variables do not reach into it): fuzz.session,
-- fuzz.seed, fuzz.calls, fuzz.edition, fuzz.shapes, set with PGOPTIONS.
SET client_min_messages = error;
SET log_min_messages = fatal;
SET hcguard.poll_interval = 10;
SET statement_timeout = '600s';
-- load hcguard's library first: before that, hcguard.on_failure is only a
-- placeholder, which anyone may set (the library refuses the value when it
-- loads; sql/on_failure.sql tests that)
SELECT (public.hcguard_status('salesforce', 'contact')).synced IS NOT NULL AS hcguard_loaded;
DO $barrage$
DECLARE
    session   text := current_setting('fuzz.session');
    seed      double precision := current_setting('fuzz.seed')::double precision;
    ncalls    integer := current_setting('fuzz.calls')::integer;
    -- real names and case variants, for each position
    schemas   text[] := ARRAY['salesforce', 'salesforce', 'salesforce', 'Salesforce', 'SALESFORCE',
                              'Org2', 'Org2', 'org2', 'ORG2', 'plain', 'public', 'pg_catalog',
                              'hcdouble', 'fuzz_harness'];
    tables    text[] := ARRAY['contact', 'Contact', 'CONTACT', 'lead', 'Lead', 'account',
                              'opportunity', 'Opportunity', 'MixedCase', 'mixedcase', 'MIXEDCASE',
                              'notes', 'contact_v', '_hcmeta', '_trigger_log', '_trigger_log_archive',
                              '_sf_event_log', 'invoice__c', 'Invoice__c', 'hcguard_confirmation_store'];
    columns   text[] := ARRAY['email', 'Email', 'EMAIL', 'lastname', 'LastName', 'phone', 'Phone',
                              'preferred_channel__c', 'Preferred_Channel__c', 'Name', 'name', 'NAME',
                              'sfid', 'Id', 'id', '_hc_lastop', '_hc_err', 'createddate',
                              'systemmodstamp', 'isdeleted', 'company', 'industry', 'stagename',
                              'amount', 'total__c', 'ctid', 'xmin', 'tableoid', 'body'];
    hostile   text[] := ARRAY[
        '', ' ', '  ', E'\t', E'\n', E'\r\n', E'\x01', E'\x1f', 'contact ', ' contact',
        '"contact"', '"Contact"', 'salesforce.contact', '.', '..', ';', 'contact;',
        'contact; DROP TABLE public.fuzz_canary',
        $s$x'); DROP TABLE public.fuzz_canary; --$s$, $s$'$s$, $s$''$s$, '"', '""',
        '$$', '$x$ DROP TABLE public.fuzz_canary $x$', E'\\', E'back\\slash', E'\\x00',
        '%s%s%s%n', '%d%x%p', '{}', '[]', 'null', 'NULL', '*', '%', '_', 'contact%',
        'kontakt_ä', 'KONTAKT_Ä', 'Ä', 'ä', 'İ', 'ı', 'ẞ', 'ß', 'ǅ', 'Σ', 'ς', 'ﬀ',
        'Kontakt', 'ＣＯＮＴＡＣＴ', 'ｃｏｎｔａｃｔ', 'con​tact', '﻿contact', '‮contact',
        'contact́', '📇', '🙂🙃', '中文', 'العربية', '␀',
        repeat('a', 63), repeat('a', 64), repeat('A', 63), repeat('b', 200),
        repeat('c', 5000), repeat('x', 62) || 'ä', repeat('ä', 31) || 'x',
        repeat('ä', 32), repeat('🙂', 15) || 'abc', repeat('🙂', 16), repeat('é', 100),
        'preferred_channel__c' || repeat('_', 43), repeat('EMAIL', 13)];
    names     text[];
    pools     text[];
    fns       text[] := ARRAY['required3', 'required2', 'requiredv', 'status', 'confirm',
                              'revoke', 'mappings', 'columns', 'wait', 'config_diff',
                              'required_config', 'set_on_failure', 'confirmations_view'];
    weights   integer[] := ARRAY[12, 8, 8, 10, 10, 8, 5, 8, 8, 8, 8, 3, 4];
    roles     text[] := ARRAY[NULL, 'fuzz_owner', 'fuzz_migrator', 'fuzz_stranger'];
    timeouts  interval[] := ARRAY['0', '0', '0', '1 ms', '2 ms', '1 microsecond', '-1 microsecond',
                                  '-1 ms', '-5 days', '-1 mon', NULL]::interval[];
    docs      jsonb[] := ARRAY['null', '1', '"x"', '[]', '{}', '{"mappings": null}',
        '{"mappings": {}}', '{"mappings": [1]}', '{"mappings": [[]]}', '{"mappings": [{}]}',
        '{"mappings": [{"object_name": 1}]}', '{"mappings": [{"object_name": ""}]}',
        '{"mappings": [{"object_name": "Contact"}]}',
        '{"mappings": [{"object_name": "Contact", "config": []}]}',
        '{"mappings": [{"object_name": "Contact", "config": {}}]}',
        '{"mappings": [{"object_name": "Contact", "config": {"fields": []}}]}',
        '{"mappings": [{"object_name": "Contact", "config": {"fields": null}}]}',
        '{"mappings": [{"object_name": "Contact", "config": {"fields": {}}}, 7]}',
        '{"mappings": []}']::jsonb[];
    nnames    integer;
    total_w   integer;
    fn        text;
    role      text;
    a         text[];
    arr       text[];
    tmo       interval;
    doc       jsonb;
    on_fail   text;
    read_only boolean;
    undo      boolean;
    outcome   text;
    state     text;
    msg       text;
    r         double precision;
    k         integer;
    i         integer;
    tally     jsonb := '{}';
    spent     jsonb := '{}';
    t0        timestamptz;
    connect_rels oid[];
    leaked    bigint;
BEGIN
    PERFORM setseed(seed);
    IF current_setting('fuzz.shapes') = '1' THEN
        schemas := schemas || 'odd_logs'::text;
        tables := tables || 'odd_lastop'::text;
    END IF;
    names := schemas || tables || columns || hostile;

    -- random names: case variants of real names and random valid UTF-8
    pools := schemas || tables || columns;
    FOR i IN 1 .. 150 LOOP
        SELECT string_agg(CASE WHEN random() < 0.5 THEN upper(ch) ELSE lower(ch) END, '')
          INTO msg
          FROM regexp_split_to_table(pools[1 + floor(random() * array_length(pools, 1))::integer], '') AS ch;
        names := names || coalesce(msg, '');
    END LOOP;
    FOR i IN 1 .. 400 LOOP
        SELECT string_agg(chr(CASE
                   WHEN r2 < 0.45 THEN 32 + floor(random() * 95)::integer        -- printable ASCII
                   WHEN r2 < 0.55 THEN 1 + floor(random() * 31)::integer         -- control
                   WHEN r2 < 0.70 THEN 160 + floor(random() * 400)::integer      -- Latin
                   WHEN r2 < 0.80 THEN 768 + floor(random() * 112)::integer      -- combining
                   WHEN r2 < 0.88 THEN 19968 + floor(random() * 20000)::integer  -- CJK
                   WHEN r2 < 0.95 THEN 127744 + floor(random() * 1280)::integer  -- emoji
                   ELSE 57344 + floor(random() * 6400)::integer                  -- private use
               END), '')
          INTO msg
          FROM (SELECT random() AS r2 FROM generate_series(1, 1 + floor(random() * random() * 90)::integer)) g;
        names := names || msg;
    END LOOP;
    nnames := array_length(names, 1);
    SELECT sum(w) INTO total_w FROM unnest(weights) AS w;
    SELECT array_agg(c.oid) INTO connect_rels
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname IN ('salesforce', 'Org2');

    FOR i IN 1 .. ncalls LOOP
        -- the function
        k := floor(random() * total_w)::integer;
        FOR j IN 1 .. array_length(fns, 1) LOOP
            k := k - weights[j];
            IF k < 0 THEN fn := fns[j]; EXIT; END IF;
        END LOOP;
        -- its arguments: a real name for that position, any name, or NULL
        a := ARRAY[]::text[];
        FOR j IN 1 .. 4 LOOP
            r := random();
            pools := CASE j WHEN 1 THEN schemas WHEN 2 THEN tables ELSE columns END;
            a := a || CASE WHEN r < 0.04 THEN NULL
                           WHEN r < 0.75 THEN pools[1 + floor(random() * array_length(pools, 1))::integer]
                           ELSE names[1 + floor(random() * nnames)::integer] END;
        END LOOP;
        IF fn = 'requiredv' THEN
            arr := CASE WHEN random() < 0.05 THEN NULL
                        ELSE a[3:3 + floor(random() * 3)::integer] END;
        ELSIF fn = 'wait' THEN
            tmo := timeouts[1 + floor(random() * array_length(timeouts, 1))::integer];
        ELSIF fn IN ('config_diff', 'required_config') THEN
            IF random() < 0.4 THEN
                doc := docs[1 + floor(random() * array_length(docs, 1))::integer];
            ELSE
                -- a configuration of 0 to 3 mappings of 1 to 7 fields
                SELECT jsonb_build_object('version', 1, 'mappings', coalesce(jsonb_agg(m), '[]'))
                  INTO doc
                  FROM (SELECT jsonb_build_object(
                                   'object_name', CASE WHEN random() < 0.05 THEN NULL
                                                       WHEN random() < 0.7 THEN tables[1 + floor(random() * array_length(tables, 1))::integer]
                                                       ELSE names[1 + floor(random() * nnames)::integer] END,
                                   'config', jsonb_build_object('access', 'read_write', 'fields',
                                       (SELECT coalesce(jsonb_object_agg(CASE WHEN random() < 0.7
                                                        THEN columns[1 + floor(random() * array_length(columns, 1))::integer]
                                                        ELSE names[1 + floor(random() * nnames)::integer] END, '{}'::jsonb), '{}')
                                          FROM generate_series(0, floor(random() * 6)::integer + 0 * g) f))) AS m
                          FROM generate_series(1, floor(random() * 4)::integer) g) s;
            END IF;
        END IF;
        role := roles[1 + floor(random() * 4)::integer];
        on_fail := CASE WHEN random() < 0.5 THEN 'error' ELSE 'warning' END;
        read_only := random() < 0.08;
        undo := read_only OR random() < 0.3;

        t0 := clock_timestamp();
        BEGIN
            PERFORM set_config('hcguard.on_failure', on_fail, true);
            IF read_only THEN
                PERFORM set_config('transaction_read_only', 'on', true);
            END IF;
            IF role IS NOT NULL THEN
                PERFORM set_config('role', role, true);
            END IF;
            CASE fn
            WHEN 'required3' THEN
                EXECUTE 'SELECT public.hcguard_required($1, $2, $3)::text' INTO outcome USING a[1], a[2], a[3];
            WHEN 'required2' THEN
                EXECUTE 'SELECT public.hcguard_required($1, $2)::text' INTO outcome USING a[1], a[2];
            WHEN 'requiredv' THEN
                EXECUTE 'SELECT public.hcguard_required($1, $2, VARIADIC $3)::text' INTO outcome USING a[1], a[2], arr;
            WHEN 'status' THEN
                EXECUTE 'SELECT (s).synced::text FROM public.hcguard_status($1, $2, $3) AS s' INTO outcome USING a[1], a[2], a[3];
            WHEN 'confirm' THEN
                EXECUTE 'SELECT public.hcguard_confirm_synced($1, $2, $3, $4)::text' INTO outcome USING a[1], a[2], a[3], a[4];
            WHEN 'revoke' THEN
                EXECUTE 'SELECT public.hcguard_revoke_confirmation($1, $2, $3)::text' INTO outcome USING a[1], a[2], a[3];
            WHEN 'mappings' THEN
                EXECUTE 'SELECT count(*)::text FROM public.hcguard_mappings($1)' INTO outcome USING a[1];
            WHEN 'columns' THEN
                EXECUTE 'SELECT count(*)::text FROM public.hcguard_columns($1, $2)' INTO outcome USING a[1], a[2];
            WHEN 'wait' THEN
                EXECUTE 'SELECT public.hcguard_wait($1, $2, $3, $4)::text' INTO outcome USING a[1], a[2], a[3], tmo;
            WHEN 'config_diff' THEN
                EXECUTE 'SELECT count(*)::text FROM public.hcguard_config_diff($1, $2)' INTO outcome USING a[1], doc;
            WHEN 'required_config' THEN
                EXECUTE 'SELECT public.hcguard_required_config($1, $2)::text' INTO outcome USING a[1], doc;
            WHEN 'set_on_failure' THEN
                EXECUTE format('SET hcguard.on_failure = %s',
                               CASE WHEN random() < 0.8 THEN 'warning' ELSE quote_literal(coalesce(a[1], 'x')) END);
                outcome := 'set';
            WHEN 'confirmations_view' THEN
                EXECUTE 'SELECT count(*)::text FROM public.hcguard_confirmations' INTO outcome;
            END CASE;
            state := 'ok';
            IF undo THEN
                RAISE SQLSTATE 'HZUND';
            END IF;
            PERFORM set_config('role', 'none', true);
        EXCEPTION
            WHEN SQLSTATE 'HZUND' THEN
                state := 'ok';
            WHEN OTHERS THEN
                GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
                IF NOT (state IN ('22004', '22023', '3F000', '55000', '42P01', '42703', '42501')
                        -- typed declarations (1.2): white space in a column
                        -- argument starts a declared type, which a random
                        -- name's rest is not (42704), or a type that differs
                        OR (state IN ('42704', '42804') AND fn IN ('required3', 'requiredv', 'status', 'wait'))
                        OR (state = '25000' AND fn = 'wait')
                        OR (state = '25006' AND read_only AND fn IN ('confirm', 'revoke'))
                        -- two sessions confirming the same thing: under
                        -- REPEATABLE READ PostgreSQL's serialization failure,
                        -- and, since each session's transaction holds the
                        -- store's rows it wrote for 100 calls, a deadlock
                        OR (state = '40001' AND fn IN ('confirm', 'revoke')
                            AND current_setting('transaction_isolation') <> 'read committed')
                        OR (state = '40P01' AND fn IN ('confirm', 'revoke'))) THEN
                    INSERT INTO fuzz_harness.bad VALUES (session, fn, coalesce(role, 'superuser'),
                        concat_ws(', ', quote_nullable(a[1]), quote_nullable(a[2]), quote_nullable(a[3]),
                                  quote_nullable(a[4]), quote_nullable(arr::text), quote_nullable(tmo::text),
                                  quote_nullable(left(doc::text, 300)), 'on_failure=' || on_fail,
                                  CASE WHEN read_only THEN 'read only' END),
                        state, left(msg, 500));
                END IF;
        END;
        -- only a superuser may change hcguard.on_failure; confirmations are
        -- refused in read-only transactions
        IF fn = 'set_on_failure' AND role IS NOT NULL AND state = 'ok'
           AND current_setting('fuzz.edition') = 'c' THEN
            INSERT INTO fuzz_harness.bad VALUES (session, fn, role, '', 'weakened',
                'a non-superuser changed hcguard.on_failure');
        END IF;
        IF fn IN ('confirm', 'revoke') AND read_only AND state = 'ok' THEN
            INSERT INTO fuzz_harness.bad VALUES (session, fn, coalesce(role, 'superuser'),
                concat_ws(', ', quote_nullable(a[1]), quote_nullable(a[2]), quote_nullable(a[3])),
                'wrote', 'a confirmation function succeeded in a read-only transaction');
        END IF;
        spent := jsonb_set(spent, ARRAY[fn], to_jsonb(coalesce((spent ->> fn)::double precision, 0)
                           + extract(epoch FROM clock_timestamp() - t0) * 1000));
        tally := jsonb_set(tally, ARRAY[fn || ' ' || state],
                           to_jsonb(coalesce((tally ->> (fn || ' ' || state))::bigint, 0) + 1));

        IF i % 100 = 0 OR i = ncalls THEN
            -- no call left a lock on a Connect table behind
            SELECT count(*) INTO leaked FROM pg_locks
             WHERE pid = pg_backend_pid() AND locktype = 'relation'
               AND relation = ANY (connect_rels);
            IF leaked > 0 THEN
                INSERT INTO fuzz_harness.bad VALUES (session, 'locks', '', '', 'leaked',
                    leaked || ' locks on Connect tables held after ' || i || ' calls');
            END IF;
            PERFORM set_config('hcguard.on_failure', 'error', false);
            COMMIT;
        END IF;
    END LOOP;

    INSERT INTO fuzz_harness.tally
    SELECT session, split_part(key, ' ', 1), split_part(key, ' ', 2), value::bigint
      FROM jsonb_each_text(tally);
    INSERT INTO fuzz_harness.tally
    SELECT session, key, 'ms', round(value::double precision)
      FROM jsonb_each_text(spent);
END
$barrage$;
