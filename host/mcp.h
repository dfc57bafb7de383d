/*
 * mcp.h - the internals of `kkp-host mcp`, the Model Context Protocol server: the
 * server state shared by the stdio loop (mcp.c), the tool list built from manifests
 * (mcp_tools.c) and the calls served on worker threads (mcp_calls.c).
 */
#ifndef HOST_MCP_H
#define HOST_MCP_H

#include <pthread.h>
#include <stdatomic.h>

#include "host/host.h"

/* A line longer than this is refused and skipped, never buffered whole. */
#define HOST_MCP_LINE_MAX (4u << 20)
/* Calls running at once; the reader waits for a slot beyond that. */
#define HOST_MCP_WORKERS_MAX 32

/* JSON-RPC and MCP error codes. */
enum host_mcp_code {
  HOST_MCP_PARSE_ERROR = -32700,
  HOST_MCP_INVALID_REQUEST = -32600,
  HOST_MCP_METHOD_NOT_FOUND = -32601,
  HOST_MCP_INVALID_PARAMS = -32602,
  HOST_MCP_INTERNAL_ERROR = -32603,
  HOST_MCP_RESOURCE_NOT_FOUND = -32002
};

/* One plugin served: its manifest, the loaded library and the accounts offered. */
struct host_mcp_plugin {
  struct host_manifest *m;
  struct host_plugin *p;
  char **accounts; /* the _account enum: provisioned accounts, or "default" */
  size_t n_accounts;
  const char *default_account; /* one of accounts, or NULL when there is no obvious one */
};

/* One (plugin, account) opened on first use and kept for the server's life. The
 * struct kkp_host lent to the plugin lives here, as long as the account. */
struct host_mcp_account {
  struct host_mcp_plugin *plugin;
  char *name;
  struct kkp_host host;
  struct kkp_account *acct;
  const struct host_opts *o;
  int asked_passphrase; /* the plugin wanted the passphrase and the environment had none */
};

/* One tools/call in flight. */
struct host_mcp_call {
  struct host_mcp_call *next;
  struct host_mcp *server;
  json_object *id, *progress_token; /* owned */
  atomic_int cancelled;             /* set by notifications/cancelled */
  double last_progress;
  struct host_mcp_plugin *plugin;
  char *function, *account, *args; /* owned */
};

struct host_mcp {
  const struct host_opts *o;
  struct host_mcp_plugin *plugins;
  size_t n_plugins;
  int write_allowed;
  pthread_mutex_t out_lock; /* one message at a time on stdout */
  pthread_mutex_t lock;     /* calls, in_flight */
  pthread_cond_t changed;   /* a call ended */
  struct host_mcp_call *calls;
  size_t in_flight;
  pthread_mutex_t accounts_lock;
  struct host_mcp_account **accounts;
  size_t n_accounts;
  atomic_int out_broken; /* stdout is gone: stop reading */
};

/* ---- mcp.c: the messages ---- */

/* Writes msg as one line on stdout under the output lock; msg is borrowed. */
void host_mcp_send(struct host_mcp *s, json_object *msg);
/* A result for id (borrowed); result is taken. */
void host_mcp_reply(struct host_mcp *s, json_object *id, json_object *result);
/* An error for id (borrowed; NULL means null); data may be NULL, else taken. */
void host_mcp_error(struct host_mcp *s, json_object *id, int code, const char *message, json_object *data);

/* ---- mcp_tools.c: tools from manifests ---- */

enum host_mcp_format { HOST_MCP_FORMAT_MCP, HOST_MCP_FORMAT_OPENAI };

/* Fills pl's accounts from the keystore listing, kept to o->accounts when given. 0 or -1. */
int host_mcp_accounts(const struct host_opts *o, struct host_mcp_plugin *pl);
void host_mcp_accounts_free(struct host_mcp_plugin *pl);
/* The tools of pl in the given format (writes left out unless with_writes); a new array. */
json_object *host_mcp_tools(const struct host_mcp_plugin *pl, int with_writes, enum host_mcp_format format);
/* The function of pl called name (by full_name or name), or NULL. */
json_object *host_mcp_tool_function(const struct host_mcp_plugin *pl, const char *name);

/* ---- mcp_calls.c: tools/call on worker threads ---- */

void host_mcp_tools_call(struct host_mcp *s, json_object *id, json_object *params);
/* notifications/cancelled: marks the call with that id, if any, as cancelled. */
void host_mcp_cancel(struct host_mcp *s, json_object *request_id);
/* Waits for every call in flight to end. */
void host_mcp_calls_wait(struct host_mcp *s);
/* Frees every account opened (no call may be in flight). */
void host_mcp_accounts_close(struct host_mcp *s);

#endif
