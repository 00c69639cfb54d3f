/*-------------------------------------------------------------------------
 *
 * wfp_notify.h
 *	  Change notifications, sent at commit (wfp_notify.c).
 *
 * Writers say which workflow they touched; the transaction callback does
 * the rest.  Needs only the settings.
 *
 *-------------------------------------------------------------------------
 */
#ifndef WFP_NOTIFY_H
#define WFP_NOTIFY_H

extern void wfp_notify_init(void);
extern void wfp_notify_track(const char *ns, const char *id,
							 const char *event, bool created);

#endif							/* WFP_NOTIFY_H */
