/*
 * plugin.h - the KosmoKrator plugin ABI, version 1.
 *
 * The one header a host needs to load any kkp plugin with dlopen(3), and the
 * one header a plugin implements. ABI.md says what may change and how.
 */
#ifndef KKP_PLUGIN_H
#define KKP_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KKP_ABI_MAJOR 1u
#define KKP_ABI_MINOR 1u

/* The name of the one symbol a plugin exports. */
#define KKP_PLUGIN_ENTRY_SYMBOL "kkp_plugin_entry"

/*
 * Status codes returned by account_init and invoke. FROZEN: values never
 * change meaning; new codes are appended only (a host treats an unknown
 * value as KKP_ERR_INTERNAL). Each has a string twin in the error JSON.
 */
enum kkp_status {
  KKP_OK = 0,
  KKP_ERR_INVALID_ARGUMENT = 1, /* "invalid_argument" */
  KKP_ERR_UNAUTHORIZED = 2,     /* "unauthorized" */
  KKP_ERR_NOT_FOUND = 3,        /* "not_found" */
  KKP_ERR_RATE_LIMITED = 4,     /* "rate_limited" */
  KKP_ERR_UPSTREAM = 5,         /* "upstream_error" */
  KKP_ERR_NETWORK = 6,          /* "network_error" */
  KKP_ERR_CONFIG = 7,           /* "config_error" */
  KKP_ERR_UNSUPPORTED = 8,      /* "unsupported" */
  KKP_ERR_INTERNAL = 9,         /* "internal_error" */
  KKP_ERR_CANCELLED = 10        /* "cancelled" (ABI 1.1): the host's kkp_call.cancelled said stop */
  /* append only */
};

/* The error JSON's "code" for a status (the string twin of each value above);
 * "internal_error" for a value this header does not know. Written once here
 * so that plugins and hosts agree. */
static inline const char *kkp_status_name(int status) {
  static const char *const names[] = {"ok",           "invalid_argument", "unauthorized",  "not_found",
                                      "rate_limited", "upstream_error",   "network_error", "config_error",
                                      "unsupported",  "internal_error",   "cancelled"};
  if (status < 0 || (size_t)status >= sizeof(names) / sizeof(names[0])) return "internal_error";
  return names[status];
}

/* What a plugin's name may be: 1 to 64 of A-Z a-z 0-9 _ -. It names the
 * files NAME.so and NAME.json, the keystore's folder and app.integrations.NAME,
 * and "PLUGIN.ACCOUNT" splits at the first dot, so a name has none. */
static inline int kkp_plugin_name_valid(const char *name) {
  size_t n = 0;
  if (!name) return 0;
  for (; name[n] && n <= 64; n++) {
    char c = name[n];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
      return 0;
  }
  return n >= 1 && n <= 64 && !name[n];
}

/* The secret a plugin asks get_secret for to unlock a passphrase-wrapped
 * keystore, and the environment variable that may hold it instead. */
#define KKP_SECRET_KEYSTORE_PASSPHRASE "keystore_passphrase"
#define KKP_ENV_KEYSTORE_PASSPHRASE "KKP_KEYSTORE_PASSPHRASE"
/* Asked for first (1.1, appended): the key that unwraps the keystore's host key,
 * which a host derives from the passphrase once per process, so a plugin opening
 * many accounts does not run the passphrase's key derivation for each. Its value
 * is text the keystore defines (ks_unlock_to_text). A host that does not give it
 * answers -1, and the plugin asks for KKP_SECRET_KEYSTORE_PASSPHRASE instead. */
#define KKP_SECRET_KEYSTORE_KEY "keystore_key"

/* The deepest nesting of JSON a plugin or host accepts, in arguments, results
 * and answers alike: one limit, so a text one side accepts the other never
 * refuses. Counted as json-c counts: the top value is level 1 and each value
 * inside an array or object one level deeper than it, scalars included
 * ([[1]] is 3 levels deep, [[]] 2). */
#define KKP_JSON_MAX_DEPTH 32

/* Log levels passed to kkp_host.log. */
enum kkp_log_level { KKP_LOG_ERROR = 0, KKP_LOG_WARN = 1, KKP_LOG_INFO = 2, KKP_LOG_DEBUG = 3 };

/*
 * What the host lends the plugin. The host owns it and keeps it alive until
 * account_free returns for every account initialised with it.
 * Members after struct_size are read only when struct_size covers them.
 * APPEND ONLY: members never move, new ones go at the end.
 */
struct kkp_host {
  uint32_t abi_major; /* KKP_ABI_MAJOR the host was built with */
  uint32_t abi_minor; /* KKP_ABI_MINOR the host was built with */
  size_t struct_size; /* sizeof(struct kkp_host) as the host was built */
  void *ctx;          /* passed back unchanged to the callbacks */
  /* May be NULL. Called from any thread that calls invoke; must be
   * thread-safe. message is borrowed for the call and never holds a secret. */
  void (*log)(void *ctx, int level, const char *message);
  /* May be NULL. Writes the secret called name (e.g. "keystore_passphrase"),
   * NUL-terminated, into buf of cap bytes. Returns its length, or -1 when the
   * host has no such secret or it does not fit. */
  int (*get_secret)(void *ctx, const char *name, char *buf, size_t cap);
  /* ABI 1.x: new members are appended here only */
};

/* One initialised account: opaque to the host. */
struct kkp_account;

/*
 * ABI 1.1: what a host may say about one call to invoke_call. The host owns
 * it; it is borrowed for the call. Zero-initialise it and set struct_size:
 * a member the plugin does not know, or one past struct_size, is ignored.
 * APPEND ONLY, like the structs below.
 */
struct kkp_call {
  size_t struct_size; /* sizeof(struct kkp_call) as the host was built */
  /* > 0: the whole call (connects, retries, rate-limit waits, every page)
   * ends within this many milliseconds of its start, or fails saying what was
   * cut short. 0: the account's own deadline (its config). A host with a time
   * budget of its own (a script's time cap) passes what is left of it. */
  int64_t deadline_ms;
  void *ctx; /* passed back unchanged to the callbacks */
  /* May be NULL. Polled from the invoking thread between requests and while
   * waiting; non-zero stops the call with KKP_ERR_CANCELLED. A write already
   * sent is never undone: the error says what was applied. */
  int (*cancelled)(void *ctx);
  /* May be NULL. Called from the invoking thread as a long call advances
   * (pages read, a rate-limit wait). done and total count the same unit;
   * total is 0 when unknown. message is borrowed and never holds a secret. */
  void (*progress)(void *ctx, uint64_t done, uint64_t total, const char *message);
};

/*
 * The plugin's function table, returned by kkp_plugin_entry. Static and
 * const: the host never frees it and may read it from any thread.
 * APPEND ONLY: members never move, new ones go at the end (ABI.md).
 */
struct kkp_plugin {
  uint32_t abi_major;  /* KKP_ABI_MAJOR: a different major is refused */
  uint32_t abi_minor;  /* members appended since 1.0; read with struct_size */
  size_t struct_size;  /* sizeof(struct kkp_plugin) as the plugin was built */
  const char *name;    /* "aircall": static */
  const char *version; /* the plugin's semantic version: static */

  /* The manifest JSON (manifest/<name>.json, byte for byte), static and
   * NUL-terminated. Never freed. Thread-safe. */
  const char *(*describe)(void);

  /* Opens one account: reads its credential from the keystore and applies
   * config_json (an object; NULL means "{}"). account and config_json are
   * borrowed. On KKP_OK *out is the new account, to be released with
   * account_free. On failure *out is NULL and *error_json holds the error
   * object (caller frees with free_string). Thread-safe. */
  int (*account_init)(const struct kkp_host *host, const char *account, const char *config_json,
                      struct kkp_account **out, char **error_json);

  /* Calls one function ("list_calls", or its full name "aircall_list_calls")
   * with args_json (an object; NULL means "{}"), both borrowed. Always sets
   * *result_json: the result object on KKP_OK, the error object otherwise
   * (caller frees with free_string). Safe from several threads at once, on
   * the same account or on different ones. */
  int (*invoke)(struct kkp_account *acct, const char *function, const char *args_json, char **result_json);

  /* Releases an account and wipes its credential. NULL is a no-op. No
   * invoke on acct may be running or start afterwards. */
  void (*account_free)(struct kkp_account *acct);

  /* Frees every string the plugin hands out. NULL is a no-op. */
  void (*free_string)(char *s);

  /* ABI 1.1: invoke with per-call options (a deadline, cancellation,
   * progress). call may be NULL, which is invoke. Everything else as invoke.
   * A host reads this member only when struct_size covers it. */
  int (*invoke_call)(struct kkp_account *acct, const char *function, const char *args_json,
                     const struct kkp_call *call, char **result_json);

  /* ABI 1.x: new members are appended here only */
};

/* The size of ABI 1.0's struct kkp_plugin: a host refuses anything smaller. */
#define KKP_PLUGIN_SIZE_1_0 (offsetof(struct kkp_plugin, free_string) + sizeof(void (*)(char *)))
/* The size of ABI 1.1's struct kkp_plugin: invoke_call is there when struct_size reaches it. */
#define KKP_PLUGIN_SIZE_1_1 (offsetof(struct kkp_plugin, invoke_call) + sizeof(void *))
/* The size of ABI 1.0's struct kkp_host: a plugin reads nothing past it
 * unless struct_size says so. */
#define KKP_HOST_SIZE_1_0 (offsetof(struct kkp_host, get_secret) + sizeof(void *))

/*
 * The one exported symbol. Returns the plugin's table, or NULL when the
 * plugin cannot serve host_abi_major. Thread-safe, cheap, no side effects
 * beyond one-time library initialisation.
 */
typedef const struct kkp_plugin *(*kkp_plugin_entry_fn)(uint32_t host_abi_major, uint32_t host_abi_minor);
const struct kkp_plugin *kkp_plugin_entry(uint32_t host_abi_major, uint32_t host_abi_minor);

/*
 * Error JSON, as produced by account_init and invoke on failure:
 *   {"error": {"code": "invalid_argument", "message": "...",
 *              "retryable": false, "http_status": 400,
 *              "retry_after_s": 12, "details": {...}}}
 * code and message are always present; the others only when they apply.
 */

#ifdef __cplusplus
}
#endif
#endif /* KKP_PLUGIN_H */
