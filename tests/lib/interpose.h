/*
 * interpose.h - what the test programs that stand in for a library function of the
 * plugin share. Such a program defines the function itself and exports it (-rdynamic):
 * the dynamic linker searches the executable first, so the dlopen'ed plugin calls it,
 * and it forwards to the real one, found after the program.
 */
#ifndef TEST_INTERPOSE_H
#define TEST_INTERPOSE_H

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

/* The build hides symbols by default; these must be seen by the plugin. */
#define INTERPOSED __attribute__((visibility("default")))

/* The real function `name` of a library loaded after this program (exits, saying so, when
 * there is none). */
static void *real_fn(const char *name) {
  void *f = dlsym(RTLD_NEXT, name);
  if (!f) {
    printf("not ok 1 - the real %s is reachable: %s\n", name, dlerror());
    exit(1);
  }
  return f;
}

#endif
