/*-------------------------------------------------------------------------
 * args.c
 *	  The arguments of hcguard's SQL functions, checked before anything is
 *	  looked at.
 *
 * A NULL never passes: a migration that computed a name wrongly must not
 * slip through.  An empty name names nothing, and a column argument must be
 * able to stand for a Salesforce field.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/formatting.h"

#include "hcguard.h"

const char *
hc_arg_name(FunctionCallInfo fcinfo, int argno, const char *what)
{
	char	   *name;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", what),
				 errdetail("A null name would let the check pass without checking anything.")));

	name = text_to_cstring(PG_GETARG_TEXT_PP(argno));
	if (name[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be empty", what)));
	return name;
}

/*
 * A column argument: a name that can stand for a Salesforce field.  Connect's
 * bookkeeping columns cannot: a guard on one would pass or fail on Connect's
 * own housekeeping, and its hints (map the field, confirm it is empty in
 * Salesforce) would send the reader the wrong way.
 */
void
hc_check_field_name(const char *name)
{
	const char *lower = hc_lower(name);

	if (strcmp(lower, "_hc_lastop") == 0 || strcmp(lower, "_hc_err") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("column \"%s\" is Heroku Connect's bookkeeping, not a Salesforce field", lower),
				 errdetail("Heroku Connect adds \"_hc_lastop\" and \"_hc_err\" to every mapping to track its own writes; they hold no Salesforce data."),
				 errhint("Name the Salesforce field the code needs, by its API name (for example \"Email\" or \"Preferred_Channel__c\").")));
}

const char *
hc_column_arg(FunctionCallInfo fcinfo, int argno)
{
	const char *name = hc_arg_name(fcinfo, argno, "column name");

	hc_check_field_name(name);
	return name;
}

/* The listed columns, each checked like a single one. */
const char **
hc_column_list(FunctionCallInfo fcinfo, int argno, int *ncols)
{
	ArrayType  *array;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	const char **names;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("column names must not be null"),
				 errdetail("A null list would let the check pass without checking anything.")));
	array = PG_GETARG_ARRAYTYPE_P(argno);
	deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &n);
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("at least one column name is required"),
				 errhint("To require only the mapping itself, call hcguard_required(schema_name, table_name).")));

	names = palloc(sizeof(char *) * n);
	*ncols = 0;
	for (int i = 0; i < n; i++)
	{
		char	   *name;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("column name must not be null"),
					 errdetail("Element %d of the column list is null.", i + 1)));
		name = TextDatumGetCString(elems[i]);
		if (name[0] == '\0')
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("column name must not be empty"),
					 errdetail("Element %d of the column list is empty.", i + 1)));
		hc_check_field_name(name);
		names[(*ncols)++] = name;
	}
	return names;
}

