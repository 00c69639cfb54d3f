/*-------------------------------------------------------------------------
 *
 * wfp_jsonb.h
 *	  The jsonb layer: helpers over the binary format (wfp_jsonb.c) and the
 *	  builder that writes documents from pieces of others (wfp_build.c).
 *
 * Knows nothing of snapshots, workflows or tables.
 *
 *-------------------------------------------------------------------------
 */
#ifndef WFP_JSONB_H
#define WFP_JSONB_H

#include "lib/stringinfo.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

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
extern void wfp_append_js_string(StringInfo buf, const JsonbValue *v);
extern void wfp_root_value(Jsonb *jb, JsonbValue *res);
extern Jsonb *wfp_value_to_jsonb(const JsonbValue *v);
extern void wfp_iso_timestamp(TimestampTz ts, StringInfo buf);

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
extern WfpNode *wfp_node_from_object(JsonbContainer *obj, int extra);

#endif							/* WFP_JSONB_H */
