/*-------------------------------------------------------------------------
 *
 * wfp_lifecycle.c
 *	  The run lifecycle: suspend, approve, reject, resume, cancel, replay
 *	  and fork.
 *
 * One model serves engines that mark "waiting for a human" in the
 * snapshot (awaitly: a failed step whose error.type is PENDING_APPROVAL or
 * PENDING_HOOK) and engines that suspend a run with a reason and a
 * request: either makes the run "suspended" (wfp_derive_status).
 * Decisions overwrite the waiting step in awaitly's own shapes, so the
 * engine resumes from a snapshot it understands.  On a generic run
 * (Neuron's interrupt, a NeuroCore step) a decision is per action: it is
 * added to the run's "decisions" (wf_get_run returns them), and when
 * every action of the run's request is decided the suspension ends.
 * Every transition is recorded in wf_event for wf_history.
 *
 * Each function locks the workflow's header row, as every writer does, so
 * two approvers racing on one step serialize and the second one finds the
 * step decided.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "wfp_settings.h"
#include "wfp_jsonb.h"
#include "wfp_rules.h"
#include "wfp_store.h"
#include "wfp_notify.h"
#include "wfp_sql.h"

PG_FUNCTION_INFO_V1(wf_suspend);
PG_FUNCTION_INFO_V1(wf_approve);
PG_FUNCTION_INFO_V1(wf_reject);
PG_FUNCTION_INFO_V1(wf_decide);
PG_FUNCTION_INFO_V1(wf_resume);
PG_FUNCTION_INFO_V1(wf_cancel);
PG_FUNCTION_INFO_V1(wf_replay);
PG_FUNCTION_INFO_V1(wf_fork);

/* ----------
 * Small helpers
 * ----------
 */

/*
 * What the lifecycle functions store besides steps has limits of its own
 * (docs/reference.md, "Limits"): a reason or a note is text a person
 * reads, a decider or a lease owner a name, and a suspension's request a
 * document like a step result.  Every one of them is also repeated in the
 * run's history, which the snapshot limits do not count.
 */
#define WFP_MAX_TEXT_BYTES 65536
#define WFP_MAX_NAME_BYTES 1024

static void
check_text_size(const char *id, const char *what, const char *value,
				int limit)
{
	size_t		len;

	if (value == NULL)
		return;
	len = strlen(value);
	if (len > (size_t) limit)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s of workflow \"%s\" is too long", what, id),
				 errdetail("The %s is %zu bytes long; at most %d bytes are allowed.",
						   what, len, limit)));
}

static void
check_request_size(const char *id, Jsonb *request)
{
	if (request != NULL && wfp_max_step_bytes > 0 &&
		VARSIZE(request) > (Size) wfp_max_step_bytes)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("request of workflow \"%s\" is too large", id),
				 errdetail("The request is %zu bytes; workflow_persist.max_step_bytes is %d.",
						   (size_t) VARSIZE(request), wfp_max_step_bytes)));
}

/* A decision's value: a document like a step result. */
static void
check_value_size(const char *id, Jsonb *value)
{
	if (value != NULL && wfp_max_step_bytes > 0 &&
		VARSIZE(value) > (Size) wfp_max_step_bytes)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("decision value of workflow \"%s\" is too large", id),
				 errdetail("The value is %zu bytes; workflow_persist.max_step_bytes is %d.",
						   (size_t) VARSIZE(value), wfp_max_step_bytes)));
}

/* Lock an existing, live workflow or raise P0002. */
static void
lock_existing(WfpWorkflow *wf, const char *ns, const char *id)
{
	if (!wfp_store_lock(wf, ns, id, false))
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("workflow \"%s\" does not exist", id)));
}

static char *
arg_required_text(FunctionCallInfo fcinfo, int argno, const char *name)
{
	wfp_arg_not_null(fcinfo, argno, name);
	return text_to_cstring(PG_GETARG_TEXT_PP(argno));
}

static void
add_string(WfpNode *node, const char *key, const char *value)
{
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.val = unconstify(char *, value);
	v.val.string.len = strlen(value);
	wfp_node_add(node, key, strlen(key), &v);
}

static void
add_jsonb(WfpNode *node, const char *key, Jsonb *value)
{
	JsonbValue	v;

	wfp_root_value(value, &v);
	wfp_node_add(node, key, strlen(key), &v);
}

static Jsonb *
finish(WfpNode *node)
{
	wfp_node_sort_unique(node);
	return wfp_node_to_jsonb(node);
}

/* ----------
 * wf_suspend(id, reason, request)
 * ----------
 */
Datum
wf_suspend(PG_FUNCTION_ARGS)
{
	char	   *id = wfp_arg_id(fcinfo, 0);
	char	   *ns = wfp_arg_namespace(fcinfo, 3, false);
	char	   *reason = arg_required_text(fcinfo, 1, "reason");
	Jsonb	   *request = PG_ARGISNULL(2) ? NULL : PG_GETARG_JSONB_P(2);
	WfpWorkflow wf;
	WfpNode    *detail;

	check_text_size(id, "reason", reason, WFP_MAX_TEXT_BYTES);
	check_request_size(id, request);
	wfp_store_begin();
	lock_existing(&wf, ns, id);
	wfp_check_writable(&wf);
	wf.status_word = NULL;		/* a transition: the engine's word is over */
	wf.suspended = true;
	wf.suspended_at = GetCurrentTransactionStartTimestamp();
	wf.suspend_reason = reason;
	wf.suspend_request = request;
	wf.status = wfp_derive_status(&wf);
	wf.version++;
	wfp_store_write_header(&wf, true);

	detail = wfp_node_new(false, 2);
	add_string(detail, "reason", reason);
	if (request != NULL)
		add_jsonb(detail, "request", request);
	wfp_store_event(&wf, "suspended", NULL, 0, wfp_current_actor(),
					finish(detail));
	wfp_store_end();
	wfp_notify_track(ns, id, "suspend", false);
	PG_RETURN_INT64(wf.version);
}

/* ----------
 * wf_approve / wf_reject
 * ----------
 */

/* awaitly's injected approval: {"ok": true, "value": value} */
static Jsonb *
approved_result(Jsonb *value)
{
	WfpNode    *node = wfp_node_new(false, 2);
	JsonbValue	t;

	t.type = jbvBool;
	t.val.boolean = true;
	wfp_node_add(node, "ok", 2, &t);
	add_jsonb(node, "value", value);
	return finish(node);
}

/*
 * The step result awaitly records for a rejected approval: the
 * APPROVAL_REJECTED error of createApprovalStep, serialized as a result
 * error without a cause (serializeThrown(undefined)).
 */
static Jsonb *
rejected_result(const char *key, int keylen, const char *reason)
{
	WfpNode    *node = wfp_node_new(false, 4);
	WfpNode    *error = wfp_node_new(false, 3);
	WfpNode    *cause = wfp_node_new(false, 3);
	WfpNode    *meta = wfp_node_new(false, 1);
	JsonbValue	v;

	v.type = jbvBool;
	v.val.boolean = false;
	wfp_node_add(node, "ok", 2, &v);
	add_string(error, "type", "APPROVAL_REJECTED");
	v.type = jbvString;
	v.val.string.val = unconstify(char *, key);
	v.val.string.len = keylen;
	wfp_node_add(error, "stepKey", 7, &v);
	add_string(error, "reason", reason);
	wfp_node_sort_unique(error);
	wfp_node_add_node(node, "error", 5, error);
	add_string(cause, "type", "thrown");
	add_string(cause, "originalType", "undefined");
	add_string(cause, "stringRepresentation", "undefined");
	wfp_node_sort_unique(cause);
	wfp_node_add_node(node, "cause", 5, cause);
	add_string(meta, "origin", "result");
	wfp_node_add_node(node, "meta", 4, meta);
	return finish(node);
}

/* ----------
 * Decisions on a generic run: wf_decide, and wf_approve / wf_reject on a
 * run
 * ----------
 */

typedef enum RunDecision
{
	RUN_APPROVE,
	RUN_REJECT,
	RUN_EDIT
} RunDecision;

static const char *const run_decision_names[] = {"approved", "rejected", "edited"};
static const char *const run_decision_events[] = {"approve", "reject", "edit"};

/* The id of one listed action: a string, or an object's "id" string. */
static bool
action_id(JsonbValue *e, char **id)
{
	JsonbValue	v;

	if (e->type == jbvString)
	{
		*id = pnstrdup(e->val.string.val, e->val.string.len);
		return true;
	}
	if (e->type == jbvBinary && JsonContainerIsObject(e->val.binary.data) &&
		wfp_get_key(e->val.binary.data, "id", &v) && v.type == jbvString)
	{
		*id = pnstrdup(v.val.string.val, v.val.string.len);
		return true;
	}
	return false;
}

/*
 * The ids of the actions the run's request lists (request.actions), or
 * NULL when it lists none.
 */
static List *
listed_actions(Jsonb *extra)
{
	JsonbValue	req;
	JsonbValue	acts;
	JsonbValue	e;
	JsonbIterator *it;
	JsonbIteratorToken tok;
	List	   *ids = NIL;

	if (!wfp_get_key(&extra->root, "request", &req) || req.type != jbvBinary ||
		!JsonContainerIsObject(req.val.binary.data) ||
		!wfp_get_key(req.val.binary.data, "actions", &acts) ||
		acts.type != jbvBinary || !JsonContainerIsArray(acts.val.binary.data))
		return NIL;
	it = JsonbIteratorInit(acts.val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &e, true)) != WJB_DONE)
	{
		char	   *id;

		CHECK_FOR_INTERRUPTS();
		if (tok == WJB_ELEM && action_id(&e, &id))
			ids = lappend(ids, id);
	}
	return ids;
}

static bool
has_key(Jsonb *obj, const char *key)
{
	JsonbValue	v;

	return obj != NULL && wfp_get_key(&obj->root, key, &v) != NULL;
}

/*
 * Record a decision on an action of a waiting run: refused unless the run
 * waits (55000), for an action its request does not list (P0002) or one
 * already decided (55000).  The suspension ends with the last listed
 * action decided (with the first decision when the request lists none).
 */
static int64
decide_run(WfpWorkflow *wf, const char *ns, const char *action,
		   RunDecision decision, Jsonb *value, const char *feedback,
		   const char *note, const char *decided_by)
{
	Jsonb	   *extra = wfp_store_extra(wf);
	JsonbValue	v;
	Jsonb	   *decisions = NULL;
	List	   *listed = listed_actions(extra);
	WfpNode    *rec;
	WfpNode    *dec;
	WfpNode    *head;
	Jsonb	   *new_decisions;
	Jsonb	   *new_extra;
	bool		all = true;
	ListCell   *lc;
	WfpStatus	before = wf->status;
	WfpNode    *detail;
	int			keylen = strlen(action);

	if (keylen == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("action must not be empty")));
	if (wf->status != WFP_STATUS_SUSPENDED)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("run \"%s\" is not waiting for a decision", wf->id),
				 errdetail("Its status is %s; only a suspended run (an engine's word meaning suspended, or wf_suspend) takes decisions.",
						   wfp_status_name(wf->status))));
	if (listed != NIL)
	{
		bool		found = false;

		foreach(lc, listed)
			if (strcmp((char *) lfirst(lc), action) == 0)
				found = true;
		if (!found)
			ereport(ERROR,
					(errcode(ERRCODE_NO_DATA_FOUND),
					 errmsg("action \"%s\" of run \"%s\" does not exist", action,
							wf->id),
					 errdetail("The run's request lists %d actions; wf_pending() shows them.",
							   list_length(listed))));
	}
	if (wfp_get_key(&extra->root, "decisions", &v) && v.type == jbvBinary &&
		JsonContainerIsObject(v.val.binary.data))
		decisions = JsonbValueToJsonb(&v);
	if (has_key(decisions, action))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("action \"%s\" of run \"%s\" is already decided", action,
						wf->id),
				 errdetail("wf_get_run() shows the decision; a new wf_put_run() of the run starts new ones.")));

	rec = wfp_node_new(false, 5);
	add_string(rec, "decision", run_decision_names[decision]);
	if (value != NULL)
		add_jsonb(rec, "value", value);
	if (feedback != NULL)
		add_string(rec, "feedback", feedback);
	if (note != NULL)
		add_string(rec, "note", note);
	add_string(rec, "decided_by", decided_by);
	wfp_node_sort_unique(rec);
	dec = decisions ? wfp_node_from_object(&decisions->root, 1) :
		wfp_node_new(false, 1);
	wfp_node_add_node(dec, action, keylen, rec);
	wfp_node_sort_unique(dec);
	new_decisions = wfp_node_to_jsonb(dec);
	head = wfp_node_from_object(&extra->root, 1);
	wfp_root_value(new_decisions, &v);
	wfp_node_add(head, "decisions", 9, &v);
	new_extra = finish(head);

	wf->size_bytes += wfp_head_footprint(wf->execution, new_extra) -
		wfp_head_footprint(wf->execution, extra);
	wfp_check_snapshot_size(wf->id, wf->size_bytes);
	wf->extra = new_extra;
	foreach(lc, listed)
		if (!has_key(new_decisions, (char *) lfirst(lc)))
			all = false;
	if (all)
	{
		/* every action decided: the engine resumes, as after wf_resume */
		wf->suspended = false;
		wf->status_word = NULL;
		wf->status = wfp_derive_status(wf);
	}
	wf->version++;
	wfp_store_write_header(wf, true);

	detail = wfp_node_new(false, 4);
	if (value != NULL)
		add_jsonb(detail, "value", value);
	if (feedback != NULL)
		add_string(detail, decision == RUN_REJECT ? "reason" : "feedback",
				   feedback);
	if (note != NULL)
		add_string(detail, "note", note);
	wfp_store_event(wf, run_decision_names[decision], action, keylen,
					decided_by, finish(detail));
	wfp_note_status_change(wf, before, NULL, 0);
	wfp_store_end();
	wfp_notify_track(ns, wf->id, run_decision_events[decision], false);
	return wf->version;
}

/*
 * wf_decide(id, action, decision, value, feedback, decided_by, namespace):
 * one decision on one action of a waiting generic run.
 */
Datum
wf_decide(PG_FUNCTION_ARGS)
{
	char	   *id = wfp_arg_id(fcinfo, 0);
	char	   *ns = wfp_arg_namespace(fcinfo, 6, false);
	char	   *action = arg_required_text(fcinfo, 1, "action");
	char	   *word = arg_required_text(fcinfo, 2, "decision");
	Jsonb	   *value = PG_ARGISNULL(3) ? NULL : PG_GETARG_JSONB_P(3);
	char	   *feedback = wfp_arg_text_or_null(fcinfo, 4);
	char	   *decided_by = arg_required_text(fcinfo, 5, "decided_by");
	RunDecision decision;
	WfpWorkflow wf;

	if (strcmp(word, "approve") == 0)
		decision = RUN_APPROVE;
	else if (strcmp(word, "reject") == 0)
		decision = RUN_REJECT;
	else if (strcmp(word, "edit") == 0)
		decision = RUN_EDIT;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid decision: \"%s\"", word),
				 errdetail("A decision is \"approve\", \"reject\" or \"edit\".")));
	if (decision == RUN_EDIT && value == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("an edit needs a value"),
				 errdetail("The value is the edited content the engine resumes with.")));
	if (action[0] == '\0')	/* before the lock, as the other checks */
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("action must not be empty")));
	check_text_size(id, "action", action, WFP_MAX_NAME_BYTES);
	check_text_size(id, "feedback", feedback, WFP_MAX_TEXT_BYTES);
	check_text_size(id, "decided_by", decided_by, WFP_MAX_NAME_BYTES);
	check_value_size(id, value);

	wfp_store_begin();
	if (!wfp_store_lock(&wf, ns, id, false) || strcmp(wf.shape, "run") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("run \"%s\" does not exist", id),
				 errhint("wf_decide() decides actions of a generic run (wf_put_run); wf_approve() and wf_reject() decide the steps of a snapshot.")));
	wfp_check_writable(&wf);
	PG_RETURN_INT64(decide_run(&wf, ns, action, decision, value, feedback,
							   NULL, decided_by));
}

/*
 * Overwrite a step that waits for a decision with its decided result.
 * When it was the last one waiting (and the run is not suspended by
 * wf_suspend), execution.status becomes "running": the engine resumes,
 * and an approved run never shows as failed.
 */
static Datum
decide(FunctionCallInfo fcinfo, bool approve)
{
	char	   *id = wfp_arg_id(fcinfo, 0);
	char	   *ns = wfp_arg_namespace(fcinfo, 5, false);
	text	   *keytext;
	const char *key;
	int			keylen;
	Jsonb	   *value = NULL;
	char	   *reason = NULL;
	char	   *note;
	char	   *decided_by;
	Jsonb	   *result;
	WfpWorkflow wf;
	WfpStepMeta meta;
	WfpStepWrite w;
	Jsonb	   *execution;
	WfpNode    *detail;

	wfp_arg_not_null(fcinfo, 1, "step_key");
	keytext = PG_GETARG_TEXT_PP(1);
	key = VARDATA_ANY(keytext);
	keylen = VARSIZE_ANY_EXHDR(keytext);
	if (approve)
	{
		wfp_arg_not_null(fcinfo, 2, "value");
		value = PG_GETARG_JSONB_P(2);
		result = approved_result(value);
	}
	else
	{
		reason = arg_required_text(fcinfo, 2, "reason");
		result = rejected_result(key, keylen, reason);
	}
	note = wfp_arg_text_or_null(fcinfo, 3);
	decided_by = arg_required_text(fcinfo, 4, "decided_by");
	check_text_size(id, "reason", reason, WFP_MAX_TEXT_BYTES);
	check_text_size(id, "note", note, WFP_MAX_TEXT_BYTES);
	check_text_size(id, "decided_by", decided_by, WFP_MAX_NAME_BYTES);
	wfp_prepare_step(&w, id, key, keylen, result, NULL);

	check_value_size(id, value);
	wfp_store_begin();
	lock_existing(&wf, ns, id);
	wfp_check_writable(&wf);
	if (strcmp(wf.shape, "run") == 0)
	{
		/* a generic run: the step key names an action of its request */
		check_text_size(id, "action", pnstrdup(key, keylen), WFP_MAX_NAME_BYTES);
		PG_RETURN_INT64(decide_run(&wf, ns, pnstrdup(key, keylen),
								   approve ? RUN_APPROVE : RUN_REJECT,
								   value, reason, note, decided_by));
	}
	if (!wfp_store_get_step(&wf, key, keylen, &meta))
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("step \"%.*s\" of workflow \"%s\" does not exist",
						keylen, key, id)));
	if (meta.pending == WFP_PENDING_NONE)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("step \"%.*s\" of workflow \"%s\" is not waiting for a decision",
						keylen, key, id),
				 errdetail("Only a step whose error.type is PENDING_APPROVAL or PENDING_HOOK can be approved or rejected; it may have been decided already.")));

	wf.pending--;
	execution = wfp_touch_execution(wf.execution,
									wf.pending == 0 && !wf.suspended ?
									"running" : NULL, NULL, 0);
	wf.size_bytes += wfp_step_footprint(keylen, w.size) -
		wfp_step_footprint(keylen, meta.size) +
		wfp_execution_footprint(execution) -
		wfp_execution_footprint(wf.execution);
	wfp_check_snapshot_size(id, wf.size_bytes);
	w.pos = meta.pos;
	wf.execution = execution;
	wf.status_word = NULL;
	wf.status = wfp_derive_status(&wf);
	wf.version++;
	wfp_store_checkpoint(&wf, &w, WFP_STEP_UPDATE);

	detail = wfp_node_new(false, 2);
	if (note != NULL)
		add_string(detail, "note", note);
	if (approve)
		add_jsonb(detail, "value", value);
	else
		add_string(detail, "reason", reason);
	wfp_store_event(&wf, approve ? "approved" : "rejected", key, keylen,
					decided_by, finish(detail));
	wfp_store_end();
	wfp_notify_track(ns, id, approve ? "approve" : "reject", false);
	PG_RETURN_INT64(wf.version);
}

Datum
wf_approve(PG_FUNCTION_ARGS)
{
	return decide(fcinfo, true);
}

Datum
wf_reject(PG_FUNCTION_ARGS)
{
	return decide(fcinfo, false);
}

/* ----------
 * wf_resume(id, data)
 * ----------
 */

/*
 * extra with metadata.resume set to data, shallowly merged into what was
 * there when both are objects.
 */
static Jsonb *
with_resume_data(Jsonb *extra, Jsonb *data)
{
	WfpNode    *root = wfp_node_from_object(&extra->root, 1);
	WfpNode    *metadata = NULL;
	JsonbValue	old;
	JsonbValue	newv;

	if (wfp_get_key(&extra->root, "metadata", &old) &&
		wfp_kind(&old) == WFP_OBJECT)
		metadata = wfp_node_from_object(old.val.binary.data, 1);
	else
		metadata = wfp_node_new(false, 1);

	wfp_root_value(data, &newv);
	if (metadata != NULL && wfp_kind(&newv) == WFP_OBJECT &&
		wfp_get_key(&extra->root, "metadata", &old) &&
		wfp_kind(&old) == WFP_OBJECT &&
		wfp_get_key(old.val.binary.data, "resume", &old) &&
		wfp_kind(&old) == WFP_OBJECT)
	{
		WfpNode    *resume = wfp_node_from_object(old.val.binary.data,
												  JB_ROOT_COUNT(data));
		WfpNode    *add = wfp_node_from_object(&data->root, 0);

		for (int i = 0; i < add->count; i++)
			wfp_node_add(resume, add->items[i].key, add->items[i].keylen,
						 &add->items[i].value);
		wfp_node_sort_unique(resume);
		wfp_node_add_node(metadata, "resume", 6, resume);
	}
	else
		wfp_node_add(metadata, "resume", 6, &newv);
	wfp_node_sort_unique(metadata);
	wfp_node_add_node(root, "metadata", 8, metadata);
	return finish(root);
}

Datum
wf_resume(PG_FUNCTION_ARGS)
{
	char	   *id = wfp_arg_id(fcinfo, 0);
	char	   *ns = wfp_arg_namespace(fcinfo, 2, false);
	Jsonb	   *data = PG_ARGISNULL(1) ? NULL : PG_GETARG_JSONB_P(1);
	WfpWorkflow wf;
	WfpStatus	before;
	Jsonb	   *execution;
	Jsonb	   *extra;
	WfpNode    *detail;

	wfp_store_begin();
	lock_existing(&wf, ns, id);
	before = wf.status;
	if (before != WFP_STATUS_SUSPENDED && before != WFP_STATUS_FAILED)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("workflow \"%s\" is %s; only a suspended or failed run can be resumed",
						id, wfp_status_name(before)),
				 before == WFP_STATUS_COMPLETED || before == WFP_STATUS_CANCELLED ?
				 errhint("Use wf_replay() to start a new run with the same input.") : 0));
	if (wf.pending > 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("workflow \"%s\" has %d step%s waiting for a decision",
						id, wf.pending, wf.pending == 1 ? "" : "s"),
				 errhint("Decide them with wf_approve() or wf_reject() first; wf_pending() lists them.")));

	execution = wfp_touch_execution(wf.execution, "running", NULL, 0);
	extra = wfp_store_extra(&wf);
	if (data != NULL)
		extra = with_resume_data(extra, data);
	wf.size_bytes += wfp_head_footprint(execution, extra) -
		wfp_head_footprint(wf.execution, wfp_store_extra(&wf));
	wfp_check_snapshot_size(id, wf.size_bytes);
	wf.execution = execution;
	wf.extra = extra;
	wf.suspended = false;
	wf.status_word = NULL;
	wf.status = wfp_derive_status(&wf);
	wf.version++;
	wfp_store_write_header(&wf, true);

	detail = wfp_node_new(false, 2);
	add_string(detail, "from", wfp_status_name(before));
	if (data != NULL)
		add_jsonb(detail, "data", data);
	wfp_store_event(&wf, "resumed", NULL, 0, wfp_current_actor(),
					finish(detail));
	wfp_store_end();
	wfp_notify_track(ns, id, "resume", false);
	PG_RETURN_INT64(wf.version);
}

/* ----------
 * wf_cancel(id, reason)
 * ----------
 */
Datum
wf_cancel(PG_FUNCTION_ARGS)
{
	char	   *id = wfp_arg_id(fcinfo, 0);
	char	   *ns = wfp_arg_namespace(fcinfo, 2, false);
	char	   *reason = wfp_arg_text_or_null(fcinfo, 1);
	WfpWorkflow wf;
	WfpNode    *detail;

	check_text_size(id, "reason", reason, WFP_MAX_TEXT_BYTES);
	wfp_store_begin();
	lock_existing(&wf, ns, id);
	if (wf.status == WFP_STATUS_CANCELLED)
	{
		/* cancelling twice changes nothing */
		wfp_store_end();
		PG_RETURN_INT64(wf.version);
	}
	if (wf.status == WFP_STATUS_COMPLETED)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("workflow \"%s\" is completed and cannot be cancelled",
						id)));
	wf.suspended = false;
	wf.status_word = NULL;
	wf.status = WFP_STATUS_CANCELLED;
	wf.version++;
	wfp_store_write_header(&wf, true);

	detail = wfp_node_new(false, 1);
	if (reason != NULL)
		add_string(detail, "reason", reason);
	wfp_store_event(&wf, "cancelled", NULL, 0, wfp_current_actor(),
					detail->count > 0 ? finish(detail) : NULL);
	wfp_store_end();
	wfp_notify_track(ns, id, "cancel", false);
	PG_RETURN_INT64(wf.version);
}

/* ----------
 * New runs from old ones: wf_replay, wf_fork
 * ----------
 */

/* An id for a replay: "<id>:replay-<8 hex>", or a UUID when too long. */
static char *
generate_id(const char *id)
{
	uint8		bytes[16];
	StringInfoData buf;

	if (!pg_strong_random(bytes, sizeof(bytes)))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate random bytes for a workflow id")));
	initStringInfo(&buf);
	if (strlen(id) + 16 <= WFP_MAX_ID_BYTES)
		appendStringInfo(&buf, "%s:replay-%02x%02x%02x%02x", id,
						 bytes[0], bytes[1], bytes[2], bytes[3]);
	else
	{
		bytes[6] = (bytes[6] & 0x0f) | 0x40;	/* a version 4 UUID */
		bytes[8] = (bytes[8] & 0x3f) | 0x80;
		for (int i = 0; i < 16; i++)
		{
			appendStringInfo(&buf, "%02x", bytes[i]);
			if (i == 3 || i == 5 || i == 7 || i == 9)
				appendStringInfoChar(&buf, '-');
		}
	}
	return buf.data;
}

/* Lock a new id that must not exist yet (23505 when it does). */
static void
claim_new(WfpWorkflow *wf, const char *ns, const char *id)
{
	wfp_store_lock(wf, ns, id, true);
	if (!wf->created)
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("workflow \"%s\" already exists", id),
				 errhint("Pick another new_id, or delete that workflow first.")));
}

/*
 * The metadata of a new run made from an old one: what identifies the
 * work (input, version, definitionHash) is kept, workflowId names the new
 * run, and origin_key records where it came from.  Nothing else (such as
 * an idempotency key or a final result) carries over.
 */
static WfpNode *
derived_metadata(Jsonb *extra, const char *new_id, const char *origin_key,
				 Jsonb *origin)
{
	WfpNode    *node = wfp_node_new(false, 5);
	JsonbValue	metadata;
	JsonbValue	v;

	if (wfp_get_key(&extra->root, "metadata", &metadata) &&
		wfp_kind(&metadata) == WFP_OBJECT)
	{
		static const char *const kept[] = {"input", "version", "definitionHash"};

		for (int i = 0; i < (int) lengthof(kept); i++)
			if (wfp_get_key(metadata.val.binary.data, kept[i], &v))
				wfp_node_add(node, kept[i], strlen(kept[i]), &v);
	}
	add_string(node, "workflowId", new_id);
	add_jsonb(node, origin_key, origin);
	wfp_node_sort_unique(node);
	return node;
}

Datum
wf_replay(PG_FUNCTION_ARGS)
{
	char	   *id = wfp_arg_id(fcinfo, 0);
	char	   *ns = wfp_arg_namespace(fcinfo, 2, false);
	char	   *new_id;
	MemoryContext caller = CurrentMemoryContext;
	WfpWorkflow src;
	WfpWorkflow wf;
	Jsonb	   *extra;
	WfpNode    *root;
	WfpNode    *origin;
	JsonbValue	v;
	Jsonb	   *snapshot;
	WfpPrepared prepared;
	text	   *result;

	new_id = PG_ARGISNULL(1) ? generate_id(id) : wfp_arg_id(fcinfo, 1);

	wfp_store_begin();
	if (!wfp_store_read_header(&src, ns, id))
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("workflow \"%s\" does not exist", id)));
	extra = wfp_store_extra(&src);

	/* {formatVersion, workflowName?, steps: {}, execution, metadata} */
	origin = wfp_node_new(false, 1);
	add_string(origin, "id", id);
	root = wfp_node_new(false, 5);
	v.type = jbvNumeric;
	v.val.numeric = int64_to_numeric(1);
	wfp_node_add(root, "formatVersion", 13, &v);
	if (wfp_get_key(&extra->root, "workflowName", &v))
		wfp_node_add(root, "workflowName", 12, &v);
	wfp_node_add_node(root, "steps", 5, wfp_node_new(false, 0));
	add_jsonb(root, "execution", wfp_touch_execution(NULL, "running", NULL, 0));
	wfp_node_add_node(root, "metadata", 8,
					  derived_metadata(extra, new_id, "replayOf", finish(origin)));
	snapshot = finish(root);

	wfp_prepare_snapshot(new_id, snapshot, &prepared);
	claim_new(&wf, ns, new_id);
	wfp_replace_snapshot(&wf, &prepared);
	wfp_store_write_header(&wf, true);
	wfp_store_event(&wf, "replayed", NULL, 0, wfp_current_actor(),
					finish(origin));
	MemoryContextSwitchTo(caller);
	result = cstring_to_text(new_id);
	wfp_store_end();
	wfp_notify_track(ns, new_id, "replay", true);
	PG_RETURN_TEXT_P(result);
}

static int
row_pos_cmp(const void *a, const void *b)
{
	const WfpStepRow *ra = a;
	const WfpStepRow *rb = b;

	return (ra->pos > rb->pos) - (ra->pos < rb->pos);
}

/* extra of a fork: metadata rewritten, warnings of dropped steps dropped */
static Jsonb *
fork_extra(Jsonb *extra, const char *new_id, Jsonb *origin,
		   WfpStepRow *rows, int n)
{
	WfpNode    *root = wfp_node_from_object(&extra->root, 1);
	JsonbValue	warnings;

	wfp_node_add_node(root, "metadata", 8,
					  derived_metadata(extra, new_id, "forkOf", origin));
	if (wfp_get_key(&extra->root, "warnings", &warnings) &&
		wfp_kind(&warnings) == WFP_ARRAY)
	{
		WfpNode    *kept = wfp_node_new(true, 4);
		JsonbIterator *it = JsonbIteratorInit(warnings.val.binary.data);
		JsonbIteratorToken tok;
		JsonbValue	w;

		while ((tok = JsonbIteratorNext(&it, &w, true)) != WJB_DONE)
		{
			JsonbValue	stepid;

			if (tok != WJB_ELEM)
				continue;
			if (wfp_kind(&w) != WFP_OBJECT ||
				!wfp_get_key(w.val.binary.data, "stepId", &stepid) ||
				stepid.type != jbvString)
				continue;
			for (int i = 0; i < n; i++)
				if (rows[i].keylen == stepid.val.string.len &&
					memcmp(rows[i].key, stepid.val.string.val, rows[i].keylen) == 0)
				{
					wfp_node_add(kept, NULL, 0, &w);
					break;
				}
		}
		if (kept->count > 0)
			wfp_node_add_node(root, "warnings", 8, kept);
		else
		{
			/* drop the member: keep every other item */
			int			out = 0;

			for (int i = 0; i < root->count; i++)
				if (!(root->items[i].keylen == 8 &&
					  memcmp(root->items[i].key, "warnings", 8) == 0))
					root->items[out++] = root->items[i];
			root->count = out;
		}
	}
	return finish(root);
}

Datum
wf_fork(PG_FUNCTION_ARGS)
{
	char	   *id = wfp_arg_id(fcinfo, 0);
	char	   *ns = wfp_arg_namespace(fcinfo, 3, false);
	char	   *new_id;
	text	   *uptotext;
	const char *upto;
	int			uptolen;
	MemoryContext caller = CurrentMemoryContext;
	WfpWorkflow src;
	WfpWorkflow wf;
	WfpStepRow *rows;
	int			n;
	int32		upto_pos = -1;
	int			kept = 0;
	WfpStepWrite *writes;
	WfpNode    *origin;
	Jsonb	   *execution;
	Jsonb	   *extra;
	text	   *result;
	JsonbValue	v;

	wfp_arg_not_null(fcinfo, 1, "new_id");
	new_id = wfp_arg_id(fcinfo, 1);
	wfp_arg_not_null(fcinfo, 2, "up_to_step");
	uptotext = PG_GETARG_TEXT_PP(2);
	upto = VARDATA_ANY(uptotext);
	uptolen = VARSIZE_ANY_EXHDR(uptotext);

	wfp_store_begin();
	if (!wfp_store_read_header(&src, ns, id))
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("workflow \"%s\" does not exist", id)));
	rows = wfp_store_read_steps(ns, id, false, &n);
	for (int i = 0; i < n; i++)
		if (rows[i].keylen == uptolen && memcmp(rows[i].key, upto, uptolen) == 0)
			upto_pos = rows[i].pos;
	if (upto_pos < 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("step \"%.*s\" of workflow \"%s\" does not exist",
						uptolen, upto, id)));

	/* the steps recorded up to and including up_to_step, in that order */
	qsort(rows, n, sizeof(WfpStepRow), row_pos_cmp);
	while (kept < n && rows[kept].pos <= upto_pos)
		kept++;

	claim_new(&wf, ns, new_id);
	writes = palloc(sizeof(WfpStepWrite) * Max(kept, 1));
	for (int i = 0; i < kept; i++)
	{
		CHECK_FOR_INTERRUPTS();
		wfp_prepare_step(&writes[i], new_id, rows[i].key, rows[i].keylen,
						 DatumGetJsonbP(rows[i].value_datum), NULL);
		writes[i].pos = wfp_take_position(&wf);
		wf.step_count++;
		wf.pending += writes[i].pending != WFP_PENDING_NONE;
		wf.size_bytes += wfp_step_footprint(writes[i].keylen, writes[i].size);
	}

	origin = wfp_node_new(false, 2);
	add_string(origin, "id", id);
	v.type = jbvString;
	v.val.string.val = unconstify(char *, upto);
	v.val.string.len = uptolen;
	wfp_node_add(origin, "upToStep", 8, &v);
	execution = wfp_touch_execution(src.execution, "running", upto, uptolen);
	extra = fork_extra(wfp_store_extra(&src), new_id, finish(origin),
					   rows, kept);
	wf.size_bytes += wfp_head_footprint(execution, extra);
	wfp_check_snapshot_size(new_id, wf.size_bytes);

	wfp_store_put_steps(&wf, writes, kept, true);
	wf.execution = execution;
	wf.extra = extra;
	wf.checked = src.checked;
	wf.status = wfp_derive_status(&wf);
	wf.version = 1;
	wfp_store_write_header(&wf, true);
	wfp_store_event(&wf, "forked", upto, uptolen, wfp_current_actor(),
					finish(origin));
	MemoryContextSwitchTo(caller);
	result = cstring_to_text(new_id);
	wfp_store_end();
	wfp_notify_track(ns, new_id, "fork", true);
	PG_RETURN_TEXT_P(result);
}
