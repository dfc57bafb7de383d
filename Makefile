# Makefile - builds every part into $(BUILD)/, runs the tests and the demo, installs.
# Each part keeps its own rules in <part>/<part>.mk; this file holds what they share.

VERSION := 0.1.0
PREFIX ?= /usr/local
DESTDIR ?=
BUILD ?= build
CC ?= cc

# SAN=1 builds with AddressSanitizer and UndefinedBehaviorSanitizer (make check SAN=1).
SAN ?=
SANFLAGS := $(if $(SAN),-fsanitize=address -fsanitize=undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
# TSAN=1 builds with ThreadSanitizer, with clang (make check TSAN=1 BUILD=build/tsan).
TSAN ?=
SANFLAGS += $(if $(TSAN),-fsanitize=thread -fno-omit-frame-pointer)
CC := $(if $(TSAN),clang,$(CC))
comma := ,

PKGS := libcurl json-c libsodium lua5.4 libmicrohttpd cmocka
pkgcflags = $(shell pkg-config --cflags $(1) 2>/dev/null)
pkglibs = $(shell pkg-config --libs $(1) 2>/dev/null)

CFLAGS ?= -O2 -g
CFLAGS += -fPIC -fvisibility=hidden -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
          -Wformat=2 -Wno-format-nonliteral -I. $(SANFLAGS)
LDFLAGS += $(SANFLAGS)
# clang links the TSan runtime into executables only (its shared form crashes on start in
# clang 14): a shared object finds it in the host at load time, so -z defs is lifted for it.
LDFLAGS += $(if $(TSAN),-Wl$(comma)-z$(comma)undefs)

# Every part appends the commands of its tests here; tests/run.sh runs them all.
TESTS :=
ALL :=

.PHONY: all check demo deps clean bench
.DEFAULT_GOAL := all

# Code both sides of plugin.h link (common/): one rule written once.
COMMON_SRCS := common/suggest.c

include src/plugin.mk
include keystore/keystore.mk
include host/host.mk
include sim/sim.mk
include tests/tests.mk
include bench/bench.mk

all: $(ALL)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PART_CFLAGS) -MMD -MP -c $< -o $@

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

deps:
	@sh tools/deps.sh

check: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) SAN=$(SAN) TSAN=$(TSAN) sh tests/run.sh $(TESTS)

demo: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) sh tools/demo.sh

clean:
	rm -rf build

include tools/install.mk

# Reformats every C file with the checked-in .clang-format.
.PHONY: format
format:
	clang-format -i $$(git ls-files '*.c' '*.h')

# Mutation testing (tests/mutants/mutants.txt): one mutant at a time in a scratch copy under
# $(BUILD)/mutants; the last line reads "N/M mutants killed". MUTANTS="ID ..." picks some.
.PHONY: mutants
mutants: deps
	@BUILD=$(BUILD) perl tools/mutants.pl $(MUTANTS)
