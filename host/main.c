/*
 * main.c - the kkp-host command line. The commands are one table (name, handler, the
 * options each takes, its help), as luaL_Reg lists a library's functions: a new
 * command is one entry. Options are parsed with getopt_long; what is left of the
 * command line is the command and its arguments.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/host.h"
#include "keystore/process_guard.h"

#ifndef HOST_VERSION
#define HOST_VERSION "0.0.0"
#endif

static const char usage_text[] =
    "usage: kkp-host [OPTIONS] COMMAND [ARGS]\n"
    "\n"
    "Commands:\n"
    "  list [--json]                      plugins found (reads manifests only; loads nothing)\n"
    "  describe PLUGIN [--json]           a plugin's functions and parameters (--json: the raw manifest)\n"
    "  call PLUGIN[.ACCOUNT].FUNCTION [JSON|-] [--NAME VALUE | --NAME=VALUE | --arg NAME=VALUE]...\n"
    "                                     call one function; arguments as a JSON object ('-' reads\n"
    "                                     it from stdin) and/or as flags on top of it: --per-page 5 is\n"
    "                                     per_page = 5 (true, false, null, integers and numbers with a\n"
    "                                     dot are coerced, [..] and {..} are JSON, else strings; use\n"
    "                                     --arg for a name kkp-host uses itself, e.g. --arg timeout_ms=5).\n"
    "                                     Result JSON on stdout, error JSON on stderr\n"
    "  lua FILE|-                         run a Lua script in the sandbox with app.integrations.*\n"
    "  doc NAME [--json]                  the agent reference: integrations.PLUGIN[.FUNCTION]\n"
    "  describe PLUGIN --tools=mcp|openai the tool list an MCP server or OpenAI would get\n"
    "  mcp [--plugin NAME]... [--account NAME]... [--write=allow|deny]\n"
    "                                     an MCP server on stdio: every function as a tool\n"
    "                                     (default: every plugin, provisioned account, no writes)\n"
    "  check PLUGIN[.ACCOUNT] [--json]    try a credential live: one cheap read, says who it is\n"
    "  --help, --version                  (COMMAND --help: that command's help)\n"
    "\n"
    "Options:\n"
    "  --plugin-dir DIR    search DIR first (repeatable). Then $KKP_PLUGIN_PATH (colon-separated),\n"
    "                      $KOSMO_HOME/plugins (KOSMO_HOME defaults to ~/.kosmokrator), then\n"
    "                      " HOST_PLUGIN_DIR_REL " beside the kkp-host binary\n"
    "  --base-url URL      the plugin's base_url (default $<PLUGIN>_BASE_URL, e.g. AIRCALL_BASE_URL)\n"
    "  --keystore DIR      keystore folder (default $KKP_KEYSTORE, then $KOSMO_HOME/keystore)\n"
    "  --timeout-ms N      whole-request timeout passed to the plugin\n"
    "  --write=allow|deny  whether write functions may run; default: ask y/N on a terminal,\n"
    "                      deny when stdin is not a terminal\n"
    "  --config KEY=VALUE  call, lua: a plugin config key (repeatable), e.g. --config name_scan_pages=40\n"
    "                      or --config max_rate_wait_ms=120000; the keys are the manifest's config\n"
    "                      (kkp-host describe PLUGIN --json). Config comes from, later winning: the file\n"
    "                      $KOSMO_HOME/kkp/PLUGIN.json (a JSON object of keys), the environment\n"
    "                      <PLUGIN>_<KEY> (e.g. AIRCALL_NAME_SCAN_PAGES=40), --base-url, --keystore,\n"
    "                      --timeout-ms, then --config\n"
    "  --json              list, describe, doc: JSON output\n"
    "  --verbose           plugin log lines on stderr (also KKP_DEBUG=1). Without it, a long call\n"
    "                      shows its progress (pages read, rate-limit waits) on one line of stderr\n"
    "                      when stderr is a terminal\n"
    "  --memory-mb N       lua: memory cap (default 32)\n"
    "  --timeout-s N       lua: time cap in seconds (default 30)\n"
    "\n"
    "  --passphrase-file FILE  the keystore passphrase: the first line of FILE (or /dev/fd/N)\n"
    "\n"
    "The keystore passphrase, when host.key is wrapped, comes from --passphrase-file, else\n"
    "$KKP_KEYSTORE_PASSPHRASE_FILE, else $KKP_KEYSTORE_PASSPHRASE, else is asked on the terminal,\n"
    "once per process however many accounts are opened.\n"
    "\n"
    "Exit status:\n"
    "   0  ok\n"
    "   1  host error: plugin not found or refused by the loader, write denied, Lua script error\n"
    "   2  usage error\n"
    "   3  invalid_argument     4  unauthorized     5  not_found\n"
    "   6  rate_limited         7  upstream_error   8  network_error\n"
    "   9  config_error        10  unsupported     11  internal_error (and any unknown status)\n";

/* ---- the command line, as parsed ---- */

/* The options only some commands take, in groups: one given to a command it does not
 * apply to is refused, never ignored in silence. In the order they are checked. */
enum opt_group {
  GROUP_JSON,
  GROUP_LUA,
  GROUP_PLUGIN,
  GROUP_MCP,
  GROUP_TOOLS,
  GROUP_COUNT,
  GROUP_ANY = GROUP_COUNT
};
#define TAKES(g) (1u << (g))

static const char *const group_why[GROUP_COUNT] = {
    "--json is for list, describe, doc, call and check", "it is for lua", "it is for call, lua and mcp",
    "it is for mcp; call takes the account as PLUGIN.ACCOUNT.FUNCTION", "it is for describe"};

struct cli {
  struct host_opts o;
  const char *pos[4]; /* the command and its arguments */
  size_t npos;
  int as_json;                   /* --json */
  const char *tools_format;      /* describe --tools=FORMAT */
  const char *seen[GROUP_COUNT]; /* the first option given of each group, by name */
  json_object *call_flags;       /* call's arguments given as flags (cli_args.c) */
};

/* What a step of the parse returns to go on; anything else is the exit status. */
#define GO_ON (-1)

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "kkp-host: ");
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\nRun kkp-host --help for usage.\n");
  return HOST_EXIT_USAGE;
}

/* ---- the commands ---- */

static const char help_list[] =
    "usage: kkp-host list\n"
    "\n"
    "Lists the plugins found in the search path (see kkp-host --help, --plugin-dir): name,\n"
    "version, functions (read and write) and authentication. Reads manifests only; no\n"
    "plugin code runs.\n";

static const char help_describe[] =
    "usage: kkp-host describe PLUGIN [--json]\n"
    "\n"
    "A plugin's functions with their parameters (type, required, description).\n"
    "  --json   the plugin's manifest as it is on disk\n"
    "  --tools=mcp|openai   the tool list an MCP client or OpenAI's API would get\n";

static const char help_call[] =
    "usage: kkp-host call PLUGIN[.ACCOUNT].FUNCTION [JSON|-]\n"
    "\n"
    "Calls one function. The arguments are one JSON object ('-' reads it from stdin).\n"
    "Without ACCOUNT the account is \"default\", or the only account of PLUGIN when the\n"
    "keystore holds exactly one. The result JSON goes to stdout; an error JSON\n"
    "({\"error\":{\"code\",\"message\"}}) to stderr, and the exit status names it (see\n"
    "kkp-host --help). Write functions need --write=allow, or a y at the prompt.\n"
    "\n"
    "example: kkp-host call aircall.list_calls '{\"per_page\": 5}'\n";

static const char help_check[] =
    "usage: kkp-host check PLUGIN[.ACCOUNT]\n"
    "\n"
    "Tries the credential of one account live: one cheap authenticated read (the\n"
    "manifest's \"check\" functions, else its first read function without required\n"
    "parameters). Prints \"ok\" with who the credential is (user, integration or company\n"
    "where the plugin says), or the error and its fix. Exit status as for call.\n"
    "\n"
    "example: kkp-host check aircall.default\n";

static const char help_lua[] =
    "usage: kkp-host lua FILE|- [--memory-mb N] [--timeout-s N]\n"
    "\n"
    "Runs a Lua script in the sandbox. Plugins are app.integrations.PLUGIN[.ACCOUNT].FUNCTION;\n"
    "print and json are available; no files, no os, no require.\n"
    "  --memory-mb N   memory cap (default 32)\n"
    "  --timeout-s N   time cap in seconds (default 30)\n";

static const char help_mcp[] =
    "usage: kkp-host mcp [--plugin NAME]... [--account NAME]... [--write=allow|deny]\n"
    "\n"
    "An MCP server on stdio (newline-delimited JSON-RPC 2.0): every function of every\n"
    "plugin (or of each --plugin) is a tool named by its full name, with an _account\n"
    "argument naming the provisioned account. Writes are left out unless --write=allow.\n"
    "Stdout carries protocol messages only; logs go to stderr. A wrapped keystore's\n"
    "passphrase comes from KKP_KEYSTORE_PASSPHRASE in the server's environment.\n";

static const char help_doc[] =
    "usage: kkp-host doc integrations.PLUGIN[.FUNCTION]\n"
    "\n"
    "The agent reference in Markdown: every function of PLUGIN with its parameters and an\n"
    "example, or one function's section.\n";

static int run_list(const struct cli *c) {
  return host_cmd_list(&c->o, c->as_json);
}

/* describe --tools lists what mcp would serve (host_mcp_describe); else the manifest */
static int run_describe(const struct cli *c) {
  if (c->tools_format) return host_mcp_describe(&c->o, c->pos[1], c->tools_format);
  return host_cmd_describe(&c->o, c->pos[1], c->as_json);
}

static int run_call(const struct cli *c) {
  return host_cmd_call(&c->o, c->pos[1], c->npos == 3 ? c->pos[2] : NULL, c->call_flags);
}

static int run_lua(const struct cli *c) {
  return host_lua_run(&c->o, c->pos[1]);
}

static int run_doc(const struct cli *c) {
  return host_cmd_doc(&c->o, c->pos[1], c->as_json);
}

static int run_mcp(const struct cli *c) {
  return host_mcp_serve(&c->o);
}

static int run_check(const struct cli *c) {
  return host_check(&c->o, c->pos[1], c->as_json);
}

static const struct host_command {
  const char *name;
  int (*run)(const struct cli *c);
  size_t min_args, max_args; /* after the command's name */
  unsigned takes;            /* the option groups it takes */
  const char *help;          /* kkp-host NAME --help */
} commands[] = {
    {"list", run_list, 0, 0, TAKES(GROUP_JSON), help_list},
    {"describe", run_describe, 1, 1, TAKES(GROUP_JSON) | TAKES(GROUP_TOOLS), help_describe},
    {"call", run_call, 1, 2, TAKES(GROUP_JSON) | TAKES(GROUP_PLUGIN), help_call},
    {"lua", run_lua, 1, 1, TAKES(GROUP_LUA) | TAKES(GROUP_PLUGIN), help_lua},
    {"doc", run_doc, 1, 1, TAKES(GROUP_JSON), help_doc},
    {"mcp", run_mcp, 0, 0, TAKES(GROUP_PLUGIN) | TAKES(GROUP_MCP), help_mcp},
    {"check", run_check, 1, 1, TAKES(GROUP_JSON) | TAKES(GROUP_PLUGIN), help_check},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static const struct host_command *command_named(const char *name) {
  for (size_t i = 0; i < N_COMMANDS; i++)
    if (strcmp(commands[i].name, name) == 0) return &commands[i];
  return NULL;
}

static int unknown_command(const char *name) {
  const char *names[N_COMMANDS], *near;
  for (size_t i = 0; i < N_COMMANDS; i++) names[i] = commands[i].name;
  if ((near = kkp_suggest_among(name, names, N_COMMANDS))) {
    fprintf(stderr, "kkp-host: unknown command \"%s\". Did you mean: %s\nRun kkp-host --help for usage.\n",
            name, near);
    return HOST_EXIT_USAGE;
  }
  fprintf(stderr, "kkp-host: unknown command \"%s\" (commands:", name);
  for (size_t i = 0; i < N_COMMANDS; i++) fprintf(stderr, "%s %s", i ? "," : "", names[i]);
  fprintf(stderr, ")\nRun kkp-host --help for usage.\n");
  return HOST_EXIT_USAGE;
}

/* The options given that cmd does not take: a usage error naming the first. */
static int options_apply(const struct host_command *cmd, const struct cli *c) {
  /* describe --tools lists what mcp would serve: --write=deny leaves the writes out */
  unsigned takes =
      cmd->run == run_describe && c->tools_format ? TAKES(GROUP_PLUGIN) | TAKES(GROUP_TOOLS) : cmd->takes;
  for (int g = 0; g < GROUP_COUNT; g++) {
    if (!c->seen[g] || (takes & TAKES(g))) continue;
    fprintf(stderr, "kkp-host: --%s does not apply to %s%s (%s)\nRun kkp-host --help for usage.\n",
            c->seen[g], cmd->name, cmd->run == run_describe && c->tools_format ? " --tools" : "",
            group_why[g]);
    return HOST_EXIT_USAGE;
  }
  return HOST_EXIT_OK;
}

static int run_command(const struct cli *c) {
  const struct host_command *cmd;
  int rc;
  if (c->npos == 0) {
    fputs(usage_text, stderr);
    return HOST_EXIT_USAGE;
  }
  if (!(cmd = command_named(c->pos[0]))) return unknown_command(c->pos[0]);
  if ((rc = options_apply(cmd, c)) != HOST_EXIT_OK) return rc;
  if (c->npos - 1 < cmd->min_args || c->npos - 1 > cmd->max_args)
    return usage_error("wrong number of arguments for \"%s\"", cmd->name);
  return cmd->run(c);
}

/* ---- the options ---- */

enum opt_id {
  OPT_HELP = 'h',
  OPT_VERSION = 256,
  OPT_JSON,
  OPT_VERBOSE,
  OPT_PLUGIN_DIR,
  OPT_BASE_URL,
  OPT_PASSPHRASE_FILE,
  OPT_KEYSTORE,
  OPT_TIMEOUT_MS,
  OPT_MEMORY_MB,
  OPT_TIMEOUT_S,
  OPT_TOOLS,
  OPT_PLUGIN,
  OPT_ACCOUNT,
  OPT_CONFIG,
  OPT_WRITE,
};

static const struct option long_options[] = {
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, OPT_VERSION},
    {"json", no_argument, NULL, OPT_JSON},
    {"verbose", no_argument, NULL, OPT_VERBOSE},
    {"plugin-dir", required_argument, NULL, OPT_PLUGIN_DIR},
    {"base-url", required_argument, NULL, OPT_BASE_URL},
    {"passphrase-file", required_argument, NULL, OPT_PASSPHRASE_FILE},
    {"keystore", required_argument, NULL, OPT_KEYSTORE},
    {"timeout-ms", required_argument, NULL, OPT_TIMEOUT_MS},
    {"memory-mb", required_argument, NULL, OPT_MEMORY_MB},
    {"timeout-s", required_argument, NULL, OPT_TIMEOUT_S},
    {"tools", required_argument, NULL, OPT_TOOLS},
    {"plugin", required_argument, NULL, OPT_PLUGIN},
    {"account", required_argument, NULL, OPT_ACCOUNT},
    {"config", required_argument, NULL, OPT_CONFIG},
    /* optional: --write=allow; "--write allow" is refused, as a value that looks like an argument */
    {"write", optional_argument, NULL, OPT_WRITE},
    {NULL, 0, NULL, 0},
};

/* '-': the words in order (after call's target, unknown --names are the function's
 * arguments, and --help after a command helps with it); ':': a missing value is told
 * apart; 'h': -h. */
static const char optstring[] = "-:h";

static enum opt_group option_group(int id) {
  switch (id) {
  case OPT_JSON: return GROUP_JSON;
  case OPT_MEMORY_MB:
  case OPT_TIMEOUT_S: return GROUP_LUA;
  case OPT_BASE_URL:
  case OPT_KEYSTORE:
  case OPT_TIMEOUT_MS:
  case OPT_CONFIG:
  case OPT_WRITE: return GROUP_PLUGIN;
  case OPT_PLUGIN:
  case OPT_ACCOUNT: return GROUP_MCP;
  case OPT_TOOLS: return GROUP_TOOLS;
  default: return GROUP_ANY;
  }
}

/* Parses a whole number option. Returns -1 when it is not one. */
static long long number_arg(const char *s) {
  char *end;
  long long v;
  if (!s || !*s) return -1;
  errno = 0;
  v = strtoll(s, &end, 10);
  return *end || v < 0 || errno == ERANGE ? -1 : v;
}

/* Appends v to a repeatable option's list of cap. */
static int push(const char **list, size_t *n, size_t cap, const char *opt, const char *v) {
  if (*n == cap) return usage_error("too many %s (at most %zu), at \"%s\"", opt, cap, v);
  list[(*n)++] = v;
  return GO_ON;
}

static int set_number(struct host_opts *o, int id, const char *arg) {
  long long v;
  char *end;
  if (id == OPT_TIMEOUT_MS && (o->timeout_ms = number_arg(arg)) < 1)
    return usage_error("--timeout-ms needs a positive integer, not \"%s\"", arg);
  if (id == OPT_MEMORY_MB) {
    v = number_arg(arg);
    if (v < 1 || v > 1 << 20)
      return usage_error("--memory-mb needs an integer from 1 to 1048576, not \"%s\"", arg);
    o->memory_mb = (size_t)v;
  }
  if (id == OPT_TIMEOUT_S) {
    o->timeout_s = strtod(arg, &end);
    if (*end || !(o->timeout_s > 0) || !isfinite(o->timeout_s))
      return usage_error("--timeout-s needs a positive number of seconds, not \"%s\"", arg);
  }
  return GO_ON;
}

/* Applies option id with its value arg (text: the word as given). */
static int set_option(struct cli *c, int id, const char *arg, const char *text) {
  struct host_opts *o = &c->o;
  switch (id) {
  case OPT_JSON: c->as_json = 1; return GO_ON;
  case OPT_VERBOSE: o->verbose = 1; return GO_ON;
  case OPT_PLUGIN_DIR: return push(o->plugin_dirs, &o->n_plugin_dirs, 32, "--plugin-dir", arg);
  case OPT_PLUGIN: return push(o->plugins, &o->n_plugins, 32, "--plugin", arg);
  case OPT_ACCOUNT: return push(o->accounts, &o->n_accounts, 32, "--account", arg);
  case OPT_CONFIG: return push(o->config, &o->n_config, 64, "--config", arg);
  case OPT_BASE_URL: o->base_url = arg; return GO_ON;
  case OPT_PASSPHRASE_FILE: o->passphrase_file = arg; return GO_ON;
  case OPT_KEYSTORE: o->keystore = arg; return GO_ON;
  case OPT_TOOLS: c->tools_format = arg; return GO_ON;
  case OPT_TIMEOUT_MS:
  case OPT_MEMORY_MB:
  case OPT_TIMEOUT_S: return set_number(o, id, arg);
  case OPT_WRITE:
    if (arg && strcmp(arg, "allow") == 0) o->write = HOST_WRITE_ALLOW;
    else if (arg && strcmp(arg, "deny") == 0) o->write = HOST_WRITE_DENY;
    else
      return usage_error("--write takes allow or deny, as --write=allow or --write=deny (got \"%s\")", text);
    return GO_ON;
  }
  return GO_ON;
}

static int print_help(const struct cli *c) {
  const struct host_command *cmd = c->npos > 0 ? command_named(c->pos[0]) : NULL;
  fputs(cmd ? cmd->help : usage_text, stdout);
  return HOST_EXIT_OK;
}

static int option(struct cli *c, int id, const struct option *opt, const char *text) {
  enum opt_group g = option_group(id);
  if (id == OPT_HELP) return print_help(c);
  if (id == OPT_VERSION) {
    printf("kkp-host %s (plugin ABI %u.%u)\n", HOST_VERSION, KKP_ABI_MAJOR, KKP_ABI_MINOR);
    return HOST_EXIT_OK;
  }
  if (g != GROUP_ANY && !c->seen[g]) c->seen[g] = opt->name;
  return set_option(c, id, optarg, text);
}

static int positional(struct cli *c, const char *a) {
  if (c->npos == sizeof c->pos / sizeof c->pos[0]) return usage_error("unexpected argument \"%s\"", a);
  c->pos[c->npos++] = a;
  return GO_ON;
}

/* A --name that is no option of kkp-host's, or lacks its value: after call's target
 * it is one of the function's arguments (cli_args.c reads it, and its value, from
 * argv[at]); anywhere else a usage error. */
static int unknown_option(struct cli *c, int argc, char **argv, int at) {
  struct host_error err;
  int i = at;
  if (c->npos < 2 || strcmp(c->pos[0], "call") != 0)
    return usage_error("unknown option or missing value: \"%s\"", argv[at]);
  if (host_cli_call_flag(argc, argv, &i, &c->call_flags, &err)) return usage_error("%s", err.message);
  optind = i + 1;
  return GO_ON;
}

/* A word with one dash ("-5", "-x") is an argument, not options: only -h is one.
 * getopt_long reads such a word letter by letter; this lets it finish the word. */
static int dash_word(struct cli *c, int argc, char **argv, int at) {
  while (optind == at) getopt_long(argc, argv, optstring, long_options, NULL);
  return positional(c, argv[at]);
}

/* Parses argv into c: GO_ON, or the exit status (--help, --version, a usage error).
 * One getopt_long pass over the words in order, not two stages, because what a word
 * is depends on the words before it: after call's target an unknown --name is one of
 * the function's arguments (read with its value by cli_args.c), and --help helps with
 * the command named before it. getopt_long's own leniencies are taken back to keep
 * the command line as it was: a prefix of an option is not that option (a function's
 * --to is not --tools), and a one-dash word is an argument. */
static int cli_parse(struct cli *c, int argc, char **argv) {
  int rc = GO_ON;
  optind = 0; /* glibc: start afresh (the fuzz target runs main many times) */
  opterr = 0; /* the messages are ours */
  while (rc == GO_ON) {
    int at = optind ? optind : 1, idx = -1, id;
    id = getopt_long(argc, argv, optstring, long_options, &idx); /* reads argv[at] */
    if (id == -1) break;
    if (id == 1) rc = positional(c, optarg);
    else if (argv[at][1] != '-' && strcmp(argv[at], "-h") != 0) rc = dash_word(c, argc, argv, at);
    else if (id == '?' || id == ':' ||
             (idx >= 0 && !kkp_option_spelled_out(argv[at], long_options[idx].name)))
      rc = unknown_option(c, argc, argv, at);
    else rc = option(c, id, idx >= 0 ? &long_options[idx] : NULL, argv[at]);
  }
  while (rc == GO_ON && optind < argc) rc = positional(c, argv[optind++]); /* the words after "--" */
  return rc;
}

int main(int argc, char **argv) {
  struct cli c = {.o = {.timeout_ms = -1, .memory_mb = 32, .timeout_s = 30}};
  const char *debug;
  int rc;
  /* Before any plugin is loaded or passphrase read: the plugin's credential, and
   * libcurl's copies of it, must not end up in a core file or a tracer's hands. */
  if (ks_process_guard() != 0)
    fprintf(stderr, "kkp-host: warning: cannot turn off core dumps and tracing (%s)\n", strerror(errno));
  rc = cli_parse(&c, argc, argv);
  if (rc == GO_ON) {
    if ((debug = getenv("KKP_DEBUG")) && *debug && strcmp(debug, "0") != 0) c.o.verbose = 1;
    rc = run_command(&c);
  }
  json_object_put(c.call_flags);
  return rc;
}
