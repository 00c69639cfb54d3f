#!/usr/bin/env bash
# scripts/test.sh: `make test`, the README's second command.
#
# Installs what is missing (as root), builds and installs the extension, then
# runs every suite against throwaway servers started by the suites themselves
# (pg_regress and pg_isolation_regress with --temp-instance, TAP with
# PostgreSQL::Test::Cluster), as the postgres user when we are root.  All
# suites always run; the last line sums them up as "N passed, N failed"
# (one per pg_regress test, isolation spec, checked doc page, TAP file and
# client test, one for the C layer check, one for the fuzz run, one for the
# SQL fuzz run, one per check of the PHP adapter's conformance test
# (clients/php) and one for the Debian package).
#
# Environment: SUITES="layers regress isolation docs tap clients fuzz sqlfuzz php deb" picks
# (add "valgrind" for scripts/test-valgrind.sh, as .ci/run does)
# suites; PROVE_TESTS picks TAP files (test/t/010_x.pl); FUZZ_TIME the
# seconds of the fuzz suite (wfctl's import parser under libFuzzer,
# cli/Makefile's fuzz-run); SQLFUZZ_CALLS and SQLFUZZ_SEED the calls and
# seed of the sqlfuzz suite (test/sqlfuzz/sql_fuzz.pl: the SQL API under
# generated arguments); WFP_DEB_TEST=install makes the deb suite
# install the package into the system instead of extracting it
# (scripts/deb-test.sh).  The clients suite (scripts/clients-test.sh;
# CLIENTS="awaitly python" picks adapters) needs Node.js and npm (installed
# from Debian when missing, as root) and the npm registry for awaitly, and
# Debian's python3 with psycopg 3 for python; todo tests (node:test's, and
# unittest's expected failures) are neither passed nor failed.
set -u
cd "$(dirname "$0")/.." || exit 1
. scripts/lib.sh

ensure_packages
build_and_install

SUITES=${SUITES:-layers regress isolation docs tap clients fuzz sqlfuzz php deb}
case " $SUITES " in *" clients "*) ensure_node ;; esac
if is_root; then
    # Run from a copy the postgres user owns: pg_regress and TAP write
    # results, logs and data directories into the tree.
    RUNDIR=$(scratch_dir wfp-test)
    tar --exclude=./.git --exclude=./build --exclude=./.demo --exclude=./results --exclude=./output_iso \
        --exclude='./tmp_check*' --exclude=./log --exclude=node_modules -cf - . | tar -C "$RUNDIR" -xf -
    chown -R postgres: "$RUNDIR"
else
    RUNDIR=$PWD
fi
cleanup() {
    stop_servers_under "$RUNDIR"
    if [ "$RUNDIR" != "$PWD" ] && [ "${failed_suites-x}" = "" ]; then rm -rf "$RUNDIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

passed=0
failed=0
failed_suites=""
MAKE_ARGS="-s --no-print-directory PG_CONFIG=$PG_CONFIG with_llvm=no"

run_pg_regress_suite() {      # $1 = suite name, $2 = make target, $3 = output dir
    say "$1 tests"
    (cd "$RUNDIR" && as_pg make $MAKE_ARGS "$2") 2>&1 | tee "$RUNDIR/.suite.log"
    status=${PIPESTATUS[0]}
    out=$(cat "$RUNDIR/.suite.log")
    ok=$(printf '%s\n' "$out" | grep -cE '\.\.\. ok( |$)')
    bad=$(printf '%s\n' "$out" | grep -cE '\.\.\. FAILED')
    if [ "$status" != 0 ]; then
        [ "$bad" = 0 ] && bad=1
        failed_suites="$failed_suites $1"
        diffs="$RUNDIR/$3/regression.diffs"
        if [ -s "$diffs" ]; then
            say "$1: differences ($diffs)"
            cat "$diffs"
        fi
    fi
    passed=$((passed + ok))
    failed=$((failed + bad))
}

for suite in $SUITES; do
    case $suite in
    layers)
        say "C layers (scripts/check-layers.sh)"
        if scripts/check-layers.sh; then
            passed=$((passed + 1))
        else
            failed=$((failed + 1))
            failed_suites="$failed_suites layers"
        fi
        ;;
    regress)   run_pg_regress_suite regress installcheck-regress . ;;
    isolation) run_pg_regress_suite isolation installcheck-isolation output_iso ;;
    docs)
        # the pages of test/docs/manifest, run as they show (docs/CONTRIBUTING.md)
        say "doc examples (scripts/docs-check.pl)"
        (cd "$RUNDIR" && as_pg make $MAKE_ARGS installcheck-docs) 2>&1 | tee "$RUNDIR/.suite.log"
        status=${PIPESTATUS[0]}
        ok=$(grep -c '^ok - ' "$RUNDIR/.suite.log")
        bad=$(grep -c '^not ok - ' "$RUNDIR/.suite.log")
        if [ "$status" != 0 ]; then
            [ "$bad" = 0 ] && bad=1
            failed_suites="$failed_suites docs"
        fi
        passed=$((passed + ok))
        failed=$((failed + bad))
        ;;
    tap)
        say "TAP tests"
        (cd "$RUNDIR" && as_pg env PROVE_FLAGS="${PROVE_FLAGS:-}" ${PROVE_TESTS:+PROVE_TESTS="$PROVE_TESTS"} \
            make $MAKE_ARGS installcheck-tap) 2>&1 | tee "$RUNDIR/.suite.log"
        status=${PIPESTATUS[0]}
        out=$(cat "$RUNDIR/.suite.log")
        files=$(printf '%s\n' "$out" | sed -n 's/^Files=\([0-9]*\),.*/\1/p')
        bad=$(printf '%s\n' "$out" | sed -n 's/^Failed \([0-9]*\)\/[0-9]* test programs.*/\1/p')
        files=${files:-0}
        bad=${bad:-0}
        if [ "$status" != 0 ]; then
            failed_suites="$failed_suites tap"
            [ "$bad" = 0 ] && bad=1
            for log in "$RUNDIR"/tmp_check/log/regress_log_*; do
                [ -f "$log" ] || continue
                grep -q 'not ok' "$log" && { say "$log"; tail -n 60 "$log"; }
            done
        fi
        passed=$((passed + files - bad))
        [ "$passed" -lt 0 ] && passed=0
        failed=$((failed + bad))
        ;;
    clients)
        # the client adapters' tests (clients/awaitly: node:test; clients/python:
        # unittest) on a throwaway server
        say "client adapter tests (scripts/clients-test.sh)"
        (cd "$RUNDIR" && as_pg scripts/clients-test.sh) 2>&1 | tee "$RUNDIR/.suite.log"
        status=${PIPESTATUS[0]}
        # one "# pass N" / "# fail N" pair per client (CLIENTS)
        ok=$(awk '/^# pass [0-9]+$/ { n += $3 } END { print n + 0 }' "$RUNDIR/.suite.log")
        bad=$(awk '/^# fail [0-9]+$/ { n += $3 } END { print n + 0 }' "$RUNDIR/.suite.log")
        ok=${ok:-0}
        bad=${bad:-0}
        if [ "$status" != 0 ]; then
            [ "$bad" = 0 ] && bad=1
            failed_suites="$failed_suites clients"
        fi
        passed=$((passed + ok))
        failed=$((failed + bad))
        ;;
    fuzz)
        say "fuzz test (wfctl's import parser, ${FUZZ_TIME:-30} s)"
        if (cd "$RUNDIR" && as_pg make -s --no-print-directory -C cli fuzz-run \
                PG_CONFIG="$PG_CONFIG" WERROR=1 FUZZ_TIME="${FUZZ_TIME:-30}"); then
            passed=$((passed + 1))
        else
            failed=$((failed + 1))
            failed_suites="$failed_suites fuzz"
        fi
        ;;
    sqlfuzz)
        say "SQL fuzz test (${SQLFUZZ_CALLS:-100000} generated calls of the SQL API)"
        if (cd "$RUNDIR" && as_pg env ${SQLFUZZ_CALLS:+SQLFUZZ_CALLS="$SQLFUZZ_CALLS"} \
                ${SQLFUZZ_SEED:+SQLFUZZ_SEED="$SQLFUZZ_SEED"} PROVE_FLAGS="${PROVE_FLAGS:-}" \
                make $MAKE_ARGS installcheck-sqlfuzz); then
            passed=$((passed + 1))
        else
            failed=$((failed + 1))
            failed_suites="$failed_suites sqlfuzz"
            for log in "$RUNDIR"/tmp_check/log/regress_log_sql_fuzz; do
                [ -f "$log" ] && { say "$log"; tail -n 60 "$log"; }
            done
        fi
        ;;
    php)
        # the PHP adapter (clients/php) on a throwaway server of its own
        say "PHP adapter (clients/php: Neuron AI's PersistenceInterface)"
        (cd "$RUNDIR" && as_pg make $MAKE_ARGS PROVE_FLAGS="${PROVE_FLAGS:-} -v" installcheck-php) \
            2>&1 | tee "$RUNDIR/.suite.log"
        status=${PIPESTATUS[0]}
        ok=$(grep -cE '^ok [0-9]+ - ' "$RUNDIR/.suite.log")
        bad=$(grep -cE '^not ok [0-9]+ - ' "$RUNDIR/.suite.log")
        if [ "$status" != 0 ]; then
            [ "$bad" = 0 ] && bad=1
            failed_suites="$failed_suites php"
        fi
        passed=$((passed + ok))
        failed=$((failed + bad))
        ;;
    valgrind)
        # Not in the default list (its first run builds PostgreSQL with
        # assertions, ~10 minutes); .ci/run adds it.  Runs from this tree,
        # where build/valgrind/ is kept between runs.
        say "the server under valgrind (scripts/test-valgrind.sh)"
        ./scripts/test-valgrind.sh 2>&1 | tee "$RUNDIR/.suite.log"
        status=${PIPESTATUS[0]}
        line=$(grep -E '^valgrind: [0-9]+ passed, [0-9]+ failed' "$RUNDIR/.suite.log" | tail -n 1)
        ok=$(printf '%s\n' "$line" | sed -n 's/^valgrind: \([0-9]*\) passed.*/\1/p')
        bad=$(printf '%s\n' "$line" | sed -n 's/.* \([0-9]*\) failed$/\1/p')
        if [ "$status" != 0 ]; then
            [ "${bad:-0}" = 0 ] && bad=1
            failed_suites="$failed_suites valgrind"
        fi
        passed=$((passed + ${ok:-0}))
        failed=$((failed + ${bad:-0}))
        ;;
    deb)
        # Builds the .deb (make deb) and smoke-tests it, installed or extracted.
        say "Debian package (${WFP_DEB_TEST:-extract} mode)"
        if (cd "$RUNDIR" && ./scripts/deb-test.sh); then
            passed=$((passed + 1))
        else
            failed=$((failed + 1))
            failed_suites="$failed_suites deb"
        fi
        ;;
    *) die "unknown suite: $suite" ;;
    esac
done

if [ -n "$failed_suites" ]; then
    printf '\nFAILED suites:%s (outputs kept in %s)\n' "$failed_suites" "$RUNDIR"
fi
echo "$passed passed, $failed failed"
[ -z "$failed_suites" ]
