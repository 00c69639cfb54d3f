/*-------------------------------------------------------------------------
 *
 * wfp_notify.c
 *	  Change notifications: NOTIFY workflow_persist, '{"id", "version",
 *	  "status", "event", "namespace"}' for every workflow a committed
 *	  transaction wrote.
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
 *   - never sent for work a savepoint rolled back (its xid is not ours),
 *     and named after the last write that survived (each workflow keeps
 *     one event per subtransaction level, dropped if that one aborts),
 *   - not sent for a workflow created and deleted in the same transaction.
 * The payload holds the id JSON-escaped; ids are at most 512 bytes and
 * namespaces 63, so it stays far below NOTIFY's 8000-byte limit.
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

#include "wfp_settings.h"
#include "wfp_notify.h"

#define CHANNEL "workflow_persist"

/*
 * A touched workflow: the events written to it, one frame per
 * (sub)transaction level that wrote it, newest last.  A subtransaction
 * that commits folds its frame into its parent's; one that aborts drops
 * it.  So at commit the newest frame names the last write that survived.
 */
#define MAX_FRAMES 16

typedef struct Frame
{
	SubTransactionId subid;
	char		event[16];
	bool		created;		/* this write created the workflow */
} Frame;

/* "<namespace>:<id>": a namespace holds no ':', so the first one splits */
#define TOUCHED_KEY_BYTES (WFP_MAX_NAMESPACE_BYTES + 1 + WFP_MAX_ID_BYTES + 1)

typedef struct Touched
{
	char		key[TOUCHED_KEY_BYTES];	/* hash key */
	int			nframes;
	Frame		frames[MAX_FRAMES];
} Touched;

static HTAB *touched = NULL;
static SPIPlanPtr read_plan = NULL;

void
wfp_notify_track(const char *ns, const char *id, const char *event,
				 bool created)
{
	char		key[TOUCHED_KEY_BYTES];
	Touched    *entry;
	bool		found;
	SubTransactionId subid = GetCurrentSubTransactionId();
	Frame	   *top;

	if (!wfp_notify)
		return;
	if (touched == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = TOUCHED_KEY_BYTES;
		ctl.entrysize = sizeof(Touched);
		ctl.hcxt = TopMemoryContext;
		touched = hash_create("workflow_persist touched workflows", 16, &ctl,
							  HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	}
	snprintf(key, sizeof(key), "%s:%s", ns, id);
	entry = hash_search(touched, key, HASH_ENTER, &found);
	if (!found)
		entry->nframes = 0;
	top = entry->nframes > 0 ? &entry->frames[entry->nframes - 1] : NULL;
	if (top == NULL || top->subid != subid)
	{
		if (entry->nframes == MAX_FRAMES)
		{
			/* deeper than any real nesting: merge the two oldest */
			memmove(&entry->frames[1], &entry->frames[2],
					sizeof(Frame) * (MAX_FRAMES - 2));
			entry->nframes--;
		}
		top = &entry->frames[entry->nframes++];
		top->subid = subid;
		top->created = created;
	}
	else
		top->created = top->created || created;
	strlcpy(top->event, event, sizeof(top->event));
}

/* A subtransaction ended: fold its frames into the parent, or drop them. */
static void
subxact_callback(SubXactEvent event, SubTransactionId mySubid,
				 SubTransactionId parentSubid, void *arg)
{
	HASH_SEQ_STATUS seq;
	Touched    *entry;

	if (touched == NULL ||
		(event != SUBXACT_EVENT_COMMIT_SUB && event != SUBXACT_EVENT_ABORT_SUB))
		return;
	hash_seq_init(&seq, touched);
	while ((entry = hash_seq_search(&seq)) != NULL)
	{
		Frame	   *top;

		if (entry->nframes == 0 ||
			entry->frames[entry->nframes - 1].subid != mySubid)
			continue;
		top = &entry->frames[entry->nframes - 1];
		if (event == SUBXACT_EVENT_ABORT_SUB)
			entry->nframes--;
		else if (entry->nframes > 1 &&
				 entry->frames[entry->nframes - 2].subid == parentSubid)
		{
			Frame	   *parent = &entry->frames[entry->nframes - 2];

			strlcpy(parent->event, top->event, sizeof(parent->event));
			parent->created = parent->created || top->created;
			entry->nframes--;
		}
		else
			top->subid = parentSubid;
		if (entry->nframes == 0)
			hash_search(touched, entry->key, HASH_REMOVE, NULL);
	}
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
	Oid			argtypes[2] = {TEXTOID, TEXTOID};
	Datum		args[2];
	StringInfoData payload;
	const Frame *last;
	bool		created_here = false;
	const char *colon = strchr(entry->key, ':');
	char	   *ns = pnstrdup(entry->key, colon - entry->key);
	const char *id = colon + 1;

	if (entry->nframes == 0)
		return;
	last = &entry->frames[entry->nframes - 1];
	for (int i = 0; i < entry->nframes; i++)
		created_here = created_here || entry->frames[i].created;
	/* runs at commit with the session's search_path: qualify everything */
	if (read_plan == NULL)
	{
		read_plan = SPI_prepare("SELECT version, status, xmin "
								"FROM workflow_persist.wf_workflow "
								"WHERE namespace OPERATOR(pg_catalog.=) $1 "
								"AND id OPERATOR(pg_catalog.=) $2",
								2, argtypes);
		if (read_plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s",
				 SPI_result_code_string(SPI_result));
		SPI_keepplan(read_plan);
	}
	args[0] = CStringGetTextDatum(ns);
	args[1] = CStringGetTextDatum(id);
	if (SPI_execute_plan(read_plan, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read workflow \"%s\" for its notification",
			 id);

	initStringInfo(&payload);
	appendStringInfoString(&payload, "{\"id\": ");
	escape_json(&payload, id);
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
	else if (strcmp(last->event, "delete") == 0 && !created_here)
		appendStringInfoString(&payload, ", \"version\": null, \"status\": null");
	else
		return;					/* never committed: nothing to say */
	appendStringInfoString(&payload, ", \"event\": ");
	escape_json(&payload, last->event);
	appendStringInfoString(&payload, ", \"namespace\": ");
	escape_json(&payload, ns);
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
	RegisterSubXactCallback(subxact_callback, NULL);
}
