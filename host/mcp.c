/*
 * mcp.c - `kkp-host mcp`: a Model Context Protocol server on stdin/stdout. Reads
 * newline-delimited JSON-RPC 2.0 with a bounded line, dispatches each method through
 * one table, and writes every answer as one line under one lock (logs go to stderr).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/mcp.h"

#ifndef HOST_VERSION
#define HOST_VERSION "0.0.0"
#endif

/* Newest first: a client asking for another gets the newest. */
static const char *const protocol_versions[] = {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"};

/* ---- output ---- */

void host_mcp_send(struct host_mcp *s, json_object *msg) {
  const char *text =
      json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  pthread_mutex_lock(&s->out_lock);
  if (!atomic_load(&s->out_broken) &&
      (fputs(text, stdout) < 0 || fputc('\n', stdout) == EOF || fflush(stdout) != 0)) {
    atomic_store(&s->out_broken, 1);
    fprintf(stderr, "kkp-host mcp: cannot write to stdout (%s): stopping\n", strerror(errno));
  }
  pthread_mutex_unlock(&s->out_lock);
}

static json_object *envelope(json_object *id) {
  json_object *m = json_object_new_object();
  json_object_object_add(m, "jsonrpc", json_object_new_string("2.0"));
  json_object_object_add(m, "id", id ? json_object_get(id) : NULL);
  return m;
}

void host_mcp_reply(struct host_mcp *s, json_object *id, json_object *result) {
  json_object *m = envelope(id);
  json_object_object_add(m, "result", result);
  host_mcp_send(s, m);
  json_object_put(m);
}

void host_mcp_error(struct host_mcp *s, json_object *id, int code, const char *message, json_object *data) {
  json_object *m = envelope(id), *e = json_object_new_object();
  json_object_object_add(e, "code", json_object_new_int(code));
  json_object_object_add(e, "message", json_object_new_string(message));
  if (data) json_object_object_add(e, "data", data);
  json_object_object_add(m, "error", e);
  host_mcp_send(s, m);
  json_object_put(m);
}

/* ---- the methods ---- */

static void on_initialize(struct host_mcp *s, json_object *id, json_object *params) {
  const char *asked = host_json_str(params, "protocolVersion"), *version = protocol_versions[0];
  json_object *r = json_object_new_object(), *caps = json_object_new_object(),
              *info = json_object_new_object();
  for (size_t i = 0; asked && i < sizeof protocol_versions / sizeof protocol_versions[0]; i++)
    if (strcmp(asked, protocol_versions[i]) == 0) version = protocol_versions[i];
  json_object_object_add(r, "protocolVersion", json_object_new_string(version));
  json_object_object_add(caps, "tools", json_object_new_object());
  json_object_object_add(caps, "resources", json_object_new_object());
  json_object_object_add(r, "capabilities", caps);
  json_object_object_add(info, "name", json_object_new_string("kkp-host"));
  json_object_object_add(info, "version", json_object_new_string(HOST_VERSION));
  json_object_object_add(r, "serverInfo", info);
  json_object_object_add(
      r, "instructions",
      json_object_new_string(s->write_allowed ? "Each tool calls one plugin function. Pass _account to "
                                                "choose a provisioned account. Resources kkp://PLUGIN/doc "
                                                "hold each plugin's agent reference."
                                              : "Each tool calls one plugin function; write functions "
                                                "are not offered (--write=deny). Pass _account to "
                                                "choose a provisioned account. Resources kkp://PLUGIN/doc "
                                                "hold each plugin's agent reference."));
  host_mcp_reply(s, id, r);
}

static void on_ping(struct host_mcp *s, json_object *id, json_object *params) {
  (void)params;
  host_mcp_reply(s, id, json_object_new_object());
}

static void on_tools_list(struct host_mcp *s, json_object *id, json_object *params) {
  json_object *all = json_object_new_array(), *r = json_object_new_object();
  (void)params;
  for (size_t i = 0; i < s->n_plugins; i++) {
    json_object *tools = host_mcp_tools(&s->plugins[i], s->write_allowed, HOST_MCP_FORMAT_MCP);
    for (size_t k = 0; k < json_object_array_length(tools); k++)
      json_object_array_add(all, json_object_get(json_object_array_get_idx(tools, k)));
    json_object_put(tools);
  }
  json_object_object_add(r, "tools", all);
  host_mcp_reply(s, id, r);
}

static void on_tools_call(struct host_mcp *s, json_object *id, json_object *params) {
  host_mcp_tools_call(s, id, params);
}

static void doc_uri(const struct host_mcp_plugin *pl, char *buf, size_t cap) {
  snprintf(buf, cap, "kkp://%s/doc", pl->m->name);
}

static void on_resources_list(struct host_mcp *s, json_object *id, json_object *params) {
  json_object *list = json_object_new_array(), *r = json_object_new_object();
  (void)params;
  for (size_t i = 0; i < s->n_plugins; i++) {
    const struct host_mcp_plugin *pl = &s->plugins[i];
    const char *title = host_json_str(pl->m->root, "title");
    char uri[256], text[512];
    json_object *res = json_object_new_object();
    doc_uri(pl, uri, sizeof uri);
    json_object_object_add(res, "uri", json_object_new_string(uri));
    snprintf(text, sizeof text, "%s-doc", pl->m->name);
    json_object_object_add(res, "name", json_object_new_string(text));
    snprintf(text, sizeof text, "%s agent reference", title ? title : pl->m->name);
    json_object_object_add(res, "title", json_object_new_string(text));
    snprintf(text, sizeof text,
             "Every %s function with its parameters and examples, then how %s really behaves "
             "(what `kkp-host doc integrations.%s` prints)",
             pl->m->name, title ? title : pl->m->name, pl->m->name);
    json_object_object_add(res, "description", json_object_new_string(text));
    json_object_object_add(res, "mimeType", json_object_new_string("text/markdown"));
    json_object_array_add(list, res);
  }
  json_object_object_add(r, "resources", list);
  host_mcp_reply(s, id, r);
}

static void on_resources_read(struct host_mcp *s, json_object *id, json_object *params) {
  const char *uri = host_json_str(params, "uri");
  struct host_error err;
  char want[256], msg[512];
  if (!uri) {
    host_mcp_error(s, id, HOST_MCP_INVALID_PARAMS,
                   "resources/read needs params.uri, e.g. \"kkp://aircall/doc\"", NULL);
    return;
  }
  for (size_t i = 0; i < s->n_plugins; i++) {
    char *doc;
    json_object *r, *contents, *c;
    doc_uri(&s->plugins[i], want, sizeof want);
    if (strcmp(uri, want) != 0) continue;
    if (!(doc = host_doc(s->plugins[i].m, NULL, &err))) {
      host_mcp_error(s, id, HOST_MCP_INTERNAL_ERROR, err.message, NULL);
      return;
    }
    r = json_object_new_object(), contents = json_object_new_array(), c = json_object_new_object();
    json_object_object_add(c, "uri", json_object_new_string(uri));
    json_object_object_add(c, "mimeType", json_object_new_string("text/markdown"));
    json_object_object_add(c, "text", json_object_new_string(doc));
    free(doc);
    json_object_array_add(contents, c);
    json_object_object_add(r, "contents", contents);
    host_mcp_reply(s, id, r);
    return;
  }
  snprintf(msg, sizeof msg, "no resource \"%.200s\": see resources/list (e.g. kkp://%s/doc)", uri,
           s->n_plugins ? s->plugins[0].m->name : "PLUGIN");
  host_mcp_error(s, id, HOST_MCP_RESOURCE_NOT_FOUND, msg, NULL);
}

static void on_templates_list(struct host_mcp *s, json_object *id, json_object *params) {
  json_object *r = json_object_new_object();
  (void)params;
  json_object_object_add(r, "resourceTemplates", json_object_new_array());
  host_mcp_reply(s, id, r);
}

static void on_cancelled(struct host_mcp *s, json_object *id, json_object *params) {
  json_object *rid = NULL;
  (void)id;
  if (json_object_object_get_ex(params, "requestId", &rid)) host_mcp_cancel(s, rid);
}

static void on_ignore(struct host_mcp *s, json_object *id, json_object *params) {
  (void)s, (void)id, (void)params;
}

/* Every method served, as luaL_Reg: a name and its handler. */
static const struct {
  const char *method;
  void (*handler)(struct host_mcp *s, json_object *id, json_object *params);
} methods[] = {
    {"initialize", on_initialize},
    {"ping", on_ping},
    {"tools/list", on_tools_list},
    {"tools/call", on_tools_call},
    {"resources/list", on_resources_list},
    {"resources/read", on_resources_read},
    {"resources/templates/list", on_templates_list},
    {"notifications/initialized", on_ignore},
    {"notifications/cancelled", on_cancelled},
};

/* ---- one message ---- */

/* Checks the envelope; sends the error and returns -1 when it is not a request or notification. */
static int check_envelope(struct host_mcp *s, json_object *msg, json_object **id, const char **method,
                          json_object **params) {
  const char *rpc = host_json_str(msg, "jsonrpc");
  int has_id = json_object_object_get_ex(msg, "id", id);
  *method = host_json_str(msg, "method");
  *params = NULL;
  if (has_id && !json_object_is_type(*id, json_type_string) && !json_object_is_type(*id, json_type_int)) {
    host_mcp_error(s, NULL, HOST_MCP_INVALID_REQUEST, "a request id must be a string or an integer", NULL);
    return -1;
  }
  if (!has_id) *id = NULL;
  if (!*method && has_id &&
      (json_object_object_get_ex(msg, "result", NULL) || json_object_object_get_ex(msg, "error", NULL)))
    return -1; /* a response: this server sends no requests, so there is nothing to match */
  if (!rpc || strcmp(rpc, "2.0") != 0 || !*method) {
    host_mcp_error(s, *id, HOST_MCP_INVALID_REQUEST,
                   "not a JSON-RPC 2.0 request: it needs \"jsonrpc\": \"2.0\" and a \"method\" string", NULL);
    return -1;
  }
  json_object_object_get_ex(msg, "params", params);
  if (*params && !json_object_is_type(*params, json_type_object)) {
    if (*id) host_mcp_error(s, *id, HOST_MCP_INVALID_PARAMS, "params must be an object", NULL);
    return -1;
  }
  return 0;
}

static void handle_line(struct host_mcp *s, const char *line, size_t len) {
  enum json_tokener_error why;
  json_object *msg, *id, *params;
  const char *method;
  char text[256];
  while (len && strchr(" \t\r", line[len - 1])) len--;
  if (len == 0) return;
  if (!(msg = host_json_parse(line, len, &why)) || !json_object_is_type(msg, json_type_object)) {
    if (!msg && why != json_tokener_success) {
      snprintf(text, sizeof text, "parse error: not valid JSON (%s)", json_tokener_error_desc(why));
      host_mcp_error(s, NULL, HOST_MCP_PARSE_ERROR, text, NULL);
    } else {
      host_mcp_error(s, NULL, HOST_MCP_INVALID_REQUEST,
                     json_object_is_type(msg, json_type_array)
                         ? "batches are not supported: send one JSON-RPC message per line"
                         : "a JSON-RPC message must be an object",
                     NULL);
    }
    json_object_put(msg);
    return;
  }
  if (check_envelope(s, msg, &id, &method, &params) == 0) {
    size_t i, n = sizeof methods / sizeof methods[0];
    for (i = 0; i < n && strcmp(methods[i].method, method) != 0; i++) continue;
    if (i < n) {
      methods[i].handler(s, id, params);
    } else if (id) { /* an unknown notification is ignored, as JSON-RPC says */
      snprintf(text, sizeof text, "unknown method \"%.100s\"", method);
      host_mcp_error(s, id, HOST_MCP_METHOD_NOT_FOUND, text, NULL);
    }
  }
  json_object_put(msg);
}

/* ---- the stdio loop ---- */

static int term_pipe[2] = {-1, -1};

static void on_term(int sig) {
  int saved = errno;
  (void)sig;
  if (write(term_pipe[1], "t", 1) < 0) { /* the loop also sees the pipe full: nothing to do */
  }
  errno = saved;
}

static void refuse_long_line(struct host_mcp *s) {
  char text[128];
  snprintf(text, sizeof text, "message too long: a line may hold at most %u bytes; it was skipped",
           HOST_MCP_LINE_MAX);
  host_mcp_error(s, NULL, HOST_MCP_INVALID_REQUEST, text, NULL);
}

/* Hands every complete line in buf to handle_line and keeps the rest. A line that
 * outgrows the bound is refused once and dropped up to its newline (*skipping). */
static void feed(struct host_mcp *s, char *buf, size_t *len, int *skipping) {
  size_t start = 0;
  char *nl;
  while ((nl = memchr(buf + start, '\n', *len - start))) {
    size_t end = (size_t)(nl - buf);
    if (*skipping) *skipping = 0; /* the end of a refused line */
    else if (end - start > HOST_MCP_LINE_MAX) refuse_long_line(s);
    else handle_line(s, buf + start, end - start);
    start = end + 1;
  }
  memmove(buf, buf + start, *len - start);
  *len -= start;
  if (*skipping) {
    *len = 0;
  } else if (*len > HOST_MCP_LINE_MAX) {
    refuse_long_line(s);
    *skipping = 1;
    *len = 0;
  }
}

/* Reads stdin until EOF, SIGTERM/SIGINT or a broken stdout. */
static void serve_loop(struct host_mcp *s) {
  size_t cap = HOST_MCP_LINE_MAX + 65536, len = 0;
  char *buf = malloc(cap);
  int skipping = 0;
  if (!buf) {
    fprintf(stderr, "kkp-host mcp: out of memory for the input buffer\n");
    return;
  }
  while (!atomic_load(&s->out_broken)) {
    struct pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {term_pipe[0], POLLIN, 0}};
    ssize_t got;
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents) break; /* SIGTERM: stop reading, finish what runs */
    got = read(STDIN_FILENO, buf + len, cap - len);
    if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (got <= 0) {
      if (len && !skipping) handle_line(s, buf, len); /* a last line without its newline */
      break;
    }
    len += (size_t)got;
    feed(s, buf, &len, &skipping);
  }
  free(buf);
}

/* ---- start and stop ---- */

static int add_plugin(struct host_mcp *s, struct host_manifest *m) {
  struct host_mcp_plugin *pl = &s->plugins[s->n_plugins];
  struct host_error err;
  memset(pl, 0, sizeof *pl);
  pl->m = m;
  if (host_plugin_load(m, &pl->p, &err)) {
    fprintf(stderr, "kkp-host mcp: %s\n", err.message);
    return -1;
  }
  if (host_mcp_accounts(s->o, pl)) {
    fprintf(stderr, "kkp-host mcp: out of memory listing the accounts of %s\n", m->name);
    host_mcp_accounts_free(pl);
    host_plugin_release(pl->p);
    return -1;
  }
  s->n_plugins++;
  return 0;
}

/* Loads the plugins asked for (--plugin), or every plugin found. */
static int load_plugins(struct host_mcp *s, struct host_manifest ***ms, size_t *n) {
  const struct host_opts *o = s->o;
  struct host_error err;
  if (o->n_plugins == 0) {
    if (host_manifest_all(o, ms, n, &err)) {
      fprintf(stderr, "kkp-host mcp: %s\n", err.message);
      return -1;
    }
  } else {
    *n = 0;
    if (!(*ms = calloc(o->n_plugins, sizeof **ms))) return -1;
    for (size_t i = 0; i < o->n_plugins; i++, (*n)++)
      if (host_manifest_find(o, o->plugins[i], &(*ms)[i], &err)) {
        fprintf(stderr, "kkp-host mcp: %s\n", err.message);
        return -1;
      }
  }
  if (!(s->plugins = calloc(*n ? *n : 1, sizeof *s->plugins))) return -1;
  for (size_t i = 0; i < *n; i++)
    if (add_plugin(s, (*ms)[i]) && o->n_plugins) return -1; /* a plugin asked for by name must load */
  if (s->n_plugins == 0) {
    fprintf(stderr, "kkp-host mcp: no plugin to serve (pass --plugin-dir DIR or set KKP_PLUGIN_PATH)\n");
    return -1;
  }
  return 0;
}

static void unload_plugins(struct host_mcp *s) {
  for (size_t i = 0; i < s->n_plugins; i++) {
    host_plugin_release(s->plugins[i].p);
    host_mcp_accounts_free(&s->plugins[i]);
  }
  free(s->plugins);
}

int host_mcp_serve(const struct host_opts *o) {
  struct host_mcp s = {.o = o, .write_allowed = o->write == HOST_WRITE_ALLOW};
  struct host_manifest **ms = NULL;
  struct sigaction sa = {0};
  size_t n = 0;
  int rc = HOST_EXIT_HOST;
  pthread_mutex_init(&s.out_lock, NULL);
  pthread_mutex_init(&s.lock, NULL);
  pthread_mutex_init(&s.accounts_lock, NULL);
  pthread_cond_init(&s.changed, NULL);
  signal(SIGPIPE, SIG_IGN); /* a closed stdout is an error on write, not a death */
  if (pipe(term_pipe) == 0) {
    sa.sa_handler = on_term;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    if (load_plugins(&s, &ms, &n) == 0) {
      if (o->verbose) fprintf(stderr, "kkp-host mcp: serving %zu plugin(s) on stdio\n", s.n_plugins);
      serve_loop(&s);
      rc = HOST_EXIT_OK;
    }
  } else {
    fprintf(stderr, "kkp-host mcp: cannot create a pipe: %s\n", strerror(errno));
  }
  host_mcp_calls_wait(&s); /* EOF and SIGTERM both let the calls in flight answer */
  host_mcp_accounts_close(&s);
  if (s.plugins) unload_plugins(&s);
  if (ms) host_manifest_all_free(ms, n);
  pthread_cond_destroy(&s.changed);
  pthread_mutex_destroy(&s.accounts_lock);
  pthread_mutex_destroy(&s.lock);
  pthread_mutex_destroy(&s.out_lock);
  return rc;
}
