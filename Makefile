# hcguard: PGXS build.  `make`, `make install`, `make installcheck`.
EXTENSION   = hcguard
MODULE_big  = hcguard
OBJS        = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))
# The current version's install script and the SQL edition are assembled
# from parts (scripts/assemble), as pg_partman assembles its own: the
# tables, types and views both editions create are written once, in ddl/,
# and their messages come from one catalogue, src/messages.txt.  The older
# versions' scripts and their upgrade scripts are kept as released; the
# upgrade to the current version is assembled too, since it creates what
# 1.2 adds from the same parts as a fresh install.
DATA        = hcguard--1.0.sql hcguard--1.0--1.1.sql
DATA_built  = hcguard--1.2.sql hcguard--1.1--1.2.sql
# What both editions create in PL/pgSQL: the catalogue's functions,
# provisioning, declarations, Connect's state.
SHARED_PARTS = messages ddl/messages.sql ddl/provision.sql ddl/declarations.sql ddl/connect_state.sql
# What version 1.2 adds to the C extension, by a fresh install or an update.
NEW_IN_1_2 = ddl/declaration_store.sql ddl/connect_state_store.sql src/extension/v1.2.sql $(SHARED_PARTS) \
               src/extension/pin.sql
EXTENSION_PARTS = src/extension/head.sql ddl/schema.sql ddl/confirmation_store.sql \
               src/extension/store.sql ddl/types.sql ddl/confirmations_view.sql \
               src/extension/functions.sql $(NEW_IN_1_2)
UPDATE_PARTS = src/extension/update-1.1--1.2.sql $(NEW_IN_1_2)
HEROKU_PARTS = heroku/src/00-head.sql ddl/schema.sql heroku/src/05-own-schema.sql \
               ddl/confirmation_store.sql ddl/declaration_store.sql ddl/connect_state_store.sql heroku/src/10-store.sql \
               ddl/types.sql $(SHARED_PARTS) heroku/src/20-model.sql ddl/confirmations_view.sql \
               heroku/src/30-functions.sql
PGFILEDESC  = "hcguard - Heroku Connect guards for migrations"

# The regression files (sql/*.sql, expected/*.out) run in this order, and
# each also runs alone, for either edition:
#     make installcheck REGRESS=errors ISOLATION=
#     make installcheck-sql-edition REGRESS_SQL_EDITION=errors ISOLATION=
# What they all need and none of them builds -- the Connect double
# (test/connect_double.sql), hcguard, and the roles regress_hc_owner,
# regress_hc_owner_member, regress_hc_migrator and regress_hc_stranger
# (cluster-wide: made only where missing) -- regress-db puts in a fresh
# database before every run (test/fixtures/prepare.sql; PGXS's REGRESS_PREP,
# below), and pg_regress uses that database as it is (--use-existing).  The
# extension is installed there from its first released version and
# upgraded; sql/setup.sql does that again to check it, and sql/teardown.sql
# drops the roles.  Every file builds the Connect schemas it uses, with the
# double's functions or with a fixture several files share
# (test/fixtures/salesforce.sql: the schema sql/life_of_field.sql walks
# through, which checks that the fixture builds the same), and drops them,
# with the confirmations it left, at its end: no file sees another's
# schemas, and a file's output is the same alone as in the suite.
REGRESS      = setup life_of_field errors multi_columns shapes confirmations \
               privileges on_failure locks probe overview config connect_data real_shapes typed hostile \
               privilege_matrix provision declarations connect_state wait teardown
REGRESS_OPTS = --inputdir=. --use-existing

# Isolation specs (specs/*.spec, expected/wait_*.out): hcguard_wait against a
# second session acting as Heroku Connect.  They share one database, prepared
# once by isolation-db with the Connect double and the extension.
ISOLATION      = wait_sync wait_no_lock wait_cancel wait_isolation_level \
                 concurrent_ddl concurrent_reload concurrent_confirm config_one_look \
                 concurrent_provision concurrent_declare session_memory catalog_memory
ISOLATION_OPTS = --use-existing

# PGXS's installcheck makes these first: the regression files' database
# and the isolation specs', each only for a list that is not empty.
REGRESS_PREP   = $(if $(strip $(REGRESS)),regress-db) $(if $(strip $(ISOLATION)),isolation-db)

PG_CONFIG ?= pg_config
PG_CPPFLAGS = -I$(srcdir)/src
# Warnings are errors: a warning is a bug nobody has looked at yet.  The
# server headers' inline functions leave parameters unused, hence the one
# exception.
PG_CFLAGS += -Wall -Wextra -Werror -Wno-unused-parameter

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# hcguard supports PostgreSQL 13 and later (README, "Where it runs"): it
# uses 13's catalogs and server APIs, and no older version is tested.
ifneq ($(shell test '$(MAJORVERSION)' -ge 13 2>/dev/null && echo yes),yes)
$(error hcguard needs PostgreSQL 13 or later, and $(PG_CONFIG) is PostgreSQL $(VERSION); set PG_CONFIG to a newer server's pg_config)
endif

# Every file shares the verdict's structures: rebuild all when they change.
$(OBJS) $(OBJS:.o=.bc): src/hcguard.h src/compat.h src/messages.h

# The message catalogue, shared with the SQL edition (see src/messages.txt).
src/messages.h: src/messages.txt scripts/gen-messages
	perl $(srcdir)/scripts/gen-messages c $< > $@.tmp && mv $@.tmp $@
EXTRA_CLEAN = src/messages.h

ASSEMBLE_DEPS = src/messages.txt scripts/gen-messages scripts/assemble
hcguard--1.2.sql: $(filter-out messages,$(EXTENSION_PARTS)) $(ASSEMBLE_DEPS)
	$(srcdir)/scripts/assemble extension $(EXTENSION_PARTS) > $@.tmp && mv $@.tmp $@
hcguard--1.1--1.2.sql: $(filter-out messages,$(UPDATE_PARTS)) $(ASSEMBLE_DEPS)
	$(srcdir)/scripts/assemble extension $(UPDATE_PARTS) > $@.tmp && mv $@.tmp $@

# The SQL edition is committed, so that whoever only downloads the
# repository has the one file to install; make keeps it up to date, and
# check-assembled fails when the committed file is not what make builds.
HEROKU_SOURCES = $(filter-out messages,$(HEROKU_PARTS)) src/messages.txt \
               scripts/gen-messages scripts/assemble
all: heroku/hcguard.sql
heroku/hcguard.sql: $(HEROKU_SOURCES)
	$(srcdir)/scripts/assemble heroku $(HEROKU_PARTS) > $@.tmp && mv $@.tmp $@

.PHONY: check-assembled
check-assembled:
	$(srcdir)/scripts/assemble heroku $(HEROKU_PARTS) | cmp - $(srcdir)/heroku/hcguard.sql

# The same suite against the SQL edition (heroku/hcguard.sql), in a
# database prepared by regress-db-sql: owned by regress_hc_dbowner, who is
# not a superuser and installs the edition there (sql/setup_sql.sql checks
# that install again; sql/teardown_sql.sql removes it with its uninstall
# file and drops the roles).  Its psql hides the CONTEXT lines PL/pgSQL adds
# to errors (test/sql-edition/psql).  Where the editions differ (README,
# "How the editions differ"), the test runs under a second name,
# sql/<test>_sql.sql being a link to sql/<test>.sql, so that each edition's
# output is compared with its own expected file and never the other's.
REGRESS_SQL_EDITION = setup_sql life_of_field errors multi_columns shapes \
               confirmations privileges on_failure_sql locks probe_sql \
               overview config connect_data real_shapes typed hostile privilege_matrix_sql provision declarations connect_state wait_sql \
               teardown_sql

.PHONY: installcheck-sql-edition
installcheck-sql-edition: $(if $(strip $(REGRESS_SQL_EDITION)),regress-db-sql) \
                          $(if $(strip $(ISOLATION)),isolation-db-sql)
ifneq ($(strip $(REGRESS_SQL_EDITION)),)
	export HCGUARD_PSQL='$(bindir)/psql'; $(pg_regress_installcheck) $(REGRESS_OPTS) \
	  --bindir='$(CURDIR)/test/sql-edition' --outputdir=output_sql \
	  $(REGRESS_SQL_EDITION)
endif
ifneq ($(strip $(ISOLATION)),)
	$(pg_isolation_regress_installcheck) $(ISOLATION_OPTS) --outputdir=output_iso_sql \
	  $(ISOLATION)
endif

# The regression files' database (see test/fixtures/prepare.sql), made
# afresh: $(1) is true for the SQL edition.  It is created as pg_regress
# would create it, with ENCODING and NO_LOCALE if given.
define regress_db
	$(bindir)/psql -X -q -v ON_ERROR_STOP=1 -d postgres \
	  -v regress_db=$(CONTRIB_TESTDB) -v sql_edition=$(1) \
	  -v "create_options=$(if $(ENCODING),ENCODING '$(ENCODING)')$(if $(NO_LOCALE), LC_COLLATE 'C' LC_CTYPE 'C')" \
	  -f $(srcdir)/test/fixtures/prepare.sql
endef

.PHONY: regress-db regress-db-sql
regress-db:
	$(call regress_db,false)

regress-db-sql:
	$(call regress_db,true)

# The isolation specs' database, with the Connect double: $(1) is empty or
# its OWNER clause, $(2) the psql arguments that install hcguard in it.
define isolation_db
	$(bindir)/psql -X -q -v ON_ERROR_STOP=1 -d postgres \
	  -c 'SET client_min_messages = warning' \
	  -c 'DROP DATABASE IF EXISTS $(ISOLATION_TESTDB)' \
	  -c 'DROP ROLE IF EXISTS regress_hc_iso_owner' \
	  -c 'CREATE ROLE regress_hc_iso_owner' \
	  -c 'CREATE DATABASE $(ISOLATION_TESTDB) TEMPLATE template0 $(1)' \
	  -c "ALTER DATABASE $(ISOLATION_TESTDB) SET lc_messages TO 'C'"
	$(bindir)/psql -X -q -v ON_ERROR_STOP=1 -d $(ISOLATION_TESTDB) \
	  -c 'CREATE EXTENSION hstore' -f $(srcdir)/test/connect_double.sql $(2)
endef

.PHONY: isolation-db isolation-db-sql
isolation-db:
	$(call isolation_db,,-c 'CREATE EXTENSION hcguard')

# For the SQL edition: installed by the database's owner, not a superuser.
isolation-db-sql:
	$(call isolation_db,OWNER regress_hc_iso_owner,-c 'SET ROLE regress_hc_iso_owner' \
	  -c 'SET client_min_messages = warning' -f $(srcdir)/heroku/hcguard.sql)

# scripts/test-matrix reads the test lists from here, so that a test added
# to them runs on every version: make -s print-REGRESS
print-%:
	@echo $($*)
