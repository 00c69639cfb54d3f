/*-------------------------------------------------------------------------
 *
 * wfp_read.c
 *	  wf_load: assemble a snapshot from its header and step rows.
 *
 * The document is written directly in jsonb's binary form: the header's
 * members and every step value are copied byte for byte into the new
 * outer levels (see wfp_build.c), never parsed.  A plain load gives a
 * document equal to the last one saved.  Filters (include, since_step,
 * step_limit) work on the recorded positions of the steps, and keep only
 * the warnings of the steps they keep.
 *
 * wf_load only reads, so it runs on a hot standby.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "workflow_persist.h"

PG_FUNCTION_INFO_V1(wf_load);

typedef enum Include
{
	INCLUDE_ALL,
	INCLUDE_COMPLETED,
	INCLUDE_FAILED
} Include;

static Include
parse_include(text *t)
{
	char	   *s = text_to_cstring(t);

	if (strcmp(s, "all") == 0)
		return INCLUDE_ALL;
	if (strcmp(s, "completed") == 0)
		return INCLUDE_COMPLETED;
	if (strcmp(s, "failed") == 0)
		return INCLUDE_FAILED;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid value for include: \"%s\"", s),
			 errhint("Use \"all\", \"completed\" (steps with ok true) or \"failed\" (ok false).")));
	return INCLUDE_ALL;			/* keep compiler quiet */
}

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

/* Which steps a load keeps. */
typedef struct LoadFilter
{
	Include		include;
	text	   *since;			/* NULL: from the first */
	int32		limit;			/* -1: all */
} LoadFilter;

#define FILTERED(f) ((f)->include != INCLUDE_ALL || (f)->since != NULL || \
					 (f)->limit >= 0)

/*
 * The snapshot of a (read or locked) workflow as a node tree: its header
 * members, execution, and the stored steps that pass the filter.
 */
static WfpNode *
assemble(WfpWorkflow *wf, WfpStepRow *rows, int n, const LoadFilter *filter)
{
	int32		since_pos = 0;
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
			if (filter->include == INCLUDE_COMPLETED && !(rows[i].has_ok && rows[i].ok))
				continue;
			if (filter->include == INCLUDE_FAILED && !(rows[i].has_ok && !rows[i].ok))
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

/* The whole stored snapshot of a workflow the caller has read or locked. */
Jsonb *
wfp_assemble_snapshot(WfpWorkflow *wf)
{
	LoadFilter	all = {INCLUDE_ALL, NULL, -1};
	WfpStepRow *rows;
	int			n;

	rows = wfp_store_read_steps(wf->id, &n);
	return wfp_node_to_jsonb(assemble(wf, rows, n, &all));
}

/*
 * wf_load(id, include, since_step, step_limit): the snapshot, or NULL when
 * the workflow does not exist (or has expired).
 */
Datum
wf_load(PG_FUNCTION_ARGS)
{
	MemoryContext caller = CurrentMemoryContext;
	char	   *id = wfp_arg_id(fcinfo, 0);
	LoadFilter	filter = {INCLUDE_ALL, NULL, -1};
	WfpWorkflow wf;
	WfpStepRow *rows;
	int			n;
	WfpNode    *root;
	Jsonb	   *result;

	if (!PG_ARGISNULL(1))
		filter.include = parse_include(PG_GETARG_TEXT_PP(1));
	if (!PG_ARGISNULL(2))
		filter.since = PG_GETARG_TEXT_PP(2);
	if (!PG_ARGISNULL(3))
	{
		filter.limit = PG_GETARG_INT32(3);
		if (filter.limit < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("step_limit must not be negative")));
	}

	wfp_store_begin();
	if (!wfp_store_read_all(&wf, id, &rows, &n))
	{
		wfp_store_end();
		PG_RETURN_NULL();
	}
	root = assemble(&wf, rows, n, &filter);

	/* the result outlives SPI's memory */
	MemoryContextSwitchTo(caller);
	result = wfp_node_to_jsonb(root);
	wfp_store_end();

	PG_RETURN_JSONB_P(result);
}
