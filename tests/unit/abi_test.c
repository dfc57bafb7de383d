/*
 * abi_test.c - ABI 1.0 is frozen: every member of struct kkp_plugin and struct
 * kkp_host keeps its offset, and the status values keep their numbers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "plugin.h"

/* ABI 1.0 exactly as released; never edit these copies. */
struct plugin_1_0 {
  uint32_t abi_major;
  uint32_t abi_minor;
  size_t struct_size;
  const char *name;
  const char *version;
  const char *(*describe)(void);
  int (*account_init)(const struct kkp_host *, const char *, const char *, struct kkp_account **, char **);
  int (*invoke)(struct kkp_account *, const char *, const char *, char **);
  void (*account_free)(struct kkp_account *);
  void (*free_string)(char *);
};
struct host_1_0 {
  uint32_t abi_major;
  uint32_t abi_minor;
  size_t struct_size;
  void *ctx;
  void (*log)(void *, int, const char *);
  int (*get_secret)(void *, const char *, char *, size_t);
};

#define SAME_OFFSET(live, frozen, member) assert_int_equal(offsetof(live, member), offsetof(frozen, member))

static void plugin_members_keep_their_offsets(void **state) {
  (void)state;
  SAME_OFFSET(struct kkp_plugin, struct plugin_1_0, abi_major);
  SAME_OFFSET(struct kkp_plugin, struct plugin_1_0, abi_minor);
  SAME_OFFSET(struct kkp_plugin, struct plugin_1_0, struct_size);
  SAME_OFFSET(struct kkp_plugin, struct plugin_1_0, name);
  SAME_OFFSET(struct kkp_plugin, struct plugin_1_0, version);
  SAME_OFFSET(struct kkp_plugin, struct plugin_1_0, describe);
  SAME_OFFSET(struct kkp_plugin, struct plugin_1_0, account_init);
  SAME_OFFSET(struct kkp_plugin, struct plugin_1_0, invoke);
  SAME_OFFSET(struct kkp_plugin, struct plugin_1_0, account_free);
  SAME_OFFSET(struct kkp_plugin, struct plugin_1_0, free_string);
  assert_int_equal(KKP_PLUGIN_SIZE_1_0, sizeof(struct plugin_1_0));
  assert_true(sizeof(struct kkp_plugin) >= sizeof(struct plugin_1_0));
}

static void host_members_keep_their_offsets(void **state) {
  (void)state;
  SAME_OFFSET(struct kkp_host, struct host_1_0, abi_major);
  SAME_OFFSET(struct kkp_host, struct host_1_0, abi_minor);
  SAME_OFFSET(struct kkp_host, struct host_1_0, struct_size);
  SAME_OFFSET(struct kkp_host, struct host_1_0, ctx);
  SAME_OFFSET(struct kkp_host, struct host_1_0, log);
  SAME_OFFSET(struct kkp_host, struct host_1_0, get_secret);
  assert_int_equal(KKP_HOST_SIZE_1_0, sizeof(struct host_1_0));
}

static void status_values_are_frozen(void **state) {
  (void)state;
  assert_int_equal(KKP_OK, 0);
  assert_int_equal(KKP_ERR_INVALID_ARGUMENT, 1);
  assert_int_equal(KKP_ERR_UNAUTHORIZED, 2);
  assert_int_equal(KKP_ERR_NOT_FOUND, 3);
  assert_int_equal(KKP_ERR_RATE_LIMITED, 4);
  assert_int_equal(KKP_ERR_UPSTREAM, 5);
  assert_int_equal(KKP_ERR_NETWORK, 6);
  assert_int_equal(KKP_ERR_CONFIG, 7);
  assert_int_equal(KKP_ERR_UNSUPPORTED, 8);
  assert_int_equal(KKP_ERR_INTERNAL, 9);
  assert_int_equal(KKP_ERR_CANCELLED, 10);
  assert_int_equal(KKP_ABI_MAJOR, 1);
}

/* ABI 1.1 appended invoke_call right after 1.0's last member, and the
 * status names are the error JSON's codes, unknown values included. */
static void abi_1_1_appends_only(void **state) {
  (void)state;
  assert_int_equal(offsetof(struct kkp_plugin, invoke_call), KKP_PLUGIN_SIZE_1_0);
  assert_true(KKP_PLUGIN_SIZE_1_1 > KKP_PLUGIN_SIZE_1_0);
  assert_int_equal(offsetof(struct kkp_call, struct_size), 0);
  assert_string_equal(kkp_status_name(KKP_OK), "ok");
  assert_string_equal(kkp_status_name(KKP_ERR_RATE_LIMITED), "rate_limited");
  assert_string_equal(kkp_status_name(KKP_ERR_INTERNAL), "internal_error");
  assert_string_equal(kkp_status_name(KKP_ERR_CANCELLED), "cancelled");
  assert_string_equal(kkp_status_name(11), "internal_error");
  assert_string_equal(kkp_status_name(-1), "internal_error");
  const struct kkp_plugin *p = kkp_plugin_entry(1, 1);
  assert_non_null(p);
  assert_true(p->struct_size >= KKP_PLUGIN_SIZE_1_1);
  assert_non_null(p->invoke_call);
  assert_int_equal(p->abi_minor, 1);
}

static void entry_serves_major_1_only(void **state) {
  (void)state;
  const struct kkp_plugin *p = kkp_plugin_entry(1, 0);
  assert_non_null(p);
  assert_int_equal(p->abi_major, 1);
  assert_int_equal(p->struct_size, sizeof(struct kkp_plugin));
  assert_string_equal(p->name, "aircall");
  assert_null(kkp_plugin_entry(2, 0));
  assert_null(kkp_plugin_entry(0, 9));
  assert_non_null(kkp_plugin_entry(1, 7)); /* a newer 1.x host is served */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(plugin_members_keep_their_offsets),
      cmocka_unit_test(host_members_keep_their_offsets),
      cmocka_unit_test(status_values_are_frozen),
      cmocka_unit_test(entry_serves_major_1_only),
      cmocka_unit_test(abi_1_1_appends_only),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
