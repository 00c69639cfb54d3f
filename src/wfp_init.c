/*-------------------------------------------------------------------------
 *
 * wfp_init.c
 *	  Module magic, _PG_init and the extension's configuration parameters.
 *
 * Every setting here can be defined whether or not the library is in
 * shared_preload_libraries, so CREATE EXTENSION and every SQL function
 * work without preloading.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/guc.h"
#include "utils/memutils.h"

#include "workflow_persist.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/* workflow_persist.validation */
int			wfp_validation = WFP_VALIDATION_AWAITLY;

/* workflow_persist.max_snapshot_bytes / max_step_bytes (0 = no limit) */
int			wfp_max_snapshot_bytes = 64 * 1024 * 1024;
int			wfp_max_step_bytes = 16 * 1024 * 1024;

static const struct config_enum_entry validation_options[] = {
	{"awaitly", WFP_VALIDATION_AWAITLY, false},
	{"strict", WFP_VALIDATION_STRICT, false},
	{"off", WFP_VALIDATION_OFF, false},
	{NULL, 0, false}
};

void
_PG_init(void)
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
							"A write that would store a larger workflow fails with program_limit_exceeded.",
							&wfp_max_snapshot_bytes,
							64 * 1024 * 1024,
							0, MaxAllocSize,
							PGC_SUSET,
							GUC_UNIT_BYTE,
							NULL, NULL, NULL);

	DefineCustomIntVariable("workflow_persist.max_step_bytes",
							"Largest step result, in bytes of jsonb (0 = no limit).",
							"A write of a larger step result fails with program_limit_exceeded.",
							&wfp_max_step_bytes,
							16 * 1024 * 1024,
							0, MaxAllocSize,
							PGC_SUSET,
							GUC_UNIT_BYTE,
							NULL, NULL, NULL);

	MarkGUCPrefixReserved("workflow_persist");
}
