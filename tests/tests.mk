# tests.mk - the plugin's integration tests (tests/integration/): aircall.so
# dlopen'ed for real and driven against aircall-sim over HTTP.

$(BUILD)/tests/integration/plugin_test.o: PART_CFLAGS := $(call pkgcflags,libcurl json-c cmocka)
$(BUILD)/tests/integration/plugin_test: $(BUILD)/tests/integration/plugin_test.o
	$(CC) -o $@ $< $(call pkglibs,libcurl json-c cmocka) -ldl -lpthread $(LDFLAGS)

ALL += $(BUILD)/tests/integration/plugin_test
TESTS += tests/integration/run.sh tests/integration/cli_test.sh
TESTS += tests/integration/deadline_test.sh
# valgrind and AddressSanitizer exclude each other: the SAN=1 pass has ASan's leak checker instead.
TESTS += $(if $(SAN)$(TSAN),,tests/integration/valgrind.sh)
# ThreadSanitizer defers a signal that arrives while a process waits in read() (kkp-setup
# at its prompt), which is what setup_test's signal cases measure: they run in the other passes.
TESTS := $(if $(TSAN),$(filter-out tests/keystore/setup_test.sh,$(TESTS)),$(TESTS))

include tests/fuzz/fuzz.mk
TESTS += tests/install_test.sh
TESTS += tests/symbols_test.sh
TESTS += tests/format_test.sh
include tests/integration/integration.mk
include tests/hostile/hostile.mk

# The fault matrix: every function x every fault of the simulator's queue.
$(BUILD)/tests/integration/fault_matrix.o: PART_CFLAGS := $(call pkgcflags,libcurl json-c)
$(BUILD)/tests/integration/fault_matrix: $(BUILD)/tests/integration/fault_matrix.o
	$(CC) -o $@ $< $(call pkglibs,libcurl json-c) -ldl $(LDFLAGS)
ALL += $(BUILD)/tests/integration/fault_matrix
TESTS += tests/integration/fault_matrix.sh
TESTS += tests/credentials_test.sh
