# bench.mk - the plugin's benchmark (bench/plugin_bench.*): `make bench`.
# The simulator's own benchmark and curl_loop are in sim/sim.mk.

$(BUILD)/plugin_bench: $(BUILD)/bench/plugin_bench.o
	$(CC) -o $@ $< -ldl $(LDFLAGS)
ALL += $(BUILD)/plugin_bench

bench: all
	@BUILD=$(BUILD) sh bench/plugin_bench.sh
