/*-------------------------------------------------------------------------
 * catalog_memory.c
 *	  What a session keeps of the catalogs from one call to the next: the
 *	  mappings and columns a guard resolved (verdict.c), and where hcguard's
 *	  own tables are.
 *
 * A passing guard resolves the same names on every call: a schema, that it
 * is a Connect schema, a table, that it is a mapping, its columns and their
 * types, the caller's rights.  That is some twenty syscache look-ups, and in
 * a deploy or a test suite they give the same answers every time.  So what
 * resolved is kept, and forgotten as soon as any catalog it was read from
 * may have changed: PostgreSQL calls back on every invalidation of the
 * catalogs below, and each call starts a new generation, in which nothing
 * kept earlier counts.  The invalidations arrive as PostgreSQL's own caches
 * get them: at the start of every transaction and whenever a lock is taken.
 * A name is then looked up with the same guarantee as a query's: DDL holds
 * its lock until its invalidations are sent, and a guard locks the mapping
 * before it trusts what it kept about it.
 *
 * Any change to any relation starts a new generation (VACUUM and ANALYZE
 * update pg_class too): a kept answer costs the whole resolution once more,
 * never a wrong verdict.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_trigger.h"
#include "commands/trigger.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "hcguard.h"

static uint64 generation = 1;

/*
 * The catalogs a resolution reads: schemas and their rights, relations
 * (names, kinds, rights), columns (names, types, rights), types (a domain's
 * base type, a type's name), roles and their memberships (what a right is
 * granted to).  One cache of each catalog is enough: PostgreSQL sends every
 * change of a catalog row to all the caches of that catalog.
 */
static const int watched_caches[] = {
	NAMESPACEOID, RELOID, ATTNUM, TYPEOID, AUTHOID, AUTHMEMROLEMEM
};

static void
catalog_changed(Datum arg, int cacheid, uint32 hashvalue)
{
	generation++;
}

/*
 * A relation's own invalidation, also sent where no row of the catalogs
 * above changes (a policy, a trigger).  Nothing kept is known to depend on
 * those; the callback is there so that a future kept fact that does is
 * forgotten in time, at the price of one more resolution now and then.
 */
static void
relation_changed(Datum arg, Oid relid)
{
	generation++;
}

void
hc_catalog_memory_init(void)
{
	for (int i = 0; i < (int) lengthof(watched_caches); i++)
		CacheRegisterSyscacheCallback(watched_caches[i], catalog_changed, (Datum) 0);
	CacheRegisterRelcacheCallback(relation_changed, (Datum) 0);
}

/* The generation now: what was kept in an earlier one no longer counts. */
uint64
hc_catalog_generation(void)
{
	return generation;
}

/*
 * The entry for key in one of the session's tables, made on first use; the
 * caller fills it in.  Their keys end in names.
 */
static void *
enter(HTAB **table, const char *what, Size keysize, Size entrysize,
	  long max_entries, const void *key)
{
	*table = hc_session_table(*table, what, keysize, entrysize, max_entries, true);
	return hash_search(*table, key, HASH_ENTER, NULL);
}

/*
 * A relation of hcguard's own schema by name, or InvalidOid: the stores
 * are looked for on every guard, and most often are where they were.  They
 * are a handful, named by constants: a short list compared by name costs
 * less than hashing a whole name.
 */
#define RELIDS_MAX 16

typedef struct KeptRelid
{
	Oid			nspid;
	char		name[NAMEDATALEN];
	uint64		generation;
	Oid			relid;
} KeptRelid;

static KeptRelid relids[RELIDS_MAX];
static int	nrelids = 0;

Oid
hc_own_relid(Oid nspid, const char *name)
{
	uint64		now = generation;
	Oid			relid;
	KeptRelid  *kept = NULL;

	for (int i = 0; i < nrelids; i++)
		if (relids[i].nspid == nspid && strcmp(relids[i].name, name) == 0)
		{
			if (relids[i].generation == now)
				return relids[i].relid;
			kept = &relids[i];
			break;
		}

	relid = get_relname_relid(name, nspid);
	if (kept == NULL && nrelids < RELIDS_MAX && strlen(name) < NAMEDATALEN)
	{
		kept = &relids[nrelids++];
		kept->nspid = nspid;
		strlcpy(kept->name, name, NAMEDATALEN);
	}
	if (kept != NULL)
	{
		kept->generation = now;
		kept->relid = relid;
	}
	return relid;
}

/*
 * The mappings guards resolved, by the caller's role and the names as given:
 * where each led (the schema and table found, a Connect schema and a mapping
 * whose whole table the role may read) and the columns Connect keeps there.
 * Only a resolution that passed is kept.  Names too long to be identifiers
 * are not kept: they are cut before they are looked up.
 */
#define KEPT_MAX 4096

typedef struct MappingKey		/* names last: see hc_session_table */
{
	Oid			roleid;
	NameData	schema_given;
	NameData	table_given;
} MappingKey;

StaticAssertDecl(sizeof(MappingKey) == sizeof(Oid) + 2 * NAMEDATALEN,
				 "a mapping's key is a fixed part, then names");

typedef struct KeptMapping
{
	MappingKey	key;
	uint64		generation;
	HcKeptMapping mapping;
} KeptMapping;

static HTAB *mappings = NULL;

/* Fills the key; false when a name cannot be one. */
static bool
mapping_key(MappingKey *key, Oid roleid, const char *schema_given,
			const char *table_given)
{
	if (strlen(schema_given) >= NAMEDATALEN || strlen(table_given) >= NAMEDATALEN)
		return false;
	memset(key, 0, sizeof(MappingKey));
	key->roleid = roleid;
	strlcpy(NameStr(key->schema_given), schema_given, NAMEDATALEN);
	strlcpy(NameStr(key->table_given), table_given, NAMEDATALEN);
	return true;
}

bool
hc_recall_mapping(Oid roleid, const char *schema_given,
				  const char *table_given, HcKeptMapping *mapping)
{
	MappingKey	key;
	KeptMapping *kept;

	if (mappings == NULL ||
		!mapping_key(&key, roleid, schema_given, table_given) ||
		(kept = hash_search(mappings, &key, HASH_FIND, NULL)) == NULL ||
		kept->generation != generation)
		return false;
	*mapping = kept->mapping;
	return true;
}

/* Keeps what was resolved in the generation 'since', which began before it. */
void
hc_keep_mapping(Oid roleid, const char *schema_given, const char *table_given,
				const HcKeptMapping *mapping, uint64 since)
{
	MappingKey	key;
	KeptMapping *kept;

	if (since != generation ||
		!mapping_key(&key, roleid, schema_given, table_given))
		return;
	kept = enter(&mappings, "hcguard mappings resolved",
				 sizeof(MappingKey), sizeof(KeptMapping), KEPT_MAX, &key);
	kept->generation = since;
	kept->mapping = *mapping;
}

/*
 * The columns guards resolved, by the table, the name as given and the
 * type it was declared with (InvalidOid: none): the column found, whose
 * type, where one was declared, matched it.
 */
typedef struct ColumnKey		/* names last: see hc_session_table */
{
	Oid			relid;
	Oid			declared;
	int32		declared_typmod;
	NameData	given;
} ColumnKey;

StaticAssertDecl(sizeof(ColumnKey) == 2 * sizeof(Oid) + sizeof(int32) + NAMEDATALEN,
				 "a column's key is a fixed part, then a name");

typedef struct KeptColumn
{
	ColumnKey	key;
	uint64		generation;
	AttrNumber	attnum;
	NameData	name;
} KeptColumn;

static HTAB *columns = NULL;

static bool
column_key(ColumnKey *key, Oid relid, const HcColumnVerdict *col)
{
	if (strlen(col->given) >= NAMEDATALEN)
		return false;
	memset(key, 0, sizeof(ColumnKey));
	key->relid = relid;
	strlcpy(NameStr(key->given), col->given, NAMEDATALEN);
	key->declared = col->declared;
	key->declared_typmod = OidIsValid(col->declared) ? col->declared_typmod : 0;
	return true;
}

/* Sets the column's attnum and copies its name into found (NAMEDATALEN). */
bool
hc_recall_column(Oid relid, HcColumnVerdict *col, char *found)
{
	ColumnKey	key;
	KeptColumn *kept;

	if (columns == NULL || !column_key(&key, relid, col) ||
		(kept = hash_search(columns, &key, HASH_FIND, NULL)) == NULL ||
		kept->generation != generation)
		return false;
	col->attnum = kept->attnum;
	strlcpy(found, NameStr(kept->name), NAMEDATALEN);
	return true;
}

void
hc_keep_column(Oid relid, const HcColumnVerdict *col, uint64 since)
{
	ColumnKey	key;
	KeptColumn *kept;

	if (since != generation || !column_key(&key, relid, col))
		return;
	kept = enter(&columns, "hcguard columns resolved",
				 sizeof(ColumnKey), sizeof(KeptColumn), KEPT_MAX, &key);
	kept->generation = since;
	kept->attnum = col->attnum;
	strlcpy(NameStr(kept->name), col->name, NAMEDATALEN);
}

PG_FUNCTION_INFO_V1(hcguard_store_changed);

/*
 * hcguard__store_changed(), the trigger on hcguard's stores that makes
 * every session forget what it kept of them (declarations.c,
 * connect_state.c): AFTER any write, FOR EACH STATEMENT, an invalidation of
 * the store's relation, which PostgreSQL delivers to every session when the
 * writer commits, and to the writer itself at its next command and when it
 * rolls back.
 */
Datum
hcguard_store_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event))
		elog(ERROR, "hcguard__store_changed must run AFTER, FOR EACH STATEMENT");
	CacheInvalidateRelcache(trigdata->tg_relation);
	return PointerGetDatum(NULL);
}

/*
 * Whether every write to the store reaches the sessions' memories: the
 * named trigger is there and fires always, for every kind of write.  Where
 * it is not (disabled by hand, or a store made by a script without it), a
 * session keeps nothing of the store.
 */
bool
hc_forgotten_on_write(Relation rel, const char *trigger_name)
{
	const int	writes = TRIGGER_TYPE_INSERT | TRIGGER_TYPE_UPDATE |
		TRIGGER_TYPE_DELETE | TRIGGER_TYPE_TRUNCATE;
	TriggerDesc *triggers = rel->trigdesc;

	for (int i = 0; triggers != NULL && i < triggers->numtriggers; i++)
	{
		const Trigger *t = &triggers->triggers[i];

		if (strcmp(t->tgname, trigger_name) == 0 &&
			t->tgenabled == TRIGGER_FIRES_ALWAYS &&
			(t->tgtype & writes) == writes &&
			!TRIGGER_FOR_ROW(t->tgtype))
			return true;
	}
	return false;
}
