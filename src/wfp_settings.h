/*-------------------------------------------------------------------------
 *
 * wfp_settings.h
 *	  The settings (wfp_settings.c) and the limits that are not settings.
 *
 * The bottom layer: it includes no other header of the extension, and
 * every file may include it.  The layers, bottom up, are settings, jsonb
 * (wfp_jsonb.h), rules (wfp_rules.h), store (wfp_store.h), notify
 * (wfp_notify.h), sql (wfp_sql.h), the SQL-callable entry points, worker
 * (wfp_worker.h) and init; a file includes headers of its own layer and
 * the layers below only (docs/design.md, "Files and layers";
 * scripts/check-layers.sh checks it).
 *
 *-------------------------------------------------------------------------
 */
#ifndef WFP_SETTINGS_H
#define WFP_SETTINGS_H

/* workflow_persist.validation */
typedef enum WfpValidation
{
	WFP_VALIDATION_AWAITLY,
	WFP_VALIDATION_STRICT,
	WFP_VALIDATION_OFF
} WfpValidation;

extern int	wfp_validation;
extern int	wfp_max_snapshot_bytes;
extern int	wfp_max_step_bytes;
extern bool wfp_notify;
extern int	wfp_cleanup_interval;
extern char *wfp_cleanup_databases;
extern int	wfp_cleanup_batch_size;
extern int	wfp_cleanup_batch_delay;
extern char *wfp_cleanup_role;
extern char *wfp_tenant;

extern void wfp_define_settings(void);
extern int	wfp_validation_level(void);
extern const char *wfp_tenant_name_problem(const char *name);
extern char *wfp_namespace;
extern bool wfp_finished_read_only;

extern void wfp_define_settings(void);
extern int	wfp_validation_level(void);
extern char *wfp_namespace_problem(const char *ns);

/* Limits that are not settings: ids and step keys are index keys. */
#define WFP_MAX_ID_BYTES		512
#define WFP_MAX_STEP_KEY_BYTES	1024
/* a tenant name, like an identifier */
#define WFP_MAX_TENANT_BYTES	63
/* namespaces: 1..63 bytes of [A-Za-z0-9_.-]; '*' names every namespace */
#define WFP_MAX_NAMESPACE_BYTES	63
#define WFP_EVERY_NAMESPACE		"*"
/* jsonb's own limit on a container's data (JENTRY_OFFLENMASK) */
#define WFP_MAX_DOCUMENT_BYTES	0x0FFFFFFF

#endif							/* WFP_SETTINGS_H */
