/*
 * embed.c - build tool: turns a file into a C array so the plugin carries the
 * manifest's exact bytes (describe() must equal the installed aircall.json).
 * Usage: embed SYMBOL INPUT OUTPUT.c
 */
#include <stdio.h>

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: embed SYMBOL INPUT OUTPUT.c\n");
    return 2;
  }
  FILE *in = fopen(argv[2], "rb"), *out = fopen(argv[3], "w");
  if (!in || !out) {
    perror("embed");
    return 1;
  }
  fprintf(out, "/* Generated from %s by tools/embed.c: do not edit. */\n", argv[2]);
  fprintf(out, "const char %s[] = {", argv[1]);
  int ch;
  unsigned long n = 0;
  while ((ch = fgetc(in)) != EOF) fprintf(out, "%s0x%02x,", n++ % 16 ? "" : "\n  ", ch);
  fprintf(out, "\n  0x00};\n");
  int bad = ferror(in) || fclose(out) != 0;
  fclose(in);
  return bad;
}
