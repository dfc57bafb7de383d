# plugin.mk - aircall.so, its manifest beside it, and the plugin's unit tests.

AC_SRCS := $(wildcard src/*.c) $(COMMON_SRCS)
AC_OBJS := $(AC_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/gen/manifest_data.o
AC_LIBS := $(BUILD)/libks.a $(call pkglibs,libcurl json-c libsodium) -lpthread -lm
$(AC_OBJS): PART_CFLAGS := $(call pkgcflags,libcurl json-c libsodium) -DAC_VERSION='"$(VERSION)"'

# The manifest's bytes go into the plugin as data, so describe() cannot drift from aircall.json.
$(BUILD)/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $< -o $@ $(LDFLAGS)
$(BUILD)/gen/manifest_data.c: manifest/aircall.json $(BUILD)/tools/embed
	@mkdir -p $(dir $@)
	$(BUILD)/tools/embed ac_manifest_json $< $@
$(BUILD)/gen/manifest_data.o: $(BUILD)/gen/manifest_data.c
	$(CC) $(CFLAGS) -c $< -o $@

# Static keystore and hidden visibility: nm -D shows kkp_plugin_entry alone.
$(BUILD)/aircall.so: $(AC_OBJS) $(BUILD)/libks.a
	$(CC) -shared -Wl,-z,defs -Wl,--exclude-libs,ALL -o $@ $(AC_OBJS) $(AC_LIBS) $(LDFLAGS)
	chmod go-w $@ # hosts refuse a group- or world-writable plugin (any umask)
$(BUILD)/aircall.json: manifest/aircall.json
	@mkdir -p $(dir $@)
	cp $< $@
$(BUILD)/aircall.md: manifest/aircall.md
	@mkdir -p $(dir $@)
	cp $< $@

ALL += $(BUILD)/aircall.so $(BUILD)/aircall.json $(BUILD)/aircall.md

# Unit tests: each tests/unit/X_test.c links the plugin's objects (not the .so)
# so it can reach the pure internals.
AC_UNIT_SRCS := $(wildcard tests/unit/*_test.c)
AC_UNIT_BINS := $(AC_UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)
$(AC_UNIT_SRCS:%.c=$(BUILD)/%.o): PART_CFLAGS := $(call pkgcflags,libcurl json-c libsodium cmocka) -DAC_VERSION='"$(VERSION)"'
$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(AC_OBJS) $(BUILD)/libks.a
	$(CC) -o $@ $< $(AC_OBJS) $(AC_LIBS) $(call pkglibs,cmocka) $(LDFLAGS)
ALL += $(AC_UNIT_BINS)
TESTS += $(AC_UNIT_BINS)
