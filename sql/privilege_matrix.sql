--
-- Who may do what: every function (and the settings and the store) called
-- as a superuser, as the mapping's owner, as a member of the owning role,
-- as a migrator with USAGE on the Connect schema and SELECT on its tables,
-- and as a stranger with nothing.  Each cell is what the call gave (true,
-- false, a row count, "done" for a void result) or its SQLSTATE.
--
-- The contract: the read-only functions work for the superuser, the owner
-- and the migrator, and give 42501 to the stranger (hcguard_status says so
-- in its row instead, and hcguard_mappings() without a schema skips the
-- schemas the caller may not use); confirming and revoking need the rights
-- ALTER TABLE needs (superuser, owner, member of the owning role), anyone
-- else gets 42501, also for a mapping owned by someone else; only a
-- superuser may set hcguard.on_failure; nobody but the store's owner
-- writes the store.
--
SELECT hcdouble.create_connect_schema('hc_matrix');
SELECT hcdouble.create_mapping('hc_matrix', 'Contact', '[["Email","email"],["Fax","phone"]]');
SELECT hcdouble.connect_load('hc_matrix', 'Contact', 3, '{fax}');
SELECT hcdouble.create_mapping('hc_matrix', 'Lead', '[["Company","string(255)"]]');
SELECT hcdouble.connect_load('hc_matrix', 'Lead', 2);
ALTER TABLE hc_matrix.contact OWNER TO regress_hc_owner;
GRANT USAGE ON SCHEMA hc_matrix TO regress_hc_owner;
SELECT hcdouble.grant_reader('hc_matrix', 'regress_hc_migrator');
-- fax is empty in Salesforce: confirmed; and lead, by a superuser
SELECT hcguard_confirm_synced('hc_matrix', 'contact', 'fax', 'fax is unused');
SELECT hcguard_confirm_synced('hc_matrix', 'lead', NULL, 'checked');

-- Runs one call as a role (SET ROLE before, RESET after) and says how it
-- ended.  A sentinel error then rolls back whatever the call did (a
-- confirmation, a setting), so every cell starts from the same state.
CREATE FUNCTION matrix_cell(role text, call text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    result text;
BEGIN
    BEGIN
        IF role IS NOT NULL THEN
            EXECUTE format('SET ROLE %I', role);
        END IF;
        IF call ~ '^(SET|ALTER) ' THEN
            EXECUTE call;
            result := 'done';
        ELSE
            EXECUTE call INTO result;
        END IF;
        RAISE SQLSTATE 'HZUND' USING MESSAGE = coalesce(result, 'null');
    EXCEPTION
        WHEN SQLSTATE 'HZUND' THEN
            result := SQLERRM;
        WHEN OTHERS THEN
            result := SQLSTATE;
    END;
    RESET ROLE;
    RETURN result;
END
$$;

CREATE TABLE matrix_calls (ord integer, label text, call text);
INSERT INTO matrix_calls VALUES
    (1, 'required(s, t, c)', $$SELECT hcguard_required('hc_matrix', 'contact', 'email')::text$$),
    (2, 'required(s, t)', $$SELECT hcguard_required('hc_matrix', 'contact')::text$$),
    (3, 'required(s, t, VARIADIC)', $$SELECT hcguard_required('hc_matrix', 'contact', 'email', 'fax')::text$$),
    (4, 'status(s, t, c)', $$SELECT CASE WHEN problem IS NULL THEN 'synced'
                                         ELSE 'row: ' || split_part(problem, ' for ', 1) END
                            FROM hcguard_status('hc_matrix', 'contact', 'email')$$),
    (5, 'confirm_synced(s, t, c)', $$SELECT 'done' FROM hcguard_confirm_synced('hc_matrix', 'contact', 'email')$$),
    (6, 'revoke_confirmation(s, t, c)', $$SELECT hcguard_revoke_confirmation('hc_matrix', 'contact', 'fax')::text$$),
    (7, 'confirm_synced, not own table', $$SELECT 'done' FROM hcguard_confirm_synced('hc_matrix', 'lead')$$),
    (8, 'revoke, not own table', $$SELECT hcguard_revoke_confirmation('hc_matrix', 'lead')::text$$),
    (9, 'mappings(s)', $$SELECT count(*) || ' rows' FROM hcguard_mappings('hc_matrix')$$),
    (10, 'mappings()', $$SELECT count(*) || ' rows' FROM hcguard_mappings() WHERE schema_name = 'hc_matrix'$$),
    (11, 'columns(s, t)', $$SELECT count(*) || ' rows' FROM hcguard_columns('hc_matrix', 'contact')$$),
    (12, 'wait(s, t, c, 0)', $$SELECT hcguard_wait('hc_matrix', 'contact', 'email', '0')::text$$),
    (13, 'config_diff(s, doc)', $$SELECT count(*) || ' rows' FROM hcguard_config_diff('hc_matrix',
            '{"mappings": [{"object_name": "Contact", "config": {"fields": {"Email": {}, "Fax": {}}}}]}')$$),
    (14, 'required_config(s, doc)', $$SELECT hcguard_required_config('hc_matrix',
            '{"mappings": [{"object_name": "Contact", "config": {"fields": {"Email": {}, "Fax": {}}}}]}')::text$$),
    (15, 'view hcguard_confirmations', $$SELECT count(*) || ' rows' FROM hcguard_confirmations WHERE schema_name = 'hc_matrix'$$),
    (16, 'SELECT from the store', $$SELECT count(*) || ' rows' FROM hcguard.confirmation_store WHERE schema_name = 'hc_matrix'$$),
    (17, 'INSERT into the store', $$INSERT INTO hcguard.confirmation_store (schema_name, table_name, confirmed_by, confirmed_at)
                                   VALUES ('hc_matrix', 'contact', current_user, now()) RETURNING 'done'$$),
    (18, 'DELETE from the store', $$WITH d AS (DELETE FROM hcguard.confirmation_store WHERE schema_name = 'hc_matrix' RETURNING 1)
                                   SELECT count(*) || ' rows' FROM d$$),
    (19, 'SET hcguard.on_failure', $$SET hcguard.on_failure = warning$$),
    (20, 'set_config(on_failure, local)', $$SELECT set_config('hcguard.on_failure', 'warning', true)$$),
    (21, 'ALTER ROLE SET on_failure', $$ALTER ROLE CURRENT_USER SET hcguard.on_failure = warning$$),
    (22, 'SET hcguard.poll_interval', $$SET hcguard.poll_interval = 50$$);

SELECT c.label AS call,
       max(cell) FILTER (WHERE r.ord = 1) AS superuser,
       max(cell) FILTER (WHERE r.ord = 2) AS owner,
       max(cell) FILTER (WHERE r.ord = 3) AS owner_member,
       max(cell) FILTER (WHERE r.ord = 4) AS migrator,
       max(cell) FILTER (WHERE r.ord = 5) AS stranger
  FROM matrix_calls c
 CROSS JOIN (VALUES (1, NULL), (2, 'regress_hc_owner'), (3, 'regress_hc_owner_member'),
                    (4, 'regress_hc_migrator'), (5, 'regress_hc_stranger')) AS r(ord, role)
 CROSS JOIN LATERAL matrix_cell(r.role, c.call) AS cell
 GROUP BY c.ord, c.label
 ORDER BY c.ord;

-- Nothing a cell did stayed: the confirmations are those made above, and
-- hcguard.on_failure is still error, for this session and for every role.
SELECT table_name, column_name, confirmed_by IS NOT NULL AS confirmed, note, counts
  FROM hcguard_confirmations WHERE schema_name = 'hc_matrix';
SHOW hcguard.on_failure;
SELECT count(*) AS role_settings FROM pg_db_role_setting
 WHERE array_to_string(setconfig, ',') LIKE '%hcguard%';

SET client_min_messages = warning;
SELECT hcdouble.drop_connect_schema('hc_matrix');
DELETE FROM hcguard.confirmation_store WHERE schema_name = 'hc_matrix';
DROP TABLE matrix_calls;
DROP FUNCTION matrix_cell(text, text);
RESET client_min_messages;
