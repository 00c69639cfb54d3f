/*-------------------------------------------------------------------------
 *
 * wfp_read.c
 *	  wf_load: a snapshot assembled from its header and step rows.
 *
 * The store reads the rows (wfp_store_read_all: the direct path, or SPI
 * under row-level security) and the snapshot layer writes the document
 * (wfp_assemble in wfp_snapshot.c) directly in jsonb's binary form, every
 * value copied byte for byte, never parsed.  A plain load gives a
 * document equal to the last one saved.  Filters (include, since_step,
 * step_limit) work on the recorded positions of the steps, and keep only
 * the warnings of the steps they keep.  This file checks the arguments
 * and returns the result in the caller's memory.
 *
 * wf_load only reads, so it runs on a hot standby.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "wfp_jsonb.h"
#include "wfp_store.h"
#include "wfp_sql.h"

PG_FUNCTION_INFO_V1(wf_load);

static WfpInclude
parse_include(text *t)
{
	char	   *s = text_to_cstring(t);

	if (strcmp(s, "all") == 0)
		return WFP_INCLUDE_ALL;
	if (strcmp(s, "completed") == 0)
		return WFP_INCLUDE_COMPLETED;
	if (strcmp(s, "failed") == 0)
		return WFP_INCLUDE_FAILED;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid value for include: \"%s\"", s),
			 errhint("Use \"all\", \"completed\" (steps with ok true) or \"failed\" (ok false).")));
	return WFP_INCLUDE_ALL;			/* keep compiler quiet */
}

/*
 * wf_load(id, include, since_step, step_limit, namespace): the snapshot, or NULL when
 * the workflow does not exist (or has expired).
 */
Datum
wf_load(PG_FUNCTION_ARGS)
{
	MemoryContext caller = CurrentMemoryContext;
	char	   *id = wfp_arg_id(fcinfo, 0);
	char	   *ns = wfp_arg_namespace(fcinfo, 4, false);
	WfpLoadFilter filter = {WFP_INCLUDE_ALL, NULL, -1};
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
	if (!wfp_store_read_all(&wf, ns, id, &rows, &n))
	{
		wfp_store_end();
		PG_RETURN_NULL();
	}
	/* each document in the shape it was saved in */
	if (wf.shape != NULL && strcmp(wf.shape, "resume_state") == 0)
		root = wfp_assemble_resume_state(&wf, rows, n);
	else
		root = wfp_assemble(&wf, rows, n, &filter);

	/* the result outlives SPI's memory */
	MemoryContextSwitchTo(caller);
	result = wfp_node_to_jsonb(root);
	wfp_store_end();

	PG_RETURN_JSONB_P(result);
}
