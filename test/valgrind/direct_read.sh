# wf_load's direct read path (src/wfp_store_scan.c) while the store's
# relcache entries are invalidated, run by scripts/test-valgrind.sh against
# a server under valgrind ($PSQL, PGHOST etc. are set).
#
# 1. debug_discard_caches = 1 (an assert-enabled build only): every
#    invalidation point discards every cache, so a tuple descriptor used
#    after its relation was closed is freed memory on every call.
# 2. Loaders call wf_load, one transaction each (an invalidation is only
#    taken in when a lock is first taken), while another session runs
#    GRANT, REVOKE and ANALYZE on the store's tables; every result must
#    equal the reference document.
set -eu
LOADS=${VALGRIND_LOADS:-150}

$PSQL <<'SQL'
CREATE EXTENSION workflow_persist;
CREATE ROLE vg_reader;
SET search_path = workflow_persist;
SELECT count(wf_save_step('vg:' || i, 'step' || j,
                          jsonb_build_object('ok', true, 'value', repeat(md5(i::text || j), 20 * j))))
  FROM generate_series(1, 4) AS i, generate_series(1, 6) AS j;
SELECT wf_suspend('vg:2', 'a reason', '{"kind": "approval"}');
SELECT wf_merge('vg:3', '{"formatVersion": 1, "steps": {}, "execution": {"status": "completed", "lastUpdated": "x"}}');
SELECT wf_set_retention('completed', '1 day');
CREATE TABLE public.vg_reference AS
  SELECT id, md5(wf_load(id)::text) AS doc FROM wf_workflow;
-- the invalidations: one committed change after another, until the
-- loaders are done (a row in vg_done)
CREATE TABLE public.vg_done (rounds int);
CREATE PROCEDURE public.vg_churn() LANGUAGE plpgsql AS $$
DECLARE
    n int := 0;
BEGIN
    WHILE NOT EXISTS (SELECT FROM public.vg_done) AND n < 100000 LOOP
        GRANT SELECT ON workflow_persist.wf_workflow, workflow_persist.wf_step TO vg_reader;
        COMMIT;
        ANALYZE workflow_persist.wf_workflow;
        COMMIT;
        REVOKE SELECT ON workflow_persist.wf_workflow, workflow_persist.wf_step FROM vg_reader;
        COMMIT;
        ANALYZE workflow_persist.wf_retention_policy;
        COMMIT;
        n := n + 1;
    END LOOP;
    UPDATE public.vg_done SET rounds = n;
END
$$;
SQL

echo "direct read with debug_discard_caches = 1"
out=$($PSQL -At <<'SQL'
SET debug_discard_caches = 1;
SELECT workflow_persist.wf_load(id) IS NOT NULL AND md5(workflow_persist.wf_load(id)::text) = doc
  FROM public.vg_reference ORDER BY id;
SQL
)
echo "$out" | tr '\n' ' '; echo
result=0
[ "$(echo "$out" | grep -c '^t$')" = 4 ] || { echo "wrong results with debug_discard_caches"; result=1; }

echo "direct read under concurrent GRANT, REVOKE and ANALYZE ($LOADS loads per session)"
loads() {
    for n in $(seq 1 "$LOADS"); do
        echo "SELECT md5(workflow_persist.wf_load('vg:$(( n % 4 + 1 ))')::text) = doc FROM public.vg_reference WHERE id = 'vg:$(( n % 4 + 1 ))';"
    done | $PSQL -At
}
$PSQL -c 'CALL public.vg_churn()' &
inv=$!
loads >"$PGHOST/loads.1" &
l1=$!
loads >"$PGHOST/loads.2" &
l2=$!
status=0
wait "$l1" || status=1
wait "$l2" || status=1
$PSQL -c 'INSERT INTO public.vg_done VALUES (NULL)'
wait "$inv" || status=1
[ "$status" = 0 ] || { echo "a session failed"; result=1; }
good=$(cat "$PGHOST/loads.1" "$PGHOST/loads.2" | grep -c '^t$' || true)
echo "$good of $((2 * LOADS)) loads returned the reference document, during $($PSQL -Atc 'SELECT rounds FROM public.vg_done') rounds of GRANT, ANALYZE, REVOKE, ANALYZE"
[ "$good" = $((2 * LOADS)) ] || result=1
exit $result
