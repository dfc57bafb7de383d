# integration.mk - integration tests that watch aircall.so from inside: they define some of
# the libcurl and libsodium functions it calls, exported (-rdynamic) so the dlopen'ed plugin
# binds to them, and forward to the real ones.

$(BUILD)/tests/integration/secret_memory_test.o: PART_CFLAGS := $(call pkgcflags,libcurl libsodium cmocka)
$(BUILD)/tests/integration/secret_memory_test: $(BUILD)/tests/integration/secret_memory_test.o
	$(CC) -rdynamic -o $@ $< $(call pkglibs,libcurl libsodium cmocka) -ldl $(LDFLAGS)

ALL += $(BUILD)/tests/integration/secret_memory_test
TESTS += tests/integration/secret_memory_test.sh

$(BUILD)/tests/integration/tls_test.o: PART_CFLAGS := $(call pkgcflags,libcurl json-c cmocka)
$(BUILD)/tests/integration/tls_test: $(BUILD)/tests/integration/tls_test.o
	$(CC) -rdynamic -o $@ $< $(call pkglibs,libcurl json-c cmocka) -ldl $(LDFLAGS)

ALL += $(BUILD)/tests/integration/tls_test
TESTS += tests/integration/tls_test.sh

# Pages read at once when handles or threads run out: curl_easy_init and pthread_create
# interposed the same way.
$(BUILD)/tests/integration/fanout_fault_test.o: PART_CFLAGS := $(call pkgcflags,libcurl cmocka)
$(BUILD)/tests/integration/fanout_fault_test: $(BUILD)/tests/integration/fanout_fault_test.o
	$(CC) -rdynamic -o $@ $< $(call pkglibs,libcurl cmocka) -ldl -lpthread $(LDFLAGS)

ALL += $(BUILD)/tests/integration/fanout_fault_test
TESTS += tests/integration/fanout_fault_test.sh
