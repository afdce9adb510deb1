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
 * Calls hcguard__provision(schema, table, columns, types) of the
 * extension's schema.  A declared type is written as format_type writes it
 * under the pinned search_path, as the PL/pgSQL reads a column's type, so
 * that the two compare.
 */
bool
hc_provision_names(const char *schema_name, const char *table_name,
				   int ncols, const char **columns, const HcColumnArg *declared)
{
	const char *extschema = get_namespace_name(hc_extension_schema());
	int			nestlevel = NewGUCNestLevel();
	const char **types = palloc0(sizeof(char *) * Max(ncols, 1));
	bool	   *type_nulls = palloc0(sizeof(bool) * Max(ncols, 1));
	bool	   *name_nulls = palloc0(sizeof(bool) * Max(ncols, 1));
	Oid			argtypes[4] = {TEXTOID, TEXTOID, TEXTARRAYOID, TEXTARRAYOID};
	Datum		values[4];
	const char *call;
	List	   *funcname;
	bool		isnull;
	bool		provisioned;

	(void) set_config_option("search_path",
							 psprintf("pg_catalog, %s, pg_temp", quote_identifier(extschema)),
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);

	/* the C extension updated to 1.2's library, but not yet its SQL */
	funcname = list_make1(makeString(pstrdup(extschema)));
	funcname = lappend(funcname, makeString("hcguard__provision"));
	if (!OidIsValid(LookupFuncName(funcname, 4, argtypes, true)))
		hc_error(HC_MSG_PROVISION_NEEDS_UPDATE, HC_NO_ARGS);

	for (int i = 0; i < ncols; i++)
	{
		type_nulls[i] = (declared == NULL || !OidIsValid(declared[i].type));
		if (!type_nulls[i])
			types[i] = format_type_with_typemod(declared[i].type, declared[i].typmod);
	}
	values[0] = CStringGetTextDatum(schema_name);
	values[1] = CStringGetTextDatum(table_name);
	values[2] = text_array(ncols, columns, name_nulls);
	values[3] = text_array(ncols, types, type_nulls);

	call = psprintf("SELECT %s.hcguard__provision($1, $2, $3, $4)",
					quote_identifier(extschema));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args(call, 4, argtypes, values, NULL, false, 1) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "hcguard__provision returned no row");
	provisioned = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0],
											 SPI_tuptable->tupdesc, 1, &isnull));
	provisioned = provisioned && !isnull;
	SPI_finish();

	AtEOXact_GUC(true, nestlevel);
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
