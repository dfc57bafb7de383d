/*
 * plugin_open.h - what the test programs that dlopen aircall.so share: loading it from
 * $BUILD (default "build") as a host does, with a failure reported as TAP's "not ok 1".
 */
#ifndef TEST_PLUGIN_OPEN_H
#define TEST_PLUGIN_OPEN_H

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include "plugin.h"

/* The plugin's table (its library's handle in *lib, for dlclose), or NULL when it did
 * not load, said on stdout. */
static const struct kkp_plugin *test_plugin_open(void **lib) {
  char so[512];
  snprintf(so, sizeof(so), "%s/aircall.so", getenv("BUILD") ? getenv("BUILD") : "build");
  *lib = dlopen(so, RTLD_NOW | RTLD_LOCAL);
  kkp_plugin_entry_fn entry = *lib ? (kkp_plugin_entry_fn)dlsym(*lib, KKP_PLUGIN_ENTRY_SYMBOL) : NULL;
  const struct kkp_plugin *p = entry ? entry(KKP_ABI_MAJOR, KKP_ABI_MINOR) : NULL;
  if (!p) printf("not ok 1 - %s loads: %s\n", so, *lib ? "no plugin table" : dlerror());
  return p;
}

#endif
