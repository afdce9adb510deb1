/*-------------------------------------------------------------------------
 * wait.c
 *	  hcguard_wait: wait for Connect to map and sync what a migration needs.
 *
 * Each poll reaches a fresh verdict, exactly as hcguard_required would, and
 * releases its lock before sleeping: a waiter never holds a lock on a
 * Connect table, so the ALTER TABLE it is waiting for can run.  The sleep is
 * on the process latch, so statement_timeout and pg_cancel_backend end it
 * at once.  Only READ COMMITTED sees Connect's progress: under REPEATABLE
 * READ or SERIALIZABLE the snapshot never moves, and waiting would be
 * waiting for nothing.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/latch.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "hcguard.h"

#define PROGRESS_EVERY_MS (30 * 1000)

PG_FUNCTION_INFO_V1(hcguard_wait);

static int64
interval_us(const Interval *span)
{
	return span->time +
		((int64) span->day + (int64) span->month * DAYS_PER_MONTH) * USECS_PER_DAY;
}

static void
report_progress(const HcVerdict *v, int64 waited_ms)
{
	HcReport	r;
	HcReport	progress;

	hc_describe(v, &r);
	progress = hc_msg(HC_MSG_WAIT_PROGRESS, HC_ARGS(hc_int(waited_ms / 1000), r.message));
	progress.detail = r.detail;
	hc_raise(NOTICE, &progress);
}

Datum
hcguard_wait(PG_FUNCTION_ARGS)
{
	Oid			ownnsp = hc_own_schema();
	const char *schema_name = hc_arg_name(fcinfo, 0, "schema name");
	const char *table_name = hc_arg_name(fcinfo, 1, "table name");
	const char *column_name = NULL;
	HcColumnArg declared = {0};
	int64		timeout_us;
	int64		timeout_ms;
	TimestampTz start = GetCurrentTimestamp();
	TimestampTz last_progress = start;
	MemoryContext poll_cxt;
	MemoryContext old;
	bool		first_look = true;

	if (!PG_ARGISNULL(2))
	{
		column_name = hc_column_arg(fcinfo, 2);
		declared = hc_declared_column(column_name);
	}
	if (PG_ARGISNULL(3))
		hc_error(HC_MSG_TIMEOUT_NULL, HC_NO_ARGS);
	timeout_us = interval_us(PG_GETARG_INTERVAL_P(3));
	/* negative by even a microsecond, which whole milliseconds would hide */
	if (timeout_us < 0)
		hc_error(HC_MSG_TIMEOUT_NEGATIVE, HC_NO_ARGS);
	timeout_ms = timeout_us / 1000;
	if (IsolationUsesXactSnapshot())
		hc_error(HC_MSG_WAIT_ISOLATION, HC_NO_ARGS);

	poll_cxt = AllocSetContextCreate(CurrentMemoryContext, "hcguard_wait poll",
									 ALLOCSET_DEFAULT_SIZES);
	for (;;)
	{
		HcVerdict	v;
		TimestampTz now;
		int64		waited_ms;
		int64		sleep_ms;

		MemoryContextReset(poll_cxt);
		old = MemoryContextSwitchTo(poll_cxt);

		/* see what other sessions committed: catalog and data alike */
		AcceptInvalidationMessages();
		PushActiveSnapshot(GetTransactionSnapshot());
		hc_verdict_guard(&v, ownnsp, schema_name, table_name,
						 column_name ? 1 : 0, &declared, GetActiveSnapshot());
		PopActiveSnapshot();

		/*
		 * Where hcguard provisions, there is no Connect to wait for: what is
		 * missing is created at the first look, which then passes.
		 */
		if (first_look && hc_provision(&v))
			hc_verdict_guard(&v, ownnsp, schema_name, table_name,
							 column_name ? 1 : 0, &declared, GetActiveSnapshot());
		first_look = false;
		if (v.problem == HC_OK)
		{
			hc_record_verdict(&v);
			MemoryContextSwitchTo(old);
			PG_RETURN_BOOL(true);
		}

		now = GetCurrentTimestamp();
		waited_ms = (now - start) / 1000;
		if (waited_ms >= timeout_ms)
		{
			bool		result = hc_report_failure(&v);

			hc_record_verdict(&v);

			MemoryContextSwitchTo(old);
			PG_RETURN_BOOL(result);
		}
		if ((now - last_progress) / 1000 >= PROGRESS_EVERY_MS)
		{
			report_progress(&v, waited_ms);
			last_progress = now;
		}
		MemoryContextSwitchTo(old);

		sleep_ms = Min((int64) hc_poll_interval, timeout_ms - waited_ms);
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 (long) Max(sleep_ms, 1), PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
}
