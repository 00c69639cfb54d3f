/*-------------------------------------------------------------------------
 *
 * wfp_store_scan.c
 *	  The store's direct read path: a workflow's header and steps read
 *	  straight through the tables' primary keys.
 *
 * wf_load of a small workflow is dominated by SPI setting up an executor
 * for its statement.  When no row-level security applies to the tables,
 * the header and the steps are read straight through their primary keys
 * ((namespace, id) and (namespace, workflow_id, step_key))
 * with the statement's snapshot instead: the same rows, the same
 * visibility, the same privilege checks (SELECT on each table, the
 * executor's error).  With row-level security on, wfp_store.c's SPI
 * statement is used, so policies apply.  So it is when a table is not a
 * plain local heap (partitioned, foreign, another table access method) or
 * when Citus is installed (its distributed tables are empty heaps on the
 * coordinator): only the executor knows where their rows are.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/skey.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_namespace.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "wfp_store.h"

typedef struct DirectRels
{
	Oid			workflow;
	Oid			workflow_pkey;
	Oid			step;
	Oid			step_pkey;
	Oid			policy;
	Oid			policy_pkey;
	/* column numbers, looked up by name */
	AttrNumber	w_namespace,
				w_id,
				w_version,
				w_status,
				w_execution,
				w_extra,
				w_updated_at,
				w_expires_at,
				w_shape;
	AttrNumber	s_namespace,
				s_workflow_id,
				s_step_key,
				s_pos,
				s_ok,
				s_result,
				s_recorded_at;
	AttrNumber	p_namespace,
				p_status,
				p_keep;
} DirectRels;

static Oid
relation_oid(Oid nsp, const char *name)
{
	Oid			oid = get_relname_relid(name, nsp);

	if (!OidIsValid(oid))
		elog(ERROR, "relation workflow_persist.%s is missing", name);
	return oid;
}

static AttrNumber
column_attnum(Oid rel, const char *name)
{
	AttrNumber	att = get_attnum(rel, name);

	if (att == InvalidAttrNumber)
		elog(ERROR, "column \"%s\" of a workflow_persist table is missing", name);
	return att;
}

/* Is the relation an ordinary table stored in heap files of this server? */
static bool
plain_local_heap(Oid relid)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	bool		plain;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	plain = ((Form_pg_class) GETSTRUCT(tup))->relkind == RELKIND_RELATION &&
		((Form_pg_class) GETSTRUCT(tup))->relam == HEAP_TABLE_AM_OID;
	ReleaseSysCache(tup);
	return plain;
}

/*
 * The OIDs and column numbers, when the direct path may be used: false
 * when row-level security applies to one of the tables, when one is not a
 * plain local heap, or when Citus (its metadata table pg_dist_partition)
 * is installed.
 */
static bool
direct_rels(DirectRels *r)
{
	Oid			nsp = get_namespace_oid("workflow_persist", false);

	r->workflow = relation_oid(nsp, "wf_workflow");
	r->step = relation_oid(nsp, "wf_step");
	r->policy = relation_oid(nsp, "wf_retention_policy");
	if (!plain_local_heap(r->workflow) || !plain_local_heap(r->step) ||
		!plain_local_heap(r->policy) ||
		OidIsValid(get_relname_relid("pg_dist_partition", PG_CATALOG_NAMESPACE)))
		return false;
	if (check_enable_rls(r->workflow, InvalidOid, true) != RLS_NONE ||
		check_enable_rls(r->step, InvalidOid, true) != RLS_NONE ||
		check_enable_rls(r->policy, InvalidOid, true) != RLS_NONE)
		return false;
	r->workflow_pkey = relation_oid(nsp, "wf_workflow_pkey");
	r->step_pkey = relation_oid(nsp, "wf_step_pkey");
	r->policy_pkey = relation_oid(nsp, "wf_retention_policy_pkey");
	r->w_namespace = column_attnum(r->workflow, "namespace");
	r->w_id = column_attnum(r->workflow, "id");
	r->w_version = column_attnum(r->workflow, "version");
	r->w_status = column_attnum(r->workflow, "status");
	r->w_execution = column_attnum(r->workflow, "execution");
	r->w_extra = column_attnum(r->workflow, "extra");
	r->w_updated_at = column_attnum(r->workflow, "updated_at");
	r->w_expires_at = column_attnum(r->workflow, "expires_at");
	r->w_shape = column_attnum(r->workflow, "shape");
	r->s_namespace = column_attnum(r->step, "namespace");
	r->s_workflow_id = column_attnum(r->step, "workflow_id");
	r->s_step_key = column_attnum(r->step, "step_key");
	r->s_pos = column_attnum(r->step, "pos");
	r->s_ok = column_attnum(r->step, "ok");
	r->s_result = column_attnum(r->step, "result");
	r->s_recorded_at = column_attnum(r->step, "recorded_at");
	r->p_namespace = column_attnum(r->policy, "namespace");
	r->p_status = column_attnum(r->policy, "status");
	r->p_keep = column_attnum(r->policy, "keep");
	return true;
}

/* Open a table for reading after the executor's privilege check. */
static Relation
open_for_select(Oid relid)
{
	AclResult	acl = pg_class_aclcheck(relid, GetUserId(), ACL_SELECT);

	if (acl != ACLCHECK_OK)
		aclcheck_error(acl, OBJECT_TABLE, get_rel_name(relid));
	return table_open(relid, AccessShareLock);
}

static void
text_key(ScanKey key, AttrNumber att, const char *value)
{
	ScanKeyEntryInitialize(key, 0, att, BTEqualStrategyNumber, InvalidOid,
						   C_COLLATION_OID, F_TEXTEQ,
						   CStringGetTextDatum(value));
}

/*
 * Has the header (status, updated_at) passed its status' retention?  With
 * the expiry test in read_all_direct, this is the live rule of the view
 * workflow_persist.wf_live and of WFP_LIVE in wfp_store.c, in C
 * (sql/retention_live.sql checks that all of them agree).
 */
static bool
past_retention(DirectRels *r, Snapshot snapshot, const char *ns, Datum status,
			   TimestampTz updated_at)
{
	Relation	rel = open_for_select(r->policy);
	ScanKeyData key[2];
	SysScanDesc scan;
	HeapTuple	tup;
	bool		past = false;

	text_key(&key[0], r->p_namespace, ns);
	ScanKeyEntryInitialize(&key[1], 0, r->p_status, BTEqualStrategyNumber,
						   InvalidOid, DEFAULT_COLLATION_OID, F_TEXTEQ, status);
	scan = systable_beginscan(rel, r->policy_pkey, true, snapshot, 2, key);
	if (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		bool		isnull;
		Datum		keep = heap_getattr(tup, r->p_keep,
										RelationGetDescr(rel), &isnull);
		TimestampTz now = GetCurrentTransactionStartTimestamp();

		/*
		 * Updated after now: not past any keep (none has a negative part),
		 * and updated_at + keep could overflow on a far-future value.
		 */
		if (updated_at <= now)
			past = DatumGetTimestampTz(DirectFunctionCall2(timestamptz_pl_interval,
														   TimestampTzGetDatum(updated_at),
														   keep)) <= now;
	}
	systable_endscan(scan);
	/* the lock is held to the end of the transaction, as SPI would */
	table_close(rel, NoLock);
	return past;
}

static bool
read_all_direct(DirectRels *r, WfpWorkflow *wf, const char *ns,
				const char *id, WfpStepRow **rows, int *count)
{
	Snapshot	snapshot = GetActiveSnapshot();
	Relation	rel;
	TupleDesc	desc;
	ScanKeyData key[2];
	SysScanDesc scan;
	HeapTuple	tup;
	bool		isnull;
	Datum		d;
	Datum		status;
	Datum		execution;
	bool		no_execution;
	TimestampTz updated_at;
	int			n = 0,
				cap = 16;
	WfpStepRow *out;

	/*
	 * The header.  Every column is taken out of the (copied) tuple while
	 * the relation is open: once it is closed, its relcache entry and the
	 * tuple descriptor in it may be freed at the next invalidation point,
	 * such as the lock past_retention() takes.  The lock itself is kept to
	 * the end of the transaction, as SPI keeps it, so the TOAST pointers
	 * among the values stay good until they are read.
	 */
	rel = open_for_select(r->workflow);
	desc = RelationGetDescr(rel);
	text_key(&key[0], r->w_namespace, ns);
	text_key(&key[1], r->w_id, id);
	scan = systable_beginscan(rel, r->workflow_pkey, true, snapshot, 2, key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
		tup = heap_copytuple(tup);
	systable_endscan(scan);
	if (!HeapTupleIsValid(tup))
	{
		table_close(rel, NoLock);
		return false;
	}
	if (DatumGetInt64(heap_getattr(tup, r->w_version, desc, &isnull)) == 0)
	{
		table_close(rel, NoLock);
		return false;			/* a lease's placeholder: never saved */
	}
	d = heap_getattr(tup, r->w_expires_at, desc, &isnull);
	if (!isnull && DatumGetTimestampTz(d) <= GetCurrentTransactionStartTimestamp())
	{
		table_close(rel, NoLock);
		return false;			/* past its expiry */
	}
	status = heap_getattr(tup, r->w_status, desc, &isnull);
	updated_at = DatumGetTimestampTz(heap_getattr(tup, r->w_updated_at,
												  desc, &isnull));
	execution = heap_getattr(tup, r->w_execution, desc, &no_execution);
	wf->extra_datum = heap_getattr(tup, r->w_extra, desc, &isnull);
	d = heap_getattr(tup, r->w_shape, desc, &isnull);
	wf->shape = isnull ? "snapshot" : TextDatumGetCString(d);
	table_close(rel, NoLock);
	desc = NULL;

	if (past_retention(r, snapshot, ns, status, updated_at))
		return false;			/* past its retention */

	wf->ns = ns;
	wf->id = id;
	wf->created = false;
	wf->execution = no_execution ? NULL : DatumGetJsonbP(execution);
	wf->extra = NULL;

	/* the steps: a prefix scan of (namespace, workflow_id, step_key) */
	rel = open_for_select(r->step);
	desc = RelationGetDescr(rel);
	text_key(&key[0], r->s_namespace, ns);
	text_key(&key[1], r->s_workflow_id, id);
	scan = systable_beginscan(rel, r->step_pkey, true, snapshot, 2, key);
	out = palloc(sizeof(WfpStepRow) * cap);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		text	   *k;

		CHECK_FOR_INTERRUPTS();
		if (n == cap)
		{
			cap *= 2;
			out = repalloc_huge(out, sizeof(WfpStepRow) * cap);
		}
		tup = heap_copytuple(tup);
		k = DatumGetTextPP(heap_getattr(tup, r->s_step_key, desc, &isnull));
		out[n].key = VARDATA_ANY(k);
		out[n].keylen = VARSIZE_ANY_EXHDR(k);
		out[n].pos = DatumGetInt32(heap_getattr(tup, r->s_pos, desc, &isnull));
		d = heap_getattr(tup, r->s_ok, desc, &isnull);
		out[n].has_ok = !isnull;
		out[n].ok = !isnull && DatumGetBool(d);
		out[n].value_datum = heap_getattr(tup, r->s_result, desc, &isnull);
		out[n].recorded_at = DatumGetTimestampTz(heap_getattr(tup, r->s_recorded_at,
															  desc, &isnull));
		n++;
	}
	systable_endscan(scan);
	table_close(rel, NoLock);
	*rows = out;
	*count = n;
	return true;
}

/*
 * A live workflow's header and all its steps through the direct path;
 * false when row-level security applies to one of the tables (then the
 * caller reads through SPI).  *found says whether the workflow exists
 * and is live.
 */
bool
wfp_store_scan_all(WfpWorkflow *wf, const char *ns, const char *id,
				   WfpStepRow **rows, int *count, bool *found)
{
	DirectRels	r;

	if (!direct_rels(&r))
		return false;
	*found = read_all_direct(&r, wf, ns, id, rows, count);
	return true;
}
