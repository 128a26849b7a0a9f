// cluster-init: shoal's tiny static PID 1 for containers.
//
// It starts the shoal agent in its own session, waits until the agent's RPC port answers (and
// optionally until it sees N alive members), then runs the command in its own process group,
// forwards every catchable signal to it, reaps every zombie, restarts a crashed agent with
// backoff, and on the way out makes the agent leave the cluster gracefully before exiting with
// the command's status. Read top-down like tini: limits and logging, small steps, main, the loop.
// libc and syscalls only (musl, static): no allocation, no NSS, no parsing of network input.
// Signals are all blocked and taken from a signalfd with a blocking read; timers are a POSIX
// timer delivering SIGALRM (si_code SI_TIMER), so an idle cluster-init never wakes up.
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#ifndef CLUSTER_INIT_VERSION
#define CLUSTER_INIT_VERSION "dev"
#endif

namespace {

// ---- Limits -----------------------------------------------------------------------------------
constexpr int kMaxAgentWords = 64;           // words in SHOAL_AGENT_OPTS
constexpr size_t kOptsBytes = 4096;          // bytes of SHOAL_AGENT_OPTS
constexpr int64_t kBackoffMaxMs = 30000;     // agent restart backoff doubles up to this
constexpr int64_t kKillGraceMs = 2000;       // after SIGKILL, how long we still wait for the agent
constexpr int kConnectMs = 200;              // one RPC connect attempt
constexpr int kRpcPauseMs = 100;             // pause between RPC attempts
constexpr int kMembersPauseMs = 500;         // pause between member counts
constexpr int kMembersRunMs = 3000;          // one `AGENT members` run
constexpr int64_t kMaxDurationMs = 86400000; // 24h cap on every duration option
const char* const kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// ---- Settings (options, each with a CLUSTER_INIT_* environment equivalent) -------------------
struct Settings {
  int64_t verbosity = 1;  // 0 errors, 1 warnings, 2 info, 3 debug
  bool group = false;
  const char* agent = nullptr;  // null: shoal beside cluster-init, then PATH; "none": no agent
  const char* rpc_addr = nullptr;
  int64_t rpc_timeout_ms = 30000;
  int64_t members = 0;
  int64_t ready_timeout_ms = 60000;
  int64_t leave_timeout_ms = 8000;
  int64_t drain_ms = 0;
  int64_t backoff_ms = 1000;
};
Settings cfg;

enum Kind { kCount, kFlag, kText, kDuration, kNumber };
struct Option { const char* name; char short_name; Kind kind; void* target; const char *env, *help; };
const Option kOptions[] = {
    {"verbose", 'v', kCount, &cfg.verbosity, "CLUSTER_INIT_VERBOSITY",
     "more log lines; repeat for more (env: 0 errors, 1 warnings (default), 2 info, 3 debug)"},
    {"group", 'g', kFlag, &cfg.group, "CLUSTER_INIT_GROUP",
     "forward signals to the command's whole process group, and SIGTERM what it leaves\n"
     "        behind in the group when it exits (default: the command alone)"},
    {"agent", 'a', kText, &cfg.agent, "CLUSTER_INIT_AGENT",
     "agent binary, run as `AGENT agent $SHOAL_AGENT_OPTS`; `none` runs a plain init\n"
     "        (default: shoal beside cluster-init, then shoal in PATH)"},
    {"rpc-addr", 0, kText, &cfg.rpc_addr, "CLUSTER_INIT_RPC_ADDR",
     "agent RPC address, numeric IP:PORT (default: -rpc-addr in SHOAL_AGENT_OPTS,\n"
     "        else 127.0.0.1:7373)"},
    {"rpc-timeout", 0, kDuration, &cfg.rpc_timeout_ms, "CLUSTER_INIT_RPC_TIMEOUT",
     "wait this long for the agent's RPC to answer before the command starts;\n"
     "        0 starts the command without waiting (default 30s)"},
    {"members", 0, kNumber, &cfg.members, "CLUSTER_INIT_MEMBERS",
     "readiness gate: wait until the agent sees N alive members, itself included\n"
     "        (default 0: no gate; 2 means joined with at least one peer)"},
    {"ready-timeout", 0, kDuration, &cfg.ready_timeout_ms, "CLUSTER_INIT_READY_TIMEOUT",
     "bound on the readiness gate (default 60s)"},
    {"leave-timeout", 0, kDuration, &cfg.leave_timeout_ms, "CLUSTER_INIT_LEAVE_TIMEOUT",
     "time the agent has to leave (SIGINT) before it is killed (default 8s, inside\n"
     "        Docker's 10s stop grace: on SIGTERM the agent leaves while the command stops)"},
    {"drain", 0, kDuration, &cfg.drain_ms, "CLUSTER_INIT_DRAIN",
     "drain mode: on SIGTERM the agent leaves first and the command gets SIGTERM this\n"
     "        much later (default 0: off); keep drain + command stop inside `docker stop -t`"},
    {"restart-backoff", 0, kDuration, &cfg.backoff_ms, "CLUSTER_INIT_RESTART_BACKOFF",
     "first delay before restarting a crashed agent; doubles up to 30s (default 1s)"},
};

// ---- Formatting and logging (a small printf: %s %.*s %c %d %lld; libc's would double our size) --
size_t vfmt(char* out, size_t cap, const char* f, va_list ap) {
  size_t n = 0;
  auto put = [&](char c) { if (n + 1 < cap) out[n] = c; ++n; };
  for (; *f; ++f) {
    if (*f != '%') { put(*f); continue; }
    int prec = -1, longs = 0;
    if (f[1] == '.' && f[2] == '*') prec = va_arg(ap, int), f += 2;
    while (*++f == 'l') ++longs;
    if (*f == 's') {
      for (const char* s = va_arg(ap, const char*); *s && prec-- != 0; ++s) put(*s);
    } else if (*f == 'c') {
      put(char(va_arg(ap, int)));
    } else if (*f == 'd') {
      long long v = longs ? va_arg(ap, long long) : va_arg(ap, int);
      unsigned long long u = v < 0 ? 0ull - static_cast<unsigned long long>(v) : static_cast<unsigned long long>(v);
      char digits[24];
      int k = 0;
      for (v < 0 ? put('-') : void(); k == 0 || u; u /= 10) digits[k++] = char('0' + u % 10);
      while (k) put(digits[--k]);
    } else {
      put(*f);
    }
  }
  if (cap) out[n < cap ? n : cap - 1] = 0;
  return n;
}

size_t fmt(char* out, size_t cap, const char* f, ...) __attribute__((format(printf, 3, 4)));
size_t fmt(char* out, size_t cap, const char* f, ...) {
  va_list ap;
  va_start(ap, f);
  size_t n = vfmt(out, cap, f, ap);
  va_end(ap);
  return n;
}

// Writes one formatted text to fd; with a tag (a log level) as the line "[TAG cluster-init] ...".
void say(int fd, const char* tag, const char* f, ...) __attribute__((format(printf, 3, 4)));
void say(int fd, const char* tag, const char* f, ...) {
  char buf[1024];
  size_t n = tag ? fmt(buf, sizeof buf, "[%s cluster-init] ", tag) : 0;
  va_list ap;
  va_start(ap, f);
  n += vfmt(buf + n, sizeof buf - n - 1, f, ap);
  va_end(ap);
  if (n > sizeof buf - 2) n = sizeof buf - 2;
  if (tag) buf[n++] = '\n';
  ssize_t ignored = write(fd, buf, n);
  (void)ignored;
}
#define LOG(level, tag, ...) ((level) > cfg.verbosity ? void() : say(STDERR_FILENO, tag, __VA_ARGS__))
#define ERR(...) say(STDERR_FILENO, "ERROR", __VA_ARGS__)
#define WARN(...) LOG(1, "WARN", __VA_ARGS__)
#define INFO(...) LOG(2, "INFO", __VA_ARGS__)
#define DBG(...) LOG(3, "DEBUG", __VA_ARGS__)

// ---- Runtime state ------------------------------------------------------------------------------
struct State {
  sigset_t parent_mask;  // restored in every child before exec
  int sfd = -1, timer = 0;  // the signalfd; the kernel id of our one POSIX timer
  char** command = nullptr;
  char command_path[PATH_MAX];
  pid_t child = 0;
  bool started = false;     // start-up is over: the command runs (or the agent runs alone)
  bool child_done = false;  // the command is gone; with no command: the agent was asked to leave
  int exit_code = 1, abort_code = 1;  // the command's status; ours if start-up fails
  int members_seen = 0;
  bool has_agent = false;
  char agent_path[PATH_MAX], opts[kOptsBytes], rpc_text[128];
  char* agent_argv[kMaxAgentWords + 3];
  const char* rpc_auth = nullptr;
  sockaddr_storage rpc;
  socklen_t rpc_len = 0;
  pid_t agent = 0;
  int64_t agent_started = 0, backoff = 0;
  bool agent_leaving = false, drain_started = false;  // leaving: SIGINT sent, no more restarts
  int64_t restart_at = 0, drain_at = 0, kill_at = 0, give_up_at = 0;  // deadlines; 0: none
};
State st;

int code_of(int status) {  // the shell's view of a wait status: 128+N for signal N
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int64_t now_ms() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// ---- Usage and option parsing -------------------------------------------------------------------
void usage() {
  say(STDOUT_FILENO, nullptr, "cluster-init %s: shoal's PID 1 for containers\n\n"
         "usage: cluster-init [options] [--] [COMMAND [ARGS...]]\n\n"
         "Starts the agent (`AGENT agent $SHOAL_AGENT_OPTS`, words split as the shell splits an\n"
         "unquoted variable) in its own session, waits for its RPC, runs COMMAND in its own process\n"
         "group, forwards signals, reaps zombies, restarts a crashed agent, and when COMMAND exits\n"
         "makes the agent leave the cluster, then exits with COMMAND's status (128+N for signal N;\n"
         "127 when COMMAND is not found, 126 when it cannot be executed). With no COMMAND the agent\n"
         "runs alone: SIGTERM/SIGINT make it leave, then cluster-init exits 0.\n\n"
         "options (each also read from the environment variable shown):\n"
         "  -h, --help\n        this text\n",
         CLUSTER_INIT_VERSION);
  for (const Option& o : kOptions) {
    const char* arg = o.kind == kText ? "=VALUE" : o.kind == kDuration ? "=DURATION"
                                      : o.kind == kNumber ? "=N" : "";
    if (o.short_name)
      say(STDOUT_FILENO, nullptr, "  -%c, --%s%s   [%s]\n        %s\n", o.short_name, o.name, arg, o.env, o.help);
    else
      say(STDOUT_FILENO, nullptr, "      --%s%s   [%s]\n        %s\n", o.name, arg, o.env, o.help);
  }
  say(STDOUT_FILENO, nullptr, "\nDURATION: 10s, 500ms, 2m or plain seconds (2.5). Booleans: 1/0, true/false, yes/no.\n"
         "SHOAL_AGENT_OPTS: options for the agent, e.g. \"-discover=web -iface=eth0\".\n");
}

// Parses the decimal digits at p (advancing it), at most max.
bool parse_digits(const char*& p, int64_t max, int64_t* out) {
  if (*p < '0' || *p > '9') return false;
  int64_t v = 0;
  for (; *p >= '0' && *p <= '9'; ++p)
    if ((v = v * 10 + (*p - '0')) > max) return false;
  *out = v;
  return true;
}

bool parse_duration(const char* p, int64_t* out) {
  int64_t whole = 0, frac = 0, scale = 1000;
  if (!parse_digits(p, kMaxDurationMs, &whole)) return false;
  if (*p == '.') {
    int64_t unit = 1000;
    for (++p; *p >= '0' && *p <= '9'; ++p)
      if (unit > 1) frac += (*p - '0') * (unit /= 10);
  }
  if (!strcmp(p, "ms")) scale = 1, frac /= 1000;
  else if (!strcmp(p, "m")) scale = 60000, frac *= 60;
  else if (*p && strcmp(p, "s")) return false;
  *out = whole * scale + frac;
  return *out <= kMaxDurationMs;
}

bool set_option(const Option& o, const char* value, bool from_flag) {
  bool ok = true;
  switch (o.kind) {
    case kCount:
      if (from_flag) return ++*static_cast<int64_t*>(o.target), true;
      [[fallthrough]];
    case kNumber: {
      const char* p = value;
      ok = parse_digits(p, 100000, static_cast<int64_t*>(o.target)) && !*p;
      break;
    }
    case kFlag: {
      bool& flag = *static_cast<bool*>(o.target);
      if (from_flag) return flag = true;
      const char* const yes[] = {"1", "true", "yes", "on"};
      const char* const no[] = {"", "0", "false", "no", "off"};
      bool is_no = false;
      flag = false;
      for (const char* w : yes) flag = flag || !strcmp(value, w);
      for (const char* w : no) is_no = is_no || !strcmp(value, w);
      ok = flag || is_no;
      break;
    }
    case kText: *static_cast<const char**>(o.target) = value; break;
    case kDuration: ok = parse_duration(value, static_cast<int64_t*>(o.target)); break;
  }
  if (!ok) ERR("invalid value '%s' for --%s (%s); see cluster-init --help", value, o.name, o.env);
  return ok;
}

bool parse_env() {
  for (const Option& o : kOptions) {
    const char* v = getenv(o.env);
    if (v && !set_option(o, v, false)) return false;
  }
  return true;
}

const Option* find_option(const char* name, size_t len, char short_name) {
  for (const Option& o : kOptions)
    if (short_name ? o.short_name == short_name : strlen(o.name) == len && !strncmp(o.name, name, len))
      return &o;
  return nullptr;
}

bool parse_args(int argc, char** argv) {
  int i = 1;
  for (; i < argc; ++i) {
    char* a = argv[i];
    if (!strcmp(a, "--")) { ++i; break; }
    if (a[0] != '-' || !a[1]) break;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) { usage(); _exit(0); }
    if (!strcmp(a, "--version")) { say(STDOUT_FILENO, nullptr, "cluster-init %s\n", CLUSTER_INIT_VERSION); _exit(0); }
    const Option* o = nullptr;
    const char* value = nullptr;
    if (a[1] == '-') {
      const char* eq = strchr(a + 2, '=');
      o = find_option(a + 2, eq ? size_t(eq - a - 2) : strlen(a + 2), 0);
      if (eq) value = eq + 1;
    } else if (strspn(a + 1, "v") == strlen(a + 1)) {  // -v, -vv, -vvv
      cfg.verbosity += int64_t(strlen(a + 1));
      continue;
    } else {
      o = find_option(nullptr, 0, a[1]);
      if (a[2]) value = a + 2;
    }
    if (!o) { ERR("unknown option '%s'; see cluster-init --help", a); return false; }
    bool takes_value = o->kind != kFlag && o->kind != kCount;
    if (takes_value && !value) {
      if (i + 1 >= argc) { ERR("option '%s' needs a value; see cluster-init --help", a); return false; }
      value = argv[++i];
    }
    if (!takes_value && value) { ERR("option '%s' takes no value", a); return false; }
    if (!set_option(*o, value, !takes_value)) return false;
  }
  if (i < argc) st.command = argv + i;  // none: the agent runs alone (checked once it is resolved)
  return true;
}

// ---- Signals, timer, subreaper ------------------------------------------------------------------
bool block_signals() {
  sigset_t all;
  memset(&all, 0xff, sizeof all);  // every signal, the real-time ones libc reserves included
  if (sigprocmask(SIG_SETMASK, &all, &st.parent_mask) != 0) {
    ERR("cannot block signals: %s", strerror(errno));
    return false;
  }
  st.sfd = signalfd(-1, &all, SFD_CLOEXEC);
  if (st.sfd < 0) { ERR("signalfd: %s", strerror(errno)); return false; }
  sigevent ev{};
  ev.sigev_notify = SIGEV_SIGNAL;
  ev.sigev_signo = SIGALRM;
  // The raw syscall: libc's timer_create drags in pthreads for SIGEV_THREAD, which we never use.
  if (syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &st.timer) != 0) {
    ERR("timer_create: %s", strerror(errno));
    return false;
  }
  return true;
}

void arm_timer() {
  int64_t next = 0;
  const int64_t deadlines[] = {st.restart_at, st.drain_at, st.kill_at, st.give_up_at};
  for (int64_t t : deadlines)
    if (t && (!next || t < next)) next = t;
  itimerspec its{};
  its.it_value.tv_sec = next / 1000;
  its.it_value.tv_nsec = (next % 1000) * 1000000;
  if (syscall(SYS_timer_settime, st.timer, TIMER_ABSTIME, &its, nullptr) != 0)
    WARN("timer_settime: %s", strerror(errno));
}

void become_subreaper() {
  if (getpid() == 1 || prctl(PR_SET_CHILD_SUBREAPER, 1) == 0) return;
  WARN("not PID 1 and cannot become a child subreaper (%s): orphans will not be reaped; "
       "run cluster-init as the ENTRYPOINT (PID 1) or on Linux 3.4 or later", strerror(errno));
}

// ---- Finding programs ---------------------------------------------------------------------------
int check_exec(const char* path) {
  struct stat sb;
  if (stat(path, &sb) != 0) return errno;
  if (S_ISDIR(sb.st_mode)) return EISDIR;
  return access(path, X_OK) == 0 ? 0 : errno;
}

// Resolves NAME as execvp would; returns 0 or the errno that execvp would have failed with.
int resolve(const char* name, char* out) {
  if (!*name) return ENOENT;
  if (strchr(name, '/')) {
    return fmt(out, PATH_MAX, "%s", name) < PATH_MAX ? check_exec(out) : ENAMETOOLONG;
  }
  const char* path = getenv("PATH");
  if (!path || !*path) path = kDefaultPath;
  int result = ENOENT;
  for (const char* p = path;; ++p) {
    const char* end = strchrnul(p, ':');
    int len = int(end - p);
    if (fmt(out, PATH_MAX, "%.*s%s%s", len, p, len ? "/" : "", name) < PATH_MAX) {
      int e = check_exec(out);
      if (!e) return 0;
      if (e != ENOENT && e != ENOTDIR) result = e;
    }
    if (!*end) break;
    p = end;
  }
  return result;
}

int resolve_command() {
  if (!st.command) return 0;
  int e = resolve(st.command[0], st.command_path);
  if (!e) return 0;
  if (e == ENOENT || e == ENOTDIR) {
    ERR("command '%s' not found%s", st.command[0], strchr(st.command[0], '/') ? "" : " in PATH");
    return 127;
  }
  ERR("command '%s' cannot be executed: %s", st.command[0], strerror(e));
  return 126;
}

// ---- The agent's command line and RPC address ---------------------------------------------------
const char* agent_flag(const char* name) {  // value of -NAME=V, --NAME=V or -NAME V in the agent words
  size_t len = strlen(name);
  for (int i = 2; st.agent_argv[i]; ++i) {
    const char* w = st.agent_argv[i];
    if (*w++ != '-') continue;
    if (*w == '-') ++w;
    if (strncmp(w, name, len)) continue;
    if (w[len] == '=') return w + len + 1;
    if (!w[len] && st.agent_argv[i + 1]) return st.agent_argv[i + 1];
  }
  return nullptr;
}

bool parse_rpc_addr(const char* text) {
  char host[96] = "";
  const char* colon = strrchr(text, ':');
  const char* p = colon ? colon + 1 : "";
  int64_t port = 0;
  int hlen = colon ? int(colon - text) : 0;
  int bracket = hlen >= 2 && text[0] == '[' && text[hlen - 1] == ']';  // [v6]:port
  bool ok = parse_digits(p, 65535, &port) && !*p && port > 0 && hlen < int(sizeof host);
  if (ok) fmt(host, sizeof host, "%.*s", hlen - 2 * bracket, text + bracket);
  if (!*host || !strcmp(host, "0.0.0.0") || !strcmp(host, "localhost")) fmt(host, sizeof host, "127.0.0.1");
  if (!strcmp(host, "::")) fmt(host, sizeof host, "::1");
  memset(&st.rpc, 0, sizeof st.rpc);
  auto* v4 = reinterpret_cast<sockaddr_in*>(&st.rpc);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&st.rpc);
  if (ok && inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET, v4->sin_port = htons(uint16_t(port)), st.rpc_len = sizeof *v4;
    return true;
  }
  if (ok && inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6, v6->sin6_port = htons(uint16_t(port)), st.rpc_len = sizeof *v6;
    return true;
  }
  ERR("RPC address '%s' must be a numeric IP:PORT (PID 1 does no DNS); set --rpc-addr "
      "(CLUSTER_INIT_RPC_ADDR)", text);
  return false;
}

bool resolve_agent() {
  const char* name = cfg.agent;
  if (name && !strcmp(name, "none")) return true;
  int e = ENOENT;
  if (!name || !*name) {
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    char* slash = n > 0 ? (self[n] = 0, strrchr(self, '/')) : nullptr;
    if (slash) {
      *slash = 0;
      if (fmt(st.agent_path, PATH_MAX, "%s/shoal", self) < PATH_MAX) e = check_exec(st.agent_path);
    }
    name = "shoal";
  }
  if (e && (e = resolve(name, st.agent_path)) != 0) {
    ERR("cannot find the agent '%s' (%s): set CLUSTER_INIT_AGENT to its path, or "
        "CLUSTER_INIT_AGENT=none to run without one", name, strerror(e));
    return false;
  }
  const char* opts = getenv("SHOAL_AGENT_OPTS");
  if (opts && strlen(opts) >= kOptsBytes) { ERR("SHOAL_AGENT_OPTS is longer than %d bytes", int(kOptsBytes) - 1); return false; }
  fmt(st.opts, sizeof st.opts, "%s", opts ? opts : "");
  int n = 0;
  st.agent_argv[n++] = st.agent_path;
  st.agent_argv[n++] = const_cast<char*>("agent");
  for (char* w = st.opts; *w;) {  // split like an unquoted shell variable (IFS whitespace)
    if (strchr(" \t\n", *w)) { *w++ = 0; continue; }
    if (n >= kMaxAgentWords + 2) { ERR("SHOAL_AGENT_OPTS has more than %d words", kMaxAgentWords); return false; }
    st.agent_argv[n++] = w;
    w += strcspn(w, " \t\n");
  }
  st.agent_argv[n] = nullptr;
  const char* rpc = cfg.rpc_addr ? cfg.rpc_addr : agent_flag("rpc-addr");
  fmt(st.rpc_text, sizeof st.rpc_text, "%s", rpc ? rpc : "127.0.0.1:7373");
  st.rpc_auth = agent_flag("rpc-auth");
  st.has_agent = true;
  st.backoff = cfg.backoff_ms;
  return parse_rpc_addr(st.rpc_text);
}

// ---- Starting processes -------------------------------------------------------------------------
// In the child: the signal mask we inherited; dispositions were never changed, and the
// signalfd is close-on-exec, so the program starts as it would have without us.
void exec_or_die(const char* path, char* const* argv, const char* what) {
  sigprocmask(SIG_SETMASK, &st.parent_mask, nullptr);
  execv(path, argv);
  int e = errno;
  ERR("cannot execute %s '%s': %s", what, path, strerror(e));
  _exit(e == ENOENT || e == ENOTDIR ? 127 : 126);
}

void null_stdio(int fd_target) {
  int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (fd >= 0) dup2(fd, fd_target);
}

bool start_agent() {
  pid_t pid = fork();
  if (pid < 0) { WARN("cannot fork the agent: %s", strerror(errno)); return false; }
  if (pid == 0) {
    setsid();  // its own session: no terminal ^C, no forwarded signals before it has left
    prctl(PR_SET_PDEATHSIG, SIGINT);  // should we die (not PID 1: kill -9), it still leaves
    null_stdio(STDIN_FILENO);
    exec_or_die(st.agent_path, st.agent_argv, "the agent");
  }
  st.agent = pid;
  st.agent_started = now_ms();
  INFO("started the agent %s as pid %d (RPC %s)", st.agent_path, int(pid), st.rpc_text);
  return true;
}

bool start_command() {
  pid_t pid = fork();
  if (pid < 0) { ERR("cannot fork the command: %s", strerror(errno)); return false; }
  if (pid == 0) {
    setpgid(0, 0);
    if (isatty(STDIN_FILENO)) tcsetpgrp(STDIN_FILENO, getpid());  // SIGTTOU is still blocked here
    exec_or_die(st.command_path, st.command, "command");
  }
  setpgid(pid, pid);  // both sides, so forwarding to the group never races the exec
  st.child = pid;
  INFO("started command '%s' as pid %d", st.command[0], int(pid));
  return true;
}

// ---- Start-up waits (bounded; a SIGTERM or the agent's death ends them) -------------------------

void reap();

// Waits up to ms for signals; false when start-up must stop: SIGTERM/INT/HUP/QUIT, or the agent died.
bool startup_pause(int ms) {
  pollfd p = {st.sfd, POLLIN, 0};
  signalfd_siginfo si[8];
  ssize_t n = poll(&p, 1, ms) == 1 ? read(st.sfd, si, sizeof si) : 0;
  for (ssize_t i = 0; i < n / ssize_t(sizeof si[0]); ++i) {
    int sig = int(si[i].ssi_signo);
    if (sig == SIGCHLD) reap();
    if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP || sig == SIGQUIT) {
      INFO("got signal %d during start-up: stopping", sig);
      st.abort_code = 128 + sig;
      return false;
    }
  }
  return st.agent != 0;
}

// Retries ready() every pause_ms until it holds; false after timeout_ms or when start-up must stop.
bool wait_until(bool (*ready)(), int64_t timeout_ms, int pause_ms) {
  int64_t deadline = now_ms() + timeout_ms;
  for (int64_t attempt = 0; attempt <= timeout_ms / pause_ms; ++attempt) {
    if (ready()) return true;
    if (now_ms() >= deadline || !startup_pause(pause_ms)) return false;
  }
  return false;
}

bool rpc_answers() {
  int fd = socket(st.rpc.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&st.rpc), st.rpc_len) == 0;
  if (!ok && errno == EINPROGRESS) {
    pollfd p = {fd, POLLOUT, 0};
    int err = 1;
    socklen_t len = sizeof err;
    ok = poll(&p, 1, kConnectMs) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0;
  }
  close(fd);
  return ok;
}

bool wait_for_rpc() {
  if (!st.agent || cfg.rpc_timeout_ms == 0) return true;
  bool ok = wait_until(rpc_answers, cfg.rpc_timeout_ms, kRpcPauseMs);
  if (ok) INFO("the agent's RPC at %s answers", st.rpc_text);
  else if (st.agent && st.abort_code == 1)
    ERR("the agent's RPC at %s did not answer within %lld ms; check -rpc-addr in SHOAL_AGENT_OPTS "
        "or raise --rpc-timeout", st.rpc_text, (long long)cfg.rpc_timeout_ms);
  return ok;
}

// Runs `AGENT members -rpc-addr=... -status=alive` and counts its output lines (-1: failed).
int count_members() {
  char addr[160], auth[160];
  fmt(addr, sizeof addr, "-rpc-addr=%s", st.rpc_text);
  fmt(auth, sizeof auth, "-rpc-auth=%s", st.rpc_auth ? st.rpc_auth : "");
  char* argv[] = {st.agent_path, const_cast<char*>("members"), addr, const_cast<char*>("-status=alive"),
                  st.rpc_auth ? auth : nullptr, nullptr};
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return -1;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    null_stdio(STDIN_FILENO);
    null_stdio(STDERR_FILENO);
    exec_or_die(st.agent_path, argv, "the agent");
  }
  close(fds[1]);
  int lines = 0, status = 0;
  int64_t deadline = now_ms() + kMembersRunMs;
  char buf[512];
  for (ssize_t n = 1; pid > 0 && n > 0;) {
    pollfd p = {fds[0], POLLIN, 0};
    int64_t left = deadline - now_ms();
    if (left <= 0 || poll(&p, 1, int(left)) <= 0) break;
    n = read(fds[0], buf, sizeof buf);
    for (ssize_t i = 0; i < n; ++i) lines += buf[i] == '\n';
  }
  close(fds[0]);
  if (pid < 0) return -1;
  for (int i = 0; waitpid(pid, &status, WNOHANG) == 0; ++i) {  // 0.5 s to exit after EOF, then killed
    if (i < 50) { usleep(10000); continue; }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    break;
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? lines : -1;
}

bool enough_members() {
  st.members_seen = count_members();
  return st.members_seen >= cfg.members;
}

bool wait_for_members() {
  if (!st.agent || cfg.members <= 0) return true;
  bool ok = wait_until(enough_members, cfg.ready_timeout_ms, kMembersPauseMs);
  if (ok) INFO("the agent sees %d alive members", st.members_seen);
  else if (st.agent && st.abort_code == 1)
    ERR("the agent saw %d of %lld alive members within %lld ms; check -join/-discover or raise "
        "--ready-timeout", st.members_seen < 0 ? 0 : st.members_seen, (long long)cfg.members,
        (long long)cfg.ready_timeout_ms);
  return ok;
}

// ---- The loop's steps ---------------------------------------------------------------------------
void agent_leave() {
  st.restart_at = 0;
  if (st.agent_leaving) return;
  st.agent_leaving = true;
  if (!st.agent) return;
  INFO("asking the agent (pid %d) to leave the cluster", int(st.agent));
  if (kill(st.agent, SIGINT) != 0) WARN("cannot signal the agent: %s", strerror(errno));
  st.kill_at = now_ms() + cfg.leave_timeout_ms;
}

void forward(int sig, const signalfd_siginfo* si) {
  if (!st.child || (st.child_done && !cfg.group)) return;
  pid_t target = cfg.group ? -st.child : st.child;
  int rc;
  if (si && si->ssi_code == SI_QUEUE && !cfg.group) {
    union sigval v;
    v.sival_ptr = reinterpret_cast<void*>(uintptr_t(si->ssi_ptr));
    rc = sigqueue(target, sig, v);
  } else {
    rc = kill(target, sig);
  }
  if (rc != 0 && errno != ESRCH) WARN("cannot forward signal %d to %d: %s", sig, int(target), strerror(errno));
  else DBG("forwarded signal %d to %d", sig, int(target));
}

void on_term(const signalfd_siginfo& si) {
  if (cfg.drain_ms > 0 && !st.drain_started) {
    st.drain_started = true;
    INFO("SIGTERM: draining; the command gets it in %lld ms", (long long)cfg.drain_ms);
    agent_leave();
    st.drain_at = now_ms() + cfg.drain_ms;
    return;
  }
  st.drain_at = 0;  // a second SIGTERM while draining goes through at once
  forward(SIGTERM, &si);
  agent_leave();  // in parallel with the command's own stop, so both fit in the grace period
}

void on_command_exit(int status) {
  st.child_done = true;
  st.exit_code = code_of(status);
  INFO("the command exited with %d", st.exit_code);
  if (cfg.group && kill(-st.child, SIGTERM) == 0) DBG("sent SIGTERM to what the command left behind");
  st.drain_at = 0;
  agent_leave();
}

void on_agent_exit(int status) {
  int64_t now = now_ms();
  st.agent = 0;
  st.kill_at = st.give_up_at = 0;
  if (st.agent_leaving) {
    if (code_of(status)) WARN("the agent ended with status %d while leaving", code_of(status));
    else INFO("the agent has left");
    return;
  }
  if (!st.started) {  // still starting up: no restart, start-up fails
    ERR("the agent exited (status %d) before it was ready; check SHOAL_AGENT_OPTS", code_of(status));
    return;
  }
  if (now - st.agent_started > kBackoffMaxMs) st.backoff = cfg.backoff_ms;
  WARN("the agent exited (status %d); restarting it in %lld ms", code_of(status), (long long)st.backoff);
  st.restart_at = now + (st.backoff ? st.backoff : 1);
  st.backoff = st.backoff * 2 > kBackoffMaxMs ? kBackoffMaxMs : st.backoff * 2;
}

// With no command the agent is the service: TERM, INT and QUIT make it leave, and cluster-init
// exits 0 once it has; HUP goes to the agent (it reloads); other signals are ignored.
void agent_alone_signal(int sig) {
  if (sig == SIGHUP && st.agent) {
    kill(st.agent, SIGHUP);
  } else if (sig == SIGTERM || sig == SIGINT || sig == SIGQUIT) {
    st.child_done = true;
    st.exit_code = 0;
    agent_leave();
  }
}

void reap() {
  int status = 0;
  for (pid_t pid; (pid = waitpid(-1, &status, WNOHANG)) != 0;) {
    if (pid < 0) {
      if (errno != ECHILD && errno != EINTR) WARN("waitpid: %s", strerror(errno));
      if (errno != EINTR) return;
      continue;
    }
    if (pid == st.child) on_command_exit(status);
    else if (pid == st.agent) on_agent_exit(status);
    else DBG("reaped orphan %d", int(pid));
  }
}

void on_timer() {
  int64_t now = now_ms();
  if (st.restart_at && now >= st.restart_at) {
    st.restart_at = 0;
    if (!st.agent_leaving && !st.agent && !start_agent()) st.restart_at = now + st.backoff;
  }
  if (st.drain_at && now >= st.drain_at) {
    st.drain_at = 0;
    forward(SIGTERM, nullptr);
  }
  if (st.kill_at && now >= st.kill_at) {
    st.kill_at = 0;
    WARN("the agent did not leave within %lld ms; killing it", (long long)cfg.leave_timeout_ms);
    kill(st.agent, SIGKILL);
    st.give_up_at = now + kKillGraceMs;
  }
  if (st.give_up_at && now >= st.give_up_at) {
    st.give_up_at = 0;
    WARN("the agent (pid %d) does not die; going on without it", int(st.agent));
    st.agent = 0;
  }
}

void handle(const signalfd_siginfo& si) {
  int sig = int(si.ssi_signo);
  if (sig == SIGCHLD) return reap();
  if (sig == SIGALRM && si.ssi_code == SI_TIMER) return on_timer();
  if (pid_t(si.ssi_pid) == getpid() && si.ssi_code == SI_USER) return;  // e.g. SIGPIPE from our own write
  if (!st.command) return agent_alone_signal(sig);
  if (sig == SIGTERM && !st.child_done) return on_term(si);
  forward(sig, &si);
}

// Once the command runs, nothing here exits on an error: it warns and carries on.
int run_loop() {
  for (;;) {
    if (st.child_done && !st.agent) return st.exit_code;
    signalfd_siginfo si[16];
    ssize_t n = read(st.sfd, si, sizeof si);
    if (n < 0) {
      if (errno != EINTR) WARN("reading signals: %s", strerror(errno));
      continue;
    }
    for (ssize_t i = 0; i < n / ssize_t(sizeof si[0]); ++i) handle(si[i]);
    arm_timer();
  }
}

// Start-up failed after the agent started: let it leave (bounded), then exit with `code`.
int shut_down(int code) {
  st.child_done = true;
  st.exit_code = code;
  agent_leave();
  arm_timer();
  return run_loop();
}

}  // namespace

int main(int argc, char** argv) {
  if (!parse_env()) return 1;
  if (!parse_args(argc, argv)) return 1;
  if (!block_signals()) return 1;
  become_subreaper();
  if (int code = resolve_command()) return code;
  if (!resolve_agent()) return 1;
  if (!st.command && !st.has_agent) {
    ERR("no command given (and no agent to run alone): usage: cluster-init [options] [--] COMMAND [ARGS...]");
    return 1;
  }
  if (st.has_agent && !start_agent()) return 1;
  if (!wait_for_rpc()) return shut_down(st.abort_code);
  if (!wait_for_members()) return shut_down(st.abort_code);
  if (st.command && !start_command()) return shut_down(1);
  if (!st.command) INFO("no command: running the agent alone until a stop signal");
  st.started = true;
  return run_loop();
}
