/*-------------------------------------------------------------------------
 *
 * wfp_bench.h
 *	  Shared by the two files of the bench-only wfp_bench_engines module.
 *	  Must not include jansson.h (see wfp_bench_jansson.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef WFP_BENCH_H
#define WFP_BENCH_H

#include "nodes/pg_list.h"
#include "utils/jsonb.h"

/* Like workflow_persist's WfpErrors */
typedef struct BenchErrors
{
	bool		collect;		/* false: stop at the first error, format
								 * nothing */
	int			count;
	List	   *messages;		/* of char *, when collecting */
} BenchErrors;

extern void wfp_bench_jansson_validate_jsonb(Jsonb *jb, BenchErrors *errs);
extern void wfp_bench_jansson_parse_only(Jsonb *jb);

#endif							/* WFP_BENCH_H */
