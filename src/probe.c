/*-------------------------------------------------------------------------
 * probe.c
 *	  What Heroku Connect has written into a mapping.
 *
 * A row is Connect-written when its _hc_lastop is SYNCED, INSERTED or
 * UPDATED, or when _hc_lastop is NULL and sfid is set: Connect's initial
 * load and its reloads write rows in bulk, past the status trigger, and in
 * a mature mapping most rows look like that.  PENDING and FAILED rows carry
 * the application's values, not Salesforce's.  A column is synced when a Connect-written row holds a value
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

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/tableam.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/bufmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/rls.h"

#include "hcguard.h"

#define PROBE_FETCH 1000

void
hc_probe_init(HcProbe *probe, int ncols)
{
	memset(probe, 0, sizeof(HcProbe));
	probe->ncols = ncols;
	probe->attnums = palloc0(sizeof(AttrNumber) * Max(ncols, 1));
	probe->found = palloc0(sizeof(bool) * Max(ncols, 1));
	probe->valued = palloc0(sizeof(int64) * Max(ncols, 1));
	probe->valued_by = palloc0(sizeof(HcOriginCounts) * Max(ncols, 1));
}

static bool
is(const char *s, int len, const char *word)
{
	return len == (int) strlen(word) && memcmp(s, word, len) == 0;
}

/* A row's origin from its _hc_lastop (NULL: lastop_null) and sfid. */
static HcOrigin
origin(Datum lastop, bool lastop_null, bool has_sfid)
{
	text	   *t;
	const char *s;
	int			len;

	if (lastop_null)
		return has_sfid ? HC_ORIGIN_CONNECT : HC_ORIGIN_UNKNOWN;
	t = DatumGetTextPP(lastop);
	s = VARDATA_ANY(t);
	len = VARSIZE_ANY_EXHDR(t);
	if (is(s, len, "SYNCED") || is(s, len, "INSERTED") || is(s, len, "UPDATED"))
		return HC_ORIGIN_CONNECT;
	if (is(s, len, "PENDING"))
		return HC_ORIGIN_PENDING;
	if (is(s, len, "FAILED"))
		return HC_ORIGIN_FAILED;
	return HC_ORIGIN_OTHER;
}

/*
 * Counts one row: has_value[i] says whether wanted column i holds a value
 * in it, and op is its origin (looked at only when it matters).  Returns
 * true once nothing more is to be learned from further rows.
 */
static bool
tally(HcProbe *probe, HcOrigin op, const bool *has_value, int *unknown)
{
	if (probe->ncols == 0)
	{
		probe->rows_by[op]++;
		probe->found_row |= (op == HC_ORIGIN_CONNECT);
		return probe->found_row;
	}
	for (int i = 0; i < probe->ncols; i++)
	{
		if (!has_value[i])
			continue;
		probe->valued[i]++;
		probe->valued_by[i][op]++;
		if (op == HC_ORIGIN_CONNECT && !probe->found[i])
		{
			probe->found[i] = true;
			probe->found_row = true;
			(*unknown)--;
		}
	}
	return *unknown == 0;
}

/*
 * Looks at one row: has_value gets whether each wanted column holds a
 * value in it.  Returns true once nothing more is to be learned from
 * further rows.
 */
static bool
look_at_tuple(HcProbe *probe, HeapTuple tuple, TupleDesc desc,
			  AttrNumber lastop, AttrNumber sfid, bool *has_value, int *unknown)
{
	bool		any = (probe->ncols == 0);
	bool		lastop_null;
	bool		sfid_null = true;	/* looked at only where lastop is NULL */
	Datum		d;

	CHECK_FOR_INTERRUPTS();
	probe->rows++;
	for (int i = 0; i < probe->ncols; i++)
	{
		has_value[i] = !heap_attisnull(tuple, probe->attnums[i], desc);
		any |= has_value[i];
	}
	if (!any)
		return false;
	d = heap_getattr(tuple, lastop, desc, &lastop_null);
	if (lastop_null)
		(void) heap_getattr(tuple, sfid, desc, &sfid_null);
	return tally(probe, origin(d, lastop_null, !sfid_null), has_value, unknown);
}

static bool
look_at_row(HcProbe *probe, TupleTableSlot *slot, TupleDesc desc,
			AttrNumber lastop, AttrNumber sfid, bool *has_value, int *unknown)
{
	bool		should_free;
	HeapTuple	tuple = ExecFetchSlotHeapTuple(slot, false, &should_free);
	bool		done = look_at_tuple(probe, tuple, desc, lastop, sfid, has_value, unknown);

	if (should_free)
		heap_freetuple(tuple);
	return done;
}

static void
probe_heap(Relation rel, AttrNumber lastop, AttrNumber sfid, HcProbe *probe,
		   Snapshot snapshot)
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

	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
		if (look_at_row(probe, slot, desc, lastop, sfid, has_value, &unknown))
			break;
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
}

/*
 * Blocks the table is known to have, without asking its size where this
 * session read it before: the size last read is kept with the relation's
 * storage (PostgreSQL 14 and later), and PostgreSQL's own visibility map
 * code trusts it the same way.  Whatever shrinks a table sends an
 * invalidation that makes every session forget the size, under a lock that
 * conflicts with the caller's ("The caller must hold AccessExclusiveLock on
 * the relation, to ensure that other backends receive the smgr
 * invalidation event ... before they access any forks of the relation
 * again", smgrtruncate's rule; TRUNCATE and rewrites give the table new
 * storage), and taking the caller's lock afterwards delivers it.  So the
 * kept size may be short of the table's (other sessions' inserts), never
 * past its end.
 */
static BlockNumber
known_blocks(Relation rel)
{
	BlockNumber blocks = hc_cached_blocks(rel);

	return blocks != InvalidBlockNumber ? blocks : RelationGetNumberOfBlocks(rel);
}

/*
 * Whether a row's _hc_lastop is stored apart from the row (TOAST) or
 * compressed: reading it then reads other pages, which is not done while
 * holding the lock on this one.  Connect writes a short word there; only
 * an application could put anything longer.
 */
static bool
lastop_stored_apart(HeapTuple tuple, TupleDesc desc, AttrNumber lastop)
{
	bool		isnull;
	Datum		d = heap_getattr(tuple, lastop, desc, &isnull);

	return !isnull && TupleDescAttr(desc, lastop - 1)->attlen == -1 &&
		(VARATT_IS_EXTERNAL(DatumGetPointer(d)) ||
		 VARATT_IS_COMPRESSED(DatumGetPointer(d)));
}

/*
 * Whether row-level security applies to the caller's read of the table.
 * Most tables do not enable it, which the open relation says without the
 * catalog lookup check_enable_rls begins with.
 */
static bool
rls_enabled(Relation rel)
{
	return rel->rd_rel->relrowsecurity &&
		check_enable_rls(RelationGetRelid(rel), InvalidOid, false) == RLS_ENABLED;
}

/*
 * The probe of a table's first rows, at most rows of them, block by block
 * from the first: a guard's first look (see judge_by_data), where Connect's
 * initial load put its rows.  A heap scan would first ask the table's size,
 * with a system call that costs more than the rest of a passing guard's
 * look; the rows are read by their place instead, each block once, with the
 * visibility, predicate locking and HOT-chain rules of an index scan's
 * fetch (heap_hot_search_buffer), and only from blocks the table is known
 * to have (known_blocks).  A row is looked at in place, under the block's
 * share lock, unless its _hc_lastop is stored apart: that row is copied
 * first.  Only a heap table without row-level security for the caller is
 * read so; false says that nothing was read.
 */
bool
hc_probe_first_rows(Relation rel, AttrNumber lastop, AttrNumber sfid,
					HcProbe *probe, Snapshot snapshot, int64 rows)
{
	TupleDesc	desc = RelationGetDescr(rel);
	BlockNumber blocks;
	bool	   *has_value;
	int			unknown = probe->ncols;
	bool		done = false;

	if (rel->rd_tableam != GetHeapamTableAmRoutine() || rls_enabled(rel))
		return false;
	blocks = known_blocks(rel);
	has_value = palloc0(sizeof(bool) * Max(probe->ncols, 1));
	for (BlockNumber block = 0; block < blocks && !done && probe->rows < rows; block++)
	{
		Buffer		buf = ReadBuffer(rel, block);
		OffsetNumber last;

		/* as an index scan's fetch does on reaching a block */
		heap_page_prune_opt(rel, buf);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		last = PageGetMaxOffsetNumber(BufferGetPage(buf));
		for (OffsetNumber off = FirstOffsetNumber;
			 off <= last && !done && probe->rows < rows; off++)
		{
			ItemPointerData tid;
			HeapTupleData tuple;

			/*
			 * A row's current version, reached from where its first was
			 * put: a later version (HOT) is not a place of its own here.
			 */
			ItemPointerSet(&tid, block, off);
			if (!heap_hot_search_buffer(&tid, rel, buf, snapshot, &tuple, NULL, true))
				continue;
			/* counted as an index scan's rows are, in idx_tup_fetch */
			pgstat_count_heap_fetch(rel);
			if (lastop_stored_apart(&tuple, desc, lastop))
			{
				HeapTuple	copy = heap_copytuple(&tuple);

				/* the pin keeps the page's rows where they are meanwhile */
				LockBuffer(buf, BUFFER_LOCK_UNLOCK);
				done = look_at_tuple(probe, copy, desc, lastop, sfid, has_value, &unknown);
				heap_freetuple(copy);
				LockBuffer(buf, BUFFER_LOCK_SHARE);
			}
			else
				done = look_at_tuple(probe, &tuple, desc, lastop, sfid, has_value, &unknown);
		}
		UnlockReleaseBuffer(buf);
	}
	return true;
}

static char *
probe_query(Relation rel, AttrNumber lastop, AttrNumber sfid, HcProbe *probe)
{
	TupleDesc	desc = RelationGetDescr(rel);
	StringInfoData q;

	initStringInfo(&q);
	appendStringInfo(&q, "SELECT %s::pg_catalog.text, %s IS NOT NULL",
					 quote_identifier(NameStr(TupleDescAttr(desc, lastop - 1)->attname)),
					 quote_identifier(NameStr(TupleDescAttr(desc, sfid - 1)->attname)));
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
	while (!done)
	{
		SPI_cursor_fetch(portal, true, PROBE_FETCH);
		if (SPI_processed == 0)
			break;
		for (uint64 r = 0; r < SPI_processed && !done; r++)
		{
			HeapTuple	tup = SPI_tuptable->vals[r];
			TupleDesc	desc = SPI_tuptable->tupdesc;
			bool		lastop_null;
			bool		isnull;
			Datum		d = SPI_getbinval(tup, desc, 1, &lastop_null);
			bool		has_sfid = DatumGetBool(SPI_getbinval(tup, desc, 2, &isnull));

			for (int i = 0; i < probe->ncols; i++)
				has_value[i] = DatumGetBool(SPI_getbinval(tup, desc, i + 3, &isnull));
			probe->rows++;
			done = tally(probe, origin(d, lastop_null, has_sfid), has_value,
						 &unknown);
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
hc_probe_run(Relation rel, AttrNumber lastop, AttrNumber sfid, HcProbe *probe,
			 Snapshot snapshot)
{
	if (rls_enabled(rel))
	{
		PolicyProbe pp = {probe_query(rel, lastop, sfid, probe), probe};

		/* the planner locks the table's indexes too: release all of it */
		hc_without_locks(probe_policies_work, &pp);
	}
	else
		probe_heap(rel, lastop, sfid, probe, snapshot);
}
