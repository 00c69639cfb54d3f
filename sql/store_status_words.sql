-- Status words (issue 12 §2): an engine's own word for the status, given
-- with the save, mapped to one of the five store statuses through
-- wf_status_word, kept for reading back (wf_info, wf_list).
--   Flujo running|paused|completed|failed|cancelled, NeuroCore
--   running|completed|failed|suspended, Neuron AI interrupted are built in;
--   an unknown word is 22023 naming the field, nothing written; a later
--   save without a status clears a suspension the word made.
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
\set RUN '{"formatVersion":1,"steps":{"a":{"ok":true,"value":1}},"execution":{"status":"running","lastUpdated":"t"}}'

SELECT word, status FROM wf_status_word ORDER BY status, word;

-- Flujo: save_state with status "paused" suspends the run in one call
SELECT wf_save('sw:flujo', :'RUN', status => 'paused');
SELECT status, status_word, version FROM wf_info('sw:flujo');
SELECT id, status, status_word FROM wf_list(prefix => 'sw:');
SELECT id, kind, reason FROM wf_pending('sw:flujo');
-- a checkpoint keeps the engine's status
SELECT wf_save_step('sw:flujo', 'b', '{"ok":true}');
SELECT status, status_word FROM wf_info('sw:flujo');
-- the next save with "running" resumes it; without a status, the document decides
SELECT wf_save('sw:flujo', :'RUN', status => 'running');
SELECT status, status_word FROM wf_info('sw:flujo');
SELECT count(*) AS waiting FROM wf_pending('sw:flujo');
SELECT wf_save('sw:flujo', :'RUN', status => 'paused');
SELECT wf_save('sw:flujo', :'RUN');
SELECT status, status_word FROM wf_info('sw:flujo');
SELECT count(*) AS waiting FROM wf_pending('sw:flujo');
-- the word beats the document: a run that says "completed"
SELECT wf_save('sw:flujo', :'RUN', status => 'completed');
SELECT status, status_word FROM wf_info('sw:flujo');
SELECT wf_save('sw:flujo', :'RUN', status => 'cancelled');
SELECT status, status_word FROM wf_info('sw:flujo');
SELECT wf_save('sw:flujo', :'RUN', status => 'failed');
SELECT status, status_word FROM wf_info('sw:flujo');
SELECT event FROM wf_history('sw:flujo') WHERE event NOT IN ('created', 'step recorded');

-- NeuroCore: "suspended", then a resume through the lifecycle clears the word
SELECT wf_save('sw:nc', :'RUN', status => 'suspended');
SELECT status, status_word FROM wf_info('sw:nc');
SELECT wf_resume('sw:nc');
SELECT status, status_word FROM wf_info('sw:nc');
-- Neuron AI: "interrupted"; a cancel clears the word
SELECT wf_save('sw:neuron', :'RUN', status => 'interrupted');
SELECT status, status_word FROM wf_info('sw:neuron');
SELECT wf_cancel('sw:neuron');
SELECT status, status_word FROM wf_info('sw:neuron');
-- wf_suspend's own suspension is not a word's: a save without status keeps it
SELECT wf_save('sw:held', :'RUN');
SELECT wf_suspend('sw:held', 'manual hold');
SELECT wf_save('sw:held', :'RUN');
SELECT status, status_word FROM wf_info('sw:held');

-- a word an administrator adds
INSERT INTO wf_status_word VALUES ('waiting_for_input', 'suspended');
SELECT wf_save('sw:custom', :'RUN', status => 'waiting_for_input');
SELECT status, status_word FROM wf_info('sw:custom');
INSERT INTO wf_status_word VALUES ('bogus', 'sleeping');
\echo :SQLSTATE

-- unknown words: 22023, DETAIL names the field, nothing written
SELECT wf_save('sw:bad', :'RUN', status => 'pausd');
\echo :SQLSTATE
SELECT wf_save('sw:flujo', :'RUN', status => 'PAUSED');
\echo :SQLSTATE
SELECT wf_exists('sw:bad') AS bad_written, (SELECT version FROM wf_info('sw:flujo')) AS flujo_version;

-- clean up
DELETE FROM wf_status_word WHERE word = 'waiting_for_input';
SELECT count(*) FROM (SELECT wf_delete(id) FROM wf_list(prefix => 'sw:')) AS d;
