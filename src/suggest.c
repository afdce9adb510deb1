/*-------------------------------------------------------------------------
 * suggest.c
 *	  The closest existing names to one that does not exist.
 *
 * The usual mistakes at a failed deploy are a missing "__c", a namespace
 * prefix, or a typo; an edit distance of about a third of the name catches
 * those without suggesting unrelated columns of a 300-column mapping.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_collation.h"
#include "utils/builtins.h"
#include "utils/formatting.h"
#include "utils/varlena.h"

#include "hcguard.h"

#define MAX_SUGGESTIONS 3

typedef struct Candidate
{
	const char *name;
	int			distance;
} Candidate;

static int
candidate_cmp(const void *a, const void *b)
{
	const Candidate *x = a;
	const Candidate *y = b;

	if (x->distance != y->distance)
		return x->distance - y->distance;
	return strcmp(x->name, y->name);
}

List *
hc_closest_names(const char *wanted, List *candidates)
{
	char	   *lower;
	int			len;
	int			max_distance;
	Candidate  *close;
	int			nclose = 0;
	List	   *result = NIL;
	ListCell   *lc;

	len = strlen(wanted);
	if (len >= 2 * NAMEDATALEN || candidates == NIL)
		return NIL;
	lower = hc_lower(wanted);
	len = strlen(lower);
	max_distance = Max(2, len / 3);

	close = palloc(sizeof(Candidate) * list_length(candidates));
	foreach(lc, candidates)
	{
		const char *name = lfirst(lc);
		int			d = varstr_levenshtein_less_equal(lower, len,
													  name, strlen(name),
													  1, 1, 1,
													  max_distance, true);

		if (d <= max_distance && strcmp(name, lower) != 0)
		{
			close[nclose].name = name;
			close[nclose].distance = d;
			nclose++;
		}
	}

	qsort(close, nclose, sizeof(Candidate), candidate_cmp);
	for (int i = 0; i < nclose && i < MAX_SUGGESTIONS; i++)
		result = lappend(result, (void *) close[i].name);
	return result;
}
