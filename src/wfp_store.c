/*-------------------------------------------------------------------------
 *
 * wfp_store.c
 *	  Rows in, rows out: the statement catalog, and every read and write
 *	  that goes through it.
 *
 * Layout (docs/design.md, "Storage"): workflow_persist.wf_workflow holds
 * one header row per workflow (version, status, the snapshot's
 * "execution", every other top-level member except "steps" as "extra",
 * counters, timestamps, expiry); workflow_persist.wf_step holds one row
 * per step key (first-recorded position, result, a hash of its bytes).
 *
 * All access goes through SPI, so table privileges (and any row-level
 * security an administrator adds) apply to the caller as for plain SQL;
 * the exceptions are wf_load's direct read path, which makes the same
 * checks itself (wfp_store_scan.c, reached through wfp_store_read_all),
 * and the history (wf_event): its rows are written and deleted with the
 * rights of the table's owner (as_history_owner), after the caller has
 * locked the workflow's header with its own rights, so that no other
 * role needs, or has, INSERT, UPDATE or DELETE on it.  Each event records
 * the session and current roles of the caller next to the actor the
 * caller names.
 * Together the two files are the only C code that knows the table layout.
 * Statements are prepared once per backend and kept (SPI_keepplan); every
 * name in them is schema-qualified, and the SQL-callable entry points pin
 * search_path, so operators resolve to pg_catalog's.
 *
 * Callers bracket their work with wfp_store_begin()/wfp_store_end(), which
 * connect to and disconnect from SPI; everything read here lives until
 * wfp_store_end().
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/itemptr.h"
#include "storage/proc.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rls.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "wfp_jsonb.h"
#include "wfp_rules.h"
#include "wfp_store.h"

/* ----------
 * Prepared statements
 * ----------
 */
typedef enum StoreStmt
{
	S_LOCK_HEADER,
	S_LOCK_HEADER_TID,
	S_CLAIM_HEADER,
	S_READ_HEADER,
	S_WRITE_HEADER,
	S_WRITE_HEADER_STEP,
	S_GET_STEP,
	S_INSERT_STEP,
	S_UPDATE_STEP,
	S_LIST_STEPS,
	S_INSERT_STEPS,
	S_UPDATE_STEPS,
	S_DELETE_STEPS,
	S_DELETE_ALL_STEPS,
	S_READ_STEPS,
	S_READ_ALL,
	S_CHECKPOINT_INSERT,
	S_CHECKPOINT_UPDATE,
	S_INSERT_EVENT,
	S_DELETE_EVENTS,
	S_DELETE_HEADER,
	S_CLEAR_LEASE,
	S_STATUS_WORD,
	S_RUN_EXTRAS,
	S_COUNT
} StoreStmt;

#define MAX_ARGS 20

typedef struct StmtDef
{
	const char *sql;
	int			nargs;
	Oid			argtypes[MAX_ARGS];
} StmtDef;

/* what every header query returns, in this order (fill_header) */
#define HEADER_COLS(h) \
	h "version, " h "status, " h "execution, " h "extra, " h "step_count, " \
	h "next_pos, " h "size_bytes, " h "created_at, " h "expires_at, " \
	h "checked, " h "pending, " h "suspended_at, " h "suspend_reason, " \
	h "suspend_request, " h "lease_token, " \
	h "lease_expires_at > clock_timestamp(), " \
	"NOT (" WFP_LIVE(h) "), " h "status_word, " h "shape"
#define N_HEADER_COLS 19

/*
 * A live workflow: saved at least once (version 0 is the placeholder a
 * lease taken before the first save creates), not past its expiry, not
 * past its status' retention.
 * The same definition as the view workflow_persist.wf_live, which the SQL
 * functions read through, and as the direct path's (wfp_store_scan.c);
 * sql/retention_live.sql checks that they agree.  h must be a table alias
 * ("h."): unqualified, "status" inside the subquery would name the
 * policy's own column.
 */
#define WFP_LIVE(h) \
	h "version > 0 AND " \
	"(" h "expires_at IS NULL OR " h "expires_at > now()) AND NOT EXISTS " \
	"(SELECT FROM workflow_persist.wf_retention_policy AS r " \
	"WHERE r.namespace = " h "namespace AND r.status = " h "status AND " \
	"CASE WHEN " h "updated_at > now() " \
	"THEN false ELSE " h "updated_at + r.keep <= now() END)"

/*
 * Every header write sets $1..$9 (header_params); full writes add $10..$16,
 * checkpoints add the step's $10..$16.  The namespace is the last argument
 * of every statement about a workflow (run() adds it): the keys are
 * (namespace, id).  A writer has locked the row version it writes and
 * names it by its ctid (the argument before the namespace), and gets the
 * new version's back: see wfp_store_lock() for why not by key.
 */
#define SET_HEADER \
	"UPDATE workflow_persist.wf_workflow SET version = $2, status = $3, " \
	"execution = $4, step_count = $5, next_pos = $6, size_bytes = $7, " \
	"checked = $8, pending = $9, updated_at = now()"
#define HEADER_TYPES \
	TEXTOID, INT8OID, TEXTOID, JSONBOID, INT4OID, INT4OID, INT8OID, \
	INT2OID, INT4OID
#define STEP_TYPES \
	TEXTOID, INT4OID, BOOLOID, JSONBOID, INT8OID, INT4OID, TEXTOID

static const StmtDef stmt_defs[S_COUNT] = {
	[S_LOCK_HEADER] = {
		"SELECT " HEADER_COLS("h.") ", h.ctid FROM workflow_persist.wf_workflow AS h "
		"WHERE h.namespace = $2 AND h.id = $1 FOR UPDATE OF h",
		2, {TEXTOID, TEXTOID}
	},
	/* the version this transaction wrote last, if still the current one */
	[S_LOCK_HEADER_TID] = {
		"SELECT " HEADER_COLS("h.") ", h.ctid FROM workflow_persist.wf_workflow AS h "
		"WHERE h.ctid = $2 AND h.namespace = $3 AND h.id = $1 FOR UPDATE OF h",
		3, {TEXTOID, TIDOID, TEXTOID}
	},
	[S_CLAIM_HEADER] = {
		"INSERT INTO workflow_persist.wf_workflow (namespace, id, status, "
		"version, execution, extra, step_count, next_pos, size_bytes, "
		"created_at, updated_at, checked, pending) "
		"VALUES ($2, $1, 'running', 0, NULL, '{}', 0, 1, 0, now(), now(), 0, 0) "
		"ON CONFLICT (namespace, id) DO NOTHING RETURNING created_at, ctid",
		2, {TEXTOID, TEXTOID}
	},
	[S_READ_HEADER] = {
		"SELECT " HEADER_COLS("h.") " FROM workflow_persist.wf_workflow AS h "
		"WHERE h.namespace = $2 AND h.id = $1 AND " WFP_LIVE("h."),
		2, {TEXTOID, TEXTOID}
	},
	[S_WRITE_HEADER] = {
		SET_HEADER ", extra = $10, created_at = $11, expires_at = $12, "
		"suspended_at = $13, suspend_reason = $14, suspend_request = $15, "
		"status_word = $16, shape = $17, "
		/* a run's engine-private value goes when it becomes a snapshot */
		"engine_data = CASE WHEN $17 = 'run' THEN engine_data END "
		"WHERE ctid = $18 RETURNING ctid",
		19, {HEADER_TYPES, JSONBOID, TIMESTAMPTZOID, TIMESTAMPTZOID,
		TIMESTAMPTZOID, TEXTOID, JSONBOID, TEXTOID, TEXTOID, TIDOID, TEXTOID}
	},
	/* a checkpoint leaves "extra" alone, so its datum is not even passed */
	[S_WRITE_HEADER_STEP] = {
		SET_HEADER " WHERE ctid = $10 RETURNING ctid",
		11, {HEADER_TYPES, TIDOID, TEXTOID}
	},
	[S_GET_STEP] = {
		"SELECT pos, hash, size_bytes, pending FROM workflow_persist.wf_step "
		"WHERE namespace = $3 AND workflow_id = $1 AND step_key = $2",
		3, {TEXTOID, TEXTOID, TEXTOID}
	},
	[S_INSERT_STEP] = {
		"INSERT INTO workflow_persist.wf_step (namespace, workflow_id, "
		"step_key, pos, ok, result, hash, size_bytes, pending, recorded_at) "
		"VALUES ($9, $1, $2, $3, $4, $5, $6, $7, $8, now())",
		9, {TEXTOID, STEP_TYPES, TEXTOID}
	},
	[S_UPDATE_STEP] = {
		"UPDATE workflow_persist.wf_step SET pos = $3, ok = $4, result = $5, "
		"hash = $6, size_bytes = $7, pending = $8, recorded_at = now() "
		"WHERE namespace = $9 AND workflow_id = $1 AND step_key = $2",
		9, {TEXTOID, STEP_TYPES, TEXTOID}
	},
	[S_LIST_STEPS] = {
		"SELECT step_key, pos, hash, size_bytes, pending "
		"FROM workflow_persist.wf_step WHERE namespace = $2 AND workflow_id = $1",
		2, {TEXTOID, TEXTOID}
	},
	[S_INSERT_STEPS] = {
		"INSERT INTO workflow_persist.wf_step (namespace, workflow_id, "
		"step_key, pos, ok, result, hash, size_bytes, pending, recorded_at) "
		"SELECT $9, $1, u.k, u.p, u.o, u.r, u.h, u.s, u.w, now() "
		"FROM unnest($2, $3, $4, $5, $6, $7, $8) AS u(k, p, o, r, h, s, w)",
		9, {TEXTOID, TEXTARRAYOID, INT4ARRAYOID, BOOLARRAYOID, 0,
		INT8ARRAYOID, INT4ARRAYOID, TEXTARRAYOID, TEXTOID}
	},
	[S_UPDATE_STEPS] = {
		"UPDATE workflow_persist.wf_step AS t SET pos = u.p, ok = u.o, "
		"result = u.r, hash = u.h, size_bytes = u.s, pending = u.w, "
		"recorded_at = now() "
		"FROM unnest($2, $3, $4, $5, $6, $7, $8) AS u(k, p, o, r, h, s, w) "
		"WHERE t.namespace = $9 AND t.workflow_id = $1 AND t.step_key = u.k",
		9, {TEXTOID, TEXTARRAYOID, INT4ARRAYOID, BOOLARRAYOID, 0,
		INT8ARRAYOID, INT4ARRAYOID, TEXTARRAYOID, TEXTOID}
	},
	[S_DELETE_STEPS] = {
		"DELETE FROM workflow_persist.wf_step "
		"WHERE namespace = $3 AND workflow_id = $1 AND step_key = ANY ($2)",
		3, {TEXTOID, TEXTARRAYOID, TEXTOID}
	},
	[S_DELETE_ALL_STEPS] = {
		"DELETE FROM workflow_persist.wf_step "
		"WHERE namespace = $2 AND workflow_id = $1",
		2, {TEXTOID, TEXTOID}
	},
	[S_READ_STEPS] = {
		"SELECT step_key, pos, result, ok, recorded_at "
		"FROM workflow_persist.wf_step WHERE namespace = $2 AND workflow_id = $1",
		2, {TEXTOID, TEXTOID}
	},
	/* wf_load: header and steps in one statement (the step's columns last) */
	[S_READ_ALL] = {
		"SELECT " HEADER_COLS("h.") ", "
		"s.step_key, s.pos, s.result, s.ok, s.recorded_at "
		"FROM workflow_persist.wf_workflow AS h "
		"LEFT JOIN workflow_persist.wf_step AS s "
		"ON s.namespace = h.namespace AND s.workflow_id = h.id "
		"WHERE h.namespace = $2 AND h.id = $1 AND " WFP_LIVE("h."),
		2, {TEXTOID, TEXTOID}
	},
	/* a checkpoint's two writes in one statement: step row, then header */
	[S_CHECKPOINT_INSERT] = {
		"WITH s AS (INSERT INTO workflow_persist.wf_step (namespace, "
		"workflow_id, step_key, pos, ok, result, hash, size_bytes, pending, "
		"recorded_at) "
		"VALUES ($18, $1, $10, $11, $12, $13, $14, $15, $16, now())) "
		SET_HEADER " WHERE ctid = $17 RETURNING ctid",
		18, {HEADER_TYPES, STEP_TYPES, TIDOID, TEXTOID}
	},
	[S_CHECKPOINT_UPDATE] = {
		"WITH s AS (UPDATE workflow_persist.wf_step SET pos = $11, "
		"ok = $12, result = $13, hash = $14, size_bytes = $15, pending = $16, "
		"recorded_at = now() "
		"WHERE namespace = $18 AND workflow_id = $1 AND step_key = $10) "
		SET_HEADER " WHERE ctid = $17 RETURNING ctid",
		18, {HEADER_TYPES, STEP_TYPES, TIDOID, TEXTOID}
	},
	/* run as the history's owner (as_history_owner) */
	[S_INSERT_EVENT] = {
		"INSERT INTO workflow_persist.wf_event (namespace, workflow_id, at, "
		"event, step_key, actor, detail, session_role, acting_role) "
		"VALUES ($8, $1, now(), $2, $3, $4, $5, $6, $7)",
		8, {TEXTOID, TEXTOID, TEXTOID, TEXTOID, JSONBOID, TEXTOID, TEXTOID,
		TEXTOID}
	},
	[S_CLEAR_LEASE] = {
		"UPDATE workflow_persist.wf_workflow SET lease_owner = NULL, "
		"lease_token = NULL, lease_expires_at = NULL "
		"WHERE ctid = $2 RETURNING ctid",
		3, {TEXTOID, TIDOID, TEXTOID}
	},
	[S_DELETE_HEADER] = {
		"DELETE FROM workflow_persist.wf_workflow "
		"WHERE namespace = $2 AND id = $1",
		2, {TEXTOID, TEXTOID}
	},
	/* what only generic runs write: engine_data and supplied times */
	[S_RUN_EXTRAS] = {
		"UPDATE workflow_persist.wf_workflow SET "
		"engine_data = CASE WHEN $2 THEN $3 ELSE engine_data END, "
		"created_at = COALESCE($4, created_at), "
		"updated_at = COALESCE($5, updated_at) "
		"WHERE ctid = $6 RETURNING ctid",
		7, {TEXTOID, BOOLOID, BYTEAOID, TIMESTAMPTZOID, TIMESTAMPTZOID, TIDOID,
		TEXTOID}
	},
	/* not about one workflow: no namespace (run() with ns NULL) */
	[S_STATUS_WORD] = {
		"SELECT status FROM workflow_persist.wf_status_word WHERE word = $1",
		1, {TEXTOID}
	},
	[S_DELETE_EVENTS] = {
		"DELETE FROM workflow_persist.wf_event "
		"WHERE namespace = $2 AND workflow_id = $1",
		2, {TEXTOID, TEXTOID}
	},
};

static SPIPlanPtr plans[S_COUNT];
static Oid	jsonb_array_oid = InvalidOid;

static SPIPlanPtr
get_plan(StoreStmt which)
{
	if (plans[which] == NULL)
	{
		const StmtDef *def = &stmt_defs[which];
		Oid			argtypes[MAX_ARGS];
		SPIPlanPtr	plan;

		memcpy(argtypes, def->argtypes, sizeof(argtypes));
		/* jsonb[] has no fixed OID; 0 marks its place */
		for (int i = 0; i < def->nargs; i++)
			if (argtypes[i] == InvalidOid)
			{
				if (!OidIsValid(jsonb_array_oid))
					jsonb_array_oid = get_array_type(JSONBOID);
				argtypes[i] = jsonb_array_oid;
			}
		plan = SPI_prepare(def->sql, def->nargs, argtypes);
		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed for \"%s\": %s",
				 def->sql, SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		plans[which] = plan;
	}
	return plans[which];
}

/*
 * Run a prepared statement for namespace ns: values (and nulls, where
 * nulls[i] = 'n' marks a NULL) hold every argument but the last, which is
 * the namespace (ns NULL: a statement about no workflow, values hold all).
 */
static int
run(StoreStmt which, const Datum *values, const char *nulls, const char *ns,
	bool read_only, int expected)
{
	int			nargs = stmt_defs[which].nargs;
	int			given = ns ? nargs - 1 : nargs;
	Datum		args[MAX_ARGS];
	char		argnulls[MAX_ARGS];
	int			rc;

	memcpy(args, values, sizeof(Datum) * given);
	if (nulls)
		memcpy(argnulls, nulls, given);
	else
		memset(argnulls, ' ', given);
	if (ns)
	{
		args[nargs - 1] = CStringGetTextDatum(ns);
		argnulls[nargs - 1] = ' ';
	}
	rc = SPI_execute_plan(get_plan(which), args, argnulls, read_only, 0);

	if (rc != expected)
		elog(ERROR, "workflow_persist store statement %d failed: %s",
			 (int) which, SPI_result_code_string(rc));
	return (int) SPI_processed;
}

static Datum
col(int row, int colno, bool *isnull)
{
	return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc,
						 colno, isnull);
}

void
wfp_store_begin(void)
{
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
}

void
wfp_store_end(void)
{
	SPI_finish();
}

/* ----------
 * Header
 * ----------
 */

static void wfp_store_forget(const char *ns, const char *id);

/*
 * The header row version this backend's current transaction wrote last.
 *
 * Every header write leaves a new row version, and within one
 * transaction none of them can be pruned: a lookup by key steps over all
 * the versions of the transaction, so N checkpoints of one workflow in
 * one transaction cost O(N^2) (F2 of the security review).  A writer
 * therefore names the version it locked by its ctid, and the next lock in
 * the same transaction tries the version written last first: if it is
 * still the current one (visible, same key), it is locked directly; else
 * (rolled back with a savepoint, deleted, changed by another statement
 * of ours) the lookup by key runs as before.
 */
static LocalTransactionId last_lxid = InvalidLocalTransactionId;
static char *last_ns = NULL;
static char *last_id = NULL;
static ItemPointerData last_tid;

/* Take the ctid of row 0, column colno, as the locked (or new) version. */
static void
take_tid(WfpWorkflow *wf, int colno)
{
	bool		isnull;
	Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
								  colno, &isnull);

	if (isnull)
		elog(ERROR, "workflow_persist store: no ctid for workflow \"%s\"", wf->id);
	ItemPointerCopy((ItemPointer) DatumGetPointer(d), &wf->tid);
}

static char *
keep_string(char *old, const char *value)
{
	if (old != NULL && value != NULL && strcmp(old, value) == 0)
		return old;
	if (old != NULL)
		pfree(old);
	return value ? MemoryContextStrdup(TopMemoryContext, value) : NULL;
}

/* After a header write: its new version, for this and the next lock. */
static void
wrote_header(WfpWorkflow *wf, int processed)
{
	if (processed != 1)
		elog(ERROR, "workflow_persist store: the header of workflow \"%s\" was not written",
			 wf->id);
	take_tid(wf, 1);
	last_ns = keep_string(last_ns, wf->ns);
	last_id = keep_string(last_id, wf->id);
	last_lxid = MyProc->lxid;
	ItemPointerCopy(&wf->tid, &last_tid);
}

/* Is the version written last in this transaction one of this workflow? */
static bool
wrote_last(const char *ns, const char *id)
{
	return last_lxid == MyProc->lxid && last_id != NULL && ns != NULL &&
		last_ns != NULL && strcmp(last_id, id) == 0 && strcmp(last_ns, ns) == 0;
}

static WfpStatus
parse_status(Datum d)
{
	char	   *s = TextDatumGetCString(d);
	WfpStatus	status;

	if (!wfp_status_from_name(s, strlen(s), &status))
		elog(ERROR, "unexpected workflow status \"%s\" in wf_workflow", s);
	pfree(s);
	return status;
}

/* Fill wf from row 0 of the last header query; returns its "expired". */
static bool
fill_header(WfpWorkflow *wf)
{
	bool		isnull;
	Datum		d;

	wf->version = DatumGetInt64(col(0, 1, &isnull));
	wf->status = parse_status(col(0, 2, &isnull));
	d = col(0, 3, &isnull);
	wf->execution = isnull ? NULL : DatumGetJsonbP(d);
	/* keep "extra" as stored: it is detoasted only when read */
	wf->extra_datum = col(0, 4, &isnull);
	wf->extra = NULL;
	wf->step_count = DatumGetInt32(col(0, 5, &isnull));
	wf->next_pos = DatumGetInt32(col(0, 6, &isnull));
	wf->size_bytes = DatumGetInt64(col(0, 7, &isnull));
	wf->created_at = DatumGetTimestampTz(col(0, 8, &isnull));
	d = col(0, 9, &isnull);
	wf->has_expiry = !isnull;
	wf->expires_at = isnull ? 0 : DatumGetTimestampTz(d);
	wf->checked = DatumGetInt16(col(0, 10, &isnull));
	wf->pending = DatumGetInt32(col(0, 11, &isnull));
	d = col(0, 12, &isnull);
	wf->suspended = !isnull;
	wf->suspended_at = isnull ? 0 : DatumGetTimestampTz(d);
	d = col(0, 13, &isnull);
	wf->suspend_reason = isnull ? NULL : TextDatumGetCString(d);
	d = col(0, 14, &isnull);
	wf->suspend_request = isnull ? NULL : DatumGetJsonbP(d);
	d = col(0, 15, &isnull);
	wf->lease_token = isnull ? NULL : TextDatumGetCString(d);
	d = col(0, 16, &isnull);
	wf->lease_live = !isnull && DatumGetBool(d);
	d = col(0, 18, &isnull);
	wf->status_word = isnull ? NULL : TextDatumGetCString(d);
	d = col(0, 19, &isnull);
	wf->shape = isnull ? "snapshot" : TextDatumGetCString(d);
	return DatumGetBool(col(0, 17, &isnull));
}

/* A header as a brand-new workflow has it before its first write. */
static void
reset_header(WfpWorkflow *wf)
{
	wf->version = 0;
	wf->status = WFP_STATUS_RUNNING;
	wf->execution = NULL;
	wf->extra = NULL;
	wf->extra_datum = (Datum) 0;
	wf->step_count = 0;
	wf->next_pos = 1;
	wf->size_bytes = 0;
	wf->created_at = GetCurrentTransactionStartTimestamp();
	wf->has_expiry = false;
	wf->expires_at = 0;
	wf->checked = 0;
	wf->pending = 0;
	wf->suspended = false;
	wf->suspended_at = 0;
	wf->suspend_reason = NULL;
	wf->suspend_request = NULL;
	wf->lease_token = NULL;
	wf->lease_live = false;
	wf->status_word = NULL;
	wf->shape = "snapshot";
}

/*
 * Lock the workflow's header row for the rest of the transaction.
 *
 * Returns false when it does not exist (or has expired) and create is
 * false.  With create, a missing row is claimed by inserting a placeholder
 * (version 0) that the caller overwrites with wfp_store_write_header();
 * a concurrent creator makes us wait for it and then lock its row.  An
 * expired workflow is treated as absent: its steps and events are deleted
 * and the header starts afresh.  A claimed id is cleared the same way of
 * any step or event row left without a header.
 */
bool
wfp_store_lock(WfpWorkflow *wf, const char *ns, const char *id, bool create)
{
	Datum		arg = CStringGetTextDatum(id);

	wf->ns = ns;
	wf->id = id;
	wf->created = false;
	for (int attempt = 0; attempt < 3; attempt++)
	{
		bool		locked = false;

		if (attempt == 0 && wrote_last(ns, id))
		{
			Datum		args[2] = {arg, PointerGetDatum(&last_tid)};

			locked = run(S_LOCK_HEADER_TID, args, NULL, ns, false,
						 SPI_OK_SELECT) == 1;
		}
		if (locked ||
			run(S_LOCK_HEADER, &arg, NULL, ns, false, SPI_OK_SELECT) == 1)
		{
			bool		expired = fill_header(wf);

			take_tid(wf, N_HEADER_COLS + 1);
			if (wf->version == 0)
			{
				/*
				 * The placeholder of a lease taken before the first save:
				 * absent to everyone, but the first save fills it and keeps
				 * its lease.
				 */
				char	   *token = wf->lease_token;
				bool		live = wf->lease_live;

				if (!create)
					return false;
				reset_header(wf);
				wf->lease_token = token;
				wf->lease_live = live;
				wf->created = true;
				return true;
			}
			if (!expired)
				return true;
			if (!create)
				return false;
			/* a save to an expired id starts a fresh workflow */
			wfp_store_forget(ns, id);
			if (wf->lease_token != NULL)
			{
				Datum		args[2] = {arg, PointerGetDatum(&wf->tid)};

				wrote_header(wf, run(S_CLEAR_LEASE, args, NULL, ns, false,
									 SPI_OK_UPDATE_RETURNING));
			}
			reset_header(wf);
			wf->created = true;
			return true;
		}
		if (!create)
			return false;
		if (run(S_CLAIM_HEADER, &arg, NULL, ns, false,
				SPI_OK_INSERT_RETURNING) == 1)
		{
			take_tid(wf, 2);
			/*
			 * A new run never inherits rows of an earlier run of this id:
			 * no deletion leaves any behind, but should one ever be found
			 * (a header deleted by hand, say), it goes now, under the lock
			 * of the header just claimed (docs/design.md, "Deleting a
			 * workflow").
			 */
			wfp_store_forget(ns, id);
			reset_header(wf);
			wf->created = true;
			return true;
		}
		/* somebody created it since our lock query: lock theirs */
	}

	/*
	 * The id is taken and still cannot be locked: under row-level security
	 * (tenant isolation, docs/security.md, "Tenants") the row belongs to a tenant this
	 * role may not see.  Ids are one space for every tenant, so saying that
	 * it is taken tells no more than the conflict itself.
	 */
	if (check_enable_rls(get_relname_relid("wf_workflow",
										   get_namespace_oid("workflow_persist", false)),
						 InvalidOid, true) == RLS_ENABLED)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("workflow \"%s\" belongs to a tenant this role may not use", id),
				 errdetail("Workflow ids are shared by every tenant; this one is taken."),
				 errhint("Give each tenant's workflows ids of their own, for example prefixed with the tenant.")));
	ereport(ERROR,
			(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
			 errmsg("could not lock workflow \"%s\"", id),
			 errdetail("The workflow was created and removed concurrently."),
			 errhint("Retry the transaction.")));
	return false;
}

/* Read a live header without locking it (works on a standby). */
bool
wfp_store_read_header(WfpWorkflow *wf, const char *ns, const char *id)
{
	Datum		arg = CStringGetTextDatum(id);

	wf->ns = ns;
	wf->id = id;
	wf->created = false;
	if (run(S_READ_HEADER, &arg, NULL, ns, true, SPI_OK_SELECT) != 1)
		return false;
	fill_header(wf);
	return true;
}

/*
 * The store status an engine's status word means (wf_status_word); false
 * when the word is unknown.
 */
bool
wfp_store_status_word(const char *word, WfpStatus *status)
{
	Datum		arg = CStringGetTextDatum(word);
	bool		isnull;

	if (run(S_STATUS_WORD, &arg, NULL, NULL, true, SPI_OK_SELECT) != 1)
		return false;
	*status = parse_status(col(0, 1, &isnull));
	return true;
}

/*
 * A generic run's extras, after its header write: its engine-private value
 * (when set_engine_data; NULL clears it) and the times the engine
 * supplied.
 */
void
wfp_store_run_extras(WfpWorkflow *wf, bool set_engine_data,
					 bytea *engine_data, bool has_created,
					 TimestampTz created_at, bool has_updated,
					 TimestampTz updated_at)
{
	Datum		values[6];
	char		nulls[6] = {' ', ' ', ' ', ' ', ' ', ' '};

	if (!set_engine_data && !has_created && !has_updated)
		return;
	values[0] = CStringGetTextDatum(wf->id);
	values[1] = BoolGetDatum(set_engine_data);
	values[2] = engine_data ? PointerGetDatum(engine_data) : (Datum) 0;
	nulls[2] = engine_data ? ' ' : 'n';
	values[3] = TimestampTzGetDatum(created_at);
	nulls[3] = has_created ? ' ' : 'n';
	values[4] = TimestampTzGetDatum(updated_at);
	nulls[4] = has_updated ? ' ' : 'n';
	values[5] = PointerGetDatum(&wf->tid);
	wrote_header(wf, run(S_RUN_EXTRAS, values, nulls, wf->ns, false,
						 SPI_OK_UPDATE_RETURNING));
}

/* The header's "extra" member, detoasted on first use. */
Jsonb *
wfp_store_extra(WfpWorkflow *wf)
{
	if (wf->extra == NULL && wf->extra_datum != (Datum) 0)
		wf->extra = DatumGetJsonbP(wf->extra_datum);
	return wf->extra;
}

/* $1..$9 of every header write. */
static void
header_params(const WfpWorkflow *wf, Datum *values, char *nulls)
{
	values[0] = CStringGetTextDatum(wf->id);
	values[1] = Int64GetDatum(wf->version);
	values[2] = CStringGetTextDatum(wfp_status_name(wf->status));
	values[3] = wf->execution ? JsonbPGetDatum(wf->execution) : (Datum) 0;
	nulls[3] = wf->execution ? ' ' : 'n';
	values[4] = Int32GetDatum(wf->step_count);
	values[5] = Int32GetDatum(wf->next_pos);
	values[6] = Int64GetDatum(wf->size_bytes);
	values[7] = Int16GetDatum(wf->checked);
	values[8] = Int32GetDatum(wf->pending);
}

/*
 * Write the header back.  With full, "extra", creation time, expiry and
 * suspension are written too; otherwise only what a checkpoint changes.
 */
void
wfp_store_write_header(WfpWorkflow *wf, bool full)
{
	Datum		values[MAX_ARGS];
	char		nulls[MAX_ARGS];

	memset(nulls, ' ', sizeof(nulls));
	header_params(wf, values, nulls);
	if (!full)
	{
		values[9] = PointerGetDatum(&wf->tid);
		wrote_header(wf, run(S_WRITE_HEADER_STEP, values, nulls, wf->ns, false,
							 SPI_OK_UPDATE_RETURNING));
		return;
	}
	/* an unchanged "extra" is passed through as stored (toast reused) */
	values[9] = wf->extra ? JsonbPGetDatum(wf->extra) : wf->extra_datum;
	values[10] = TimestampTzGetDatum(wf->created_at);
	values[11] = TimestampTzGetDatum(wf->expires_at);
	nulls[11] = wf->has_expiry ? ' ' : 'n';
	values[12] = TimestampTzGetDatum(wf->suspended_at);
	nulls[12] = wf->suspended ? ' ' : 'n';
	values[13] = wf->suspend_reason ? CStringGetTextDatum(wf->suspend_reason) : (Datum) 0;
	nulls[13] = wf->suspended && wf->suspend_reason ? ' ' : 'n';
	values[14] = wf->suspend_request ? JsonbPGetDatum(wf->suspend_request) : (Datum) 0;
	nulls[14] = wf->suspended && wf->suspend_request ? ' ' : 'n';
	values[15] = wf->status_word ? CStringGetTextDatum(wf->status_word) : (Datum) 0;
	nulls[15] = wf->status_word ? ' ' : 'n';
	values[16] = CStringGetTextDatum(wf->shape ? wf->shape : "snapshot");
	values[17] = PointerGetDatum(&wf->tid);
	wrote_header(wf, run(S_WRITE_HEADER, values, nulls, wf->ns, false,
						 SPI_OK_UPDATE_RETURNING));
}

/*
 * Run a statement on wf_event with its owner's rights: the history may
 * be written only through the store, never by the roles that use it.
 * The statements are fixed and schema-qualified; the owner's FORCE ROW
 * LEVEL SECURITY, if any, does not apply (as for foreign keys), and
 * nothing the statement runs may change the session
 * (SECURITY_RESTRICTED_OPERATION).  An error restores the caller's
 * rights with the (sub)transaction's abort.
 */
static int
as_history_owner(StoreStmt which, Datum *values, const char *nulls,
				 const char *ns, int expected)
{
	Oid			rel = get_relname_relid("wf_event",
										get_namespace_oid("workflow_persist", false));
	HeapTuple	tup;
	Oid			owner;
	Oid			save_userid;
	int			save_sec_context;
	int			n;

	if (!OidIsValid(rel))
		elog(ERROR, "relation workflow_persist.wf_event is missing");
	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(rel));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for relation %u", rel);
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(owner, save_sec_context |
						   SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION |
						   SECURITY_NOFORCE_RLS);
	n = run(which, values, nulls, ns, false, expected);
	SetUserIdAndSecContext(save_userid, save_sec_context);
	return n;
}

/*
 * Record a lifecycle event of the workflow (wf_history): the actor the
 * caller names, and the roles that really acted (session_user and
 * current_user, which the caller cannot choose).
 */
void
wfp_store_event(WfpWorkflow *wf, const char *event, const char *key,
				int keylen, const char *actor, Jsonb *detail)
{
	Datum		values[7];
	char		nulls[7] = {' ', ' ', ' ', ' ', ' ', ' ', ' '};

	values[0] = CStringGetTextDatum(wf->id);
	values[1] = CStringGetTextDatum(event);
	values[2] = key ? PointerGetDatum(cstring_to_text_with_len(key, keylen)) : (Datum) 0;
	nulls[2] = key ? ' ' : 'n';
	values[3] = CStringGetTextDatum(actor);
	values[4] = detail ? JsonbPGetDatum(detail) : (Datum) 0;
	nulls[4] = detail ? ' ' : 'n';
	values[5] = CStringGetTextDatum(GetUserNameFromId(GetSessionUserId(), false));
	values[6] = CStringGetTextDatum(GetUserNameFromId(GetUserId(), false));
	as_history_owner(S_INSERT_EVENT, values, nulls, wf->ns, SPI_OK_INSERT);
}

/* ----------
 * Steps
 * ----------
 */

/*
 * Hash of a value's container bytes (VARDATA of its standalone datum):
 * equal bytes, equal hash, wherever the container lies.
 */
int64
wfp_store_hash(const JsonbContainer *c, Size len)
{
	return (int64) hash_bytes_extended((const unsigned char *) c, len,
									   0x5746505f);
}

static const char *const pending_names[] = {NULL, "approval", "hook"};

/* wf_step.pending of row, column colno of the last result */
static WfpPending
pending_col(int row, int colno)
{
	bool		isnull;
	Datum		d = col(row, colno, &isnull);
	char	   *s;

	if (isnull)
		return WFP_PENDING_NONE;
	s = TextDatumGetCString(d);
	return strcmp(s, "hook") == 0 ? WFP_PENDING_HOOK : WFP_PENDING_APPROVAL;
}

/*
 * Position, hash and size of one stored step; false when absent.
 *
 * This is deliberately a statement of its own, run after the header is
 * locked: joined into the locking query, a step committed by the writer we
 * waited for would be missed (under READ COMMITTED the re-check of a
 * locked row re-reads only that row, not the rows joined to it).
 */
bool
wfp_store_get_step(WfpWorkflow *wf, const char *key, int keylen,
				   WfpStepMeta *meta)
{
	Datum		args[2];
	bool		isnull;

	args[0] = CStringGetTextDatum(wf->id);
	args[1] = PointerGetDatum(cstring_to_text_with_len(key, keylen));
	if (run(S_GET_STEP, args, NULL, wf->ns, false, SPI_OK_SELECT) != 1)
		return false;
	meta->key = key;
	meta->keylen = keylen;
	meta->pos = DatumGetInt32(col(0, 1, &isnull));
	meta->hash = DatumGetInt64(col(0, 2, &isnull));
	meta->size = DatumGetInt32(col(0, 3, &isnull));
	meta->pending = pending_col(0, 4);
	return true;
}

/* The seven step columns of a write, into values/nulls from index i. */
static void
step_params(const WfpStepWrite *w, Datum *values, char *nulls, int i)
{
	values[i] = PointerGetDatum(cstring_to_text_with_len(w->key, w->keylen));
	values[i + 1] = Int32GetDatum(w->pos);
	values[i + 2] = BoolGetDatum(w->ok);
	nulls[i + 2] = w->has_ok ? ' ' : 'n';
	values[i + 3] = JsonbPGetDatum(w->value);
	values[i + 4] = Int64GetDatum(w->hash);
	values[i + 5] = Int32GetDatum(w->size);
	values[i + 6] = w->pending ? CStringGetTextDatum(pending_names[w->pending]) : (Datum) 0;
	nulls[i + 6] = w->pending ? ' ' : 'n';
}

/* Insert (is_new) or overwrite one step row; the value must be set. */
static void
wfp_store_put_step(WfpWorkflow *wf, const WfpStepWrite *w, bool is_new)
{
	Datum		values[MAX_ARGS];
	char		nulls[MAX_ARGS];

	memset(nulls, ' ', sizeof(nulls));
	values[0] = CStringGetTextDatum(wf->id);
	step_params(w, values, nulls, 1);
	run(is_new ? S_INSERT_STEP : S_UPDATE_STEP, values, nulls, wf->ns, false,
		is_new ? SPI_OK_INSERT : SPI_OK_UPDATE);
}

/*
 * A checkpoint's writes: the step row (inserted, overwritten, or left
 * alone when unchanged) and the header, in one statement when the header
 * already existed.
 */
void
wfp_store_checkpoint(WfpWorkflow *wf, const WfpStepWrite *w,
					 WfpStepAction action)
{
	Datum		values[MAX_ARGS];
	char		nulls[MAX_ARGS];

	if (wf->created || action == WFP_STEP_UNCHANGED)
	{
		if (action != WFP_STEP_UNCHANGED)
			wfp_store_put_step(wf, w, action == WFP_STEP_INSERT);
		wfp_store_write_header(wf, wf->created);
		return;
	}
	memset(nulls, ' ', sizeof(nulls));
	header_params(wf, values, nulls);
	step_params(w, values, nulls, 9);
	values[16] = PointerGetDatum(&wf->tid);
	wrote_header(wf, run(action == WFP_STEP_INSERT ? S_CHECKPOINT_INSERT :
						 S_CHECKPOINT_UPDATE,
						 values, nulls, wf->ns, false, SPI_OK_UPDATE_RETURNING));
}

static int
meta_cmp(const void *a, const void *b)
{
	const WfpStepMeta *ma = a;
	const WfpStepMeta *mb = b;

	return wfp_key_cmp(ma->key, ma->keylen, mb->key, mb->keylen);
}

/* Every stored step's position, hash and size, in jsonb key order. */
WfpStepMeta *
wfp_store_list_steps(WfpWorkflow *wf, int *count)
{
	Datum		arg = CStringGetTextDatum(wf->id);
	WfpStepMeta *metas;
	int			n;

	n = run(S_LIST_STEPS, &arg, NULL, wf->ns, false, SPI_OK_SELECT);
	metas = palloc(sizeof(WfpStepMeta) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		bool		isnull;
		text	   *key = DatumGetTextPP(col(i, 1, &isnull));

		metas[i].key = VARDATA_ANY(key);
		metas[i].keylen = VARSIZE_ANY_EXHDR(key);
		metas[i].pos = DatumGetInt32(col(i, 2, &isnull));
		metas[i].hash = DatumGetInt64(col(i, 3, &isnull));
		metas[i].size = DatumGetInt32(col(i, 4, &isnull));
		metas[i].pending = pending_col(i, 5);
	}
	qsort(metas, n, sizeof(WfpStepMeta), meta_cmp);
	*count = n;
	return metas;
}

static Datum
make_array(Datum *elems, bool *nulls, int n, Oid elemtype)
{
	int16		typlen;
	bool		typbyval;
	char		typalign;
	int			dims[1];
	int			lbs[1];

	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	dims[0] = n;
	lbs[0] = 1;
	return PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs,
											  elemtype, typlen, typbyval,
											  typalign));
}

/*
 * Insert (is_new) or overwrite many step rows with one statement each way:
 * the rows travel as arrays and are unnested by the server.  Values must
 * have been materialized (wfp_step_value).
 */
void
wfp_store_put_steps(WfpWorkflow *wf, const WfpStepWrite *writes, int n,
					bool is_new)
{
	Datum	   *keys,
			   *pos,
			   *oks,
			   *vals,
			   *hashes,
			   *sizes,
			   *pendings;
	bool	   *oknulls,
			   *pendnulls;
	Datum		values[8];

	if (n == 0)
		return;
	/* a few rows: plain statements beat building and unnesting arrays */
	if (n <= 4)
	{
		for (int j = 0; j < n; j++)
			wfp_store_put_step(wf, &writes[j], is_new);
		return;
	}
	keys = palloc(sizeof(Datum) * n);
	pos = palloc(sizeof(Datum) * n);
	oks = palloc(sizeof(Datum) * n);
	oknulls = palloc(sizeof(bool) * n);
	vals = palloc(sizeof(Datum) * n);
	hashes = palloc(sizeof(Datum) * n);
	sizes = palloc(sizeof(Datum) * n);
	pendings = palloc(sizeof(Datum) * n);
	pendnulls = palloc(sizeof(bool) * n);
	for (int j = 0; j < n; j++)
	{
		const WfpStepWrite *w = &writes[j];

		keys[j] = PointerGetDatum(cstring_to_text_with_len(w->key, w->keylen));
		pos[j] = Int32GetDatum(w->pos);
		oks[j] = BoolGetDatum(w->ok);
		oknulls[j] = !w->has_ok;
		vals[j] = JsonbPGetDatum(w->value);
		hashes[j] = Int64GetDatum(w->hash);
		sizes[j] = Int32GetDatum(w->size);
		pendings[j] = w->pending ? CStringGetTextDatum(pending_names[w->pending]) : (Datum) 0;
		pendnulls[j] = !w->pending;
	}
	if (!OidIsValid(jsonb_array_oid))
		jsonb_array_oid = get_array_type(JSONBOID);

	values[0] = CStringGetTextDatum(wf->id);
	values[1] = make_array(keys, NULL, n, TEXTOID);
	values[2] = make_array(pos, NULL, n, INT4OID);
	values[3] = make_array(oks, oknulls, n, BOOLOID);
	values[4] = make_array(vals, NULL, n, JSONBOID);
	values[5] = make_array(hashes, NULL, n, INT8OID);
	values[6] = make_array(sizes, NULL, n, INT4OID);
	values[7] = make_array(pendings, pendnulls, n, TEXTOID);
	if (is_new)
		run(S_INSERT_STEPS, values, NULL, wf->ns, false, SPI_OK_INSERT);
	else
		run(S_UPDATE_STEPS, values, NULL, wf->ns, false, SPI_OK_UPDATE);
}

/* Delete the named steps (keys as text datums). */
void
wfp_store_delete_steps(WfpWorkflow *wf, Datum *keys, int n)
{
	Datum		values[2];

	if (n == 0)
		return;
	values[0] = CStringGetTextDatum(wf->id);
	values[1] = make_array(keys, NULL, n, TEXTOID);
	run(S_DELETE_STEPS, values, NULL, wf->ns, false, SPI_OK_DELETE);
}

/* Fill rows[] from the last result's columns first..first+4. */
static WfpStepRow *
fill_step_rows(int n, int first, int *count)
{
	WfpStepRow *rows = palloc(sizeof(WfpStepRow) * Max(n, 1));
	int			kept = 0;

	for (int i = 0; i < n; i++)
	{
		bool		isnull;
		Datum		d = col(i, first, &isnull);
		text	   *key;
		Datum		ok;

		if (isnull)
			continue;			/* a header without steps */
		CHECK_FOR_INTERRUPTS();
		key = DatumGetTextPP(d);
		rows[kept].key = VARDATA_ANY(key);
		rows[kept].keylen = VARSIZE_ANY_EXHDR(key);
		rows[kept].pos = DatumGetInt32(col(i, first + 1, &isnull));
		rows[kept].value_datum = col(i, first + 2, &isnull);
		ok = col(i, first + 3, &isnull);
		rows[kept].has_ok = !isnull;
		rows[kept].ok = isnull ? false : DatumGetBool(ok);
		rows[kept].recorded_at = DatumGetTimestampTz(col(i, first + 4, &isnull));
		kept++;
	}
	*count = kept;
	return rows;
}

/*
 * Delete a workflow whole: header, steps, events.  Returns whether it
 * existed, and through *was_live whether it was live (not expired).
 */
bool
wfp_store_delete(const char *ns, const char *id, bool *was_live)
{
	Datum		arg = CStringGetTextDatum(id);
	bool		expired;
	WfpWorkflow wf;

	*was_live = false;
	wf.ns = ns;
	wf.id = id;
	if (run(S_LOCK_HEADER, &arg, NULL, ns, false, SPI_OK_SELECT) != 1)
		return false;
	expired = fill_header(&wf);
	*was_live = !expired;
	/*
	 * Steps and events first: under tenant isolation their policies join
	 * to the header, so once it is gone they could no longer be deleted.
	 */
	wfp_store_forget(ns, id);
	run(S_DELETE_HEADER, &arg, NULL, ns, false, SPI_OK_DELETE);
	return true;
}

/* Delete every step and event of an id (its header is the caller's). */
static void
wfp_store_forget(const char *ns, const char *id)
{
	Datum		arg = CStringGetTextDatum(id);

	run(S_DELETE_ALL_STEPS, &arg, NULL, ns, false, SPI_OK_DELETE);
	as_history_owner(S_DELETE_EVENTS, &arg, NULL, ns, SPI_OK_DELETE);
}

/*
 * Every stored step of a workflow, unordered.  Results are detoasted
 * lazily by the caller (DatumGetJsonbP on value_datum).
 *
 * locked: the caller holds the header's lock (wfp_store_lock), so the
 * steps are read with a snapshot taken now, after the lock was granted,
 * and include whatever the writer it may have waited for committed.
 * Otherwise they are read with the caller's snapshot, the one its header
 * read used.
 */
WfpStepRow *
wfp_store_read_steps(const char *ns, const char *id, bool locked, int *count)
{
	Datum		arg = CStringGetTextDatum(id);
	int			n = run(S_READ_STEPS, &arg, NULL, ns, !locked, SPI_OK_SELECT);

	return fill_step_rows(n, 1, count);
}

/*
 * A live workflow's header and all its steps, read (not locked); false
 * when it does not exist or has expired.  Only execution and extra of the
 * header are filled in.
 */
bool
wfp_store_read_all(WfpWorkflow *wf, const char *ns, const char *id,
				   WfpStepRow **rows, int *count)
{
	bool		found;
	Datum		arg;
	int			n;

	if (wfp_store_scan_all(wf, ns, id, rows, count, &found))
		return found;

	/* row-level security applies: read through the executor */
	arg = CStringGetTextDatum(id);
	n = run(S_READ_ALL, &arg, NULL, ns, true, SPI_OK_SELECT);
	wf->ns = ns;
	wf->id = id;
	wf->created = false;
	if (n == 0)
		return false;
	fill_header(wf);
	*rows = fill_step_rows(n, N_HEADER_COLS + 1, count);
	return true;
}
