/*-------------------------------------------------------------------------
 * store.c
 *	  The confirmation store, as the verdict reads it.
 *
 * Confirmations (a person's word that Connect finished a sync the data
 * cannot show: an object with no records, a field empty in Salesforce)
 * live in hcguard_confirmation_store, in the extension's schema, which only
 * its owner may write (see confirm.c).
 *
 * A confirmation counts while the table (and column) it was made for still
 * exists under its name: relid and attnum, bound by the insert trigger,
 * tell a column dropped and added again from the one that was confirmed.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_extension.h"
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

#define STORE_INDEX_NAME "confirmation_store_pkey"
#define LEGACY_STORE_NAME "hcguard_confirmation_store"
#define LEGACY_STORE_INDEX_NAME "hcguard_confirmation_store_pkey"

/* the store's columns, as hcguard--1.0.sql creates them */
#define Anum_store_schema_name	1
#define Anum_store_table_name	2
#define Anum_store_column_name	3
#define Anum_store_relid		4
#define Anum_store_attnum		5
#define Natts_store				8

PG_FUNCTION_INFO_V1(hcguard_confirmation_bind);
PG_FUNCTION_INFO_V1(hcguard_confirmation_counts);

/*
 * The schema of the extension hcguard, read from pg_extension (PostgreSQL
 * exports no function for it before 16), or InvalidOid.
 */
Oid
hc_extension_schema(void)
{
	Relation	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	Oid			nspid = InvalidOid;

	ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber,
				F_NAMEEQ, CStringGetDatum("hcguard"));
	scan = systable_beginscan(rel, ExtensionNameIndexId, true, NULL, 1, &key);
	if (HeapTupleIsValid(tup = systable_getnext(scan)))
		nspid = ((Form_pg_extension) GETSTRUCT(tup))->extnamespace;
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return nspid;
}

/*
 * hcguard's own schema, where its tables are (ddl/schema.sql): not the
 * functions' schema, so that tools which dump or diff the application's
 * schema never see them.  An extension not yet updated to 1.2 still keeps
 * its store beside its functions, and this library serves it there until
 * ALTER EXTENSION hcguard UPDATE moves it.
 */
Oid
hc_own_schema(void)
{
	/* found once per generation of the catalogs (catalog_memory.c) */
	static Oid	kept = InvalidOid;
	static uint64 kept_in = 0;
	uint64		since = hc_catalog_generation();
	Oid			nspid;

	if (kept_in == since)
		return kept;
	nspid = get_namespace_oid(HC_SCHEMA_NAME, true);
	if (!OidIsValid(nspid))
		nspid = hc_extension_schema();
	if (!OidIsValid(nspid))
		hc_error(HC_MSG_STORE_MISSING, HC_ARGS(HC_SCHEMA_NAME "." HC_STORE_NAME));
	if (since == hc_catalog_generation())
	{
		kept = nspid;
		kept_in = since;
	}
	return nspid;
}

static Oid
store_relid(Oid ownnsp, bool index)
{
	Oid			relid = hc_own_relid(ownnsp, index ? STORE_INDEX_NAME : HC_STORE_NAME);

	/* before 1.2, in the extension's schema */
	if (!OidIsValid(relid))
		relid = hc_own_relid(ownnsp, index ? LEGACY_STORE_INDEX_NAME : LEGACY_STORE_NAME);
	if (!OidIsValid(relid))
		hc_error(HC_MSG_STORE_MISSING, HC_ARGS(HC_SCHEMA_NAME "." HC_STORE_NAME));
	return relid;
}

/* The store's name, qualified and quoted, for the SQL that writes it. */
char *
hc_store_qualified_name(Oid ownnsp)
{
	Oid			relid = store_relid(ownnsp, false);

	return quote_qualified_identifier(get_namespace_name(ownnsp), get_rel_name(relid));
}

/* The identity a name triple has now: relid, and attnum (0 for a table). */
static bool
current_identity(const char *schema_name, const char *table_name,
				 const char *column_name, Oid *relid, AttrNumber *attnum)
{
	Oid			nspid = get_namespace_oid(schema_name, true);

	*relid = OidIsValid(nspid) ? get_relname_relid(table_name, nspid) : InvalidOid;
	*attnum = 0;
	if (!OidIsValid(*relid))
		return false;
	if (column_name[0] == '\0')
		return true;
	*attnum = get_attnum(*relid, column_name);
	return *attnum > 0;
}

bool
hc_confirmation_holds(Oid ownnsp, const char *schema_name,
					  const char *table_name, const char *column_name,
					  Oid relid, AttrNumber attnum)
{
	Relation	store = table_open(store_relid(ownnsp, false), AccessShareLock);
	ScanKeyData keys[3];
	SysScanDesc scan;
	HeapTuple	tup;
	bool		holds = false;
	NameData	names[3];

	namestrcpy(&names[0], schema_name);
	namestrcpy(&names[1], table_name);
	namestrcpy(&names[2], column_name);
	ScanKeyInit(&keys[0], Anum_store_schema_name, BTEqualStrategyNumber,
				F_NAMEEQ, NameGetDatum(&names[0]));
	ScanKeyInit(&keys[1], Anum_store_table_name, BTEqualStrategyNumber,
				F_NAMEEQ, NameGetDatum(&names[1]));
	ScanKeyInit(&keys[2], Anum_store_column_name, BTEqualStrategyNumber,
				F_NAMEEQ, NameGetDatum(&names[2]));

	scan = systable_beginscan(store, store_relid(ownnsp, true), true, NULL,
							  3, keys);
	if (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		bool		relid_null;
		bool		attnum_null;
		Datum		r = heap_getattr(tup, Anum_store_relid,
									 RelationGetDescr(store), &relid_null);
		Datum		a = heap_getattr(tup, Anum_store_attnum,
									 RelationGetDescr(store), &attnum_null);

		holds = !relid_null && !attnum_null &&
			DatumGetObjectId(r) == relid && DatumGetInt16(a) == attnum;
	}
	systable_endscan(scan);
	table_close(store, AccessShareLock);
	return holds;
}

/*
 * BEFORE INSERT on the store: bind the row to the objects its names have
 * now.  This is what makes a restored dump's confirmations count again.
 */
Datum
hcguard_confirmation_bind(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	HeapTuple	tup;
	Datum		values[Natts_store];
	bool		nulls[Natts_store];
	bool		replace[Natts_store] = {0};
	Oid			relid;
	AttrNumber	attnum;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		!TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		elog(ERROR, "hcguard_confirmation_bind must run BEFORE INSERT FOR EACH ROW");

	tup = trigdata->tg_trigtuple;
	desc = RelationGetDescr(trigdata->tg_relation);
	heap_deform_tuple(tup, desc, values, nulls);

	if (current_identity(NameStr(*DatumGetName(values[Anum_store_schema_name - 1])),
						 NameStr(*DatumGetName(values[Anum_store_table_name - 1])),
						 NameStr(*DatumGetName(values[Anum_store_column_name - 1])),
						 &relid, &attnum))
	{
		values[Anum_store_relid - 1] = ObjectIdGetDatum(relid);
		values[Anum_store_attnum - 1] = Int16GetDatum(attnum);
		nulls[Anum_store_relid - 1] = nulls[Anum_store_attnum - 1] = false;
	}
	else
		nulls[Anum_store_relid - 1] = nulls[Anum_store_attnum - 1] = true;
	replace[Anum_store_relid - 1] = replace[Anum_store_attnum - 1] = true;

	PG_RETURN_POINTER(heap_modify_tuple(tup, desc, values, nulls, replace));
}

Datum
hcguard_confirmation_counts(PG_FUNCTION_ARGS)
{
	Oid			relid;
	AttrNumber	attnum;

	for (int i = 0; i < 5; i++)
		if (PG_ARGISNULL(i))
			PG_RETURN_BOOL(false);

	if (!current_identity(NameStr(*PG_GETARG_NAME(2)),
						  NameStr(*PG_GETARG_NAME(3)),
						  NameStr(*PG_GETARG_NAME(4)),
						  &relid, &attnum))
		PG_RETURN_BOOL(false);
	PG_RETURN_BOOL(relid == PG_GETARG_OID(0) && attnum == PG_GETARG_INT16(1));
}


/* The owner of the store: the role confirmations are written as. */
Oid
hc_store_owner(Oid ownnsp)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(store_relid(ownnsp, false)));
	Oid			owner;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for hcguard's confirmation store");
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	return owner;
}
