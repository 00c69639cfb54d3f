/*-------------------------------------------------------------------------
 *
 * wfp_worker.h
 *	  The cleanup background worker (wfp_worker.c).
 *
 * The worker only calls the SQL function wf_cleanup(), through SPI: in C
 * it depends on the settings alone.
 *
 *-------------------------------------------------------------------------
 */
#ifndef WFP_WORKER_H
#define WFP_WORKER_H

extern void wfp_worker_register(void);

#endif							/* WFP_WORKER_H */
