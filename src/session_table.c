/*-------------------------------------------------------------------------
 * session_table.c
 *	  The small tables a session keeps from one call to the next (see
 *	  declarations.c and verdict.c): what they hold only saves work, so a
 *	  table that reaches its bound is emptied rather than grown.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "utils/hsearch.h"

#include "hcguard.h"

/*
 * Keys made of a fixed part shorter than a name, then names (NameData,
 * padded with zeros): the names' padding is most of such a key, and
 * hashing or comparing it is most of a look-up's cost.  These read each
 * name only to its end.
 */
static uint32
names_key_hash(const void *key, Size keysize)
{
	const char *bytes = key;
	Size		fixed = keysize % NAMEDATALEN;
	uint32		h = hash_bytes((const unsigned char *) bytes, (int) fixed);

	for (Size at = fixed; at < keysize; at += NAMEDATALEN)
		h = hash_combine(h, hash_bytes((const unsigned char *) bytes + at,
									   (int) strnlen(bytes + at, NAMEDATALEN)));
	return h;
}

static int
names_key_match(const void *key1, const void *key2, Size keysize)
{
	const char *a = key1;
	const char *b = key2;
	Size		fixed = keysize % NAMEDATALEN;

	if (memcmp(a, b, fixed) != 0)
		return 1;
	for (Size at = fixed; at < keysize; at += NAMEDATALEN)
		if (strncmp(a + at, b + at, NAMEDATALEN) != 0)
			return 1;
	return 0;
}

/*
 * The table, ready for one more entry: made if there is none (in memory
 * that lasts the session), emptied if it holds max entries already.  With
 * names_last, its keys are a fixed part shorter than a name followed by
 * names (see names_key_hash), zeroed before they are filled.
 */
HTAB *
hc_session_table(HTAB *table, const char *name, Size keysize, Size entrysize,
				 long max, bool names_last)
{
	HASHCTL		ctl;

	if (table != NULL && hash_get_num_entries(table) < max)
		return table;
	if (table != NULL)
		hash_destroy(table);
	ctl.keysize = keysize;
	ctl.entrysize = entrysize;
	if (!names_last)
		return hash_create(name, 64, &ctl, HASH_ELEM | HASH_BLOBS);
	ctl.hash = names_key_hash;
	ctl.match = names_key_match;
	return hash_create(name, 64, &ctl, HASH_ELEM | HASH_FUNCTION | HASH_COMPARE);
}
