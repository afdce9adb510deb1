/*-------------------------------------------------------------------------
 * messages.c
 *	  Reports from the message catalogue (src/messages.txt), which the SQL
 *	  edition is built from too.
 *
 * A text's placeholders are %1$s, %2$s, ...: filled here from an array of
 * strings, as PL/pgSQL's format() fills them in the SQL edition, so that
 * the two editions say the same thing in the same words.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"

#include "hcguard.h"

#define HC_MESSAGE_TABLE
#include "messages.h"

/* A catalogue text with its %N$s placeholders filled from args. */
static char *
fill(const char *tmpl, const char *const *args)
{
	StringInfoData buf;
	int			nargs = 0;

	while (args[nargs] != NULL)
		nargs++;
	initStringInfo(&buf);
	for (const char *p = tmpl; *p; p++)
	{
		char	   *end;
		long		n;

		if (*p != '%')
		{
			appendStringInfoChar(&buf, *p);
			continue;
		}
		if (p[1] == '%')
		{
			appendStringInfoChar(&buf, '%');
			p++;
			continue;
		}
		n = strtol(p + 1, &end, 10);
		if (end[0] != '$' || end[1] != 's' || n < 1 || n > nargs)
			elog(ERROR, "hcguard: bad placeholder in \"%s\"", tmpl);
		appendStringInfoString(&buf, args[n - 1]);
		p = end + 1;
	}
	return buf.data;
}

static const HcMessageDef *
def(HcMsg id)
{
	Assert(id >= 0 && id < HC_NUM_MSGS);
	return &hc_message_table[id];
}

HcReport
hc_msg(HcMsg id, const char *const *args)
{
	const HcMessageDef *m = def(id);
	HcReport	r = {0};

	Assert(m->message != NULL);
	if (m->sqlstate)
		r.sqlstate = MAKE_SQLSTATE(m->sqlstate[0], m->sqlstate[1], m->sqlstate[2],
								   m->sqlstate[3], m->sqlstate[4]);
	r.message = fill(m->message, args);
	r.detail = m->detail ? fill(m->detail, args) : NULL;
	r.hint = m->hint ? fill(m->hint, args) : NULL;
	return r;
}

char *
hc_text(HcMsg id, const char *const *args)
{
	const HcMessageDef *m = def(id);

	Assert(m->text != NULL);
	return fill(m->text, args);
}

/* A text by its id (the catalogue's name for it), without placeholders
 * filled; NULL if the catalogue has none of that name. */
const char *
hc_text_of(const char *id)
{
	for (int i = 0; i < HC_NUM_MSGS; i++)
		if (strcmp(hc_message_table[i].id, id) == 0)
			return hc_message_table[i].text;
	return NULL;
}

/* Appends a catalogue sentence, after a space when something precedes it. */
void
hc_append_text(StringInfo buf, HcMsg id, const char *const *args)
{
	if (buf->len > 0)
		appendStringInfoChar(buf, ' ');
	appendStringInfoString(buf, hc_text(id, args));
}

void
hc_raise(int elevel, const HcReport *r)
{
	ereport(elevel,
			(r->sqlstate ? errcode(r->sqlstate) : 0,
			 errmsg_internal("%s", r->message),
			 r->detail ? errdetail_internal("%s", r->detail) : 0,
			 r->hint ? errhint("%s", r->hint) : 0));
}

/* Raises a catalogue report as an error. */
void
hc_error(HcMsg id, const char *const *args)
{
	HcReport	r = hc_msg(id, args);

	hc_raise(ERROR, &r);
	pg_unreachable();
}

char *
hc_int(int64 n)
{
	return psprintf("%lld", (long long) n);
}
