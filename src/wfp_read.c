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
