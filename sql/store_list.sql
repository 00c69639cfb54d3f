-- wf_list, wf_info, wf_exists, wf_delete and the wf_stats view.
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
\set S '{"formatVersion":1,"steps":{"a":{"ok":true}},"execution":{"status":"running","lastUpdated":"t"}}'
\set C '{"formatVersion":1,"steps":{"a":{"ok":true},"b":{"ok":true}},"execution":{"status":"completed","lastUpdated":"t"}}'
\set F '{"formatVersion":1,"steps":{"a":{"ok":false,"error":1,"cause":{}}},"execution":{"status":"failed","lastUpdated":"t"}}'
-- the files before this one cleaned up after themselves
SELECT count(*) AS workflows FROM wf_workflow;

---------------------------------------------------------------------------
-- order: newest updated_at first, ties by id; keyset paging over ties
---------------------------------------------------------------------------
-- five workflows saved in one transaction share updated_at
BEGIN;
SELECT wf_save(id, :'S') FROM unnest(array['list:t:c', 'list:t:a', 'list:t:e', 'list:t:b', 'list:t:d']) AS id ORDER BY id;
COMMIT;
SELECT pg_sleep(0.01);
-- two more in a later transaction (and an id that contains the cursor's ':')
BEGIN;
SELECT wf_save('list:u:y', :'C'), wf_save('list:u:x', :'F');
COMMIT;
SELECT pg_sleep(0.01);
-- then one of the first five moves to the top
SELECT wf_save_step('list:t:d', 'b', '{"ok":true}');
SELECT id, status, version, step_count, pending FROM wf_list('list:');
-- the "next" of a row is the cursor after it; every row carries one
SELECT count(*) = count(DISTINCT next) AS distinct_cursors FROM wf_list('list:');
-- paging with 1, 2 and 3 rows a page gives every row once, in order
CREATE TEMP TABLE list_pages (page_size int, n int, page int, id text);
DO $$
DECLARE
    sz int;
    cur text;
    r record;
    got int;
    n int;
    page int;
BEGIN
    FOREACH sz IN ARRAY array[1, 2, 3] LOOP
        cur := NULL;
        n := 0;
        page := 0;
        LOOP
            got := 0;
            page := page + 1;
            FOR r IN SELECT * FROM workflow_persist.wf_list('list:', NULL, sz, cur) LOOP
                got := got + 1;
                n := n + 1;
                INSERT INTO list_pages VALUES (sz, n, page, r.id);
                cur := r.next;
            END LOOP;
            EXIT WHEN got = 0 OR page > 20;
        END LOOP;
    END LOOP;
END
$$;
SELECT page_size, count(*) AS rows, count(DISTINCT id) AS ids, max(page) AS pages,
       string_agg(id, ' ' ORDER BY n) = (SELECT string_agg(id, ' ') FROM wf_list('list:')) AS same_order
  FROM list_pages GROUP BY page_size ORDER BY page_size;
-- paging with a status filter
SELECT l.id FROM wf_list('list:', 'running', 2) AS l ORDER BY l.updated_at DESC, l.id;
SELECT id FROM wf_list('list:', 'running', 2, (SELECT next FROM wf_list('list:', 'running', 2) ORDER BY updated_at, id DESC LIMIT 1));
DROP TABLE list_pages;

---------------------------------------------------------------------------
-- status filter
---------------------------------------------------------------------------
SELECT id FROM wf_list('list:', 'completed');
SELECT id FROM wf_list('list:', 'failed');
SELECT count(*) FROM wf_list('list:', 'running');
SELECT count(*) FROM wf_list('list:', 'suspended');
SELECT count(*) FROM wf_list('list:', 'cancelled');
-- a run waiting for two approvals and a cancelled one: the lifecycle's
-- statuses filter like the others, and "pending" counts the waiting steps
SELECT wf_save('list:v:s', '{"formatVersion":1,"steps":{"a":{"ok":true},"p1":{"ok":false,"error":{"type":"PENDING_APPROVAL","stepKey":"p1"},"cause":{"type":"thrown","stringRepresentation":"p"},"meta":{"origin":"result"}},"h:1":{"ok":false,"error":{"type":"PENDING_HOOK","hookId":"1"},"cause":{"type":"thrown","stringRepresentation":"p"},"meta":{"origin":"result"}}},"execution":{"status":"running","lastUpdated":"t"}}');
SELECT wf_save('list:v:k', :'S');
SELECT wf_cancel('list:v:k');
SELECT id, status, step_count, pending FROM wf_list('list:', 'suspended');
SELECT id, status, step_count, pending FROM wf_list('list:', 'cancelled');
SELECT id, status, pending FROM wf_info('list:v:s');

---------------------------------------------------------------------------
-- prefix: literal (%, _ and \ are ordinary characters), byte-wise
---------------------------------------------------------------------------
SELECT wf_save(id, :'S') FROM unnest(array['lp%1', 'lpx1', 'lp_1', 'lpy1', E'lp\\1', 'lpq', 'LP1', 'lp', 'lp' || chr(1114111) || 'z', 'lp' || chr(1114111)]) AS id ORDER BY id;
SELECT id FROM wf_list('lp%') ORDER BY id;
SELECT id FROM wf_list('lp_') ORDER BY id;
SELECT id FROM wf_list(E'lp\\') ORDER BY id;
-- (U+10FFFF, the last code point, is shown as <max>)
SELECT replace(id, chr(1114111), '<max>') AS id FROM wf_list('lp') ORDER BY id COLLATE "C";
SELECT replace(id, chr(1114111), '<max>') AS id FROM wf_list('lp' || chr(1114111)) ORDER BY id COLLATE "C";
SELECT count(*) FROM wf_list('LP');
SELECT count(*) FROM wf_list('nothing-starts-like-this');
-- an empty prefix is no filter
SELECT (SELECT count(*) FROM wf_list('')) = (SELECT count(*) FROM wf_list()) AS empty_is_all;
-- the prefix is an index range on the "C" id (the conditions wf_list uses)
SET enable_seqscan = off;
SET enable_bitmapscan = off;
PREPARE list_range(text, text) AS
    SELECT w.id FROM workflow_persist.wf_workflow AS w
     WHERE w.namespace = 'default' AND w.id >= $1 AND w.id < $2 ORDER BY w.id;
EXPLAIN (COSTS OFF) EXECUTE list_range('lp', wf_prefix_upper_bound('lp'));
DEALLOCATE list_range;
RESET enable_seqscan;
RESET enable_bitmapscan;

---------------------------------------------------------------------------
-- bad arguments: 22023
---------------------------------------------------------------------------
SELECT * FROM wf_list(max_rows => 0);
\echo :SQLSTATE
SELECT * FROM wf_list(max_rows => -1);
\echo :SQLSTATE
SELECT * FROM wf_list(max_rows => NULL);
\echo :SQLSTATE
SELECT * FROM wf_list(status => 'done');
\echo :SQLSTATE
SELECT * FROM wf_list(status => 'RUNNING');
\echo :SQLSTATE
SELECT * FROM wf_list(status => '');
\echo :SQLSTATE
SELECT * FROM wf_list(after => 'garbage');
\echo :SQLSTATE
SELECT * FROM wf_list(after => '1234');
\echo :SQLSTATE
SELECT * FROM wf_list(after => ':list:t:a');
\echo :SQLSTATE
SELECT * FROM wf_list(after => '12x:list:t:a');
\echo :SQLSTATE
SELECT * FROM wf_list(after => '99999999999999999999:list:t:a');
\echo :SQLSTATE
SELECT * FROM wf_list(after => '9999999999999999999:list:t:a');
\echo :SQLSTATE
SELECT * FROM wf_list(after => '-9223372036854775808:list:t:a');
\echo :SQLSTATE
-- max_rows caps the page; 100 by default
SELECT count(*) FROM wf_list('list:', max_rows => 3);
SELECT count(*) FROM wf_list('list:', max_rows => 1);
SELECT count(*), max(wf_save('list:many:' || i, :'S')) AS version FROM generate_series(1, 101) AS i;
SELECT count(*) FROM wf_list('list:many:');
SELECT count(*) FROM wf_list('list:many:', max_rows => 1000);
SELECT count(*), bool_and(wf_delete(id)) AS deleted FROM wf_list('list:many:', max_rows => 1000);

---------------------------------------------------------------------------
-- wf_info: the row of one workflow, none when absent
---------------------------------------------------------------------------
SELECT id, status, version, step_count, pending, size_bytes > 0 AS has_size,
       created_at <= updated_at AS ordered, expires_at IS NULL AS no_expiry
  FROM wf_info('list:t:d');
SELECT (SELECT row(i.*) FROM wf_info('list:t:d') AS i)
     = (SELECT row(l.id, l.status, l.version, l.step_count, l.pending, l.size_bytes, l.created_at, l.updated_at, l.expires_at, l.namespace, l.status_word)
          FROM wf_list('list:t:d') AS l) AS info_is_list_row;
SELECT count(*) FROM wf_info('list:absent');

---------------------------------------------------------------------------
-- wf_stats: per status, live workflows, steps, bytes, the largest, expired
---------------------------------------------------------------------------
SELECT wf_save('list:big', jsonb_set(:'C', '{steps,c}', jsonb_build_object('ok', true, 'value', repeat('x', 1000))));
SELECT wf_save('list:exp', :'F', ttl => '1 millisecond');
SELECT pg_sleep(0.05);
SELECT status, workflows, steps, largest_id, expired,
       bytes = (SELECT coalesce(sum(l.size_bytes), 0) FROM wf_list(status => s.status) AS l) AS bytes_sum,
       largest_bytes IS NOT DISTINCT FROM (SELECT max(l.size_bytes) FROM wf_list(status => s.status) AS l) AS largest_max
  FROM wf_stats AS s ORDER BY status;

---------------------------------------------------------------------------
-- wf_exists and wf_delete
---------------------------------------------------------------------------
SELECT wf_exists('list:t:a'), wf_exists('list:absent'), wf_exists('list:exp');
SELECT wf_delete('list:t:a');
SELECT wf_exists('list:t:a'), wf_load('list:t:a') IS NULL AS gone, count(*) AS steps
  FROM wf_steps('list:t:a');
SELECT count(*) FROM wf_step WHERE workflow_id = 'list:t:a';
-- absent, or already deleted: false, not an error
SELECT wf_delete('list:t:a'), wf_delete('list:absent');
-- an expired workflow counts as absent, and its rows go
SELECT wf_delete('list:exp');
SELECT count(*) FROM wf_workflow WHERE id = 'list:exp';
-- inside the caller's transaction
BEGIN;
SELECT wf_delete('list:t:b');
SELECT wf_exists('list:t:b');
ROLLBACK;
SELECT wf_exists('list:t:b');

-- clean up
SELECT replace(id, chr(1114111), '<max>') AS id, wf_delete(id) FROM wf_list(prefix => 'l') ORDER BY id COLLATE "C";
SELECT wf_delete('LP1');
SELECT count(*) AS leftovers FROM wf_workflow;
SELECT * FROM wf_stats ORDER BY status;
