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

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "nodes/pg_list.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

/* ----------
 * wfp_init.c: configuration parameters
 * ----------
 */
typedef enum WfpValidation
{
	WFP_VALIDATION_AWAITLY,
	WFP_VALIDATION_STRICT,
	WFP_VALIDATION_OFF
} WfpValidation;

extern int	wfp_validation;
extern int	wfp_max_snapshot_bytes;
extern int	wfp_max_step_bytes;
extern int	wfp_cleanup_interval;
extern char *wfp_cleanup_databases;
extern int	wfp_cleanup_batch_size;
extern int	wfp_cleanup_batch_delay;
extern char *wfp_cleanup_role;
extern void wfp_define_settings(void);

/* wfp_worker.c */
extern void wfp_worker_register(void);

/* Limits that are not settings: ids and step keys are index keys. */
#define WFP_MAX_ID_BYTES		512
#define WFP_MAX_STEP_KEY_BYTES	1024
/* jsonb's own limit on a container's data (JENTRY_OFFLENMASK) */
#define WFP_MAX_DOCUMENT_BYTES	0x0FFFFFFF

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

extern const char *wfp_status_name(WfpStatus status);
extern bool wfp_status_from_name(const char *name, int len, WfpStatus *status);
extern WfpStatus wfp_status_of_execution(Jsonb *execution);

/* ----------
 * wfp_store.c: the tables (the only code that knows their layout)
 * ----------
 */

/* A workflow's header row, as read (and, for writers, locked). */
typedef struct WfpWorkflow
{
	const char *id;
	bool		created;		/* claimed (or restarted after expiry) now */
	int64		version;
	WfpStatus	status;
	Jsonb	   *execution;		/* NULL when the snapshot has none */
	Jsonb	   *extra;			/* set when replaced, or read via
								 * wfp_store_extra() */
	Datum		extra_datum;	/* as stored (possibly toasted) */
	int32		step_count;
	int32		next_pos;
	int64		size_bytes;
	TimestampTz created_at;
	bool		has_expiry;
	TimestampTz expires_at;
	int16		checked;		/* validation level all stored parts passed */
	int32		pending;		/* steps waiting for a decision */
	bool		suspended;		/* explicitly, by wf_suspend */
	TimestampTz suspended_at;
	char	   *suspend_reason;
	Jsonb	   *suspend_request;
	char	   *lease_token;	/* NULL when no lease was ever taken */
	bool		lease_live;		/* the lease has not expired */
} WfpWorkflow;

/* Why a step waits for a human (wf_step.pending). */
typedef enum WfpPending
{
	WFP_PENDING_NONE,
	WFP_PENDING_APPROVAL,
	WFP_PENDING_HOOK
} WfpPending;

/* What the store keeps about a step besides its value. */
typedef struct WfpStepMeta
{
	const char *key;
	int			keylen;
	int32		pos;
	int64		hash;
	int32		size;
	WfpPending	pending;
} WfpStepMeta;

/* A step about to be written. */
typedef struct WfpStepWrite
{
	const char *key;
	int			keylen;
	int32		pos;
	bool		has_ok;
	bool		ok;
	Jsonb	   *value;			/* standalone datum, or NULL until needed */
	JsonbValue	src;			/* else: the value inside its document */
	int64		hash;
	int32		size;
	WfpPending	pending;
} WfpStepWrite;

/* A stored step as read back. */
typedef struct WfpStepRow
{
	const char *key;
	int			keylen;
	int32		pos;
	bool		has_ok;
	bool		ok;
	Datum		value_datum;	/* jsonb, possibly toasted */
	TimestampTz recorded_at;
} WfpStepRow;

typedef enum WfpStepAction
{
	WFP_STEP_UNCHANGED,
	WFP_STEP_INSERT,
	WFP_STEP_UPDATE
} WfpStepAction;

extern void wfp_store_begin(void);
extern void wfp_store_end(void);
extern bool wfp_store_lock(WfpWorkflow *wf, const char *id, bool create);
extern void wfp_store_checkpoint(WfpWorkflow *wf, const WfpStepWrite *w,
								 WfpStepAction action);
extern bool wfp_store_read_header(WfpWorkflow *wf, const char *id);
extern Jsonb *wfp_store_extra(WfpWorkflow *wf);
extern void wfp_store_write_header(WfpWorkflow *wf, bool full);
extern void wfp_store_event(WfpWorkflow *wf, const char *event,
							const char *key, int keylen, const char *actor,
							Jsonb *detail);
extern void wfp_store_forget(const char *id);
extern bool wfp_store_delete(const char *id, bool *was_live);
extern int64 wfp_store_hash(const JsonbContainer *c, Size len);
extern bool wfp_store_get_step(WfpWorkflow *wf, const char *key, int keylen,
							   WfpStepMeta *meta);
extern void wfp_store_put_step(WfpWorkflow *wf, const WfpStepWrite *w,
							   bool is_new);
extern WfpStepMeta *wfp_store_list_steps(WfpWorkflow *wf, int *count);
extern void wfp_store_put_steps(WfpWorkflow *wf, const WfpStepWrite *writes,
								int n, bool is_new);
extern void wfp_store_delete_steps(WfpWorkflow *wf, Datum *keys, int n);
extern WfpStepRow *wfp_store_read_steps(const char *id, int *count);
extern bool wfp_store_read_all(WfpWorkflow *wf, const char *id,
							   WfpStepRow **rows, int *count);

/* ----------
 * wfp_write.c: argument checks and the pieces every writer shares
 * ----------
 */
extern char *wfp_arg_id(FunctionCallInfo fcinfo, int argno);
extern char *wfp_check_id_cstring(char *id);
extern void wfp_arg_not_null(FunctionCallInfo fcinfo, int argno,
							 const char *name);
extern void wfp_check_expected_version(WfpWorkflow *wf, bool has_expected,
									   int64 expected);
extern void wfp_check_snapshot_size(const char *id, int64 size);
extern void wfp_validate_or_raise(Jsonb *snapshot);
extern JsonbContainer *wfp_storable_steps(Jsonb *snapshot);
extern void wfp_split_head(Jsonb *snapshot, Jsonb **execution, Jsonb **extra);
extern void wfp_prepare_step(WfpStepWrite *w, const char *id,
							 const char *key, int keylen, Jsonb *whole,
							 const JsonbValue *src);
extern Jsonb *wfp_step_value(WfpStepWrite *w);
extern int32 wfp_take_position(WfpWorkflow *wf);
extern TimestampTz wfp_expiry_from_ttl(Interval *ttl);
extern int64 wfp_step_footprint(int keylen, int32 size);
extern int64 wfp_head_footprint(Jsonb *execution, Jsonb *extra);
extern int64 wfp_execution_footprint(Jsonb *execution);
extern int	wfp_validation_level(void);
extern char *wfp_arg_text_or_null(FunctionCallInfo fcinfo, int argno);
extern char *wfp_current_actor(void);
extern void wfp_note_status_change(WfpWorkflow *wf, WfpStatus before,
								   const char *key, int keylen);
extern WfpPending wfp_pending_kind(JsonbContainer *step);
extern Jsonb *wfp_touch_execution(Jsonb *execution, const char *status,
								  const char *key, int keylen);
/* A whole snapshot taken apart for storing (wfp_prepare_snapshot). */
typedef struct WfpPrepared
{
	Jsonb	   *execution;
	Jsonb	   *extra;
	WfpStepWrite *in;			/* steps, in jsonb key order */
	int			n_in;
	int64		total;			/* footprint (size_bytes) */
} WfpPrepared;

extern void wfp_prepare_snapshot(const char *id, Jsonb *snapshot,
								 WfpPrepared *p);
extern void wfp_replace_snapshot(WfpWorkflow *wf, WfpPrepared *p);
extern Jsonb *wfp_fresh_extra(void);
extern int64 wfp_checkpoint(const char *id, const char *key, int keylen,
							Jsonb *result, bool has_expected, int64 expected,
							const char *lease);

/* ----------
 * wfp_notify.c: change notifications, sent at commit
 * ----------
 */
extern bool wfp_notify;
extern void wfp_notify_init(void);
extern void wfp_notify_track(const char *id, const char *event, bool created);

/* ----------
 * wfp_read.c
 * ----------
 */
extern Jsonb *wfp_assemble_snapshot(WfpWorkflow *wf);

/* wf_load's filter (wfp_snapshot.c's assemble) */
typedef enum Include
{
	INCLUDE_ALL,
	INCLUDE_COMPLETED,
	INCLUDE_FAILED
} Include;

/* Which steps a load keeps. */
typedef struct LoadFilter
{
	Include		include;
	text	   *since;			/* NULL: from the first */
	int32		limit;			/* -1: all */
} LoadFilter;

extern WfpNode *assemble(WfpWorkflow *wf, WfpStepRow *rows, int n,
						 const LoadFilter *filter);

/* moved out of wfp_write.c, still to be renamed */
extern bool arg_expected_version(FunctionCallInfo fcinfo, int argno,
								 int64 *expected);
extern void validate_step_or_raise(const char *key, int keylen, Jsonb *result);
extern WfpStatus lock_for_write(WfpWorkflow *wf, const char *id,
								const char *lease, bool has_expected,
								int64 expected);
extern void write_steps(WfpWorkflow *wf, WfpStepWrite *in, int n_in,
						bool replace);

/* wfp_store_scan.c */
extern bool wfp_store_scan_all(WfpWorkflow *wf, const char *id,
							   WfpStepRow **rows, int *count, bool *found);

/* wfp_status.c, on a workflow */
extern WfpStatus wfp_derive_status(const WfpWorkflow *wf);
extern void wfp_check_writable(const WfpWorkflow *wf);
extern void wfp_check_lease(const WfpWorkflow *wf, const char *token);

#endif							/* WORKFLOW_PERSIST_H */
