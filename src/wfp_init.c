/*-------------------------------------------------------------------------
 *
 * wfp_init.c
 *	  Module magic and _PG_init: settings, notifications, the worker.
 *
 * The top of the layers: it only starts what the others define
 * (wfp_settings.c, wfp_notify.c, wfp_worker.c).  Everything but the
 * worker works without shared_preload_libraries.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"

#include "wfp_settings.h"
#include "wfp_notify.h"
#include "wfp_worker.h"

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
