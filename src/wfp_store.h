/*-------------------------------------------------------------------------
 *
 * wfp_store.h
 *	  The store: the tables' rows in C structs, read and written through
 *	  SPI (wfp_store.c) or, for wf_load without row-level security, read
 *	  straight through the primary keys (wfp_store_scan.c).
 *
 * The only layer that knows the table layout.  It calls nothing above
 * itself: values to write come ready (hashed, sized, materialized), and
 * what is read comes back as rows for the layers above to assemble.
 *
 *-------------------------------------------------------------------------
 */
#ifndef WFP_STORE_H
#define WFP_STORE_H

#include "storage/itemptr.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "wfp_rules.h"

/* A workflow's header row, as read (and, for writers, locked). */
typedef struct WfpWorkflow
{
	const char *ns;				/* namespace: (ns, id) is the key */
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
	char	   *status_word;	/* the engine's word for status, or NULL */
	const char *shape;			/* "snapshot" or "run" (the document saved) */
	char	   *lease_token;	/* NULL when no lease was ever taken */
	bool		lease_live;		/* the lease has not expired */
	ItemPointerData tid;		/* the locked row version (writers only) */
} WfpWorkflow;

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
	bool		has_pos;		/* pos is the client's (a run's step index) */
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

/* ----------
 * wfp_store.c: the statement catalog and everything read or written by it
 * ----------
 */
extern void wfp_store_begin(void);
extern void wfp_store_end(void);
extern bool wfp_store_lock(WfpWorkflow *wf, const char *ns, const char *id,
						   bool create);
extern void wfp_store_checkpoint(WfpWorkflow *wf, const WfpStepWrite *w,
								 WfpStepAction action);
extern bool wfp_store_read_header(WfpWorkflow *wf, const char *ns,
								  const char *id);
extern Jsonb *wfp_store_extra(WfpWorkflow *wf);
extern void wfp_store_write_header(WfpWorkflow *wf, bool full);
extern void wfp_store_event(WfpWorkflow *wf, const char *event,
							const char *key, int keylen, const char *actor,
							Jsonb *detail);
extern bool wfp_store_delete(const char *ns, const char *id, bool *was_live);
extern int64 wfp_store_hash(const JsonbContainer *c, Size len);
extern bool wfp_store_get_step(WfpWorkflow *wf, const char *key, int keylen,
							   WfpStepMeta *meta);
extern WfpStepMeta *wfp_store_list_steps(WfpWorkflow *wf, int *count);
extern void wfp_store_put_steps(WfpWorkflow *wf, const WfpStepWrite *writes,
								int n, bool is_new);
extern void wfp_store_delete_steps(WfpWorkflow *wf, Datum *keys, int n);
extern bool wfp_store_status_word(const char *word, WfpStatus *status);
extern void wfp_store_run_extras(WfpWorkflow *wf, bool set_engine_data,
								 bytea *engine_data, bool has_created,
								 TimestampTz created_at, bool has_updated,
								 TimestampTz updated_at);
extern WfpStepRow *wfp_store_read_steps(const char *ns, const char *id,
										bool locked, int *count);
extern bool wfp_store_read_all(WfpWorkflow *wf, const char *ns,
							   const char *id, WfpStepRow **rows, int *count);

/* ----------
 * wfp_store_scan.c: the direct read path (called by wfp_store_read_all)
 * ----------
 */
extern bool wfp_store_scan_all(WfpWorkflow *wf, const char *ns,
							   const char *id, WfpStepRow **rows, int *count,
							   bool *found);

#endif							/* WFP_STORE_H */
