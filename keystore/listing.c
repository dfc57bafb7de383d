/*
 * listing.c - what the keystore holds, from file names and plaintext headers only:
 * the accounts of one plugin (for plugins) and every record (for `kkp-setup list`).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "keystore/internal.h"
#include "keystore/ks_setup.h"
#include "keystore/record.h"

/* "NAME.tok" with a valid NAME gives NAME in out; temp files never match. */
static int record_name(const char *file, char out[KS_NAME_MAX + 1]) {
  size_t n = strlen(file);
  if (n < 5 || n - 4 > KS_NAME_MAX || strcmp(file + n - 4, ".tok") != 0) return 0;
  memcpy(out, file, n - 4);
  out[n - 4] = 0;
  return ks_name_valid(out);
}

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

void ks_names_free(char **names, size_t count) {
  if (!names) return;
  for (size_t i = 0; i < count; i++) free(names[i]);
  free(names);
}

ks_status ks_account_list(const char *dir, const char *plugin, char ***names, size_t *count,
                          struct ks_error *err) {
  ks_status st = KS_OK;
  char pdir[4096], acc[KS_NAME_MAX + 1];
  char **v = NULL;
  size_t n = 0, cap = 0;
  DIR *d = NULL;
  *names = NULL;
  *count = 0;
  if (!kkp_plugin_name_valid(plugin))
    return ks_fail(err, KS_ERR_INVALID, "invalid plugin name \"%.80s\"", plugin ? plugin : "");
  if ((st = ks_path(pdir, sizeof pdir, dir, plugin, err)) != KS_OK) return st;
  st = ks_dir_check(dir, err);
  if (st == KS_OK) st = ks_dir_check(pdir, err);
  if (st == KS_ERR_NOT_FOUND) return KS_OK; /* no keystore or no plugin folder: no accounts */
  if (st != KS_OK) return st;
  d = opendir(pdir);
  if (!d) return ks_fail(err, KS_ERR_IO, "cannot read folder %s: %s", pdir, strerror(errno));
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (!record_name(e->d_name, acc)) continue;
    if (n == cap) {
      size_t nc = cap ? cap * 2 : 8;
      char **nv = realloc(v, nc * sizeof *nv);
      if (!nv) {
        st = ks_fail(err, KS_ERR_NOMEM, "out of memory");
        goto out;
      }
      v = nv;
      cap = nc;
    }
    if (!(v[n] = strdup(acc))) {
      st = ks_fail(err, KS_ERR_NOMEM, "out of memory");
      goto out;
    }
    n++;
  }
  if (n) qsort(v, n, sizeof *v, cmp_names);
  *names = v;
  *count = n;
  v = NULL;
out:
  if (v) ks_names_free(v, n);
  closedir(d);
  return st;
}

static int cmp_infos(const void *a, const void *b) {
  const struct ks_record_info *x = a, *y = b;
  int c = strcmp(x->plugin, y->plugin);
  return c ? c : strcmp(x->account, y->account);
}

/* Bounded strcat: a long message is cut, never overflows. */
static void append(char *dst, size_t cap, const char *src) {
  size_t n = strlen(dst), m = strlen(src);
  if (n + 1 >= cap) return;
  if (m > cap - 1 - n) m = cap - 1 - n;
  memcpy(dst + n, src, m);
  dst[n + m] = 0;
}

/* Fills one entry from the file's header; problems are recorded in the entry. */
static void info_fill(const char *dir, const char *plugin, const char *account, struct ks_record_info *in) {
  char path[4096];
  unsigned char *b = NULL;
  size_t len = 0;
  struct ks_record_header h;
  struct ks_error e;
  memset(in, 0, sizeof *in);
  /* Names were validated (at most 64 bytes), so they fit. */
  memcpy(in->plugin, plugin, strlen(plugin));
  memcpy(in->account, account, strlen(account));
  if (snprintf(path, sizeof path, "%s/%s/%s.tok", dir, plugin, account) >= (int)sizeof path) {
    in->status = ks_fail(&e, KS_ERR_INVALID, "path too long");
  } else {
    in->status = ks_file_read(path, KS_MODE_SECRET, &b, &len, &e);
    if (in->status == KS_OK) {
      /* Header errors carry no path; file errors do. */
      append(in->problem, sizeof in->problem, path);
      append(in->problem, sizeof in->problem, ": ");
      in->status = ks_record_header_parse(b, len, &h, &e);
    }
  }
  if (in->status == KS_OK && (strcmp(h.plugin, plugin) || strcmp(h.account, account)))
    in->status = ks_fail(&e, KS_ERR_CORRUPT, "the record was made for %s account %s", h.plugin, h.account);
  if (in->status == KS_OK) {
    in->kind = h.kind;
    in->created = h.created;
    in->replaced = h.replaced;
    if (h.has_fingerprint) sodium_bin2hex(in->fingerprint, sizeof in->fingerprint, h.fingerprint, REC_FP_LEN);
    in->problem[0] = 0;
  } else {
    const char *parts[] = {e.message,   " (add it again with `kkp-setup add ", plugin, " --account ", account,
                           " --force`)"};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
      append(in->problem, sizeof in->problem, parts[i]);
  }
  if (b) sodium_free(b);
}

ks_status ks_records_list(const char *dir, struct ks_record_info **out, size_t *count, struct ks_error *err) {
  ks_status st;
  struct ks_record_info *v = NULL;
  size_t n = 0, cap = 0;
  char **accs = NULL;
  size_t nacc = 0;
  DIR *d = NULL;
  *out = NULL;
  *count = 0;
  if ((st = ks_sodium_ready(err)) != KS_OK) return st;
  if ((st = ks_dir_check(dir, err)) != KS_OK) return st;
  d = opendir(dir);
  if (!d) return ks_fail(err, KS_ERR_IO, "cannot read folder %s: %s", dir, strerror(errno));
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    char pdir[4096];
    struct stat sb;
    if (!ks_name_valid(e->d_name) || ks_temp_name(e->d_name)) continue;
    if (snprintf(pdir, sizeof pdir, "%s/%s", dir, e->d_name) >= (int)sizeof pdir) continue;
    if (lstat(pdir, &sb) != 0 || !S_ISDIR(sb.st_mode)) continue;
    st = ks_account_list(dir, e->d_name, &accs, &nacc, err);
    if (st != KS_OK) goto out;
    for (size_t i = 0; i < nacc; i++) {
      if (n == cap) {
        size_t nc = cap ? cap * 2 : 16;
        struct ks_record_info *nv = realloc(v, nc * sizeof *nv);
        if (!nv) {
          st = ks_fail(err, KS_ERR_NOMEM, "out of memory");
          goto out;
        }
        v = nv;
        cap = nc;
      }
      info_fill(dir, e->d_name, accs[i], &v[n++]);
    }
    ks_names_free(accs, nacc);
    accs = NULL;
    nacc = 0;
  }
  if (n) qsort(v, n, sizeof *v, cmp_infos);
  *out = v;
  *count = n;
  v = NULL;
out:
  ks_names_free(accs, nacc);
  free(v);
  closedir(d);
  return st;
}

void ks_records_free(struct ks_record_info *infos) {
  free(infos);
}
