/*-------------------------------------------------------------------------
 *
 * wfp_tenant.c
 *	  wf_visible_tenants(): what the tenant-isolation policies let the
 *	  current role use (docs/security.md, "Tenants").
 *
 * The policies of wf_enable_isolation() compare a header's tenant with
 * this function's result, called in an uncorrelated sub-select, so once
 * per statement; a checkpoint runs several statements, and the step and
 * event policies join to the header.  The role's facts (whether it sees
 * everything, the tenants it is bound to) are therefore read once per
 * transaction and role, and kept until the transaction ends: a binding
 * changed by wf_bind_tenant() applies from the next transaction.  The
 * setting workflow_persist.tenant is read on every call (SET LOCAL may
 * change it between statements).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "wfp_settings.h"

PG_FUNCTION_INFO_V1(wf_visible_tenants);

/* The current role's facts, valid for one transaction and one role. */
static LocalTransactionId cached_lxid = InvalidLocalTransactionId;
static Oid	cached_role = InvalidOid;
static bool cached_all;			/* sees every workflow */
static int	cached_count;		/* tenants it is bound to */
static char **cached_tenants;	/* in TopTransactionContext */

/* the two statements, planned once per backend */
static SPIPlanPtr owner_plan = NULL;
static SPIPlanPtr bindings_plan = NULL;

static SPIPlanPtr
keep(SPIPlanPtr plan)
{
	if (plan == NULL || SPI_keepplan(plan) != 0)
		elog(ERROR, "could not prepare a statement of wf_visible_tenants: %s",
			 SPI_result_code_string(SPI_result));
	return plan;
}

/*
 * Read whether the role sees everything (superuser, BYPASSRLS, the
 * extension's owner) and the tenants it is bound to, through the binding
 * table's own policy (a role reads the bindings of the roles it has the
 * privileges of).
 */
static void
load_role_facts(Oid role)
{
	Datum		arg = ObjectIdGetDatum(role);
	Oid			argtype = OIDOID;
	bool		isnull;
	int			n;
	MemoryContext old;

	cached_role = InvalidOid;
	cached_count = 0;
	cached_tenants = NULL;
	cached_all = superuser_arg(role) || has_bypassrls_privilege(role);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (owner_plan == NULL)
		owner_plan = keep(SPI_prepare("SELECT $1 OPERATOR(pg_catalog.=) e.extowner "
									  "FROM pg_catalog.pg_extension AS e "
									  "WHERE e.extname OPERATOR(pg_catalog.=) 'workflow_persist'",
									  1, &argtype));
	if (SPI_execute_plan(owner_plan, &arg, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the owner of workflow_persist");
	if (SPI_processed == 1 &&
		DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0],
								   SPI_tuptable->tupdesc, 1, &isnull)) && !isnull)
		cached_all = true;

	if (!cached_all)
	{
		if (bindings_plan == NULL)
			bindings_plan = keep(SPI_prepare("SELECT DISTINCT b.tenant "
											 "FROM workflow_persist.wf_tenant_binding AS b "
											 "WHERE pg_catalog.pg_has_role(b.role::pg_catalog.oid, 'USAGE') "
											 "ORDER BY 1", 0, NULL));
		if (SPI_execute_plan(bindings_plan, NULL, NULL, true, 0) != SPI_OK_SELECT)
			elog(ERROR, "could not read the tenant bindings");
		n = (int) SPI_processed;
		old = MemoryContextSwitchTo(TopTransactionContext);
		cached_tenants = palloc(sizeof(char *) * Max(n, 1));
		for (int i = 0; i < n; i++)
			cached_tenants[i] = SPI_getvalue(SPI_tuptable->vals[i],
											 SPI_tuptable->tupdesc, 1);
		MemoryContextSwitchTo(old);
		cached_count = n;
	}
	SPI_finish();
	cached_role = role;
}

/*
 * wf_visible_tenants() RETURNS text[]: NULL when the role sees every
 * workflow; else the tenants it may use, '' standing for "no tenant" (a
 * role bound to none uses the workflows without one).  With
 * workflow_persist.tenant set, that tenant alone, or 42501 when the role
 * may not use it.
 */
Datum
wf_visible_tenants(PG_FUNCTION_ARGS)
{
	Oid			role = GetUserId();
	const char *setting = wfp_tenant;
	Datum	   *elems;
	int			n = 0;

	if (cached_role != role || cached_lxid != MyProc->lxid)
	{
		load_role_facts(role);
		cached_lxid = MyProc->lxid;
	}
	if (cached_all)
		PG_RETURN_NULL();

	elems = palloc(sizeof(Datum) * Max(cached_count, 1));
	if (setting != NULL && setting[0] != '\0')
	{
		for (int i = 0; i < cached_count; i++)
			if (strcmp(cached_tenants[i], setting) == 0)
				elems[n++] = CStringGetTextDatum(setting);
		if (n == 0)
		{
			StringInfoData list;

			initStringInfo(&list);
			for (int i = 0; i < cached_count; i++)
				appendStringInfo(&list, "%s%s", i > 0 ? ", " : "", cached_tenants[i]);
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("role \"%s\" is not bound to tenant \"%s\"",
							GetUserNameFromId(role, false), setting),
					 cached_count == 0 ?
					 errhint("The role is bound to no tenant: it may use only workflows without one.") :
					 errhint("It may use: %s.", list.data)));
		}
	}
	else if (cached_count == 0)
		elems[n++] = CStringGetTextDatum("");
	else
		for (int i = 0; i < cached_count; i++)
			elems[n++] = CStringGetTextDatum(cached_tenants[i]);

	PG_RETURN_ARRAYTYPE_P(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}
