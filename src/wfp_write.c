/*-------------------------------------------------------------------------
 *
 * wfp_write.c
 *	  wf_save, wf_merge, wf_save_step and wf_delete: checking what is
 *	  written, then writing only what changed.
 *
 * Every check that does not need the stored state (ids, step keys, sizes,
 * validation, the shape the store needs) runs before anything is locked,
 * so bad input changes nothing.  Then the workflow's header row is locked
 * (created if absent), expected_version is checked, step rows are written
 * and the header is written back with the version bumped.  The pieces are
 * the snapshot layer's (wfp_snapshot.c: taking a document apart) and the
 * change path's (wfp_change.c: lock, checks, steps, status); this file
 * only puts them in order for each function.
 *
 * wf_save compares every incoming step with the stored one by length and
 * hash of its bytes: a re-saved snapshot in which one step changed writes
 * one step row and the header, whatever the number of steps.
 * wf_save_step (wfp_checkpoint) touches one step row and the header: its
 * cost does not depend on how many steps are stored.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "wfp_settings.h"
#include "wfp_jsonb.h"
#include "wfp_rules.h"
#include "wfp_store.h"
#include "wfp_notify.h"
#include "wfp_sql.h"

PG_FUNCTION_INFO_V1(wf_save);
PG_FUNCTION_INFO_V1(wf_save_step);
PG_FUNCTION_INFO_V1(wf_merge);
PG_FUNCTION_INFO_V1(wf_delete);

/* The first incoming step that waits for a decision, for the event log. */
static const WfpStepWrite *
first_pending(const WfpPrepared *p)
{
	for (int i = 0; i < p->n_in; i++)
		if (p->in[i].pending != WFP_PENDING_NONE)
			return &p->in[i];
	return NULL;
}

static void
note_change(WfpWorkflow *wf, WfpStatus before, const WfpPrepared *p)
{
	const WfpStepWrite *w = first_pending(p);

	wfp_note_status_change(wf, before, w ? w->key : NULL, w ? w->keylen : 0);
}

/* ----------
 * wf_save(id, snapshot, ttl, expected_version, lease_token, status,
 *		   if_absent, namespace)
 * ----------
 */
Datum
wf_save(PG_FUNCTION_ARGS)
{
	char	   *id = wfp_arg_id(fcinfo, 0);
	char	   *ns = wfp_arg_namespace(fcinfo, 7, false);
	char	   *word = wfp_arg_text_or_null(fcinfo, 5);
	bool		if_absent = !PG_ARGISNULL(6) && PG_GETARG_BOOL(6);
	bool		resume_state;
	WfpStatus	word_status = WFP_STATUS_RUNNING;
	Jsonb	   *snapshot;
	WfpPrepared prepared;
	bool		has_expected;
	int64		expected = 0;
	TimestampTz expires_at = 0;
	char	   *lease;
	WfpWorkflow wf;
	WfpStatus	before;

	wfp_arg_not_null(fcinfo, 1, "snapshot");
	snapshot = PG_GETARG_JSONB_P(1);
	has_expected = wfp_arg_expected_version(fcinfo, 3, &expected);
	lease = wfp_arg_text_or_null(fcinfo, 4);
	if (!PG_ARGISNULL(2))
		expires_at = wfp_expiry_from_ttl(PG_GETARG_INTERVAL_P(2));

	/* everything about the input itself, before touching any table */
	wfp_check_snapshot_size(id, VARSIZE(snapshot));
	resume_state = wfp_is_resume_state(snapshot);
	if (resume_state)
		wfp_prepare_resume_state(id, snapshot, &prepared);	/* awaitly's other shape */
	else
	{
		wfp_validate_or_raise(snapshot);
		wfp_prepare_snapshot(id, snapshot, &prepared);
	}
	if (word != NULL)
		word_status = wfp_status_word_or_raise(word);

	if (if_absent)
	{
		/* insert only: a workflow that exists is left alone, no error */
		wfp_store_begin();
		wfp_store_lock(&wf, ns, id, true);
		if (!wf.created)
		{
			wfp_store_end();
			PG_RETURN_INT64(wf.version);
		}
		wfp_check_locked(&wf, WFP_WRITE_WHOLE, lease, has_expected, expected);
		before = wf.status;
	}
	else
		before = wfp_lock_for_write(&wf, ns, id, WFP_WRITE_WHOLE, lease,
									has_expected, expected);
	wfp_replace_snapshot(&wf, &prepared);
	wfp_apply_status_word(&wf, word, word_status);
	wf.shape = resume_state ? "resume_state" : "snapshot";
	if (!PG_ARGISNULL(2))
	{
		wf.has_expiry = true;
		wf.expires_at = expires_at;
	}
	wfp_store_write_header(&wf, true);
	note_change(&wf, before, &prepared);
	wfp_store_end();
	wfp_notify_track(ns, id, "save", wf.created);

	PG_RETURN_INT64(wf.version);
}

/* ----------
 * wf_merge(id, delta, expected_version, lease_token, namespace)
 * ----------
 */

/* Does the document have the shape the store needs (no error if not)? */
static bool
has_steps_object(Jsonb *doc)
{
	JsonbValue	v;

	return JB_ROOT_IS_OBJECT(doc) && wfp_get_key(&doc->root, "steps", &v) &&
		wfp_kind(&v) == WFP_OBJECT;
}

/*
 * What the stored workflow contributes to awaitly's merge: its header
 * members with an empty "steps".  mergeSnapshots(that, delta) then gives
 * the merged header (execution from the delta, metadata merged, warnings
 * filtered and appended, formatVersion 1) and the delta's steps, which are
 * exactly the steps the merge changes: stored steps not in the delta stay
 * as they are.
 */
static Jsonb *
merge_base(WfpWorkflow *wf)
{
	Jsonb	   *extra = wfp_store_extra(wf);
	WfpNode    *node = wfp_node_from_object(&extra->root, 1);

	wfp_node_add_node(node, "steps", 5, wfp_node_new(false, 0));
	wfp_node_sort_unique(node);
	return wfp_node_to_jsonb(node);
}

/*
 * awaitly's mergeSnapshots writes no workflowName; the store's merge keeps
 * the delta's, else the stored one (issue 12 §10).
 */
static Jsonb *
keep_workflow_name(Jsonb *extra, Jsonb *delta, Jsonb *stored)
{
	JsonbValue	v;
	WfpNode    *node;

	if (wfp_get_key(&extra->root, "workflowName", &v))
		return extra;
	if (!(JB_ROOT_IS_OBJECT(delta) &&
		  wfp_get_key(&delta->root, "workflowName", &v)) &&
		!(stored != NULL && wfp_get_key(&stored->root, "workflowName", &v)))
		return extra;
	node = wfp_node_from_object(&extra->root, 1);
	wfp_node_add(node, "workflowName", 12, &v);
	wfp_node_sort_unique(node);
	return wfp_node_to_jsonb(node);
}

Datum
wf_merge(PG_FUNCTION_ARGS)
{
	char	   *id = wfp_arg_id(fcinfo, 0);
	char	   *ns = wfp_arg_namespace(fcinfo, 4, false);
	Jsonb	   *delta;
	bool		has_expected;
	int64		expected = 0;
	char	   *lease;
	WfpPrepared prepared;
	WfpWorkflow wf;
	WfpStatus	before;

	wfp_arg_not_null(fcinfo, 1, "delta");
	delta = PG_GETARG_JSONB_P(1);
	has_expected = wfp_arg_expected_version(fcinfo, 2, &expected);
	lease = wfp_arg_text_or_null(fcinfo, 3);

	/*
	 * The delta's steps are the steps the merge writes, whichever way it
	 * goes: check them (keys, sizes) before touching any table.  A delta of
	 * another shape is left to the merge and validation errors below.
	 */
	wfp_check_snapshot_size(id, VARSIZE(delta));
	memset(&prepared, 0, sizeof(prepared));
	if (has_steps_object(delta))
		wfp_prepare_snapshot(id, delta, &prepared);

	before = wfp_lock_for_write(&wf, ns, id, WFP_WRITE_WHOLE, lease,
								has_expected, expected);
	if (wf.created)
	{
		/* nothing to merge into: the delta is the first snapshot */
		wfp_validate_or_raise(delta);
		if (prepared.in == NULL)
			wfp_prepare_snapshot(id, delta, &prepared);	/* raises */
		wfp_replace_snapshot(&wf, &prepared);
	}
	else
	{
		Jsonb	   *merged = wfp_merge_snapshots(merge_base(&wf), delta);
		Jsonb	   *execution;
		Jsonb	   *extra;
		int			level = wfp_validation_level();

		/*
		 * The stored steps passed validation at wf.checked when they were
		 * written; if that is below what is asked for now, check the whole
		 * merged document, else what the merge brings is enough.
		 */
		if (wf.checked < level)
			wfp_validate_or_raise(wfp_merge_snapshots(wfp_assemble_snapshot(&wf),
													  delta));
		else
			wfp_validate_or_raise(merged);
		wfp_split_head(merged, &execution, &extra);
		extra = keep_workflow_name(extra, delta, wfp_store_extra(&wf));
		wf.size_bytes -= wfp_head_footprint(wf.execution, wfp_store_extra(&wf));
		wfp_write_steps(&wf, prepared.in, prepared.n_in, false);
		wf.size_bytes += wfp_head_footprint(execution, extra);
		wfp_check_snapshot_size(id, wf.size_bytes);
		wf.execution = execution;
		wf.extra = extra;
		wf.checked = Min(wf.checked, level);
		wf.version++;
	}
	/* a merge says no status word: the document decides */
	wfp_apply_status_word(&wf, NULL, WFP_STATUS_RUNNING);
	wf.shape = "snapshot";
	wfp_store_write_header(&wf, true);
	note_change(&wf, before, &prepared);
	wfp_store_end();
	wfp_notify_track(ns, id, "merge", wf.created);

	PG_RETURN_INT64(wf.version);
}

/* ----------
 * wf_save_step(id, step_key, result, expected_version, lease_token,
 *			   position, namespace)
 * ----------
 */

Datum
wf_save_step(PG_FUNCTION_ARGS)
{
	char	   *id = wfp_arg_id(fcinfo, 0);
	char	   *ns = wfp_arg_namespace(fcinfo, 6, false);
	int32		position = -1;
	text	   *keytext;
	bool		has_expected;
	int64		expected = 0;

	wfp_arg_not_null(fcinfo, 1, "step_key");
	wfp_arg_not_null(fcinfo, 2, "result");
	keytext = PG_GETARG_TEXT_PP(1);
	has_expected = wfp_arg_expected_version(fcinfo, 3, &expected);
	if (!PG_ARGISNULL(5))
		position = wfp_arg_position(PG_GETARG_INT32(5), "position");
	PG_RETURN_INT64(wfp_checkpoint(ns, id, VARDATA_ANY(keytext),
								   VARSIZE_ANY_EXHDR(keytext),
								   PG_GETARG_JSONB_P(2), has_expected,
								   expected, wfp_arg_text_or_null(fcinfo, 4),
								   position, false));
}

/* ----------
 * wf_delete(id, namespace): false (not an error) when there is no such workflow
 * ----------
 */
Datum
wf_delete(PG_FUNCTION_ARGS)
{
	char	   *id = wfp_arg_id(fcinfo, 0);
	char	   *ns = wfp_arg_namespace(fcinfo, 1, false);
	bool		live;

	wfp_store_begin();
	if (wfp_store_delete(ns, id, &live) && live)
		wfp_notify_track(ns, id, "delete", false);
	wfp_store_end();
	PG_RETURN_BOOL(live);
}
