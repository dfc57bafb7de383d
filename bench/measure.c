/* measure.c - runs one client command and prints what it cost: "WALL_US CPU_US", the wall time
 * and the user+system CPU of the command and of every process it waited for (wait4's rusage),
 * so a client is measured the same way whether it is one process or a shell starting one per
 * call. The command's own output goes to /dev/null; its stderr is kept.
 * usage: measure CMD [ARG...]   exits 1 (printing nothing on stdout) when CMD fails */
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long us(struct timeval t) {
  return (long long)t.tv_sec * 1000000 + t.tv_usec;
}

int main(int argc, char **argv) {
  struct timespec t0, t1;
  struct rusage ru;
  int status = 0;
  if (argc < 2) {
    fprintf(stderr, "usage: measure CMD [ARG...]\n");
    return 2;
  }
  clock_gettime(CLOCK_MONOTONIC, &t0);
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) dup2(null, 1);
    execvp(argv[1], argv + 1);
    perror(argv[1]);
    _exit(127);
  }
  if (pid < 0 || wait4(pid, &status, 0, &ru) != pid) {
    perror("measure");
    return 1;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "measure: %s failed (status %d)\n", argv[1], status);
    return 1;
  }
  long long wall = (long long)(t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000;
  printf("%lld %lld\n", wall, us(ru.ru_utime) + us(ru.ru_stime));
  return 0;
}
