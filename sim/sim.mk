# sim.mk - rules for sim/ (included by the top Makefile): aircall-sim, its tests, and the
# simulator benchmarks in bench/ (curl_loop and sim_bench.sh).

SIM_SRCS := sim/main.c sim/server.c sim/routes.c sim/controls.c sim/listing.c sim/answer.c \
            sim/render.c sim/dataset.c sim/calls.c sim/contacts.c sim/directory.c
SIM_OBJS := $(SIM_SRCS:%.c=$(BUILD)/%.o)

$(SIM_OBJS): PART_CFLAGS := $(call pkgcflags,libmicrohttpd json-c)
$(BUILD)/sim/main.o: PART_CFLAGS := $(call pkgcflags,libmicrohttpd json-c) -DSIM_VERSION='"$(VERSION)"'

$(BUILD)/aircall-sim: $(SIM_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(call pkglibs,libmicrohttpd json-c) -lpthread

$(BUILD)/curl_loop: $(BUILD)/bench/curl_loop.o
	$(CC) $(LDFLAGS) -o $@ $^ $(call pkglibs,libcurl)

$(BUILD)/bench/curl_loop.o: PART_CFLAGS := $(call pkgcflags,libcurl)

ALL += $(BUILD)/aircall-sim $(BUILD)/curl_loop

TESTS += tests/sim/auth_test.sh tests/sim/lists_test.sh tests/sim/calls_test.sh \
         tests/sim/contacts_test.sh tests/sim/directory_test.sh tests/sim/ratelimit_test.sh \
         tests/sim/controls_test.sh tests/sim/faults_test.sh tests/sim/dataset_test.sh \
         tests/sim/robustness_test.sh tests/sim/latency_tls_test.sh

.PHONY: sim-bench
sim-bench: $(BUILD)/aircall-sim $(BUILD)/curl_loop
	@BUILD=$(BUILD) sh bench/sim_bench.sh
