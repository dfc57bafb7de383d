/*
 * plugin_dirs.c - where kkp-host looks for plugins, and reading their manifests.
 * Listing and describing read NAME.json only: no plugin code runs until a call.
 */
#include <dirent.h>
#include <limits.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/host.h"

void host_error_set(struct host_error *err, const char *fmt, ...) {
  va_list ap;
  if (!err) return;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  va_end(ap);
}

static char *join(const char *a, const char *b, const char *c) {
  char *s;
  return asprintf(&s, "%s%s%s", a, b, c) < 0 ? NULL : s;
}

static int push(char ***dirs, size_t *n, const char *d) {
  char **nd;
  if (!*d) return 0;
  for (size_t i = 0; i < *n; i++)
    if (strcmp((*dirs)[i], d) == 0) return 0; /* searched once, at its first place */
  nd = realloc(*dirs, (*n + 1) * sizeof *nd);
  if (!nd) return -1;
  *dirs = nd;
  if (!(nd[*n] = strdup(d))) return -1;
  (*n)++;
  return 0;
}

void host_dirs_free(char **dirs, size_t n) {
  for (size_t i = 0; i < n; i++) free(dirs[i]);
  free(dirs);
}

int host_exe_dir(char *buf, size_t cap) {
  ssize_t n = readlink("/proc/self/exe", buf, cap);
  char *slash;
  if (n <= 0 || (size_t)n >= cap) return -1;
  buf[n] = '\0';
  if (!(slash = strrchr(buf, '/'))) return -1;
  *slash = '\0';
  if (slash == buf) snprintf(buf, cap, "/");
  return 0;
}

int host_exe_plugin_dir(char *buf, size_t cap) {
  char bin[4096], canon[PATH_MAX];
  int n;
  if (host_exe_dir(bin, sizeof bin)) return -1;
  n = snprintf(buf, cap, "%s/" HOST_PLUGIN_DIR_REL, bin);
  if (n < 0 || (size_t)n >= cap) return -1;
  /* canonical so messages name /opt/kkp/lib/kkp/plugins, not /opt/kkp/bin/../lib/... */
  if (realpath(buf, canon) && strlen(canon) < cap) memcpy(buf, canon, strlen(canon) + 1);
  return 0;
}

int host_dirs(const struct host_opts *o, char ***dirs, size_t *n, struct host_error *err) {
  const char *path = getenv("KKP_PLUGIN_PATH"), *kh = getenv("KOSMO_HOME"), *home = getenv("HOME");
  char *tmp = NULL;
  int rc = -1;
  *dirs = NULL;
  *n = 0;
  for (size_t i = 0; i < o->n_plugin_dirs; i++)
    if (push(dirs, n, o->plugin_dirs[i])) goto out;
  if (path) {
    char *save = NULL, *p;
    if (!(tmp = strdup(path))) goto out;
    for (p = strtok_r(tmp, ":", &save); p; p = strtok_r(NULL, ":", &save))
      if (push(dirs, n, p)) goto out;
    free(tmp);
    tmp = NULL;
  }
  if (kh && *kh) tmp = join(kh, "/plugins", "");
  else if (home && *home) tmp = join(home, "/.kosmokrator/plugins", "");
  if ((kh || home) && (!tmp || push(dirs, n, tmp))) goto out;
  {
    char exe_dir[4096];
    if (host_exe_plugin_dir(exe_dir, sizeof exe_dir) == 0 && push(dirs, n, exe_dir)) goto out;
  }
  rc = 0;
out:
  free(tmp);
  if (rc) {
    host_error_set(err, "out of memory while building the plugin search path");
    host_dirs_free(*dirs, *n);
    *dirs = NULL;
    *n = 0;
  }
  return rc;
}

void host_manifest_free(struct host_manifest *m) {
  if (!m) return;
  free(m->name);
  free(m->dir);
  free(m->json_path);
  free(m->so_path);
  free(m->md_path);
  free(m->text);
  json_object_put(m->root);
  free(m);
}

char *host_read_all(FILE *f, size_t *len) {
  char chunk[8192], *buf = NULL;
  size_t got, size = 0;
  FILE *mem = open_memstream(&buf, &size);
  int failed = !mem;
  while (!failed && (got = fread(chunk, 1, sizeof chunk, f)) > 0) failed = fwrite(chunk, 1, got, mem) != got;
  if (mem && fclose(mem) != 0) failed = 1;
  if (failed || ferror(f)) {
    free(buf);
    errno = failed ? ENOMEM : EIO;
    return NULL;
  }
  *len = size;
  return buf;
}

/* Reads a whole file. Returns NULL with errno set on failure. */
static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *buf;
  int saved;
  if (!f) return NULL;
  buf = host_read_all(f, len);
  saved = errno;
  fclose(f);
  errno = saved;
  return buf;
}

/* What every reader of a manifest (describe, doc, call, the Lua namespace) relies on:
 * each function an object with a string name, its parameters and their properties
 * objects when present. The first function that breaks it and how, or NULL. */
static const char *shape_problem(json_object *fs, size_t *at) {
  for (size_t i = 0; i < json_object_array_length(fs); i++) {
    json_object *f = json_object_array_get_idx(fs, i), *params, *props;
    *at = i;
    if (!json_object_is_type(f, json_type_object)) return "is not an object";
    if (!host_json_str(f, "name")) return "has no name (a string)";
    if (!json_object_object_get_ex(f, "parameters", &params)) continue;
    if (!json_object_is_type(params, json_type_object)) return "has parameters that are not an object";
    if (json_object_object_get_ex(params, "properties", &props) &&
        !json_object_is_type(props, json_type_object))
      return "has parameters.properties that are not an object";
  }
  return NULL;
}

/* Reads dir/name.json into a new manifest. Returns 0, 1 when the file does not
 * exist, -1 on any other failure (err set). */
static int manifest_read(const char *dir, const char *name, struct host_manifest **out,
                         struct host_error *err) {
  struct host_manifest *m = calloc(1, sizeof *m);
  json_tokener *tok = NULL;
  char *base = NULL;
  int rc = -1;
  if (!m || !(m->name = strdup(name)) || !(m->dir = strdup(dir)) || !(base = join(dir, "/", name)) ||
      !(m->json_path = join(base, ".json", "")) || !(m->so_path = join(base, ".so", "")) ||
      !(m->md_path = join(base, ".md", ""))) {
    host_error_set(err, "out of memory reading plugin %s", name);
    goto out;
  }
  if (!(m->text = slurp(m->json_path, &m->len))) {
    if (errno == ENOENT) {
      rc = 1;
      goto out;
    }
    host_error_set(err, "cannot read manifest %s: %s (check its permissions)", m->json_path, strerror(errno));
    goto out;
  }
  tok = json_tokener_new();
  if (!tok) goto out;
  m->root = json_tokener_parse_ex(tok, m->text, (int)m->len);
  if (!m->root || json_tokener_get_error(tok) != json_tokener_success ||
      !json_object_is_type(m->root, json_type_object)) {
    host_error_set(err, "manifest %s is not a JSON object (%s): reinstall the plugin", m->json_path,
                   json_tokener_error_desc(json_tokener_get_error(tok)));
    goto out;
  }
  if (!json_object_is_type(host_manifest_functions(m), json_type_array)) {
    host_error_set(err, "manifest %s has no \"functions\" array: reinstall the plugin", m->json_path);
    goto out;
  }
  size_t at = 0;
  const char *problem = shape_problem(host_manifest_functions(m), &at);
  if (problem) {
    host_error_set(err, "manifest %s: functions[%zu] %s: reinstall the plugin", m->json_path, at, problem);
    goto out;
  }
  rc = 0;
out:
  if (tok) json_tokener_free(tok);
  free(base);
  if (rc == 0) *out = m;
  else host_manifest_free(m);
  return rc;
}

/* The plugin name in dirs closest to name (from the NAME.json files), into near;
 * 0 when one is close enough to suggest. Only file names are read. */
static int near_plugin(char **dirs, size_t n, const char *name, char *near, size_t cap) {
  size_t best_d = (size_t)-1;
  const char *best = NULL;
  char cand[128];
  near[0] = '\0';
  for (size_t i = 0; i < n; i++) {
    DIR *d = opendir(dirs[i]);
    struct dirent *e;
    while (d && (e = readdir(d))) {
      size_t len = strlen(e->d_name);
      if (len <= 5 || len - 5 >= sizeof cand || strcmp(e->d_name + len - 5, ".json") != 0) continue;
      snprintf(cand, sizeof cand, "%.*s", (int)(len - 5), e->d_name);
      best = NULL;
      kkp_suggest_consider(name, cand, &best, &best_d);
      if (best) snprintf(near, cap, "%s", cand);
    }
    if (d) closedir(d);
  }
  return near[0] && kkp_suggest_close(name, best_d) ? 0 : -1;
}

/* Why name is not found: the closest plugin, else every folder searched. */
static void not_found(const char *name, char **dirs, size_t n, struct host_error *err) {
  char near[128], *text = NULL;
  size_t len;
  FILE *f;
  if (near_plugin(dirs, n, name, near, sizeof near) == 0) {
    host_error_set(err, "no plugin named \"%s\". Did you mean: %s (see kkp-host list)", name, near);
    return;
  }
  if (!(f = open_memstream(&text, &len))) {
    host_error_set(err, "no plugin named \"%s\" (out of memory listing the folders searched)", name);
    return;
  }
  fprintf(f, "no plugin named \"%s\": no %s.json in", name, name);
  for (size_t i = 0; i < n; i++) fprintf(f, "%s %s", i ? "," : "", dirs[i]);
  fprintf(f, " (install it there, or pass --plugin-dir DIR or set KKP_PLUGIN_PATH)");
  if (fclose(f) == 0) host_error_set(err, "%s", text);
  else host_error_set(err, "no plugin named \"%s\" (out of memory listing the folders searched)", name);
  free(text);
}

int host_manifest_find(const struct host_opts *o, const char *name, struct host_manifest **out,
                       struct host_error *err) {
  char **dirs;
  size_t n;
  int rc = -1;
  if (!kkp_plugin_name_valid(name)) {
    host_error_set(
        err, "\"%s\" is not a plugin name: names are 1-64 letters, digits, '_' or '-' (see kkp-host list)",
        name);
    return -1;
  }
  if (host_dirs(o, &dirs, &n, err)) return -1;
  for (size_t i = 0; i < n; i++) {
    int r = manifest_read(dirs[i], name, out, err);
    if (r == 0) {
      rc = 0;
      goto out;
    }
    if (r < 0) goto out;
  }
  not_found(name, dirs, n, err);
out:
  host_dirs_free(dirs, n);
  return rc;
}

static int by_name(const void *a, const void *b) {
  return strcmp((*(struct host_manifest *const *)a)->name, (*(struct host_manifest *const *)b)->name);
}

void host_manifest_all_free(struct host_manifest **ms, size_t n) {
  for (size_t i = 0; i < n; i++) host_manifest_free(ms[i]);
  free(ms);
}

int host_manifest_all(const struct host_opts *o, struct host_manifest ***out, size_t *count,
                      struct host_error *err) {
  char **dirs;
  size_t n, got = 0;
  struct host_manifest **ms = NULL;
  int rc = -1;
  if (host_dirs(o, &dirs, &n, err)) return -1;
  for (size_t i = 0; i < n; i++) {
    DIR *d = opendir(dirs[i]);
    struct dirent *e;
    if (!d) continue; /* a folder of the default path need not exist */
    while ((e = readdir(d))) {
      size_t len = strlen(e->d_name);
      char name[256];
      struct host_manifest *m = NULL, **nm;
      int dup = 0;
      if (len <= 5 || strcmp(e->d_name + len - 5, ".json") || len - 5 >= sizeof name) continue;
      memcpy(name, e->d_name, len - 5);
      name[len - 5] = '\0';
      if (!kkp_plugin_name_valid(name)) continue;
      for (size_t k = 0; k < got; k++) dup |= strcmp(ms[k]->name, name) == 0;
      if (dup) continue;
      if (manifest_read(dirs[i], name, &m, err) != 0) {
        fprintf(stderr, "kkp-host: skipping %s/%s: %s\n", dirs[i], e->d_name, err->message);
        continue;
      }
      if (!(nm = realloc(ms, (got + 1) * sizeof *nm))) {
        host_manifest_free(m);
        closedir(d);
        host_error_set(err, "out of memory listing plugins");
        goto out;
      }
      ms = nm;
      ms[got++] = m;
    }
    closedir(d);
  }
  if (got) qsort(ms, got, sizeof *ms, by_name);
  rc = 0;
out:
  host_dirs_free(dirs, n);
  if (rc) {
    host_manifest_all_free(ms, got);
    ms = NULL;
    got = 0;
  }
  *out = ms;
  *count = got;
  return rc;
}

json_object *host_json_parse(const char *s, size_t len, enum json_tokener_error *why) {
  json_tokener *tok;
  json_object *o;
  enum json_tokener_error e;
  if (len >= INT32_MAX) {
    *why = json_tokener_error_size;
    return NULL;
  }
  if (!(tok = json_tokener_new_ex(KKP_JSON_MAX_DEPTH))) { /* the plugins' limit too (plugin.h) */
    *why = json_tokener_error_size;                       /* json-c 0.16 has no out-of-memory code */
    return NULL;
  }
  /* strict: no trailing commas or single quotes, as JSON.parse would refuse them */
  json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
  /* len + 1: the NUL ends a bare number, which json-c would otherwise wait on */
  o = json_tokener_parse_ex(tok, s, (int)len + 1);
  e = json_tokener_get_error(tok);
  /* text after the value, a NUL byte included, makes it not JSON */
  for (size_t i = e == json_tokener_success ? (size_t)tok->char_offset : len; i < len; i++)
    if (!s[i] || !strchr(" \t\r\n", s[i])) e = json_tokener_error_parse_unexpected;
  json_tokener_free(tok);
  if (e != json_tokener_success) {
    json_object_put(o);
    o = NULL;
  }
  *why = e;
  return o;
}

int host_json_array_has(json_object *arr, const char *s) {
  for (size_t i = 0; json_object_is_type(arr, json_type_array) && i < json_object_array_length(arr); i++) {
    json_object *v = json_object_array_get_idx(arr, i);
    if (json_object_is_type(v, json_type_string) && strcmp(json_object_get_string(v), s) == 0) return 1;
  }
  return 0;
}

const char *host_json_str(json_object *o, const char *key) {
  json_object *v;
  if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string)) return NULL;
  return json_object_get_string(v);
}

json_object *host_manifest_functions(const struct host_manifest *m) {
  json_object *f = NULL;
  json_object_object_get_ex(m->root, "functions", &f);
  return f;
}

json_object *host_manifest_function(const struct host_manifest *m, const char *fn) {
  json_object *fs = host_manifest_functions(m);
  size_t n = json_object_array_length(fs);
  for (size_t i = 0; i < n; i++) {
    json_object *f = json_object_array_get_idx(fs, i);
    const char *a = host_json_str(f, "name"), *b = host_json_str(f, "full_name");
    if ((a && strcmp(a, fn) == 0) || (b && strcmp(b, fn) == 0)) return f;
  }
  return NULL;
}

int host_function_is_write(json_object *fn) {
  const char *op = host_json_str(fn, "operation");
  return op && strcmp(op, "write") == 0;
}
