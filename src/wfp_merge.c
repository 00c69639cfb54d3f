/*-------------------------------------------------------------------------
 *
 * wfp_merge.c
 *	  awaitly's mergeSnapshots(base, delta) on jsonb.
 *
 * The result always has formatVersion 1; steps = base's steps with delta's
 * replacing them whole per key; execution = delta's alone ({} if none);
 * metadata = shallow merge, delta winning, absent when neither side has
 * one; warnings = base's minus those whose stepId names a delta step, then
 * delta's, absent when empty.  workflowName and unknown keys are dropped.
 * No validation, but shapes awaitly would crash on (or spread into index
 * keys) are refused with invalid_parameter_value.
 *
 * Both step objects are already in jsonb key order, so they are merged in
 * one pass, and step values are copied into the result byte for byte (see
 * wfp_build.c): merging never parses a step.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "wfp_jsonb.h"
#include "wfp_rules.h"

PG_FUNCTION_INFO_V1(wf_merge_snapshots);

/* ----------
 * Argument checks
 * ----------
 */

/* "null", "a string", "an array", ...: for "Got %s." details */
static const char *
kind_phrase(WfpKind kind)
{
	switch (kind)
	{
		case WFP_NULL:
			return "null";
		case WFP_BOOL:
			return "a boolean";
		case WFP_NUMBER:
			return "a number";
		case WFP_STRING:
			return "a string";
		case WFP_ARRAY:
			return "an array";
		case WFP_OBJECT:
			return "an object";
	}
	return "an unknown value";
}

static void
require_object_root(Jsonb *jb, const char *side)
{
	JsonbValue	root;

	if (!JB_ROOT_IS_OBJECT(jb))
	{
		wfp_root_value(jb, &root);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s snapshot must be a JSON object", side),
				 errdetail("Got %s.", kind_phrase(wfp_kind(&root)))));
	}
}

/*
 * Fetch an optional member that must be an object (or array, per "want")
 * when present and not null.  Returns false when absent or null.
 */
static bool
get_optional(Jsonb *jb, const char *side, const char *field, WfpKind want,
			 JsonbValue *res)
{
	WfpKind		kind;

	if (!wfp_get_key(&jb->root, field, res) || res->type == jbvNull)
		return false;
	kind = wfp_kind(res);
	if (kind != want)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" of the %s snapshot must be a JSON %s or null",
						field, side, wfp_kind_name(want)),
				 errdetail("Got %s.", kind_phrase(kind))));
	return true;
}

static JsonbContainer *
require_steps(Jsonb *jb, const char *side)
{
	JsonbValue	v;

	if (!wfp_get_key(&jb->root, "steps", &v))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s snapshot has no \"steps\"", side),
				 errhint("Both snapshots need a \"steps\" object, even an empty one.")));
	if (wfp_kind(&v) != WFP_OBJECT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"steps\" of the %s snapshot must be a JSON object",
						side),
				 errdetail("Got %s.", kind_phrase(wfp_kind(&v)))));
	return v.val.binary.data;
}

/* ----------
 * Building
 * ----------
 */

/* The next key/value pair of a shallow object iteration, or false. */
static bool
next_pair(JsonbIterator **it, JsonbValue *key, JsonbValue *val)
{
	JsonbIteratorToken tok;

	while (*it != NULL && (tok = JsonbIteratorNext(it, key, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
		{
			tok = JsonbIteratorNext(it, val, true);
			Assert(tok == WJB_VALUE);
			return true;
		}
	}
	return false;
}

/*
 * Shallow union of two objects (either may be NULL), the delta winning on
 * equal keys.  Both inputs are in jsonb key order, so is the output.
 */
static WfpNode *
union_objects(JsonbContainer *base, JsonbContainer *delta)
{
	WfpNode    *out = wfp_node_new(false,
								   (base ? JsonContainerSize(base) : 0) +
								   (delta ? JsonContainerSize(delta) : 0));
	JsonbIterator *bit = base ? JsonbIteratorInit(base) : NULL;
	JsonbIterator *dit = delta ? JsonbIteratorInit(delta) : NULL;
	JsonbValue	bk,
				bv,
				dk,
				dv;
	bool		bhave = bit && next_pair(&bit, &bk, &bv);
	bool		dhave = dit && next_pair(&dit, &dk, &dv);

	while (bhave || dhave)
	{
		int			c;

		CHECK_FOR_INTERRUPTS();
		if (!dhave)
			c = -1;
		else if (!bhave)
			c = 1;
		else
			c = wfp_key_cmp(bk.val.string.val, bk.val.string.len,
							dk.val.string.val, dk.val.string.len);
		if (c < 0)
		{
			wfp_node_add(out, bk.val.string.val, bk.val.string.len, &bv);
			bhave = next_pair(&bit, &bk, &bv);
		}
		else
		{
			wfp_node_add(out, dk.val.string.val, dk.val.string.len, &dv);
			if (c == 0)
				bhave = next_pair(&bit, &bk, &bv);
			dhave = next_pair(&dit, &dk, &dv);
		}
	}
	return out;
}

/*
 * Append the entries of a warnings array to out, every entry an object;
 * with drop_if_in set, entries whose stepId (as JavaScript's String() sees
 * it, "undefined" when absent) is a key of that object are left out.
 */
static void
add_warnings(WfpNode *out, JsonbContainer *warnings, const char *side,
			 JsonbContainer *drop_if_in)
{
	JsonbIterator *it = JsonbIteratorInit(warnings);
	JsonbIteratorToken tok;
	JsonbValue	w;
	int			index = 0;
	StringInfoData stepid;

	initStringInfo(&stepid);
	while ((tok = JsonbIteratorNext(&it, &w, true)) != WJB_DONE)
	{
		if (tok != WJB_ELEM)
			continue;
		CHECK_FOR_INTERRUPTS();
		if (wfp_kind(&w) != WFP_OBJECT)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("warning %d of the %s snapshot must be a JSON object",
							index, side),
					 errdetail("Got %s.", kind_phrase(wfp_kind(&w)))));
		index++;
		if (drop_if_in)
		{
			JsonbValue	id;
			JsonbValue	found;

			resetStringInfo(&stepid);
			if (wfp_get_key(w.val.binary.data, "stepId", &id))
				wfp_append_js_string(&stepid, &id);
			else
				appendStringInfoString(&stepid, "undefined");
			if (getKeyJsonValueFromContainer(drop_if_in, stepid.data,
											 stepid.len, &found))
				continue;
		}
		wfp_node_add(out, NULL, 0, &w);
	}
	pfree(stepid.data);
}

Jsonb *
wfp_merge_snapshots(Jsonb *base, Jsonb *delta)
{
	JsonbContainer *bsteps;
	JsonbContainer *dsteps;
	JsonbValue	dexec,
				bmeta,
				dmeta,
				bwarn,
				dwarn,
				one;
	bool		has_dexec,
				has_bmeta,
				has_dmeta,
				has_bwarn,
				has_dwarn;
	WfpNode    *root;
	WfpNode    *warnings;

	require_object_root(base, "base");
	require_object_root(delta, "delta");
	bsteps = require_steps(base, "base");
	dsteps = require_steps(delta, "delta");
	has_dexec = get_optional(delta, "delta", "execution", WFP_OBJECT, &dexec);
	has_bmeta = get_optional(base, "base", "metadata", WFP_OBJECT, &bmeta);
	has_dmeta = get_optional(delta, "delta", "metadata", WFP_OBJECT, &dmeta);
	has_bwarn = get_optional(base, "base", "warnings", WFP_ARRAY, &bwarn);
	has_dwarn = get_optional(delta, "delta", "warnings", WFP_ARRAY, &dwarn);

	warnings = wfp_node_new(true, 4);
	if (has_bwarn)
		add_warnings(warnings, bwarn.val.binary.data, "base", dsteps);
	if (has_dwarn)
		add_warnings(warnings, dwarn.val.binary.data, "delta", NULL);

	/* root keys, added in jsonb order: shorter first, then bytewise */
	root = wfp_node_new(false, 5);
	wfp_node_add_node(root, "steps", 5, union_objects(bsteps, dsteps));
	if (has_bmeta || has_dmeta)
		wfp_node_add_node(root, "metadata", 8,
						  union_objects(has_bmeta ? bmeta.val.binary.data : NULL,
										has_dmeta ? dmeta.val.binary.data : NULL));
	if (warnings->count > 0)
		wfp_node_add_node(root, "warnings", 8, warnings);
	if (has_dexec)
		wfp_node_add(root, "execution", 9, &dexec);
	else
		wfp_node_add_node(root, "execution", 9, wfp_node_new(false, 0));
	one.type = jbvNumeric;
	one.val.numeric = int64_to_numeric(1);
	wfp_node_add(root, "formatVersion", 13, &one);
	wfp_node_sort_unique(root);

	return wfp_node_to_jsonb(root);
}

Datum
wf_merge_snapshots(PG_FUNCTION_ARGS)
{
	PG_RETURN_JSONB_P(wfp_merge_snapshots(PG_GETARG_JSONB_P(0),
										  PG_GETARG_JSONB_P(1)));
}
