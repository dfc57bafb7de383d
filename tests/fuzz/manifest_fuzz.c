/*
 * manifest_fuzz.c - libFuzzer target for the host's manifest loading: any bytes as
 * a plugin's NAME.json must be refused with a message or read, listed, described
 * (as text and JSON) and documented (the whole reference and each function's
 * section) without a crash, a leak or undefined behaviour. kkp-host's own commands
 * run (host/show.c); the input is the only manifest in their search path.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "host/host.h"

#include "tests/fuzz/fuzz_util.h"

static char plugins[300], manifest[400];
static struct host_opts opts = {.timeout_ms = -1, .memory_mb = 32, .timeout_s = 30};

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  fuzz_path(plugins, sizeof plugins, "plugins");
  fuzz_path(manifest, sizeof manifest, "plugins/fz.json");
  mkdir(plugins, 0700);
  opts.plugin_dirs[opts.n_plugin_dirs++] = plugins;
  unsetenv("KKP_PLUGIN_PATH");
  setenv("KOSMO_HOME", fuzz_dir(), 1);
  /* The commands print; the sanitizers and libFuzzer write to fd 2 themselves. */
  stdout = fopen("/dev/null", "w");
  stderr = fopen("/dev/null", "w");
  return stdout && stderr ? 0 : -1;
}

/* Every function's own section of the reference, by name and by full name. */
static void doc_each_function(void) {
  struct host_manifest *m = NULL;
  struct host_error err;
  if (host_manifest_find(&opts, "fz", &m, &err)) return;
  json_object *fs = host_manifest_functions(m);
  for (size_t i = 0; i < json_object_array_length(fs) && i < 64; i++) {
    json_object *f = json_object_array_get_idx(fs, i);
    const char *names[] = {host_json_str(f, "name"), host_json_str(f, "full_name")};
    (void)host_function_is_write(f);
    for (size_t k = 0; k < 2; k++) {
      if (!names[k]) continue;
      char *doc = host_doc(m, names[k], &err);
      if (doc) fputs(doc, stdout);
      free(doc);
    }
  }
  host_manifest_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_put(manifest, data, size);
  (void)host_cmd_list(&opts, 0);
  (void)host_cmd_list(&opts, 1);
  (void)host_cmd_describe(&opts, "fz", 0);
  (void)host_cmd_describe(&opts, "fz", 1);
  (void)host_cmd_doc(&opts, "integrations.fz", 0);
  (void)host_cmd_doc(&opts, "integrations.fz", 1);
  doc_each_function();
  fflush(stdout);
  fflush(stderr);
  return 0;
}
