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
		case HC_EVIDENCE_PROVISIONED:
			return "provisioned";
		case HC_EVIDENCE_CONNECT:
			return "connect";
		case HC_EVIDENCE_NONE:
			break;
	}
	return NULL;
}

/* "a", "b", "c": a list of names, as the catalogue's texts quote names. */
char *
hc_quoted_list(List *names)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, names)
		appendStringInfo(&buf, "%s\"%s\"", buf.len > 0 ? ", " : "",
						 (char *) lfirst(lc));
	return buf.data;
}

/* "1 row", "2 rows" */
static char *
rows(int64 n)
{
	return hc_text(n == 1 ? HC_MSG_ROWS_ONE : HC_MSG_ROWS_MANY, HC_ARGS(hc_int(n)));
}

/*
 * The rows that hold a value but none written by Connect, by origin, so
 * that the detail accounts for every one: "2 pending, 1 failed".
 */
static char *
origins(const HcOriginCounts counts)
{
	static const HcMsg items[HC_NUM_ORIGINS] = {
		[HC_ORIGIN_CONNECT] = HC_NUM_MSGS,
		[HC_ORIGIN_PENDING] = HC_MSG_ORIGIN_PENDING,
		[HC_ORIGIN_FAILED] = HC_MSG_ORIGIN_FAILED,
		[HC_ORIGIN_UNKNOWN] = HC_MSG_ORIGIN_UNKNOWN,
		[HC_ORIGIN_OTHER] = HC_MSG_ORIGIN_OTHER,
	};
	StringInfoData buf;

	initStringInfo(&buf);
	for (int o = 0; o < HC_NUM_ORIGINS; o++)
	{
		if (o == HC_ORIGIN_CONNECT || counts[o] == 0)
			continue;
		if (buf.len > 0)
			appendStringInfoString(&buf, ", ");
		appendStringInfoString(&buf, hc_text(items[o], HC_ARGS(hc_int(counts[o]))));
	}
	return buf.data;
}

/* What the probe saw of the table, as a sentence. */
static char *
observed_table(const HcProbe *p)
{
	if (p->rows == 0)
		return hc_text(HC_MSG_TABLE_NO_ROWS, HC_NO_ARGS);
	return hc_text(HC_MSG_TABLE_ROWS_NOT_CONNECT,
				   HC_ARGS(rows(p->rows), origins(p->rows_by)));
}

/*
 * What the probe saw of a column, likewise; or what Connect's report says,
 * when its word failed the verdict and the data was not read.
 */
static char *
observed_column(const HcVerdict *v, const HcColumnVerdict *col)
{
	const HcProbe *p = &v->probe;
	int			i = col->probe_index;

	if (v->connect_blocked)
		return v->connect_blocked;
	if (p->rows == 0)
		return hc_text(HC_MSG_TABLE_NO_ROWS, HC_NO_ARGS);
	if (p->valued[i] == 0)
		return p->rows == 1 ? hc_text(HC_MSG_ONLY_ROW_NO_VALUE, HC_NO_ARGS) :
			hc_text(HC_MSG_NO_ROW_HAS_VALUE, HC_ARGS(rows(p->rows)));
	if (p->valued[i] == p->rows)
		return p->rows == 1 ?
			hc_text(HC_MSG_ONLY_ROW_HAS_VALUE, HC_ARGS(origins(p->valued_by[i]))) :
			hc_text(HC_MSG_ALL_ROWS_HAVE_VALUE,
					HC_ARGS(rows(p->rows), origins(p->valued_by[i])));
	return hc_text(p->valued[i] == 1 ? HC_MSG_ROWS_HAVE_VALUE_ONE : HC_MSG_ROWS_HAVE_VALUE_MANY,
				   HC_ARGS(hc_int(p->valued[i]), rows(p->rows), origins(p->valued_by[i])));
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
confirm_call(const HcVerdict *v, const char *column)
{
	return hc_text(HC_MSG_CONFIRM_CALL,
				   HC_ARGS(quote_literal_cstr(v->schema_name),
						   quote_literal_cstr(v->table_name),
						   column ? quote_literal_cstr(column) : "NULL"));
}

/* A report whose hint gains sentences: the catalogue's, then more. */
static void
append_hint(HcReport *r, HcMsg id, const char *const *args)
{
	StringInfoData hint;

	initStringInfo(&hint);
	appendStringInfoString(&hint, r->hint);
	hc_append_text(&hint, id, args);
	r->hint = hint.data;
}

static void
describe_one_column(const HcVerdict *v, const HcColumnVerdict *col, HcReport *r)
{
	char	   *mapping = hc_qualified(v->schema_name, v->table_name);

	if (col->problem == HC_NO_COLUMN)
	{
		*r = hc_msg(HC_MSG_COLUMN_MISSING,
					HC_ARGS(col->name, mapping, tried(hc_column_of_field(col->given))));
		if (col->closest != NIL)
			append_hint(r, HC_MSG_CLOSEST_COLUMNS, HC_ARGS(hc_quoted_list(col->closest)));
		return;
	}
	if (col->problem == HC_WRONG_TYPE)
	{
		*r = hc_msg(HC_MSG_COLUMN_WRONG_TYPE,
					HC_ARGS(col->name, mapping, col->actual_type, col->declared_type));
		return;
	}
	*r = hc_msg(HC_MSG_COLUMN_NOT_SYNCED,
				HC_ARGS(col->name, mapping, confirm_call(v, col->name)));
	r->detail = observed_column(v, col);
	if (v->connect_blocked)
		r->hint = hc_text(HC_MSG_CONNECT_WAIT, HC_NO_ARGS);
}

/* Several columns: one line of detail per unmet column. */
static void
describe_columns(const HcVerdict *v, HcReport *r)
{
	int			unmet = hc_unmet_columns(v);
	StringInfoData detail;
	StringInfoData hint;

	if (unmet == 1)
	{
		for (int i = 0; i < v->ncols; i++)
			if (v->cols[i].problem != HC_OK)
				describe_one_column(v, &v->cols[i], r);
		return;
	}

	*r = hc_msg(v->problem == HC_NO_COLUMN ? HC_MSG_COLUMNS_MISSING :
				v->problem == HC_WRONG_TYPE ? HC_MSG_COLUMNS_WRONG_TYPE :
				HC_MSG_COLUMNS_NOT_SYNCED,
				HC_ARGS(hc_int(unmet), hc_int(v->ncols),
						hc_qualified(v->schema_name, v->table_name)));
	initStringInfo(&detail);
	initStringInfo(&hint);
	appendStringInfoString(&hint, r->hint);
	for (int i = 0; i < v->ncols; i++)
	{
		const HcColumnVerdict *col = &v->cols[i];

		if (col->problem == HC_OK)
			continue;
		if (detail.len > 0)
			appendStringInfoChar(&detail, '\n');
		if (col->problem == HC_NO_COLUMN)
			appendStringInfoString(&detail,
								   hc_text(HC_MSG_LINE_COLUMN_MISSING,
										   HC_ARGS(col->name, tried(hc_column_of_field(col->given)))));
		else if (col->problem == HC_WRONG_TYPE)
			appendStringInfoString(&detail,
								   hc_text(HC_MSG_LINE_COLUMN_WRONG_TYPE,
										   HC_ARGS(col->name, col->actual_type, col->declared_type)));
		else
			appendStringInfo(&detail, "%s %s",
							 hc_text(HC_MSG_LINE_COLUMN_NOT_SYNCED, HC_ARGS(col->name)),
							 observed_column(v, col));
		if (col->closest != NIL)
			hc_append_text(&hint, HC_MSG_CLOSEST_COLUMNS_TO,
						   HC_ARGS(col->name, hc_quoted_list(col->closest)));
	}
	r->detail = detail.data;
	r->hint = hint.data;
	if (v->connect_blocked && v->problem == HC_NOT_SYNCED)
		r->hint = hc_text(HC_MSG_CONNECT_WAIT, HC_NO_ARGS);
}

/* Where the schema is missing or no Connect schema: the report's variant. */
static HcReport
describe_schema(const HcVerdict *v, bool missing)
{
	const char *db = quote_identifier(get_database_name(MyDatabaseId));

	if (v->closest == NIL)
		return hc_msg(missing ? HC_MSG_NO_SCHEMA_ALONE : HC_MSG_NOT_CONNECT_ALONE,
					  HC_ARGS(v->schema_name, missing ? tried(v->schema_given) : v->why.data, db));
	return hc_msg(missing ? HC_MSG_NO_SCHEMA_LISTED : HC_MSG_NOT_CONNECT_LISTED,
				  HC_ARGS(v->schema_name, missing ? tried(v->schema_given) : v->why.data,
						  hc_quoted_list(v->closest)));
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
			*r = describe_schema(v, true);
			break;
		case HC_SCHEMA_DENIED:
			*r = hc_msg(HC_MSG_SCHEMA_DENIED,
						HC_ARGS(v->schema_name, role, quote_identifier(v->schema_name),
								quote_identifier(role)));
			break;
		case HC_NOT_CONNECT:
			*r = describe_schema(v, false);
			break;
		case HC_NO_TABLE:
			*r = hc_msg(HC_MSG_NO_TABLE,
						HC_ARGS(mapping, v->schema_name, tried(v->table_given)));
			if (v->closest != NIL)
				append_hint(r, HC_MSG_CLOSEST_MAPPINGS, HC_ARGS(hc_quoted_list(v->closest)));
			break;
		case HC_NOT_MAPPING:
			*r = hc_msg(hc_is_system_table(v->table_name) ? HC_MSG_SYSTEM_TABLE : HC_MSG_NOT_MAPPING,
						HC_ARGS(mapping, v->why.data));
			break;
		case HC_TABLE_DENIED:
			*r = hc_msg(HC_MSG_TABLE_DENIED,
						HC_ARGS(mapping, role,
								quote_qualified_identifier(v->schema_name, v->table_name),
								quote_identifier(role)));
			break;
		case HC_NO_COLUMN:
		case HC_WRONG_TYPE:
			describe_columns(v, r);
			break;
		case HC_NOT_SYNCED:
			if (v->ncols > 0)
			{
				describe_columns(v, r);
				break;
			}
			*r = hc_msg(HC_MSG_MAPPING_NOT_SYNCED, HC_ARGS(mapping, confirm_call(v, NULL)));
			r->detail = v->connect_blocked ? v->connect_blocked : observed_table(&v->probe);
			if (v->connect_blocked)
				r->hint = hc_text(HC_MSG_CONNECT_WAIT, HC_NO_ARGS);
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
	hc_raise(elevel, &r);
}

/*
 * The guard's failure: an error, or under on_failure = warning a warning.
 * Under provision, what is still failing (provisioning was not allowed, or
 * could not make it pass) is an error, as under error.
 */
bool
hc_report_failure(const HcVerdict *v)
{
	hc_report(v, hc_on_failure == HC_ON_FAILURE_WARNING ? WARNING : ERROR);
	return false;
}
