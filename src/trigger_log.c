/*-------------------------------------------------------------------------
 * trigger_log.c
 *	  Write health: what Connect still has to push to Salesforce, and what
 *	  Salesforce refused, per mapping, from _trigger_log and its archive.
 *
 * The queries ask exactly what Connect's partial indexes answer
 * (_trigger_log (state, table_name) WHERE state IN ('NEW', 'PENDING'),
 * _trigger_log_archive (state, table_name) WHERE state = 'FAILED'), and
 * sequential scans are priced out, so that the cost follows the number of
 * pending and failed rows rather than the size of the logs.  They run as
 * the caller, with search_path pinned, and hold no lock afterwards.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"

#include "hcguard.h"

static const char *const pending_query =
"SELECT table_name::text, count(*)"
"  FROM %s._trigger_log"
" WHERE state IN ('NEW', 'PENDING')"
" GROUP BY table_name";

static const char *const failed_query =
"SELECT table_name::text, count(*), max(at),"
"       (array_agg(sf_message ORDER BY at DESC NULLS LAST))[1]"
"  FROM (SELECT table_name, COALESCE(processed_at, updated_at, created_at) AS at, sf_message"
"          FROM %s._trigger_log WHERE state = 'FAILED'"
"        UNION ALL"
"        SELECT table_name, COALESCE(processed_at, updated_at, created_at), sf_message"
"          FROM %s._trigger_log_archive WHERE state = 'FAILED') AS f"
" GROUP BY table_name";

typedef struct LogQuery
{
	const char *schema;
	bool		pending_known;	/* the caller may read _trigger_log */
	bool		failed_known;	/* ... and _trigger_log_archive */
	List	   *health;			/* of HcWriteHealth */
} LogQuery;

static HcWriteHealth *
health_of(List **health, const char *table_name)
{
	ListCell   *lc;
	HcWriteHealth *h;

	foreach(lc, *health)
	{
		h = lfirst(lc);
		if (strcmp(h->table_name, table_name) == 0)
			return h;
	}
	h = palloc0(sizeof(HcWriteHealth));
	h->table_name = pstrdup(table_name);
	*health = lappend(*health, h);
	return h;
}

/* Runs a query of the logs; the rows are in SPI_tuptable. */
static void
run(const char *sql)
{
	if (SPI_execute(sql, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "hcguard could not read Heroku Connect's trigger log");
}

/* The pending writes per table, from the rows of pending_query. */
static void
take_pending(LogQuery *q, MemoryContext caller)
{
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		char	   *name = SPI_getvalue(tup, desc, 1);
		MemoryContext old;
		HcWriteHealth *h;

		if (name == NULL)
			continue;
		old = MemoryContextSwitchTo(caller);
		h = health_of(&q->health, name);
		h->pending = DatumGetInt64(SPI_getbinval(tup, desc, 2, &isnull));
		MemoryContextSwitchTo(old);
	}
}

/* The failed writes per table, from the rows of failed_query. */
static void
take_failed(LogQuery *q, MemoryContext caller)
{
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		count_null;
		bool		at_null;
		char	   *name = SPI_getvalue(tup, desc, 1);
		char	   *message = SPI_getvalue(tup, desc, 4);
		Datum		count = SPI_getbinval(tup, desc, 2, &count_null);
		Datum		at = SPI_getbinval(tup, desc, 3, &at_null);
		MemoryContext old;
		HcWriteHealth *h;

		if (name == NULL)
			continue;
		old = MemoryContextSwitchTo(caller);
		h = health_of(&q->health, name);
		h->failed = count_null ? 0 : DatumGetInt64(count);
		/* a failure whose every timestamp is NULL has no time to show */
		h->has_failure_at = !at_null;
		if (!at_null)
			h->last_failure_at = DatumGetTimestampTz(at);
		h->last_failure = message ? pstrdup(message) : NULL;
		MemoryContextSwitchTo(old);
	}
}

static void
read_logs(void *arg)
{
	LogQuery   *q = arg;
	MemoryContext caller = CurrentMemoryContext;
	int			nestlevel = NewGUCNestLevel();
	const char *s = quote_identifier(q->schema);

	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);
	(void) set_config_option("enable_seqscan", "off",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	/*
	 * Each result is read right after its own query: where the caller may
	 * read only _trigger_log, the failed writes stay unknown rather than be
	 * read from the pending query's rows.
	 */
	if (q->pending_known)
	{
		run(psprintf(pending_query, s));
		take_pending(q, caller);
	}
	if (q->failed_known)
	{
		run(psprintf(failed_query, s, s));
		take_failed(q, caller);
	}

	SPI_finish();
	AtEOXact_GUC(true, nestlevel);
}

/* Whether a log has the columns the queries read (a stray schema may not). */
static bool
log_readable(Oid nspid, const char *name)
{
	static const char *const columns[] = {
		"state", "table_name", "sf_message", "processed_at", "updated_at", "created_at"
	};
	Oid			relid = get_relname_relid(name, nspid);

	if (!OidIsValid(relid) ||
		pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		return false;
	for (int i = 0; i < (int) lengthof(columns); i++)
		if (get_attnum(relid, columns[i]) <= 0)
			return false;
	return true;
}

/*
 * The write health of every table of a Connect schema that has pending or
 * failed writes.  What the caller may not read is unknown, not zero:
 * pending_known needs SELECT on _trigger_log, failed_known on both logs,
 * and both need the logs to have Connect's columns.
 */
List *
hc_write_health(Oid nspid, bool *pending_known, bool *failed_known)
{
	LogQuery	q = {get_namespace_name(nspid), false, false, NIL};

	q.pending_known = log_readable(nspid, "_trigger_log");
	q.failed_known = q.pending_known &&
		log_readable(nspid, "_trigger_log_archive");
	*pending_known = q.pending_known;
	*failed_known = q.failed_known;
	if (q.pending_known)
		hc_without_locks(read_logs, &q);
	return q.health;
}

const HcWriteHealth *
hc_write_health_of(List *health, const char *table_name)
{
	ListCell   *lc;

	foreach(lc, health)
	{
		HcWriteHealth *h = lfirst(lc);

		if (strcmp(h->table_name, table_name) == 0)
			return h;
	}
	return NULL;
}
