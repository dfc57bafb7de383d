# bench.mk - the plugin's benchmark: `make bench` (bench/run.sh) runs every comparison and
# writes BENCHMARKS.md; its clients and the canned responder are built here. The simulator's
# own benchmark and curl_loop are in sim/sim.mk.

$(BUILD)/plugin_bench: $(BUILD)/bench/plugin_bench.o
	$(CC) -o $@ $< -ldl $(LDFLAGS)

$(BUILD)/bench/curl_json.o: PART_CFLAGS := $(call pkgcflags,libcurl json-c)
$(BUILD)/curl_json: $(BUILD)/bench/curl_json.o
	$(CC) -o $@ $< $(call pkglibs,libcurl json-c) $(LDFLAGS)

$(BUILD)/canned: $(BUILD)/bench/canned.o
	$(CC) -o $@ $< -lpthread $(LDFLAGS)

$(BUILD)/measure: $(BUILD)/bench/measure.o
	$(CC) -o $@ $< $(LDFLAGS)

ALL += $(BUILD)/plugin_bench $(BUILD)/curl_json $(BUILD)/canned $(BUILD)/measure

bench: all
	@BUILD=$(BUILD) sh bench/run.sh

TESTS += tests/bench/smoke_test.sh tests/integration/ca_file_test.sh
