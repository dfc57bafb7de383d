/*
 * setup.c - kkp-setup, the provisioning command: creates the host key, seals
 * credentials into the keystore, lists and removes them, changes the passphrase.
 * Exit status: 0 ok, 1 failure, 2 usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "keystore/internal.h"
#include "keystore/ks.h"
#include "keystore/ks_setup.h"
#include "keystore/process_guard.h"
#include "keystore/secret_input.h"
#include "keystore/setup_plugins.h"

#ifndef KKP_VERSION
#define KKP_VERSION "0.1.0"
#endif

#define EXIT_USAGE 2

static const char usage_text[] =
    "usage: kkp-setup [--keystore DIR] COMMAND [OPTIONS]\n"
    "\n"
    "Provisions the keystore that KosmoKrator plugins read their credentials from.\n"
    "\n"
    "commands:\n"
    "  init [--passphrase] [--passphrase-file FILE] [--force] [--kdf LEVEL]\n"
    "        create the keystore folder and the host key pair (host.pub, host.key);\n"
    "        --passphrase wraps host.key with a passphrase (Argon2id), --force replaces\n"
    "        an existing host key (records sealed to the old one must be added again)\n"
    "  add PLUGIN [--account NAME] [--basic] [--force] [--verify] [--plugin-dir DIR]\n"
    "        seal a credential for PLUGIN (account default: \"default\"); reads one line:\n"
    "        a bearer token, or API_ID:API_TOKEN with --basic. Needs only host.pub.\n"
    "        PLUGIN must be installed (where kkp-host looks, and --plugin-dir) unless\n"
    "        --force, which also replaces a record (keeping the date it was added);\n"
    "        --verify then runs `kkp-host check PLUGIN.ACCOUNT` and exits with its status\n"
    "  list [--json]\n"
    "        every record: plugin, account, kind, fingerprint (a keyed hash naming the\n"
    "        credential, never the credential), when added and last replaced (UTC);\n"
    "        a header line on a terminal, none when piped\n"
    "  remove PLUGIN --account NAME\n"
    "        delete one record\n"
    "  passwd [--plain] [--kdf LEVEL] [--passphrase-file FILE]\n"
    "        change the passphrase of host.key (reads the current one if set, then the\n"
    "        new one); --plain removes the passphrase\n"
    "\n"
    "options:\n"
    "  --keystore DIR   the keystore folder (default: $KKP_KEYSTORE, else\n"
    "                   $KOSMO_HOME/keystore, else ~/.kosmokrator/keystore)\n"
    "  --kdf LEVEL      Argon2id cost: moderate (default), interactive, or min (tests only)\n"
    "  --passphrase-file FILE  the keystore passphrase is FILE's first line (FILE may be\n"
    "                   /dev/fd/N; default: $KKP_KEYSTORE_PASSPHRASE_FILE): init --passphrase\n"
    "                   wraps host.key with it, passwd opens host.key with it\n"
    "  -h, --help       this help;  --version  the version\n"
    "\n"
    "Secrets are read from the terminal without echo, or as lines on stdin when stdin\n"
    "is not a terminal, or the passphrase from a file; never from arguments.\n"
    "Exit status: 0 success, 1 failure, 2 usage error.\n";

/* The options, as bits: each command's table entry says which it accepts. getopt_long
 * returns the bit itself for each (no bit is a value it returns otherwise: 1 for a word
 * that is no option, '?', ':', 'h', 'k', 'V'). */
enum {
  OPT_PASSPHRASE = 1 << 1,
  OPT_FORCE = 1 << 2,
  OPT_BASIC = 1 << 3,
  OPT_ACCOUNT = 1 << 4,
  OPT_PLAIN = 1 << 5,
  OPT_KDF = 1 << 6,
  OPT_VERIFY = 1 << 7,
  OPT_PLUGIN_DIR = 1 << 8,
  OPT_JSON = 1 << 9,
  OPT_PASSPHRASE_FILE = 1 << 10,
};
/* Of what getopt_long returns otherwise only 1 is a power of two: no bit may be 1. */
_Static_assert(OPT_PASSPHRASE > 1, "1 is getopt_long's word that is no option");

struct opts {
  struct host_opts host; /* --plugin-dir, for add */
  const char *keystore;
  const char *cmd;
  const char *plugin;
  const char *account;
  const char *kdf;
  const char *passphrase_file;
  unsigned given; /* OPT_ bits seen */
  int passphrase, force, basic, plain, verify, json;
};

static int usage_error(const char *fmt, const char *arg) {
  fprintf(stderr, "kkp-setup: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\nrun `kkp-setup --help` for usage\n");
  return EXIT_USAGE;
}

static int fail(const struct ks_error *e) {
  fprintf(stderr, "kkp-setup: %s\n", e->message);
  return 1;
}

static int kdf_limits(const char *level, struct ks_kdf_limits *l) {
  if (!level || strcmp(level, "moderate") == 0) {
    l->opslimit = crypto_pwhash_OPSLIMIT_MODERATE;
    l->memlimit = crypto_pwhash_MEMLIMIT_MODERATE;
  } else if (strcmp(level, "interactive") == 0) {
    l->opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
    l->memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
  } else if (strcmp(level, "min") == 0) {
    l->opslimit = crypto_pwhash_argon2id_OPSLIMIT_MIN;
    l->memlimit = crypto_pwhash_argon2id_MEMLIMIT_MIN;
  } else {
    return 0;
  }
  return 1;
}

/* Reads a new passphrase; on a terminal asks twice and compares. */
static ks_status read_new_passphrase(char **out, struct ks_error *err) {
  char *a = NULL, *b = NULL;
  ks_status st = ks_secret_read_max("New passphrase: ", "passphrase", KS_PASSPHRASE_MAX, 1, &a, err);
  if (st != KS_OK || !ks_secret_interactive()) goto out;
  if ((st = ks_secret_read_max("Repeat the passphrase: ", "passphrase", KS_PASSPHRASE_MAX, 1, &b, err)) !=
      KS_OK)
    goto out;
  size_t la = strlen(a), lb = strlen(b);
  if (la != lb || sodium_memcmp(a, b, la) != 0) {
    snprintf(err->message, sizeof err->message,
             "the two passphrases differ: run the command again and type the same one twice");
    st = KS_ERR_INVALID;
  }
out:
  if (st == KS_OK) {
    *out = a;
    a = NULL;
  }
  ks_secret_free(a);
  ks_secret_free(b);
  return st;
}

static int cmd_init(const char *dir, const struct opts *o) {
  struct ks_error e;
  struct ks_kdf_limits l;
  char *pass = NULL;
  /* A passphrase file (--passphrase-file, $KKP_KEYSTORE_PASSPHRASE_FILE) lets a script
   * wrap host.key with the passphrase kkp-host will then read from the same file. */
  const char *file = o->passphrase ? ks_passphrase_file(o->passphrase_file) : NULL;
  kdf_limits(o->kdf, &l);
  if (file && ks_passphrase_read_file(file, &pass, &e) != KS_OK) return fail(&e);
  if (!file && o->passphrase && read_new_passphrase(&pass, &e) != KS_OK) return fail(&e);
  ks_status st = ks_hostkey_create(dir, pass, &l, o->force, &e);
  ks_secret_free(pass);
  if (st != KS_OK) return fail(&e);
  fprintf(stderr, "kkp-setup: created the host key in %s (%s)\n", dir,
          o->passphrase ? "host.key wrapped with a passphrase" : "host.key plain, mode 0600");
  return 0;
}

static int cmd_add(const char *dir, const struct opts *o) {
  struct ks_error e;
  struct ks_credential c;
  char *line = NULL, path[4200];
  const char *account = o->account ? o->account : "default";
  int rc = 1;
  memset(&c, 0, sizeof c);
  /* main has checked both names. */
  /* Fail before asking for the secret when the answer is known already. */
  snprintf(path, sizeof path, "%s/host.pub", dir);
  if (access(path, F_OK) != 0) {
    fprintf(stderr, "kkp-setup: no host key in %s (host.pub is missing): run `kkp-setup init`\n", dir);
    return 1;
  }
  if (ks_setup_plugin_check(&o->host, o->plugin, o->force)) return 1;
  snprintf(path, sizeof path, "%s/%s/%s.tok", dir, o->plugin, account);
  if (!o->force && access(path, F_OK) == 0) {
    fprintf(stderr, "kkp-setup: a record for %s account %s already exists: use --force to replace it\n",
            o->plugin, account);
    return 1;
  }
  const char *prompt = o->basic ? "API id and token as API_ID:API_TOKEN: " : "Token: ";
  if (ks_secret_read_max(prompt, o->basic ? "API_ID:API_TOKEN pair" : "token", KS_SECRET_MAX, 1, &line, &e) !=
      KS_OK)
    return fail(&e);
  if (o->basic) {
    char *colon = strchr(line, ':');
    if (!colon || colon == line || colon[1] == 0) {
      fprintf(stderr, "kkp-setup: --basic expects one line API_ID:API_TOKEN with both parts "
                      "non-empty\n");
      goto out;
    }
    *colon = 0;
    c.kind = KS_KIND_BASIC;
    c.api_id = line;
    c.api_token = colon + 1;
  } else {
    c.kind = KS_KIND_BEARER;
    c.token = line;
  }
  if (ks_record_add(dir, o->plugin, account, &c, o->force, &e) != KS_OK) {
    fail(&e);
    goto out;
  }
  fprintf(stderr, "kkp-setup: sealed the %s credential for %s account %s\n", o->basic ? "basic" : "bearer",
          o->plugin, account);
  rc = 0;
out:
  ks_secret_free(line);
  if (rc == 0 && o->verify) rc = ks_setup_verify(&o->host, dir, o->plugin, account);
  return rc;
}

static void utc(long long when, char *buf, size_t cap) {
  time_t t = (time_t)when;
  struct tm tm;
  snprintf(buf, cap, "?");
  if (gmtime_r(&t, &tm)) strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The records as one JSON document: {"success", "keystore", "records": [...]}. */
static void list_json(const char *dir, const struct ks_record_info *v, size_t n) {
  printf("{\n  \"success\": true,\n  \"keystore\": ");
  ks_setup_json_string(stdout, dir);
  printf(",\n  \"records\": [");
  for (size_t i = 0, k = 0; i < n; i++) {
    char added[32], replaced[32];
    if (v[i].status != KS_OK) continue;
    utc(v[i].created, added, sizeof added);
    utc(v[i].replaced, replaced, sizeof replaced);
    printf("%s\n    {\"plugin\": \"%s\", \"account\": \"%s\", \"kind\": \"%s\", \"fingerprint\": ",
           k++ ? "," : "", v[i].plugin, v[i].account, ks_kind_name(v[i].kind));
    if (v[i].fingerprint[0]) printf("\"%.8s\"", v[i].fingerprint);
    else printf("null");
    printf(", \"added\": \"%s\", \"replaced\": \"%s\"}", added, replaced);
  }
  printf("\n  ]\n}\n");
}

static int cmd_list(const char *dir, const struct opts *o) {
  struct ks_error e;
  struct ks_record_info *v = NULL;
  size_t n = 0;
  int rc = 0;
  if (ks_records_list(dir, &v, &n, &e) != KS_OK) return fail(&e);
  for (size_t i = 0; i < n; i++)
    if (v[i].status != KS_OK) {
      fprintf(stderr, "kkp-setup: unreadable record: %s\n", v[i].problem);
      rc = 1;
    }
  if (o->json) {
    list_json(dir, v, n);
  } else {
    /* As gh does: a header for people; piped, one record per line for scripts. */
    if (n && isatty(STDOUT_FILENO)) printf("PLUGIN\tACCOUNT\tKIND\tFINGERPRINT\tADDED\tREPLACED\n");
    for (size_t i = 0; i < n; i++) {
      char added[32], replaced[32];
      if (v[i].status != KS_OK) continue;
      utc(v[i].created, added, sizeof added);
      utc(v[i].replaced, replaced, sizeof replaced);
      printf("%s\t%s\t%s\t%.8s\t%s\t%s\n", v[i].plugin, v[i].account, ks_kind_name(v[i].kind),
             v[i].fingerprint[0] ? v[i].fingerprint : "-", added, replaced);
    }
  }
  if (n == 0) fprintf(stderr, "kkp-setup: no records in %s: add one with `kkp-setup add PLUGIN`\n", dir);
  ks_records_free(v);
  return rc;
}

static int cmd_remove(const char *dir, const struct opts *o) {
  struct ks_error e;
  if (!o->account) return usage_error("remove needs --account NAME%s", "");
  if (ks_record_remove(dir, o->plugin, o->account, &e) != KS_OK) return fail(&e);
  fprintf(stderr, "kkp-setup: removed the record for %s account %s\n", o->plugin, o->account);
  return 0;
}

static int cmd_passwd(const char *dir, const struct opts *o) {
  struct ks_error e;
  struct ks_kdf_limits l;
  char *old = NULL, *neu = NULL;
  int wrapped = 0, rc = 1;
  kdf_limits(o->kdf, &l);
  if (ks_hostkey_wrapped(dir, &wrapped, &e) != KS_OK) return fail(&e);
  const char *file = ks_passphrase_file(o->passphrase_file);
  if (wrapped && file && ks_passphrase_read_file(file, &old, &e) != KS_OK) goto fail;
  if (wrapped && !file &&
      ks_secret_read_max("Current passphrase: ", "current passphrase", KS_PASSPHRASE_MAX, 0, &old, &e) !=
          KS_OK)
    goto fail;
  if (!o->plain && read_new_passphrase(&neu, &e) != KS_OK) goto fail;
  if (ks_hostkey_passwd(dir, old, neu, &l, &e) != KS_OK) goto fail;
  fprintf(stderr, "kkp-setup: %s\n",
          o->plain ? "host.key is now plain (no passphrase)" : "changed the passphrase of host.key");
  rc = 0;
  goto out;
fail:
  fail(&e);
out:
  ks_secret_free(old);
  ks_secret_free(neu);
  return rc;
}

/* The commands, as luaL_Reg is: a name, its handler, whether it takes a PLUGIN and
 * the options it accepts. */
struct command {
  const char *name;
  int (*run)(const char *dir, const struct opts *o);
  int needs_plugin;
  unsigned accepts;
};

static const struct command commands[] = {
    {"init", cmd_init, 0, OPT_PASSPHRASE | OPT_FORCE | OPT_KDF | OPT_PASSPHRASE_FILE},
    {"add", cmd_add, 1, OPT_FORCE | OPT_BASIC | OPT_ACCOUNT | OPT_VERIFY | OPT_PLUGIN_DIR},
    {"list", cmd_list, 0, OPT_JSON},
    {"remove", cmd_remove, 1, OPT_ACCOUNT},
    {"passwd", cmd_passwd, 0, OPT_PLAIN | OPT_KDF | OPT_PASSPHRASE_FILE},
};

static const struct option long_options[] = {
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {"keystore", required_argument, NULL, 'k'},
    {"account", required_argument, NULL, OPT_ACCOUNT},
    {"kdf", required_argument, NULL, OPT_KDF},
    {"plugin-dir", required_argument, NULL, OPT_PLUGIN_DIR},
    {"passphrase-file", required_argument, NULL, OPT_PASSPHRASE_FILE},
    {"passphrase", no_argument, NULL, OPT_PASSPHRASE},
    {"force", no_argument, NULL, OPT_FORCE},
    {"basic", no_argument, NULL, OPT_BASIC},
    {"plain", no_argument, NULL, OPT_PLAIN},
    {"verify", no_argument, NULL, OPT_VERIFY},
    {"json", no_argument, NULL, OPT_JSON},
    {NULL, 0, NULL, 0},
};

/* Records one option getopt_long returned; 0, or the exit status when it ends the run. */
static int take_option(struct opts *o, int c, char **argv) {
  const char *typed = argv[optind - 1];
  switch (c) {
  case 'h': fputs(usage_text, stdout); return -1;
  case 'V': printf("kkp-setup %s (keystore format 2; reads records of format 1)\n", KKP_VERSION); return -1;
  case 'k': o->keystore = optarg; return 0;
  case OPT_ACCOUNT: o->account = optarg; break;
  case OPT_KDF: o->kdf = optarg; break;
  case OPT_PASSPHRASE_FILE: o->passphrase_file = optarg; break;
  case OPT_PLUGIN_DIR:
    if (o->host.n_plugin_dirs == 32) return usage_error("too many --plugin-dir (at most %s)", "32");
    o->host.plugin_dirs[o->host.n_plugin_dirs++] = optarg;
    break;
  case ':': return usage_error("%s needs a value", typed);
  case '?':
    if (optopt > 0 && optopt < 256 && typed[0] == '-' && typed[1] != '-') {
      char shortopt[3] = {'-', (char)optopt, 0};
      return usage_error("unknown option %s", shortopt);
    }
    return usage_error("unknown option %s", typed);
  }
  o->given |= (unsigned)c;
  o->passphrase |= c == OPT_PASSPHRASE;
  o->force |= c == OPT_FORCE;
  o->basic |= c == OPT_BASIC;
  o->plain |= c == OPT_PLAIN;
  o->verify |= c == OPT_VERIFY;
  o->json |= c == OPT_JSON;
  return 0;
}

/* COMMAND, then PLUGIN: the words that are not options, in order. */
static int positional(struct opts *o, const char *word) {
  if (!o->cmd) o->cmd = word;
  else if (!o->plugin) o->plugin = word;
  else return usage_error("unexpected argument \"%.80s\"", word);
  return 0;
}

/* An option typed as a prefix of its name ("--acc" for --account): refused, naming it. */
static int prefix_error(const char *typed, const char *name) {
  size_t n = strcspn(typed, "=");
  fprintf(stderr, "kkp-setup: unknown option %.*s (write it out: --%s)\n", (int)(n > 80 ? 80 : n), typed,
          name);
  fprintf(stderr, "run `kkp-setup --help` for usage\n");
  return EXIT_USAGE;
}

/* Options anywhere on the line, read in order ("-" first in the option string: a word
 * that is no option comes back as 1, so each option's own word is known, at `at`). */
static int parse_args(struct opts *o, int argc, char **argv) {
  int rc = 0;
  opterr = 0; /* our messages, in our words */
  while (rc == 0) {
    int at = optind ? optind : 1, idx = -1, c = getopt_long(argc, argv, "-:h", long_options, &idx);
    if (c == -1) break;
    if (c == 1) rc = positional(o, optarg);
    else if (idx >= 0 && !kkp_option_spelled_out(argv[at], long_options[idx].name))
      rc = prefix_error(argv[at], long_options[idx].name);
    else rc = take_option(o, c, argv);
  }
  while (rc == 0 && optind < argc) rc = positional(o, argv[optind++]); /* the words after "--" */
  return rc;
}

/* The command line makes sense for its command: every refusal is a usage error. */
static int check_args(struct opts *o, const struct command *cmd) {
  struct ks_kdf_limits l;
  if (cmd->needs_plugin && !o->plugin) return usage_error("%s needs a PLUGIN name", o->cmd);
  if (o->plugin && !kkp_plugin_name_valid(o->plugin))
    return usage_error("invalid plugin name \"%.80s\": use 1 to 64 of A-Z a-z 0-9 _ -", o->plugin);
  if (!cmd->needs_plugin && o->plugin) return usage_error("unexpected argument \"%.80s\"", o->plugin);
  if ((o->given & (OPT_VERIFY | OPT_PLUGIN_DIR)) && strcmp(cmd->name, "add") != 0)
    return usage_error("--verify and --plugin-dir apply to add only, not to %s", o->cmd);
  if (o->json && strcmp(cmd->name, "list") != 0)
    return usage_error("--json applies to list only, not to %s", o->cmd);
  if (o->given & OPT_PASSPHRASE_FILE && !(cmd->accepts & OPT_PASSPHRASE_FILE))
    return usage_error("--passphrase-file applies to init and passwd only, not to %s", o->cmd);
  if (o->given & ~cmd->accepts) return usage_error("an option given does not apply to %s", o->cmd);
  if (o->kdf && !kdf_limits(o->kdf, &l))
    return usage_error("unknown --kdf level \"%.40s\": use moderate, interactive or min", o->kdf);
  if (o->plain && o->kdf) return usage_error("--plain and --kdf do not go together%s", "");
  if (o->account && !ks_name_valid(o->account))
    return usage_error("invalid account name \"%.80s\": use 1 to 64 of A-Z a-z 0-9 . _ - (not . or ..)",
                       o->account);
  /* init --passphrase-file FILE wraps host.key with FILE's passphrase. */
  if (o->passphrase_file && strcmp(cmd->name, "init") == 0) o->passphrase = 1;
  return 0;
}

/* The keystore folder: --keystore, else the default (ks_dir_default). */
static int keystore_dir(const struct opts *o, char *dir, size_t cap) {
  struct ks_error e;
  if (!o->keystore) return ks_dir_default(dir, cap, &e) == KS_OK ? 0 : fail(&e);
  if (!*o->keystore) return usage_error("--keystore needs a folder%s", "");
  /* Cut short, the path would name another folder. */
  if (strlen(o->keystore) >= cap)
    return usage_error("the --keystore path is too long (%s): use a shorter one", "over 4095 bytes");
  snprintf(dir, cap, "%s", o->keystore);
  return 0;
}

int main(int argc, char **argv) {
  struct opts o;
  const struct command *cmd = NULL;
  char dir[4096];
  int rc;
  memset(&o, 0, sizeof o);
  /* Before any secret is read: a crash must not leave it in a core file. */
  if (ks_process_guard() != 0)
    fprintf(stderr, "kkp-setup: warning: cannot turn off core dumps and tracing (%s)\n", strerror(errno));
  if ((rc = parse_args(&o, argc, argv)) != 0) return rc < 0 ? 0 : rc;
  if (!o.cmd) return usage_error("no command given (init, add, list, remove, passwd)%s", "");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp(o.cmd, commands[i].name) == 0) cmd = &commands[i];
  if (!cmd) return usage_error("unknown command \"%.80s\" (init, add, list, remove, passwd)", o.cmd);
  if ((rc = check_args(&o, cmd)) != 0 || (rc = keystore_dir(&o, dir, sizeof dir)) != 0) return rc;
  if (ks_sodium_ready(NULL) != KS_OK) {
    fprintf(stderr, "kkp-setup: libsodium could not be initialised\n");
    return 1;
  }
  return cmd->run(dir, &o);
}
