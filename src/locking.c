/*-------------------------------------------------------------------------
 * locking.c
 *	  Holding no lock on a Connect table beyond the call.
 *
 * Connect changes its tables with ALTER TABLE, which waits for every lock
 * on them.  A lock hcguard took and kept until the end of a long migration
 * would queue Connect's ALTER TABLE, and every query behind it, for as long.
 * So hcguard holds its locks only while it looks, and releases them before
 * returning.  The lock manager counts acquisitions per resource owner, so a
 * lock the caller held before the call stays held.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "storage/lmgr.h"
#include "utils/resowner.h"

#include "hcguard.h"

/*
 * AccessShareLock for the duration of a look: it keeps the catalog facts
 * and the data consistent while hcguard reads them.
 */
void
hc_lock_table(Oid relid)
{
	LockRelationOid(relid, AccessShareLock);
}

void
hc_unlock_table(Oid relid)
{
	UnlockRelationOid(relid, AccessShareLock);
}

/*
 * Runs work that goes through the executor (SPI), whose locks on tables and
 * indexes cannot be released one by one, inside a subtransaction that is
 * then rolled back: rolling it back releases exactly the locks taken inside.
 * The work must only read, and must leave its results in memory allocated
 * in the caller's context.
 */
void
hc_without_locks(void (*work) (void *arg), void *arg)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		work(arg);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
		ReThrowError(edata);
	}
	PG_END_TRY();
	RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(cxt);
	CurrentResourceOwner = owner;
}
