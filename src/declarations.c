/*-------------------------------------------------------------------------
 * declarations.c
 *	  What the migrations declared, recorded where they ran, and the verdict
 *	  on one declaration.
 *
 * A guard that returns records what it named in hcguard.declaration_store
 * (ddl/declaration_store.sql), so that the database knows what the
 * application needs and can check it again at any time (ddl/declarations.sql
 * holds the checks, shared by both editions).  Recording must not slow the
 * passing guard: the row is looked for through the store's primary key
 * first, and only something new (a name, a type) is written, through the
 * shared hcguard__declare.  Nothing is recorded on a hot standby or in a
 * read-only transaction, where the guard works as before.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "hcguard.h"

#define HC_DECLARATION_STORE "declaration_store"
#define HC_DECLARATION_INDEX "declaration_store_pkey"
#define HC_DECLARATIONS_TRIGGER "hcguard_declarations_changed"
#define Anum_declared_type 4

PG_FUNCTION_INFO_V1(hcguard_verdict_state);

/*
 * The store's key: names as name values, cut as PostgreSQL cuts identifiers
 * (at a character boundary), as the SQL edition's casts to name cut them.
 */
static void
set_names(NameData *names, const char *schema_name, const char *table_name,
		  const char *column_name)
{
	namestrcpy(&names[0], hc_identifier(schema_name));
	namestrcpy(&names[1], hc_identifier(table_name));
	namestrcpy(&names[2], hc_identifier(column_name));
}

/* The store and its index, looked up once for a call's look-ups. */
typedef struct Store
{
	Oid			relid;
	Oid			indexid;
	Relation	rel;			/* opened at the first search, else NULL */
} Store;

/*
 * Finds the store, or returns false where there is none (the extension's
 * SQL not yet updated to 1.2: there is nothing to record into).
 */
static bool
find_store(Oid ownnsp, Store *store)
{
	store->relid = hc_own_relid(ownnsp, HC_DECLARATION_STORE);
	store->indexid = hc_own_relid(ownnsp, HC_DECLARATION_INDEX);
	store->rel = NULL;
	return OidIsValid(store->relid) && OidIsValid(store->indexid);
}

static void
close_store(Store *store)
{
	if (store->rel)
		table_close(store->rel, AccessShareLock);
}

/*
 * The declarations this session found recorded, so that a guard called
 * again (every deploy runs every migration's check; a test suite calls
 * the same guard in every test) does not search the store each time.
 * Only what was found is kept, never that something is missing, and any
 * write to the store empties it in every session: the C extension's
 * statement trigger on the store (hcguard__store_changed,
 * src/extension/v1.2.sql) sends an invalidation of the store's relation,
 * which PostgreSQL delivers to every session when the writer commits, and
 * to the writer itself at its next command and when it rolls back.  A
 * session may thus not see a declaration removed at the very moment it
 * looks: the order in which it looked first, which a search of the store
 * could give as well.
 */
#define KNOWN_MAX 4096
#define KNOWN_TYPE_LEN 128

typedef struct KnownKey		/* names last: see hc_session_table */
{
	Oid			store;
	NameData	names[3];
} KnownKey;

StaticAssertDecl(sizeof(KnownKey) == sizeof(Oid) + 3 * NAMEDATALEN,
				 "a declaration's key is a fixed part, then names");

typedef struct Known
{
	KnownKey	key;
	bool		typed;
	char		type[KNOWN_TYPE_LEN];	/* the recorded type, if typed */
} Known;

static HTAB *known = NULL;
static Oid	known_store = InvalidOid;	/* the store its entries were found in */
static uint64 known_since = 1;	/* counts the times it was forgotten */

static void
forget_known(void)
{
	if (known != NULL)
		hash_destroy(known);
	known = NULL;
	known_since++;
}

/*
 * The columns whose declarations a guard found known most recently, by the
 * catalog's numbers rather than by names, so that a guard called again
 * forms no key of names: while the catalogs' generation lasts
 * (catalog_memory.c), a table and column number stand for the same names
 * and a declared type is written the same way, and while nothing was
 * forgotten (known_since), no write to the store came since the
 * declaration was found there.  (Such a write's invalidation also starts a
 * new generation; known_since does not rely on it.)  Entries are replaced
 * in turn.
 */
#define RECENT_MAX 8

typedef struct Recent
{
	Oid			relid;
	AttrNumber	attnum;			/* 0: the mapping itself */
	Oid			declared;
	int32		declared_typmod;
	uint64		generation;
	uint64		known_since;
} Recent;

static Recent recent[RECENT_MAX];
static int	recent_next = 0;

static bool
recently_known(Oid relid, AttrNumber attnum, Oid declared, int32 typmod)
{
	uint64		now = hc_catalog_generation();

	for (int i = 0; i < RECENT_MAX; i++)
	{
		const Recent *r = &recent[i];

		if (r->relid == relid && r->attnum == attnum && r->declared == declared &&
			r->declared_typmod == typmod && r->generation == now &&
			r->known_since == known_since && OidIsValid(relid))
			return true;
	}
	return false;
}

static void
note_known(Oid relid, AttrNumber attnum, Oid declared, int32 typmod, uint64 since)
{
	Recent	   *r = &recent[recent_next];

	if (since != hc_catalog_generation())
		return;
	r->relid = relid;
	r->attnum = attnum;
	r->declared = declared;
	r->declared_typmod = typmod;
	r->generation = since;
	r->known_since = known_since;
	recent_next = (recent_next + 1) % RECENT_MAX;
}

/* A relcache invalidation: of the store, or of every relation. */
static void
store_changed(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == known_store)
		forget_known();
}

void
hc_declarations_init(void)
{
	CacheRegisterRelcacheCallback(store_changed, (Datum) 0);
}

static void
known_key(KnownKey *key, Oid store, const char *schema_name,
		  const char *table_name, const char *column_name)
{
	memset(key, 0, sizeof(KnownKey));
	key->store = store;
	set_names(key->names, schema_name, table_name, column_name);
}

/* Returns whether it was kept. */
static bool
remember(const KnownKey *key, const char *type)
{
	Known	   *entry;

	if (type != NULL && strlen(type) >= KNOWN_TYPE_LEN)
		return false;
	if (key->store != known_store)
		forget_known();
	known = hc_session_table(known, "hcguard declarations found",
							 sizeof(KnownKey), sizeof(Known), KNOWN_MAX, true);
	known_store = key->store;
	entry = hash_search(known, key, HASH_ENTER, NULL);
	entry->typed = (type != NULL);
	if (type != NULL)
		strlcpy(entry->type, type, KNOWN_TYPE_LEN);
	return true;
}

/*
 * Whether the store already holds the declaration: the same names with the
 * same type, or any type where none is declared (declaring less does not
 * weaken what another call declared).  *kept: the session knows it, until
 * the next write to the store.
 */
static bool
recorded(Store *store, const char *schema_name, const char *table_name,
		 const char *column_name, const char *type, bool *kept)
{
	SysScanDesc scan;
	ScanKeyData keys[3];
	KnownKey	key;
	Known	   *entry;
	HeapTuple	tup;
	bool		found = false;

	*kept = false;
	known_key(&key, store->relid, schema_name, table_name, column_name);
	if (known != NULL &&
		(entry = hash_search(known, &key, HASH_FIND, NULL)) != NULL)
	{
		found = type == NULL || (entry->typed && strcmp(entry->type, type) == 0);
		*kept = found;
		return found;
	}

	for (int i = 0; i < 3; i++)
		ScanKeyInit(&keys[i], i + 1, BTEqualStrategyNumber, F_NAMEEQ,
					NameGetDatum(&key.names[i]));
	if (store->rel == NULL)
		store->rel = table_open(store->relid, AccessShareLock);

	/*
	 * The latest snapshot: it sees what this statement has just recorded (a
	 * column named twice, with two types), which the statement's own
	 * snapshot would not.  Looking is only a shortcut; the write itself
	 * (hcguard__declare) decides.
	 */
	scan = systable_beginscan(store->rel, store->indexid, true, GetLatestSnapshot(), 3, keys);
	if (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		bool		isnull;
		Datum		stored = heap_getattr(tup, Anum_declared_type,
										  RelationGetDescr(store->rel), &isnull);
		char	   *stored_type = isnull ? NULL : TextDatumGetCString(stored);

		found = (type == NULL ||
				 (stored_type != NULL && strcmp(stored_type, type) == 0));
		if (hc_forgotten_on_write(store->rel, HC_DECLARATIONS_TRIGGER))
			*kept = remember(&key, stored_type) && found;
	}
	systable_endscan(scan);
	return found;
}

/* Returns whether the session knows it recorded (see recorded). */
static bool
declare(Oid ownnsp, const char *schema_name, const char *table_name,
		const char *column_name, const char *type)
{
	Oid			argtypes[4] = {NAMEOID, NAMEOID, NAMEOID, TEXTOID};
	Datum		values[4];
	char		nulls[4] = {' ', ' ', ' ', type ? ' ' : 'n'};
	NameData	names[3];
	bool		missing;
	Store		store;
	bool		done;
	bool		kept;

	if (!find_store(ownnsp, &store))
		return false;
	done = recorded(&store, schema_name, table_name, column_name, type, &kept);
	close_store(&store);
	if (done)
		return kept;
	set_names(names, schema_name, table_name, column_name);
	for (int i = 0; i < 3; i++)
		values[i] = NameGetDatum(&names[i]);
	values[3] = type ? CStringGetTextDatum(type) : (Datum) 0;
	(void) hc_call_shared("hcguard__declare", 4, argtypes, values, nulls, &missing);
	return false;
}

/*
 * Not on a standby, not in a read-only transaction; and not in a
 * SERIALIZABLE one, whose reads of the store could make the migration fail
 * at commit (ddl/declarations.sql, hcguard__declare).
 */
static bool
may_record(void)
{
	return !RecoveryInProgress() && !XactReadOnly && !IsolationIsSerializable();
}

/*
 * Whether one of the first n names is this one.  A column named twice is
 * recorded once, with its first declaration, as the guard judges it
 * (verdict.c); the verdict's list may still hold it twice where the guard
 * stopped before looking at columns (a schema the caller may not use), or
 * as two spellings Connect would give one name (Id and sfid).
 */
static bool
named_before(const char **names, int n, const char *name)
{
	for (int i = 0; i < n; i++)
	{
		if (strcmp(names[i], name) == 0)
			return true;
	}
	return false;
}

/*
 * Records what a guard that returned named: its mapping, or each of its
 * columns with the type declared for it, by the names the catalog has, or,
 * for what does not exist (a guard that warned), by the names Connect would
 * give it: in lower case, the field Id being sfid.
 */
void
hc_record_verdict(const HcVerdict *v)
{
	uint64		since = hc_catalog_generation();
	Oid			ownnsp;
	const char *schema_name;
	const char *table_name;
	const char **names;

	if (!may_record())
		return;
	if (v->ncols == 0 && recently_known(v->relid, 0, InvalidOid, 0))
		return;
	ownnsp = hc_own_schema();
	schema_name = OidIsValid(v->nspid) ? v->schema_name : hc_lower(v->schema_given);
	table_name = OidIsValid(v->relid) ? v->table_name : hc_lower(v->table_given);
	if (v->ncols == 0 &&
		declare(ownnsp, schema_name, table_name, "", NULL) && OidIsValid(v->relid))
		note_known(v->relid, 0, InvalidOid, 0, since);
	names = v->ncols > 1 ? palloc(sizeof(char *) * v->ncols) : NULL;
	for (int i = 0; i < v->ncols; i++)
	{
		const HcColumnVerdict *col = &v->cols[i];
		bool		found = (col->attnum != InvalidAttrNumber);
		int32		typmod = OidIsValid(col->declared) ? col->declared_typmod : 0;
		const char *name = found ? col->name :
			hc_identifier(hc_lower(hc_column_of_field(col->given)));

		if (names != NULL)
		{
			names[i] = name;
			if (named_before(names, i, name))
				continue;
		}
		if (found && recently_known(v->relid, col->attnum, col->declared, typmod))
			continue;
		if (declare(ownnsp, schema_name, table_name, name,
					OidIsValid(col->declared) ?
					hc_format_type_pinned(col->declared, col->declared_typmod) : NULL) &&
			found)
			note_known(v->relid, col->attnum, col->declared, typmod, since);
	}
}

/*
 * Records a mapping and columns by name, as a configuration file names
 * them: what is not recorded yet in one call of hcguard__declare_all, since
 * a file names thousands of fields and a call per field would cost a
 * subtransaction each.
 */
void
hc_record_names(const char *schema_name, const char *table_name, int ncols,
				const char **columns)
{
	Oid			ownnsp;
	Oid			argtypes[4] = {NAMEOID, NAMEOID, NAMEARRAYOID, TEXTARRAYOID};
	Datum		values[4];
	char		nulls[4] = {' ', ' ', ' ', 'n'};
	NameData	names[2];
	Datum	   *fresh = palloc(sizeof(Datum) * (ncols + 1));
	int			nfresh = 0;
	bool		missing;

	Store		store;

	if (!may_record())
		return;
	ownnsp = hc_own_schema();
	if (!find_store(ownnsp, &store))
		return;
	for (int i = -1; i < ncols; i++)
	{
		const char *column = i < 0 ? "" : columns[i];
		bool		kept;

		if (!recorded(&store, schema_name, table_name, column, NULL, &kept))
		{
			Name		n = palloc(sizeof(NameData));

			namestrcpy(n, hc_identifier(column));
			fresh[nfresh++] = NameGetDatum(n);
		}
	}
	close_store(&store);
	if (nfresh == 0)
		return;
	namestrcpy(&names[0], hc_identifier(schema_name));
	namestrcpy(&names[1], hc_identifier(table_name));
	values[0] = NameGetDatum(&names[0]);
	values[1] = NameGetDatum(&names[1]);
	values[2] = PointerGetDatum(construct_array(fresh, nfresh, NAMEOID, NAMEDATALEN,
												false, TYPALIGN_CHAR));
	values[3] = (Datum) 0;
	(void) hc_call_shared("hcguard__declare_all", 4, argtypes, values, nulls, &missing);
}

/*
 * hcguard__verdict_state(schema_name, table_name, column_name): the
 * SQLSTATE and message hcguard_required would raise for one name (the
 * column may declare its type), both NULL where it would pass.  It never
 * provisions and never records: the declarations' checks judge with it
 * (ddl/declarations.sql), as the SQL edition's function of that name does.
 */
Datum
hcguard_verdict_state(PG_FUNCTION_ARGS)
{
	const char *schema_name = hc_arg_name(fcinfo, 0, "schema name");
	const char *table_name = hc_arg_name(fcinfo, 1, "table name");
	HcColumnArg column = {0};
	int			ncols = 0;
	TupleDesc	desc;
	HcVerdict	v;
	HcReport	r;
	Datum		values[2] = {0};
	bool		nulls[2] = {true, true};

	if (!PG_ARGISNULL(2))
	{
		column = hc_declared_column(hc_column_arg(fcinfo, 2));
		ncols = 1;
	}
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "hcguard__verdict_state must return a composite type");
	desc = BlessTupleDesc(desc);

	hc_verdict_guard(&v, hc_own_schema(), schema_name, table_name, ncols,
					 &column, GetActiveSnapshot());
	if (v.problem != HC_OK)
	{
		hc_describe(&v, &r);
		values[0] = CStringGetTextDatum(unpack_sql_state(r.sqlstate));
		values[1] = CStringGetTextDatum(r.message);
		nulls[0] = nulls[1] = false;
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}
