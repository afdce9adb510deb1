/*-------------------------------------------------------------------------
 * connect_state.c
 *	  Heroku Connect's own word on a mapping, from the last report its API
 *	  gave (recorded by hcguard_record_connect_state, ddl/connect_state.sql).
 *
 * The guard asks on every verdict, so the question must cost next to
 * nothing when no report was recorded: one index probe of the schema's
 * snapshot, which most databases do not have.  The SQL edition asks the
 * same of hcguard__connect_verdict, in the same words (src/messages.txt).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/nbtree.h"
#include "access/table.h"
#include "catalog/pg_am.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "storage/bufmgr.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "hcguard.h"

#define SNAPSHOT_TABLE "connect_snapshot"
#define SNAPSHOT_INDEX "connect_snapshot_pkey"
#define MAPPING_TABLE "connect_mapping_state"
#define MAPPING_INDEX "connect_mapping_state_pkey"
#define SNAPSHOT_TRIGGER "hcguard_connect_state_changed"

/* connect_snapshot's columns */
#define Anum_snapshot_connection_state 2
#define Anum_snapshot_recorded_at 3
/* connect_mapping_state's */
#define Anum_mapping_state 4
#define Anum_mapping_columns 7

/* The connection states in which Connect syncs (hcguard__connect_idle). */
static bool
connection_idle(const char *state)
{
	return strcmp(state, "IDLE") == 0 || strcmp(state, "POLLING_DB_CHANGES") == 0;
}

/* What a state means, in the catalogue's words (hcguard__connect_meaning). */
static const char *
meaning(const char *state)
{
	char	   *id = psprintf("connect_state_%s", state);
	const char *text;

	for (const char *p = state; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || *p == '_'))
			return hc_text(HC_MSG_CONNECT_STATE_UNKNOWN, HC_NO_ARGS);
	if (*state == '\0')
		return hc_text(HC_MSG_CONNECT_STATE_UNKNOWN, HC_NO_ARGS);
	text = hc_text_of(hc_lower(id));
	return text ? text : hc_text(HC_MSG_CONNECT_STATE_UNKNOWN, HC_NO_ARGS);
}

/* "134 seconds": how long ago the snapshot was recorded, in whole seconds. */
static char *
age(TimestampTz recorded_at)
{
	int64		secs = (GetCurrentTimestamp() - recorded_at) / USECS_PER_SEC;

	if (secs < 0)
		secs = 0;
	return hc_text(secs == 1 ? HC_MSG_SECONDS_ONE : HC_MSG_SECONDS_MANY,
				   HC_ARGS(hc_int(secs)));
}

/*
 * Whether a btree index has never held an entry: its metapage names no
 * root.  Every row written to the table, committed or not, put its entry
 * there first, so a scan of such an index finds nothing under any snapshot.
 * One page in shared buffers says so: less than the scan costs, and less
 * than asking the table's size, which is a system call.
 */
static bool
never_written(Oid indexid)
{
	Relation	index = index_open(indexid, AccessShareLock);
	bool		empty = false;

	if (index->rd_rel->relam == BTREE_AM_OID)
	{
		Buffer		buf = ReadBuffer(index, BTREE_METAPAGE);

		LockBuffer(buf, BT_READ);
		empty = (BTPageGetMeta(BufferGetPage(buf))->btm_root == P_NONE);
		UnlockReleaseBuffer(buf);
	}
	index_close(index, AccessShareLock);
	return empty;
}

/*
 * Whether no report of Connect's state was ever recorded in this database:
 * most databases', where every guard would otherwise read the store's
 * metapage.  Once seen, it is kept until the catalogs' next generation
 * (catalog_memory.c), which any write to the store starts: the store's
 * trigger hcguard_connect_state_changed sends an invalidation of it
 * (src/extension/v1.2.sql).  Invalidations are taken in first, so that a
 * report whose writer committed before this guard began is seen; one whose
 * commit this guard's snapshot sees in the instant before its invalidation
 * is sent is not, as if the guard had run just before that commit.  Where
 * the trigger is not armed (disabled by hand), nothing is kept.
 */
static bool
nothing_recorded(Oid ownnsp)
{
	static uint64 seen_in = 0;
	static Oid	seen_nsp = InvalidOid;
	uint64		now;
	Oid			relid;
	Oid			indexid;
	Relation	rel;
	bool		armed;

	AcceptInvalidationMessages();
	now = hc_catalog_generation();
	if (seen_in == now && seen_nsp == ownnsp)
		return true;
	relid = hc_own_relid(ownnsp, SNAPSHOT_TABLE);
	indexid = hc_own_relid(ownnsp, SNAPSHOT_INDEX);
	if (!OidIsValid(relid) || !OidIsValid(indexid))
		return true;			/* the extension's SQL not yet updated to 1.2 */
	rel = table_open(relid, AccessShareLock);
	armed = hc_forgotten_on_write(rel, SNAPSHOT_TRIGGER);
	table_close(rel, AccessShareLock);
	if (!never_written(indexid))
		return false;
	if (armed)
	{
		seen_in = now;
		seen_nsp = ownnsp;
	}
	return true;
}

/*
 * Reads the one row of an index probe by name keys: the row's heap tuple,
 * copied, or NULL.  The store tables exist from 1.2 on; before the
 * extension's SQL is updated there are none, and nothing was recorded.
 * Only a guard that found a report recorded gets here (nothing_recorded):
 * an index scan then costs no more than asking whether the index is empty.
 */
static HeapTuple
probe(Oid ownnsp, const char *table, const char *index, int nkeys,
	  const char *const *key_names, TupleDesc *desc)
{
	Oid			indexid = hc_own_relid(ownnsp, index);
	Oid			relid;
	ScanKeyData keys[2];
	NameData	names[2];
	Relation	rel;
	SysScanDesc scan;
	HeapTuple	tup;
	HeapTuple	copy = NULL;

	relid = hc_own_relid(ownnsp, table);
	if (!OidIsValid(indexid) || !OidIsValid(relid))
		return NULL;
	for (int i = 0; i < nkeys; i++)
	{
		namestrcpy(&names[i], key_names[i]);
		ScanKeyInit(&keys[i], i + 1, BTEqualStrategyNumber, F_NAMEEQ,
					NameGetDatum(&names[i]));
	}
	rel = table_open(relid, AccessShareLock);
	scan = systable_beginscan(rel, indexid, true, NULL, nkeys, keys);
	if (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		copy = heap_copytuple(tup);
		*desc = CreateTupleDescCopy(RelationGetDescr(rel));
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return copy;
}

static char *
text_attr(HeapTuple tup, TupleDesc desc, AttrNumber attnum)
{
	bool		isnull;
	Datum		d = heap_getattr(tup, attnum, desc, &isnull);

	return isnull ? pstrdup("") : TextDatumGetCString(d);
}

/*
 * Connect's word on one mapping: none (no fresh snapshot of the schema, or
 * one of an idle connection that does not list the mapping), synced (an idle connection, the
 * mapping DATA_SYNCED: its configured fields' columns in word->columns), or
 * blocked (any other state: word->blocked says which, what it means, and
 * how old the snapshot is).
 */
HcConnectState
hc_connect_word(Oid ownnsp, const char *schema_name, const char *table_name,
				HcConnectWord *word)
{
	TupleDesc	desc;
	HeapTuple	snapshot;
	HeapTuple	mapping;
	TimestampTz recorded_at;
	char	   *connection_state;
	char	   *mapping_state;
	bool		isnull;

	memset(word, 0, sizeof(HcConnectWord));
	if (nothing_recorded(ownnsp))
		return HC_CONNECT_NONE;
	snapshot = probe(ownnsp, SNAPSHOT_TABLE, SNAPSHOT_INDEX, 1,
					 HC_ARGS(schema_name), &desc);
	if (snapshot == NULL)
		return HC_CONNECT_NONE;
	recorded_at = DatumGetTimestampTz(heap_getattr(snapshot, Anum_snapshot_recorded_at,
												   desc, &isnull));
	if (isnull || GetCurrentTimestamp() - recorded_at >
		(int64) hc_connect_state_max_age * USECS_PER_SEC)
		return HC_CONNECT_NONE;
	connection_state = text_attr(snapshot, desc, Anum_snapshot_connection_state);

	/* a connection that does not sync holds every mapping back, listed or not */
	if (!connection_idle(connection_state))
	{
		word->blocked = hc_text(HC_MSG_CONNECT_CONNECTION_STATE,
								HC_ARGS(connection_state, meaning(connection_state),
										age(recorded_at)));
		return HC_CONNECT_BLOCKED;
	}

	mapping = probe(ownnsp, MAPPING_TABLE, MAPPING_INDEX, 2,
					HC_ARGS(schema_name, table_name), &desc);
	if (mapping == NULL)
		return HC_CONNECT_NONE;
	mapping_state = text_attr(mapping, desc, Anum_mapping_state);
	if (strcmp(mapping_state, "DATA_SYNCED") != 0)
	{
		word->blocked = hc_text(HC_MSG_CONNECT_MAPPING_STATE,
								HC_ARGS(mapping_state, meaning(mapping_state),
										age(recorded_at)));
		return HC_CONNECT_BLOCKED;
	}
	{
		Datum		columns = heap_getattr(mapping, Anum_mapping_columns, desc, &isnull);

		if (!isnull)
			deconstruct_array(DatumGetArrayTypeP(columns), NAMEOID, NAMEDATALEN, false,
							  TYPALIGN_CHAR, &word->columns, NULL, &word->ncolumns);
	}
	return HC_CONNECT_SYNCED;
}

/* Whether a synced mapping's configured fields include the column. */
bool
hc_connect_vouches(const HcConnectWord *word, const char *column_name)
{
	for (int i = 0; i < word->ncolumns; i++)
		if (strcmp(NameStr(*DatumGetName(word->columns[i])), column_name) == 0)
			return true;
	return false;
}
