# hcguard: PGXS build.  `make`, `make install`, `make installcheck`.
EXTENSION   = hcguard
MODULE_big  = hcguard
OBJS        = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))
DATA        = $(sort $(wildcard hcguard--*.sql))
PGFILEDESC  = "hcguard - Heroku Connect guards for migrations"

# The suite starts from the first released version and upgrades (see
# sql/setup.sql); the Connect double it loads lives in test/.  The files
# share one database and run in this order.
REGRESS      = setup life_of_field errors multi_columns shapes confirmations \
               privileges on_failure locks probe overview config wait teardown
REGRESS_OPTS = --inputdir=.

PG_CONFIG ?= pg_config
PG_CPPFLAGS = -I$(srcdir)/src
# Warnings are errors: a warning is a bug nobody has looked at yet.  The
# server headers' inline functions leave parameters unused, hence the one
# exception.
PG_CFLAGS += -Wall -Wextra -Werror -Wno-unused-parameter

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)
