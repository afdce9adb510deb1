/*-------------------------------------------------------------------------
 * hcguard.c
 *	  The module: its magic block and what loading it sets up.
 *
 * hcguard - Heroku Connect guards for migrations.  A migration declares the
 * Salesforce fields it needs (hcguard_required); where Heroku Connect has
 * not mapped and synced them in this database, the call fails and the
 * deploy stops.  Where to read on:
 *   guard.c, overview.c, config.c, wait.c, confirm.c  the SQL functions
 *   args.c                     their arguments
 *   verdict.c, probe.c         the verdict: catalogs first, then the data
 *   connect_model.c            what Connect leaves in a database
 *   store.c                    the confirmations the verdict reads
 *   report.c, suggest.c        what a person at a failed deploy reads
 *   declarations.c             what the migrations declared
 *   session_table.c            what a session keeps between calls
 *   catalog_memory.c           ... of the catalogs, and when to forget it
 *   trigger_log.c, locking.c, result_set.c, settings.c  the rest
 *   compat.h                   the server APIs that differ between versions
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"

#include "hcguard.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	hc_define_settings();
	hc_declarations_init();
	hc_catalog_memory_init();
}
