/*-------------------------------------------------------------------------
 * settings.c
 *	  hcguard's settings, defined when the library is loaded (hcguard.c).
 *
 * hcguard.on_failure is PGC_SUSET: a migration runs as an ordinary role and
 * must not be able to weaken its own guard.  A value a non-superuser SET as
 * a placeholder before the library was loaded is re-checked by the GUC
 * machinery when the variable is defined here, and refused there.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "fmgr.h"
#include "utils/guc.h"

#include "compat.h"
#include "hcguard.h"

int			hc_on_failure = HC_ON_FAILURE_ERROR;
int			hc_poll_interval = 1000;
int			hc_connect_state_max_age = 15 * 60;

static const struct config_enum_entry on_failure_options[] = {
	{"error", HC_ON_FAILURE_ERROR, false},
	{"warning", HC_ON_FAILURE_WARNING, false},
	{"provision", HC_ON_FAILURE_PROVISION, false},
	{NULL, 0, false}
};

void
hc_define_settings(void)
{
	DefineCustomEnumVariable("hcguard.on_failure",
							 "What hcguard_required does when Heroku Connect has not mapped or synced what it needs.",
							 "\"error\" raises an error, which stops the migration; \"warning\" emits a warning and returns false; \"provision\" creates what is declared, in a database without Heroku Connect (development, CI).",
							 &hc_on_failure,
							 HC_ON_FAILURE_ERROR,
							 on_failure_options,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	/* any user: it only sets how often hcguard_wait looks again */
	DefineCustomIntVariable("hcguard.poll_interval",
							"How often hcguard_wait looks again at what it waits for.",
							NULL,
							&hc_poll_interval,
							1000,
							10,
							3600 * 1000,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	/*
	 * Set as hcguard.on_failure is: a fresh report can pass a column that
	 * holds no value, so a migration must not lengthen its life.
	 */
	DefineCustomIntVariable("hcguard.connect_state_max_age",
							"How long a report of Heroku Connect's API, recorded by hcguard_record_connect_state, counts as evidence.",
							"Past it, verdicts rest on the data and confirmations alone.",
							&hc_connect_state_max_age,
							15 * 60,
							0,
							INT_MAX,
							PGC_SUSET,
							GUC_UNIT_S,
							NULL, NULL, NULL);

	MarkGUCPrefixReserved("hcguard");
}
