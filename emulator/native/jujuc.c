/*
 * jujuc: the hook-tool client. Every hook tool is a symlink to this binary; argv[0]'s basename
 * names the tool. It forwards the call to the unit agent's tool server over the unix socket in
 * $JUJU_AGENT_SOCKET_ADDRESS ("@name" = abstract socket) and replays the answer.
 *
 * Request:  u32 count, then count x (u32 len, bytes): "1", context id, tool, cwd, args...
 * Replies:  frames of (u8 type, u32 len, bytes), lengths big-endian:
 *   'o' stdout bytes   'e' stderr bytes   'x' exit code as decimal text (last frame)
 *   'i' path: the server needs this input ("-" = stdin); answered with 'd' data or 'f' error text
 *   'w' path NUL content: write content to path (the --output flag)
 * Stdin is read only when the server asks for it, so tools never block on an open stdin.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void die(const char *msg) {
  fprintf(stderr, "ERROR %s\n", msg);
  exit(1);
}

static void write_all(int fd, const void *buf, size_t len) {
  const char *p = buf;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (fd <= 2) return; /* a closed stdout/stderr must not hang or crash the tool */
      die("cannot write to the agent socket");
    }
    p += n;
    len -= (size_t)n;
  }
}

static void read_all(int fd, void *buf, size_t len) {
  char *p = buf;
  while (len > 0) {
    ssize_t n = read(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) die("connection to the unit agent lost");
    p += n;
    len -= (size_t)n;
  }
}

static void put_u32(unsigned char *b, uint32_t v) {
  b[0] = (unsigned char)(v >> 24); b[1] = (unsigned char)(v >> 16);
  b[2] = (unsigned char)(v >> 8); b[3] = (unsigned char)v;
}

/* A growable output buffer so the request goes out in one write. */
struct buf { char *data; size_t len, cap; };

static void buf_add(struct buf *b, const void *src, size_t n) {
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n) cap *= 2;
    b->data = realloc(b->data, cap);
    if (!b->data) die("out of memory");
    b->cap = cap;
  }
  memcpy(b->data + b->len, src, n);
  b->len += n;
}

static void buf_add_str(struct buf *b, const char *s, size_t n) {
  unsigned char len[4];
  put_u32(len, (uint32_t)n);
  buf_add(b, len, 4);
  buf_add(b, s, n);
}

static void send_frame(int fd, char type, const char *data, size_t n) {
  struct buf b = {0};
  buf_add(&b, &type, 1);
  buf_add_str(&b, data, n);
  write_all(fd, b.data, b.len);
  free(b.data);
}

static int slurp(int fd, struct buf *out) {
  char chunk[65536];
  for (;;) {
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) return 0;
    buf_add(out, chunk, (size_t)n);
  }
}

static void answer_input(int sock, const char *path) {
  struct buf content = {0};
  int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || slurp(fd, &content) < 0) {
    char msg[4096];
    snprintf(msg, sizeof msg, "open %s: %s", path, strerror(errno));
    send_frame(sock, 'f', msg, strlen(msg));
  } else {
    send_frame(sock, 'd', content.data ? content.data : "", content.len);
  }
  if (fd > 0) close(fd);
  free(content.data);
}

static void write_output_file(const char *payload, size_t n) {
  const char *nul = memchr(payload, '\0', n);
  if (!nul) die("bad reply from the unit agent");
  int fd = open(payload, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    fprintf(stderr, "ERROR open %s: %s\n", payload, strerror(errno));
    exit(1);
  }
  write_all(fd, nul + 1, n - (size_t)(nul + 1 - payload));
  close(fd);
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN); /* a vanished agent is reported as an error, not a silent kill */
  const char *tool = strrchr(argv[0], '/');
  tool = tool ? tool + 1 : argv[0];
  const char *address = getenv("JUJU_AGENT_SOCKET_ADDRESS");
  const char *context = getenv("JUJU_CONTEXT_ID");
  if (!address || !*address) die("JUJU_AGENT_SOCKET_ADDRESS not set");
  if (!context || !*context) die("JUJU_CONTEXT_ID not set");

  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  size_t alen = strlen(address);
  if (alen >= sizeof addr.sun_path) die("socket address too long");
  memcpy(addr.sun_path, address, alen);
  socklen_t addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + alen);
  if (address[0] == '@') addr.sun_path[0] = '\0'; /* abstract namespace */
  else addrlen += 1;

  int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0) die("cannot create socket");
  int connected = connect(sock, (struct sockaddr *)&addr, addrlen);
  if (connected < 0 && address[0] == '@') {
    /* libuv (Node) binds abstract names NUL-padded to the full sun_path; Go binds the exact length */
    connected = connect(sock, (struct sockaddr *)&addr, (socklen_t)sizeof addr);
  }
  if (connected < 0) {
    fprintf(stderr, "ERROR cannot connect to the unit agent at %s: %s\n", address, strerror(errno));
    return 1;
  }

  char cwd[4096];
  if (!getcwd(cwd, sizeof cwd)) cwd[0] = '\0';
  struct buf req = {0};
  unsigned char count[4];
  put_u32(count, (uint32_t)(argc - 1 + 4));
  buf_add(&req, count, 4);
  buf_add_str(&req, "1", 1);
  buf_add_str(&req, context, strlen(context));
  buf_add_str(&req, tool, strlen(tool));
  buf_add_str(&req, cwd, strlen(cwd));
  for (int i = 1; i < argc; i++) buf_add_str(&req, argv[i], strlen(argv[i]));
  write_all(sock, req.data, req.len);
  free(req.data);

  for (;;) {
    unsigned char head[5];
    read_all(sock, head, 5);
    uint32_t n = ((uint32_t)head[1] << 24) | ((uint32_t)head[2] << 16) | ((uint32_t)head[3] << 8) | head[4];
    char *payload = malloc((size_t)n + 1);
    if (!payload) die("out of memory");
    read_all(sock, payload, n);
    payload[n] = '\0';
    switch (head[0]) {
      case 'o': write_all(1, payload, n); break;
      case 'e': write_all(2, payload, n); break;
      case 'i': answer_input(sock, payload); break;
      case 'w': write_output_file(payload, n); break;
      case 'x': return atoi(payload);
      default: die("bad reply from the unit agent");
    }
    free(payload);
  }
}
