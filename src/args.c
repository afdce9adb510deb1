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

#include "access/xact.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "parser/parse_type.h"
#include "utils/resowner.h"
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
	const char *lower;

	/* no case folding makes an underscore: most names need no folding here */
	if (name[0] != '_')
		return;
	lower = hc_lower(name);
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


/*
 * Reads a declared type as PostgreSQL reads a type name, so that
 * varchar(80) and character varying(80) are one type.  A type that does not
 * exist is 42704; text that is no type name at all is 22023.  The parser
 * reports either by raising, so it runs in a subtransaction whose error is
 * replaced by the catalogue's, which names the column.
 */
static void
parse_declared_type(const char *type, const char *column, Oid *typid,
					int32 *typmod)
{
	MemoryContext caller = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	volatile int sqlerrcode = 0;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(caller);
	PG_TRY();
	{
		hc_parse_type(type, typid, typmod);
		ReleaseCurrentSubTransaction();
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(caller);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(caller);
		CurrentResourceOwner = owner;
		/*
		 * What the text says (classes 22 and 42, a schema that does not
		 * exist, a name of three parts: another database's); anything else,
		 * such as a cancel or running out of memory, is raised as it came.
		 */
		if (ERRCODE_TO_CATEGORY(edata->sqlerrcode) != ERRCODE_DATA_EXCEPTION &&
			ERRCODE_TO_CATEGORY(edata->sqlerrcode) != ERRCODE_SYNTAX_ERROR_OR_ACCESS_RULE_VIOLATION &&
			edata->sqlerrcode != ERRCODE_UNDEFINED_SCHEMA &&
			edata->sqlerrcode != ERRCODE_FEATURE_NOT_SUPPORTED)
			ReThrowError(edata);
		sqlerrcode = edata->sqlerrcode;
		FreeErrorData(edata);
	}
	PG_END_TRY();
	MemoryContextSwitchTo(caller);
	CurrentResourceOwner = owner;

	/* a type in a schema that does not exist does not exist either */
	if (sqlerrcode == ERRCODE_UNDEFINED_OBJECT ||
		sqlerrcode == ERRCODE_UNDEFINED_SCHEMA)
		hc_error(HC_MSG_DECLARED_TYPE_UNKNOWN, HC_ARGS(type, column));
	if (sqlerrcode != 0)
		hc_error(HC_MSG_DECLARED_TYPE_INVALID, HC_ARGS(type, column));
}

/*
 * A column argument that may carry the type the code expects after the
 * name, separated by white space: "opt_in__c boolean".  The name ends at
 * the first white space (Salesforce's API names have none); without
 * anything after it, any type will do.
 */
HcColumnArg
hc_declared_column(const char *arg)
{
	static const char space[] = " \t\n\r\f\v";
	HcColumnArg c = {arg, InvalidOid, -1};
	size_t		len = strcspn(arg, space);
	const char *type = arg + len + strspn(arg + len, space);

	if (arg[len] == '\0')
		return c;
	c.name = pnstrdup(arg, len);
	if (len == 0)
		hc_error(HC_MSG_ARG_EMPTY, HC_ARGS("column name"));
	hc_check_field_name(c.name);
	if (*type != '\0')
		parse_declared_type(type, c.name, &c.type, &c.typmod);
	return c;
}
