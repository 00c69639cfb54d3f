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
#include "miscadmin.h"
#include "utils/guc.h"

#include "workflow_persist.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	wfp_define_settings();
	wfp_notify_init();

	/* the worker exists only when the library is preloaded */
	if (process_shared_preload_libraries_in_progress)
		wfp_worker_register();
}
