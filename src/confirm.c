/*-------------------------------------------------------------------------
 * confirm.c
 *	  hcguard_confirm_synced and hcguard_revoke_confirmation.
 *
 * They check the caller's right to ALTER the mapping, then write the store
 * (store.c) as its owner, with search_path pinned and in a
 * security-restricted operation, so that nothing of the caller's
 * environment runs with the owner's rights.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/namespace.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/formatting.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "compat.h"
#include "hcguard.h"

PG_FUNCTION_INFO_V1(hcguard_confirm_synced);
PG_FUNCTION_INFO_V1(hcguard_revoke_confirmation);

/* Confirmations are writes: refuse them where writes cannot happen. */
static void
refuse_read_only(const char *function)
{
	if (RecoveryInProgress())
		hc_error(HC_MSG_CONFIRM_ON_STANDBY, HC_ARGS(function));
	if (XactReadOnly)
		hc_error(HC_MSG_CONFIRM_READ_ONLY, HC_ARGS(function));
}

/*
 * Resolves the mapping (and column) a confirmation names, and checks the
 * caller may ALTER it.  The mapping stays locked until hc_release.
 */
static void
resolve_target(HcVerdict *v, FunctionCallInfo fcinfo, const char *function,
			   bool column_must_exist)
{
	const char *schema_name = hc_arg_name(fcinfo, 0, "schema name");
	const char *table_name = hc_arg_name(fcinfo, 1, "table name");
	const char *column_name = NULL;
	HcProblem	problem;

	if (!PG_ARGISNULL(2))
		column_name = hc_column_arg(fcinfo, 2);
	refuse_read_only(function);

	hc_resolve(v, schema_name, table_name, column_name ? 1 : 0,
			   &column_name, false);
	problem = v->problem;
	if (problem == HC_NO_COLUMN && !column_must_exist)
		problem = HC_OK;
	if (problem != HC_OK)
		hc_report(v, ERROR);

	if (!hc_table_ownercheck(v->relid, GetUserId()))
		hc_error(HC_MSG_NOT_OWNER,
				 HC_ARGS(v->table_name, hc_qualified(v->schema_name, v->table_name),
						 function));
}

/*
 * Runs a statement on the store as the store's owner.  The caller's
 * search_path cannot reach in: it is pinned for the duration.
 */
static uint64
run_as_store_owner(Oid ownnsp, const char *sql, int nargs, Oid *types,
				   Datum *values, const char *nulls)
{
	Oid			owner = hc_store_owner(ownnsp);
	Oid			save_userid;
	int			save_sec_context;
	int			save_nestlevel;
	int			rc;
	uint64		processed;

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(owner, save_sec_context |
						   SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	save_nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	rc = SPI_execute_with_args(sql, nargs, types, values, nulls, false, 0);
	if (rc != SPI_OK_INSERT && rc != SPI_OK_DELETE)
		elog(ERROR, "hcguard could not write its confirmation store: %s",
			 SPI_result_code_string(rc));
	processed = SPI_processed;
	SPI_finish();

	AtEOXact_GUC(true, save_nestlevel);
	SetUserIdAndSecContext(save_userid, save_sec_context);
	return processed;
}

static Datum
name_datum(const char *s)
{
	Name		n = palloc0(NAMEDATALEN);

	namestrcpy(n, s);
	return NameGetDatum(n);
}

/*
 * After the write: the record was bound (by the insert trigger) to what its
 * names meant when it was written.  If Connect dropped or replaced the
 * column or table since it was resolved, fail, which rolls the record back.
 */
static void
still_the_target(const HcVerdict *resolved, FunctionCallInfo fcinfo)
{
	HcVerdict	now;
	const char *column_name = resolved->ncols > 0 ? resolved->cols[0].given : NULL;

	hc_resolve(&now, resolved->schema_given, resolved->table_given,
			   column_name ? 1 : 0, &column_name, false);
	if (now.problem != HC_OK)
		hc_report(&now, ERROR);
	if (now.relid != resolved->relid ||
		(column_name && now.cols[0].attnum != resolved->cols[0].attnum))
		hc_error(column_name ? HC_MSG_REPLACED_COLUMN : HC_MSG_REPLACED_TABLE,
				 HC_ARGS(column_name ? now.cols[0].name : now.table_name));
	hc_release(&now);
}

Datum
hcguard_confirm_synced(PG_FUNCTION_ARGS)
{
	Oid			ownnsp = hc_own_schema();
	HcVerdict	v;
	Oid			types[6] = {NAMEOID, NAMEOID, NAMEOID, NAMEOID, TIMESTAMPTZOID, TEXTOID};
	Datum		values[6];
	char		nulls[7] = "      ";
	char	   *sql;

	resolve_target(&v, fcinfo, "hcguard_confirm_synced()", true);

	values[0] = name_datum(v.schema_name);
	values[1] = name_datum(v.table_name);
	values[2] = name_datum(v.ncols > 0 ? v.cols[0].name : "");
	values[3] = name_datum(GetUserNameFromId(GetUserId(), false));
	values[4] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	values[5] = PG_ARGISNULL(3) ? (Datum) 0 : PG_GETARG_DATUM(3);
	nulls[5] = PG_ARGISNULL(3) ? 'n' : ' ';

	sql = psprintf("INSERT INTO %s AS s"
				   " (schema_name, table_name, column_name, confirmed_by, confirmed_at, note)"
				   " VALUES ($1, $2, $3, $4, $5, $6)"
				   " ON CONFLICT (schema_name, table_name, column_name) DO UPDATE SET"
				   " relid = excluded.relid, attnum = excluded.attnum,"
				   " confirmed_by = excluded.confirmed_by,"
				   " confirmed_at = excluded.confirmed_at, note = excluded.note",
				   hc_store_qualified_name(ownnsp));
	/*
	 * Write without holding the mapping's lock: the INSERT may wait for
	 * another session's transaction that confirmed or revoked the same
	 * target, and Connect's ALTER TABLE, with every query on the mapping
	 * behind it, must not queue behind that wait.
	 */
	hc_release(&v);
	run_as_store_owner(ownnsp, sql, 6, types, values, nulls);
	still_the_target(&v, fcinfo);
	PG_RETURN_VOID();
}

Datum
hcguard_revoke_confirmation(PG_FUNCTION_ARGS)
{
	Oid			ownnsp = hc_own_schema();
	HcVerdict	v;
	Oid			types[3] = {NAMEOID, NAMEOID, NAMEOID};
	Datum		values[3];
	char	   *sql;
	uint64		removed;

	/* the column may be gone already: its confirmation can still be removed */
	resolve_target(&v, fcinfo, "hcguard_revoke_confirmation()", false);

	sql = psprintf("DELETE FROM %s"
				   " WHERE schema_name OPERATOR(pg_catalog.=) $1"
				   " AND table_name OPERATOR(pg_catalog.=) $2"
				   " AND column_name OPERATOR(pg_catalog.=) $3",
				   hc_store_qualified_name(ownnsp));
	/* as for confirming: no lock on the mapping while the DELETE may wait */
	hc_release(&v);

	values[0] = name_datum(v.schema_name);
	values[1] = name_datum(v.table_name);
	if (v.ncols == 0 || v.cols[0].problem != HC_NO_COLUMN)
	{
		values[2] = name_datum(v.ncols > 0 ? v.cols[0].name : "");
		removed = run_as_store_owner(ownnsp, sql, 3, types, values, NULL);
	}
	else
	{
		/* a column that no longer exists: by each spelling it is looked up by */
		const char *spelling[2];
		int			n = hc_spellings(hc_column_of_field(v.cols[0].given), spelling);

		removed = 0;
		for (int i = 0; i < n && removed == 0; i++)
		{
			values[2] = name_datum(spelling[i]);
			removed = run_as_store_owner(ownnsp, sql, 3, types, values, NULL);
		}
	}

	PG_RETURN_BOOL(removed > 0);
}
