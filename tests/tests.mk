# tests.mk - the plugin's integration tests (tests/integration/): aircall.so
# dlopen'ed for real and driven against aircall-sim over HTTP.

$(BUILD)/tests/integration/plugin_test.o: PART_CFLAGS := $(call pkgcflags,libcurl json-c cmocka)
$(BUILD)/tests/integration/plugin_test: $(BUILD)/tests/integration/plugin_test.o
	$(CC) -o $@ $< $(call pkglibs,libcurl json-c cmocka) -ldl -lpthread $(LDFLAGS)

ALL += $(BUILD)/tests/integration/plugin_test
TESTS += tests/integration/run.sh
