/*-------------------------------------------------------------------------
 *
 * wfp_worker.c
 *	  The cleanup background worker: a loop that calls wf_cleanup().
 *
 * With shared_preload_libraries = 'workflow_persist', a launcher (no
 * database connection) wakes every workflow_persist.cleanup_interval
 * seconds and, for each database named in workflow_persist.
 * cleanup_databases, starts a short-lived worker that connects there and
 * runs workflow_persist.wf_cleanup() one batch per transaction until
 * nothing expired is left, then exits.  All the work is the SQL function,
 * so pg_cron or a person can do the same.
 *
 * Both only start once recovery has finished: never on a standby.  The
 * launcher reloads its settings on SIGHUP, exits on SIGTERM and is
 * restarted by the postmaster if it dies; a failing round is logged and
 * recorded in wf_cleanup_state, and the next round tries again.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/varlena.h"

#include "wfp_settings.h"
#include "wfp_worker.h"

PGDLLEXPORT void wfp_cleanup_launcher_main(Datum main_arg);
PGDLLEXPORT void wfp_cleanup_worker_main(Datum main_arg);

#define LAUNCHER_TYPE	"workflow_persist cleanup launcher"
#define WORKER_TYPE		"workflow_persist cleanup"

/* Register the launcher; called from _PG_init while preloading. */
void
wfp_worker_register(void)
{
	BackgroundWorker worker;

	memset(&worker, 0, sizeof(worker));
	/* a connection to no database: just enough to be in pg_stat_activity */
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS |
		BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 5;
	strlcpy(worker.bgw_library_name, "workflow_persist", BGW_MAXLEN);
	strlcpy(worker.bgw_function_name, "wfp_cleanup_launcher_main", BGW_MAXLEN);
	strlcpy(worker.bgw_name, LAUNCHER_TYPE, BGW_MAXLEN);
	strlcpy(worker.bgw_type, LAUNCHER_TYPE, BGW_MAXLEN);
	RegisterBackgroundWorker(&worker);
}

/* ----------
 * The launcher
 * ----------
 */

/* Start the cleanup of one database and wait until it is done. */
static void
clean_database(const char *dbname)
{
	BackgroundWorker worker;
	BackgroundWorkerHandle *handle;
	BgwHandleStatus status;
	pid_t		pid;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS |
		BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	strlcpy(worker.bgw_library_name, "workflow_persist", BGW_MAXLEN);
	strlcpy(worker.bgw_function_name, "wfp_cleanup_worker_main", BGW_MAXLEN);
	snprintf(worker.bgw_name, BGW_MAXLEN, WORKER_TYPE " in \"%s\"", dbname);
	strlcpy(worker.bgw_type, WORKER_TYPE, BGW_MAXLEN);
	strlcpy(worker.bgw_extra, dbname, BGW_EXTRALEN);
	worker.bgw_notify_pid = MyProcPid;

	if (!RegisterDynamicBackgroundWorker(&worker, &handle))
	{
		ereport(LOG,
				(errmsg("workflow_persist could not start the cleanup of database \"%s\"",
						dbname),
				 errhint("Raise max_worker_processes; the next round will try again.")));
		return;
	}
	status = WaitForBackgroundWorkerStartup(handle, &pid);
	if (status == BGWH_STARTED)
		status = WaitForBackgroundWorkerShutdown(handle);
	if (status == BGWH_POSTMASTER_DIED)
		proc_exit(1);
}

/* One round: every database of workflow_persist.cleanup_databases. */
static void
cleanup_round(void)
{
	char	   *raw = pstrdup(wfp_cleanup_databases);
	List	   *names;
	ListCell   *lc;

	if (!SplitIdentifierString(raw, ',', &names))
	{
		ereport(LOG,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid list syntax in workflow_persist.cleanup_databases")));
		return;
	}
	foreach(lc, names)
	{
		CHECK_FOR_INTERRUPTS();
		clean_database((const char *) lfirst(lc));
	}
	list_free(names);
	pfree(raw);
}

void
wfp_cleanup_launcher_main(Datum main_arg)
{
	TimestampTz last_round = 0;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(NULL, NULL, 0);
	pgstat_report_appname(LAUNCHER_TYPE);

	for (;;)
	{
		long		timeout = -1;
		int			events = WL_LATCH_SET | WL_EXIT_ON_PM_DEATH;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		if (wfp_cleanup_interval > 0 && wfp_cleanup_databases[0] != '\0')
		{
			TimestampTz next = TimestampTzPlusMilliseconds(last_round,
														   wfp_cleanup_interval * 1000L);
			TimestampTz now = GetCurrentTimestamp();

			if (last_round == 0 || now >= next)
			{
				cleanup_round();
				last_round = GetCurrentTimestamp();
				next = TimestampTzPlusMilliseconds(last_round,
												   wfp_cleanup_interval * 1000L);
				now = last_round;
			}
			timeout = Max(1, (long) ((next - now) / 1000));
			events |= WL_TIMEOUT;
		}
		/* sleep until the next round, a signal, or a reload */
		(void) WaitLatch(MyLatch, events, timeout, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}

/* ----------
 * The worker of one database
 * ----------
 */

/* Record a failed round in wf_cleanup_state (best effort). */
static void
record_error(const char *message)
{
	Oid			save_userid;
	int			save_sec_context;

	/*
	 * As the bootstrap superuser: the failure may be that cleanup_role
	 * lacks the privileges this update needs too.
	 */
	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(BOOTSTRAP_SUPERUSERID,
						   save_sec_context | SECURITY_LOCAL_USERID_CHANGE);
	PG_TRY();
	{
		Oid			argtypes[1] = {TEXTOID};
		Datum		args[1];

		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		PushActiveSnapshot(GetTransactionSnapshot());
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		args[0] = CStringGetTextDatum(message);
		SPI_execute_with_args("UPDATE workflow_persist.wf_cleanup_state "
							  "SET last_error = $1, last_error_at = now()",
							  1, argtypes, args, NULL, false, 0);
		SPI_finish();
		PopActiveSnapshot();
		CommitTransactionCommand();
	}
	PG_CATCH();
	{
		EmitErrorReport();
		FlushErrorState();
		AbortCurrentTransaction();
	}
	PG_END_TRY();
	SetUserIdAndSecContext(save_userid, save_sec_context);
}

/*
 * One batch in its own transaction: the number of workflows deleted, or
 * -1 when there is nothing to do here (extension absent or being created,
 * or the server is in recovery).
 */
static int64
cleanup_batch(void)
{
	int64		deleted = -1;
	Oid			argtypes[2] = {INT4OID, INT8OID};
	Datum		args[2];

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	if (!RecoveryInProgress() &&
		OidIsValid(get_extension_oid("workflow_persist", true)) &&
		!creating_extension)
	{
		/* one batch per transaction, in every namespace */
		const char *sql = "SELECT workflow_persist.wf_cleanup($1, $2, false, '*')";
		bool		isnull;

		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		pgstat_report_activity(STATE_RUNNING, sql);
		args[0] = Int32GetDatum(wfp_cleanup_batch_size);
		args[1] = Int64GetDatum(wfp_cleanup_batch_size);
		if (SPI_execute_with_args(sql, 2, argtypes, args, NULL, false, 1) !=
			SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "workflow_persist.wf_cleanup() returned no row");
		deleted = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
											  SPI_tuptable->tupdesc, 1,
											  &isnull));
		SPI_finish();
	}
	PopActiveSnapshot();
	CommitTransactionCommand();
	pgstat_report_stat(false);
	pgstat_report_activity(STATE_IDLE, NULL);
	return deleted;
}

/*
 * Leave the server to the application for cleanup_batch_delay.  The latch
 * may be set for other reasons than a signal (it is at startup), so wait
 * out the whole pause; SIGTERM still ends it at once.
 */
static void
pause_between_batches(void)
{
	TimestampTz end;

	if (wfp_cleanup_batch_delay <= 0)
		return;
	end = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
									  wfp_cleanup_batch_delay);
	for (;;)
	{
		long		remaining;

		CHECK_FOR_INTERRUPTS();
		remaining = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), end);
		if (remaining <= 0)
			break;
		(void) WaitLatch(MyLatch,
						 WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 remaining, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}

void
wfp_cleanup_worker_main(Datum main_arg)
{
	char		dbname[NAMEDATALEN];
	MemoryContext cxt;
	volatile int64 total = 0;

	strlcpy(dbname, MyBgworkerEntry->bgw_extra, sizeof(dbname));
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(dbname,
										 wfp_cleanup_role[0] != '\0' ?
										 wfp_cleanup_role : NULL, 0);
	pgstat_report_appname(WORKER_TYPE);
	/* never wait long for a lock (DDL, an upgrade): the next round retries */
	SetConfigOption("lock_timeout", "5s", PGC_USERSET, PGC_S_SESSION);

	cxt = AllocSetContextCreate(TopMemoryContext, "workflow_persist cleanup",
								ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		for (;;)
		{
			int64		n;

			CHECK_FOR_INTERRUPTS();
			n = cleanup_batch();
			MemoryContextReset(cxt);
			if (n < 0)
				break;
			total += n;
			/* a short batch may only mean rows were skipped: stop at 0 */
			if (n == 0)
				break;
			pause_between_batches();
		}
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		AbortCurrentTransaction();
		ereport(LOG,
				(errmsg("workflow_persist cleanup in database \"%s\" failed: %s",
						dbname, edata->message),
				 errdetail("The next round will try again.")));
		record_error(edata->message);
		proc_exit(0);
	}
	PG_END_TRY();
	if (total > 0)
		ereport(DEBUG1,
				(errmsg("workflow_persist cleanup deleted " INT64_FORMAT " workflows in database \"%s\"",
						total, dbname)));
	proc_exit(0);
}
