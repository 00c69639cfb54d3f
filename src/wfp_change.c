/*-------------------------------------------------------------------------
 *
 * wfp_change.c
 *	  Changing a stored workflow: what every writer shares once its input
 *	  has been checked.
 *
 * A write locks the workflow's header row (creating it if absent), refuses
 * what its kind may not write (a checkpoint of a cancelled run; with
 * workflow_persist.finished_read_only, any write to a completed or
 * cancelled run), checks the lease and expected_version, writes the steps
 * against the stored ones (only what changed), derives the status it
 * leaves the run in and records that change in the event log.
 * wfp_checkpoint() is the whole of one step's write, for wf_save_step and
 * the auto-checkpoint trigger; its cost does not depend on how many steps
 * are stored.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "wfp_settings.h"
#include "wfp_jsonb.h"
#include "wfp_rules.h"
#include "wfp_store.h"
#include "wfp_notify.h"
#include "wfp_sql.h"

/* ----------
 * Checks on the locked workflow
 * ----------
 */

/*
 * Refuse writes to finished runs (SQLSTATE 55000): the lifecycle
 * transitions (wf_suspend, wf_approve, wf_reject) always, every writer
 * with workflow_persist.finished_read_only on.
 */
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
 * What a writer of this kind may write: whole-state writes (wf_save,
 * wf_merge) are upserts at any status; a checkpoint of a cancelled run is
 * refused, so a worker learns of the cancellation at its next step.  With
 * workflow_persist.finished_read_only, completed and cancelled runs refuse
 * every writer, as before 1.0.
 */
static void
wfp_check_write_kind(const WfpWorkflow *wf, WfpWriteKind kind)
{
	if (wf->created)
		return;
	if (wfp_finished_read_only)
	{
		if (wf->status == WFP_STATUS_COMPLETED || wf->status == WFP_STATUS_CANCELLED)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("workflow \"%s\" is %s and accepts no more writes",
							wf->id, wfp_status_name(wf->status)),
					 errdetail("workflow_persist.finished_read_only is on."),
					 errhint("Use wf_replay() to start a new run with the same input.")));
		return;
	}
	if (kind == WFP_WRITE_STEP && wf->status == WFP_STATUS_CANCELLED)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("workflow \"%s\" is cancelled and accepts no more checkpoints",
						wf->id),
				 errhint("A whole save (wf_save, wf_merge) replaces it; wf_replay() starts a new run with the same input.")));
}

/*
 * With a lease token given, the write needs it to be the workflow's
 * current, unexpired lease (SQLSTATE 55P03).
 */
static void
wfp_check_lease(const WfpWorkflow *wf, const char *token)
{
	if (token == NULL)
		return;
	/* a new workflow may hold a lease: one taken before its first save */
	if (wf->lease_token == NULL)
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

/* Raise 40001 unless the locked workflow is at the expected version. */
static void
wfp_check_expected_version(WfpWorkflow *wf, bool has_expected, int64 expected)
{
	if (!has_expected)
		return;
	if (expected == 0 && !wf->created)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("workflow \"%s\" already exists at version " INT64_FORMAT,
						wf->id, wf->version),
				 errdetail("expected_version 0 means the workflow must not exist yet.")));
	if (expected > 0 && wf->created)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("workflow \"%s\" does not exist, expected version " INT64_FORMAT,
						wf->id, expected)));
	if (expected > 0 && wf->version != expected)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("workflow \"%s\" is at version " INT64_FORMAT ", expected version " INT64_FORMAT,
						wf->id, wf->version, expected),
				 errhint("Load the workflow again and retry against its current version.")));
}

/*
 * What every writer does first: connect to the store, lock the workflow
 * (creating it if absent), refuse what its kind may not write, check the
 * lease and the expected version.  Returns the status before the write.
 */
WfpStatus
wfp_lock_for_write(WfpWorkflow *wf, const char *ns, const char *id,
				   WfpWriteKind kind, const char *lease, bool has_expected,
				   int64 expected)
{
	wfp_store_begin();
	wfp_store_lock(wf, ns, id, true);
	wfp_check_locked(wf, kind, lease, has_expected, expected);
	return wf->status;
}

/*
 * The checks of a write on a workflow the caller has locked (with
 * wfp_store_lock, create): its kind, the lease, the expected version.
 */
void
wfp_check_locked(WfpWorkflow *wf, WfpWriteKind kind, const char *lease,
				 bool has_expected, int64 expected)
{
	wfp_check_write_kind(wf, kind);
	wfp_check_lease(wf, lease);
	wfp_check_expected_version(wf, has_expected, expected);
}

/* ----------
 * The status a write leaves the run in
 * ----------
 */

/*
 * The status a whole document gives a run: suspended when it is
 * explicitly suspended or holds a step that waits for a decision,
 * otherwise what execution.status says (a whole save of a cancelled run
 * gives it the status of the document).
 */
WfpStatus
wfp_document_status(const WfpWorkflow *wf)
{
	if (wf->suspended || wf->pending > 0)
		return WFP_STATUS_SUSPENDED;
	return wfp_status_of_execution(wf->execution);
}

/*
 * The status any other write leaves a run in: cancelled stays cancelled,
 * a status an engine's word set stays until a whole save without one or a
 * transition, else the document's.
 */
WfpStatus
wfp_derive_status(const WfpWorkflow *wf)
{
	if (wf->status == WFP_STATUS_CANCELLED && !wf->created)
		return WFP_STATUS_CANCELLED;
	if (wf->status_word != NULL && !wf->created)
		return wf->status;
	return wfp_document_status(wf);
}

/*
 * The store status an engine's status word means (wf_status_word), or
 * 22023 naming the field.  Checked before anything is locked.
 */
WfpStatus
wfp_status_word_or_raise(const char *word)
{
	WfpStatus	status = WFP_STATUS_RUNNING;
	bool		known;

	wfp_store_begin();
	known = wfp_store_status_word(word, &status);
	wfp_store_end();
	if (!known)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown status word \"%s\"", word),
				 errdetail("status must be a word of workflow_persist.wf_status_word (running, paused, suspended, interrupted, completed, failed, cancelled, or one added there)."),
				 errhint("Add the engine's word: INSERT INTO workflow_persist.wf_status_word VALUES ('%s', 'suspended').", word)));
	return status;
}

/*
 * After a whole save: with a status word, the run takes the status the
 * word means (a word meaning suspended suspends it, as wf_suspend would,
 * until a save says otherwise) and keeps the word for reading back;
 * without one, a suspension an earlier word made ends and the document
 * decides.
 */
void
wfp_apply_status_word(WfpWorkflow *wf, const char *word, WfpStatus status)
{
	if (word != NULL)
	{
		wf->status_word = pstrdup(word);
		if (status == WFP_STATUS_SUSPENDED)
		{
			if (!wf->suspended)
			{
				wf->suspended = true;
				wf->suspended_at = GetCurrentTransactionStartTimestamp();
				wf->suspend_reason = pstrdup(word);	/* wf_pending's reason */
				wf->suspend_request = NULL;
			}
		}
		else
			wf->suspended = false;
		wf->status = status;
		return;
	}
	if (wf->status_word != NULL)
	{
		/* wf_suspend clears the word: a suspension with a word is its */
		wf->suspended = false;
		wf->status_word = NULL;
	}
	wf->status = wfp_document_status(wf);
}

/*
 * After a write: record the status change it caused, when the run became
 * suspended (a step now waits for a decision), completed or failed.
 * Explicit transitions (wf_suspend, wf_approve, ...) record their own.
 */
void
wfp_note_status_change(WfpWorkflow *wf, WfpStatus before, const char *key,
					   int keylen)
{
	if (wf->status == before && !wf->created)
		return;
	if (wf->status == WFP_STATUS_SUSPENDED ||
		wf->status == WFP_STATUS_COMPLETED ||
		wf->status == WFP_STATUS_FAILED)
	{
		Jsonb	   *detail = NULL;

		/* a run waiting for decisions says how many */
		if (wf->status == WFP_STATUS_SUSPENDED && wf->pending > 0)
		{
			WfpNode    *node = wfp_node_new(false, 1);
			JsonbValue	n;

			n.type = jbvNumeric;
			n.val.numeric = int64_to_numeric(wf->pending);
			wfp_node_add(node, "pending", 7, &n);
			detail = wfp_node_to_jsonb(node);
		}
		wfp_store_event(wf, wfp_status_name(wf->status), key, keylen,
						wfp_current_actor(), detail);
	}
}

/* ----------
 * Writing a set of steps
 * ----------
 */

/*
 * A position the client chose (an engine's step index): taken as given;
 * later steps without one go after it.
 */
int32
wfp_place_position(WfpWorkflow *wf, int32 position)
{
	if (position >= wf->next_pos)
	{
		if (position == PG_INT32_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("step position %d of workflow \"%s\" is too large",
							position, wf->id)));
		wf->next_pos = position + 1;
	}
	return position;
}

/* {}: the header members of a generic run created by a step */
Jsonb *
wfp_empty_object(void)
{
	return wfp_node_to_jsonb(wfp_node_new(false, 0));
}

/* The next free position; positions are int4 and never reused. */
int32
wfp_take_position(WfpWorkflow *wf)
{
	if (wf->next_pos == PG_INT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("workflow \"%s\" has recorded too many steps", wf->id)));
	return wf->next_pos++;
}

/*
 * Write incoming steps (in jsonb key order) against what is stored: new
 * keys are inserted after all others (in jsonb key order among
 * themselves), changed ones overwritten in place, unchanged ones (same
 * length and hash) left alone.  With replace, stored keys that are not
 * incoming are deleted.  wf's step_count and size_bytes follow.
 */
void
wfp_write_steps(WfpWorkflow *wf, WfpStepWrite *in, int n_in, bool replace)
{
	WfpStepMeta *stored = NULL;
	int			n_stored = 0;

	if (!wf->created)
		stored = wfp_store_list_steps(wf, &n_stored);
	wfp_write_steps_listed(wf, in, n_in, replace, stored, n_stored);
}

/*
 * The same against a list of the stored steps the caller has read
 * (wfp_store_list_steps, under the lock): wf_save(text) reads it first to
 * find the steps whose text did not change.  An incoming step that stands
 * for an unchanged stored one carries its stored hash and size.
 */
void
wfp_write_steps_listed(WfpWorkflow *wf, WfpStepWrite *in, int n_in,
					   bool replace, WfpStepMeta *stored, int n_stored)
{
	WfpStepWrite *inserts,
			   *updates;
	Datum	   *deletes;
	int			n_ins = 0,
				n_upd = 0,
				n_del = 0;

	inserts = palloc(sizeof(WfpStepWrite) * Max(n_in, 1));
	updates = palloc(sizeof(WfpStepWrite) * Max(n_in, 1));
	deletes = palloc(sizeof(Datum) * Max(n_stored, 1));

	/* both lists are in jsonb key order: one merge pass classifies all */
	for (int i = 0, j = 0; i < n_in || j < n_stored;)
	{
		int			c;

		if (i >= n_in)
			c = 1;
		else if (j >= n_stored)
			c = -1;
		else
			c = wfp_key_cmp(in[i].key, in[i].keylen,
							stored[j].key, stored[j].keylen);
		if (c < 0)
		{
			in[i].pos = in[i].has_pos ? wfp_place_position(wf, in[i].pos) :
				wfp_take_position(wf);
			wfp_step_value(&in[i]);
			wf->step_count++;
			wf->pending += in[i].pending != WFP_PENDING_NONE;
			wf->size_bytes += wfp_step_footprint(in[i].keylen, in[i].size);
			inserts[n_ins++] = in[i++];
		}
		else if (c > 0)
		{
			if (replace)
			{
				deletes[n_del++] =
					PointerGetDatum(cstring_to_text_with_len(stored[j].key,
															 stored[j].keylen));
				wf->step_count--;
				wf->pending -= stored[j].pending != WFP_PENDING_NONE;
				wf->size_bytes -= wfp_step_footprint(stored[j].keylen,
													 stored[j].size);
			}
			j++;
		}
		else
		{
			if (in[i].hash != stored[j].hash || in[i].size != stored[j].size ||
				(in[i].has_pos && in[i].pos != stored[j].pos))
			{
				in[i].pos = in[i].has_pos ? wfp_place_position(wf, in[i].pos) :
					stored[j].pos;
				wfp_step_value(&in[i]);
				wf->size_bytes += in[i].size - stored[j].size;	/* same key */
				wf->pending += (in[i].pending != WFP_PENDING_NONE) -
					(stored[j].pending != WFP_PENDING_NONE);
				updates[n_upd++] = in[i];
			}
			i++;
			j++;
		}
	}
	wfp_store_delete_steps(wf, deletes, n_del);
	wfp_store_put_steps(wf, updates, n_upd, false);
	wfp_store_put_steps(wf, inserts, n_ins, true);
}

/* Store a prepared snapshot in the locked workflow wf, replacing it. */
void
wfp_replace_snapshot(WfpWorkflow *wf, WfpPrepared *p)
{
	WfpStepMeta *stored = NULL;
	int			n_stored = 0;

	if (!wf->created)
		stored = wfp_store_list_steps(wf, &n_stored);
	wfp_replace_snapshot_listed(wf, p, stored, n_stored);
}

/* The same against the stored steps the caller has listed. */
void
wfp_replace_snapshot_listed(WfpWorkflow *wf, WfpPrepared *p,
							WfpStepMeta *stored, int n_stored)
{
	wfp_write_steps_listed(wf, p->in, p->n_in, true, stored, n_stored);
	wf->size_bytes = p->total;
	wf->execution = p->execution;
	wf->extra = p->extra;
	wf->status = wfp_document_status(wf);
	wf->checked = wfp_validation_level();
	wf->version++;
}

/* ----------
 * One checkpoint
 * ----------
 */

/* {"formatVersion": 1}: what a workflow created by a checkpoint holds. */
static Jsonb *
wfp_fresh_extra(void)
{
	WfpNode    *node = wfp_node_new(false, 1);
	JsonbValue	one;

	one.type = jbvNumeric;
	one.val.numeric = int64_to_numeric(1);
	wfp_node_add(node, "formatVersion", 13, &one);
	return wfp_node_to_jsonb(node);
}

/*
 * Record one step result: the checkpoint behind wf_save_step and the
 * auto-checkpoint trigger.  Validates the result, locks (or creates) the
 * workflow, writes the step row and the header, and returns the new
 * version.  Its cost does not depend on how many steps are stored.
 */
int64
wfp_checkpoint(const char *ns, const char *id, const char *key, int keylen,
			   Jsonb *result, bool has_expected, int64 expected,
			   const char *lease, int32 position, bool generic)
{
	WfpStepWrite w;
	WfpWorkflow wf;
	WfpStepMeta meta;
	bool		exists;
	WfpStepAction action;
	Jsonb	   *execution;
	int64		total;
	WfpStatus	before;

	/* a generic run's step is checked structurally by its caller */
	if (!generic)
		wfp_validate_step_or_raise(key, keylen, result);
	wfp_prepare_step(&w, id, key, keylen, result, NULL);

	before = wfp_lock_for_write(&wf, ns, id, WFP_WRITE_STEP, lease,
								has_expected, expected);
	if (generic && wf.created)
		wf.shape = "run";
	exists = !wf.created && wfp_store_get_step(&wf, key, keylen, &meta);

	/* a generic run has no awaitly execution to touch */
	execution = generic ? wf.execution :
		wfp_touch_execution(wf.execution, NULL, key, keylen);
	if (wf.created)
	{
		wf.extra = generic ? wfp_empty_object() : wfp_fresh_extra();
		total = wfp_head_footprint(execution, wf.extra);
		wf.checked = wfp_validation_level();
	}
	else
	{
		/* only execution changes in the head; extra is kept as stored */
		total = wf.size_bytes - wfp_execution_footprint(wf.execution) +
			wfp_execution_footprint(execution);
		wf.checked = Min(wf.checked, wfp_validation_level());
	}
	total += wfp_step_footprint(keylen, w.size);
	if (exists)
		total -= wfp_step_footprint(keylen, meta.size);
	wfp_check_snapshot_size(id, total);

	if (!exists)
	{
		action = WFP_STEP_INSERT;
		w.pos = position >= 0 ? wfp_place_position(&wf, position) :
			wfp_take_position(&wf);
		wf.step_count++;
		wf.pending += w.pending != WFP_PENDING_NONE;
	}
	else if (w.hash != meta.hash || w.size != meta.size ||
			 (position >= 0 && position != meta.pos))
	{
		action = WFP_STEP_UPDATE;
		w.pos = position >= 0 ? wfp_place_position(&wf, position) : meta.pos;
		wf.pending += (w.pending != WFP_PENDING_NONE) -
			(meta.pending != WFP_PENDING_NONE);
	}
	else
		action = WFP_STEP_UNCHANGED;

	wf.version++;
	wf.execution = execution;
	wf.status = wfp_derive_status(&wf);
	wf.size_bytes = total;
	wfp_store_checkpoint(&wf, &w, action);
	wfp_note_status_change(&wf, before, key, keylen);
	wfp_store_end();
	wfp_notify_track(ns, id, "step", wf.created);
	return wf.version;
}
