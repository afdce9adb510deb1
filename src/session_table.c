/*-------------------------------------------------------------------------
 * session_table.c
 *	  The small tables a session keeps from one call to the next (see
 *	  declarations.c and verdict.c): what they hold only saves work, so a
 *	  table that reaches its bound is emptied rather than grown.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/hsearch.h"

#include "hcguard.h"

/*
 * The table, ready for one more entry: made if there is none (in memory
 * that lasts the session), emptied if it holds max entries already.
 */
HTAB *
hc_session_table(HTAB *table, const char *name, Size keysize, Size entrysize,
				 long max)
{
	HASHCTL		ctl;

	if (table != NULL && hash_get_num_entries(table) < max)
		return table;
	if (table != NULL)
		hash_destroy(table);
	ctl.keysize = keysize;
	ctl.entrysize = entrysize;
	return hash_create(name, 64, &ctl, HASH_ELEM | HASH_BLOBS);
}
