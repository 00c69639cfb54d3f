# Makefile for workflow_persist (PGXS)
#
#   make                 build the extension and cli/wfctl
#   make install         install both into the PostgreSQL found by $(PG_CONFIG)
#                        (wfctl goes to its bindir)
#   make NO_WFCTL=1 ...  the extension alone (no libpq or jansson needed)
#   make WERROR=1 ...    every warning an error (make test and make demo do)
#   make check-layers    the C layers hold (scripts/check-layers.sh)
#   make deb             the Debian package, in build/deb/ (scripts/deb.sh)
#   make demo            the README's first command (scripts/demo.sh)
#   make test            the README's second command: every suite (scripts/test.sh)
#   make installcheck-docs  the examples of the pages in test/docs/manifest
#                        run as the pages show them (scripts/docs-check.pl)
#   make bench-client    the client-path benchmark (bench/client.sh, bench/README.md)
#   make test-valgrind   the direct read path in a server under valgrind, on a
#                        PostgreSQL built with assertions (scripts/test-valgrind.sh;
#                        the first run builds it into build/valgrind/, ~10 min)
#   make installcheck    pg_regress + isolation + TAP against an installed build
#                        (must run as a non-root user: initdb refuses root)

EXTENSION = workflow_persist
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" $(EXTENSION).control)

MODULE_big = workflow_persist
OBJS = \
	src/wfp_init.o \
	src/wfp_settings.o \
	src/wfp_jsonb.o \
	src/wfp_build.o \
	src/wfp_validate.o \
	src/wfp_merge.o \
	src/wfp_status.o \
	src/wfp_store.o \
	src/wfp_store_scan.o \
	src/wfp_args.o \
	src/wfp_snapshot.o \
	src/wfp_change.o \
	src/wfp_write.o \
	src/wfp_read.o \
	src/wfp_lifecycle.o \
	src/wfp_worker.o \
	src/wfp_notify.o \
	src/wfp_trigger.o \
	src/wfp_run.o \
	src/wfp_verify.o \
	src/wfp_tenant.o \
	src/wfp_shard.o
PGFILEDESC = "workflow_persist - durable workflow state"

# The install script's source is unversioned (sql/workflow_persist.sql); the
# versioned file CREATE EXTENSION reads is built from it.  Upgrade scripts
# (sql/workflow_persist--A--B.sql) will be installed as they are.
DATA = $(wildcard sql/$(EXTENSION)--*--*.sql)
DATA_built = sql/$(EXTENSION)--$(EXTVERSION).sql

# The router (docs/scale-out.md): a second extension whose install script
# is generated from the main one by router/gen-router.pl, so that every
# function of the API has its routed namesake.
ROUTER = workflow_persist_router
DATA += router/$(ROUTER).control
DATA_built += router/$(ROUTER)--$(EXTVERSION).sql

# -Wextra's unused-parameter fires inside PostgreSQL's own headers (and on
# every fmgr callback signature).  WERROR=1 (scripts/test.sh, scripts/demo.sh,
# CI) makes every other warning an error; a user's build with another
# compiler does not fail on a warning it finds.
PG_CFLAGS = -Wall -Wextra -Wno-unused-parameter
ifeq ($(WERROR),1)
PG_CFLAGS += -Werror
endif
# PGXS does not track header dependencies, and a stale object with an old
# struct layout corrupts memory: the compiler writes each object's list
# (src/*.d, read at the end of this file).
PG_CFLAGS += -MMD -MP
PG_CPPFLAGS = -I$(srcdir)/src

# pg_regress: sql/*.sql (minus the install scripts) against expected/*.out
REGRESS = $(sort $(filter-out $(EXTENSION) $(EXTENSION)--%,$(basename $(notdir $(wildcard sql/*.sql)))))
REGRESS_OPTS = --temp-instance=./tmp_check_regress --temp-config=./test/wfp.conf \
	--load-extension=$(EXTENSION) --encoding=UTF8 --no-locale

# isolation: test/specs/*.spec against test/expected/*.out
ISOLATION = $(sort $(basename $(notdir $(wildcard test/specs/*.spec))))
ISOLATION_OPTS = --inputdir=test --temp-instance=./tmp_check_iso \
	--temp-config=./test/wfp.conf --load-extension=$(EXTENSION) \
	--encoding=UTF8 --no-locale

# TAP: test/t/*.pl (our own prove target below: PGXS's looks in t/)
TAP_DIR = test/t

EXTRA_CLEAN = results output_iso tmp_check_regress tmp_check_iso tmp_check_docs \
	regression.diffs regression.out log $(OBJS:.o=.d)

# The first pg_config on PATH, as with any PGXS extension; scripts/lib.sh
# knows where Debian keeps PostgreSQL 15's.
PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# The suites one at a time (scripts/test.sh runs all three and sums up).
.PHONY: installcheck-regress installcheck-isolation installcheck-tap \
	installcheck-docs installcheck-sqlfuzz installcheck-php demo test test-valgrind check-layers bench-client
installcheck-regress:
	$(pg_regress_installcheck) $(REGRESS_OPTS) $(REGRESS)
installcheck-isolation:
	$(pg_isolation_regress_installcheck) $(ISOLATION_OPTS) $(ISOLATION)
installcheck-tap:
	rm -rf '$(CURDIR)'/tmp_check
	$(MKDIR_P) '$(CURDIR)'/tmp_check
	cd $(srcdir) && TESTDIR='$(CURDIR)' PATH="$(bindir):$(CURDIR):$$PATH" \
	   PGPORT='6$(DEF_PGPORT)' \
	   PG_REGRESS='$(top_builddir)/src/test/regress/pg_regress' \
	   $(PROVE) $(PG_PROVE_FLAGS) $(PROVE_FLAGS) \
	   $(if $(PROVE_TESTS),$(PROVE_TESTS),$(TAP_DIR)/*.pl)
# sqlfuzz: generated calls of the whole SQL API (test/sqlfuzz/sql_fuzz.pl)
installcheck-sqlfuzz:
	$(MAKE) --no-print-directory installcheck-tap PROVE_TESTS='$(wildcard test/sqlfuzz/*.pl)'
# php: the PHP adapter's conformance test (clients/php/t/*.pl)
installcheck-php:
	$(MAKE) --no-print-directory installcheck-tap PROVE_TESTS='$(wildcard clients/php/t/*.pl)'
installcheck: installcheck-tap
# docs: every sql example of the pages listed in test/docs/manifest, in a
# throwaway cluster of the checker's own (docs/CONTRIBUTING.md)
installcheck-docs:
	PG_CONFIG='$(PG_CONFIG)' ./scripts/docs-check.pl --manifest test/docs/manifest

demo:
	./scripts/demo.sh
test:
	./scripts/test.sh
test-valgrind:
	./scripts/test-valgrind.sh
check-layers: $(OBJS)
	./scripts/check-layers.sh
bench-client:
	PG_CONFIG=$(PG_CONFIG) ./bench/client.sh

sql/$(EXTENSION)--$(EXTVERSION).sql: sql/$(EXTENSION).sql
	cp $< $@

router/$(ROUTER)--$(EXTVERSION).sql: sql/$(EXTENSION).sql router/gen-router.pl
	$(PERL) router/gen-router.pl $< > $@.tmp && mv $@.tmp $@

# wfctl, the command-line tool, has a Makefile of its own (cli/Makefile);
# it needs libpq and jansson, the extension neither (NO_WFCTL=1 skips it).
.PHONY: wfctl install-wfctl clean-wfctl
ifndef NO_WFCTL
all: wfctl
install: install-wfctl
endif
wfctl:
	$(MAKE) -C cli PG_CONFIG=$(PG_CONFIG)
install-wfctl: wfctl
	$(MAKE) -C cli PG_CONFIG=$(PG_CONFIG) install
clean: clean-wfctl
clean-wfctl:
	$(MAKE) -C cli clean

-include $(OBJS:.o=.d)

# The Debian package postgresql-15-workflow-persist (debian/, built with
# pg_buildext on a copy of the tree; the .deb lands in build/deb/).
.PHONY: deb clean-deb
deb:
	./scripts/deb.sh
clean: clean-deb
clean-deb:
	rm -rf build/deb
