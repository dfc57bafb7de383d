/* canned.c - the floor's server: a tiny HTTP/1.1 keep-alive server on 127.0.0.1 that replays
 * fixed answers, so a benchmark's server side costs next to nothing and every client meets the
 * same bytes. One thread per connection; each answer (status line, headers and body) is built
 * once at start and written with one send.
 * usage: canned [--port N] PATH=FILE...   answers GET PATH (the query is ignored) with 200 and
 *        FILE's bytes as application/json; anything else is 404. Prints "listening on URL" and
 *        runs until SIGTERM or SIGINT. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define CANNED_MAX 16
#define CANNED_REQ_MAX 16384

struct answer {
  char *path;
  char *wire; /* the whole HTTP answer */
  size_t len;
};

static struct answer answers[CANNED_MAX];
static size_t nanswers;
static char not_found[] = "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
                          "Content-Length: 23\r\n\r\n{\"message\":\"Not Found\"}";

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  long n = -1;
  if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
      (buf = malloc((size_t)n + 1)) && fread(buf, 1, (size_t)n, f) != (size_t)n) {
    free(buf);
    buf = NULL;
  }
  if (f) fclose(f);
  *len = buf ? (size_t)n : 0;
  return buf;
}

/* "PATH=FILE": the answer is built once, headers and body in one buffer. */
static int add_answer(const char *arg) {
  const char *eq = strchr(arg, '=');
  size_t blen, hlen;
  char head[256], *body;
  if (!eq || arg[0] != '/' || nanswers == CANNED_MAX) return -1;
  if (!(body = read_file(eq + 1, &blen))) {
    fprintf(stderr, "canned: cannot read %s: %s\n", eq + 1, strerror(errno));
    return -1;
  }
  hlen = (size_t)snprintf(head, sizeof head,
                          "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
                          "Content-Length: %zu\r\n\r\n",
                          blen);
  struct answer *a = &answers[nanswers];
  a->path = strndup(arg, (size_t)(eq - arg));
  a->wire = malloc(hlen + blen);
  if (!a->path || !a->wire) return -1;
  memcpy(a->wire, head, hlen);
  memcpy(a->wire + hlen, body, blen);
  a->len = hlen + blen;
  free(body);
  nanswers++;
  return 0;
}

static int send_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    p += w, n -= (size_t)w;
  }
  return 0;
}

/* The value of a request header (case-insensitive name) as a number; 0 when absent. */
static long header_num(const char *req, const char *end, const char *name) {
  size_t nl = strlen(name);
  for (const char *p = strstr(req, "\r\n"); p && p + 2 < end; p = strstr(p + 2, "\r\n"))
    if (strncasecmp(p + 2, name, nl) == 0 && p[2 + nl] == ':') return strtol(p + 3 + nl, NULL, 10);
  return 0;
}

static const struct answer *lookup(const char *target, size_t len) {
  size_t plen = strcspn(target, "? ");
  if (plen > len) plen = len;
  for (size_t i = 0; i < nanswers; i++)
    if (strlen(answers[i].path) == plen && strncmp(answers[i].path, target, plen) == 0) return &answers[i];
  return NULL;
}

/* Answers one complete request head at buf; returns -1 to close the connection. */
static int answer_one(int fd, char *buf, char *end) {
  const struct answer *a = NULL;
  char *sp = memchr(buf, ' ', (size_t)(end - buf));
  if (sp && (size_t)(sp - buf) == 3 && memcmp(buf, "GET", 3) == 0) a = lookup(sp + 1, (size_t)(end - sp - 1));
  if (a ? send_all(fd, a->wire, a->len) : send_all(fd, not_found, sizeof not_found - 1)) return -1;
  return 0;
}

static void *serve(void *arg) {
  int fd = (int)(intptr_t)arg, one = 1;
  char *buf = malloc(CANNED_REQ_MAX + 1);
  size_t have = 0;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  while (buf) {
    ssize_t r = recv(fd, buf + have, CANNED_REQ_MAX - have, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    have += (size_t)r;
    buf[have] = '\0';
    char *eoh;
    /* Every complete request in the buffer (pipelined ones too); a body is skipped. */
    while ((eoh = strstr(buf, "\r\n\r\n"))) {
      size_t used = (size_t)(eoh + 4 - buf) + (size_t)header_num(buf, eoh, "Content-Length");
      if (used > have) break;
      if (answer_one(fd, buf, eoh) != 0) goto out;
      memmove(buf, buf + used, have - used + 1);
      have -= used;
    }
    if (have == CANNED_REQ_MAX) break; /* a head this large is not one of ours */
  }
out:
  free(buf);
  close(fd);
  return NULL;
}

static int listen_on(long port, unsigned *bound) {
  struct sockaddr_in sa = {0};
  socklen_t alen = sizeof sa;
  int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, SOMAXCONN) != 0 ||
      getsockname(fd, (struct sockaddr *)&sa, &alen) != 0) {
    fprintf(stderr, "canned: cannot listen on 127.0.0.1:%ld: %s\n", port, strerror(errno));
    return -1;
  }
  *bound = ntohs(sa.sin_port);
  return fd;
}

/* Accepts in its own thread, so main can wait for the stop signal. */
static void *accept_loop(void *arg) {
  int lfd = (int)(intptr_t)arg;
  for (;;) {
    int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    pthread_t t;
    if (fd < 0) continue;
    if (pthread_create(&t, NULL, serve, (void *)(intptr_t)fd) != 0) close(fd);
    else pthread_detach(t);
  }
  return NULL;
}

int main(int argc, char **argv) {
  long port = 0;
  unsigned bound;
  sigset_t set;
  pthread_t t;
  int sig, i = 1;
  if (argc > 2 && strcmp(argv[1], "--port") == 0) port = strtol(argv[2], NULL, 10), i = 3;
  for (; i < argc; i++)
    if (add_answer(argv[i])) {
      fprintf(stderr, "usage: canned [--port N] PATH=FILE... (got %s)\n", argv[i]);
      return 2;
    }
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  int lfd = listen_on(port, &bound);
  if (lfd < 0 || pthread_create(&t, NULL, accept_loop, (void *)(intptr_t)lfd) != 0) return 1;
  printf("listening on http://127.0.0.1:%u\n", bound);
  fflush(stdout);
  while (sigwait(&set, &sig) != 0) {}
  return 0;
}
