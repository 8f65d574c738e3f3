/*
 * LD_PRELOAD shim for a private pcscd (cardforge scripts/pcsc).
 *
 * 1. TCP_NODELAY on every TCP socket pcscd (and the vpcd driver it loads) accepts or connects.
 *    vpcd writes the 2-byte length and the APDU in two send() calls; with Nagle on one side and
 *    delayed ACK on the other, every APDU stalls ~40 ms. With TCP_NODELAY: ~7,000 APDU/s.
 * 2. Private run directory: pcscd 1.9.x hard-codes /run/pcscd (socket pcscd.comm, pid file) and
 *    ignores PCSCLITE_CSOCK_NAME (only libpcsclite clients honour it). When
 *    CARDFORGE_PCSCD_RUNDIR is set, every path under /run/pcscd is rewritten to that directory, so
 *    a private pcscd never touches (or is refused because of) a system pcscd.
 *    The wrapped calls are exactly the path-taking imports of pcscd 1.9.9 (nm -D --undefined-only).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#define SYSTEM_RUNDIR "/run/pcscd"

static void set_nodelay(int fd) {
  int domain = 0;
  socklen_t len = sizeof domain;
  if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0) return;
  if (domain != AF_INET && domain != AF_INET6) return;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

#define REAL(ret, name, ...)                                   \
  static ret (*real_##name)(__VA_ARGS__);                      \
  if (!real_##name) real_##name = (ret (*)(__VA_ARGS__))dlsym(RTLD_NEXT, #name)

int accept(int fd, struct sockaddr *addr, socklen_t *len) {
  REAL(int, accept, int, struct sockaddr *, socklen_t *);
  int c = real_accept(fd, addr, len);
  set_nodelay(c);
  return c;
}

int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) {
  REAL(int, accept4, int, struct sockaddr *, socklen_t *, int);
  int c = real_accept4(fd, addr, len, flags);
  set_nodelay(c);
  return c;
}

int connect(int fd, const struct sockaddr *addr, socklen_t len) {
  REAL(int, connect, int, const struct sockaddr *, socklen_t);
  set_nodelay(fd);
  return real_connect(fd, addr, len);
}

/* Returns the rewritten path in buf, or the original path when no rewrite applies. */
static const char *redirect(const char *path, char *buf, size_t size) {
  const char *dir = getenv("CARDFORGE_PCSCD_RUNDIR");
  size_t n = strlen(SYSTEM_RUNDIR);
  if (!dir || !*dir || !path || strncmp(path, SYSTEM_RUNDIR, n) != 0) return path;
  if (path[n] != '\0' && path[n] != '/') return path;
  if ((size_t)snprintf(buf, size, "%s%s", dir, path + n) >= size) return path;
  return buf;
}

int bind(int fd, const struct sockaddr *addr, socklen_t len) {
  REAL(int, bind, int, const struct sockaddr *, socklen_t);
  if (addr && addr->sa_family == AF_UNIX) {
    const struct sockaddr_un *un = (const struct sockaddr_un *)addr;
    char buf[sizeof un->sun_path];
    const char *p = redirect(un->sun_path, buf, sizeof buf);
    if (p != un->sun_path) {
      struct sockaddr_un copy = *un;
      strncpy(copy.sun_path, p, sizeof copy.sun_path - 1);
      copy.sun_path[sizeof copy.sun_path - 1] = '\0';
      return real_bind(fd, (const struct sockaddr *)&copy, sizeof copy);
    }
  }
  return real_bind(fd, addr, len);
}

int open(const char *path, int flags, ...) {
  REAL(int, open, const char *, int, ...);
  mode_t mode = 0;
  if (flags & (O_CREAT | O_TMPFILE)) {
    va_list ap;
    va_start(ap, flags);
    mode = va_arg(ap, mode_t);
    va_end(ap);
  }
  char buf[4096];
  return real_open(redirect(path, buf, sizeof buf), flags, mode);
}

FILE *fopen(const char *path, const char *mode) {
  REAL(FILE *, fopen, const char *, const char *);
  char buf[4096];
  return real_fopen(redirect(path, buf, sizeof buf), mode);
}

int stat(const char *path, struct stat *st) {
  REAL(int, stat, const char *, struct stat *);
  char buf[4096];
  return real_stat(redirect(path, buf, sizeof buf), st);
}

int lstat(const char *path, struct stat *st) {
  REAL(int, lstat, const char *, struct stat *);
  char buf[4096];
  return real_lstat(redirect(path, buf, sizeof buf), st);
}

int mkdir(const char *path, mode_t mode) {
  REAL(int, mkdir, const char *, mode_t);
  char buf[4096];
  return real_mkdir(redirect(path, buf, sizeof buf), mode);
}

int chmod(const char *path, mode_t mode) {
  REAL(int, chmod, const char *, mode_t);
  char buf[4096];
  return real_chmod(redirect(path, buf, sizeof buf), mode);
}

int remove(const char *path) {
  REAL(int, remove, const char *);
  char buf[4096];
  return real_remove(redirect(path, buf, sizeof buf));
}
