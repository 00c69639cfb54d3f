/*-------------------------------------------------------------------------
 *
 * wfp_write.c
 *	  wf_save and wf_save_step: checking what is written, then writing only
 *	  what changed.
 *
 * Every check that does not need the stored state (ids, step keys, sizes,
 * validation, the shape the store needs) runs before anything is locked,
 * so bad input changes nothing.  Then the workflow's header row is locked
 * (created if absent), expected_version is checked, step rows are written
 * and the header is written back with the version bumped.
 *
 * wf_save compares every incoming step with the stored one by length and
 * hash of its bytes: a re-saved snapshot in which one step changed writes
 * one step row and the header, whatever the number of steps.
 * wf_save_step touches one step row and the header: its cost does not
 * depend on how many steps are stored.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/detoast.h"
#include "access/xact.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "workflow_persist.h"

PG_FUNCTION_INFO_V1(wf_save);
PG_FUNCTION_INFO_V1(wf_save_step);
PG_FUNCTION_INFO_V1(wf_merge);
PG_FUNCTION_INFO_V1(wf_delete);

/* ----------
 * Argument checks shared by the writers
 * ----------
 */

/* A workflow id: 1..512 bytes, else 22023. */
char *
wfp_check_id_cstring(char *id)
{
	int			len = strlen(id);

	if (len < 1 || len > WFP_MAX_ID_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("workflow id must be 1 to %d bytes long",
						WFP_MAX_ID_BYTES),
				 errdetail("The id given is %d bytes long.", len)));
	return id;
}

/* A workflow id argument (raises on NULL too). */
char *
wfp_arg_id(FunctionCallInfo fcinfo, int argno)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("workflow id must not be null")));
	return wfp_check_id_cstring(text_to_cstring(PG_GETARG_TEXT_PP(argno)));
}

/* A non-null argument other than the id. */
void
wfp_arg_not_null(FunctionCallInfo fcinfo, int argno, const char *name)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", name)));
}

/* An optional text argument as a C string, or NULL. */
char *
wfp_arg_text_or_null(FunctionCallInfo fcinfo, int argno)
{
	if (PG_NARGS() <= argno || PG_ARGISNULL(argno))
		return NULL;
	return text_to_cstring(PG_GETARG_TEXT_PP(argno));
}

/* The role running this function, for the event log. */
char *
wfp_current_actor(void)
{
	return GetUserNameFromId(GetUserId(), false);
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

/* expected_version: NULL (no check), 0 (must not exist) or N > 0. */
static bool
arg_expected_version(FunctionCallInfo fcinfo, int argno, int64 *expected)
{
	if (PG_ARGISNULL(argno))
		return false;
	*expected = PG_GETARG_INT64(argno);
	if (*expected < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("expected_version must be 0 or positive"),
				 errdetail("0 means the workflow must not exist yet; N means it must be at version N.")));
	return true;
}

/* Raise 40001 unless the locked workflow is at the expected version. */
void
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

static void
check_step_key(const char *id, int keylen)
{
	if (keylen > WFP_MAX_STEP_KEY_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("step key of workflow \"%s\" is too long", id),
				 errdetail("The key is %d bytes long; at most %d bytes are allowed.",
						   keylen, WFP_MAX_STEP_KEY_BYTES)));
}

/*
 * Raise 54000 when a workflow would grow past max_snapshot_bytes, or past
 * what one jsonb document can hold at all (with the setting at 0 too): a
 * workflow wf_load could not assemble is never stored.
 */
void
wfp_check_snapshot_size(const char *id, int64 size)
{
	if (wfp_max_snapshot_bytes > 0 && size > wfp_max_snapshot_bytes)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("snapshot of workflow \"%s\" is too large", id),
				 errdetail("The snapshot would be " INT64_FORMAT " bytes; workflow_persist.max_snapshot_bytes is %d.",
						   size, wfp_max_snapshot_bytes)));
	if (size > WFP_MAX_DOCUMENT_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("snapshot of workflow \"%s\" is too large", id),
				 errdetail("The snapshot would be " INT64_FORMAT " bytes; a jsonb document holds at most %d.",
						   size, WFP_MAX_DOCUMENT_BYTES)));
}

/* ----------
 * Validation as configured by workflow_persist.validation
 * ----------
 */
void
wfp_validate_or_raise(Jsonb *snapshot)
{
	bool		strict = (wfp_validation == WFP_VALIDATION_STRICT);
	WfpErrors	errs = {false, 0, NIL};

	if (wfp_validation == WFP_VALIDATION_OFF)
		return;
	wfp_validate_snapshot(snapshot, strict, &errs);
	if (errs.count > 0)
	{
		WfpErrors	all = {true, 0, NIL};

		wfp_validate_snapshot(snapshot, strict, &all);
		wfp_raise_invalid("invalid snapshot format", all.messages);
	}
}

static void
validate_step_or_raise(const char *key, int keylen, Jsonb *result)
{
	bool		strict = (wfp_validation == WFP_VALIDATION_STRICT);
	WfpErrors	errs = {false, 0, NIL};
	JsonbValue	v;

	if (wfp_validation == WFP_VALIDATION_OFF)
		return;
	wfp_root_value(result, &v);
	wfp_validate_step(key, keylen, &v, strict, &errs);
	if (errs.count > 0)
	{
		WfpErrors	all = {true, 0, NIL};

		wfp_validate_step(key, keylen, &v, strict, &all);
		wfp_raise_invalid("invalid step result", all.messages);
	}
}

/*
 * The shape the store needs whatever the validation mode: a JSON object
 * whose "steps" is an object (it is stored one row per key, and an array
 * would come back as an object).
 */
JsonbContainer *
wfp_storable_steps(Jsonb *snapshot)
{
	JsonbValue	v;

	if (!JB_ROOT_IS_OBJECT(snapshot))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("snapshot cannot be stored: it is not a JSON object")));
	if (!wfp_get_key(&snapshot->root, "steps", &v))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("snapshot cannot be stored: it has no \"steps\" member")));
	if (wfp_kind(&v) != WFP_OBJECT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("snapshot cannot be stored: \"steps\" is %s, not an object",
						wfp_kind_name(wfp_kind(&v))),
				 errhint("Steps are stored one row per key: use an object keyed by step id.")));
	return v.val.binary.data;
}

/*
 * Split a snapshot into what the header stores: "execution" (NULL when
 * absent) and "extra", every other member but "steps".
 */
void
wfp_split_head(Jsonb *snapshot, Jsonb **execution, Jsonb **extra)
{
	WfpNode    *node = wfp_node_new(false, JB_ROOT_COUNT(snapshot));
	JsonbIterator *it = JsonbIteratorInit(&snapshot->root);
	JsonbIteratorToken tok;
	JsonbValue	k,
				v;

	*execution = NULL;
	while ((tok = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
	{
		if (tok != WJB_KEY)
			continue;
		tok = JsonbIteratorNext(&it, &v, true);
		if (wfp_string_equals(&k, "steps"))
			continue;
		if (wfp_string_equals(&k, "execution"))
			*execution = wfp_value_to_jsonb(&v);
		else
			wfp_node_add(node, k.val.string.val, k.val.string.len, &v);
	}
	*extra = wfp_node_to_jsonb(node);
}

/*
 * Fill a step write: key checks, size guard, hash, "ok".  The value is
 * either a standalone jsonb datum (whole) or, when whole is NULL, a value
 * inside a larger document (src): then its bytes are hashed where they
 * lie and copied out only if the step is written (wfp_step_value).
 */
void
wfp_prepare_step(WfpStepWrite *w, const char *id, const char *key, int keylen,
				 Jsonb *whole, const JsonbValue *src)
{
	JsonbContainer *c;
	Size		len;
	JsonbValue	okv;

	check_step_key(id, keylen);
	w->key = key;
	w->keylen = keylen;
	w->pos = 0;
	if (whole == NULL && src->type != jbvBinary)
		whole = wfp_value_to_jsonb(src);	/* a scalar: serialize it */
	w->value = whole;
	if (whole != NULL)
	{
		c = &whole->root;
		len = VARSIZE(whole) - VARHDRSZ;
	}
	else
	{
		c = src->val.binary.data;
		len = src->val.binary.len;
		w->src = *src;
	}
	w->size = (int32) (len + VARHDRSZ);
	if (wfp_max_step_bytes > 0 && w->size > wfp_max_step_bytes)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("step \"%.*s\" of workflow \"%s\" is too large",
						keylen, key, id),
				 errdetail("The step result is %d bytes; workflow_persist.max_step_bytes is %d.",
						   w->size, wfp_max_step_bytes)));
	w->hash = wfp_store_hash(c, len);
	w->has_ok = JsonContainerIsObject(c) && !JsonContainerIsScalar(c) &&
		wfp_get_key(c, "ok", &okv) && okv.type == jbvBool;
	w->ok = w->has_ok && okv.val.boolean;
	w->pending = (w->has_ok && !w->ok) ? wfp_pending_kind(c) : WFP_PENDING_NONE;
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

/* The step's value as a standalone jsonb datum, copied out on first use. */
Jsonb *
wfp_step_value(WfpStepWrite *w)
{
	if (w->value == NULL)
		w->value = wfp_value_to_jsonb(&w->src);
	return w->value;
}

/*
 * What every writer does first: connect to the store, lock the workflow
 * (creating it if absent), refuse finished runs, check the lease and the
 * expected version.  Returns the status before the write.
 */
static WfpStatus
lock_for_write(WfpWorkflow *wf, const char *id, const char *lease,
			   bool has_expected, int64 expected)
{
	wfp_store_begin();
	wfp_store_lock(wf, id, true);
	wfp_check_writable(wf);
	wfp_check_lease(wf, lease);
	wfp_check_expected_version(wf, has_expected, expected);
	return wf->status;
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

/* ----------
 * Writing a set of steps
 * ----------
 */

/*
 * Write incoming steps (in jsonb key order) against what is stored: new
 * keys are inserted after all others (in jsonb key order among
 * themselves), changed ones overwritten in place, unchanged ones (same
 * length and hash) left alone.  With replace, stored keys that are not
 * incoming are deleted.  wf's step_count and size_bytes follow.
 */
static void
write_steps(WfpWorkflow *wf, WfpStepWrite *in, int n_in, bool replace)
{
	WfpStepMeta *stored = NULL;
	int			n_stored = 0;
	WfpStepWrite *inserts,
			   *updates;
	Datum	   *deletes;
	int			n_ins = 0,
				n_upd = 0,
				n_del = 0;

	if (!wf->created)
		stored = wfp_store_list_steps(wf, &n_stored);
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
			in[i].pos = wfp_take_position(wf);
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
			if (in[i].hash != stored[j].hash || in[i].size != stored[j].size)
			{
				in[i].pos = stored[j].pos;
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

/* The steps of a snapshot as writes (values copied out, checked, hashed). */
static WfpStepWrite *
prepare_steps(const char *id, JsonbContainer *steps, int *count)
{
	WfpStepWrite *in = palloc(sizeof(WfpStepWrite) *
							  Max(JsonContainerSize(steps), 1));
	JsonbIterator *it = JsonbIteratorInit(steps);
	JsonbIteratorToken tok;
	JsonbValue	k,
				v;
	int			n = 0;

	while ((tok = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
	{
		if (tok != WJB_KEY)
			continue;
		CHECK_FOR_INTERRUPTS();
		tok = JsonbIteratorNext(&it, &v, true);
		wfp_prepare_step(&in[n++], id, k.val.string.val, k.val.string.len,
						 NULL, &v);
	}
	*count = n;
	return in;
}

/* ----------
 * Size accounting
 *
 * A workflow's size_bytes is the most its assembled snapshot can take:
 * every member's key, value and JEntries, plus the worst-case alignment
 * padding (3 bytes) before each value.  Every writer computes it from the
 * same parts in the same way, so the max_snapshot_bytes check agrees
 * whichever function wrote the workflow, and no stored workflow loads
 * larger than the limit it passed.
 * ----------
 */
#define MEMBER_OVERHEAD	(2 * sizeof(JEntry) + 3)

/* What one step adds: its key, its value's container, JEntries, padding. */
int64
wfp_step_footprint(int keylen, int32 size)
{
	return keylen + (size - VARHDRSZ) + MEMBER_OVERHEAD;
}

/*
 * What the rest adds: the document's own headers and "extra" (whose
 * members keep their layout but may need new padding), "execution", and
 * the "steps" member's key, JEntries and container header.
 */
int64
wfp_execution_footprint(Jsonb *execution)
{
	if (execution == NULL)
		return 0;
	return strlen("execution") + (VARSIZE(execution) - VARHDRSZ) +
		MEMBER_OVERHEAD;
}

int64
wfp_head_footprint(Jsonb *execution, Jsonb *extra)
{
	return VARSIZE(extra) + 3 * JB_ROOT_COUNT(extra) +
		wfp_execution_footprint(execution) +
		strlen("steps") + sizeof(uint32) + MEMBER_OVERHEAD;
}

/* The level of workflow_persist.validation: 0 off, 1 awaitly, 2 strict. */
int
wfp_validation_level(void)
{
	switch (wfp_validation)
	{
		case WFP_VALIDATION_OFF:
			return 0;
		case WFP_VALIDATION_AWAITLY:
			return 1;
		case WFP_VALIDATION_STRICT:
			return 2;
	}
	return 0;
}

/*
 * Take a whole snapshot apart for storing, with every check that needs no
 * table: the shape the store needs, step keys, step sizes, the footprint
 * against max_snapshot_bytes.  (Validation is the caller's.)
 */
void
wfp_prepare_snapshot(const char *id, Jsonb *snapshot, WfpPrepared *p)
{
	JsonbContainer *steps = wfp_storable_steps(snapshot);

	wfp_split_head(snapshot, &p->execution, &p->extra);
	p->in = prepare_steps(id, steps, &p->n_in);
	p->total = wfp_head_footprint(p->execution, p->extra);
	for (int i = 0; i < p->n_in; i++)
		p->total += wfp_step_footprint(p->in[i].keylen, p->in[i].size);
	wfp_check_snapshot_size(id, p->total);
}

/* Store a prepared snapshot in the locked workflow wf, replacing it. */
void
wfp_replace_snapshot(WfpWorkflow *wf, WfpPrepared *p)
{
	write_steps(wf, p->in, p->n_in, true);
	wf->size_bytes = p->total;
	wf->execution = p->execution;
	wf->extra = p->extra;
	wf->status = wfp_derive_status(wf);
	wf->checked = wfp_validation_level();
	wf->version++;
}

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
 * wf_save(id, snapshot, ttl, expected_version)
 * ----------
 */
Datum
wf_save(PG_FUNCTION_ARGS)
{
	char	   *id = wfp_arg_id(fcinfo, 0);
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
	has_expected = arg_expected_version(fcinfo, 3, &expected);
	lease = wfp_arg_text_or_null(fcinfo, 4);
	if (!PG_ARGISNULL(2))
		expires_at = wfp_expiry_from_ttl(PG_GETARG_INTERVAL_P(2));

	/* everything about the input itself, before touching any table */
	wfp_check_snapshot_size(id, VARSIZE(snapshot));
	wfp_validate_or_raise(snapshot);
	wfp_prepare_snapshot(id, snapshot, &prepared);

	before = lock_for_write(&wf, id, lease, has_expected, expected);
	wfp_replace_snapshot(&wf, &prepared);
	if (!PG_ARGISNULL(2))
	{
		wf.has_expiry = true;
		wf.expires_at = expires_at;
	}
	wfp_store_write_header(&wf, true);
	note_change(&wf, before, &prepared);
	wfp_store_end();
	wfp_notify_track(id, "save", wf.created);

	PG_RETURN_INT64(wf.version);
}

/* ----------
 * wf_merge(id, delta, expected_version)
 * ----------
 */

/*
 * What the stored workflow contributes to awaitly's merge: its header
 * members with an empty "steps".  mergeSnapshots(that, delta) then gives
 * the merged header (execution from the delta, metadata merged, warnings
 * filtered and appended, formatVersion 1) and the delta's steps, which are
 * exactly the steps the merge changes: stored steps not in the delta stay
 * as they are.
 */
/* Does the document have the shape the store needs (no error if not)? */
static bool
has_steps_object(Jsonb *doc)
{
	JsonbValue	v;

	return JB_ROOT_IS_OBJECT(doc) && wfp_get_key(&doc->root, "steps", &v) &&
		wfp_kind(&v) == WFP_OBJECT;
}

static Jsonb *
merge_base(WfpWorkflow *wf)
{
	Jsonb	   *extra = wfp_store_extra(wf);
	WfpNode    *node = wfp_node_from_object(&extra->root, 1);

	wfp_node_add_node(node, "steps", 5, wfp_node_new(false, 0));
	wfp_node_sort_unique(node);
	return wfp_node_to_jsonb(node);
}

Datum
wf_merge(PG_FUNCTION_ARGS)
{
	char	   *id = wfp_arg_id(fcinfo, 0);
	Jsonb	   *delta;
	bool		has_expected;
	int64		expected = 0;
	char	   *lease;
	WfpPrepared prepared;
	WfpWorkflow wf;
	WfpStatus	before;

	wfp_arg_not_null(fcinfo, 1, "delta");
	delta = PG_GETARG_JSONB_P(1);
	has_expected = arg_expected_version(fcinfo, 2, &expected);
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

	before = lock_for_write(&wf, id, lease, has_expected, expected);
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
		wf.size_bytes -= wfp_head_footprint(wf.execution, wfp_store_extra(&wf));
		write_steps(&wf, prepared.in, prepared.n_in, false);
		wf.size_bytes += wfp_head_footprint(execution, extra);
		wfp_check_snapshot_size(id, wf.size_bytes);
		wf.execution = execution;
		wf.extra = extra;
		wf.status = wfp_derive_status(&wf);
		wf.checked = Min(wf.checked, level);
		wf.version++;
	}
	wfp_store_write_header(&wf, true);
	note_change(&wf, before, &prepared);
	wfp_store_end();
	wfp_notify_track(id, "merge", wf.created);

	PG_RETURN_INT64(wf.version);
}

/* now() + ttl, for a positive ttl. */
TimestampTz
wfp_expiry_from_ttl(Interval *ttl)
{
	Interval	zero;

	memset(&zero, 0, sizeof(zero));
	if (!DatumGetBool(DirectFunctionCall2(interval_gt,
										  IntervalPGetDatum(ttl),
										  IntervalPGetDatum(&zero))))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ttl must be a positive interval"),
				 errhint("Pass NULL to keep the current expiry.")));
	return DatumGetTimestampTz(DirectFunctionCall2(timestamptz_pl_interval,
												   TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()),
												   IntervalPGetDatum(ttl)));
}

/* ----------
 * wf_save_step(id, step_key, result, expected_version)
 * ----------
 */

/*
 * The execution after a write: the stored one (a fresh {"status":
 * "running"} when there is none) with lastUpdated set to now, and status
 * and currentStepId set when given; setting status "running" drops
 * completedAt.
 */
Jsonb *
wfp_touch_execution(Jsonb *execution, const char *status, const char *key,
					int keylen)
{
	WfpNode    *node;
	JsonbValue	v;
	StringInfoData ts;

	if (execution != NULL && JB_ROOT_IS_OBJECT(execution))
	{
		node = wfp_node_from_object(&execution->root, 3);
		/* a run that is running again has not completed */
		if (status != NULL && strcmp(status, "running") == 0)
		{
			int			out = 0;

			for (int i = 0; i < node->count; i++)
				if (!(node->items[i].keylen == 11 &&
					  memcmp(node->items[i].key, "completedAt", 11) == 0))
					node->items[out++] = node->items[i];
			node->count = out;
		}
	}
	else
	{
		node = wfp_node_new(false, 3);
		if (status == NULL)
			status = "running";
	}
	v.type = jbvString;
	if (status != NULL)
	{
		v.val.string.val = unconstify(char *, status);
		v.val.string.len = strlen(status);
		wfp_node_add(node, "status", 6, &v);
	}
	if (key != NULL)
	{
		v.val.string.val = unconstify(char *, key);
		v.val.string.len = keylen;
		wfp_node_add(node, "currentStepId", 13, &v);
	}
	initStringInfo(&ts);
	wfp_iso_timestamp(GetCurrentTransactionStartTimestamp(), &ts);
	v.val.string.val = ts.data;
	v.val.string.len = ts.len;
	wfp_node_add(node, "lastUpdated", 11, &v);
	wfp_node_sort_unique(node);
	return wfp_node_to_jsonb(node);
}

/* {"formatVersion": 1}: what a workflow created by a checkpoint holds. */
Jsonb *
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
wfp_checkpoint(const char *id, const char *key, int keylen, Jsonb *result,
			   bool has_expected, int64 expected, const char *lease)
{
	WfpStepWrite w;
	WfpWorkflow wf;
	WfpStepMeta meta;
	bool		exists;
	WfpStepAction action;
	Jsonb	   *execution;
	int64		total;
	WfpStatus	before;

	validate_step_or_raise(key, keylen, result);
	wfp_prepare_step(&w, id, key, keylen, result, NULL);

	before = lock_for_write(&wf, id, lease, has_expected, expected);
	exists = !wf.created && wfp_store_get_step(&wf, key, keylen, &meta);

	execution = wfp_touch_execution(wf.execution, NULL, key, keylen);
	if (wf.created)
	{
		wf.extra = wfp_fresh_extra();
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
		w.pos = wfp_take_position(&wf);
		wf.step_count++;
		wf.pending += w.pending != WFP_PENDING_NONE;
	}
	else if (w.hash != meta.hash || w.size != meta.size)
	{
		action = WFP_STEP_UPDATE;
		w.pos = meta.pos;
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
	wfp_notify_track(id, "step", wf.created);
	return wf.version;
}

Datum
wf_save_step(PG_FUNCTION_ARGS)
{
	char	   *id = wfp_arg_id(fcinfo, 0);
	text	   *keytext;
	bool		has_expected;
	int64		expected = 0;

	wfp_arg_not_null(fcinfo, 1, "step_key");
	wfp_arg_not_null(fcinfo, 2, "result");
	keytext = PG_GETARG_TEXT_PP(1);
	has_expected = arg_expected_version(fcinfo, 3, &expected);
	PG_RETURN_INT64(wfp_checkpoint(id, VARDATA_ANY(keytext),
								   VARSIZE_ANY_EXHDR(keytext),
								   PG_GETARG_JSONB_P(2), has_expected,
								   expected, wfp_arg_text_or_null(fcinfo, 4)));
}

/* ----------
 * wf_delete(id): false (not an error) when there is no such workflow
 * ----------
 */
Datum
wf_delete(PG_FUNCTION_ARGS)
{
	char	   *id = wfp_arg_id(fcinfo, 0);
	bool		live;

	wfp_store_begin();
	if (wfp_store_delete(id, &live) && live)
		wfp_notify_track(id, "delete", false);
	wfp_store_end();
	PG_RETURN_BOOL(live);
}
