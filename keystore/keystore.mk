# keystore.mk - rules for keystore/ (included by the top Makefile): libks.a and
# libks_setup.a (linked static, hidden), kkp-setup, and the tests under tests/keystore/.

# Two archives along the keystore's trust boundary (README.md): libks.a, the runtime
# (list accounts, read headers, open a credential, read a secret), linked into plugins
# and kkp-host; libks_setup.a, provisioning (create and re-wrap the host key, seal,
# remove, write files atomically), linked into kkp-setup alone. Each file holds one
# side, so the linker pulls into a binary only what it calls (trust_boundary_test).
KS_RT_SRCS := keystore/status.c keystore/names.c keystore/secret.c keystore/file_read.c \
              keystore/pair_files.c keystore/record_header.c keystore/listing.c keystore/unlock.c keystore/hostkey_open.c \
              keystore/record_open.c keystore/secret_input.c keystore/secret_file.c keystore/process_guard.c
KS_PROV_SRCS := keystore/atomic_file.c keystore/pair_replace.c keystore/hostkey_pub.c keystore/hostkey_make.c \
                keystore/record_seal.c
KS_LIB_SRCS := $(KS_RT_SRCS) $(KS_PROV_SRCS)
KS_LIB_OBJS := $(KS_LIB_SRCS:%.c=$(BUILD)/%.o)
# kkp-setup shares kkp-host's plugin search path (add refuses a plugin not installed).
KS_SETUP_OBJS := $(BUILD)/keystore/setup.o $(BUILD)/keystore/setup_plugins.o $(BUILD)/host/plugin_dirs.o \
                 $(BUILD)/common/suggest.o

$(KS_LIB_OBJS): PART_CFLAGS := $(call pkgcflags,libsodium)
$(BUILD)/keystore/setup.o: PART_CFLAGS := $(call pkgcflags,libsodium json-c) -DKKP_VERSION='"$(VERSION)"'
$(BUILD)/keystore/setup_plugins.o: PART_CFLAGS := $(call pkgcflags,libsodium json-c)

$(BUILD)/libks.a: $(KS_RT_SRCS:%.c=$(BUILD)/%.o)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^
$(BUILD)/libks_setup.a: $(KS_PROV_SRCS:%.c=$(BUILD)/%.o)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/kkp-setup: $(KS_SETUP_OBJS) $(BUILD)/libks_setup.a $(BUILD)/libks.a
	$(CC) $(LDFLAGS) -o $@ $^ $(call pkglibs,libsodium json-c)

ALL += $(BUILD)/libks.a $(BUILD)/libks_setup.a $(BUILD)/kkp-setup

# Tests: cmocka programs (library) and shell scripts (kkp-setup).
KS_TEST_UNITS := $(BUILD)/tests/keystore/names_test $(BUILD)/tests/keystore/record_test \
                 $(BUILD)/tests/keystore/golden_test
KS_TEST_PROGS := $(KS_TEST_UNITS) $(BUILD)/tests/keystore/ks_probe $(BUILD)/tests/keystore/tty_probe
KS_TEST_OBJS := $(KS_TEST_PROGS:%=%.o)
$(KS_TEST_OBJS): PART_CFLAGS := $(call pkgcflags,libsodium cmocka)

$(KS_TEST_PROGS): %: %.o $(BUILD)/libks_setup.a $(BUILD)/libks.a
	$(CC) $(LDFLAGS) -o $@ $^ $(call pkglibs,libsodium cmocka)

ALL += $(KS_TEST_PROGS)
TESTS += $(KS_TEST_UNITS) tests/keystore/setup_test.sh tests/keystore/stress_test.sh
TESTS += tests/keystore/pair_swap_test.sh
TESTS += tests/keystore/write_order_test.sh
TESTS += tests/keystore/trust_boundary_test.sh tests/keystore/passphrase_file_test.sh
TESTS += tests/keystore/unlock_once_test.sh
