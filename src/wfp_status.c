/*-------------------------------------------------------------------------
 *
 * wfp_status.c
 *	  The run status model: names, and the status a snapshot implies.
 *
 * A workflow's status is a column, so that lists never parse documents.
 * It is derived from the snapshot's execution.status (running, completed,
 * failed); suspended and cancelled are set by the run lifecycle.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "workflow_persist.h"

static const char *const status_names[] = {
	[WFP_STATUS_RUNNING] = "running",
	[WFP_STATUS_SUSPENDED] = "suspended",
	[WFP_STATUS_COMPLETED] = "completed",
	[WFP_STATUS_FAILED] = "failed",
	[WFP_STATUS_CANCELLED] = "cancelled",
};

const char *
wfp_status_name(WfpStatus status)
{
	return status_names[status];
}

bool
wfp_status_from_name(const char *name, int len, WfpStatus *status)
{
	for (int i = 0; i < (int) lengthof(status_names); i++)
	{
		if (strlen(status_names[i]) == (size_t) len &&
			memcmp(status_names[i], name, len) == 0)
		{
			*status = (WfpStatus) i;
			return true;
		}
	}
	return false;
}

/*
 * The status execution.status names when it is one awaitly writes;
 * anything else (possible only with validation off) counts as running.
 */
WfpStatus
wfp_status_of_execution(Jsonb *execution)
{
	JsonbValue	v;
	WfpStatus	status;

	if (execution != NULL && JB_ROOT_IS_OBJECT(execution) &&
		wfp_get_key(&execution->root, "status", &v) &&
		v.type == jbvString &&
		wfp_status_from_name(v.val.string.val, v.val.string.len, &status) &&
		(status == WFP_STATUS_RUNNING || status == WFP_STATUS_COMPLETED ||
		 status == WFP_STATUS_FAILED))
		return status;
	return WFP_STATUS_RUNNING;
}

/*
 * The status a write leaves a run in: cancelled stays cancelled; a run
 * explicitly suspended or holding a step that waits for a decision is
 * suspended; otherwise execution.status says.
 */
WfpStatus
wfp_derive_status(const WfpWorkflow *wf)
{
	if (wf->status == WFP_STATUS_CANCELLED && !wf->created)
		return WFP_STATUS_CANCELLED;
	if (wf->suspended || wf->pending > 0)
		return WFP_STATUS_SUSPENDED;
	return wfp_status_of_execution(wf->execution);
}

/* Refuse writes to finished runs (SQLSTATE 55000). */
void
wfp_check_writable(const WfpWorkflow *wf)
{
	if (wf->created)
		return;
	if (wf->status == WFP_STATUS_COMPLETED || wf->status == WFP_STATUS_CANCELLED)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("workflow \"%s\" is %s and accepts no more writes",
						wf->id, wfp_status_name(wf->status)),
				 errhint("Use wf_replay() to start a new run with the same input.")));
}

/*
 * With a lease token given, the write needs it to be the workflow's
 * current, unexpired lease (SQLSTATE 55P03).
 */
void
wfp_check_lease(const WfpWorkflow *wf, const char *token)
{
	if (token == NULL)
		return;
	if (wf->created || wf->lease_token == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
				 errmsg("workflow \"%s\" has no lease", wf->id),
				 errhint("Acquire one with wf_lease_acquire(), or write without lease_token.")));
	if (strcmp(wf->lease_token, token) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
				 errmsg("lease token is not the current lease of workflow \"%s\"",
						wf->id),
				 errdetail("Another owner holds or took over the lease.")));
	if (!wf->lease_live)
		ereport(ERROR,
				(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
				 errmsg("the lease on workflow \"%s\" has expired", wf->id),
				 errhint("Renew leases before they expire (wf_lease_renew), or acquire a new one.")));
}
