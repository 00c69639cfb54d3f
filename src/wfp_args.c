/*-------------------------------------------------------------------------
 *
 * wfp_args.c
 *	  Argument checks shared by the SQL-callable functions.
 *
 * Ids, namespaces, required arguments, optional text, expected_version
 * and ttl are checked here, before any table is touched, with the errors
 * docs/reference.md lists for each function.  The id rule is written once,
 * here: the SQL functions check ids with wf_check_id(), a C function too;
 * namespaces with wf_namespace(), on the rule of wfp_settings.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "wfp_settings.h"
#include "wfp_sql.h"

PG_FUNCTION_INFO_V1(wf_check_id);
PG_FUNCTION_INFO_V1(wf_check_tenant);
PG_FUNCTION_INFO_V1(wf_namespace);

/* A workflow id: 1..512 bytes, else 22023. */
static char *
wfp_check_id_cstring(char *id)
{
	int			len = strlen(id);

	if (len < 1 || len > WFP_MAX_ID_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("workflow id must be 1 to %d bytes long",
						WFP_MAX_ID_BYTES),
				 errdetail("The id given is %d bytes long.", len)));
	return id;
}

/* A workflow id argument (raises on NULL too). */
char *
wfp_arg_id(FunctionCallInfo fcinfo, int argno)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("workflow id must not be null")));
	return wfp_check_id_cstring(text_to_cstring(PG_GETARG_TEXT_PP(argno)));
}

/*
 * wf_check_id(id): the id unchanged when it is one, else the errors of
 * wfp_arg_id (22004, 22023).  The SQL-language functions call it.
 */
Datum
wf_check_id(PG_FUNCTION_ARGS)
{
	(void) wfp_arg_id(fcinfo, 0);
	PG_RETURN_DATUM(PG_GETARG_DATUM(0));
}

/*
 * wf_check_tenant(tenant): the name unchanged when it is a tenant name
 * (the rule of the setting workflow_persist.tenant), 22004 on NULL,
 * 22023 with the rule in DETAIL otherwise.  The SQL functions call it.
 */
Datum
wf_check_tenant(PG_FUNCTION_ARGS)
{
	char	   *name;
	const char *problem;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("tenant must not be null")));
	name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	problem = wfp_tenant_name_problem(name);
	if (problem != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid tenant name: \"%s\"", name),
				 errdetail("%s", problem)));
	PG_RETURN_DATUM(PG_GETARG_DATUM(0));
}

/*
 * A namespace argument: NULL (or absent) means workflow_persist.namespace.
 * The rule is wfp_namespace_problem's (22023 with DETAIL); '*' (every
 * namespace) only where many is true, for the functions over many
 * workflows.  Returns the namespace, or "*".
 */
char *
wfp_namespace_arg(const char *given, bool many)
{
	const char *ns = given ? given : wfp_namespace;
	char	   *problem;

	if (strcmp(ns, WFP_EVERY_NAMESPACE) == 0)
	{
		if (!many)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("namespace \"*\" is not valid here"),
					 errdetail(given ? "\"*\" (every namespace) is for functions over many workflows; this one is about one workflow."
							   : "workflow_persist.namespace is \"*\" (every namespace), which is for functions over many workflows; this one is about one workflow."),
					 errhint("Pass the workflow's namespace.")));
		return pstrdup(ns);
	}
	problem = wfp_namespace_problem(ns);
	if (problem != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid namespace \"%s\"", ns),
				 errdetail("%s", problem)));
	return pstrdup(ns);
}

char *
wfp_arg_namespace(FunctionCallInfo fcinfo, int argno, bool many)
{
	return wfp_namespace_arg(wfp_arg_text_or_null(fcinfo, argno), many);
}

/*
 * wf_namespace(namespace, many): the namespace a call means (NULL: the
 * setting), checked by the one rule; the SQL-language functions call it.
 */
Datum
wf_namespace(PG_FUNCTION_ARGS)
{
	bool		many = PG_NARGS() > 1 && !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);

	PG_RETURN_TEXT_P(cstring_to_text(wfp_arg_namespace(fcinfo, 0, many)));
}

/* A step position (an engine's step index): 0 or more, else 22023. */
int32
wfp_arg_position(int32 position, const char *field)
{
	if (position < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be negative", field),
				 errdetail("%s is %d; steps are ordered by position, 0 or more.",
						   field, position)));
	return position;
}

/* A non-null argument other than the id. */
void
wfp_arg_not_null(FunctionCallInfo fcinfo, int argno, const char *name)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", name)));
}

/* An optional text argument as a C string, or NULL. */
char *
wfp_arg_text_or_null(FunctionCallInfo fcinfo, int argno)
{
	if (PG_NARGS() <= argno || PG_ARGISNULL(argno))
		return NULL;
	return text_to_cstring(PG_GETARG_TEXT_PP(argno));
}

/* expected_version: NULL (no check), 0 (must not exist) or N > 0. */
bool
wfp_arg_expected_version(FunctionCallInfo fcinfo, int argno, int64 *expected)
{
	if (PG_ARGISNULL(argno))
		return false;
	*expected = PG_GETARG_INT64(argno);
	if (*expected < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("expected_version must be 0 or positive"),
				 errdetail("0 means the workflow must not exist yet; N means it must be at version N.")));
	return true;
}

/* now() + ttl, for a positive ttl. */
TimestampTz
wfp_expiry_from_ttl(Interval *ttl)
{
	Interval	zero;

	memset(&zero, 0, sizeof(zero));
	if (!DatumGetBool(DirectFunctionCall2(interval_gt,
										  IntervalPGetDatum(ttl),
										  IntervalPGetDatum(&zero))))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ttl must be a positive interval"),
				 errhint("Pass NULL to keep the current expiry.")));
	return DatumGetTimestampTz(DirectFunctionCall2(timestamptz_pl_interval,
												   TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()),
												   IntervalPGetDatum(ttl)));
}

/* The role running this function, for the event log. */
char *
wfp_current_actor(void)
{
	return GetUserNameFromId(GetUserId(), false);
}
