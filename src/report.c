/*-------------------------------------------------------------------------
 * report.c
 *	  What a person at a failed deploy reads.
 *
 * One verdict becomes one message, detail and hint, whether it is raised as
 * an ERROR, emitted as a WARNING, or shown by hcguard_status.  The message
 * says what is missing, the detail what was observed in this database, the
 * hint what to do next in this environment (PostgreSQL's error message style
 * guide: primary message lower case without a period, detail and hint
 * complete sentences).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "commands/dbcommands.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "hcguard.h"

char *
hc_qualified(const char *schema_name, const char *table_name)
{
	return psprintf("%s.%s", schema_name, table_name);
}

const char *
hc_evidence_name(HcEvidence e)
{
	switch (e)
	{
		case HC_EVIDENCE_DATA:
			return "data";
		case HC_EVIDENCE_CONFIRMATION:
			return "confirmation";
		case HC_EVIDENCE_NONE:
			break;
	}
	return NULL;
}

static char *
quoted_list(List *names)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, names)
		appendStringInfo(&buf, "%s\"%s\"", buf.len > 0 ? ", " : "",
						 (char *) lfirst(lc));
	return buf.data;
}

static char *
rows(int64 n)
{
	return psprintf(n == 1 ? "%lld row" : "%lld rows", (long long) n);
}

/*
 * The rows that hold a value but none written by Connect, by origin, so
 * that the detail accounts for every one: "2 pending, 1 failed".
 */
static char *
origins(const HcOriginCounts counts)
{
	static const char *const formats[HC_NUM_ORIGINS] = {
		[HC_ORIGIN_CONNECT] = NULL,
		[HC_ORIGIN_PENDING] = "%lld pending",
		[HC_ORIGIN_FAILED] = "%lld failed",
		[HC_ORIGIN_UNKNOWN] = "%lld with neither _hc_lastop nor sfid set",
		[HC_ORIGIN_OTHER] = "%lld with another _hc_lastop value",
	};
	StringInfoData buf;

	initStringInfo(&buf);
	for (int o = 0; o < HC_NUM_ORIGINS; o++)
	{
		if (formats[o] == NULL || counts[o] == 0)
			continue;
		if (buf.len > 0)
			appendStringInfoString(&buf, ", ");
		appendStringInfo(&buf, formats[o], (long long) counts[o]);
	}
	return buf.data;
}

/* What the probe saw of the table, as a clause to end a sentence with. */
static char *
observed_table(const HcProbe *p)
{
	if (p->rows == 0)
		return pstrdup("the table has no rows");
	return psprintf("the table has %s, none written by Heroku Connect: %s",
					rows(p->rows), origins(p->rows_by));
}

/* What the probe saw of a column, likewise. */
static char *
observed_column(const HcProbe *p, int i)
{
	if (p->rows == 0)
		return pstrdup("the table has no rows");
	if (p->valued[i] == 0)
		return p->rows == 1 ? pstrdup("the table's only row holds no value") :
			psprintf("none of the table's %s holds a value", rows(p->rows));
	if (p->valued[i] == p->rows)
		return psprintf("%s a value, %s written by Heroku Connect: %s",
						p->rows == 1 ? "the table's only row holds" :
						psprintf("all the table's %s hold", rows(p->rows)),
						p->rows == 1 ? "not" : "none",
						origins(p->valued_by[i]));
	return psprintf("%lld of the table's %s %s a value, none written by Heroku Connect: %s",
					(long long) p->valued[i], rows(p->rows),
					p->valued[i] == 1 ? "holds" : "hold",
					origins(p->valued_by[i]));
}

/* The spellings a missing name was looked up by: "Name" or "name". */
static char *
tried(const char *given)
{
	const char *spelling[2];

	if (hc_spellings(given, spelling) == 1)
		return psprintf("\"%s\"", spelling[0]);
	return psprintf("\"%s\" or \"%s\"", spelling[0], spelling[1]);
}

static char *
sentence(const char *clause)
{
	char	   *s = psprintf("%s.", clause);

	s[0] = pg_toupper((unsigned char) s[0]);
	return s;
}

static char *
confirm_call(const HcVerdict *v, const char *column)
{
	if (column)
		return psprintf("SELECT hcguard_confirm_synced(%s, %s, %s, 'verified in the Heroku Connect dashboard');",
						quote_literal_cstr(v->schema_name),
						quote_literal_cstr(v->table_name),
						quote_literal_cstr(column));
	return psprintf("SELECT hcguard_confirm_synced(%s, %s, NULL, 'verified in the Heroku Connect dashboard');",
					quote_literal_cstr(v->schema_name),
					quote_literal_cstr(v->table_name));
}

/* For databases without Connect: say how to turn failures into warnings. */
static char *
no_connect_hint(const HcVerdict *v)
{
	if (v->closest != NIL && v->problem == HC_NO_SCHEMA)
		return pstrdup("Name the schema Heroku Connect writes to in this environment.");
	if (v->closest != NIL)
		return psprintf("Name one of this database's Heroku Connect schemas: %s.",
						quoted_list(v->closest));
	return psprintf("If this database has no Heroku Connect (a development database, say), a superuser can make hcguard warn instead: ALTER DATABASE %s SET hcguard.on_failure = warning;",
					quote_identifier(get_database_name(MyDatabaseId)));
}

static void
describe_columns(const HcVerdict *v, HcReport *r)
{
	char	   *mapping = hc_qualified(v->schema_name, v->table_name);
	StringInfoData detail;
	StringInfoData hint;
	int			unmet = hc_unmet_columns(v);
	bool		missing = (v->problem == HC_NO_COLUMN);

	initStringInfo(&detail);
	initStringInfo(&hint);
	if (missing)
		appendStringInfo(&hint, "Add the %s to the mapping in this environment's Heroku Connect dashboard, wait for the sync to finish, then deploy again.",
						 unmet == 1 ? "field" : "missing fields");
	else
		appendStringInfo(&hint, "Wait for Heroku Connect to finish syncing (the mapping shows DATA_SYNCED in the dashboard), then deploy again.");

	for (int i = 0; i < v->ncols; i++)
	{
		const HcColumnVerdict *col = &v->cols[i];

		if (col->problem == HC_OK)
			continue;
		if (unmet == 1)
		{
			r->message = psprintf(col->problem == HC_NO_COLUMN ?
								  "column \"%s\" of Heroku Connect mapping \"%s\" does not exist" :
								  "column \"%s\" of Heroku Connect mapping \"%s\" is not synced",
								  col->name, mapping);
			if (col->problem == HC_NO_COLUMN)
				appendStringInfo(&detail, "No column of the mapping is named %s: Heroku Connect does not map that field in this database.",
								 tried(hc_column_of_field(col->given)));
			else
				appendStringInfoString(&detail, sentence(observed_column(&v->probe, col->probe_index)));
		}
		else
		{
			if (detail.len > 0)
				appendStringInfoChar(&detail, '\n');
			if (col->problem == HC_NO_COLUMN)
				appendStringInfo(&detail, "Column \"%s\" does not exist: no column is named %s.",
								 col->name, tried(hc_column_of_field(col->given)));
			else
				appendStringInfo(&detail, "Column \"%s\" is not synced: %s.",
								 col->name, observed_column(&v->probe, col->probe_index));
		}

		if (col->closest != NIL)
		{
			if (unmet == 1)
				appendStringInfo(&hint, " Closest existing columns: %s.",
								 quoted_list(col->closest));
			else
				appendStringInfo(&hint, " Closest existing columns to \"%s\": %s.",
								 col->name, quoted_list(col->closest));
		}
		if (!missing && unmet == 1)
			appendStringInfo(&hint, " If the field is empty for every record in Salesforce, record that you verified the sync: %s",
							 confirm_call(v, col->name));
	}

	if (unmet > 1)
		r->message = psprintf("%d of %d required columns of Heroku Connect mapping \"%s\" are not %s",
							  unmet, v->ncols, mapping,
							  missing ? "mapped and synced" : "synced");
	if (!missing && unmet > 1)
		appendStringInfoString(&hint, " If a field is empty for every record in Salesforce, record that you verified its sync with hcguard_confirm_synced.");
	r->detail = detail.data;
	r->hint = hint.data;
}

void
hc_describe(const HcVerdict *v, HcReport *r)
{
	char	   *mapping = hc_qualified(v->schema_name, v->table_name);
	const char *role = GetUserNameFromId(GetUserId(), false);

	memset(r, 0, sizeof(HcReport));
	switch (v->problem)
	{
		case HC_OK:
			return;
		case HC_NO_SCHEMA:
			r->sqlstate = ERRCODE_INVALID_SCHEMA_NAME;
			r->message = psprintf("schema \"%s\" does not exist", v->schema_name);
			r->detail = v->closest != NIL ?
				psprintf("No schema is named %s. The Heroku Connect schemas of this database are %s.",
						 tried(v->schema_given), quoted_list(v->closest)) :
				psprintf("No schema is named %s. This database has no Heroku Connect schema.",
						 tried(v->schema_given));
			r->hint = no_connect_hint(v);
			break;
		case HC_SCHEMA_DENIED:
			r->sqlstate = ERRCODE_INSUFFICIENT_PRIVILEGE;
			r->message = psprintf("permission denied for schema \"%s\"", v->schema_name);
			r->detail = psprintf("Role \"%s\" lacks USAGE on the schema, which hcguard needs to look at the mapping.", role);
			r->hint = psprintf("Grant it to the role that runs migrations: GRANT USAGE ON SCHEMA %s TO %s;",
							   quote_identifier(v->schema_name), quote_identifier(role));
			break;
		case HC_NOT_CONNECT:
			r->sqlstate = ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE;
			r->message = psprintf("schema \"%s\" is not a Heroku Connect schema", v->schema_name);
			r->detail = psprintf("It lacks %s, which Heroku Connect creates in its schema.", v->why.data);
			r->hint = no_connect_hint(v);
			break;
		case HC_NO_TABLE:
			r->sqlstate = ERRCODE_UNDEFINED_TABLE;
			r->message = psprintf("Heroku Connect mapping \"%s\" does not exist", mapping);
			r->detail = psprintf("No table of schema \"%s\" is named %s: Heroku Connect maps no such Salesforce object in this database.",
								 v->schema_name, tried(v->table_given));
			r->hint = psprintf("Create the mapping in this environment's Heroku Connect dashboard, wait for its initial load to finish, then deploy again.%s%s%s",
							   v->closest != NIL ? " Closest existing mappings: " : "",
							   v->closest != NIL ? quoted_list(v->closest) : "",
							   v->closest != NIL ? "." : "");
			break;
		case HC_NOT_MAPPING:
			r->sqlstate = ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE;
			if (hc_is_system_table(v->table_name))
			{
				r->message = psprintf("table \"%s\" is a Heroku Connect system table, not a mapping", mapping);
				r->detail = pstrdup("Heroku Connect keeps \"_hcmeta\", \"_trigger_log\", \"_trigger_log_archive\" and \"_sf_event_log\" for its own bookkeeping; they stand for no Salesforce object.");
			}
			else
			{
				r->message = psprintf("table \"%s\" is not a Heroku Connect mapping", mapping);
				r->detail = pstrdup(v->why.data);
			}
			r->hint = pstrdup("Name the table Heroku Connect created for the Salesforce object: its API name in lower case.");
			break;
		case HC_TABLE_DENIED:
			r->sqlstate = ERRCODE_INSUFFICIENT_PRIVILEGE;
			r->message = psprintf("permission denied for table \"%s\"", mapping);
			r->detail = psprintf("Role \"%s\" lacks SELECT on the table, which hcguard needs to see what Heroku Connect has synced.", role);
			r->hint = psprintf("Grant it to the role that runs migrations: GRANT SELECT ON %s TO %s;",
							   quote_qualified_identifier(v->schema_name, v->table_name),
							   quote_identifier(role));
			break;
		case HC_NO_COLUMN:
			r->sqlstate = ERRCODE_UNDEFINED_COLUMN;
			describe_columns(v, r);
			break;
		case HC_NOT_SYNCED:
			r->sqlstate = ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE;
			if (v->ncols > 0)
			{
				describe_columns(v, r);
				break;
			}
			r->message = psprintf("Heroku Connect mapping \"%s\" is not synced", mapping);
			r->detail = sentence(observed_table(&v->probe));
			r->hint = psprintf("Wait for the mapping's initial load to finish (the dashboard shows DATA_SYNCED), then deploy again. If the object has no records in Salesforce, record that you verified the sync: %s",
							   confirm_call(v, NULL));
			break;
	}
}

void
hc_report(const HcVerdict *v, int elevel)
{
	HcReport	r;

	hc_describe(v, &r);
	if (v->problem == HC_OK)
		return;
	ereport(elevel,
			(errcode(r.sqlstate),
			 errmsg_internal("%s", r.message),
			 r.detail ? errdetail_internal("%s", r.detail) : 0,
			 r.hint ? errhint("%s", r.hint) : 0));
}

/* The guard's failure: an error, or under on_failure = warning a warning. */
bool
hc_report_failure(const HcVerdict *v)
{
	hc_report(v, hc_on_failure == HC_ON_FAILURE_WARNING ? WARNING : ERROR);
	return false;
}
