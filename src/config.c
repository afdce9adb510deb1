/*-------------------------------------------------------------------------
 * config.c
 *	  Configuration as code: the JSON `heroku connect:export` writes,
 *	  compared with what Connect has mapped and synced in a schema.
 *
 * Teams keep the export in their repository; hcguard_config_diff lists
 * every difference, and hcguard_required_config fails like
 * hcguard_required when the database lacks anything the file maps.  What
 * the database maps beyond the file is listed, never a failure.  Table =
 * lowercase(object_name), column = lowercase(field), and the field Id is the
 * column sfid.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_collation.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/formatting.h"
#include "utils/jsonb.h"
#include "utils/snapmgr.h"

#include "hcguard.h"

#define MAX_DETAIL_PROBLEMS 20

PG_FUNCTION_INFO_V1(hcguard_config_diff);
PG_FUNCTION_INFO_V1(hcguard_required_config);

typedef enum ConfigProblem
{
	MISSING_MAPPING,
	UNSYNCED_MAPPING,
	MISSING_FIELD,
	UNSYNCED_FIELD,
	EXTRA_MAPPING,
	EXTRA_FIELD
} ConfigProblem;

static const char *const problem_names[] = {
	"missing_mapping", "unsynced_mapping", "missing_field", "unsynced_field",
	"extra_mapping", "extra_field"
};

typedef struct Difference
{
	const char *object_name;
	const char *field_name;
	const char *table_name;
	const char *column_name;
	ConfigProblem problem;
} Difference;

typedef struct ConfigMapping
{
	const char *object_name;
	int			nfields;
	const char **fields;
} ConfigMapping;

/* A document of another shape: why (a config_* report), at which path. */
static HC_NORETURN(void refuse(HcMsg why, const char *path));

static void
refuse(HcMsg why, const char *path)
{
	hc_error(why, HC_ARGS(path));
}

static JsonbContainer *
object_at(JsonbValue *v, const char *path)
{
	if (v == NULL)
		refuse(HC_MSG_CONFIG_MISSING, path);
	else if (v->type != jbvBinary || !JsonContainerIsObject(v->val.binary.data))
		refuse(HC_MSG_CONFIG_NOT_OBJECT, path);
	return v->val.binary.data;
}

static JsonbValue *
key(JsonbContainer *object, const char *name)
{
	return getKeyJsonValueFromContainer(object, name, strlen(name), NULL);
}

/* The mappings of an export, refusing a document of any other shape. */
static List *
parse_config(Jsonb *doc)
{
	JsonbValue *mappings;
	JsonbContainer *array;
	List	   *result = NIL;
	int			n;

	if (!JB_ROOT_IS_OBJECT(doc) || JB_ROOT_IS_SCALAR(doc))
		refuse(HC_MSG_CONFIG_NOT_OBJECT, "$");
	mappings = key(&doc->root, "mappings");
	if (mappings == NULL)
		refuse(HC_MSG_CONFIG_MISSING, "$.mappings");
	else if (mappings->type != jbvBinary || !JsonContainerIsArray(mappings->val.binary.data))
		refuse(HC_MSG_CONFIG_NOT_ARRAY, "$.mappings");
	array = mappings->val.binary.data;
	n = JsonContainerSize(array);

	for (int i = 0; i < n; i++)
	{
		char	   *path = psprintf("$.mappings[%d]", i);
		JsonbContainer *mapping = object_at(getIthJsonbValueFromContainer(array, i), path);
		JsonbValue *name = key(mapping, "object_name");
		JsonbContainer *config;
		JsonbContainer *fields;
		JsonbIterator *it;
		JsonbValue	v;
		JsonbIteratorToken tok;
		ConfigMapping *m = palloc0(sizeof(ConfigMapping));

		if (name == NULL)
			refuse(HC_MSG_CONFIG_MISSING, psprintf("%s.object_name", path));
		else if (name->type != jbvString || name->val.string.len == 0)
			refuse(HC_MSG_CONFIG_NOT_NAME, psprintf("%s.object_name", path));
		m->object_name = pnstrdup(name->val.string.val, name->val.string.len);

		config = object_at(key(mapping, "config"), psprintf("%s.config", path));
		fields = object_at(key(config, "fields"), psprintf("%s.config.fields", path));

		m->fields = palloc(sizeof(char *) * Max(JsonContainerSize(fields), 1));
		it = JsonbIteratorInit(fields);
		while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
			if (tok == WJB_KEY)
				m->fields[m->nfields++] = pnstrdup(v.val.string.val, v.val.string.len);
		result = lappend(result, m);
	}
	return result;
}

/* The column Connect gives a field. */
static const char *
column_of(const char *field)
{
	return hc_lower(hc_column_of_field(field));
}

static void
add(List **diffs, const char *object_name, const char *field_name,
	const char *table_name, const char *column_name, ConfigProblem problem)
{
	Difference *d = palloc(sizeof(Difference));

	d->object_name = object_name;
	d->field_name = field_name;
	d->table_name = table_name;
	d->column_name = column_name;
	d->problem = problem;
	*diffs = lappend(*diffs, d);
}

static bool
listed(List *names, const char *name)
{
	ListCell   *lc;

	foreach(lc, names)
		if (strcmp(lfirst(lc), name) == 0)
			return true;
	return false;
}

/* The differences for one mapping of the file, in the file's field order. */
static void
diff_mapping(List **diffs, Oid ownnsp, const char *schema_name,
			 const ConfigMapping *m, List **tables_seen)
{
	const char *table = hc_lower(m->object_name);
	const char **columns = palloc(sizeof(char *) * Max(m->nfields, 1));
	HcVerdict	mapping;
	HcVerdict	v;
	List	   *covered = NIL;
	List	   *existing;
	ListCell   *lc;

	for (int i = 0; i < m->nfields; i++)
		columns[i] = column_of(m->fields[i]);

	/*
	 * One look, under one lock, for the table and all the file's fields: were
	 * the lock released between two looks, Connect could drop or reload the
	 * table in between.  The fields are judged in one pass over the table.
	 */
	hc_resolve(&v, schema_name, table, m->nfields, columns, true);
	if (v.problem == HC_TABLE_DENIED)
		hc_report(&v, ERROR);
	if (v.problem == HC_NO_TABLE || v.problem == HC_NOT_MAPPING)
	{
		add(diffs, m->object_name, NULL, table, NULL, MISSING_MAPPING);
		hc_release(&v);
		return;
	}
	*tables_seen = lappend(*tables_seen, (void *) v.table_name);
	existing = hc_field_column_names(v.relid);

	/* the table's own verdict: the same resolution, without the columns */
	mapping = v;
	mapping.ncols = 0;
	mapping.problem = HC_OK;
	mapping.locked = false;
	hc_judge(&mapping, ownnsp, GetActiveSnapshot());
	hc_judge(&v, ownnsp, GetActiveSnapshot());
	hc_release(&v);
	if (!mapping.synced)
		add(diffs, m->object_name, NULL, v.table_name, NULL, UNSYNCED_MAPPING);

	for (int i = 0; i < m->nfields; i++)
	{
		HcProblem	p = HC_OK;

		/* the verdict lists a column named twice once: find this one's */
		for (int j = 0; j < v.ncols; j++)
			if (strcmp(v.cols[j].given, columns[i]) == 0 ||
				(v.cols[j].attnum != InvalidAttrNumber &&
				 strcmp(v.cols[j].name, columns[i]) == 0))
			{
				p = v.cols[j].problem;
				covered = lappend(covered, (void *) v.cols[j].name);
				break;
			}
		if (p == HC_NO_COLUMN)
			add(diffs, m->object_name, m->fields[i], v.table_name, columns[i],
				MISSING_FIELD);
		/* an unsynced mapping already says its fields are not synced */
		else if (p == HC_NOT_SYNCED && mapping.synced)
			add(diffs, m->object_name, m->fields[i], v.table_name, columns[i],
				UNSYNCED_FIELD);
	}

	foreach(lc, existing)
	{
		const char *column = lfirst(lc);

		if (!hc_is_connect_column(column) && !listed(covered, column))
			add(diffs, m->object_name, NULL, v.table_name, column, EXTRA_FIELD);
	}
}

static List *
config_diff(FunctionCallInfo fcinfo, const char **schema_out)
{
	const char *schema_name = hc_arg_name(fcinfo, 0, "schema name");
	Oid			ownnsp = hc_own_schema();
	HcVerdict	schema;
	List	   *mappings;
	List	   *diffs = NIL;
	List	   *seen = NIL;
	List	   *all;
	ListCell   *lc;

	if (PG_ARGISNULL(1))
		hc_error(HC_MSG_CONFIG_NULL, HC_NO_ARGS);
	mappings = parse_config(PG_GETARG_JSONB_P(1));

	if (!hc_resolve_schema(&schema, schema_name, true))
		hc_report(&schema, ERROR);
	*schema_out = schema.schema_name;

	foreach(lc, mappings)
		diff_mapping(&diffs, ownnsp, schema.schema_name, lfirst(lc), &seen);

	all = hc_mapping_names(schema.nspid);
	list_sort(all, hc_name_cmp);
	foreach(lc, all)
		if (!listed(seen, lfirst(lc)))
			add(&diffs, NULL, NULL, lfirst(lc), NULL, EXTRA_MAPPING);
	return diffs;
}

Datum
hcguard_config_diff(PG_FUNCTION_ARGS)
{
	const char *schema_name;
	List	   *diffs = config_diff(fcinfo, &schema_name);
	TupleDesc	desc;
	Tuplestorestate *store = hc_result_set(fcinfo, &desc);
	ListCell   *lc;

	foreach(lc, diffs)
	{
		Difference *d = lfirst(lc);
		Datum		values[5];
		bool		nulls[5] = {0};
		const char *cells[4] = {d->object_name, d->field_name, d->table_name,
		d->column_name};

		for (int i = 0; i < 4; i++)
		{
			nulls[i] = (cells[i] == NULL);
			values[i] = cells[i] ? CStringGetTextDatum(cells[i]) : (Datum) 0;
		}
		values[4] = CStringGetTextDatum(problem_names[d->problem]);
		tuplestore_putvalues(store, desc, values, nulls);
	}
	return (Datum) 0;
}

static void
describe_difference(StringInfo buf, const Difference *d)
{
	if (buf->len > 0)
		appendStringInfoChar(buf, '\n');
	switch (d->problem)
	{
		case MISSING_MAPPING:
			appendStringInfoString(buf, hc_text(HC_MSG_CONFIG_LINE_MISSING_MAPPING,
												HC_ARGS(d->object_name, d->table_name)));
			break;
		case UNSYNCED_MAPPING:
			appendStringInfoString(buf, hc_text(HC_MSG_CONFIG_LINE_UNSYNCED_MAPPING,
												HC_ARGS(d->object_name, d->table_name)));
			break;
		case MISSING_FIELD:
			appendStringInfoString(buf, hc_text(HC_MSG_CONFIG_LINE_MISSING_FIELD,
												HC_ARGS(d->object_name, d->field_name,
														d->table_name, d->column_name)));
			break;
		case UNSYNCED_FIELD:
			appendStringInfoString(buf, hc_text(HC_MSG_CONFIG_LINE_UNSYNCED_FIELD,
												HC_ARGS(d->object_name, d->field_name,
														d->table_name, d->column_name)));
			break;
		case EXTRA_MAPPING:
		case EXTRA_FIELD:
			break;
	}
}

static bool
fails(List *diffs)
{
	ListCell   *lc;

	foreach(lc, diffs)
	{
		Difference *d = lfirst(lc);

		if (d->problem != EXTRA_MAPPING && d->problem != EXTRA_FIELD)
			return true;
	}
	return false;
}

/*
 * Under hcguard.on_failure = provision, creates every mapping and field the
 * file lists that the database lacks, before the file is checked.  The
 * fields get Connect's types where Connect's own (Id, IsDeleted,
 * SystemModstamp, CreatedDate, which every mapping table has), else
 * character varying(255).  The first refusal stops it: the check then
 * fails as under error.
 */
static void
provision_config(FunctionCallInfo fcinfo)
{
	const char *schema_name = hc_arg_name(fcinfo, 0, "schema name");
	Oid			ownnsp = hc_own_schema();
	HcVerdict	schema;
	bool		schema_ok;
	ListCell   *lc;

	if (PG_ARGISNULL(1))
		return;					/* config_diff refuses it */
	schema_ok = hc_resolve_schema(&schema, schema_name, true);
	if (!schema_ok && schema.problem == HC_SCHEMA_DENIED)
		return;
	foreach(lc, parse_config(PG_GETARG_JSONB_P(1)))
	{
		ConfigMapping *m = lfirst(lc);
		const char **columns = palloc(sizeof(char *) * Max(m->nfields, 1));

		if (schema_ok)
		{
			List	   *diffs = NIL;
			List	   *seen = NIL;

			diff_mapping(&diffs, ownnsp, schema.schema_name, m, &seen);
			if (!fails(diffs))
				continue;
		}
		for (int i = 0; i < m->nfields; i++)
			columns[i] = column_of(m->fields[i]);
		if (!hc_provision_names(schema_name, hc_lower(m->object_name),
								m->nfields, columns, NULL))
			return;
	}
}

/* What a file maps is declared, once the check has returned. */
static void
record_config(FunctionCallInfo fcinfo, const char *schema_name)
{
	ListCell   *lc;

	foreach(lc, parse_config(PG_GETARG_JSONB_P(1)))
	{
		ConfigMapping *m = lfirst(lc);
		const char **columns = palloc(sizeof(char *) * Max(m->nfields, 1));

		for (int i = 0; i < m->nfields; i++)
			columns[i] = column_of(m->fields[i]);
		hc_record_names(schema_name, hc_lower(m->object_name), m->nfields, columns);
	}
}

Datum
hcguard_required_config(PG_FUNCTION_ARGS)
{
	const char *schema_name;
	List	   *diffs;
	StringInfoData detail;
	int			failures = 0;
	int			missing_mappings = 0;
	int			missing_fields = 0;
	ListCell   *lc;
	HcReport	r;

	if (hc_on_failure == HC_ON_FAILURE_PROVISION)
		provision_config(fcinfo);
	diffs = config_diff(fcinfo, &schema_name);
	initStringInfo(&detail);
	foreach(lc, diffs)
	{
		Difference *d = lfirst(lc);

		if (d->problem == EXTRA_MAPPING || d->problem == EXTRA_FIELD)
			continue;
		missing_mappings += (d->problem == MISSING_MAPPING);
		missing_fields += (d->problem == MISSING_FIELD);
		if (++failures <= MAX_DETAIL_PROBLEMS)
			describe_difference(&detail, d);
	}
	if (failures == 0)
	{
		record_config(fcinfo, schema_name);
		PG_RETURN_BOOL(true);
	}
	if (failures > MAX_DETAIL_PROBLEMS)
		appendStringInfo(&detail, "\n%s",
						 hc_text(HC_MSG_AND_MORE, HC_ARGS(hc_int(failures - MAX_DETAIL_PROBLEMS))));

	r = hc_msg(missing_mappings > 0 ? HC_MSG_CONFIG_MISSING_OBJECTS :
			   missing_fields > 0 ? HC_MSG_CONFIG_MISSING_FIELDS :
			   HC_MSG_CONFIG_NOT_SYNCED,
			   HC_ARGS(hc_int(failures), schema_name));
	r.detail = detail.data;
	hc_raise(hc_on_failure == HC_ON_FAILURE_WARNING ? WARNING : ERROR, &r);
	record_config(fcinfo, schema_name);
	PG_RETURN_BOOL(false);
}
