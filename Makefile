# Makefile for workflow_persist (PGXS)
#
#   make                 build the extension and cli/wfctl
#   make install         install both into the PostgreSQL found by $(PG_CONFIG)
#                        (wfctl goes to its bindir)
#   make demo            the README's first command (scripts/demo.sh)
#   make test            the README's second command: every suite (scripts/test.sh)
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
	src/wfp_trigger.o
PGFILEDESC = "workflow_persist - durable workflow state"

# The install script's source is unversioned (sql/workflow_persist.sql); the
# versioned file CREATE EXTENSION reads is built from it.  Upgrade scripts
# (sql/workflow_persist--A--B.sql) will be installed as they are.
DATA = $(wildcard sql/$(EXTENSION)--*--*.sql)
DATA_built = sql/$(EXTENSION)--$(EXTVERSION).sql

# -Wextra's unused-parameter fires inside PostgreSQL's own headers (and on
# every fmgr callback signature); every other warning is an error.
PG_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter
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

EXTRA_CLEAN = results output_iso tmp_check_regress tmp_check_iso \
	regression.diffs regression.out log

# Debian can hold several majors; this extension targets 15.
PG_CONFIG ?= $(firstword $(wildcard /usr/lib/postgresql/15/bin/pg_config) pg_config)
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# The suites one at a time (scripts/test.sh runs all three and sums up).
.PHONY: installcheck-regress installcheck-isolation installcheck-tap demo test
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
installcheck: installcheck-tap

demo:
	./scripts/demo.sh
test:
	./scripts/test.sh

sql/$(EXTENSION)--$(EXTVERSION).sql: sql/$(EXTENSION).sql
	cp $< $@

# wfctl, the command-line tool, has a Makefile of its own (cli/Makefile)
.PHONY: wfctl install-wfctl clean-wfctl
all: wfctl
wfctl:
	$(MAKE) -C cli PG_CONFIG=$(PG_CONFIG)
install: install-wfctl
install-wfctl: wfctl
	$(MAKE) -C cli PG_CONFIG=$(PG_CONFIG) install
clean: clean-wfctl
clean-wfctl:
	$(MAKE) -C cli clean

# PGXS does not track header dependencies: every object depends on the
# shared header (a stale object with an old struct layout corrupts memory).
$(OBJS): $(wildcard src/*.h)
