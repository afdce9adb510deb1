/*-------------------------------------------------------------------------
 * verdict.c
 *	  Whether Heroku Connect has mapped and synced what a caller needs.
 *
 * A verdict is reached in two steps.  hc_resolve walks the names down the
 * contract's chain (schema, Connect schema, table, mapping, read rights,
 * columns) using only the catalogs, and stops at the first broken link.
 * hc_judge then asks for evidence of a sync: a confirmation first, since it
 * answers without reading the table, then the data.  The verdict records
 * everything the report needs, so that the guard, the status row and the
 * warning all say the same thing.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "access/xact.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "compat.h"
#include "hcguard.h"

static bool
can_read(const HcVerdict *v)
{
	Oid			roleid = GetUserId();

	if (pg_class_aclcheck(v->relid, roleid, ACL_SELECT) == ACLCHECK_OK)
		return true;

	/* column privileges will do, on every column the probe reads */
	if (pg_attribute_aclcheck(v->relid, v->lastop, roleid, ACL_SELECT) != ACLCHECK_OK ||
		pg_attribute_aclcheck(v->relid, v->sfid, roleid, ACL_SELECT) != ACLCHECK_OK)
		return false;
	for (int i = 0; i < v->ncols; i++)
		if (v->cols[i].attnum != InvalidAttrNumber &&
			pg_attribute_aclcheck(v->relid, v->cols[i].attnum, roleid,
								  ACL_SELECT) != ACLCHECK_OK)
			return false;
	return true;
}

/*
 * Finds and locks the table.  The name is looked up again once the lock is
 * held, in case the table was dropped or replaced meanwhile.
 */
static void
lock_table(HcVerdict *v)
{
	for (;;)
	{
		char		found[NAMEDATALEN];
		char		again[NAMEDATALEN];

		v->relid = hc_find_table(v->nspid, v->table_given, found);
		if (!OidIsValid(v->relid))
			return;
		v->table_name = pstrdup(found);
		hc_lock_table(v->relid);
		if (hc_find_table(v->nspid, v->table_given, again) == v->relid)
			break;
		hc_unlock_table(v->relid);
	}
	v->locked = true;
}

/* Whether an earlier column of the list names the same column. */
static bool
listed_before(const HcVerdict *v, int n, const HcColumnVerdict *col)
{
	for (int i = 0; i < n; i++)
	{
		const HcColumnVerdict *other = &v->cols[i];

		CHECK_FOR_INTERRUPTS();

		if (col->attnum != InvalidAttrNumber ? other->attnum == col->attnum :
			(other->attnum == InvalidAttrNumber &&
			 strcmp(other->given, col->given) == 0))
			return true;
	}
	return false;
}

/*
 * A column whose declaration names a type must have that type, modifier
 * included, as format_type writes them: Connect keeps a column's type when
 * the Salesforce field's type or length changes.
 */
static void
check_type(const HcVerdict *v, HcColumnVerdict *col)
{
	Oid			type;
	int32		typmod;
	Oid			collation;

	if (!OidIsValid(col->declared))
		return;
	get_atttypetypmodcoll(v->relid, col->attnum, &type, &typmod, &collation);
	col->declared_type = format_type_with_typemod(col->declared, col->declared_typmod);
	col->actual_type = format_type_with_typemod(type, typmod);
	if (strcmp(col->declared_type, col->actual_type) != 0)
		col->problem = HC_WRONG_TYPE;
}

/*
 * Resolves the listed columns; one listed twice (as Name and name) counts
 * once, with its first declaration.  A column of a mapping recalled from
 * the session's memory may be recalled too; one found and of its declared
 * type is kept there, for the generation 'since' (catalog_memory.c).
 */
static void
resolve_columns(HcVerdict *v, bool recalled, uint64 since)
{
	List	   *existing = NIL;
	int			kept = 0;

	for (int i = 0; i < v->ncols; i++)
	{
		HcColumnVerdict *col = &v->cols[kept];
		char		found[NAMEDATALEN];
		bool		known;

		*col = v->cols[i];
		known = recalled && hc_recall_column(v->relid, col, found);
		if (!known)
			col->attnum = hc_find_column(v->relid, col->given, found);
		if (listed_before(v, kept, col))
			continue;
		kept++;
		if (col->attnum != InvalidAttrNumber)
		{
			col->name = pstrdup(found);
			if (known)
				continue;
			check_type(v, col);
			if (col->problem == HC_OK)
				hc_keep_column(v->relid, col, since);
			continue;
		}
		col->problem = HC_NO_COLUMN;
		if (existing == NIL)
			existing = hc_field_column_names(v->relid);
		col->closest = hc_closest_names(col->given, existing);
	}
	v->ncols = kept;
}

static void
start_verdict(HcVerdict *v, const char *schema_name)
{
	memset(v, 0, sizeof(HcVerdict));
	initStringInfo(&v->why);
	v->schema_given = schema_name;
	v->schema_name = schema_name;
	v->cols = palloc0(sizeof(HcColumnVerdict));
}

/*
 * The first links of the chain: the schema exists, the caller may use it,
 * it is a Connect schema.  Returns whether all hold.
 */
bool
hc_resolve_schema(HcVerdict *v, const char *schema_name, bool check_read)
{
	char		found[NAMEDATALEN];

	start_verdict(v, schema_name);
	v->nspid = hc_find_schema(schema_name, found);
	if (OidIsValid(v->nspid))
		v->schema_name = pstrdup(found);
	else
	{
		v->problem = HC_NO_SCHEMA;
		v->closest = hc_connect_schemas();
		return false;
	}
	if (check_read &&
		hc_namespace_aclcheck(v->nspid, GetUserId(), ACL_USAGE) != ACLCHECK_OK)
	{
		v->problem = HC_SCHEMA_DENIED;
		return false;
	}
	if (!hc_is_connect_schema(v->nspid, &v->why))
	{
		v->problem = HC_NOT_CONNECT;
		v->closest = hc_connect_schemas();
		return false;
	}
	v->connect_schema = true;
	return true;
}

void
hc_resolve(HcVerdict *v, const char *schema_name, const char *table_name,
		   int ncols, const char **column_names, bool check_read)
{
	HcColumnArg *columns = palloc0(sizeof(HcColumnArg) * Max(ncols, 1));

	for (int i = 0; i < ncols; i++)
		columns[i].name = column_names[i];
	hc_resolve_declared(v, schema_name, table_name, ncols, columns, check_read);
}

/*
 * A mapping the caller resolved before, in this generation of the catalogs,
 * locked; false if there is none.  Taking the lock delivers the
 * invalidations of whatever changed the table meanwhile (DDL sends them
 * before it lets go of its own lock): if any came, the memory is not used.
 */
static bool
recall_mapping(HcVerdict *v, const char *schema_name, const char *table_name,
			   uint64 since)
{
	HcKeptMapping m;

	if (!hc_recall_mapping(GetUserId(), schema_name, table_name, &m))
		return false;
	hc_lock_table(m.relid);
	if (hc_catalog_generation() != since)
	{
		hc_unlock_table(m.relid);
		return false;
	}
	start_verdict(v, schema_name);
	v->nspid = m.nspid;
	v->schema_name = pstrdup(NameStr(m.schema_name));
	v->connect_schema = true;
	v->relid = m.relid;
	v->table_name = pstrdup(NameStr(m.table_name));
	v->locked = true;
	v->lastop = m.lastop;
	v->sfid = m.sfid;
	return true;
}

/*
 * Keeps a mapping that resolved, for the caller's role: only where the role
 * may read the whole table, so that a recalled mapping needs no check of
 * its columns' rights.
 */
static void
keep_mapping(const HcVerdict *v, uint64 since)
{
	HcKeptMapping m;

	if (pg_class_aclcheck(v->relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		return;
	memset(&m, 0, sizeof(m));
	m.nspid = v->nspid;
	m.relid = v->relid;
	m.lastop = v->lastop;
	m.sfid = v->sfid;
	namestrcpy(&m.schema_name, v->schema_name);
	namestrcpy(&m.table_name, v->table_name);
	hc_keep_mapping(GetUserId(), v->schema_given, v->table_given, &m, since);
}

/*
 * The active snapshot under which hcguard first resolved names, and the
 * catalogs' generation when it began (see hc_judge).  A later statement's
 * snapshot at the same address is taken for the earlier one: it is no
 * older, so that errs only towards taking a fresh snapshot.
 */
static Snapshot noted = NULL;
static uint64 noted_in = 0;

static void
note_resolution(uint64 since)
{
	if (ActiveSnapshotSet() && GetActiveSnapshot() != noted)
	{
		noted = GetActiveSnapshot();
		noted_in = since;
	}
}

/*
 * The whole chain.  A guard's (check_read) is kept in the session's memory
 * once it resolved, and recalled on the next call (catalog_memory.c).
 */
void
hc_resolve_declared(HcVerdict *v, const char *schema_name,
					const char *table_name, int ncols,
					const HcColumnArg *columns, bool check_read)
{
	char		found[NAMEDATALEN];
	uint64		since = hc_catalog_generation();
	bool		recalled = check_read &&
		recall_mapping(v, schema_name, table_name, since);
	bool		schema_ok = recalled ||
		hc_resolve_schema(v, schema_name, check_read);

	note_resolution(since);
	v->table_given = table_name;
	if (!recalled)
		v->table_name = table_name;
	v->ncols = ncols;
	v->cols = palloc0(sizeof(HcColumnVerdict) * Max(ncols, 1));
	for (int i = 0; i < ncols; i++)
	{
		v->cols[i].given = columns[i].name;
		v->cols[i].name = columns[i].name;
		v->cols[i].declared = columns[i].type;
		v->cols[i].declared_typmod = columns[i].typmod;
	}
	if (!schema_ok)
		return;

	if (!recalled)
	{
		lock_table(v);
		if (!OidIsValid(v->relid))
		{
			v->problem = HC_NO_TABLE;
			v->closest = hc_closest_names(table_name, hc_mapping_names(v->nspid));
			return;
		}
		if (!hc_is_mapping(v->relid, &v->why))
		{
			v->problem = HC_NOT_MAPPING;
			return;
		}
		v->lastop = hc_find_column(v->relid, "_hc_lastop", found);
		v->sfid = hc_find_column(v->relid, "sfid", found);
	}

	resolve_columns(v, recalled, since);
	v->mapped = true;
	for (int i = 0; i < v->ncols; i++)
		if (v->cols[i].problem == HC_NO_COLUMN)
			v->mapped = false;
	if (check_read && !recalled && !can_read(v))
		v->problem = HC_TABLE_DENIED;
	else if (!v->mapped)
		v->problem = HC_NO_COLUMN;
	else
		for (int i = 0; i < v->ncols; i++)
			if (v->cols[i].problem == HC_WRONG_TYPE)
				v->problem = HC_WRONG_TYPE;
	if (check_read && !recalled && v->problem == HC_OK)
		keep_mapping(v, since);
}

/*
 * In a schema hcguard provisioned the declaration is the truth: what exists
 * counts as synced, without rows (a development database has none).
 */
static void
judge_provisioned(HcVerdict *v)
{
	v->synced = true;
	if (v->ncols == 0)
		v->evidence = HC_EVIDENCE_PROVISIONED;
	for (int i = 0; i < v->ncols; i++)
	{
		if (v->cols[i].problem == HC_OK)
			v->cols[i].evidence = HC_EVIDENCE_PROVISIONED;
		else
			v->synced = false;
	}
}

/* Connect reports the mapping (or its connection) busy or in error. */
static void
judge_blocked(HcVerdict *v, char *blocked)
{
	v->connect_blocked = blocked;
	v->synced = false;
	for (int i = 0; i < v->ncols; i++)
		if (v->cols[i].problem == HC_OK)
			v->cols[i].problem = HC_NOT_SYNCED;
	if (v->problem == HC_OK)
		v->problem = HC_NOT_SYNCED;
}

/*
 * The columns whose first rows did not pass them, in this session: most
 * are passed by a confirmation (a field that is empty in Salesforce) and
 * will be again, and a first look at them would read a thousand rows for
 * nothing on every call.  Their guards take the full order at once.  What
 * is kept only saves work: a column kept here that now has data passes
 * through the full order just the same, and one not kept costs one first
 * look.  The key is the table's oid and the column's number (0: the table
 * itself), which a dropped and re-made column or table does not reuse.
 */
#define SLOW_MAX 4096

typedef struct SlowKey
{
	Oid			relid;
	AttrNumber	attnum;
} SlowKey;

static HTAB *slow = NULL;

static SlowKey
slow_key(Oid relid, AttrNumber attnum)
{
	SlowKey		key;

	memset(&key, 0, sizeof(key));	/* the hash reads the padding too */
	key.relid = relid;
	key.attnum = attnum;
	return key;
}

static bool
is_slow(Oid relid, AttrNumber attnum)
{
	SlowKey		key = slow_key(relid, attnum);

	return slow != NULL && hash_search(slow, &key, HASH_FIND, NULL) != NULL;
}

static void
set_slow(Oid relid, AttrNumber attnum)
{
	SlowKey		key = slow_key(relid, attnum);

	slow = hc_session_table(slow, "hcguard columns past a first look",
							sizeof(SlowKey), sizeof(SlowKey), SLOW_MAX, false);
	(void) hash_search(slow, &key, HASH_ENTER, NULL);
}

/*
 * A guard's verdict from the data of the table's first rows alone, where
 * they pass everything it names.  The order of evidence (the schema
 * provisioned, a confirmation, Connect's report, the data) says which one
 * a status shows; the first two can only pass what the data passes, and
 * they cost more to look up than the first rows of a synced column (a
 * comment, which no syscache holds, and an index scan of the store).  A
 * report of Connect's API that blocks the mapping is asked first, as in
 * the full order, and then the full order decides.  Returns whether the
 * verdict was reached; *connect and *word hold Connect's word either way.
 */
static bool
judge_by_data(HcVerdict *v, Oid ownnsp, Snapshot snapshot,
			  HcConnectState *connect, HcConnectWord *word)
{
	HcProbe    *probe = &v->probe;
	Relation	rel;
	bool		read;
	bool		passed;

	*connect = hc_connect_word(ownnsp, v->schema_name, v->table_name, word);
	if (*connect == HC_CONNECT_BLOCKED)
		return false;
	if (is_slow(v->relid, 0))
		return false;
	for (int i = 0; i < v->ncols; i++)
		if (is_slow(v->relid, v->cols[i].attnum))
			return false;

	hc_probe_init(probe, v->ncols);
	for (int i = 0; i < v->ncols; i++)
		probe->attnums[i] = v->cols[i].attnum;
	rel = table_open(v->relid, NoLock);
	read = hc_probe_first_rows(rel, v->lastop, v->sfid, probe, snapshot,
							   HC_PROBE_FIRST_ROWS);
	table_close(rel, NoLock);
	/* no row read (an empty table, or one this session knew empty) tells nothing */
	if (!read || probe->rows == 0)
		return false;
	passed = probe->found_row;
	if (v->ncols == 0 && !passed)
		set_slow(v->relid, 0);
	for (int i = 0; i < v->ncols; i++)
		if (!probe->found[i])
		{
			set_slow(v->relid, v->cols[i].attnum);
			passed = false;
		}
	if (!passed)
		return false;
	v->synced = true;
	if (v->ncols == 0)
		v->evidence = HC_EVIDENCE_DATA;
	for (int i = 0; i < v->ncols; i++)
		v->cols[i].evidence = HC_EVIDENCE_DATA;
	return true;
}

static void
judge(HcVerdict *v, Oid ownnsp, Snapshot snapshot)
{
	HcProbe    *probe = &v->probe;
	int			wanted = 0;
	HcConnectState connect;
	HcConnectWord word;
	bool		asked = false;

	/* a missing or mistyped column does not stop the others being judged */
	if (v->problem != HC_OK && v->problem != HC_NO_COLUMN &&
		v->problem != HC_WRONG_TYPE)
		return;
	if (v->guard && v->problem == HC_OK)
	{
		if (judge_by_data(v, ownnsp, snapshot, &connect, &word))
			return;
		asked = true;
	}
	v->provisioned = hc_is_provisioned(v->nspid);
	if (v->provisioned)
	{
		judge_provisioned(v);
		return;
	}

	/*
	 * A fresh report of Connect's API that shows the mapping busy or in
	 * error fails it whatever the data or a confirmation say: the first
	 * values of a column being loaded are not the column synced.
	 */
	if (!asked)
		connect = hc_connect_word(ownnsp, v->schema_name, v->table_name, &word);
	if (connect == HC_CONNECT_BLOCKED)
	{
		judge_blocked(v, word.blocked);
		return;
	}

	if (v->ncols == 0 &&
		hc_confirmation_holds(ownnsp, v->schema_name, v->table_name, "",
							  v->relid, 0))
	{
		v->evidence = HC_EVIDENCE_CONFIRMATION;
		v->synced = true;
		return;
	}
	if (v->ncols == 0 && connect == HC_CONNECT_SYNCED)
	{
		v->evidence = HC_EVIDENCE_CONNECT;
		v->synced = true;
		return;
	}

	hc_probe_init(probe, v->ncols);
	for (int i = 0; i < v->ncols; i++)
	{
		HcColumnVerdict *col = &v->cols[i];

		if (col->problem != HC_OK)
			continue;
		if (hc_confirmation_holds(ownnsp, v->schema_name, v->table_name,
								  col->name, v->relid, col->attnum))
			col->evidence = HC_EVIDENCE_CONFIRMATION;
		else if (connect == HC_CONNECT_SYNCED && hc_connect_vouches(&word, col->name))
			col->evidence = HC_EVIDENCE_CONNECT;
		else
		{
			col->probe_index = wanted;
			probe->attnums[wanted++] = col->attnum;
		}
	}
	probe->ncols = wanted;

	if (v->ncols == 0 || wanted > 0)
	{
		Relation	rel = table_open(v->relid, NoLock);

		hc_probe_run(rel, v->lastop, v->sfid, probe, snapshot);
		table_close(rel, NoLock);
	}

	if (v->ncols == 0)
	{
		v->synced = probe->found_row;
		v->evidence = v->synced ? HC_EVIDENCE_DATA : HC_EVIDENCE_NONE;
		if (!v->synced)
			v->problem = HC_NOT_SYNCED;
		return;
	}

	v->synced = true;
	for (int i = 0; i < v->ncols; i++)
	{
		HcColumnVerdict *col = &v->cols[i];

		if (col->problem == HC_OK && col->evidence == HC_EVIDENCE_NONE)
		{
			if (probe->found[col->probe_index])
				col->evidence = HC_EVIDENCE_DATA;
			else
				col->problem = HC_NOT_SYNCED;
		}
		if (col->problem != HC_OK)
			v->synced = false;
	}
	if (v->problem == HC_OK && !v->synced)
		v->problem = HC_NOT_SYNCED;
}

/*
 * In READ COMMITTED the data is read as of now, not as of the statement's
 * start, where the catalogs may have changed since: hc_resolve may have
 * waited for its lock behind Connect's transaction (ALTER TABLE, a
 * reload's TRUNCATE), and the catalog facts it read once the lock was
 * granted are that transaction's.  The statement's older snapshot would
 * show the rows as they were before it (a new column empty, a reloaded
 * table empty): a state no serial order gives.  PostgreSQL does the same
 * for a query, whose snapshot is taken after its tables are locked.  Such
 * a transaction sends its invalidations before it lets go of its lock, and
 * taking the lock takes them in.  So where none came since the first
 * resolution under the snapshot began (note_resolution), the facts
 * resolved are no newer than the snapshot, which is then used, as the
 * statement's own queries use it.  Once one came, every later verdict
 * under the snapshot takes a fresh one.
 */
void
hc_judge(HcVerdict *v, Oid ownnsp, Snapshot snapshot)
{
	if (IsolationUsesXactSnapshot() ||
		(snapshot == noted && noted_in == hc_catalog_generation()))
	{
		judge(v, ownnsp, snapshot);
		return;
	}
	PushActiveSnapshot(GetTransactionSnapshot());
	judge(v, ownnsp, GetActiveSnapshot());
	PopActiveSnapshot();
}

void
hc_release(HcVerdict *v)
{
	if (v->locked)
		hc_unlock_table(v->relid);
	v->locked = false;
}

/* Resolves, judges (for a guard: see judge_by_data) and lets go of the table. */
static void
verdict_of(HcVerdict *v, Oid ownnsp, const char *schema_name,
		   const char *table_name, int ncols, const HcColumnArg *columns,
		   Snapshot snapshot, bool guard)
{
	hc_resolve_declared(v, schema_name, table_name, ncols, columns, true);
	v->guard = guard;
	hc_judge(v, ownnsp, snapshot);
	hc_release(v);
}

void
hc_verdict_declared(HcVerdict *v, Oid ownnsp, const char *schema_name,
					const char *table_name, int ncols,
					const HcColumnArg *columns, Snapshot snapshot)
{
	verdict_of(v, ownnsp, schema_name, table_name, ncols, columns, snapshot,
			   false);
}

void
hc_verdict(HcVerdict *v, Oid ownnsp, const char *schema_name,
		   const char *table_name, int ncols, const char **column_names,
		   Snapshot snapshot)
{
	hc_resolve(v, schema_name, table_name, ncols, column_names, true);
	hc_judge(v, ownnsp, snapshot);
	hc_release(v);
}

/*
 * A verdict for a guard, which wants only whether everything named passes
 * (see judge_by_data): hcguard_required and the calls that wait or check
 * on its behalf.  A failing verdict is the full one, with its evidence.
 */
void
hc_verdict_guard(HcVerdict *v, Oid ownnsp, const char *schema_name,
				 const char *table_name, int ncols,
				 const HcColumnArg *columns, Snapshot snapshot)
{
	verdict_of(v, ownnsp, schema_name, table_name, ncols, columns, snapshot,
			   true);
}

int
hc_unmet_columns(const HcVerdict *v)
{
	int			n = 0;

	for (int i = 0; i < v->ncols; i++)
		if (v->cols[i].problem != HC_OK)
			n++;
	return n;
}
