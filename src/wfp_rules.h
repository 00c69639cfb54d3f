/*-------------------------------------------------------------------------
 *
 * wfp_rules.h
 *	  The rules of awaitly's format, on documents alone: validation
 *	  (wfp_validate.c), merge (wfp_merge.c) and the run status model
 *	  (wfp_status.c).
 *
 * Pure: nothing here reads a table or a setting (strictness is an
 * argument).  wfp_validate.c and wfp_merge.c also hold the pure SQL
 * functions built on these rules (wf_validate, wf_is_valid,
 * wf_looks_like_snapshot, wf_assert_valid, wf_merge_snapshots), which
 * need nothing above this layer.
 *
 *-------------------------------------------------------------------------
 */
#ifndef WFP_RULES_H
#define WFP_RULES_H

#include "nodes/pg_list.h"
#include "utils/jsonb.h"

/* ----------
 * wfp_validate.c: awaitly's validateSnapshot (plus our strict mode)
 * ----------
 */

/*
 * Where validation reports what it finds.  With collect = false the walker
 * stops at the first error and builds no message text (the cheap path used
 * by wf_is_valid and by the store before it decides to raise); with
 * collect = true every message is appended to "messages" (a List of char *).
 */
typedef struct WfpErrors
{
	bool		collect;
	int			count;
	List	   *messages;
} WfpErrors;

extern void wfp_validate_snapshot(Jsonb *jb, bool strict, WfpErrors *errs);
extern void wfp_validate_step(const char *key, int keylen,
							  const JsonbValue *step, bool strict,
							  WfpErrors *errs);
extern void wfp_raise_invalid(const char *what, List *messages);

/* ----------
 * wfp_merge.c: awaitly's mergeSnapshots
 * ----------
 */
extern Jsonb *wfp_merge_snapshots(Jsonb *base, Jsonb *delta);

/* ----------
 * wfp_status.c: the run status model
 * ----------
 */
typedef enum WfpStatus
{
	WFP_STATUS_RUNNING,
	WFP_STATUS_SUSPENDED,
	WFP_STATUS_COMPLETED,
	WFP_STATUS_FAILED,
	WFP_STATUS_CANCELLED
} WfpStatus;

/* Why a step waits for a human (wf_step.pending). */
typedef enum WfpPending
{
	WFP_PENDING_NONE,
	WFP_PENDING_APPROVAL,
	WFP_PENDING_HOOK
} WfpPending;

extern const char *wfp_status_name(WfpStatus status);
extern bool wfp_status_from_name(const char *name, int len, WfpStatus *status);
extern WfpStatus wfp_status_of_execution(Jsonb *execution);
extern WfpPending wfp_pending_kind(JsonbContainer *step);

#endif							/* WFP_RULES_H */
