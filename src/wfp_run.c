/*-------------------------------------------------------------------------
 *
 * wfp_run.c
 *	  Generic runs: wf_put_run, wf_put_run_step and wf_update_run, for
 *	  engines with a state model of their own (Flujo, NeuroCore, Neuron AI).
 *
 * A run is {"name", "kind", "status": word, "state", "metadata",
 * "request", "steps": [{"key", "index", "status", "result", "error"},
 * ...], "created_at"?, "updated_at"?}.  It is stored in the same rows as a
 * snapshot: the run-level members (name, kind, state, metadata, request)
 * as the header's
 * "extra", no "execution", the status word through wf_status_word, one
 * step row per step (its whole object, at position "index"), and, apart,
 * an opaque engine_data (bytea: Neuron's PHP-serialized interrupt holds
 * NUL bytes that jsonb refuses) and the times the engine supplied.  A
 * "request" (what a waiting run asks a person: Neuron's actions) is also
 * the suspension's request when the word means suspended, so wf_pending
 * shows it; decisions on it (wf_decide, wfp_lifecycle.c) are the extra's
 * "decisions", which the next wf_put_run replaces with the new request.
 * wf_get_run (SQL) puts the document back together.  The checks here are
 * structural (awaitly's rules are for awaitly's shapes): every error is
 * 22023 with a DETAIL naming the field, before anything is locked.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "wfp_settings.h"
#include "wfp_jsonb.h"
#include "wfp_rules.h"
#include "wfp_store.h"
#include "wfp_notify.h"
#include "wfp_sql.h"

PG_FUNCTION_INFO_V1(wf_put_run);
PG_FUNCTION_INFO_V1(wf_put_run_step);
PG_FUNCTION_INFO_V1(wf_update_run);

static void
bad_run(const char *field, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid run: %s", field),
			 errdetail("%s", detail)));
}

/* A member that must be a string when present; its text (or NULL). */
static char *
opt_string(JsonbContainer *obj, const char *key, const char *field)
{
	JsonbValue	v;

	if (!wfp_get_key(obj, key, &v) || v.type == jbvNull)
		return NULL;
	if (v.type != jbvString)
		bad_run(field, psprintf("%s must be a string, not %s.", field,
								wfp_kind_name(wfp_kind(&v))));
	return pnstrdup(v.val.string.val, v.val.string.len);
}

/* A member that must be an object when present (true when it is there). */
static bool
opt_object(JsonbContainer *obj, const char *key, const char *field,
		   JsonbValue *v)
{
	if (!wfp_get_key(obj, key, v) || v->type == jbvNull)
		return false;
	if (wfp_kind(v) != WFP_OBJECT)
		bad_run(field, psprintf("%s must be an object, not %s.", field,
								wfp_kind_name(wfp_kind(v))));
	return true;
}

/* A supplied time: an ISO 8601 string, as timestamptz. */
static bool
opt_time(JsonbContainer *obj, const char *key, TimestampTz *ts)
{
	char	   *s = opt_string(obj, key, key);

	if (s == NULL)
		return false;
	/* a bad one is timestamptz's own error (22007) */
	*ts = DatumGetTimestampTz(DirectFunctionCall3(timestamptz_in,
												  CStringGetDatum(s),
												  ObjectIdGetDatum(InvalidOid),
												  Int32GetDatum(-1)));
	return true;
}

/*
 * One step: an object with a non-empty string "key", an integer "index"
 * (0 or more), a string "status"; "result" and "error" are any value.
 * field names it in errors ("steps[2]", or "step").
 */
static void
check_step(JsonbContainer *step, const char *field, char **key, int *keylen,
		   int32 *index)
{
	JsonbValue	v;
	Datum		n;

	if (!wfp_get_key(step, "key", &v) || v.type != jbvString ||
		v.val.string.len == 0)
		bad_run(psprintf("%s.key", field),
				psprintf("%s.key must be a non-empty string.", field));
	*key = v.val.string.val;
	*keylen = v.val.string.len;
	if (!wfp_get_key(step, "index", &v) || v.type != jbvNumeric)
		bad_run(psprintf("%s.index", field),
				psprintf("%s.index must be an integer (the engine's step index).", field));
	n = NumericGetDatum(v.val.numeric);
	if (!DatumGetBool(DirectFunctionCall2(numeric_eq, n,
										  DirectFunctionCall2(numeric_round, n,
															  Int32GetDatum(0)))) ||
		DatumGetBool(DirectFunctionCall2(numeric_lt, n,
										 NumericGetDatum(int64_to_numeric(0)))) ||
		DatumGetBool(DirectFunctionCall2(numeric_gt, n,
										 NumericGetDatum(int64_to_numeric(PG_INT32_MAX - 1)))))
		bad_run(psprintf("%s.index", field),
				psprintf("%s.index must be an integer from 0 to %d.", field,
						 PG_INT32_MAX - 1));
	*index = DatumGetInt32(DirectFunctionCall1(numeric_int4, n));
	if (wfp_get_key(step, "status", &v) && v.type != jbvString && v.type != jbvNull)
		bad_run(psprintf("%s.status", field),
				psprintf("%s.status must be a string (the engine's word).", field));
}

static int
write_cmp(const void *a, const void *b)
{
	const WfpStepWrite *wa = a;
	const WfpStepWrite *wb = b;

	return wfp_key_cmp(wa->key, wa->keylen, wb->key, wb->keylen);
}

/* The run taken apart: header members, steps, status word, times. */
typedef struct RunParts
{
	WfpPrepared p;
	char	   *word;
	WfpStatus	status;
	Jsonb	   *request;		/* NULL when the run has none */
	bool		has_created;
	TimestampTz created_at;
	bool		has_updated;
	TimestampTz updated_at;
} RunParts;

static void
prepare_run(const char *id, Jsonb *run, RunParts *r)
{
	JsonbContainer *c = &run->root;
	WfpNode    *head = wfp_node_new(false, 4);
	JsonbValue	v;
	static const char *const members[] = {"name", "kind"};

	memset(r, 0, sizeof(*r));
	if (!JB_ROOT_IS_OBJECT(run))
		bad_run("run", "run must be a JSON object.");
	for (int i = 0; i < (int) lengthof(members); i++)
	{
		char	   *s = opt_string(c, members[i], members[i]);

		if (s != NULL)
		{
			v.type = jbvString;
			v.val.string.val = s;
			v.val.string.len = strlen(s);
			wfp_node_add(head, members[i], strlen(members[i]), &v);
		}
	}
	if (opt_object(c, "state", "state", &v))
		wfp_node_add(head, "state", 5, &v);
	if (opt_object(c, "metadata", "metadata", &v))
		wfp_node_add(head, "metadata", 8, &v);
	if (opt_object(c, "request", "request", &v))
	{
		wfp_node_add(head, "request", 7, &v);
		r->request = JsonbValueToJsonb(&v);
	}
	r->word = opt_string(c, "status", "status");
	if (r->word == NULL)
		bad_run("status", "status is required: the engine's word for the run's status (wf_status_word).");
	r->has_created = opt_time(c, "created_at", &r->created_at);
	r->has_updated = opt_time(c, "updated_at", &r->updated_at);

	r->p.execution = NULL;
	wfp_node_sort_unique(head);
	r->p.extra = wfp_node_to_jsonb(head);
	r->p.total = wfp_head_footprint(NULL, r->p.extra);

	if (wfp_get_key(c, "steps", &v) && v.type != jbvNull)
	{
		JsonbIterator *it;
		JsonbValue	e;
		JsonbIteratorToken tok;
		int			n = 0;

		if (wfp_kind(&v) != WFP_ARRAY)
			bad_run("steps", psprintf("steps must be an array, not %s.",
									  wfp_kind_name(wfp_kind(&v))));
		r->p.in = palloc(sizeof(WfpStepWrite) *
						 Max(JsonContainerSize(v.val.binary.data), 1));
		it = JsonbIteratorInit(v.val.binary.data);
		while ((tok = JsonbIteratorNext(&it, &e, true)) != WJB_DONE)
		{
			char	   *field;
			char	   *key;
			int			keylen;
			int32		index;

			if (tok != WJB_ELEM)
				continue;
			CHECK_FOR_INTERRUPTS();
			field = psprintf("steps[%d]", n);
			if (wfp_kind(&e) != WFP_OBJECT)
				bad_run(field, psprintf("%s must be an object, not %s.", field,
										wfp_kind_name(wfp_kind(&e))));
			check_step(e.val.binary.data, field, &key, &keylen, &index);
			wfp_prepare_step(&r->p.in[n], id, key, keylen, NULL, &e);
			r->p.in[n].pos = index;
			r->p.in[n].has_pos = true;
			r->p.total += wfp_step_footprint(keylen, r->p.in[n].size);
			n++;
		}
		r->p.n_in = n;
		qsort(r->p.in, n, sizeof(WfpStepWrite), write_cmp);
		for (int i = 1; i < n; i++)
			if (wfp_key_cmp(r->p.in[i - 1].key, r->p.in[i - 1].keylen,
							r->p.in[i].key, r->p.in[i].keylen) == 0)
				bad_run("steps", psprintf("steps has two steps with the key \"%.*s\".",
										  r->p.in[i].keylen, r->p.in[i].key));
	}
	wfp_check_snapshot_size(id, r->p.total);
	r->status = wfp_status_word_or_raise(r->word);
}

/* ----------
 * wf_put_run(id, run, engine_data, expected_version, lease_token,
 *			  if_absent, namespace) -> (version, created)
 * ----------
 */
Datum
wf_put_run(PG_FUNCTION_ARGS)
{
	char	   *id = wfp_arg_id(fcinfo, 0);
	char	   *ns = wfp_arg_namespace(fcinfo, 6, false);
	bytea	   *engine_data = PG_ARGISNULL(2) ? NULL : PG_GETARG_BYTEA_P(2);
	bool		has_expected;
	int64		expected = 0;
	char	   *lease = wfp_arg_text_or_null(fcinfo, 4);
	bool		if_absent = !PG_ARGISNULL(5) && PG_GETARG_BOOL(5);
	RunParts	r;
	WfpWorkflow wf;
	WfpStatus	before;
	TupleDesc	desc;
	Datum		values[2];
	bool		nulls[2] = {false, false};
	bool		created;

	wfp_arg_not_null(fcinfo, 1, "run");
	has_expected = wfp_arg_expected_version(fcinfo, 3, &expected);
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "wf_put_run must return a composite type");
	desc = BlessTupleDesc(desc);
	if (engine_data != NULL && wfp_max_snapshot_bytes > 0 &&
		(int64) VARSIZE(engine_data) > (int64) wfp_max_snapshot_bytes)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("engine_data of workflow \"%s\" is too large", id),
				 errdetail("It is %u bytes; workflow_persist.max_snapshot_bytes is %d.",
						   (unsigned) VARSIZE(engine_data), wfp_max_snapshot_bytes)));
	prepare_run(id, PG_GETARG_JSONB_P(1), &r);

	wfp_store_begin();
	wfp_store_lock(&wf, ns, id, true);
	if (if_absent && !wf.created)
	{
		/* insert only: a run that exists is left alone, no error */
		values[0] = Int64GetDatum(wf.version);
		values[1] = BoolGetDatum(false);
		wfp_store_end();
		PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
	}
	wfp_check_locked(&wf, WFP_WRITE_WHOLE, lease, has_expected, expected);
	before = wf.status;
	created = wf.created;
	wfp_replace_snapshot(&wf, &r.p);
	wfp_apply_status_word(&wf, r.word, r.status);
	if (wf.suspended && wf.status_word != NULL)
		wf.suspend_request = r.request; /* wf_pending shows what it asks */
	wf.shape = "run";
	wfp_store_write_header(&wf, true);
	wfp_store_run_extras(&wf, true, engine_data, r.has_created, r.created_at,
						 r.has_updated, r.updated_at);
	wfp_note_status_change(&wf, before, NULL, 0);
	wfp_store_end();
	wfp_notify_track(ns, id, "put_run", created);
	values[0] = Int64GetDatum(wf.version);
	values[1] = BoolGetDatum(created);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

/* ----------
 * wf_put_run_step(id, step, lease_token, namespace): one step by key, at
 * its index; the cost of a checkpoint
 * ----------
 */
Datum
wf_put_run_step(PG_FUNCTION_ARGS)
{
	char	   *id = wfp_arg_id(fcinfo, 0);
	char	   *ns = wfp_arg_namespace(fcinfo, 3, false);
	Jsonb	   *step;
	char	   *key;
	int			keylen;
	int32		index;

	wfp_arg_not_null(fcinfo, 1, "step");
	step = PG_GETARG_JSONB_P(1);
	if (!JB_ROOT_IS_OBJECT(step))
		bad_run("step", "step must be a JSON object.");
	check_step(&step->root, "step", &key, &keylen, &index);
	PG_RETURN_INT64(wfp_checkpoint(ns, id, key, keylen, step, false, 0,
								   wfp_arg_text_or_null(fcinfo, 2), index,
								   true));
}

/* stored metadata with the given one's top-level keys laid over it */
static void
merge_metadata(WfpNode *head, Jsonb *extra, Jsonb *given, bool shallow)
{
	JsonbValue	stored;
	JsonbValue	v;
	WfpNode    *meta;

	if (!shallow || !wfp_get_key(&extra->root, "metadata", &stored) ||
		wfp_kind(&stored) != WFP_OBJECT)
	{
		wfp_root_value(given, &v);
		wfp_node_add(head, "metadata", 8, &v);
		return;
	}
	meta = wfp_node_from_object(stored.val.binary.data,
								JsonContainerSize(&given->root));
	{
		JsonbIterator *it = JsonbIteratorInit(&given->root);
		JsonbValue	k;
		JsonbIteratorToken tok;

		while ((tok = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
		{
			if (tok != WJB_KEY)
				continue;
			tok = JsonbIteratorNext(&it, &v, true);
			wfp_node_add(meta, k.val.string.val, k.val.string.len, &v);
		}
	}
	wfp_node_sort_unique(meta);		/* the last added wins */
	wfp_node_add_node(head, "metadata", 8, meta);
}

/* ----------
 * wf_update_run(id, status, metadata, metadata_merge, state, engine_data,
 *				 expected_version, lease_token, namespace): run-level
 * fields; the steps are left alone
 * ----------
 */
Datum
wf_update_run(PG_FUNCTION_ARGS)
{
	char	   *id = wfp_arg_id(fcinfo, 0);
	char	   *ns = wfp_arg_namespace(fcinfo, 8, false);
	char	   *word = wfp_arg_text_or_null(fcinfo, 1);
	Jsonb	   *metadata = PG_ARGISNULL(2) ? NULL : PG_GETARG_JSONB_P(2);
	char	   *mode = wfp_arg_text_or_null(fcinfo, 3);
	Jsonb	   *state = PG_ARGISNULL(4) ? NULL : PG_GETARG_JSONB_P(4);
	bytea	   *engine_data = PG_ARGISNULL(5) ? NULL : PG_GETARG_BYTEA_P(5);
	bool		has_expected;
	int64		expected = 0;
	char	   *lease = wfp_arg_text_or_null(fcinfo, 7);
	bool		shallow = true;
	WfpStatus	word_status = WFP_STATUS_RUNNING;
	WfpWorkflow wf;
	WfpStatus	before;
	Jsonb	   *extra;
	WfpNode    *head;
	Jsonb	   *new_extra;

	has_expected = wfp_arg_expected_version(fcinfo, 6, &expected);
	if (mode != NULL && strcmp(mode, "shallow") != 0)
	{
		if (strcmp(mode, "replace") == 0)
			shallow = false;
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid metadata_merge: \"%s\"", mode),
					 errdetail("metadata_merge is \"shallow\" (the given top-level keys replace the stored ones) or \"replace\".")));
	}
	if (metadata != NULL && !JB_ROOT_IS_OBJECT(metadata))
		bad_run("metadata", "metadata must be a JSON object.");
	if (state != NULL && !JB_ROOT_IS_OBJECT(state))
		bad_run("state", "state must be a JSON object.");
	if (word != NULL)
		word_status = wfp_status_word_or_raise(word);

	wfp_store_begin();
	if (!wfp_store_lock(&wf, ns, id, false) || strcmp(wf.shape, "run") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("run \"%s\" does not exist", id),
				 errhint("wf_put_run() creates it; wf_save() and wf_merge() write snapshots.")));
	wfp_check_locked(&wf, WFP_WRITE_WHOLE, lease, has_expected, expected);
	before = wf.status;

	extra = wfp_store_extra(&wf);
	head = wfp_node_from_object(&extra->root, 2);
	if (metadata != NULL)
		merge_metadata(head, extra, metadata, shallow);
	if (state != NULL)
	{
		JsonbValue	v;

		wfp_root_value(state, &v);
		wfp_node_add(head, "state", 5, &v);
	}
	wfp_node_sort_unique(head);
	new_extra = wfp_node_to_jsonb(head);
	wf.size_bytes += wfp_head_footprint(wf.execution, new_extra) -
		wfp_head_footprint(wf.execution, extra);
	wfp_check_snapshot_size(id, wf.size_bytes);
	wf.extra = new_extra;
	if (word != NULL)
	{
		JsonbValue	req;

		wfp_apply_status_word(&wf, word, word_status);
		/* a run waiting again asks what its request says, as after wf_put_run */
		if (wf.suspended && wf.status_word != NULL &&
			wfp_get_key(&new_extra->root, "request", &req) && req.type == jbvBinary)
			wf.suspend_request = JsonbValueToJsonb(&req);
	}
	wf.version++;
	wfp_store_write_header(&wf, true);
	wfp_store_run_extras(&wf, engine_data != NULL, engine_data, false, 0,
						 false, 0);
	wfp_note_status_change(&wf, before, NULL, 0);
	wfp_store_end();
	wfp_notify_track(ns, id, "update_run", false);
	PG_RETURN_INT64(wf.version);
}
