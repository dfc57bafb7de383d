/*
 * help.c - the help of each kkp-host command (`kkp-host CMD --help`), one table so a
 * new command adds one entry (did-you-mean over them: host_cli_command_suggest).
 */
#include <stdio.h>
#include <string.h>

#include "host/host.h"

static const struct {
  const char *name;
  const char *text;
} commands[] = {
    {"list", "usage: kkp-host list\n"
             "\n"
             "Lists the plugins found in the search path (see kkp-host --help, --plugin-dir): name,\n"
             "version, functions (read and write) and authentication. Reads manifests only; no\n"
             "plugin code runs.\n"},
    {"describe", "usage: kkp-host describe PLUGIN [--json]\n"
                 "\n"
                 "A plugin's functions with their parameters (type, required, description).\n"
                 "  --json   the plugin's manifest as it is on disk\n"
                 "  --tools=mcp|openai   the tool list an MCP client or OpenAI's API would get\n"},
    {"call", "usage: kkp-host call PLUGIN[.ACCOUNT].FUNCTION [JSON|-]\n"
             "\n"
             "Calls one function. The arguments are one JSON object ('-' reads it from stdin).\n"
             "Without ACCOUNT the account is \"default\", or the only account of PLUGIN when the\n"
             "keystore holds exactly one. The result JSON goes to stdout; an error JSON\n"
             "({\"error\":{\"code\",\"message\"}}) to stderr, and the exit status names it (see\n"
             "kkp-host --help). Write functions need --write=allow, or a y at the prompt.\n"
             "\n"
             "example: kkp-host call aircall.list_calls '{\"per_page\": 5}'\n"},
    {"check", "usage: kkp-host check PLUGIN[.ACCOUNT]\n"
              "\n"
              "Tries the credential of one account live: one cheap authenticated read (the\n"
              "manifest's \"check\" functions, else its first read function without required\n"
              "parameters). Prints \"ok\" with who the credential is (user, integration or company\n"
              "where the plugin says), or the error and its fix. Exit status as for call.\n"
              "\n"
              "example: kkp-host check aircall.default\n"},
    {"lua", "usage: kkp-host lua FILE|- [--memory-mb N] [--timeout-s N]\n"
            "\n"
            "Runs a Lua script in the sandbox. Plugins are app.integrations.PLUGIN[.ACCOUNT].FUNCTION;\n"
            "print and json are available; no files, no os, no require.\n"
            "  --memory-mb N   memory cap (default 32)\n"
            "  --timeout-s N   time cap in seconds (default 30)\n"},
    {"mcp", "usage: kkp-host mcp [--plugin NAME]... [--account NAME]... [--write=allow|deny]\n"
            "\n"
            "An MCP server on stdio (newline-delimited JSON-RPC 2.0): every function of every\n"
            "plugin (or of each --plugin) is a tool named by its full name, with an _account\n"
            "argument naming the provisioned account. Writes are left out unless --write=allow.\n"
            "Stdout carries protocol messages only; logs go to stderr. A wrapped keystore's\n"
            "passphrase comes from KKP_KEYSTORE_PASSPHRASE in the server's environment.\n"},
    {"doc", "usage: kkp-host doc integrations.PLUGIN[.FUNCTION]\n"
            "\n"
            "The agent reference in Markdown: every function of PLUGIN with its parameters and an\n"
            "example, or one function's section.\n"},
};

const char *host_command_help(const char *name) {
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp(commands[i].name, name) == 0) return commands[i].text;
  return NULL;
}
