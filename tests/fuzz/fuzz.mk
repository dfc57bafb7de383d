# fuzz.mk - libFuzzer targets (tests/fuzz/*_fuzz.c, each one a target picked up by
# wildcard). `make fuzz` builds them with clang (ASan + UBSan, any UB is a crash)
# and runs each for FUZZ_SECONDS from its seed corpus in tests/fuzz/corpus/<target>/;
# a crash or a leak fails it. Per-target executions go to $(BUILD)/fuzz/summary.txt.
FUZZ_SECONDS ?= 20
FUZZ_CC ?= clang
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/*_fuzz.c))
FUZZ_BINS := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/bin/%)
FUZZ_PKGS := libcurl json-c libsodium lua5.4 libmicrohttpd
FUZZ_CFLAGS := -g -O1 -std=c11 -D_GNU_SOURCE -I. -fno-omit-frame-pointer \
               -fsanitize=address,undefined -fno-sanitize-recover=all \
               -DAC_VERSION='"$(VERSION)"' -DHOST_VERSION='"$(VERSION)"' \
               -DHOST_PLUGIN_DIR='"/nonexistent/kkp-fuzz-plugins"' $(call pkgcflags,$(FUZZ_PKGS))
FUZZ_LIBS := $(call pkglibs,$(FUZZ_PKGS)) -ldl -lpthread -lm
# Everything but the programs' main(): the plugin, the keystore, the host, the simulator.
FUZZ_SRCS := $(wildcard src/*.c) $(KS_LIB_SRCS) $(HOST_CORE_SRCS) $(HOST_LUA_SRCS) $(HOST_MCP_SRCS) \
             $(filter-out sim/main.c,$(SIM_SRCS))
FUZZ_OBJS := $(FUZZ_SRCS:%.c=$(FUZZ_DIR)/obj/%.o) $(FUZZ_DIR)/obj/gen/manifest_data.o

$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@
$(FUZZ_DIR)/obj/gen/manifest_data.o: $(BUILD)/gen/manifest_data.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@
# The answers target brings its own ac_http/ac_http_text (the fake transport): the real
# ones become weak, and are not inlined, so that every call, transport.c's own included,
# reaches the fake one while the rest of transport.c stays real.
$(FUZZ_DIR)/obj/src/transport.o: src/transport.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fno-inline -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@
	objcopy --weaken-symbol=ac_http --weaken-symbol=ac_http_text $@

$(FUZZ_DIR)/libfuzzparts.a: $(FUZZ_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_DIR)/bin/%: tests/fuzz/%.c tests/fuzz/fuzz_util.h tests/fuzz/fuzz_lua.h $(FUZZ_DIR)/libfuzzparts.a
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $< -o $@ $(FUZZ_DIR)/libfuzzparts.a $(FUZZ_LIBS)

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_BINS)
fuzz:
	@sh tools/deps.sh
	@$(MAKE) --no-print-directory fuzz-build
	@sh tests/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_TARGETS)
