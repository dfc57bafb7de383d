/*
 * suggest.h - "Did you mean": one edit distance and one closeness rule, linked into the
 * plugin, kkp-host and kkp-setup, so a misspelt name gets the same suggestion from each;
 * and the one rule of both commands for an option's name: spelled out in full.
 */
#ifndef KKP_SUGGEST_H
#define KKP_SUGGEST_H

#include <stddef.h>

/* Levenshtein distance over bytes; (size_t)-1 when either is longer than
 * KKP_SUGGEST_MAX (not a name: never suggested). */
#define KKP_SUGGEST_MAX 256
size_t kkp_edit_distance(const char *a, const char *b);
/* Keeps in *best and *best_d the closer of *best and candidate to word (candidate may be
 * NULL). A name that word begins ("timeout" for "timeout_ms") counts as two edits. */
void kkp_suggest_consider(const char *word, const char *candidate, const char **best, size_t *best_d);
/* 1 when a distance d is close enough to suggest: two edits, or a third of the word. */
int kkp_suggest_close(const char *word, size_t d);
/* The closest of names to word, or NULL when none is close enough. */
const char *kkp_suggest_among(const char *word, const char *const *names, size_t n);
/* 1 when a command-line word ("--name" or "--name=value") spells option `name` out in
 * full: getopt_long also takes a unique prefix, which kkp-host and kkp-setup refuse
 * (a prefix would stop meaning the same option the day another option shares it). */
int kkp_option_spelled_out(const char *word, const char *name);

#endif
