-- wf_resolve(id_prefix): the one live workflow whose id starts with the
-- prefix (literal: % and _ are ordinary characters).  None: P0002; several:
-- 21000 naming up to 5 candidates in DETAIL (", ..." when there are more);
-- an empty prefix: 22023.
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
\set S '{"formatVersion":1,"steps":{},"execution":{"status":"running","lastUpdated":"t"}}'
SELECT wf_save(id, :'S') FROM unnest(array[
    'rs:order-7f3a', 'rs:order-7f3b', 'rs:order-9', 'rs:solo-1234',
    'rs:a%b', 'rs:a_b', 'rs:axb', 'rs:a\b', 'rs:é-1', 'rs:e-1',
    'rs:many:1', 'rs:many:2', 'rs:many:3', 'rs:many:4', 'rs:many:5', 'rs:many:6', 'rs:many:7',
    'rs:five:1', 'rs:five:2', 'rs:five:3', 'rs:five:4', 'rs:five:5',
    'rs:six:1', 'rs:six:2', 'rs:six:3', 'rs:six:4', 'rs:six:5', 'rs:six:6']) AS id ORDER BY id;

---------------------------------------------------------------------------
-- exactly one
---------------------------------------------------------------------------
SELECT wf_resolve('rs:solo');
SELECT wf_resolve('rs:solo-1234');
SELECT wf_resolve('rs:order-9');
SELECT wf_resolve('rs:order-7f3a');
-- % and _ are literal, as is \
SELECT wf_resolve('rs:a%');
SELECT wf_resolve('rs:a_');
SELECT wf_resolve('rs:ax');
SELECT wf_resolve('rs:a\');
-- byte-wise: é is not e
SELECT wf_resolve('rs:é');
SELECT wf_resolve('rs:e');
-- the status does not matter
SELECT wf_cancel('rs:solo-1234');
SELECT wf_resolve('rs:solo');

---------------------------------------------------------------------------
-- several: 21000, candidates in id order
---------------------------------------------------------------------------
SELECT wf_resolve('rs:order-7f3');
\echo :SQLSTATE
SELECT wf_resolve('rs:order');
\echo :SQLSTATE
-- exactly five: all named, no "..."
SELECT wf_resolve('rs:five:');
\echo :SQLSTATE
-- six and seven: five named, then "..."
SELECT wf_resolve('rs:six:');
\echo :SQLSTATE
SELECT wf_resolve('rs:many:');
\echo :SQLSTATE
-- an id that is also the prefix of another is still ambiguous
SELECT wf_save('rs:order-9x', :'S');
SELECT wf_resolve('rs:order-9');
\echo :SQLSTATE
SELECT wf_delete('rs:order-9x');
SELECT wf_resolve('rs:order-9');
-- "rs:a" matches the four ids that start with it (one of them has a "\")
SELECT wf_resolve('rs:a');
\echo :SQLSTATE

---------------------------------------------------------------------------
-- none: P0002; bad prefixes: 22023
---------------------------------------------------------------------------
SELECT wf_resolve('rs:nothing');
\echo :SQLSTATE
SELECT wf_resolve('RS:');
\echo :SQLSTATE
SELECT wf_resolve('rs:order-7f3a-longer');
\echo :SQLSTATE
SELECT wf_resolve('');
\echo :SQLSTATE
SELECT wf_resolve(NULL);
\echo :SQLSTATE

---------------------------------------------------------------------------
-- expired workflows are not candidates
---------------------------------------------------------------------------
SELECT wf_save('rs:exp-1', :'S', ttl => '1 millisecond');
SELECT wf_save('rs:exp-2', :'S');
SELECT pg_sleep(0.05);
SELECT wf_resolve('rs:exp');
SELECT wf_delete('rs:exp-2');
SELECT wf_resolve('rs:exp');
\echo :SQLSTATE

---------------------------------------------------------------------------
-- the largest code point: no upper bound for the range
---------------------------------------------------------------------------
SELECT wf_save('rs' || chr(1114111) || 'z', :'S');
SELECT replace(wf_resolve('rs' || chr(1114111)), chr(1114111), '<max>') AS id;
SELECT wf_delete('rs' || chr(1114111) || 'z');

-- clean up
SELECT count(*), bool_and(wf_delete(id)) FROM wf_list(prefix => 'rs:', max_rows => 1000);
SELECT wf_delete('rs:exp-1');
SELECT count(*) AS leftovers FROM wf_workflow;
