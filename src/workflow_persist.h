/*-------------------------------------------------------------------------
 *
 * workflow_persist.h
 *	  Declarations shared by the C files of the workflow_persist extension.
 *
 * Every exported symbol starts with "wfp_"; everything else is static in
 * its own file.  The SQL-callable functions are declared by
 * PG_FUNCTION_INFO_V1 in the file that implements them.
 *
 *-------------------------------------------------------------------------
 */
#ifndef WORKFLOW_PERSIST_H
#define WORKFLOW_PERSIST_H

#include "lib/stringinfo.h"
#include "nodes/pg_list.h"
#include "utils/jsonb.h"

/* ----------
 * wfp_jsonb.c: small helpers over the jsonb binary format
 * ----------
 */

/* What JavaScript's typeof/Array.isArray would say of a jsonb value. */
typedef enum WfpKind
{
	WFP_NULL,
	WFP_BOOL,
	WFP_NUMBER,
	WFP_STRING,
	WFP_ARRAY,
	WFP_OBJECT
} WfpKind;

extern WfpKind wfp_kind(const JsonbValue *v);
extern const char *wfp_kind_name(WfpKind kind);
extern JsonbValue *wfp_get_key(JsonbContainer *obj, const char *key,
							   JsonbValue *res);
extern bool wfp_string_equals(const JsonbValue *v, const char *s);
extern double wfp_numeric_to_double(Numeric num);
extern void wfp_append_js_number(StringInfo buf, double d);
extern void wfp_append_js_string(StringInfo buf, const JsonbValue *v);
extern void wfp_root_value(Jsonb *jb, JsonbValue *res);

/* ----------
 * wfp_build.c: assemble jsonb from pieces without unpacking them
 * ----------
 */
typedef struct WfpNode WfpNode;

typedef struct WfpItem
{
	const char *key;			/* NULL in arrays */
	int			keylen;
	int			order;			/* insertion order, for "last wins" */
	JsonbValue	value;			/* a scalar or a jbvBinary to copy */
	WfpNode    *child;			/* or, when set, a nested level */
} WfpItem;

struct WfpNode
{
	bool		is_array;
	int			count;
	int			capacity;
	WfpItem    *items;
};

extern WfpNode *wfp_node_new(bool is_array, int capacity);
extern void wfp_node_add(WfpNode *node, const char *key, int keylen,
						 const JsonbValue *value);
extern void wfp_node_add_node(WfpNode *node, const char *key, int keylen,
							  WfpNode *child);
extern void wfp_node_sort_unique(WfpNode *node);
extern int	wfp_key_cmp(const char *a, int alen, const char *b, int blen);
extern Jsonb *wfp_node_to_jsonb(const WfpNode *node);

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
extern bool wfp_looks_like_snapshot(Jsonb *jb);
extern void wfp_raise_invalid(const char *what, List *messages);

/* ----------
 * wfp_merge.c: awaitly's mergeSnapshots
 * ----------
 */
extern Jsonb *wfp_merge_snapshots(Jsonb *base, Jsonb *delta);

#endif							/* WORKFLOW_PERSIST_H */
