/*-------------------------------------------------------------------------
 *
 * wfp_init.c
 *	  Module magic, _PG_init and the extension's configuration parameters.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/guc.h"

#include "workflow_persist.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	MarkGUCPrefixReserved("workflow_persist");
}
