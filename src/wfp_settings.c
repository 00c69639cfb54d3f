/*-------------------------------------------------------------------------
 *
 * wfp_settings.c
 *	  The extension's configuration parameters (workflow_persist.*).
 *
 * Every setting here can be defined whether or not the library is in
 * shared_preload_libraries, so CREATE EXTENSION and every SQL function
 * work without preloading.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/guc.h"

#include "wfp_settings.h"

/* workflow_persist.validation */
int			wfp_validation = WFP_VALIDATION_AWAITLY;

/* workflow_persist.max_snapshot_bytes / max_step_bytes (0 = no limit) */
int			wfp_max_snapshot_bytes = 64 * 1024 * 1024;
int			wfp_max_step_bytes = 16 * 1024 * 1024;

/* workflow_persist.notify (wfp_notify.c) */
bool		wfp_notify = false;

/* the cleanup worker (wfp_worker.c) */
int			wfp_cleanup_interval = 60;
char	   *wfp_cleanup_databases = "";
int			wfp_cleanup_batch_size = 20;
int			wfp_cleanup_batch_delay = 50;
char	   *wfp_cleanup_role = "";

/* workflow_persist.tenant: the tenant of the workflows created ("" = none) */
char	   *wfp_tenant = "";
/* workflow_persist.namespace: the namespace of calls that name none */
char	   *wfp_namespace = "default";

/* workflow_persist.finished_read_only: completed/cancelled refuse writes */
bool		wfp_finished_read_only = false;

static const struct config_enum_entry validation_options[] = {
	{"awaitly", WFP_VALIDATION_AWAITLY, false},
	{"strict", WFP_VALIDATION_STRICT, false},
	{"off", WFP_VALIDATION_OFF, false},
	{NULL, 0, false}
};

/*
 * A tenant name: 1 to 63 bytes of letters, digits, '_', '.' and '-'.
 * Returns NULL when it is one, else what is wrong with it.
 */
const char *
wfp_tenant_name_problem(const char *name)
{
	size_t		len = strlen(name);

	if (len < 1 || len > WFP_MAX_TENANT_BYTES)
		return "A tenant name is 1 to 63 bytes long.";
	for (const char *c = name; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			  (*c >= '0' && *c <= '9') || *c == '_' || *c == '.' || *c == '-'))
			return "A tenant name holds only letters, digits, \"_\", \".\" and \"-\".";
	return NULL;
}

static bool
check_tenant(char **newval, void **extra, GucSource source)
{
	const char *problem;

	if (*newval == NULL || (*newval)[0] == '\0')
		return true;
	problem = wfp_tenant_name_problem(*newval);
	if (problem != NULL)
	{
		GUC_check_errdetail("%s", problem);
		return false;
	}
	return true;
}

/*
 * The namespace rule, written once: 1 to WFP_MAX_NAMESPACE_BYTES bytes of
 * [A-Za-z0-9_.-].  NULL when ns follows it, else a sentence for the error's
 * DETAIL (in the caller's memory).  '*' (every namespace) is the caller's
 * business.
 */
char *
wfp_namespace_problem(const char *ns)
{
	size_t		len = strlen(ns);

	if (len < 1 || len > WFP_MAX_NAMESPACE_BYTES)
		return psprintf("A namespace is 1 to %d bytes long; the one given is %zu bytes long.",
						WFP_MAX_NAMESPACE_BYTES, len);
	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) ns[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
			return psprintf("Byte %zu of the namespace is not one of A-Z, a-z, 0-9, \"_\", \".\" or \"-\".",
							i + 1);
	}
	return NULL;
}

/* workflow_persist.namespace takes a namespace or '*' (every one) */
static bool
check_namespace(char **newval, void **extra, GucSource source)
{
	char	   *problem;

	if (strcmp(*newval, WFP_EVERY_NAMESPACE) == 0)
		return true;
	problem = wfp_namespace_problem(*newval);
	if (problem == NULL)
		return true;
	GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
	GUC_check_errmsg("invalid namespace \"%s\"", *newval);
	GUC_check_errdetail("%s", problem);
	return false;
}

/* Define every workflow_persist.* setting; called once, from _PG_init. */
void
wfp_define_settings(void)
{
	DefineCustomEnumVariable("workflow_persist.validation",
							 "How snapshots and step results are checked before they are stored.",
							 "awaitly: awaitly's validateSnapshot rules; "
							 "strict: those plus workflow_persist's strict checks; "
							 "off: no format check (the store still needs an object with a \"steps\" object).",
							 &wfp_validation,
							 WFP_VALIDATION_AWAITLY,
							 validation_options,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("workflow_persist.max_snapshot_bytes",
							"Largest stored snapshot, in bytes of jsonb (0 = no limit).",
							"A write that would store a larger workflow fails with program_limit_exceeded; "
							"jsonb's own limit (256 MB) applies even at 0.",
							&wfp_max_snapshot_bytes,
							64 * 1024 * 1024,
							0, WFP_MAX_DOCUMENT_BYTES,
							PGC_SUSET,
							GUC_UNIT_BYTE,
							NULL, NULL, NULL);

	DefineCustomIntVariable("workflow_persist.max_step_bytes",
							"Largest step result, in bytes of jsonb (0 = no limit).",
							"A write of a larger step result fails with program_limit_exceeded.",
							&wfp_max_step_bytes,
							16 * 1024 * 1024,
							0, WFP_MAX_DOCUMENT_BYTES,
							PGC_SUSET,
							GUC_UNIT_BYTE,
							NULL, NULL, NULL);

	DefineCustomBoolVariable("workflow_persist.notify",
							 "Send NOTIFY workflow_persist for every workflow a committed transaction wrote.",
							 "One notification per workflow per transaction, with its final version and status.",
							 &wfp_notify,
							 false,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	/*
	 * The worker's settings are PGC_SIGHUP, not PGC_POSTMASTER: they can be
	 * defined when the library is loaded by CREATE EXTENSION after startup
	 * (no FATAL), and the running worker picks changes up on reload.
	 */
	DefineCustomIntVariable("workflow_persist.cleanup_interval",
							"Seconds between two rounds of the cleanup worker (0 = off).",
							"Needs workflow_persist in shared_preload_libraries.",
							&wfp_cleanup_interval,
							60,
							0, 7 * 24 * 3600,
							PGC_SIGHUP,
							GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomStringVariable("workflow_persist.cleanup_databases",
							   "Databases the cleanup worker cleans (comma-separated; empty = none).",
							   "Names are SQL identifiers: quote mixed-case names. "
							   "Databases without the extension are skipped.",
							   &wfp_cleanup_databases,
							   "",
							   PGC_SIGHUP,
							   GUC_LIST_INPUT | GUC_SUPERUSER_ONLY,
							   NULL, NULL, NULL);

	DefineCustomIntVariable("workflow_persist.cleanup_batch_size",
							"Workflows the cleanup worker deletes per transaction.",
							"Small batches keep the cleanup from lengthening concurrent writes (docs/performance-retention.md).",
							&wfp_cleanup_batch_size,
							20,
							1, 1000000,
							PGC_SIGHUP,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("workflow_persist.cleanup_batch_delay",
							"Pause of the cleanup worker between two batches.",
							"Leaves the server to the application while a backlog is cleaned (docs/performance-retention.md); 0 = none.",
							&wfp_cleanup_batch_delay,
							50,
							0, 60000,
							PGC_SIGHUP,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomStringVariable("workflow_persist.cleanup_role",
							   "Role the cleanup worker connects as (empty = the bootstrap superuser).",
							   "It needs EXECUTE on workflow_persist.wf_cleanup and the privileges of wf_grant_access(role).",
							   &wfp_cleanup_role,
							   "",
							   PGC_SIGHUP,
							   GUC_SUPERUSER_ONLY,
							   NULL, NULL, NULL);

	/*
	 * USERSET: an application sets it per transaction.  It cannot be used
	 * to forge a tenant: with isolation on, the row-level-security
	 * policies accept only the tenants the role is bound to
	 * (wf_bind_tenant).
	 */
	DefineCustomStringVariable("workflow_persist.tenant",
							   "Tenant of the workflows this session creates and sees (empty = none).",
							   "With isolation on (wf_enable_isolation), only a tenant the role is bound to "
							   "(wf_bind_tenant) is accepted.",
							   &wfp_tenant,
							   "",
							   PGC_USERSET,
							   0,
							   check_tenant, NULL, NULL);
	DefineCustomStringVariable("workflow_persist.namespace",
							   "Namespace of the calls that name none (namespace => NULL).",
							   "1 to 63 bytes of A-Z, a-z, 0-9, _, . and -; \"*\" means every namespace "
							   "for the functions over many workflows (wf_list, wf_stats, wf_pending, wf_cleanup).",
							   &wfp_namespace,
							   "default",
							   PGC_USERSET,
							   0,
							   check_namespace, NULL, NULL);

	DefineCustomBoolVariable("workflow_persist.finished_read_only",
							 "Completed and cancelled runs refuse every write.",
							 "Off (the default): whole saves (wf_save, wf_merge) write at any status "
							 "and only a checkpoint of a cancelled run is refused.",
							 &wfp_finished_read_only,
							 false,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	MarkGUCPrefixReserved("workflow_persist");
}

/* The level of workflow_persist.validation: 0 off, 1 awaitly, 2 strict. */
int
wfp_validation_level(void)
{
	switch (wfp_validation)
	{
		case WFP_VALIDATION_OFF:
			return 0;
		case WFP_VALIDATION_AWAITLY:
			return 1;
		case WFP_VALIDATION_STRICT:
			return 2;
	}
	return 0;
}
