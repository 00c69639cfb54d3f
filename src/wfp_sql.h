/*-------------------------------------------------------------------------
 *
 * wfp_sql.h
 *	  What the SQL-callable readers and writers share: argument checks
 *	  (wfp_args.c), the snapshot layer (wfp_snapshot.c) and the change
 *	  path of every writer (wfp_change.c).
 *
 * The entry points above (wfp_read.c, wfp_write.c, wfp_lifecycle.c,
 * wfp_trigger.c) call this layer and the ones below it, never each
 * other.  Inside it, calls go one way too: wfp_change.c uses
 * wfp_snapshot.c and wfp_args.c; wfp_snapshot.c and wfp_args.c use only
 * the layers below.
 *
 *-------------------------------------------------------------------------
 */
#ifndef WFP_SQL_H
#define WFP_SQL_H

#include "fmgr.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "wfp_jsonb.h"
#include "wfp_store.h"

/* ----------
 * wfp_args.c: argument checks
 * ----------
 */
extern char *wfp_arg_id(FunctionCallInfo fcinfo, int argno);
extern void wfp_arg_not_null(FunctionCallInfo fcinfo, int argno,
							 const char *name);
extern char *wfp_arg_text_or_null(FunctionCallInfo fcinfo, int argno);
extern char *wfp_namespace_arg(const char *given, bool many);
extern char *wfp_arg_namespace(FunctionCallInfo fcinfo, int argno, bool many);
extern int32 wfp_arg_position(int32 position, const char *field);
extern bool wfp_arg_expected_version(FunctionCallInfo fcinfo, int argno,
									 int64 *expected);
extern TimestampTz wfp_expiry_from_ttl(Interval *ttl);
extern char *wfp_current_actor(void);

/* ----------
 * wfp_snapshot.c: a snapshot taken apart, put together, measured
 * ----------
 */
extern void wfp_validate_or_raise(Jsonb *snapshot);
extern void wfp_validate_step_or_raise(const char *key, int keylen,
									   Jsonb *result);

/* A whole snapshot taken apart for storing (wfp_prepare_snapshot). */
typedef struct WfpPrepared
{
	Jsonb	   *execution;
	Jsonb	   *extra;
	WfpStepWrite *in;			/* steps, in jsonb key order */
	int			n_in;
	int64		total;			/* footprint (size_bytes) */
} WfpPrepared;

extern void wfp_split_head(Jsonb *snapshot, Jsonb **execution, Jsonb **extra);
extern void wfp_prepare_step(WfpStepWrite *w, const char *id,
							 const char *key, int keylen, Jsonb *whole,
							 const JsonbValue *src);
extern Jsonb *wfp_step_value(WfpStepWrite *w);
extern void wfp_prepare_snapshot(const char *id, Jsonb *snapshot,
								 WfpPrepared *p);

extern int64 wfp_step_footprint(int keylen, int32 size);
extern int64 wfp_execution_footprint(Jsonb *execution);
extern int64 wfp_head_footprint(Jsonb *execution, Jsonb *extra);
extern void wfp_check_snapshot_size(const char *id, int64 size);

/* Which steps wf_load keeps (include, since_step, step_limit). */
typedef enum WfpInclude
{
	WFP_INCLUDE_ALL,
	WFP_INCLUDE_COMPLETED,
	WFP_INCLUDE_FAILED
} WfpInclude;

typedef struct WfpLoadFilter
{
	WfpInclude	include;
	text	   *since;			/* NULL: from the first */
	int32		limit;			/* -1: all */
} WfpLoadFilter;

extern WfpNode *wfp_assemble(WfpWorkflow *wf, WfpStepRow *rows, int n,
							 const WfpLoadFilter *filter);
extern Jsonb *wfp_assemble_snapshot(WfpWorkflow *wf);
extern bool wfp_is_resume_state(Jsonb *doc);
extern void wfp_prepare_resume_state(const char *id, Jsonb *doc,
									 WfpPrepared *p);
extern WfpNode *wfp_assemble_resume_state(WfpWorkflow *wf, WfpStepRow *rows,
										  int n);
extern Jsonb *wfp_touch_execution(Jsonb *execution, const char *status,
								  const char *key, int keylen);

/* ----------
 * wfp_change.c: changing a locked workflow
 * ----------
 */
/* what a writer writes: the whole state (wf_save, wf_merge) or one step */
typedef enum WfpWriteKind
{
	WFP_WRITE_WHOLE,
	WFP_WRITE_STEP
} WfpWriteKind;

extern void wfp_check_writable(const WfpWorkflow *wf);
extern WfpStatus wfp_lock_for_write(WfpWorkflow *wf, const char *ns,
									const char *id, WfpWriteKind kind,
									const char *lease, bool has_expected,
									int64 expected);
extern void wfp_check_locked(WfpWorkflow *wf, WfpWriteKind kind,
							 const char *lease, bool has_expected,
							 int64 expected);
extern WfpStatus wfp_document_status(const WfpWorkflow *wf);
extern WfpStatus wfp_derive_status(const WfpWorkflow *wf);
extern WfpStatus wfp_status_word_or_raise(const char *word);
extern void wfp_apply_status_word(WfpWorkflow *wf, const char *word,
								  WfpStatus status);
extern void wfp_note_status_change(WfpWorkflow *wf, WfpStatus before,
								   const char *key, int keylen);
extern int32 wfp_take_position(WfpWorkflow *wf);
extern int32 wfp_place_position(WfpWorkflow *wf, int32 position);
extern Jsonb *wfp_empty_object(void);
extern void wfp_write_steps(WfpWorkflow *wf, WfpStepWrite *in, int n_in,
							bool replace);
extern void wfp_replace_snapshot(WfpWorkflow *wf, WfpPrepared *p);
extern void wfp_write_steps_listed(WfpWorkflow *wf, WfpStepWrite *in,
								   int n_in, bool replace,
								   WfpStepMeta *stored, int n_stored);
extern void wfp_replace_snapshot_listed(WfpWorkflow *wf, WfpPrepared *p,
										WfpStepMeta *stored, int n_stored);

/* ----------
 * wfp_text.c: a snapshot given as JSON text (wf_save(text))
 * ----------
 */

/* One member of a JSON object, as it lies in the text. */
typedef struct WfpTextMember
{
	const char *key;			/* between its quotes, no escapes in it */
	int			keylen;
	const char *val;			/* the value's text */
	int			vallen;
	int			order;			/* its place in the document */
	bool		changed;		/* (steps) it is converted to jsonb */
} WfpTextMember;

/* A snapshot's text taken apart without converting it. */
typedef struct WfpTextDoc
{
	bool		valid;			/* the whole text is valid JSON syntax */
	bool		usable;			/* and its layout is one wf_save(text) takes
								 * apart: an object, keys without escapes,
								 * no duplicate keys, "steps" an object, no
								 * "kind" member, no \u escape anywhere */
	WfpTextMember *members;		/* top-level members, in document order */
	int			n_members;
	int			steps_member;	/* index of "steps" in members */
	WfpTextMember *steps;		/* "steps"' members, in jsonb key order */
	int			n_steps;
} WfpTextDoc;

extern void wfp_text_scan(const char *text, int len, WfpTextDoc *doc);
extern int64 wfp_text_hash(const WfpTextMember *m, int64 value_hash);
extern char *wfp_text_partial(const WfpTextDoc *doc);
extern void wfp_text_attach(const WfpTextDoc *doc, WfpPrepared *p);
extern int64 wfp_checkpoint(const char *ns, const char *id, const char *key,
							int keylen, Jsonb *result, bool has_expected,
							int64 expected, const char *lease, int32 position,
							bool generic);

#endif							/* WFP_SQL_H */
