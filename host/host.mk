# host.mk - rules for host/ (included by the top Makefile): kkp-host, its fixture
# plugins under tests/host/fixtures/, and the host and Lua tests.

HOST_CORE_SRCS := host/plugin_dirs.c host/loader.c host/account.c $(COMMON_SRCS) host/doc.c host/show.c \
                  host/call.c host/check.c host/config.c host/cli_args.c host/progress.c
HOST_LUA_SRCS := host/lua_json.c host/lua_namespace.c host/lua_sandbox.c host/lua_decode.c host/lua_errors.c
HOST_MCP_SRCS := host/mcp.c host/mcp_tools.c host/mcp_calls.c
HOST_CORE_OBJS := $(HOST_CORE_SRCS:%.c=$(BUILD)/%.o)
HOST_OBJS := $(BUILD)/host/main.o $(HOST_CORE_OBJS) $(HOST_LUA_SRCS:%.c=$(BUILD)/%.o) \
             $(HOST_MCP_SRCS:%.c=$(BUILD)/%.o)
HOST_LIBS := $(BUILD)/libks.a $(call pkglibs,json-c lua5.4 libsodium) -ldl -lm -pthread

$(HOST_OBJS): PART_CFLAGS := $(call pkgcflags,json-c lua5.4) -DHOST_VERSION='"$(VERSION)"'

$(BUILD)/kkp-host: $(HOST_OBJS) $(BUILD)/libks.a
	$(CC) $(LDFLAGS) -o $@ $(HOST_OBJS) $(HOST_LIBS)

ALL += $(BUILD)/kkp-host

# Fixture plugins: each tests/host/fixtures/X.c becomes X.so beside a copy of X.json.
# go-w: the loader refuses group/world-writable libraries, whatever the umask.
HOST_FX_DIR := $(BUILD)/tests/host/fixtures
HOST_FX_SOS := $(patsubst tests/host/fixtures/%.c,$(HOST_FX_DIR)/%.so,$(wildcard tests/host/fixtures/*.c))
HOST_FX_JSONS := $(patsubst tests/host/fixtures/%,$(HOST_FX_DIR)/%,$(wildcard tests/host/fixtures/*.json))

$(HOST_FX_DIR)/%.so: tests/host/fixtures/%.c $(HOST_FX_DIR)/%_manifest.c tests/host/fixtures/fixture_plugin.h plugin.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -shared -o $@ $< $(HOST_FX_DIR)/$*_manifest.c $(LDFLAGS)
	chmod go-w $@
$(HOST_FX_DIR)/%_manifest.c: tests/host/fixtures/%.json $(BUILD)/tools/embed
	@mkdir -p $(dir $@)
	$(BUILD)/tools/embed fx_manifest $< $@
$(HOST_FX_DIR)/%.json: tests/host/fixtures/%.json
	@mkdir -p $(dir $@)
	cp $< $@

ALL += $(HOST_FX_SOS) $(HOST_FX_JSONS)

# Unit tests of the host's pure parts (no Lua, no main).
HOST_UNIT := $(BUILD)/tests/host/host_unit_test
$(BUILD)/tests/host/host_unit_test.o: PART_CFLAGS := $(call pkgcflags,json-c cmocka)
$(HOST_UNIT): $(BUILD)/tests/host/host_unit_test.o $(HOST_CORE_OBJS) $(BUILD)/libks.a
	$(CC) $(LDFLAGS) -o $@ $^ $(call pkglibs,json-c cmocka libsodium) -ldl

ALL += $(HOST_UNIT)
TESTS += $(HOST_UNIT) $(sort $(wildcard tests/host/*_test.sh)) $(sort $(wildcard tests/lua/*_test.sh))
TESTS += tests/mcp/mcp_test.sh
