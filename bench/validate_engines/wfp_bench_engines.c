/*-------------------------------------------------------------------------
 *
 * wfp_bench_engines.c
 *	  SQL entry points of the bench-only wfp_bench_engines module.
 *
 * Never built or installed by the main Makefile or the test suites;
 * bench/validate_engines.sh builds it on purpose.  The jansson side lives
 * in wfp_bench_jansson.c (jansson.h cannot share a file with
 * utils/builtins.h).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "wfp_bench.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(wfp_bench_jansson_is_valid);
PG_FUNCTION_INFO_V1(wfp_bench_jansson_validate);
PG_FUNCTION_INFO_V1(wfp_bench_detoast_only);
PG_FUNCTION_INFO_V1(wfp_bench_jsonb_to_text);
PG_FUNCTION_INFO_V1(wfp_bench_jansson_parse);

Datum
wfp_bench_jansson_is_valid(PG_FUNCTION_ARGS)
{
	Jsonb	   *jb = PG_GETARG_JSONB_P(0);
	BenchErrors errs = {false, 0, NIL};

	wfp_bench_jansson_validate_jsonb(jb, &errs);
	PG_RETURN_BOOL(errs.count == 0);
}

Datum
wfp_bench_jansson_validate(PG_FUNCTION_ARGS)
{
	Jsonb	   *jb = PG_GETARG_JSONB_P(0);
	BenchErrors errs = {true, 0, NIL};
	Datum	   *elems;
	ListCell   *lc;
	int			i = 0;

	wfp_bench_jansson_validate_jsonb(jb, &errs);
	if (errs.count == 0)
		PG_RETURN_ARRAYTYPE_P(construct_empty_array(TEXTOID));
	elems = palloc(sizeof(Datum) * list_length(errs.messages));
	foreach(lc, errs.messages)
		elems[i++] = CStringGetTextDatum((char *) lfirst(lc));
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, i, TEXTOID, -1, false,
										  TYPALIGN_INT));
}

/*
 * The baseline: what every engine pays before it looks at the document
 * (the fmgr call as declared, and fetching/detoasting the datum).
 */
Datum
wfp_bench_detoast_only(PG_FUNCTION_ARGS)
{
	Jsonb	   *jb = PG_GETARG_JSONB_P(0);

	PG_RETURN_BOOL(VARSIZE(jb) > 0);
}

/* Breakdown: the jsonb -> text stage alone (always true) */
Datum
wfp_bench_jsonb_to_text(PG_FUNCTION_ARGS)
{
	Jsonb	   *jb = PG_GETARG_JSONB_P(0);
	StringInfoData text;

	initStringInfo(&text);
	JsonbToCString(&text, &jb->root, VARSIZE(jb));
	pfree(text.data);
	PG_RETURN_BOOL(true);
}

/* Breakdown: jsonb -> text -> jansson tree -> free, no checks (always true) */
Datum
wfp_bench_jansson_parse(PG_FUNCTION_ARGS)
{
	wfp_bench_jansson_parse_only(PG_GETARG_JSONB_P(0));
	PG_RETURN_BOOL(true);
}
