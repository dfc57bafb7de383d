/*
 * setup_plugins.h - kkp-setup's look at the installed plugins (setup_plugins.c).
 */
#ifndef KS_SETUP_PLUGINS_H
#define KS_SETUP_PLUGINS_H

#include <stdio.h>

#include "host/host.h"

/* 0 when plugin is installed in the folders kkp-host searches (o->plugin_dirs first),
 * when force is set, or when no plugin is installed at all (a note says so); else 1
 * with the error and the closest installed name on stderr. */
int ks_setup_plugin_check(const struct host_opts *o, const char *plugin, int force);

/* `kkp-host check PLUGIN.ACCOUNT` with kkp-host from kkp-setup's own folder; its exit status. */
int ks_setup_verify(const struct host_opts *o, const char *dir, const char *plugin, const char *account);

/* s as a JSON string (quoted, escaped) on f. */
void ks_setup_json_string(FILE *f, const char *s);

#endif
