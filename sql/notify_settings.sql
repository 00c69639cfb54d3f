-- workflow_persist.notify: a boolean, off by default, that only superusers
-- set (SET, ALTER DATABASE ... SET, ALTER SYSTEM).
--
-- What is sent is checked in test/t/031_notify.pl, not here: psql prints each
-- notification with the PID of the backend that sent it ("... received
-- from server process with PID 12345."), which differs from run to run.
-- This file checks the setting, and that every kind of write commits with
-- notifications on (a payload NOTIFY refused would fail the COMMIT).
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
LOAD 'workflow_persist';

---------------------------------------------------------------------------
-- the setting
---------------------------------------------------------------------------
SHOW workflow_persist.notify;
SELECT name, setting, vartype, context, boot_val, short_desc
  FROM pg_settings WHERE name = 'workflow_persist.notify';

SET workflow_persist.notify = on;
SHOW workflow_persist.notify;
SET workflow_persist.notify = 'nonsense';
\echo :SQLSTATE
RESET workflow_persist.notify;
SHOW workflow_persist.notify;

-- SET LOCAL ends with the transaction
BEGIN;
SET LOCAL workflow_persist.notify = on;
SHOW workflow_persist.notify;
COMMIT;
SHOW workflow_persist.notify;

-- not for ordinary roles, even ones with every grant of the store
CREATE ROLE regress_wfp_notify_user;
SELECT wf_grant_access('regress_wfp_notify_user');
SET ROLE regress_wfp_notify_user;
SET workflow_persist.notify = on;
\echo :SQLSTATE
SHOW workflow_persist.notify;
ALTER ROLE regress_wfp_notify_user SET workflow_persist.notify = on;
\echo :SQLSTATE
RESET ROLE;

-- ALTER DATABASE ... SET: new sessions of the database start with it on
ALTER DATABASE :"DBNAME" SET workflow_persist.notify = on;
SELECT c.setting
  FROM pg_db_role_setting AS s JOIN pg_database AS d ON d.oid = s.setdatabase,
       unnest(s.setconfig) AS c(setting)
 WHERE d.datname = current_database() AND s.setrole = 0
   AND c.setting LIKE 'workflow_persist.%';
\c
LOAD 'workflow_persist';
SHOW workflow_persist.notify;
-- the value stays when the session switches to an ordinary role
SET ROLE regress_wfp_notify_user;
SHOW workflow_persist.notify;
RESET ROLE;
ALTER DATABASE :"DBNAME" RESET workflow_persist.notify;
\c
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
LOAD 'workflow_persist';
SHOW workflow_persist.notify;

-- ALTER SYSTEM writes it to postgresql.auto.conf (its effect after a
-- reload is checked in test/t/031_notify.pl)
ALTER SYSTEM SET workflow_persist.notify = on;
SELECT name, setting, error FROM pg_file_settings
 WHERE name = 'workflow_persist.notify' AND sourcefile LIKE '%postgresql.auto.conf';
ALTER SYSTEM RESET workflow_persist.notify;
SELECT count(*) FROM pg_file_settings
 WHERE name = 'workflow_persist.notify' AND sourcefile LIKE '%postgresql.auto.conf';

---------------------------------------------------------------------------
-- with notifications on, every kind of write commits
---------------------------------------------------------------------------
SET workflow_persist.notify = on;
SELECT wf_save('ntf:set:1', '{"formatVersion":1,"steps":{},"execution":{"status":"running","lastUpdated":"2026-01-01T00:00:00.000Z"}}');
SELECT wf_save_step('ntf:set:1', 'a', '{"ok": true}');
SELECT wf_merge('ntf:set:1', '{"formatVersion":1,"steps":{"b":{"ok":true}},"execution":{"status":"running","lastUpdated":"2026-01-01T00:00:00.000Z"}}');
SELECT wf_suspend('ntf:set:1', 'waiting for a human', '{"form": "ok?"}');
SELECT wf_resume('ntf:set:1', '{"by": "sam"}');
SELECT wf_fork('ntf:set:1', 'ntf:set:fork', 'a');
SELECT wf_cancel('ntf:set:1', 'test');
SELECT wf_replay('ntf:set:1', 'ntf:set:replay');
SELECT wf_delete('ntf:set:fork');
-- a 512-byte id made of the characters JSON escapes the most (each control
-- character becomes 6 bytes): its payload stays below NOTIFY's 8000 bytes
SELECT wf_save_step(repeat(chr(1), 512), 'a', '{"ok": true}');
SELECT wf_save_step(repeat('"\', 256), 'a', '{"ok": true}');
SELECT wf_save_step(repeat(E'\n🧾', 102) || 'xx', 'a', '{"ok": true}');
-- several workflows and several writes to each in one transaction
BEGIN;
SELECT wf_save_step('ntf:set:' || i, 'k' || j, '{"ok": true}')
  FROM generate_series(2, 4) AS i, generate_series(1, 3) AS j ORDER BY i, j;
SAVEPOINT s;
SELECT wf_delete('ntf:set:2');
ROLLBACK TO SAVEPOINT s;
COMMIT;
SELECT id, version, status FROM wf_list(prefix => 'ntf:set:') ORDER BY id;
-- written and deleted again in one transaction
BEGIN;
SELECT wf_save_step('ntf:set:gone', 'a', '{"ok": true}');
SELECT wf_delete('ntf:set:gone');
COMMIT;
RESET workflow_persist.notify;

DROP OWNED BY regress_wfp_notify_user;
DROP ROLE regress_wfp_notify_user;

-- clean up: later tests count every stored workflow
SELECT count(wf_delete(id)) AS deleted FROM wf_workflow
 WHERE id LIKE 'ntf:set:%' OR id IN (repeat(chr(1), 512), repeat('"\', 256), repeat(E'\n🧾', 102) || 'xx');
SELECT count(*) AS leftovers FROM wf_workflow
 WHERE id LIKE 'ntf:set:%' OR id IN (repeat(chr(1), 512), repeat('"\', 256), repeat(E'\n🧾', 102) || 'xx');
