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
		hc_error(HC_MSG_ARG_NULL, HC_ARGS(what));
	name = text_to_cstring(PG_GETARG_TEXT_PP(argno));
	if (name[0] == '\0')
		hc_error(HC_MSG_ARG_EMPTY, HC_ARGS(what));
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
		hc_error(HC_MSG_BOOKKEEPING_COLUMN, HC_ARGS(lower));
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
		hc_error(HC_MSG_COLUMN_LIST_NULL, HC_NO_ARGS);
	array = PG_GETARG_ARRAYTYPE_P(argno);
	deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &n);
	if (n == 0)
		hc_error(HC_MSG_COLUMN_LIST_EMPTY, HC_NO_ARGS);

	names = palloc(sizeof(char *) * n);
	*ncols = 0;
	for (int i = 0; i < n; i++)
	{
		char	   *name;

		if (nulls[i])
			hc_error(HC_MSG_COLUMN_LIST_ELEMENT_NULL, HC_ARGS(hc_int(i + 1)));
		name = TextDatumGetCString(elems[i]);
		if (name[0] == '\0')
			hc_error(HC_MSG_COLUMN_LIST_ELEMENT_EMPTY, HC_ARGS(hc_int(i + 1)));
		hc_check_field_name(name);
		names[(*ncols)++] = name;
	}
	return names;
}

