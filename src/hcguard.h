/*-------------------------------------------------------------------------
 * hcguard.h
 *	  Shared declarations of hcguard: the Connect model, the data probe,
 *	  confirmations, the verdict and its report.
 *-------------------------------------------------------------------------
 */
#ifndef HCGUARD_H
#define HCGUARD_H

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "nodes/pg_list.h"
#include "utils/relcache.h"
#include "utils/snapshot.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "compat.h"

#if PG_VERSION_NUM < 130000
#error "hcguard needs PostgreSQL 13 or later"
#endif

/*
 * What stands between the caller and a passing guard, in the order the
 * checks are made.  Each maps to one SQLSTATE of the contract.
 */
typedef enum HcProblem
{
	HC_OK = 0,
	HC_NO_SCHEMA,				/* 3F000 */
	HC_SCHEMA_DENIED,			/* 42501 */
	HC_NOT_CONNECT,				/* 55000 */
	HC_NO_TABLE,				/* 42P01 */
	HC_NOT_MAPPING,				/* 55000 */
	HC_TABLE_DENIED,			/* 42501 */
	HC_NO_COLUMN,				/* 42703 */
	HC_WRONG_TYPE,				/* 42804 */
	HC_NOT_SYNCED				/* 55000 */
} HcProblem;

typedef enum HcEvidence
{
	HC_EVIDENCE_NONE = 0,
	HC_EVIDENCE_DATA,
	HC_EVIDENCE_CONFIRMATION,
	HC_EVIDENCE_PROVISIONED,	/* the schema was provisioned by hcguard */
	HC_EVIDENCE_CONNECT			/* a fresh report of Connect's API */
} HcEvidence;

/* settings.c */
typedef enum HcOnFailure
{
	HC_ON_FAILURE_ERROR,
	HC_ON_FAILURE_WARNING,
	HC_ON_FAILURE_PROVISION
} HcOnFailure;

extern int	hc_on_failure;
extern int	hc_poll_interval;
extern int	hc_connect_state_max_age;

extern void hc_define_settings(void);

/* args.c: the SQL functions' arguments */
extern const char *hc_arg_name(FunctionCallInfo fcinfo, int argno,
							   const char *what);
extern const char *hc_column_arg(FunctionCallInfo fcinfo, int argno);

/* a column argument that may declare the type the code expects */
typedef struct HcColumnArg
{
	const char *name;
	Oid			type;			/* InvalidOid: any type will do */
	int32		typmod;
} HcColumnArg;

extern HcColumnArg hc_declared_column(const char *arg);
extern const char **hc_column_list(FunctionCallInfo fcinfo, int argno,
								   int *ncols);
extern void hc_check_field_name(const char *name);

/* connect_model.c: names and the shape Connect gives a database */
extern char *hc_lower(const char *name);
extern int	hc_name_cmp(const ListCell *a, const ListCell *b);
extern char *hc_identifier(const char *name);
extern int	hc_spellings(const char *given, const char *spellings[2]);
extern const char *hc_column_of_field(const char *name);
extern Oid	hc_find_schema(const char *name, char *found);
extern Oid	hc_find_table(Oid nspid, const char *name, char *found);
extern AttrNumber hc_find_column(Oid relid, const char *name, char *found);
extern bool hc_is_connect_schema(Oid nspid, StringInfo missing);
extern bool hc_is_mapping(Oid relid, StringInfo why_not);
extern List *hc_connect_schemas(void);
extern List *hc_mapping_names(Oid nspid);
extern List *hc_field_column_names(Oid relid);
extern bool hc_is_connect_column(const char *name);
extern bool hc_is_system_table(const char *name);
extern bool hc_has_trigger(Oid relid, const char *table_name,
						   const char *suffix);

/* locking.c */
extern void hc_lock_table(Oid relid);
extern void hc_unlock_table(Oid relid);
extern void hc_without_locks(void (*work) (void *arg), void *arg);

/* session_table.c */
extern struct HTAB *hc_session_table(struct HTAB *table, const char *name,
									 Size keysize, Size entrysize, long max,
									 bool names_last);

/* catalog_memory.c: what a session keeps of the catalogs */
extern void hc_catalog_memory_init(void);
extern bool hc_forgotten_on_write(Relation rel, const char *trigger_name);
extern uint64 hc_catalog_generation(void);
extern Oid	hc_own_relid(Oid nspid, const char *name);

/* result_set.c */
extern Tuplestorestate *hc_result_set(FunctionCallInfo fcinfo, TupleDesc *desc);

/* trigger_log.c: writes pending and failed, per mapping */
typedef struct HcWriteHealth
{
	char	   *table_name;
	int64		pending;
	int64		failed;
	bool		has_failure_at;
	TimestampTz last_failure_at;
	char	   *last_failure;
} HcWriteHealth;

extern List *hc_write_health(Oid nspid, bool *pending_known,
							 bool *failed_known);
extern const HcWriteHealth *hc_write_health_of(List *health,
											   const char *table_name);

/* suggest.c */
extern List *hc_closest_names(const char *wanted, List *candidates);

/* probe.c: what Connect has written */

/*
 * Who wrote a row, as far as the data tells.  Connect's own writes are
 * SYNCED, INSERTED or UPDATED, and its bulk loads leave _hc_lastop NULL with
 * sfid set; the application's writes are PENDING until pushed, or FAILED.
 */
typedef enum HcOrigin
{
	HC_ORIGIN_CONNECT = 0,
	HC_ORIGIN_PENDING,
	HC_ORIGIN_FAILED,
	HC_ORIGIN_UNKNOWN,			/* _hc_lastop and sfid both NULL */
	HC_ORIGIN_OTHER,			/* another _hc_lastop value */
	HC_NUM_ORIGINS
} HcOrigin;

typedef int64 HcOriginCounts[HC_NUM_ORIGINS];

typedef struct HcProbe
{
	/* in: the columns whose data is wanted (may be none: the table itself) */
	int			ncols;
	AttrNumber *attnums;
	/* out, per wanted column */
	bool	   *found;			/* a Connect-written row holds a value */
	int64	   *valued;			/* rows read that hold a value */
	HcOriginCounts *valued_by;	/* ... by origin */
	/* out, for the table itself (counted only when no column is wanted) */
	bool		found_row;		/* a Connect-written row exists */
	HcOriginCounts rows_by;
	int64		rows;			/* rows read */
} HcProbe;

/*
 * The first look of a guard, in rows: as many as the SQL edition's first
 * look reads (hcguard__probe_rows).
 */
#define HC_PROBE_FIRST_ROWS 1000

extern void hc_probe_init(HcProbe *probe, int ncols);
extern void hc_probe_run(Relation rel, AttrNumber lastop, AttrNumber sfid,
						 HcProbe *probe, Snapshot snapshot);
extern bool hc_probe_first_rows(Relation rel, AttrNumber lastop,
								AttrNumber sfid, HcProbe *probe,
								Snapshot snapshot, int64 rows);

/* store.c: the confirmation store */
#define HC_SCHEMA_NAME "hcguard"
#define HC_STORE_NAME "confirmation_store"

extern Oid	hc_own_schema(void);
extern Oid	hc_extension_schema(void);
extern char *hc_store_qualified_name(Oid ownnsp);
extern Oid	hc_store_owner(Oid ownnsp);
extern bool hc_confirmation_holds(Oid ownnsp, const char *schema_name,
								  const char *table_name,
								  const char *column_name,
								  Oid relid, AttrNumber attnum);

/* verdict.c: one verdict about a mapping and zero or more of its columns */
typedef struct HcColumnVerdict
{
	const char *given;			/* as the caller wrote it */
	const char *name;			/* as found in the catalog, else as given */
	AttrNumber	attnum;
	int			probe_index;	/* its place among the probe's columns */
	HcProblem	problem;
	HcEvidence	evidence;
	List	   *closest;		/* names close to a missing column */
	Oid			declared;		/* the declared type, if any */
	int32		declared_typmod;
	char	   *declared_type;	/* as format_type writes them, for a mismatch */
	char	   *actual_type;
} HcColumnVerdict;

typedef struct HcVerdict
{
	const char *schema_given;
	const char *table_given;
	const char *schema_name;	/* as found in the catalog, else as given */
	const char *table_name;
	Oid			nspid;
	Oid			relid;
	AttrNumber	lastop;			/* _hc_lastop's attnum */
	AttrNumber	sfid;			/* sfid's attnum */
	bool		locked;			/* hcguard holds its lock on relid */
	bool		connect_schema;
	bool		provisioned;	/* hcguard provisioned the schema (known once
								 * judged, unless passed by its data) */
	bool		guard;			/* only pass or fail is wanted, not the
								 * evidence that comes first */
	bool		mapped;			/* the table is a mapping, columns mapped */
	bool		synced;
	HcProblem	problem;		/* the first unmet condition, HC_OK if none */
	HcEvidence	evidence;		/* the table's evidence when no column */
	char	   *connect_blocked;	/* a fresh Connect report's state, when it
									 * fails the verdict */
	StringInfoData why;			/* catalog facts behind the problem */
	List	   *closest;		/* names close to a missing schema or table */
	int			ncols;
	HcColumnVerdict *cols;
	HcProbe		probe;
} HcVerdict;

extern bool hc_resolve_schema(HcVerdict *v, const char *schema_name,
							  bool check_read);
extern void hc_resolve(HcVerdict *v, const char *schema_name,
					   const char *table_name, int ncols,
					   const char **column_names, bool check_read);
extern void hc_resolve_declared(HcVerdict *v, const char *schema_name,
								const char *table_name, int ncols,
								const HcColumnArg *columns, bool check_read);
extern void hc_judge(HcVerdict *v, Oid ownnsp, Snapshot snapshot);
extern void hc_release(HcVerdict *v);
extern void hc_verdict(HcVerdict *v, Oid ownnsp, const char *schema_name,
					   const char *table_name, int ncols,
					   const char **column_names, Snapshot snapshot);
extern void hc_verdict_declared(HcVerdict *v, Oid ownnsp, const char *schema_name,
								const char *table_name, int ncols,
								const HcColumnArg *columns, Snapshot snapshot);
extern void hc_verdict_guard(HcVerdict *v, Oid ownnsp, const char *schema_name,
							 const char *table_name, int ncols,
							 const HcColumnArg *columns, Snapshot snapshot);
extern int	hc_unmet_columns(const HcVerdict *v);

/* catalog_memory.c: where a mapping that resolved led */
typedef struct HcKeptMapping
{
	Oid			nspid;
	Oid			relid;
	AttrNumber	lastop;
	AttrNumber	sfid;
	NameData	schema_name;	/* as found in the catalog */
	NameData	table_name;
} HcKeptMapping;

extern bool hc_recall_mapping(Oid roleid, const char *schema_given,
							  const char *table_given, HcKeptMapping *mapping);
extern void hc_keep_mapping(Oid roleid, const char *schema_given,
							const char *table_given,
							const HcKeptMapping *mapping, uint64 since);
extern bool hc_recall_column(Oid relid, HcColumnVerdict *col, char *found);
extern void hc_keep_column(Oid relid, const HcColumnVerdict *col, uint64 since);

/* provision.c: hcguard.on_failure = provision */
extern bool hc_is_provisioned(Oid nspid);
extern bool hc_provision(const HcVerdict *v);
extern char *hc_format_type_pinned(Oid type, int32 typmod);
extern bool hc_call_shared(const char *function, int nargs, Oid *argtypes,
						   Datum *values, const char *nulls, bool *missing);
extern bool hc_provision_names(const char *schema_name, const char *table_name,
							   int ncols, const char **columns,
							   const HcColumnArg *declared);

/* connect_state.c: Connect's own word, from its API's last report */
typedef enum HcConnectState
{
	HC_CONNECT_NONE = 0,		/* no fresh report on the mapping */
	HC_CONNECT_SYNCED,
	HC_CONNECT_BLOCKED
} HcConnectState;

typedef struct HcConnectWord
{
	Datum	   *columns;		/* synced: its configured fields' columns */
	int			ncolumns;
	char	   *blocked;		/* blocked: the state, as a report says it */
} HcConnectWord;

extern HcConnectState hc_connect_word(Oid ownnsp, const char *schema_name,
									  const char *table_name, HcConnectWord *word);
extern bool hc_connect_vouches(const HcConnectWord *word, const char *column_name);

/* declarations.c: what the migrations declared */
extern void hc_declarations_init(void);
extern void hc_record_verdict(const HcVerdict *v);
extern void hc_record_names(const char *schema_name, const char *table_name,
							int ncols, const char **columns);

/* messages.c: reports from the catalogue (src/messages.txt) */
typedef struct HcMessageDef
{
	const char *id;
	const char *sqlstate;
	const char *message;
	const char *detail;
	const char *hint;
	const char *text;
} HcMessageDef;

#include "messages.h"

typedef struct HcReport
{
	int			sqlstate;
	char	   *message;
	char	   *detail;
	char	   *hint;
} HcReport;

/* a catalogue text's arguments, all strings: HC_ARGS(a, b) */
#define HC_ARGS(...) ((const char *const[]) {__VA_ARGS__, NULL})
#define HC_NO_ARGS ((const char *const[]) {NULL})

extern HcReport hc_msg(HcMsg id, const char *const *args);
extern char *hc_text(HcMsg id, const char *const *args);
extern const char *hc_text_of(const char *id);
extern void hc_append_text(StringInfo buf, HcMsg id, const char *const *args);
extern void hc_raise(int elevel, const HcReport *r);
extern HC_NORETURN(void hc_error(HcMsg id, const char *const *args));
extern char *hc_int(int64 n);

/* report.c */
extern void hc_describe(const HcVerdict *v, HcReport *r);
extern void hc_report(const HcVerdict *v, int elevel);
extern bool hc_report_failure(const HcVerdict *v);
extern const char *hc_evidence_name(HcEvidence e);
extern char *hc_qualified(const char *schema_name, const char *table_name);
extern char *hc_quoted_list(List *names);

#endif							/* HCGUARD_H */
