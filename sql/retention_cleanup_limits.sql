-- wf_cleanup and wf_cleanup_all take any batch_size of their int4
-- argument (F11 of the security review: 2 * batch_size overflowed int4
-- from 2^30 on).
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
LOAD 'workflow_persist';

SELECT count(wf_save_step('lim:' || i, 'a', '{"ok": true}')) FROM generate_series(1, 6) AS i;
UPDATE wf_workflow SET expires_at = now() - '1 hour'::interval WHERE id LIKE 'lim:%';

SELECT wf_cleanup(batch_size => 1073741824, dry_run => true);
SELECT wf_cleanup(batch_size => 1073741824, max_rows => 1);
SELECT wf_cleanup(batch_size => 2147483647, max_rows => 2);
SELECT wf_cleanup(2147483647);
SELECT count(wf_save_step('lim:' || i, 'a', '{"ok": true}')) FROM generate_series(1, 3) AS i;
UPDATE wf_workflow SET expires_at = now() - '1 hour'::interval WHERE id LIKE 'lim:%';
CALL wf_cleanup_all(2147483647);
CALL wf_cleanup_all(2147483647, 9223372036854775807);
SELECT count(*) AS left_over FROM wf_workflow WHERE id LIKE 'lim:%';
SELECT wf_cleanup(0);
