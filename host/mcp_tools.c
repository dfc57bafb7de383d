/*
 * mcp_tools.c - a plugin's functions as tool descriptions (MCP tools/list, or
 * OpenAI function tools for `kkp-host describe --tools`), built from the manifest
 * alone: its description and agent notes, its parameter schema plus `_account`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/mcp.h"
#include "keystore/ks.h"

static int push_name(struct host_mcp_plugin *pl, const char *name) {
  char **na = realloc(pl->accounts, (pl->n_accounts + 1) * sizeof *na);
  if (!na) return -1;
  pl->accounts = na;
  if (!(na[pl->n_accounts] = strdup(name))) return -1;
  pl->n_accounts++;
  return 0;
}

static int selected(const struct host_opts *o, const char *name) {
  for (size_t i = 0; i < o->n_accounts; i++)
    if (strcmp(o->accounts[i], name) == 0) return 1;
  return o->n_accounts == 0;
}

int host_mcp_accounts(const struct host_opts *o, struct host_mcp_plugin *pl) {
  char dir[4096], **names = NULL;
  size_t n = 0;
  struct ks_error kerr;
  int rc = 0;
  if (o->keystore) snprintf(dir, sizeof dir, "%s", o->keystore);
  else if (ks_dir_default(dir, sizeof dir, &kerr) != KS_OK) dir[0] = '\0';
  /* No keystore yet is no reason to refuse to serve: the enum is then "default". */
  if (dir[0] && ks_account_list(dir, pl->m->name, &names, &n, &kerr) != KS_OK)
    fprintf(stderr, "kkp-host mcp: %s: cannot list the accounts (%s); offering \"default\"\n", pl->m->name,
            kerr.message);
  for (size_t i = 0; i < n && rc == 0; i++)
    if (selected(o, names[i])) rc = push_name(pl, names[i]);
  ks_names_free(names, n);
  /* --account names not (yet) provisioned are still offered: opening one says what is missing. */
  for (size_t i = 0; i < o->n_accounts && rc == 0; i++) {
    int have = 0;
    for (size_t k = 0; k < pl->n_accounts; k++) have |= strcmp(pl->accounts[k], o->accounts[i]) == 0;
    if (!have) rc = push_name(pl, o->accounts[i]);
  }
  if (rc == 0 && pl->n_accounts == 0) rc = push_name(pl, "default");
  pl->default_account = NULL;
  if (pl->n_accounts == 1) pl->default_account = pl->accounts[0];
  for (size_t i = 0; i < pl->n_accounts; i++)
    if (strcmp(pl->accounts[i], "default") == 0) pl->default_account = pl->accounts[i];
  return rc;
}

void host_mcp_accounts_free(struct host_mcp_plugin *pl) {
  for (size_t i = 0; i < pl->n_accounts; i++) free(pl->accounts[i]);
  free(pl->accounts);
  pl->accounts = NULL;
  pl->n_accounts = 0;
  pl->default_account = NULL;
}

json_object *host_mcp_tool_function(const struct host_mcp_plugin *pl, const char *name) {
  return host_manifest_function(pl->m, name);
}

/* The manifest's description, then its agent notes as a list. Caller frees. */
static char *tool_description(json_object *fn) {
  json_object *notes = NULL;
  const char *desc = host_json_str(fn, "description");
  char *s = NULL;
  size_t len, n;
  FILE *f = open_memstream(&s, &len);
  if (!f) return NULL;
  json_object_object_get_ex(fn, "notes", &notes);
  n = json_object_is_type(notes, json_type_array) ? json_object_array_length(notes) : 0;
  fprintf(f, "%s%s", desc ? desc : "", n ? "\n" : "");
  for (size_t i = 0; i < n; i++)
    fprintf(f, "\n- %s", json_object_get_string(json_object_array_get_idx(notes, i)));
  if (fclose(f) != 0) {
    free(s);
    return NULL;
  }
  return s;
}

/* The `_account` member: which provisioned account to use. */
static json_object *account_schema(const struct host_mcp_plugin *pl) {
  json_object *a = json_object_new_object(), *en = json_object_new_array();
  char desc[512];
  snprintf(desc, sizeof desc,
           "Which provisioned %s account (credential) to use%s%s%s. Several accounts are separate "
           "companies with their own data.",
           pl->m->name, pl->default_account ? "; default \"" : "",
           pl->default_account ? pl->default_account : "", pl->default_account ? "\"" : "");
  json_object_object_add(a, "type", json_object_new_string("string"));
  json_object_object_add(a, "description", json_object_new_string(desc));
  for (size_t i = 0; i < pl->n_accounts; i++)
    json_object_array_add(en, json_object_new_string(pl->accounts[i]));
  json_object_object_add(a, "enum", en);
  if (pl->default_account) json_object_object_add(a, "default", json_object_new_string(pl->default_account));
  return a;
}

/* The function's parameter schema plus `_account`: a new object. */
static json_object *input_schema(const struct host_mcp_plugin *pl, json_object *fn) {
  json_object *params = NULL, *schema = NULL, *props;
  if (json_object_object_get_ex(fn, "parameters", &params)) json_object_deep_copy(params, &schema, NULL);
  if (!schema) {
    schema = json_object_new_object();
    json_object_object_add(schema, "type", json_object_new_string("object"));
  }
  if (!json_object_object_get_ex(schema, "properties", &props)) {
    props = json_object_new_object();
    json_object_object_add(schema, "properties", props);
  }
  json_object_object_add(props, "_account", account_schema(pl));
  return schema;
}

/* MCP tool annotations: read-only for reads; a write says whether it replaces data. */
static json_object *annotations(json_object *fn) {
  json_object *a = json_object_new_object(), *d = NULL;
  int write = host_function_is_write(fn);
  json_object_object_add(a, "readOnlyHint", json_object_new_boolean(!write));
  if (write) {
    int destructive = json_object_object_get_ex(fn, "destructive", &d) && json_object_get_boolean(d);
    json_object_object_add(a, "destructiveHint", json_object_new_boolean(destructive));
    json_object_object_add(a, "idempotentHint", json_object_new_boolean(destructive));
  }
  json_object_object_add(a, "openWorldHint", json_object_new_boolean(1));
  return a;
}

static json_object *tool(const struct host_mcp_plugin *pl, json_object *fn, enum host_mcp_format format) {
  const char *full = host_json_str(fn, "full_name");
  char *desc = tool_description(fn);
  json_object *t = json_object_new_object();
  json_object_object_add(t, "name", json_object_new_string(full ? full : host_json_str(fn, "name")));
  json_object_object_add(t, "description", json_object_new_string(desc ? desc : ""));
  free(desc);
  if (format == HOST_MCP_FORMAT_OPENAI) {
    json_object *wrap = json_object_new_object();
    json_object_object_add(t, "parameters", input_schema(pl, fn));
    json_object_object_add(wrap, "type", json_object_new_string("function"));
    json_object_object_add(wrap, "function", t);
    return wrap;
  }
  json_object_object_add(t, "inputSchema", input_schema(pl, fn));
  json_object_object_add(t, "annotations", annotations(fn));
  return t;
}

json_object *host_mcp_tools(const struct host_mcp_plugin *pl, int with_writes, enum host_mcp_format format) {
  json_object *fs = host_manifest_functions(pl->m), *out = json_object_new_array();
  for (size_t i = 0; i < json_object_array_length(fs); i++) {
    json_object *fn = json_object_array_get_idx(fs, i);
    if (host_function_is_write(fn) && !with_writes) continue;
    json_object_array_add(out, tool(pl, fn, format));
  }
  return out;
}

int host_mcp_describe(const struct host_opts *o, const char *plugin, const char *format) {
  struct host_mcp_plugin pl = {0};
  struct host_error err;
  json_object *tools, *root;
  enum host_mcp_format f = strcmp(format, "openai") == 0 ? HOST_MCP_FORMAT_OPENAI : HOST_MCP_FORMAT_MCP;
  if (strcmp(format, "mcp") != 0 && strcmp(format, "openai") != 0) {
    fprintf(stderr, "kkp-host: --tools takes mcp or openai, not \"%s\"\nRun kkp-host --help for usage.\n",
            format);
    return HOST_EXIT_USAGE;
  }
  if (host_manifest_find(o, plugin, &pl.m, &err)) {
    fprintf(stderr, "kkp-host: %s\n", err.message);
    return HOST_EXIT_HOST;
  }
  if (host_mcp_accounts(o, &pl)) {
    fprintf(stderr, "kkp-host: out of memory listing the accounts of %s\n", plugin);
    host_mcp_accounts_free(&pl);
    host_manifest_free(pl.m);
    return HOST_EXIT_HOST;
  }
  /* A host registering tools itself applies its own policy: writes are left out only when denied. */
  tools = host_mcp_tools(&pl, o->write != HOST_WRITE_DENY, f);
  root = tools;
  if (f == HOST_MCP_FORMAT_MCP) {
    root = json_object_new_object();
    json_object_object_add(root, "tools", tools);
  }
  printf("%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                          JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put(root);
  host_mcp_accounts_free(&pl);
  host_manifest_free(pl.m);
  return HOST_EXIT_OK;
}
