/*
 * cmocka_tap.h - included after <cmocka.h> by every C test that calls fail_msg, so that
 * its message is part of the TAP output under the failing test's "not ok N - name" line.
 */
#ifndef TESTS_CMOCKA_TAP_H
#define TESTS_CMOCKA_TAP_H

/* cmocka 1.1.5's fail_msg prints its message with print_error, straight to stderr: in
 * TAP mode the "not ok N - name" line then says only "Failure!" and the reason lands
 * elsewhere in the log. cm_print_error (exported by libcmocka, declared by later
 * releases) buffers the message with the running test, as cmocka's own assertions do,
 * and cmocka prints it as "# ..." lines right after that test's "not ok" line; later
 * cmocka releases define fail_msg this same way. */
void cm_print_error(const char *format, ...) __attribute__((format(printf, 1, 2)));
#undef fail_msg
#define fail_msg(msg, ...)                                                                                   \
  do {                                                                                                       \
    cm_print_error("ERROR: " msg "\n", ##__VA_ARGS__);                                                       \
    fail();                                                                                                  \
  } while (0)

#endif
