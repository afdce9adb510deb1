/*-------------------------------------------------------------------------
 * overview.c
 *	  hcguard_mappings and hcguard_columns: what a person wants in psql
 *	  when a deploy failed or a Connect blip needs recording.
 *
 * Both give, row by row, the verdicts hcguard_required would reach, and
 * fail like it for a missing or non-Connect schema or table.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "compat.h"
#include "hcguard.h"

PG_FUNCTION_INFO_V1(hcguard_mappings);
PG_FUNCTION_INFO_V1(hcguard_columns);

static Datum
text_or_null(const char *s, bool *isnull)
{
	*isnull = (s == NULL);
	return s ? CStringGetTextDatum(s) : (Datum) 0;
}

/* The Salesforce field columns of a mapping: all but Connect's own. */
static int
field_columns(Relation rel, const char ***names, AttrNumber **attnums)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			n = 0;

	*names = palloc(sizeof(char *) * Max(desc->natts, 1));
	if (attnums)
		*attnums = palloc(sizeof(AttrNumber) * Max(desc->natts, 1));
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped || hc_is_connect_column(NameStr(att->attname)))
			continue;
		if (attnums)
			(*attnums)[n] = att->attnum;
		(*names)[n++] = NameStr(att->attname);
	}
	return n;
}

static void
add_mapping_row(Tuplestorestate *store, TupleDesc desc, Oid ownnsp,
				const char *schema_name, const char *table_name,
				List *health, bool pending_known, bool failed_known)
{
	Datum		values[12];
	bool		nulls[12] = {0};
	HcVerdict	v;
	const HcWriteHealth *h = hc_write_health_of(health, table_name);
	Relation	rel;
	const char **names;

	hc_resolve(&v, schema_name, table_name, 0, NULL, true);
	if (v.problem != HC_OK && v.problem != HC_TABLE_DENIED)
	{
		hc_release(&v);
		return;					/* dropped meanwhile */
	}

	rel = table_open(v.relid, NoLock);
	values[0] = CStringGetTextDatum(v.schema_name);
	values[1] = CStringGetTextDatum(v.table_name);
	values[2] = Int32GetDatum(field_columns(rel, &names, NULL));
	values[3] = Int64GetDatum((int64) rel->rd_rel->reltuples);
	nulls[3] = hc_reltuples_unknown(rel->rd_rel);
	table_close(rel, NoLock);

	hc_judge(&v, ownnsp, GetActiveSnapshot());
	values[4] = BoolGetDatum(v.synced);
	nulls[4] = (v.problem == HC_TABLE_DENIED);
	values[5] = text_or_null(hc_evidence_name(v.evidence), &nulls[5]);

	values[6] = Int64GetDatum(h ? h->pending : 0);
	values[7] = Int64GetDatum(h ? h->failed : 0);
	nulls[6] = !pending_known;
	nulls[7] = !failed_known;
	values[8] = TimestampTzGetDatum(h ? h->last_failure_at : 0);
	nulls[8] = !(h && h->has_failure_at);
	values[9] = text_or_null(h ? h->last_failure : NULL, &nulls[9]);

	values[10] = BoolGetDatum(hc_has_trigger(v.relid, v.table_name, "status_trigger"));
	values[11] = BoolGetDatum(hc_has_trigger(v.relid, v.table_name, "logtrigger"));
	hc_release(&v);

	tuplestore_putvalues(store, desc, values, nulls);
}

static void
add_schema_rows(Tuplestorestate *store, TupleDesc desc, Oid ownnsp,
				Oid nspid)
{
	const char *schema_name = get_namespace_name(nspid);
	bool		pending_known;
	bool		failed_known;
	List	   *health = hc_write_health(nspid, &pending_known, &failed_known);
	List	   *mappings = hc_mapping_names(nspid);
	ListCell   *lc;

	list_sort(mappings, hc_name_cmp);
	foreach(lc, mappings)
		add_mapping_row(store, desc, ownnsp, schema_name, lfirst(lc),
						health, pending_known, failed_known);
}

Datum
hcguard_mappings(PG_FUNCTION_ARGS)
{
	Oid			ownnsp = hc_own_schema();
	TupleDesc	desc;
	Tuplestorestate *store = hc_result_set(fcinfo, &desc);

	if (!PG_ARGISNULL(0))
	{
		HcVerdict	v;

		if (!hc_resolve_schema(&v, hc_arg_name(fcinfo, 0, "schema name"), true))
			hc_report(&v, ERROR);
		add_schema_rows(store, desc, ownnsp, v.nspid);
	}
	else
	{
		ListCell   *lc;

		/* every Connect schema the caller may look into */
		foreach(lc, hc_connect_schemas())
		{
			Oid			nspid = get_namespace_oid(lfirst(lc), true);

			if (OidIsValid(nspid) &&
				hc_namespace_aclcheck(nspid, GetUserId(), ACL_USAGE) == ACLCHECK_OK)
				add_schema_rows(store, desc, ownnsp, nspid);
		}
	}
	return (Datum) 0;
}

/*
 * One verdict over every field column, so the probe makes at most one pass
 * over the table for all of them.
 */
Datum
hcguard_columns(PG_FUNCTION_ARGS)
{
	const char *schema_name = hc_arg_name(fcinfo, 0, "schema name");
	const char *table_name = hc_arg_name(fcinfo, 1, "table name");
	TupleDesc	desc;
	Tuplestorestate *store = hc_result_set(fcinfo, &desc);
	HcVerdict	v;
	HcVerdict	judged;
	Relation	rel;
	const char **names;
	AttrNumber *attnums;
	Oid		   *types;
	int32	   *typmods;
	int			n;

	hc_resolve(&v, schema_name, table_name, 0, NULL, true);
	if (v.problem != HC_OK)
		hc_report(&v, ERROR);

	rel = table_open(v.relid, NoLock);
	n = field_columns(rel, &names, &attnums);
	types = palloc(sizeof(Oid) * Max(n, 1));
	typmods = palloc(sizeof(int32) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), attnums[i] - 1);

		names[i] = pstrdup(names[i]);
		types[i] = att->atttypid;
		typmods[i] = att->atttypmod;
	}
	table_close(rel, NoLock);

	/*
	 * Judge the columns while still holding the lock under which they were
	 * listed: released in between, Connect could drop one (it would be
	 * listed as not synced) or add one (it would be missing).
	 */
	hc_verdict(&judged, hc_own_schema(), schema_name, table_name,
			   n, names, GetActiveSnapshot());
	hc_release(&v);
	if (judged.problem == HC_TABLE_DENIED || judged.problem == HC_NO_TABLE ||
		judged.problem == HC_NOT_MAPPING)
		hc_report(&judged, ERROR);	/* cannot happen under the lock */

	for (int i = 0; i < judged.ncols; i++)
	{
		HcColumnVerdict *col = &judged.cols[i];
		Datum		values[4];
		bool		nulls[4] = {0};

		values[0] = CStringGetTextDatum(col->name);
		values[1] = CStringGetTextDatum(format_type_with_typemod(types[i], typmods[i]));
		values[2] = BoolGetDatum(col->problem == HC_OK);
		values[3] = text_or_null(hc_evidence_name(col->evidence), &nulls[3]);
		tuplestore_putvalues(store, desc, values, nulls);
	}
	return (Datum) 0;
}
