/*-------------------------------------------------------------------------
 *
 * wfp_verify.c
 *	  wf_verify_workflow(id): an amcheck-style check that one workflow's
 *	  header agrees with its step rows.
 *
 * Every writer keeps counters in the header (step_count, pending,
 * size_bytes, next_pos) and per-step facts in each step row (hash, size,
 * pending, ok) so that no read or write has to look at every step.  This
 * recomputes all of them from the stored values, with the same footprint
 * functions the writers use (wfp_snapshot.c), and returns one line per
 * disagreement; no line means the workflow is consistent.  The header is
 * locked as a writer locks it, so the rows read are the ones a writer
 * committed last.  wf_verify() in the install script adds the checks that
 * span workflows (step rows without a header).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "wfp_jsonb.h"
#include "wfp_store.h"
#include "wfp_sql.h"

PG_FUNCTION_INFO_V1(wf_verify_workflow);

/* One row of the result: a disagreement, in words. */
static void
put_problem(ReturnSetInfo *rsinfo, char *text)
{
	Datum		value = CStringGetTextDatum(text);
	bool		isnull = false;

	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &value, &isnull);
}

#define problem(rsinfo, ...) put_problem((rsinfo), psprintf(__VA_ARGS__))

static int
row_cmp(const void *a, const void *b)
{
	const WfpStepRow *ra = a;
	const WfpStepRow *rb = b;

	return wfp_key_cmp(ra->key, ra->keylen, rb->key, rb->keylen);
}

/* a step's position and its index in the header's step list */
typedef struct PosIndex
{
	int32		pos;
	int			index;
} PosIndex;

static int
pos_index_cmp(const void *a, const void *b)
{
	const PosIndex *pa = a;
	const PosIndex *pb = b;

	if (pa->pos != pb->pos)
		return pa->pos < pb->pos ? -1 : 1;
	return pa->index < pb->index ? -1 : (pa->index > pb->index ? 1 : 0);
}

/* The facts of one stored step against what its value says. */
static void
verify_step(ReturnSetInfo *rsinfo, const WfpStepMeta *meta,
			const WfpStepRow *row, int32 next_pos)
{
	Jsonb	   *value = DatumGetJsonbP(row->value_datum);
	JsonbContainer *c = &value->root;
	int32		size = VARSIZE(value);
	int64		hash = wfp_store_hash(c, size - VARHDRSZ);
	JsonbValue	okv;
	bool		has_ok;
	bool		ok;
	WfpPending	pending;

	has_ok = !JsonContainerIsScalar(c) && JsonContainerIsObject(c) &&
		wfp_get_key(c, "ok", &okv) && okv.type == jbvBool;
	ok = has_ok && okv.val.boolean;
	pending = (has_ok && !ok) ? wfp_pending_kind(c) : WFP_PENDING_NONE;

	if (meta->size != size)
		problem(rsinfo, "step \"%.*s\": size_bytes is %d, its value takes %d",
				meta->keylen, meta->key, meta->size, size);
	if (meta->hash != hash)
		problem(rsinfo, "step \"%.*s\": the stored hash does not match its value",
				meta->keylen, meta->key);
	if (row->has_ok != has_ok || (has_ok && row->ok != ok))
		problem(rsinfo, "step \"%.*s\": ok is %s, its value says %s",
				meta->keylen, meta->key,
				row->has_ok ? (row->ok ? "true" : "false") : "null",
				has_ok ? (ok ? "true" : "false") : "null");
	if (meta->pending != pending)
		problem(rsinfo, "step \"%.*s\": pending does not match its value",
				meta->keylen, meta->key);
	if (meta->pos < 0 || meta->pos >= next_pos)
		problem(rsinfo, "step \"%.*s\": position %d is outside 0..%d",
				meta->keylen, meta->key, meta->pos, next_pos - 1);
}

/*
 * wf_verify_workflow(id): the disagreements between a live workflow's
 * header and its step rows, one text a row.  A workflow that does not
 * exist (or has expired) is P0002, or no rows with missing_ok (wf_verify
 * over every workflow, where cleanup may take one away meanwhile).
 */
Datum
wf_verify_workflow(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *id = wfp_arg_id(fcinfo, 0);
	char	   *ns = wfp_arg_namespace(fcinfo, 2, false);
	bool		missing_ok = !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);
	WfpWorkflow wf;
	WfpStepMeta *metas;
	WfpStepRow *rows;
	int			n_metas;
	int			n_rows;
	int			n_pending = 0;
	int64		size;
	bool	   *taken_twice;
	PosIndex   *by_pos;

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);

	wfp_store_begin();
	if (!wfp_store_lock(&wf, ns, id, false))
	{
		wfp_store_end();
		if (missing_ok)
			return (Datum) 0;
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("workflow \"%s\" does not exist", id)));
	}

	metas = wfp_store_list_steps(&wf, &n_metas);
	rows = wfp_store_read_steps(ns, id, true, &n_rows);
	qsort(rows, n_rows, sizeof(WfpStepRow), row_cmp);
	if (n_rows != n_metas)
		elog(ERROR, "wf_verify: the step rows changed while locked");

	size = wfp_head_footprint(wf.execution, wfp_store_extra(&wf));

	/*
	 * Positions taken twice, found by sorting the steps' positions (an
	 * engine's step index may be up to 2^31 - 2: nothing is sized by
	 * next_pos).  The step reported is each later one in row order, as the
	 * loop below meets them.
	 */
	taken_twice = palloc0(sizeof(bool) * Max(n_metas, 1));
	by_pos = palloc(sizeof(PosIndex) * Max(n_metas, 1));
	for (int i = 0; i < n_metas; i++)
	{
		by_pos[i].pos = metas[i].pos;
		by_pos[i].index = i;
	}
	qsort(by_pos, n_metas, sizeof(PosIndex), pos_index_cmp);
	for (int i = 1; i < n_metas; i++)
		if (by_pos[i].pos == by_pos[i - 1].pos)
			taken_twice[by_pos[i].index] = true;

	for (int i = 0; i < n_metas; i++)
	{
		CHECK_FOR_INTERRUPTS();
		verify_step(rsinfo, &metas[i], &rows[i], wf.next_pos);
		size += wfp_step_footprint(metas[i].keylen, metas[i].size);
		if (metas[i].pending != WFP_PENDING_NONE)
			n_pending++;
		if (metas[i].pos >= 0 && metas[i].pos < wf.next_pos && taken_twice[i])
			problem(rsinfo, "step \"%.*s\": position %d is taken by another step",
					metas[i].keylen, metas[i].key, metas[i].pos);
	}

	if (wf.step_count != n_metas)
		problem(rsinfo, "step_count is %d, the workflow has %d step rows",
				wf.step_count, n_metas);
	if (wf.pending != n_pending)
		problem(rsinfo, "pending is %d, %d step rows wait for a decision",
				wf.pending, n_pending);
	if (wf.size_bytes != size)
		problem(rsinfo, "size_bytes is " INT64_FORMAT ", its parts take " INT64_FORMAT,
				wf.size_bytes, size);
	wfp_store_end();

	return (Datum) 0;
}
