/*-------------------------------------------------------------------------
 * probe.c
 *	  What Heroku Connect has written into a mapping.
 *
 * A row is Connect-written when its _hc_lastop is SYNCED, INSERTED or
 * UPDATED; PENDING and FAILED rows carry the application's values, not
 * Salesforce's.  A column is synced when a Connect-written row holds a value
 * in it.  The probe reads rows until every wanted column is known synced
 * (for a synced field that is the first row) and only reads the whole table
 * when something is not synced, which is also when the counts it gathers on
 * the way are worth reporting.
 *
 * A row whose wanted columns are all null is passed over on its null bitmap
 * alone: reading its _hc_lastop would mean unpacking every column before it,
 * which is most of the cost of scanning a wide mapping for a field nobody
 * filled.
 *
 * The scan runs under the caller's snapshot and lock (see hc_lock_table).  A
 * table with row-level security enabled for the caller is read through SPI
 * instead, so that its policies apply (see hc_without_locks for its locks).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/tableam.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/rls.h"

#include "hcguard.h"

typedef enum LastOp
{
	LASTOP_CONNECT,
	LASTOP_PENDING,
	LASTOP_FAILED,
	LASTOP_OTHER
} LastOp;

#define PROBE_FETCH 1000

void
hc_probe_init(HcProbe *probe, int ncols)
{
	memset(probe, 0, sizeof(HcProbe));
	probe->ncols = ncols;
	probe->attnums = palloc0(sizeof(AttrNumber) * Max(ncols, 1));
	probe->found = palloc0(sizeof(bool) * Max(ncols, 1));
	probe->valued = palloc0(sizeof(int64) * Max(ncols, 1));
	probe->valued_pending = palloc0(sizeof(int64) * Max(ncols, 1));
	probe->valued_failed = palloc0(sizeof(int64) * Max(ncols, 1));
}

static bool
is(const char *s, int len, const char *word)
{
	return len == (int) strlen(word) && memcmp(s, word, len) == 0;
}

static LastOp
classify(Datum lastop)
{
	text	   *t = DatumGetTextPP(lastop);
	const char *s = VARDATA_ANY(t);
	int			len = VARSIZE_ANY_EXHDR(t);

	if (is(s, len, "SYNCED") || is(s, len, "INSERTED") || is(s, len, "UPDATED"))
		return LASTOP_CONNECT;
	if (is(s, len, "PENDING"))
		return LASTOP_PENDING;
	if (is(s, len, "FAILED"))
		return LASTOP_FAILED;
	return LASTOP_OTHER;
}

/*
 * Counts one row: has_value[i] says whether wanted column i holds a value
 * in it, and op is its origin (looked at only when it matters).  Returns
 * true once nothing more is to be learned from further rows.
 */
static bool
tally(HcProbe *probe, LastOp op, const bool *has_value, int *unknown)
{
	if (probe->ncols == 0)
	{
		probe->connect_rows += (op == LASTOP_CONNECT);
		probe->pending_rows += (op == LASTOP_PENDING);
		probe->failed_rows += (op == LASTOP_FAILED);
		probe->found_row |= (op == LASTOP_CONNECT);
		return probe->found_row;
	}
	for (int i = 0; i < probe->ncols; i++)
	{
		if (!has_value[i])
			continue;
		probe->valued[i]++;
		probe->valued_pending[i] += (op == LASTOP_PENDING);
		probe->valued_failed[i] += (op == LASTOP_FAILED);
		if (op == LASTOP_CONNECT && !probe->found[i])
		{
			probe->found[i] = true;
			probe->found_row = true;
			(*unknown)--;
		}
	}
	return *unknown == 0;
}

static void
probe_heap(Relation rel, AttrNumber lastop, HcProbe *probe, Snapshot snapshot)
{
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	TupleDesc	desc = RelationGetDescr(rel);

	/*
	 * From the first block, not wherever a concurrent scan is (syncscan):
	 * Connect's initial load is where its rows are.  The bulk-read ring still
	 * keeps a whole-table scan from flushing shared buffers.
	 */
	TableScanDesc scan = table_beginscan_strat(rel, snapshot, 0, NULL,
											   true, false);
	bool	   *has_value = palloc0(sizeof(bool) * Max(probe->ncols, 1));
	int			unknown = probe->ncols;

	probe->complete = true;
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		bool		any = (probe->ncols == 0);
		bool		isnull;
		Datum		d;
		LastOp		op = LASTOP_OTHER;

		CHECK_FOR_INTERRUPTS();
		probe->rows++;
		if (probe->ncols > 0)
		{
			bool		should_free;
			HeapTuple	tuple = ExecFetchSlotHeapTuple(slot, false, &should_free);

			for (int i = 0; i < probe->ncols; i++)
			{
				has_value[i] = !heap_attisnull(tuple, probe->attnums[i], desc);
				any |= has_value[i];
			}
			if (should_free)
				heap_freetuple(tuple);
		}
		if (!any)
			continue;
		d = slot_getattr(slot, lastop, &isnull);
		op = isnull ? LASTOP_OTHER : classify(d);
		if (tally(probe, op, has_value, &unknown))
		{
			probe->complete = false;
			break;
		}
	}
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
}

static char *
probe_query(Relation rel, AttrNumber lastop, HcProbe *probe)
{
	TupleDesc	desc = RelationGetDescr(rel);
	StringInfoData q;

	initStringInfo(&q);
	appendStringInfo(&q, "SELECT %s::pg_catalog.text",
					 quote_identifier(NameStr(TupleDescAttr(desc, lastop - 1)->attname)));
	for (int i = 0; i < probe->ncols; i++)
		appendStringInfo(&q, ", %s IS NOT NULL",
						 quote_identifier(NameStr(TupleDescAttr(desc, probe->attnums[i] - 1)->attname)));
	appendStringInfo(&q, " FROM ONLY %s",
					 quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
												RelationGetRelationName(rel)));
	return q.data;
}

static void
probe_policies_spi(const char *query, HcProbe *probe)
{
	bool	   *has_value = palloc0(sizeof(bool) * Max(probe->ncols, 1));
	int			unknown = probe->ncols;
	Portal		portal;
	bool		done = false;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	portal = SPI_cursor_open_with_args(NULL, query, 0, NULL, NULL, NULL,
									   true, 0);
	probe->complete = true;
	while (!done)
	{
		SPI_cursor_fetch(portal, true, PROBE_FETCH);
		if (SPI_processed == 0)
			break;
		for (uint64 r = 0; r < SPI_processed && !done; r++)
		{
			HeapTuple	tup = SPI_tuptable->vals[r];
			TupleDesc	desc = SPI_tuptable->tupdesc;
			bool		isnull;
			Datum		d = SPI_getbinval(tup, desc, 1, &isnull);
			LastOp		op = isnull ? LASTOP_OTHER : classify(d);

			for (int i = 0; i < probe->ncols; i++)
				has_value[i] = DatumGetBool(SPI_getbinval(tup, desc, i + 2, &isnull));
			probe->rows++;
			if (tally(probe, op, has_value, &unknown))
			{
				probe->complete = false;
				done = true;
			}
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	SPI_finish();
}

typedef struct PolicyProbe
{
	const char *query;
	HcProbe    *probe;
} PolicyProbe;

static void
probe_policies_work(void *arg)
{
	PolicyProbe *pp = arg;

	probe_policies_spi(pp->query, pp->probe);
}

void
hc_probe_run(Relation rel, AttrNumber lastop, HcProbe *probe, Snapshot snapshot)
{
	if (check_enable_rls(RelationGetRelid(rel), InvalidOid, false) == RLS_ENABLED)
	{
		PolicyProbe pp = {probe_query(rel, lastop, probe), probe};

		/* the planner locks the table's indexes too: release all of it */
		hc_without_locks(probe_policies_work, &pp);
	}
	else
		probe_heap(rel, lastop, probe, snapshot);
}
