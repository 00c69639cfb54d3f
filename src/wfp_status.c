/*-------------------------------------------------------------------------
 *
 * wfp_status.c
 *	  The run status model: names, the status a snapshot's execution
 *	  implies, and which step results wait for a decision.
 *
 * A workflow's status is a column, so that lists never parse documents.
 * It is derived from the snapshot's execution.status (running, completed,
 * failed); suspended and cancelled are set by the run lifecycle, and a
 * step waiting for a decision (wfp_pending_kind) makes a run suspended.
 * What follows from it for a stored workflow (wfp_derive_status, the
 * refusal of writes to finished runs) is in wfp_change.c, with the
 * header row it needs.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "wfp_jsonb.h"
#include "wfp_rules.h"

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
 * Does a failed StepResult wait for a human?  awaitly writes those as
 * {"ok": false, "error": {"type": "PENDING_APPROVAL" | "PENDING_HOOK", ...}}.
 */
WfpPending
wfp_pending_kind(JsonbContainer *step)
{
	JsonbValue	error;
	JsonbValue	type;

	if (!wfp_get_key(step, "error", &error) || wfp_kind(&error) != WFP_OBJECT ||
		!wfp_get_key(error.val.binary.data, "type", &type))
		return WFP_PENDING_NONE;
	if (wfp_string_equals(&type, "PENDING_APPROVAL"))
		return WFP_PENDING_APPROVAL;
	if (wfp_string_equals(&type, "PENDING_HOOK"))
		return WFP_PENDING_HOOK;
	return WFP_PENDING_NONE;
}
