# keystore.mk - rules for keystore/ (included by the top Makefile): libks.a (linked
# into plugins, hidden), kkp-setup, and the keystore tests under tests/keystore/.

KS_LIB_SRCS := keystore/status.c keystore/names.c keystore/atomic_file.c keystore/hostkey.c \
               keystore/record.c keystore/listing.c keystore/secret_input.c keystore/process_guard.c \
               keystore/pair_files.c
KS_LIB_OBJS := $(KS_LIB_SRCS:%.c=$(BUILD)/%.o)
# kkp-setup shares kkp-host's plugin search path (add refuses a plugin not installed).
KS_SETUP_OBJS := $(BUILD)/keystore/setup.o $(BUILD)/keystore/setup_plugins.o $(BUILD)/host/plugin_dirs.o \
                 $(BUILD)/common/suggest.o

$(KS_LIB_OBJS): PART_CFLAGS := $(call pkgcflags,libsodium)
$(BUILD)/keystore/setup.o: PART_CFLAGS := $(call pkgcflags,libsodium json-c) -DKKP_VERSION='"$(VERSION)"'
$(BUILD)/keystore/setup_plugins.o: PART_CFLAGS := $(call pkgcflags,libsodium json-c)

$(BUILD)/libks.a: $(KS_LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/kkp-setup: $(KS_SETUP_OBJS) $(BUILD)/libks.a
	$(CC) $(LDFLAGS) -o $@ $^ $(call pkglibs,libsodium json-c)

ALL += $(BUILD)/libks.a $(BUILD)/kkp-setup

# Tests: cmocka programs (library) and shell scripts (kkp-setup).
KS_TEST_UNITS := $(BUILD)/tests/keystore/names_test $(BUILD)/tests/keystore/record_test \
                 $(BUILD)/tests/keystore/golden_test
KS_TEST_PROGS := $(KS_TEST_UNITS) $(BUILD)/tests/keystore/ks_probe $(BUILD)/tests/keystore/tty_probe
KS_TEST_OBJS := $(KS_TEST_PROGS:%=%.o)
$(KS_TEST_OBJS): PART_CFLAGS := $(call pkgcflags,libsodium cmocka)

$(KS_TEST_PROGS): %: %.o $(BUILD)/libks.a
	$(CC) $(LDFLAGS) -o $@ $^ $(call pkglibs,libsodium cmocka)

ALL += $(KS_TEST_PROGS)
TESTS += $(KS_TEST_UNITS) tests/keystore/setup_test.sh tests/keystore/stress_test.sh
TESTS += tests/keystore/pair_swap_test.sh
TESTS += tests/keystore/write_order_test.sh
