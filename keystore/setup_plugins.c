/*
 * setup_plugins.c - what kkp-setup asks of the installed plugins: whether the plugin
 * a credential is added for is installed (the folders kkp-host searches, with
 * did-you-mean), and `add --verify`, which runs `kkp-host check` from beside kkp-setup.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/host.h"
#include "keystore/setup_plugins.h"

/* Whether dir holds NAME.json; keeps the closest name seen in *best. */
static int dir_has(const char *dir, const char *plugin, char *best, size_t cap, size_t *best_d) {
  DIR *d = opendir(dir);
  struct dirent *e;
  int found = 0;
  if (!d) return 0;
  while (!found && (e = readdir(d))) {
    size_t len = strlen(e->d_name), dist;
    if (len <= 5 || len - 5 >= cap || strcmp(e->d_name + len - 5, ".json") != 0) continue;
    e->d_name[len - 5] = '\0';
    if (strcmp(e->d_name, plugin) == 0) found = 1;
    else if ((dist = kkp_edit_distance(plugin, e->d_name)) < *best_d) {
      *best_d = dist;
      snprintf(best, cap, "%s", e->d_name);
    }
  }
  closedir(d);
  return found;
}

int ks_setup_plugin_check(const struct host_opts *o, const char *plugin, int force) {
  char **dirs = NULL, best[256] = "";
  size_t n = 0, best_d = (size_t)-1;
  struct host_error err;
  int found = 0, any = 0;
  if (host_dirs(o, &dirs, &n, &err)) {
    fprintf(stderr, "kkp-setup: %s\n", err.message);
    return 1;
  }
  for (size_t i = 0; i < n && !found; i++) {
    found = dir_has(dirs[i], plugin, best, sizeof best, &best_d);
    any |= found || best[0];
  }
  if (!found && !force && any) {
    int near = best[0] && kkp_suggest_close(plugin, best_d);
    fprintf(stderr,
            "kkp-setup: no plugin \"%s\" is installed (`kkp-host list` shows them)%s%s: add it "
            "with its installed name, or pass --force to add it anyway\n",
            plugin, near ? ". Did you mean: " : "", near ? best : "");
    host_dirs_free(dirs, n);
    return 1;
  }
  /* With no plugin installed at all a typo cannot be told from a plugin to come. */
  if (!found && !any && !force)
    fprintf(stderr,
            "kkp-setup: note: no plugins are installed yet, so \"%s\" could not be checked: "
            "kkp-host will use this record once the plugin is installed\n",
            plugin);
  host_dirs_free(dirs, n);
  return 0;
}

/* Runs argv (kkp-host beside this program) and returns its exit status. */
static int run(char **argv) {
  int status;
  pid_t pid = fork();
  if (pid < 0) {
    fprintf(stderr, "kkp-setup: cannot start %s: %s\n", argv[0], strerror(errno));
    return 1;
  }
  if (pid == 0) {
    execv(argv[0], argv);
    fprintf(stderr, "kkp-setup: cannot run %s for --verify: %s (is kkp-host installed beside kkp-setup?)\n",
            argv[0], strerror(errno));
    _exit(1);
  }
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return 1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int ks_setup_verify(const struct host_opts *o, const char *dir, const char *plugin, const char *account) {
  char host[4200], bin[4096], target[160];
  char *argv[4 + 2 * 32 + 2];
  size_t n = 0;
  if (host_exe_dir(bin, sizeof bin)) {
    fprintf(stderr, "kkp-setup: --verify cannot find kkp-host: /proc/self/exe is unreadable\n");
    return 1;
  }
  snprintf(host, sizeof host, "%s/kkp-host", bin);
  snprintf(target, sizeof target, "%s.%s", plugin, account);
  argv[n++] = host;
  argv[n++] = (char *)"--keystore";
  argv[n++] = (char *)dir;
  for (size_t i = 0; i < o->n_plugin_dirs; i++) {
    argv[n++] = (char *)"--plugin-dir";
    argv[n++] = (char *)o->plugin_dirs[i];
  }
  argv[n++] = (char *)"check";
  argv[n++] = target;
  argv[n] = NULL;
  fflush(NULL);
  return run(argv);
}

void ks_setup_json_string(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
    else if (c < 0x20) fprintf(f, "\\u%04x", c);
    else fputc(c, f);
  }
  fputc('"', f);
}
