/*
 * host.h - the internals of kkp-host, the reference host: finding plugins by their
 * manifests, loading them with every ABI check, opening accounts, and the Lua bridge.
 */
#ifndef HOST_H
#define HOST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <json.h>

#include "plugin.h"
#include "common/suggest.h"

/* The installed plugin folder, relative to the folder of the running binary (as git's
 * RUNTIME_PREFIX): <prefix>/bin/kkp-host finds <prefix>/lib/kkp/plugins wherever the tree
 * is installed or moved. */
#define HOST_PLUGIN_DIR_REL "../lib/kkp/plugins"

/* Error text: every host_ function that can fail fills one with a message that
 * names the problem and the fix. */
struct host_error {
  char message[1024];
};
void host_error_set(struct host_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Exit statuses of kkp-host (documented in --help). A plugin status s exits 2 + s. */
enum host_exit {
  HOST_EXIT_OK = 0,
  HOST_EXIT_HOST = 1,  /* plugin not found, refused by the loader, write denied, script error */
  HOST_EXIT_USAGE = 2, /* bad command line */
  /* 3..11: KKP_ERR_INVALID_ARGUMENT (1) .. KKP_ERR_INTERNAL (9), i.e. 2 + status */
};
int host_exit_for_status(int status);

enum host_write_mode { HOST_WRITE_DEFAULT = 0, HOST_WRITE_ALLOW, HOST_WRITE_DENY };

/* Everything the command line and the environment decide. Strings are borrowed
 * from argv / environ for the life of the process. */
struct host_opts {
  const char *plugin_dirs[32]; /* --plugin-dir, in order */
  size_t n_plugin_dirs;
  const char *base_url; /* --base-url, or NULL */
  const char *keystore; /* --keystore, or NULL */
  long long timeout_ms; /* --timeout-ms, or -1 */
  int verbose;          /* --verbose: plugin log lines go to stderr */
  enum host_write_mode write;
  size_t memory_mb;        /* lua: --memory-mb (default 32) */
  double timeout_s;        /* lua: --timeout-s (default 30) */
  const char *plugins[32]; /* mcp: --plugin, the plugins served (none: all) */
  size_t n_plugins;
  const char *accounts[32]; /* mcp: --account, the accounts offered (none: all provisioned) */
  size_t n_accounts;
  const char *config[64]; /* --config KEY=VALUE, in order (config.c) */
  size_t n_config;
  const char *passphrase_file; /* --passphrase-file FILE|/dev/fd/N, or NULL */
};

/* ---- plugin_dirs.c: the search path and the manifests ---- */

/* One plugin as found on disk: NAME.json (+ NAME.so, + NAME.md) in dir. */
struct host_manifest {
  char *name; /* from the file name */
  char *dir;
  char *json_path, *so_path, *md_path;
  char *text; /* the manifest file's bytes, NUL-terminated */
  size_t len;
  json_object *root; /* parsed text */
};
void host_manifest_free(struct host_manifest *m);

/* The folders searched, in order: --plugin-dir..., $KKP_PLUGIN_PATH entries,
 * $KOSMO_HOME/plugins (~/.kosmokrator/plugins), host_exe_plugin_dir. On success
 * *dirs is an array of *n strings, caller frees with host_dirs_free. */
int host_dirs(const struct host_opts *o, char ***dirs, size_t *n, struct host_error *err);
/* <folder of the running executable>/../lib/kkp/plugins, made canonical when it exists, in
 * buf. 0, or -1 when /proc/self/exe cannot be read or buf is too small. */
int host_exe_plugin_dir(char *buf, size_t cap);
/* The folder of the running executable in buf; 0 or -1. */
int host_exe_dir(char *buf, size_t cap);
void host_dirs_free(char **dirs, size_t n);

/* All of f (NUL-terminated; *len bytes before the NUL). NULL with errno set on failure.
 * Caller frees. */
char *host_read_all(FILE *f, size_t *len);

/* Finds plugin name in the search path (first folder wins). Returns 0 and a new
 * manifest in *out (caller frees with host_manifest_free), or -1 with err set. */
int host_manifest_find(const struct host_opts *o, const char *name, struct host_manifest **out,
                       struct host_error *err);
/* Every plugin in the search path, first folder winning on a name clash, sorted
 * by name. Manifests that fail to parse are reported on stderr and skipped. */
int host_manifest_all(const struct host_opts *o, struct host_manifest ***out, size_t *n,
                      struct host_error *err);
void host_manifest_all_free(struct host_manifest **ms, size_t n);

/* One JSON text of len bytes, strictly: no trailing commas, nothing but
 * whitespace after the value. NULL (why set) when it is not that; a JSON null
 * also gives NULL, with *why json_tokener_success. Caller puts the result. */
json_object *host_json_parse(const char *s, size_t len, enum json_tokener_error *why);

/* Manifest look-ups. Returned objects are borrowed from m->root. */
json_object *host_manifest_functions(const struct host_manifest *m);
/* The function whose name or full_name is fn, or NULL. */
json_object *host_manifest_function(const struct host_manifest *m, const char *fn);
const char *host_json_str(json_object *o, const char *key);
/* Whether arr is an array holding the string s (other members, null included, never match). */
int host_json_array_has(json_object *arr, const char *s);
int host_function_is_write(json_object *fn);

/* ---- loader.c: dlopen with every ABI check ---- */

/* A loaded plugin: the library handle and a zeroed local copy of its table.
 * Reference-counted: every open account holds one reference, so the library
 * stays mapped until the last account is freed. */
struct host_plugin {
  void *dl;
  struct kkp_plugin api;                /* min(plugin, host) bytes of the plugin's table */
  const struct host_manifest *manifest; /* borrowed: outlives the plugin */
  int refs;
};

/* Refuses a library file that is group/world-writable or owned by a user other
 * than euid or root. Split out so the ownership rule is unit-tested. */
int host_file_trusted(const char *path, const struct stat *st, uid_t euid, struct host_error *err);

/* Loads m's library. On success returns the plugin with one reference (release
 * with host_plugin_release). m is borrowed and must outlive the plugin. */
int host_plugin_load(const struct host_manifest *m, struct host_plugin **out, struct host_error *err);
void host_plugin_retain(struct host_plugin *p);
void host_plugin_release(struct host_plugin *p);

/* ---- account.c: account_init with config from flags and environment ---- */

struct host_account {
  struct host_plugin *plugin; /* holds one reference */
  struct kkp_account *acct;
  char *name;
};

/* The one struct kkp_host lent to every plugin; lives for the process. */
const struct kkp_host *host_callbacks(const struct host_opts *o);
/* ---- config.c: the plugin config, from file, environment and flags ---- */

/* Where plugin's config file is: $KOSMO_HOME/kkp/PLUGIN.json (KOSMO_HOME defaults
 * to ~/.kosmokrator). 0, or -1 when there is no home or it does not fit. */
int host_config_path(const char *plugin, char *out, size_t cap);
/* Config JSON for account_init from the file, then $NAME_KEY variables, then the
 * flags (later wins); every key in the manifest's config schema and every value of
 * its type. 0 with *out (caller frees); 1 when a flag is wrong (a usage error), -1
 * when the file or a variable is; err says which and how to fix it. */
int host_config_build(const struct host_opts *o, const struct host_manifest *m, char **out,
                      struct host_error *err);
/* The same, NULL on any error. Caller frees with free(). */
char *host_config_json(const struct host_opts *o, const struct host_manifest *m);

/* ---- cli_args.c: call arguments as flags ---- */

/* A command-line value as JSON: true, false, null (NULL), integers, numbers with a
 * dot, JSON arrays and objects, else the string. */
json_object *host_cli_coerce(const char *s);
/* Reads the call argument at argv[*i] (--key=value, --key value, --key, --arg
 * key=value) into *flags (created on first use), advancing *i past a value it
 * took. 0, or -1 with err set. */
int host_cli_call_flag(int argc, char **argv, int *i, json_object **flags, struct host_error *err);
/* Checks that every key of flags is a parameter of function fn (of target, as
 * "aircall.list_calls"); -1 with did-you-mean in err otherwise. */
int host_cli_check_params(json_object *fn, json_object *flags, const char *target, struct host_error *err);
/* When account is not in the keystore and a provisioned one is close: error_json
 * with "Did you mean: PLUGIN.NAME" added to its message (new string, caller frees).
 * Else NULL: the error stands as it is. */
char *host_cli_account_hint(const struct host_opts *o, const char *plugin, const char *account,
                            const char *error_json);
/* Opens account name of p (p gains a reference). On plugin failure returns its
 * status and *error_json (caller frees with free()). */
/* The account opened for name (host_account_open does this): "default" stands for
 * the only account of plugin when the keystore holds exactly one and no "default". */
void host_account_resolve(const struct host_opts *o, const char *plugin, const char *name, char *out,
                          size_t cap);
int host_account_open(const struct host_opts *o, struct host_plugin *p, const char *name,
                      struct host_account **out, char **error_json);
void host_account_close(struct host_account *a);
/* Calls fn with args_json; *result_json (caller frees with free()) is the result
 * or the error object. Returns the kkp status. */
int host_account_invoke(struct host_account *a, const char *fn, const char *args_json, char **result_json);
/* The same within deadline_ms (> 0; 0: none), passed to a 1.1 plugin's invoke_call
 * as kkp_call.deadline_ms; a 1.0 plugin is called with invoke. */
int host_account_invoke_within(struct host_account *a, const char *fn, const char *args_json,
                               long long deadline_ms, char **result_json);

/* progress.c: as host_account_invoke, through a 1.1 plugin's invoke_call with
 * deadline_ms (0: the account's own) and, when stderr is a terminal, its progress
 * reports shown there on one line. A 1.0 plugin is called with invoke. */
int host_account_invoke_shown(struct host_account *a, const char *fn, const char *args_json,
                              long long deadline_ms, char **result_json);

/* Whether a write function may run: --write=allow, --write=deny, or (default)
 * ask y/N on the terminal when stdin is one, deny otherwise. On deny fills err
 * with how to allow it. */
int host_write_permitted(const struct host_opts *o, const char *plugin, const char *fn,
                         struct host_error *err);

/* An error object {"error":{"code","message"}} as a new string (caller frees). */
char *host_error_json(const char *code, const char *message);

/* ---- doc.c: agent reference from the manifest ---- */

/* The Markdown reference of m (fn NULL: all functions, the multi-account
 * section and NAME.md; else one function's section). Caller frees with free().
 * NULL with err set when fn is unknown. */
char *host_doc(const struct host_manifest *m, const char *fn, struct host_error *err);

/* ---- show.c: list, describe, doc (manifests only), and printing JSON ---- */

/* o pretty-printed when f is a terminal, else on one line. */
void host_print_json(json_object *o, FILE *f);
/* A JSON text, re-serialised as host_print_json does (as it is when it does not parse). */
void host_print_json_text(const char *s, FILE *f);
/* {"error":{"code","message"}} on stderr. */
void host_print_error(const char *code, const char *message);
/* Each returns an exit status, having printed the result or the error. */
int host_cmd_list(const struct host_opts *o, int as_json);
int host_cmd_describe(const struct host_opts *o, const char *name, int as_json);
int host_cmd_doc(const struct host_opts *o, const char *name, int as_json);

/* ---- call.c: `kkp-host call` ---- */

/* Calls target (PLUGIN[.ACCOUNT].FUNCTION) with args_arg (a JSON object, "-" for
 * stdin, or NULL) and flags on top; prints the result or error. Returns an exit status. */
int host_cmd_call(const struct host_opts *o, const char *target, const char *args_arg, json_object *flags);

/* ---- check.c: `kkp-host check PLUGIN[.ACCOUNT]` ---- */

/* One cheap authenticated read with the account's credential. Prints ok and who
 * the credential is (as JSON with as_json), or the error. Returns an exit status. */
int host_check(const struct host_opts *o, const char *target, int as_json);

/* ---- lua_sandbox.c ---- */

/* Runs the script at path ("-" for stdin) in the sandbox. Returns an exit status. */
int host_lua_run(const struct host_opts *o, const char *path);

/* ---- mcp.c, mcp_tools.c, mcp_calls.c: kkp-host mcp ---- */

/* Serves MCP over stdin/stdout until EOF or SIGTERM. Returns an exit status. */
int host_mcp_serve(const struct host_opts *o);
/* Prints plugin's tools as format "mcp" or "openai" (the same code as tools/list). */
int host_mcp_describe(const struct host_opts *o, const char *plugin, const char *format);

#endif
