/*
 * host_cli_fuzz.c - libFuzzer target for kkp-host's command line: option parsing,
 * the call target (PLUGIN[.ACCOUNT].FUNCTION), the arguments JSON, describe and
 * doc names. kkp-host's own main() runs (renamed), with one plugin folder holding
 * the real aircall.json and no library: every path ends before dlopen, at the
 * latest in "cannot load". Writes are denied unless the input says otherwise.
 * Input: the arguments, separated by newlines. Inputs that would read stdin ("-"),
 * run a script ("lua") or point at other folders (--plugin-dir) are skipped.
 */
#define main host_cli_main
#include "host/main.c"
#undef main

#include <stdint.h>

#include "tests/fuzz/fuzz_util.h"

#define MAX_ARGS 16

static char plugins[300];

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  char path[400], *text;
  size_t len;
  FILE *f = fopen("manifest/aircall.json", "rb");
  if (!f) {
    fprintf(stderr, "fuzz: run from the repository root (manifest/aircall.json)\n");
    abort();
  }
  text = malloc(1 << 20);
  len = fread(text, 1, 1 << 20, f);
  fclose(f);
  fuzz_path(plugins, sizeof plugins, "plugins");
  mkdir(plugins, 0700);
  fuzz_put(fuzz_path(path, sizeof path, "plugins/aircall.json"), text, len);
  free(text);
  /* Only the scratch folder is searched; the plugin's output goes nowhere (the
   * sanitizers and libFuzzer write to fd 2 themselves). */
  unsetenv("KKP_PLUGIN_PATH");
  setenv("KOSMO_HOME", fuzz_dir(), 1);
  setenv("KKP_KEYSTORE", fuzz_keystore(), 1);
  stdout = fopen("/dev/null", "w");
  stderr = fopen("/dev/null", "w");
  return stdout && stderr ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_str(data, size), *args[MAX_ARGS + 5], *tok[MAX_ARGS], *save = NULL;
  int n = 0, nt = 0, is_call = 0;
  for (char *a = strtok_r(text, "\n", &save); a && nt < MAX_ARGS; a = strtok_r(NULL, "\n", &save)) {
    if (strcmp(a, "-") == 0 || strcmp(a, "lua") == 0 || strstr(a, "--plugin-dir")) goto out;
    tok[nt++] = a;
  }
  for (int k = 0; k < nt; k++) is_call |= strcmp(tok[k], "call") == 0;
  args[n++] = "kkp-host";
  args[n++] = "--plugin-dir";
  args[n++] = plugins;
  /* only call takes --write (list, describe and doc refuse an option that does not
   * apply); any "call" among the arguments gets it, so no write is ever asked about */
  if (is_call) args[n++] = "--write=deny";
  for (int k = 0; k < nt; k++) args[n++] = tok[k];
  args[n] = NULL;
  int rc = host_cli_main(n, args);
  if (rc < 0 || rc > 2 + KKP_ERR_CANCELLED) abort(); /* an exit status --help documents */
  fflush(stdout);
  fflush(stderr);
out:
  free(text);
  return 0;
}
