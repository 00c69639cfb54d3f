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
 * one step row and the header, whatever the number of steps.  wf_save of
 * JSON text (what drivers send) first compares each step's text with the
 * stored text hash and converts only what changed (wfp_text.c), falling
 * back to the jsonb path whenever that path could answer differently.
 * wf_save_step (wfp_checkpoint) touches one step row and the header: its
 * cost does not depend on how many steps are stored.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "wfp_settings.h"
#include "wfp_jsonb.h"
#include "wfp_rules.h"
#include "wfp_store.h"
#include "wfp_notify.h"
#include "wfp_sql.h"

PG_FUNCTION_INFO_V1(wf_save);
PG_FUNCTION_INFO_V1(wf_save_text);
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
 *		   if_absent, namespace), snapshot jsonb or text
 * ----------
 */

/* Every argument but the snapshot, read in the order wf_save reads them. */
typedef struct SaveArgs
{
	char	   *id;
	char	   *ns;
	char	   *word;
	bool		if_absent;
	bool		has_expected;
	int64		expected;
	char	   *lease;
	bool		has_ttl;
	TimestampTz expires_at;
} SaveArgs;

static void
save_args_head(FunctionCallInfo fcinfo, SaveArgs *a)
{
	a->id = wfp_arg_id(fcinfo, 0);
	a->ns = wfp_arg_namespace(fcinfo, 7, false);
	a->word = wfp_arg_text_or_null(fcinfo, 5);
	a->if_absent = !PG_ARGISNULL(6) && PG_GETARG_BOOL(6);
	wfp_arg_not_null(fcinfo, 1, "snapshot");
}

static void
save_args_tail(FunctionCallInfo fcinfo, SaveArgs *a)
{
	a->expected = 0;
	a->has_expected = wfp_arg_expected_version(fcinfo, 3, &a->expected);
	a->lease = wfp_arg_text_or_null(fcinfo, 4);
	a->has_ttl = !PG_ARGISNULL(2);
	a->expires_at = 0;
	if (a->has_ttl)
		a->expires_at = wfp_expiry_from_ttl(PG_GETARG_INTERVAL_P(2));
}

/* What every save does once the steps are written: header, event, notify. */
static int64
finish_save(const SaveArgs *a, WfpWorkflow *wf, WfpPrepared *prepared,
			WfpStatus before, WfpStatus word_status, bool resume_state,
			WfpStepMeta *stored, int n_stored, bool listed)
{
	if (listed)
		wfp_replace_snapshot_listed(wf, prepared, stored, n_stored);
	else
		wfp_replace_snapshot(wf, prepared);
	wfp_apply_status_word(wf, a->word, word_status);
	wf->shape = resume_state ? "resume_state" : "snapshot";
	if (a->has_ttl)
	{
		wf->has_expiry = true;
		wf->expires_at = a->expires_at;
	}
	wfp_store_write_header(wf, true);
	note_change(wf, before, prepared);
	wfp_store_end();
	wfp_notify_track(a->ns, a->id, "save", wf->created);
	return wf->version;
}

/*
 * Save a whole jsonb snapshot.  With locked, wf is the workflow the
 * caller has connected to the store for and locked (created if absent);
 * td, when given, is the text the snapshot was made from (wf_save(text)),
 * whose step hashes are stored with the steps.
 */
static int64
save_jsonb(const SaveArgs *a, Jsonb *snapshot, const WfpTextDoc *td,
		   WfpWorkflow *wf, bool locked)
{
	bool		resume_state;
	WfpStatus	word_status = WFP_STATUS_RUNNING;
	WfpPrepared prepared;
	WfpStatus	before;

	/* everything about the input itself, before touching any table */
	wfp_check_snapshot_size(a->id, VARSIZE(snapshot));
	resume_state = wfp_is_resume_state(snapshot);
	if (resume_state)
		wfp_prepare_resume_state(a->id, snapshot, &prepared);	/* awaitly's other shape */
	else
	{
		wfp_validate_or_raise(snapshot);
		wfp_prepare_snapshot(a->id, snapshot, &prepared);
		if (td != NULL)
			wfp_text_attach(td, &prepared);
	}
	if (a->word != NULL)
		word_status = wfp_status_word_or_raise(a->word);

	if (!locked)
	{
		wfp_store_begin();
		wfp_store_lock(wf, a->ns, a->id, true);
	}
	/* if_absent: a workflow that exists is left alone, no error */
	if (a->if_absent && !wf->created)
	{
		wfp_store_end();
		return wf->version;
	}
	wfp_check_locked(wf, WFP_WRITE_WHOLE, a->lease, a->has_expected,
					 a->expected);
	before = wf->status;
	return finish_save(a, wf, &prepared, before, word_status, resume_state,
					   NULL, 0, false);
}

Datum
wf_save(PG_FUNCTION_ARGS)
{
	SaveArgs	a;
	Jsonb	   *snapshot;
	WfpWorkflow wf;

	save_args_head(fcinfo, &a);
	snapshot = PG_GETARG_JSONB_P(1);
	save_args_tail(fcinfo, &a);
	PG_RETURN_INT64(save_jsonb(&a, snapshot, NULL, &wf, false));
}

/* The whole text as jsonb, exactly as a cast or a jsonb parameter makes it. */
static Jsonb *
text_to_jsonb(text *t)
{
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in,
											  CStringGetDatum(text_to_cstring(t))));
}

/*
 * wf_save(text) on a workflow that exists and whose stored steps passed
 * the validation now asked for: only the header and the steps whose text
 * changed are converted and validated (awaitly's rules take each step on
 * its own, so the stored ones still pass).  Whenever the full document
 * could fail a check (or the part converted fails one), the whole text
 * goes the jsonb way, which raises exactly what it always raises.
 */
static int64
save_text_parts(const SaveArgs *a, text *t, WfpTextDoc *td, WfpWorkflow *wf)
{
	WfpStepMeta *stored;
	int			n_stored;
	int		   *stored_of;
	int64		total = 0;
	Jsonb	   *partial;
	JsonbValue	sv;
	Jsonb	   *execution;
	Jsonb	   *extra;
	WfpPrepared prepared;
	WfpStepWrite *all;
	WfpStatus	word_status = WFP_STATUS_RUNNING;
	WfpStatus	before;

	stored = wfp_store_list_steps(wf, &n_stored);
	stored_of = palloc(sizeof(int) * Max(td->n_steps, 1));
	for (int i = 0, j = 0; i < td->n_steps; i++)
	{
		WfpTextMember *m = &td->steps[i];
		int			c = 1;

		while (j < n_stored &&
			   (c = wfp_key_cmp(stored[j].key, stored[j].keylen,
								m->key, m->keylen)) < 0)
			j++;
		m->changed = true;
		stored_of[i] = -1;
		if (j < n_stored && c == 0 && stored[j].has_text_hash &&
			wfp_text_hash(m, stored[j].hash) == stored[j].text_hash)
		{
			/* a limit lowered since: let the full path say so */
			if (wfp_max_step_bytes > 0 && stored[j].size > wfp_max_step_bytes)
				return save_jsonb(a, text_to_jsonb(t), td, wf, true);
			m->changed = false;
			stored_of[i] = j;
			total += wfp_step_footprint(m->keylen, stored[j].size);
		}
	}

	partial = text_to_jsonb(cstring_to_text(wfp_text_partial(td)));

	/* the checks of wfp_prepare_snapshot, without raising */
	if (!wfp_get_key(&partial->root, "steps", &sv) || sv.type != jbvBinary)
		return save_jsonb(a, text_to_jsonb(t), td, wf, true);
	{
		JsonbIterator *it = JsonbIteratorInit(sv.val.binary.data);
		JsonbIteratorToken tok;
		JsonbValue	k,
					v;

		while ((tok = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
		{
			int32		size;

			if (tok != WJB_KEY)
				continue;
			tok = JsonbIteratorNext(&it, &v, true);
			if (v.type != jbvBinary || k.val.string.len > WFP_MAX_STEP_KEY_BYTES)
				return save_jsonb(a, text_to_jsonb(t), td, wf, true);
			size = (int32) (v.val.binary.len + VARHDRSZ);
			if (wfp_max_step_bytes > 0 && size > wfp_max_step_bytes)
				return save_jsonb(a, text_to_jsonb(t), td, wf, true);
			total += wfp_step_footprint(k.val.string.len, size);
		}
	}
	wfp_split_head(partial, &execution, &extra);
	total += wfp_head_footprint(execution, extra);
	if ((wfp_max_snapshot_bytes > 0 && total > wfp_max_snapshot_bytes) ||
		total > WFP_MAX_DOCUMENT_BYTES)
		return save_jsonb(a, text_to_jsonb(t), td, wf, true);

	/* the verdict on what changed; the full path gives the errors */
	if (wfp_validation != WFP_VALIDATION_OFF)
	{
		WfpErrors	errs = {false, 0, NIL};

		wfp_validate_snapshot(partial,
							  wfp_validation == WFP_VALIDATION_STRICT, &errs);
		if (errs.count > 0)
			return save_jsonb(a, text_to_jsonb(t), td, wf, true);
	}

	/* the changed steps, then every step in key order */
	wfp_prepare_snapshot(a->id, partial, &prepared);
	wfp_text_attach(td, &prepared);
	all = palloc(sizeof(WfpStepWrite) * Max(td->n_steps, 1));
	for (int i = 0, c = 0; i < td->n_steps; i++)
	{
		WfpTextMember *m = &td->steps[i];

		if (m->changed)
		{
			Assert(c < prepared.n_in);
			all[i] = prepared.in[c++];
			continue;
		}
		/* stands for the stored step: same hash and size, not written */
		memset(&all[i], 0, sizeof(WfpStepWrite));
		all[i].key = m->key;
		all[i].keylen = m->keylen;
		all[i].hash = stored[stored_of[i]].hash;
		all[i].size = stored[stored_of[i]].size;
		all[i].pending = stored[stored_of[i]].pending;
	}
	prepared.in = all;
	prepared.n_in = td->n_steps;
	prepared.total = total;

	if (a->word != NULL)
		word_status = wfp_status_word_or_raise(a->word);
	if (a->if_absent && !wf->created)
	{
		wfp_store_end();
		return wf->version;
	}
	wfp_check_locked(wf, WFP_WRITE_WHOLE, a->lease, a->has_expected,
					 a->expected);
	before = wf->status;
	return finish_save(a, wf, &prepared, before, word_status, false,
					   stored, n_stored, true);
}

/*
 * wf_save(text): what drivers call with an untyped parameter.  The text is
 * checked first, as the jsonb parameter's conversion would be before the
 * call; the result, errors and stored rows are the jsonb overload's.
 */
Datum
wf_save_text(PG_FUNCTION_ARGS)
{
	SaveArgs	a;
	text	   *t = NULL;
	WfpTextDoc	td;
	Jsonb	   *full = NULL;
	WfpWorkflow wf;

	if (!PG_ARGISNULL(1))
	{
		t = PG_GETARG_TEXT_PP(1);
		wfp_text_scan(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), &td);
		if (!td.usable)
			full = text_to_jsonb(t);	/* raises what jsonb_in raises */
	}
	save_args_head(fcinfo, &a);
	save_args_tail(fcinfo, &a);
	if (full != NULL)
		PG_RETURN_INT64(save_jsonb(&a, full, NULL, &wf, false));

	wfp_store_begin();
	wfp_store_lock(&wf, a.ns, a.id, true);
	if (wf.created || wf.checked < wfp_validation_level() ||
		strcmp(wf.shape, "snapshot") != 0)
		PG_RETURN_INT64(save_jsonb(&a, text_to_jsonb(t), &td, &wf, true));
	PG_RETURN_INT64(save_text_parts(&a, t, &td, &wf));
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
