# Act 4 (sourced by scripts/demo.sh): the operator's view from a terminal,
# with wfctl (installed next to the server's programs; it reads PGHOST,
# PGPORT, PGUSER and PGDATABASE like psql).
say "Act 4: wfctl, the operator's command-line tool"
WFCTL="$PG_BIN/wfctl"
# a demo runs on: no pager, even when a table is longer than the terminal
export PSQL_PAGER=""

# another refund waits for a manager (saved by the engine, as in act 3)
$PSQL -c "SELECT workflow_persist.wf_save('refund:8', '{
  \"formatVersion\": 1, \"workflowName\": \"refund\",
  \"steps\": {
    \"lookup\": {\"ok\": true, \"value\": {\"order\": 43, \"amount\": 1200.50}},
    \"approve:refund\": {\"ok\": false,
      \"error\": {\"type\": \"PENDING_APPROVAL\", \"stepKey\": \"approve:refund\",
                \"reason\": \"refund above 500 needs a manager\"},
      \"cause\": {\"type\": \"thrown\", \"originalType\": \"undefined\", \"stringRepresentation\": \"undefined\"},
      \"meta\": {\"origin\": \"result\"}}},
  \"execution\": {\"status\": \"failed\", \"lastUpdated\": \"2026-11-22T10:20:00.000Z\"}}')" >/dev/null

demo_run() {
    shown=""
    for a in "$@"; do
        case $a in
        *[\ \"{}]*) shown="$shown '$a'" ;;
        *) shown="$shown $a" ;;
        esac
    done
    printf '\n$ wfctl%s\n' "$shown"
    "$WFCTL" "$@"
}
demo_run list
demo_run pending
demo_run inspect order      # a unique prefix is enough: order:42
demo_run approve refund:8 approve:refund --value '{"approved": true}' --by dana --note 'checked the invoice'
demo_run inspect refund:8
demo_run stats
demo_run export --all -o "$DEMO_DIR/export.jsonl"
printf '[demo] %s workflows exported as JSON Lines; the first one:\n' "$(wc -l < "$DEMO_DIR/export.jsonl")"
head -n 1 "$DEMO_DIR/export.jsonl" | cut -c 1-160
