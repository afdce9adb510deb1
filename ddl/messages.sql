-- ddl/messages.sql: how both editions say what the catalogue holds.
--
-- The SQL edition speaks through these functions; the C extension speaks
-- from src/messages.h, and has these too for the one PL/pgSQL part both
-- editions share (ddl/provision.sql), so that its notices come from the
-- same catalogue, hcguard__msg_def, made from src/messages.txt.

CREATE TYPE hcguard__report AS (
    sqlstate text,
    message  text,
    detail   text,
    hint     text
);

------------------------------------------------------------------------------
-- Messages: the catalogue's texts (hcguard__msg_def, made from
-- src/messages.txt, as the C extension's are), filled by format(), which
-- reads the catalogue's %1$s placeholders as the C extension fills them.
------------------------------------------------------------------------------

CREATE FUNCTION hcguard__msg(msg_id text, VARIADIC args text[] DEFAULT '{}')
RETURNS hcguard__report
LANGUAGE plpgsql IMMUTABLE
AS $$
DECLARE
    m record := hcguard__msg_def(msg_id);
    r hcguard__report;
BEGIN
    IF m.message IS NULL THEN
        RAISE EXCEPTION 'hcguard: no report "%" in the catalogue', msg_id;
    END IF;
    r.sqlstate := m.sqlstate;
    r.message := format(m.message, VARIADIC args);
    r.detail := format(m.detail, VARIADIC args);
    r.hint := format(m.hint, VARIADIC args);
    RETURN r;
END
$$;

CREATE FUNCTION hcguard__text(msg_id text, VARIADIC args text[] DEFAULT '{}')
RETURNS text
LANGUAGE plpgsql IMMUTABLE
AS $$
DECLARE
    m record := hcguard__msg_def(msg_id);
BEGIN
    IF m.body IS NULL THEN
        RAISE EXCEPTION 'hcguard: no text "%" in the catalogue', msg_id;
    END IF;
    RETURN format(m.body, VARIADIC args);
END
$$;

-- Raises a report: an error, or with warn a warning that returns false.  A
-- detail or hint the report lacks is left out, not sent empty.
CREATE FUNCTION hcguard__raise(r hcguard__report, warn boolean DEFAULT false)
RETURNS boolean
LANGUAGE plpgsql
AS $$
BEGIN
    IF warn THEN
        IF r.detail IS NULL AND r.hint IS NULL THEN
            RAISE WARNING USING ERRCODE = r.sqlstate, MESSAGE = r.message;
        ELSIF r.hint IS NULL THEN
            RAISE WARNING USING ERRCODE = r.sqlstate, MESSAGE = r.message, DETAIL = r.detail;
        ELSIF r.detail IS NULL THEN
            RAISE WARNING USING ERRCODE = r.sqlstate, MESSAGE = r.message, HINT = r.hint;
        ELSE
            RAISE WARNING USING ERRCODE = r.sqlstate, MESSAGE = r.message, DETAIL = r.detail,
                HINT = r.hint;
        END IF;
        RETURN false;
    END IF;
    IF r.detail IS NULL AND r.hint IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = r.sqlstate, MESSAGE = r.message;
    ELSIF r.hint IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = r.sqlstate, MESSAGE = r.message, DETAIL = r.detail;
    ELSIF r.detail IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = r.sqlstate, MESSAGE = r.message, HINT = r.hint;
    END IF;
    RAISE EXCEPTION USING ERRCODE = r.sqlstate, MESSAGE = r.message, DETAIL = r.detail,
        HINT = r.hint;
END
$$;

-- Raises a report of the catalogue as an error.
CREATE FUNCTION hcguard__error(msg_id text, VARIADIC args text[] DEFAULT '{}')
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM hcguard__raise(hcguard__msg(msg_id, VARIADIC args));
END
$$;


-- hcguard.on_failure, as both editions' PL/pgSQL reads it.  In the SQL
-- edition any role can set it; a value other than warning and provision is
-- error there, the safe reading of a typo.  The C extension's setting only
-- takes its three values.
CREATE FUNCTION hcguard__on_failure()
RETURNS text
LANGUAGE sql STABLE
AS $$ SELECT lower(btrim(coalesce(current_setting('hcguard.on_failure', true), ''))) $$;

-- Raises a notice of the catalogue: what hcguard did, or chose not to do.
CREATE FUNCTION hcguard__notice(msg_id text, VARIADIC args text[] DEFAULT '{}')
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    r hcguard__report := hcguard__msg(msg_id, VARIADIC args);
BEGIN
    IF r.detail IS NULL THEN
        RAISE NOTICE USING MESSAGE = r.message;
    ELSE
        RAISE NOTICE USING MESSAGE = r.message, DETAIL = r.detail;
    END IF;
END
$$;
