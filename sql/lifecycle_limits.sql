-- What the lifecycle functions store besides steps has limits of its own
-- (F9 of the security review: none was counted anywhere, so 34 MB could
-- be stored under a 2 MB max_snapshot_bytes).  A reason or a note: 64 kB;
-- decided_by and a lease owner: 1024 bytes; a suspension's request:
-- workflow_persist.max_step_bytes.  Over it: 54000 with both figures, and
-- nothing changes.
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
LOAD 'workflow_persist';

CREATE FUNCTION pg_temp.pending(id text, key text) RETURNS bigint LANGUAGE sql AS $$
    SELECT workflow_persist.wf_save_step(id, key, jsonb_build_object('ok', false,
        'error', jsonb_build_object('type', 'PENDING_APPROVAL', 'stepKey', key),
        'cause', jsonb_build_object('type', 'thrown', 'stringRepresentation', 'wait')))
$$;
SELECT wf_save_step('lim:1', 'a', '{"ok": true}');
SELECT pg_temp.pending('lim:1', 'approve');

-- wf_suspend: reason and request
SELECT wf_suspend('lim:1', repeat('r', 65537));
SET workflow_persist.max_step_bytes = '1kB';
SELECT wf_suspend('lim:1', 'big request', jsonb_build_object('blob', repeat('x', 2000)));
RESET workflow_persist.max_step_bytes;
SELECT version, status, suspend_reason IS NULL AS no_reason FROM wf_workflow WHERE id = 'lim:1';
SELECT wf_suspend('lim:1', repeat('r', 65536), jsonb_build_object('blob', repeat('x', 2000)));

-- wf_approve and wf_reject: note, decided_by, reason
SELECT wf_approve('lim:1', 'approve', note => repeat('n', 65537));
SELECT wf_approve('lim:1', 'approve', decided_by => repeat('d', 1025));
SELECT wf_reject('lim:1', 'approve', repeat('r', 65537));
SELECT wf_reject('lim:1', 'approve', 'no', note => repeat('n', 65537));
SELECT wf_reject('lim:1', 'approve', 'no', decided_by => repeat('d', 1025));
SELECT version, pending FROM wf_workflow WHERE id = 'lim:1';
SELECT wf_approve('lim:1', 'approve', note => repeat('n', 65536), decided_by => repeat('d', 1024));

-- wf_lease_acquire: owner
SELECT wf_lease_acquire('lim:1', repeat('o', 1025), '1 minute');
SELECT lease_owner IS NULL AS no_owner FROM wf_workflow WHERE id = 'lim:1';
SELECT wf_lease_acquire('lim:1', repeat('o', 1024), '1 minute') IS NOT NULL AS leased;

-- wf_cancel: reason
SELECT wf_cancel('lim:1', repeat('c', 65537));
SELECT status FROM wf_workflow WHERE id = 'lim:1';
SELECT wf_cancel('lim:1', repeat('c', 65536));

-- what the history holds: every stored text within its limit
SELECT event, octet_length(actor) <= 1024 AS actor_bounded, octet_length(detail::text) < 70000 AS bounded
  FROM wf_event WHERE workflow_id = 'lim:1' ORDER BY seq;
SELECT wf_delete('lim:1');
