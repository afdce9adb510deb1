/*-------------------------------------------------------------------------
 * connect_model.c
 *	  What Heroku Connect leaves in a database, read from the catalogs.
 *
 * A Connect schema holds _hcmeta, _trigger_log and _trigger_log_archive; a
 * mapping is an ordinary table there with sfid, _hc_lastop and _hc_err.
 * Names are plain names: looked up exactly as given, then in lower case,
 * because people type Salesforce API names (Contact, Preferred_Channel__c)
 * while Connect lower-cases everything it creates.
 *
 * Every lookup goes through the syscaches; nothing here builds SQL.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/formatting.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "hcguard.h"

/* the tables that make a Connect schema, then the others Connect keeps there */
static const char *const connect_tables[] = {
	"_hcmeta", "_trigger_log", "_trigger_log_archive", "_sf_event_log"
};

#define NUM_REQUIRED_TABLES 3

static const char *const mapping_columns[] = {
	"sfid", "_hc_lastop", "_hc_err"
};

/*
 * A name in lower case, as Connect writes every name it creates (in the
 * database's collation, as SQL's lower() folds it).
 */
char *
hc_lower(const char *name)
{
	return str_tolower(name, strlen(name), DEFAULT_COLLATION_OID);
}

/*
 * A name as PostgreSQL stores an identifier: at most NAMEDATALEN - 1 bytes,
 * cut at a character boundary.  A query naming a longer column finds the
 * truncated one, and so must hcguard: Connect's relationship columns
 * (<relationship>__r__<external id field>) often run past 63 bytes.
 */
char *
hc_identifier(const char *name)
{
	int			len = strlen(name);

	if (len < NAMEDATALEN)
		return pstrdup(name);
	return pnstrdup(name, pg_mbcliplen(name, len, NAMEDATALEN - 1));
}

/*
 * The spellings a name is looked up by, in order: as given, then in lower
 * case (Connect lower-cases everything it creates); each truncated as an
 * identifier.  Returns how many differ (1 or 2).
 */
int
hc_spellings(const char *given, const char *spellings[2])
{
	const char *exact = hc_identifier(given);
	const char *lower = hc_identifier(hc_lower(given));

	spellings[0] = exact;
	spellings[1] = lower;
	return strcmp(exact, lower) == 0 ? 1 : 2;
}

/* A live user column: system columns and dropped ones are not mapped. */
static AttrNumber
live_attnum(Oid relid, const char *name)
{
	AttrNumber	attnum = get_attnum(relid, name);

	return attnum > 0 ? attnum : InvalidAttrNumber;
}

/* The catalog lookups by name, inside a schema or table (0: not found). */
static Oid
lookup_schema(Oid unused, const char *name)
{
	return get_namespace_oid(name, true);
}

static Oid
lookup_table(Oid nspid, const char *name)
{
	return get_relname_relid(name, nspid);
}

static Oid
lookup_column(Oid relid, const char *name)
{
	return (Oid) live_attnum(relid, name);
}

/*
 * Looks a name up by each of its spellings in turn (hc_spellings); the
 * first found is copied into found (NAMEDATALEN bytes).  Returns 0 when
 * none is found.
 */
static Oid
find_spelled(Oid within, const char *given, Oid (*lookup) (Oid, const char *),
			 char *found)
{
	const char *spelling = hc_identifier(given);
	Oid			oid = lookup(within, spelling);

	/* the lower case only where the name as given is not there: it costs */
	if (oid == 0)
	{
		const char *lower = hc_identifier(hc_lower(given));

		if (strcmp(lower, spelling) != 0)
		{
			spelling = lower;
			oid = lookup(within, spelling);
		}
	}
	if (oid != 0)
		strlcpy(found, spelling, NAMEDATALEN);
	return oid;
}

Oid
hc_find_schema(const char *name, char *found)
{
	return find_spelled(InvalidOid, name, lookup_schema, found);
}

Oid
hc_find_table(Oid nspid, const char *name, char *found)
{
	return find_spelled(nspid, name, lookup_table, found);
}

/*
 * The column a field name means.  The field Id, in any case, is the column
 * sfid: Connect's own id is its serial key, which every row fills, so a
 * guard on it would always pass.
 */
const char *
hc_column_of_field(const char *name)
{
	return pg_strcasecmp(name, "id") == 0 ? "sfid" : name;
}

AttrNumber
hc_find_column(Oid relid, const char *name, char *found)
{
	return (AttrNumber) find_spelled(relid, hc_column_of_field(name),
									 lookup_column, found);
}

static void
append_quoted(StringInfo buf, const char *name)
{
	if (buf->len > 0)
		appendStringInfoString(buf, ", ");
	appendStringInfo(buf, "\"%s\"", name);
}

/* Appends to 'missing' (if given) the system tables the schema lacks. */
bool
hc_is_connect_schema(Oid nspid, StringInfo missing)
{
	bool		ok = true;

	for (int i = 0; i < NUM_REQUIRED_TABLES; i++)
	{
		Oid			relid = get_relname_relid(connect_tables[i], nspid);
		char		kind = OidIsValid(relid) ? get_rel_relkind(relid) : '\0';

		if (kind != RELKIND_RELATION && kind != RELKIND_PARTITIONED_TABLE)
		{
			ok = false;
			if (missing)
				append_quoted(missing, connect_tables[i]);
		}
	}
	return ok;
}

/* Appends to 'why_not' (if given) what keeps the table from being a mapping. */
bool
hc_is_mapping(Oid relid, StringInfo why_not)
{
	StringInfoData lacking;
	char		kind = get_rel_relkind(relid);

	if (hc_is_system_table(get_rel_name(relid)))
	{
		if (why_not)
			appendStringInfoString(why_not, hc_text(HC_MSG_WHY_SYSTEM_TABLE, HC_NO_ARGS));
		return false;
	}
	if (kind != RELKIND_RELATION)
	{
		if (why_not)
			appendStringInfoString(why_not,
								   hc_text(kind == RELKIND_VIEW ? HC_MSG_WHY_VIEW :
										   kind == RELKIND_MATVIEW ? HC_MSG_WHY_MATVIEW :
										   kind == RELKIND_FOREIGN_TABLE ? HC_MSG_WHY_FOREIGN_TABLE :
										   kind == RELKIND_PARTITIONED_TABLE ? HC_MSG_WHY_PARTITIONED_TABLE :
										   kind == RELKIND_SEQUENCE ? HC_MSG_WHY_SEQUENCE :
										   HC_MSG_WHY_RELATION, HC_NO_ARGS));
		return false;
	}

	initStringInfo(&lacking);
	for (int i = 0; i < (int) lengthof(mapping_columns); i++)
		if (live_attnum(relid, mapping_columns[i]) == InvalidAttrNumber)
			append_quoted(&lacking, mapping_columns[i]);

	if (lacking.len == 0)
	{
		/* the probe reads _hc_lastop as text: Connect makes it varchar(32) */
		Oid			type = getBaseType(get_atttype(relid, live_attnum(relid, "_hc_lastop")));

		if (type == TEXTOID || type == VARCHAROID || type == BPCHAROID)
			return true;
		if (why_not)
			appendStringInfoString(why_not, hc_text(HC_MSG_WHY_LASTOP_TYPE,
													HC_ARGS(format_type_be(type))));
		return false;
	}
	if (why_not)
		appendStringInfoString(why_not, hc_text(HC_MSG_WHY_LACKS_COLUMNS,
												HC_ARGS(lacking.data)));
	return false;
}

/* For list_sort: names in byte order, as the C collation sorts them. */
int
hc_name_cmp(const ListCell *a, const ListCell *b)
{
	return strcmp(lfirst(a), lfirst(b));
}

/*
 * The Connect schemas of this database, by name, for hints.  Found through
 * pg_class's name index on _hcmeta rather than by walking every schema.
 */
List *
hc_connect_schemas(void)
{
	Relation	pg_class = table_open(RelationRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	List	   *names = NIL;

	ScanKeyInit(&key, Anum_pg_class_relname, BTEqualStrategyNumber,
				F_NAMEEQ, CStringGetDatum(connect_tables[0]));
	scan = systable_beginscan(pg_class, ClassNameNspIndexId, true, NULL,
							  1, &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Oid			nspid = ((Form_pg_class) GETSTRUCT(tup))->relnamespace;

		if (hc_is_connect_schema(nspid, NULL))
			names = lappend(names, get_namespace_name(nspid));
	}
	systable_endscan(scan);
	table_close(pg_class, AccessShareLock);
	list_sort(names, hc_name_cmp);
	return names;
}

/* The mappings of a Connect schema, by name, for hints. */
List *
hc_mapping_names(Oid nspid)
{
	Relation	pg_class = table_open(RelationRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	List	   *names = NIL;

	/* pg_class has no index on the namespace alone */
	ScanKeyInit(&key, Anum_pg_class_relnamespace, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(nspid));
	scan = systable_beginscan(pg_class, InvalidOid, false, NULL, 1, &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_class form = (Form_pg_class) GETSTRUCT(tup);

		if (form->relkind == RELKIND_RELATION && hc_is_mapping(form->oid, NULL))
			names = lappend(names, pstrdup(NameStr(form->relname)));
	}
	systable_endscan(scan);
	table_close(pg_class, AccessShareLock);
	return names;
}

/*
 * The Salesforce field columns of a table the caller has locked: every live
 * column but Connect's bookkeeping, which no code needs declared.
 */
List *
hc_field_column_names(Oid relid)
{
	Relation	rel = table_open(relid, NoLock);
	TupleDesc	desc = RelationGetDescr(rel);
	List	   *names = NIL;

	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped && !hc_is_connect_column(NameStr(att->attname)))
			names = lappend(names, pstrdup(NameStr(att->attname)));
	}
	table_close(rel, NoLock);
	return names;
}

/*
 * The columns Connect adds to every mapping for its own bookkeeping, which
 * stand for no Salesforce field.  (sfid stands for the field Id.)
 */
bool
hc_is_connect_column(const char *name)
{
	return strcmp(name, "id") == 0 || strcmp(name, "_hc_lastop") == 0 ||
		strcmp(name, "_hc_err") == 0;
}

/* Connect's system tables, which stand for no Salesforce object. */
bool
hc_is_system_table(const char *name)
{
	for (int i = 0; i < (int) lengthof(connect_tables); i++)
		if (strcmp(name, connect_tables[i]) == 0)
			return true;
	return false;
}

/*
 * Whether Connect's trigger hc_<table>_<suffix> is on the table and enabled.
 * Connect's names are identifiers, so a long one is truncated like any.
 */
bool
hc_has_trigger(Oid relid, const char *table_name, const char *suffix)
{
	char	   *name = psprintf("hc_%s_%s", table_name, suffix);
	Relation	pg_trigger;
	ScanKeyData keys[2];
	SysScanDesc scan;
	HeapTuple	tup;
	bool		found = false;
	NameData	tgname;

	name[pg_mbcliplen(name, strlen(name), NAMEDATALEN - 1)] = '\0';
	namestrcpy(&tgname, name);

	pg_trigger = table_open(TriggerRelationId, AccessShareLock);
	ScanKeyInit(&keys[0], Anum_pg_trigger_tgrelid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	ScanKeyInit(&keys[1], Anum_pg_trigger_tgname, BTEqualStrategyNumber,
				F_NAMEEQ, NameGetDatum(&tgname));
	scan = systable_beginscan(pg_trigger, TriggerRelidNameIndexId, true,
							  NULL, 2, keys);
	if (HeapTupleIsValid(tup = systable_getnext(scan)))
		found = ((Form_pg_trigger) GETSTRUCT(tup))->tgenabled != TRIGGER_DISABLED;
	systable_endscan(scan);
	table_close(pg_trigger, AccessShareLock);
	return found;
}
