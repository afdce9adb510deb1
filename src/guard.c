/*-------------------------------------------------------------------------
 * guard.c
 *	  The SQL-callable guard: hcguard_required and hcguard_status.
 *
 * hcguard_required passes (true) or fails as hcguard.on_failure says;
 * hcguard_status gives the same verdict as a row and never fails on it.
 * Arguments are checked first, and a NULL never passes: a migration that
 * computed a name wrongly must not slip through.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/snapmgr.h"

#include "hcguard.h"

PG_FUNCTION_INFO_V1(hcguard_required_column);
PG_FUNCTION_INFO_V1(hcguard_required_table);
PG_FUNCTION_INFO_V1(hcguard_required_columns);
PG_FUNCTION_INFO_V1(hcguard_status);

/* The column arguments, each with the type it may declare. */
static HcColumnArg *
declared_columns(int ncols, const char **columns)
{
	HcColumnArg *declared = palloc0(sizeof(HcColumnArg) * Max(ncols, 1));

	for (int i = 0; i < ncols; i++)
		declared[i] = hc_declared_column(columns[i]);
	return declared;
}

/*
 * The guard on arguments already read: each entry point reads its own, in
 * the order of its parameters, so that the first bad one is the one named.
 */
static bool
require(const char *schema_name, const char *table_name,
		int ncols, const char **columns)
{
	HcColumnArg *declared = declared_columns(ncols, columns);
	HcVerdict	v;
	bool		passed;

	hc_verdict_guard(&v, hc_own_schema(), schema_name, table_name,
					 ncols, declared, GetActiveSnapshot());
	/* what provisioning created must pass the guard like anything else */
	if (hc_provision(&v))
		hc_verdict_guard(&v, hc_own_schema(), schema_name, table_name,
						 ncols, declared, GetActiveSnapshot());
	passed = (v.problem == HC_OK) || hc_report_failure(&v);
	/* it returned (under warning, false): what it named is declared */
	hc_record_verdict(&v);
	return passed;
}

Datum
hcguard_required_column(PG_FUNCTION_ARGS)
{
	const char *schema_name = hc_arg_name(fcinfo, 0, "schema name");
	const char *table_name = hc_arg_name(fcinfo, 1, "table name");
	const char *column = hc_column_arg(fcinfo, 2);

	PG_RETURN_BOOL(require(schema_name, table_name, 1, &column));
}

Datum
hcguard_required_table(PG_FUNCTION_ARGS)
{
	const char *schema_name = hc_arg_name(fcinfo, 0, "schema name");
	const char *table_name = hc_arg_name(fcinfo, 1, "table name");

	PG_RETURN_BOOL(require(schema_name, table_name, 0, NULL));
}

Datum
hcguard_required_columns(PG_FUNCTION_ARGS)
{
	const char *schema_name = hc_arg_name(fcinfo, 0, "schema name");
	const char *table_name = hc_arg_name(fcinfo, 1, "table name");
	int			ncols;
	const char **columns = hc_column_list(fcinfo, 2, &ncols);

	PG_RETURN_BOOL(require(schema_name, table_name, ncols, columns));
}

Datum
hcguard_status(PG_FUNCTION_ARGS)
{
	const char *schema_name = hc_arg_name(fcinfo, 0, "schema name");
	const char *table_name = hc_arg_name(fcinfo, 1, "table name");
	const char *column_name = NULL;
	bool		column;
	HcVerdict	v;
	HcReport	r;
	TupleDesc	desc;
	Datum		values[9];
	bool		nulls[9] = {0};
	HcEvidence	evidence;

	if (!PG_ARGISNULL(2))
		column_name = hc_column_arg(fcinfo, 2);
	column = (column_name != NULL);

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "hcguard_status must return a composite type");
	desc = BlessTupleDesc(desc);

	hc_verdict_declared(&v, hc_own_schema(), schema_name, table_name,
						column ? 1 : 0, declared_columns(column ? 1 : 0, &column_name),
						GetActiveSnapshot());
	hc_describe(&v, &r);

	values[0] = CStringGetTextDatum(v.schema_name);
	values[1] = CStringGetTextDatum(v.table_name);
	if (column)
		values[2] = CStringGetTextDatum(v.cols[0].name);
	else
		nulls[2] = true;
	values[3] = BoolGetDatum(v.connect_schema);
	values[4] = BoolGetDatum(v.mapped);
	values[5] = BoolGetDatum(v.synced);

	/* what could not be looked at is unknown, not false */
	if (v.problem == HC_SCHEMA_DENIED)
		nulls[3] = nulls[4] = nulls[5] = true;
	if (v.problem == HC_TABLE_DENIED)
		nulls[5] = true;

	evidence = column ? v.cols[0].evidence : v.evidence;
	if (hc_evidence_name(evidence))
		values[6] = CStringGetTextDatum(hc_evidence_name(evidence));
	else
		nulls[6] = true;
	if (r.message)
		values[7] = CStringGetTextDatum(r.message);
	else
		nulls[7] = true;
	if (r.hint)
		values[8] = CStringGetTextDatum(r.hint);
	else
		nulls[8] = true;

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}
