/*
 * loader.c - dlopen a plugin with every check the ABI promises: a trusted file, the
 * entry symbol, the major version, a table at least as large as ABI 1.0's, and a
 * describe() that matches the installed manifest byte for byte.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/host.h"

int host_file_trusted(const char *path, const struct stat *st, uid_t euid, struct host_error *err) {
  if (!S_ISREG(st->st_mode)) {
    host_error_set(err, "plugin library %s is not a regular file: install the plugin's .so there", path);
    return -1;
  }
  if (st->st_uid != euid && st->st_uid != 0) {
    host_error_set(err,
                   "refusing plugin library %s: it is owned by user %lu, not by you (%lu) or root, so "
                   "someone else could replace its code: reinstall it as yourself, or chown it",
                   path, (unsigned long)st->st_uid, (unsigned long)euid);
    return -1;
  }
  if (st->st_mode & (S_IWGRP | S_IWOTH)) {
    host_error_set(err,
                   "refusing plugin library %s: it is %s-writable (mode %03o), so others could change "
                   "the code it runs: chmod go-w %s",
                   path, (st->st_mode & S_IWOTH) ? "world" : "group", (unsigned)(st->st_mode & 0777), path);
    return -1;
  }
  return 0;
}

void host_plugin_retain(struct host_plugin *p) {
  p->refs++;
}

void host_plugin_release(struct host_plugin *p) {
  if (!p || --p->refs > 0) return;
  /* Every account is gone: nothing can call into the library any more. */
  if (p->dl) dlclose(p->dl);
  free(p);
}

/* Opens m's library and dlopens that very file into p->dl. The checks and dlopen look
 * at one open file, not at a path twice: whoever can write the folder could otherwise
 * swap the file between stat and dlopen. 0, or -1 with err set. */
static int library_open(const struct host_manifest *m, struct host_plugin *p, struct host_error *err) {
  struct stat st;
  char fd_path[64];
  /* O_NONBLOCK: a FIFO named NAME.so fails the regular-file check, not hangs. */
  int fd = open(m->so_path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), rc = -1;
  if (fd < 0 || fstat(fd, &st) != 0) {
    if (errno == ENOENT)
      host_error_set(err, "plugin %s has a manifest but no library: %s is missing (install %s.so next to %s)",
                     m->name, m->so_path, m->name, m->json_path);
    else
      host_error_set(err, "cannot open plugin library %s: %s (check its permissions)", m->so_path,
                     strerror(errno));
  } else if (host_file_trusted(m->so_path, &st, geteuid(), err) == 0) {
    snprintf(fd_path, sizeof fd_path, "/proc/self/fd/%d", fd);
    /* RTLD_LOCAL: two plugins' symbols never interpose; RTLD_NOW: an unresolved
     * symbol fails here, not in the middle of a call. */
    if ((p->dl = dlopen(fd_path, RTLD_NOW | RTLD_LOCAL))) rc = 0;
    else
      host_error_set(err, "cannot load plugin library %s: %s (rebuild or reinstall the plugin)", m->so_path,
                     dlerror());
  }
  if (fd >= 0) close(fd); /* the mapping stays; the descriptor is not needed past dlopen */
  return rc;
}

/* The plugin's table from its entry point, for this host's ABI major and at least as
 * large as ABI 1.0's; NULL with err set. */
static const struct kkp_plugin *library_table(const struct host_manifest *m, struct host_plugin *p,
                                              struct host_error *err) {
  kkp_plugin_entry_fn entry;
  const struct kkp_plugin *table;
  dlerror();
  *(void **)&entry = dlsym(p->dl, KKP_PLUGIN_ENTRY_SYMBOL);
  if (!entry) {
    host_error_set(err,
                   "plugin library %s does not export %s: it is not a kkp plugin, or was built without "
                   "exporting its entry point (define %s with default visibility)",
                   m->so_path, KKP_PLUGIN_ENTRY_SYMBOL, KKP_PLUGIN_ENTRY_SYMBOL);
    return NULL;
  }
  table = entry(KKP_ABI_MAJOR, KKP_ABI_MINOR);
  if (!table) {
    host_error_set(err,
                   "plugin %s declined to load: %s(%u, %u) returned NULL, so it cannot serve ABI major %u "
                   "(install a version of the plugin built for ABI %u)",
                   m->name, KKP_PLUGIN_ENTRY_SYMBOL, KKP_ABI_MAJOR, KKP_ABI_MINOR, KKP_ABI_MAJOR,
                   KKP_ABI_MAJOR);
    return NULL;
  }
  if (table->abi_major != KKP_ABI_MAJOR) {
    host_error_set(err,
                   "plugin %s speaks ABI major %u but this host speaks %u: install a version of the plugin "
                   "built against plugin.h ABI %u.x (or a host for ABI %u)",
                   m->name, (unsigned)table->abi_major, KKP_ABI_MAJOR, KKP_ABI_MAJOR,
                   (unsigned)table->abi_major);
    return NULL;
  }
  if (table->struct_size < KKP_PLUGIN_SIZE_1_0) {
    host_error_set(err,
                   "plugin %s declares a function table of %zu bytes, smaller than ABI 1.0's %zu: it was "
                   "built against a broken plugin.h; rebuild it against plugin.h ABI %u.x",
                   m->name, table->struct_size, (size_t)KKP_PLUGIN_SIZE_1_0, KKP_ABI_MAJOR);
    return NULL;
  }
  return table;
}

/* Copies table into p->api and checks it: every ABI 1.0 function there, and a
 * describe() equal to the installed manifest. 0, or -1 with err set. */
static int table_take(const struct host_manifest *m, struct host_plugin *p, const struct kkp_plugin *table,
                      struct host_error *err) {
  const char *desc;
  /* Members appended after the plugin was built stay zero (NULL). */
  size_t n = table->struct_size < sizeof p->api ? table->struct_size : sizeof p->api;
  memcpy(&p->api, table, n);
  if (!p->api.describe || !p->api.account_init || !p->api.invoke || !p->api.account_free ||
      !p->api.free_string) {
    host_error_set(err,
                   "plugin %s leaves a required ABI 1.0 function NULL (describe, account_init, invoke, "
                   "account_free and free_string are all required): fix and rebuild the plugin",
                   m->name);
    return -1;
  }
  desc = p->api.describe();
  if (!desc || strlen(desc) != m->len || memcmp(desc, m->text, m->len) != 0) {
    size_t i = 0, dl = desc ? strlen(desc) : 0;
    while (i < dl && i < m->len && desc[i] == m->text[i]) i++;
    host_error_set(err,
                   "plugin %s: manifest %s (%zu bytes) disagrees with what the library's describe() returns "
                   "(%zu bytes), first difference at byte %zu: install the %s.json that was built with "
                   "this %s.so",
                   m->name, m->json_path, m->len, dl, i, m->name, m->name);
    return -1;
  }
  return 0;
}

int host_plugin_load(const struct host_manifest *m, struct host_plugin **out, struct host_error *err) {
  struct host_plugin *p = calloc(1, sizeof *p);
  const struct kkp_plugin *table;
  *out = NULL;
  if (!p) {
    host_error_set(err, "out of memory loading plugin %s", m->name);
    return -1;
  }
  if (library_open(m, p, err) || !(table = library_table(m, p, err)) || table_take(m, p, table, err)) {
    if (p->dl) dlclose(p->dl);
    free(p);
    return -1;
  }
  p->manifest = m;
  p->refs = 1;
  *out = p;
  return 0;
}
