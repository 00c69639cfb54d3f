#!/usr/bin/env bash
# scripts/deb.sh: `make deb`, the Debian package postgresql-15-workflow-persist.
#
# Installs the build dependencies when root (prints the apt-get line and
# stops otherwise), copies the tree to build/deb/workflow-persist-VERSION/
# (dpkg-buildpackage cleans and builds inside its source directory and
# writes next to it, so the tree itself is never written), and builds the
# binary packages there with debian/rules (pg_buildext).  What is left in
# build/deb/: the .deb, its -dbgsym package, .buildinfo, .changes and
# build.log; the copy is removed.
#
# The package's version is the control file's default_version plus a
# Debian revision (0.1.0-1).  When the newest entry of debian/changelog is
# for another upstream version, the copy gets an entry VERSION-0 for this
# one, and a warning says to add one to debian/changelog.
#
# Environment: WFP_DEB_DIR, the output directory (default build/deb).
set -u
cd "$(dirname "$0")/.." || exit 1
. scripts/lib.sh

ensure_packages "$WFP_DEB_PACKAGES"

VERSION=$(sed -n "s/^default_version = '\(.*\)'/\1/p" workflow_persist.control)
[ -n "$VERSION" ] || die "no default_version in workflow_persist.control"
OUT=${WFP_DEB_DIR:-$PWD/build/deb}
SRC=$OUT/workflow-persist-$VERSION
PACKAGE=postgresql-$PG_MAJOR-workflow-persist

rm -rf "$OUT"
mkdir -p "$SRC" || die "cannot create $SRC"
# The tree minus version control, build results and test leftovers
# (dh_auto_clean runs "make clean" in the copy first anyway).
tar --exclude=./.git --exclude=./build --exclude=./.demo --exclude=./.test-run \
    --exclude=./results --exclude=./output_iso --exclude='./tmp_check*' \
    --exclude=./log --exclude=./test/awaitly/node_modules --exclude=./test/awaitly/package \
    -cf - . | tar -C "$SRC" -xf - || die "cannot copy the tree to $SRC"

DEB_VERSION=$(dpkg-parsechangelog -l debian/changelog -S Version) ||
    die "cannot read debian/changelog"
if [ "${DEB_VERSION%-*}" != "$VERSION" ]; then
    printf 'warning: debian/changelog is at %s, workflow_persist.control at %s;\n' \
        "$DEB_VERSION" "$VERSION" >&2
    DEB_VERSION=$VERSION-0
    printf 'warning: building %s with a temporary entry (add one: dch -v %s-1)\n' \
        "$DEB_VERSION" "$VERSION" >&2
    {
        printf 'workflow-persist (%s) UNRELEASED; urgency=medium\n\n' "$DEB_VERSION"
        printf '  * Built from a tree whose debian/changelog has no entry for %s.\n\n' "$VERSION"
        printf ' -- %s  %s\n\n' "$(dpkg-parsechangelog -l debian/changelog -S Maintainer)" "$(date -R)"
        cat debian/changelog
    } > "$SRC/debian/changelog"
fi

say "building $PACKAGE $DEB_VERSION with pg_buildext (log: $OUT/build.log)"
if ! (cd "$SRC" && dpkg-buildpackage -b -us -uc) > "$OUT/build.log" 2>&1; then
    tail -n 60 "$OUT/build.log"
    die "dpkg-buildpackage failed (the copy is kept in $SRC)"
fi
rm -rf "$SRC"
DEB=$OUT/${PACKAGE}_${DEB_VERSION}_$(dpkg --print-architecture).deb
[ -f "$DEB" ] || die "dpkg-buildpackage did not make $DEB"
say "built $DEB"
# What it installs (directories and docs left out).
dpkg-deb -c "$DEB" | awk '$6 !~ /\/$/ && $6 !~ /^\.\/usr\/share\/doc\// {
    line = substr($6, 2); if ($7 == "->") line = line " -> " $8; print "    " line }'
