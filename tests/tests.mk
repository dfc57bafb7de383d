# tests.mk - the plugin's integration tests (tests/integration/): aircall.so
# dlopen'ed for real and driven against aircall-sim over HTTP.

$(BUILD)/tests/integration/plugin_test.o: PART_CFLAGS := $(call pkgcflags,libcurl json-c cmocka)
$(BUILD)/tests/integration/plugin_test: $(BUILD)/tests/integration/plugin_test.o
	$(CC) -o $@ $< $(call pkglibs,libcurl json-c cmocka) -ldl -lpthread $(LDFLAGS)

ALL += $(BUILD)/tests/integration/plugin_test
TESTS += tests/integration/run.sh tests/integration/cli_test.sh
# valgrind and AddressSanitizer exclude each other: the SAN=1 pass has ASan's leak checker instead.
TESTS += $(if $(SAN)$(TSAN),,tests/integration/valgrind.sh)
# ThreadSanitizer defers a signal that arrives while a process waits in read() (kkp-setup
# at its prompt), which is what setup_test's signal cases measure: they run in the other passes.
TESTS := $(if $(TSAN),$(filter-out tests/keystore/setup_test.sh,$(TESTS)),$(TESTS))

# Fuzz targets (tests/fuzz/, libFuzzer): `make fuzz` builds them with clang and runs
# each for FUZZ_SECONDS; their seed corpora are in tests/fuzz/corpus/.
FUZZ_SECONDS ?= 20
FUZZ_TARGETS := args_fuzz formats_fuzz
FUZZ_SRCS := $(filter-out src/plugin.c,$(wildcard src/*.c))
.PHONY: fuzz
fuzz: $(BUILD)/gen/manifest_data.c $(BUILD)/libks.a
	@mkdir -p $(BUILD)/fuzz
	@for t in $(FUZZ_TARGETS); do \
	  clang -g -O1 -std=c11 -D_GNU_SOURCE -I. -DAC_VERSION='"$(VERSION)"' -fsanitize=fuzzer,address,undefined \
	    $(call pkgcflags,libcurl json-c libsodium) tests/fuzz/$$t.c src/plugin.c $(FUZZ_SRCS) $(BUILD)/gen/manifest_data.c \
	    -o $(BUILD)/fuzz/$$t $(BUILD)/libks.a $(call pkglibs,libcurl json-c libsodium) -lpthread -lm || exit 1; \
	  mkdir -p $(BUILD)/fuzz/corpus-$$t; \
	  $(BUILD)/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -max_len=4096 $(BUILD)/fuzz/corpus-$$t tests/fuzz/corpus/$$t || exit 1; \
	done
TESTS += tests/install_test.sh
TESTS += tests/symbols_test.sh
include tests/integration/integration.mk
include tests/hostile/hostile.mk
