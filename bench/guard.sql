-- bench/guard.sql
--
-- The guard a team writes by hand when it has no hcguard: a PL/pgSQL
-- function called first in a migration.  It is what bench/run compares
-- hcguard_required with, so it is written the way such guards are found in
-- the wild, not tuned: it asks information_schema whether the column
-- exists, then looks into the data with dynamic SQL for a row Heroku
-- Connect wrote that holds a value, and raises an exception when either is
-- not so.  (It has none of hcguard's name folding, lock release,
-- privilege, confirmation or reporting logic.)
CREATE SCHEMA IF NOT EXISTS migration_guard;

CREATE OR REPLACE FUNCTION migration_guard.require_synced_column(
    p_schema text, p_table text, p_column text)
RETURNS boolean
LANGUAGE plpgsql
AS $$
DECLARE
    v_synced boolean;
BEGIN
    IF NOT EXISTS (
        SELECT 1
          FROM information_schema.columns
         WHERE table_schema = p_schema
           AND table_name = p_table
           AND column_name = p_column
    ) THEN
        RAISE EXCEPTION 'column %.%.% is not mapped by Heroku Connect',
            p_schema, p_table, p_column
            USING ERRCODE = 'undefined_column',
                  HINT = 'Add the field to the mapping in the Heroku Connect dashboard.';
    END IF;

    -- Connect's bulk loads leave _hc_lastop NULL with sfid set: a guard that
    -- works on real data has to count those rows as Connect's too.
    EXECUTE format(
        'SELECT EXISTS (SELECT 1 FROM %I.%I WHERE %I IS NOT NULL '
        'AND (_hc_lastop IN (''SYNCED'',''INSERTED'',''UPDATED'') '
        'OR (_hc_lastop IS NULL AND sfid IS NOT NULL)))',
        p_schema, p_table, p_column)
       INTO v_synced;

    IF NOT v_synced THEN
        RAISE EXCEPTION 'column %.%.% has not been synced by Heroku Connect yet',
            p_schema, p_table, p_column
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Wait for the resync to finish, then deploy again.';
    END IF;
    RETURN true;
END;
$$;
