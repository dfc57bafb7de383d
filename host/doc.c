/*
 * doc.c - the agent-facing Markdown reference, generated from a plugin's manifest
 * (functions, parameter schemas, examples) followed by its hand-written NAME.md notes.
 * Nothing about a function is written here: it all comes from the manifest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/host.h"

/* A cell of a Markdown table: '|' would end the cell, a newline the row. */
static void add_cell(FILE *b, const char *s) {
  for (; s && *s; s++) {
    if (*s == '|') fputs("\\|", b);
    else if (*s == '\n') fputc(' ', b);
    else fputc(*s, b);
  }
}

/* "string", or "string or integer" for a list of types. */
static void add_type(FILE *b, json_object *schema) {
  json_object *t;
  if (!json_object_object_get_ex(schema, "type", &t)) {
    fprintf(b, "any");
    return;
  }
  if (json_object_is_type(t, json_type_array)) {
    for (size_t i = 0; i < json_object_array_length(t); i++) {
      const char *name = json_object_get_string(json_object_array_get_idx(t, i));
      fprintf(b, "%s%s", i ? " or " : "", name ? name : "null");
    }
    return;
  }
  fprintf(b, "%s", json_object_get_string(t));
}

static int is_required(json_object *params, const char *name) {
  json_object *req = NULL;
  json_object_object_get_ex(params, "required", &req);
  return host_json_array_has(req, name);
}

/* The function's "notes": what a model must know to call it well (MCP tool
 * descriptions carry the same list). */
static void add_agent_notes(FILE *b, json_object *fn) {
  json_object *notes;
  size_t n;
  if (!json_object_object_get_ex(fn, "notes", &notes) || !json_object_is_type(notes, json_type_array) ||
      (n = json_object_array_length(notes)) == 0)
    return;
  fprintf(b, "### Notes\n\n");
  for (size_t i = 0; i < n; i++)
    fprintf(b, "- %s\n", json_object_get_string(json_object_array_get_idx(notes, i)));
  fprintf(b, "\n");
}

static void add_function(FILE *b, json_object *fn) {
  json_object *params = NULL, *props = NULL, *example;
  const char *desc = host_json_str(fn, "description"), *ex = host_json_str(fn, "example");
  char seen[16][128];
  size_t nseen = 0;
  fprintf(b, "## %s\n\n", host_json_str(fn, "name"));
  if (desc) fprintf(b, "%s\n\n", desc);
  fprintf(b, "### Parameters\n\n");
  if (json_object_object_get_ex(fn, "parameters", &params))
    json_object_object_get_ex(params, "properties", &props);
  if (!props || json_object_object_length(props) == 0) {
    fprintf(b, "None.\n\n");
  } else {
    fprintf(b, "| Name | Type | Required | Description |\n|------|------|----------|-------------|\n");
    json_object_object_foreach(props, pname, pschema) {
      fprintf(b, "| `%s` | ", pname);
      add_type(b, pschema);
      fprintf(b, " | %s | ", is_required(params, pname) ? "yes" : "no");
      add_cell(b, host_json_str(pschema, "description"));
      fprintf(b, " |\n");
    }
    fprintf(b, "\n");
    /* Objects inside arrays get their own section when the manifest gives them a
     * title and an example, once per title. */
    json_object_object_foreach(props, pname2, pschema2) {
      json_object *items;
      const char *title;
      int dup = 0;
      (void)pname2;
      if (!json_object_object_get_ex(pschema2, "items", &items) || !(title = host_json_str(items, "title")) ||
          !json_object_object_get_ex(items, "examples", &example) ||
          !(example = json_object_array_get_idx(example, 0)))
        continue;
      for (size_t i = 0; i < nseen; i++) dup |= strcmp(seen[i], title) == 0;
      if (dup) continue;
      if (nseen < 16) snprintf(seen[nseen++], sizeof seen[0], "%s", title);
      fprintf(
          b, "### %s\n\n```json\n%s\n```\n\n", title,
          json_object_to_json_string_ext(example, JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
    }
  }
  add_agent_notes(b, fn);
  if (ex) fprintf(b, "### Example\n\n```lua\n%s\n```\n\n", ex);
}

static void add_notes(FILE *b, const char *path) {
  FILE *f = fopen(path, "r");
  char chunk[4096];
  size_t n;
  if (!f) return; /* NAME.md is optional */
  fprintf(b, "\n---\n\n");
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) fwrite(chunk, 1, n, b);
  fclose(f);
}

/* Every function, the multi-account section, then NAME.md. */
static void add_reference(FILE *b, const struct host_manifest *m) {
  json_object *fs = host_manifest_functions(m);
  const char *title = host_json_str(m->root, "title");
  size_t n = json_object_array_length(fs);
  fprintf(b, "# %s — Lua API Reference\n\n", title ? title : m->name);
  for (size_t i = 0; i < n; i++) {
    add_function(b, json_object_array_get_idx(fs, i));
    fprintf(b, "---\n\n");
  }
  fprintf(b,
          "## Multi-Account Usage\n\n"
          "If you have multiple %s accounts configured, use account-specific namespaces:\n\n"
          "```lua\n"
          "-- Default account (always works)\n"
          "app.integrations.%s.function_name({...})\n\n"
          "-- Explicit default (portable across setups)\n"
          "app.integrations.%s.default.function_name({...})\n\n"
          "-- Named accounts\n"
          "app.integrations.%s.sales.function_name({...})\n"
          "app.integrations.%s.support.function_name({...})\n"
          "```\n\n"
          "All functions are identical across accounts — only the credentials differ.\n",
          title ? title : m->name, m->name, m->name, m->name, m->name);
  add_notes(b, m->md_path);
}

/* Written with stdio into an open_memstream buffer: a failed write shows in fclose. */
char *host_doc(const struct host_manifest *m, const char *fn, struct host_error *err) {
  json_object *f = fn ? host_manifest_function(m, fn) : NULL;
  char *text = NULL;
  size_t len = 0;
  FILE *b;
  int failed = 1;
  if (fn && !f) {
    host_error_set(err, "%s has no function \"%s\" (see kkp-host describe %s)", m->name, fn, m->name);
    return NULL;
  }
  if ((b = open_memstream(&text, &len))) {
    if (f) add_function(b, f);
    else add_reference(b, m);
    failed = ferror(b);
    if (fclose(b) != 0) failed = 1;
  }
  if (failed) {
    free(text);
    host_error_set(err, "out of memory writing the reference of %s", m->name);
    return NULL;
  }
  return text;
}
