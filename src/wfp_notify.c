/*-------------------------------------------------------------------------
 *
 * wfp_notify.c
 *	  Change notifications: NOTIFY workflow_persist, '{"id", "version",
 *	  "status", "event"}' for every workflow a committed transaction wrote.
 *
 * With workflow_persist.notify on, writers record which workflows they
 * touched (and the last event) in a backend-local table.  Just before
 * commit (XACT_EVENT_PRE_COMMIT, which runs before PostgreSQL queues its
 * own notifications) each touched header is read back: if this
 * transaction wrote it (its xmin is one of ours), one notification
 * carries its final version and status; if it is gone and the last event
 * was a delete, one says so.  So notifications are
 *   - sent only on commit (PostgreSQL delivers NOTIFY at commit),
 *   - coalesced: one per workflow per transaction, with the final state,
 *   - never sent for work a savepoint rolled back (its xid is not ours).
 * The payload holds the id JSON-escaped; ids are at most 512 bytes, so it
 * stays far below NOTIFY's 8000-byte limit.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/async.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/json.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "workflow_persist.h"

#define CHANNEL "workflow_persist"

typedef struct Touched
{
	char		id[WFP_MAX_ID_BYTES + 1];	/* hash key */
	char		event[16];
} Touched;

static HTAB *touched = NULL;
static SPIPlanPtr read_plan = NULL;

void
wfp_notify_track(const char *id, const char *event)
{
	Touched    *entry;
	bool		found;

	if (!wfp_notify)
		return;
	if (touched == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = WFP_MAX_ID_BYTES + 1;
		ctl.entrysize = sizeof(Touched);
		ctl.hcxt = TopMemoryContext;
		touched = hash_create("workflow_persist touched workflows", 16, &ctl,
							  HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	}
	entry = hash_search(touched, id, HASH_ENTER, &found);
	strlcpy(entry->event, event, sizeof(entry->event));
}

static void
forget_all(void)
{
	if (touched != NULL)
	{
		hash_destroy(touched);
		touched = NULL;
	}
}

/* Queue the notification of one touched workflow, if it is due. */
static void
notify_one(const Touched *entry)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];
	StringInfoData payload;

	if (read_plan == NULL)
	{
		read_plan = SPI_prepare("SELECT version, status, xmin "
								"FROM workflow_persist.wf_workflow WHERE id = $1",
								1, argtypes);
		if (read_plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s",
				 SPI_result_code_string(SPI_result));
		SPI_keepplan(read_plan);
	}
	args[0] = CStringGetTextDatum(entry->id);
	if (SPI_execute_plan(read_plan, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read workflow \"%s\" for its notification",
			 entry->id);

	initStringInfo(&payload);
	appendStringInfoString(&payload, "{\"id\": ");
	escape_json(&payload, entry->id);
	if (SPI_processed == 1)
	{
		HeapTuple	row = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		TransactionId xmin;
		char	   *status;

		xmin = DatumGetTransactionId(SPI_getbinval(row, desc, 3, &isnull));
		if (!TransactionIdIsCurrentTransactionId(xmin))
			return;				/* our changes were rolled back */
		status = TextDatumGetCString(SPI_getbinval(row, desc, 2, &isnull));
		appendStringInfo(&payload, ", \"version\": " INT64_FORMAT ", \"status\": ",
						 DatumGetInt64(SPI_getbinval(row, desc, 1, &isnull)));
		escape_json(&payload, status);
	}
	else if (strcmp(entry->event, "delete") == 0)
		appendStringInfoString(&payload, ", \"version\": null, \"status\": null");
	else
		return;					/* created and then rolled back */
	appendStringInfoString(&payload, ", \"event\": ");
	escape_json(&payload, entry->event);
	appendStringInfoChar(&payload, '}');
	Async_Notify(CHANNEL, payload.data);
}

static void
xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
			if (touched != NULL)
			{
				HASH_SEQ_STATUS seq;
				Touched    *entry;

				PushActiveSnapshot(GetTransactionSnapshot());
				if (SPI_connect() != SPI_OK_CONNECT)
					elog(ERROR, "SPI_connect failed");
				hash_seq_init(&seq, touched);
				while ((entry = hash_seq_search(&seq)) != NULL)
					notify_one(entry);
				SPI_finish();
				PopActiveSnapshot();
				forget_all();
			}
			break;
		case XACT_EVENT_PRE_PREPARE:
			if (touched != NULL)
			{
				ereport(WARNING,
						(errmsg("workflow_persist does not send notifications for prepared transactions")));
				forget_all();
			}
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PREPARE:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PARALLEL_ABORT:
			forget_all();
			break;
		default:
			break;
	}
}

void
wfp_notify_init(void)
{
	RegisterXactCallback(xact_callback, NULL);
}
