/*-------------------------------------------------------------------------
 * provision.c
 *	  hcguard.on_failure = provision: in a database without Heroku Connect,
 *	  a declaration that would fail creates what it names.
 *
 * What is created, and whether anything may be, is decided by the PL/pgSQL
 * both editions share (ddl/provision.sql): one source, so that the C
 * extension and the SQL edition build the same schema.  It is called here
 * through SPI, with bound values and the search_path pinned to pg_catalog
 * and the extension's schema, as the calling role: hcguard creates nothing
 * the caller could not create.  A provisioned schema is marked by its
 * comment, which the verdict reads: there the declaration is the truth.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "commands/comment.h"
#include "executor/spi.h"
#include "parser/parse_func.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"

#include "hcguard.h"

/* Whether hcguard provisioned the schema: its comment is the mark. */
bool
hc_is_provisioned(Oid nspid)
{
	char	   *comment = GetComment(nspid, NamespaceRelationId, 0);

	return comment != NULL &&
		strcmp(comment, hc_text(HC_MSG_PROVISIONED_MARK, HC_NO_ARGS)) == 0;
}

static Datum
text_array(int n, const char **values, bool *nulls)
{
	Datum	   *elems = palloc0(sizeof(Datum) * Max(n, 1));
	int			dims[1] = {n};
	int			lbs[1] = {1};

	for (int i = 0; i < n; i++)
		if (!nulls[i])
			elems[i] = CStringGetTextDatum(values[i]);
	return PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs,
											  TEXTOID, -1, false, TYPALIGN_INT));
}

/*
 * Runs "SELECT <extension's schema>.function($1, ...)" for the PL/pgSQL both
 * editions share, as the calling role, with search_path pinned to
 * pg_catalog and the extension's schema for the call: nothing on the
 * caller's search_path is reached.  Returns the result's first column
 * (false when NULL), or false where the function does not exist (the
 * library updated to 1.2, the extension's SQL not yet): *missing says so.
 */
bool
hc_call_shared(const char *function, int nargs, Oid *argtypes, Datum *values,
			   const char *nulls, bool *missing)
{
	const char *extschema = get_namespace_name(hc_extension_schema());
	int			nestlevel = NewGUCNestLevel();
	List	   *funcname;
	StringInfoData call;
	bool		isnull;
	bool		result;

	(void) set_config_option("search_path",
							 psprintf("pg_catalog, %s, pg_temp", quote_identifier(extschema)),
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);

	funcname = list_make1(makeString(pstrdup(extschema)));
	funcname = lappend(funcname, makeString(pstrdup(function)));
	*missing = !OidIsValid(LookupFuncName(funcname, nargs, argtypes, true));
	if (*missing)
	{
		AtEOXact_GUC(true, nestlevel);
		return false;
	}

	initStringInfo(&call);
	appendStringInfo(&call, "SELECT %s.%s(", quote_identifier(extschema),
					 quote_identifier(function));
	for (int i = 0; i < nargs; i++)
		appendStringInfo(&call, "%s$%d", i > 0 ? ", " : "", i + 1);
	appendStringInfoChar(&call, ')');

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args(call.data, nargs, argtypes, values, nulls, false, 1) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "%s returned no row", function);
	result = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0],
										SPI_tuptable->tupdesc, 1, &isnull));
	result = result && !isnull;
	SPI_finish();

	AtEOXact_GUC(true, nestlevel);
	return result;
}

/*
 * A type as format_type writes it with search_path pinned as the shared
 * PL/pgSQL runs: the text both editions store and compare, which parses the
 * same wherever it is read again.
 */
char *
hc_format_type_pinned(Oid type, int32 typmod)
{
	int			nestlevel = NewGUCNestLevel();
	char	   *text;

	(void) set_config_option("search_path",
							 psprintf("pg_catalog, %s, pg_temp",
									  quote_identifier(get_namespace_name(hc_extension_schema()))),
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	text = format_type_with_typemod(type, typmod);
	AtEOXact_GUC(true, nestlevel);
	return text;
}

/*
 * Calls hcguard__provision(schema, table, columns, types).  A declared type
 * is written as format_type writes it, as the PL/pgSQL reads a column's
 * type, so that the two compare.
 */
bool
hc_provision_names(const char *schema_name, const char *table_name,
				   int ncols, const char **columns, const HcColumnArg *declared)
{
	const char **types = palloc0(sizeof(char *) * Max(ncols, 1));
	bool	   *type_nulls = palloc0(sizeof(bool) * Max(ncols, 1));
	bool	   *name_nulls = palloc0(sizeof(bool) * Max(ncols, 1));
	Oid			argtypes[4] = {TEXTOID, TEXTOID, TEXTARRAYOID, TEXTARRAYOID};
	Datum		values[4];
	bool		missing;
	bool		provisioned;

	for (int i = 0; i < ncols; i++)
	{
		type_nulls[i] = (declared == NULL || !OidIsValid(declared[i].type));
		if (!type_nulls[i])
			types[i] = hc_format_type_pinned(declared[i].type, declared[i].typmod);
	}
	values[0] = CStringGetTextDatum(schema_name);
	values[1] = CStringGetTextDatum(table_name);
	values[2] = text_array(ncols, columns, name_nulls);
	values[3] = text_array(ncols, types, type_nulls);

	provisioned = hc_call_shared("hcguard__provision", 4, argtypes, values, NULL, &missing);
	if (missing)
		hc_error(HC_MSG_PROVISION_NEEDS_UPDATE, HC_NO_ARGS);
	return provisioned;
}

/*
 * Where hcguard.on_failure is provision, creates what the verdict found
 * missing.  Returns whether it did; the caller then judges again.  What
 * the caller may not look at is not provisioned: its error stands.
 */
bool
hc_provision(const HcVerdict *v)
{
	const char **columns;
	HcColumnArg *declared;

	if (hc_on_failure != HC_ON_FAILURE_PROVISION || v->problem == HC_OK ||
		v->problem == HC_SCHEMA_DENIED || v->problem == HC_TABLE_DENIED)
		return false;

	columns = palloc0(sizeof(char *) * Max(v->ncols, 1));
	declared = palloc0(sizeof(HcColumnArg) * Max(v->ncols, 1));
	for (int i = 0; i < v->ncols; i++)
	{
		columns[i] = v->cols[i].given;
		declared[i].name = v->cols[i].given;
		declared[i].type = v->cols[i].declared;
		declared[i].typmod = v->cols[i].declared_typmod;
	}
	return hc_provision_names(v->schema_given, v->table_given, v->ncols,
							  columns, declared);
}
