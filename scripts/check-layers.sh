#!/usr/bin/env bash
# scripts/check-layers.sh: the extension's C layers, checked (make test runs it).
#
# src/ is layered; LAYERS below is the only place the order is written
# (docs/design.md, "Files and layers", draws the same picture).  It fails
#   - on a file of src/ that no layer lists, or one listed twice;
#   - on an upward include: a file including a header of a layer above its
#     own (`#include "..."` lines of src/*.c and src/*.h);
#   - on an include cycle;
# and, when the objects are built (src/*.o, read with nm), on a call that
# goes up or round: a function of a layer above, a cycle among src/*.c, or
# a call between two files of a layer without a header (the SQL-callable
# entry points and _PG_init, which nothing in C may call).
#
# Usage: scripts/check-layers.sh [-v]     (-v: print the include graph)
set -u
cd "$(dirname "$0")/.." || exit 1

# Bottom up.  A file may include the headers of its own layer and of the
# layers below it; "-" means the layer has no header.
LAYERS='
# layer    header          files
settings   wfp_settings.h  wfp_settings.c
jsonb      wfp_jsonb.h     wfp_jsonb.c wfp_build.c
rules      wfp_rules.h     wfp_validate.c wfp_merge.c wfp_status.c
store      wfp_store.h     wfp_store.c wfp_store_scan.c
notify     wfp_notify.h    wfp_notify.c
sql        wfp_sql.h       wfp_args.c wfp_snapshot.c wfp_change.c
entry      -               wfp_read.c wfp_write.c wfp_lifecycle.c wfp_trigger.c wfp_verify.c wfp_run.c wfp_tenant.c wfp_shard.c
worker     wfp_worker.h    wfp_worker.c
init       -               wfp_init.c
'

verbose=0
[ "${1:-}" = "-v" ] && verbose=1

{
    printf '%s\n' "$LAYERS" | sed -e 's/#.*//' -e '/^[[:space:]]*$/d' | sed 's/^/L /'
    for f in src/*.c src/*.h; do
        [ -e "$f" ] || continue
        b=${f#src/}
        echo "F $b"
        sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f" |
            while read -r inc; do echo "I $b $inc"; done
    done
    # calls, when every object is there and no newer than its source
    objects=yes
    for c in src/*.c; do
        o=${c%.c}.o
        if [ ! -e "$o" ] || [ "$c" -nt "$o" ]; then objects=no; fi
    done
    if [ "$objects" = yes ] && command -v nm >/dev/null 2>&1; then
        echo "O"
        for o in src/*.o; do
            b=${o#src/}
            b=${b%.o}.c
            nm -g --defined-only "$o" | awk -v f="$b" 'NF == 3 { print "D", f, $3 }'
            nm -u "$o" | awk -v f="$b" '$2 ~ /^wfp?_/ { print "U", f, $2 }'
        done
    fi
} | awk -v verbose="$verbose" '
function fail(msg) { print "check-layers: " msg > "/dev/stderr"; bad = 1 }
# depth-first search for a cycle in graph g (edges as g[a, i], counts gn[a])
function dfs(g, gn, a, path,    i, b) {
    state[a] = 1
    for (i = 1; i <= gn[a]; i++) {
        b = g[a, i]
        if (state[b] == 1) {
            cycle = path " -> " b
            return 1
        }
        if (state[b] == 0 && dfs(g, gn, b, path " -> " b))
            return 1
    }
    state[a] = 2
    return 0
}
$1 == "L" {
    n++
    name[n] = $2
    if ($3 != "-") { level[$3] = n; header[n] = $3 }
    for (i = 4; i <= NF; i++) {
        if ($i in level) fail($i " is listed twice")
        level[$i] = n
    }
    next
}
$1 == "F" { files[$2] = 1; nfiles++; next }
$1 == "I" { inc[++ninc] = $2 " " $3; next }
$1 == "O" { have_objects = 1; next }
$1 == "D" { def[$3] = $2; next }
$1 == "U" { use[++nuse] = $2 " " $3; next }
END {
    for (f in files)
        if (!(f in level)) fail("src/" f " is in no layer (add it to LAYERS in scripts/check-layers.sh)")
    for (f in level)
        if (!(f in files)) fail(f " is listed in LAYERS but is not in src/")

    # includes: never upward; headers form no cycle
    for (i = 1; i <= ninc; i++) {
        split(inc[i], p, " ")
        from = p[1]; to = p[2]
        if (!(to in files)) continue        # a PostgreSQL or system header
        if (to ~ /\.c$/) { fail(from " includes a C file, " to); continue }
        if (level[to] > level[from])
            fail("upward include: " from " (" name[level[from]] ") includes " to " (" name[level[to]] ")")
        ig[from, ++ign[from]] = to
        nproject++
        if (verbose) print "include " from " -> " to
    }
    for (f in files) state[f] = 0
    for (f in files)
        if (state[f] == 0 && dfs(ig, ign, f, f)) { fail("include cycle: " cycle); break }

    # calls (from the objects): never upward, no cycle, none between the
    # files of a layer without a header
    ncalls = 0
    if (have_objects) {
        for (i = 1; i <= nuse; i++) {
            split(use[i], p, " ")
            from = p[1]; sym = p[2]
            if (!(sym in def)) continue      # defined outside src/ (cannot be)
            to = def[sym]
            if (to == from) continue
            ncalls++
            if (level[to] > level[from])
                fail("upward call: " from " (" name[level[from]] ") calls " sym " of " to " (" name[level[to]] ")")
            else if (level[to] == level[from] && !(level[from] in header))
                fail("call between peers: " from " calls " sym " of " to " (" name[level[to]] " files call none of each other)")
            if (!((from, to) in seen)) {
                seen[from, to] = 1
                cg[from, ++cgn[from]] = to
            }
        }
        for (f in files) state[f] = 0
        for (f in files)
            if (f ~ /\.c$/ && state[f] == 0 && dfs(cg, cgn, f, f)) { fail("call cycle: " cycle); break }
    }
    if (bad) exit 1
    printf "check-layers: %d layers, %d files, %d includes%s: dependencies point down\n", \
        n, nfiles, nproject, have_objects ? sprintf(", %d calls", ncalls) : " (build first to check calls too)"
}'
