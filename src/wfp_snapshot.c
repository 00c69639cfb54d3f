/*-------------------------------------------------------------------------
 *
 * wfp_snapshot.c
 *	  A snapshot taken apart for storing, and put together from its rows.
 *
 * Before anything is locked, a document is checked the way
 * workflow_persist.validation says, split into its header ("execution",
 * "extra") and its steps, each step checked (key, size), hashed and
 * measured; its footprint is checked against max_snapshot_bytes.  On the
 * way back, wfp_assemble() writes the document from the header and the
 * step rows (filtered as wf_load asks), copying every value byte for
 * byte.  Every reader and writer uses these; none of them uses another.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "miscadmin.h"
#include "utils/jsonb.h"

#include "wfp_settings.h"
#include "wfp_jsonb.h"
#include "wfp_rules.h"
#include "wfp_store.h"
#include "wfp_sql.h"

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

void
wfp_validate_step_or_raise(const char *key, int keylen, Jsonb *result)
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

/* ----------
 * Taking a snapshot apart
 * ----------
 */
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
 * The shape the store needs whatever the validation mode: a JSON object
 * whose "steps" is an object (it is stored one row per key, and an array
 * would come back as an object).
 */
static JsonbContainer *
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
	w->has_pos = false;
	w->has_text_hash = false;
	w->text_hash = 0;
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

/* The step's value as a standalone jsonb datum, copied out on first use. */
Jsonb *
wfp_step_value(WfpStepWrite *w)
{
	if (w->value == NULL)
		w->value = wfp_value_to_jsonb(&w->src);
	return w->value;
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

/* What "execution" adds (nothing when absent). */
int64
wfp_execution_footprint(Jsonb *execution)
{
	if (execution == NULL)
		return 0;
	return strlen("execution") + (VARSIZE(execution) - VARHDRSZ) +
		MEMBER_OVERHEAD;
}

/*
 * What the rest adds: the document's own headers and "extra" (whose
 * members keep their layout but may need new padding), "execution", and
 * the "steps" member's key, JEntries and container header.
 */
int64
wfp_head_footprint(Jsonb *execution, Jsonb *extra)
{
	return VARSIZE(extra) + 3 * JB_ROOT_COUNT(extra) +
		wfp_execution_footprint(execution) +
		strlen("steps") + sizeof(uint32) + MEMBER_OVERHEAD;
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
 * Putting a snapshot together
 * ----------
 */
static int
row_pos_cmp(const void *a, const void *b)
{
	const WfpStepRow *ra = a;
	const WfpStepRow *rb = b;

	return (ra->pos > rb->pos) - (ra->pos < rb->pos);
}

/* Is key one of the (key-sorted) items of node? */
static bool
node_has_key(const WfpNode *node, const char *key, int keylen)
{
	int			lo = 0,
				hi = node->count - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;
		int			c = wfp_key_cmp(node->items[mid].key, node->items[mid].keylen,
									key, keylen);

		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return false;
}

/* The warnings whose stepId names a kept step; NULL when none remain. */
static WfpNode *
filter_warnings(const JsonbValue *warnings, const WfpNode *steps)
{
	WfpNode    *out = wfp_node_new(true, 4);
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	w;

	if (wfp_kind(warnings) != WFP_ARRAY)
		return NULL;
	it = JsonbIteratorInit(warnings->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &w, true)) != WJB_DONE)
	{
		JsonbValue	id;

		if (tok != WJB_ELEM || wfp_kind(&w) != WFP_OBJECT)
			continue;
		if (wfp_get_key(w.val.binary.data, "stepId", &id) &&
			id.type == jbvString &&
			node_has_key(steps, id.val.string.val, id.val.string.len))
			wfp_node_add(out, NULL, 0, &w);
	}
	return out->count > 0 ? out : NULL;
}

#define FILTERED(f) ((f)->include != WFP_INCLUDE_ALL || (f)->since != NULL || \
					 (f)->limit >= 0)

/*
 * The snapshot of a (read or locked) workflow as a node tree: its header
 * members, execution, and the stored steps that pass the filter.
 */
WfpNode *
wfp_assemble(WfpWorkflow *wf, WfpStepRow *rows, int n,
			 const WfpLoadFilter *filter)
{
	int32		since_pos = -1;	/* positions are 0 or more */
	WfpNode    *steps;
	WfpNode    *root;
	Jsonb	   *extra;
	bool		filtered = FILTERED(filter);

	if (filtered)
	{
		int			kept = 0;

		qsort(rows, n, sizeof(WfpStepRow), row_pos_cmp);
		/* since_step: after that step's position; an unknown key: all */
		if (filter->since != NULL)
			for (int i = 0; i < n; i++)
				if (rows[i].keylen == (int) VARSIZE_ANY_EXHDR(filter->since) &&
					memcmp(rows[i].key, VARDATA_ANY(filter->since), rows[i].keylen) == 0)
					since_pos = rows[i].pos;
		for (int i = 0; i < n && (filter->limit < 0 || kept < filter->limit); i++)
		{
			if (rows[i].pos <= since_pos)
				continue;
			if (filter->include == WFP_INCLUDE_COMPLETED && !(rows[i].has_ok && rows[i].ok))
				continue;
			if (filter->include == WFP_INCLUDE_FAILED && !(rows[i].has_ok && !rows[i].ok))
				continue;
			rows[kept++] = rows[i];
		}
		n = kept;
	}

	steps = wfp_node_new(false, n);
	for (int i = 0; i < n; i++)
	{
		JsonbValue	v;

		CHECK_FOR_INTERRUPTS();
		wfp_root_value(DatumGetJsonbP(rows[i].value_datum), &v);
		wfp_node_add(steps, rows[i].key, rows[i].keylen, &v);
	}
	wfp_node_sort_unique(steps);

	/* the header's members, execution, and the steps */
	extra = wfp_store_extra(wf);
	root = wfp_node_from_object(&extra->root, 2);
	if (filtered)
	{
		/* keep only the warnings of the steps kept */
		int			out = 0;

		for (int i = 0; i < root->count; i++)
		{
			WfpItem    *item = &root->items[i];

			if (item->keylen == 8 && memcmp(item->key, "warnings", 8) == 0)
			{
				WfpNode    *w = filter_warnings(&item->value, steps);

				if (w == NULL)
					continue;
				item->child = w;
			}
			root->items[out++] = *item;
		}
		root->count = out;
	}
	if (wf->execution != NULL)
	{
		JsonbValue	v;

		wfp_root_value(wf->execution, &v);
		wfp_node_add(root, "execution", 9, &v);
	}
	wfp_node_add_node(root, "steps", 5, steps);
	wfp_node_sort_unique(root);
	return root;
}

/*
 * The whole stored snapshot of a workflow the caller has locked
 * (wfp_store_lock): its steps as committed when the lock was granted.
 */
Jsonb *
wfp_assemble_snapshot(WfpWorkflow *wf)
{
	WfpLoadFilter all = {WFP_INCLUDE_ALL, NULL, -1};
	WfpStepRow *rows;
	int			n;

	rows = wfp_store_read_steps(wf->ns, wf->id, true, &n);
	return wfp_node_to_jsonb(wfp_assemble(wf, rows, n, &all));
}

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

/* ----------
 * awaitly's ResumeState: {"kind": "ResumeState", "steps": [[key, result], ...]}
 * ----------
 */

static int
resume_write_cmp(const void *a, const void *b)
{
	const WfpStepWrite *wa = a;
	const WfpStepWrite *wb = b;

	return wfp_key_cmp(wa->key, wa->keylen, wb->key, wb->keylen);
}

static void
bad_resume_state(const char *field, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid ResumeState: %s", field),
			 errdetail("%s", detail)));
}

/* Is doc awaitly's ResumeState ("kind": "ResumeState")? */
bool
wfp_is_resume_state(Jsonb *doc)
{
	JsonbValue	v;

	return JB_ROOT_IS_OBJECT(doc) && wfp_get_key(&doc->root, "kind", &v) &&
		wfp_string_equals(&v, "ResumeState");
}

/*
 * Take a ResumeState apart for storing: every member but "steps" is the
 * header's extra (no execution); each [key, result] entry is a step row at
 * its array position, its result checked as awaitly checks a StepResult
 * (as workflow_persist.validation says).
 */
void
wfp_prepare_resume_state(const char *id, Jsonb *doc, WfpPrepared *p)
{
	JsonbValue	steps;
	WfpNode    *head;
	JsonbIterator *it;
	JsonbValue	e;
	JsonbIteratorToken tok;
	int			n = 0;

	memset(p, 0, sizeof(*p));
	if (!wfp_get_key(&doc->root, "steps", &steps) ||
		wfp_kind(&steps) != WFP_ARRAY)
		bad_resume_state("steps", "steps must be an array of [key, StepResult] entries, in step order.");
	head = wfp_node_from_object(&doc->root, 0);
	/* every member but "steps" */
	{
		int			out = 0;

		for (int i = 0; i < head->count; i++)
			if (!(head->items[i].keylen == 5 &&
				  memcmp(head->items[i].key, "steps", 5) == 0))
				head->items[out++] = head->items[i];
		head->count = out;
	}
	p->execution = NULL;
	p->extra = wfp_node_to_jsonb(head);
	p->total = wfp_head_footprint(NULL, p->extra);
	p->in = palloc(sizeof(WfpStepWrite) * Max(JsonContainerSize(steps.val.binary.data), 1));
	it = JsonbIteratorInit(steps.val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &e, true)) != WJB_DONE)
	{
		JsonbValue	k;
		JsonbValue	r;
		char	   *field;

		if (tok != WJB_ELEM)
			continue;
		CHECK_FOR_INTERRUPTS();
		field = psprintf("steps[%d]", n);
		if (wfp_kind(&e) != WFP_ARRAY || JsonContainerSize(e.val.binary.data) != 2)
			bad_resume_state(field, psprintf("%s must be a [key, StepResult] pair.", field));
		k = *getIthJsonbValueFromContainer(e.val.binary.data, 0);
		r = *getIthJsonbValueFromContainer(e.val.binary.data, 1);
		if (k.type != jbvString || k.val.string.len == 0)
			bad_resume_state(field, psprintf("%s[0], the step key, must be a non-empty string.", field));
		if (wfp_kind(&r) != WFP_OBJECT)
			bad_resume_state(field, psprintf("%s[1], the StepResult, must be an object.", field));
		wfp_validate_step_or_raise(k.val.string.val, k.val.string.len,
								   wfp_value_to_jsonb(&r));
		wfp_prepare_step(&p->in[n], id, k.val.string.val, k.val.string.len,
						 NULL, &r);
		p->in[n].pos = n;
		p->in[n].has_pos = true;
		p->total += wfp_step_footprint(k.val.string.len, p->in[n].size);
		n++;
	}
	p->n_in = n;
	qsort(p->in, n, sizeof(WfpStepWrite), resume_write_cmp);
	for (int i = 1; i < n; i++)
		if (wfp_key_cmp(p->in[i - 1].key, p->in[i - 1].keylen,
						p->in[i].key, p->in[i].keylen) == 0)
			bad_resume_state("steps", psprintf("steps has two entries with the key \"%.*s\".",
											   p->in[i].keylen, p->in[i].key));
	wfp_check_snapshot_size(id, p->total);
}

/* A stored ResumeState put together: its members, steps in position order. */
WfpNode *
wfp_assemble_resume_state(WfpWorkflow *wf, WfpStepRow *rows, int n)
{
	Jsonb	   *extra = wfp_store_extra(wf);
	WfpNode    *root = wfp_node_from_object(&extra->root, 1);
	WfpNode    *steps = wfp_node_new(true, Max(n, 1));

	qsort(rows, n, sizeof(WfpStepRow), row_pos_cmp);
	for (int i = 0; i < n; i++)
	{
		WfpNode    *pair = wfp_node_new(true, 2);
		JsonbValue	v;

		CHECK_FOR_INTERRUPTS();
		v.type = jbvString;
		v.val.string.val = unconstify(char *, rows[i].key);
		v.val.string.len = rows[i].keylen;
		wfp_node_add(pair, NULL, 0, &v);
		wfp_root_value(DatumGetJsonbP(rows[i].value_datum), &v);
		wfp_node_add(pair, NULL, 0, &v);
		wfp_node_add_node(steps, NULL, 0, pair);
	}
	wfp_node_add_node(root, "steps", 5, steps);
	wfp_node_sort_unique(root);
	return root;
}
