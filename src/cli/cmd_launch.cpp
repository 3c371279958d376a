// `vsr launch`: start N local processes of a program with torchrun's environment (RANK, WORLD_SIZE, LOCAL_RANK,
// LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT), forward signals, and fail fast when one of them fails.
#include "command.hpp"

#include "vsr/core/error.hpp"
#include "vsr/train/preemption.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

constexpr int kMaxProcesses = 1024;
// The children, for the signal handler (async-signal-safe: a fixed array and kill()).
pid_t g_children[kMaxProcesses];
volatile sig_atomic_t g_count = 0;

void forward_signal(int sig) {
  for (sig_atomic_t i = 0; i < g_count; ++i)
    if (g_children[i] > 0) kill(g_children[i], sig);
}

int parse_int(std::string_view text, const char* field, int lo, int hi) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < lo || value > hi)
    vsr::fail("<command line>", field,
              "expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], found " +
                  vsr::quote(text));
  return value;
}

/// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read it back, close).
int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) vsr::fail("<launch>", "master-port", std::string("cannot open a socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    vsr::fail("<launch>", "master-port", std::string("cannot find a free port: ") + std::strerror(errno));
  }
  close(fd);
  return ntohs(addr.sin_port);
}

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

/// "exited with status 3" or "was killed by signal 9 (Killed)".
std::string how_it_ended(int status) {
  if (WIFSIGNALED(status))
    return "was killed by signal " + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
  return "exited with status " + std::to_string(exit_code_of(status));
}

constexpr const char* kUsage =
    "usage: vsr launch --nproc N [--master-port P] [--stop-timeout S] -- PROGRAM [ARGS...]\n"
    "Starts N processes of PROGRAM on this machine with RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE,\n"
    "MASTER_ADDR=127.0.0.1 and MASTER_PORT (a free port unless given) set as torchrun sets them; forwards\n"
    "SIGINT/SIGTERM/SIGHUP/SIGUSR1 to them; when one fails the others are stopped and its exit code is returned\n"
    "(a preempted training run's 75 does not stop the others: every rank stops after the same step by itself):\n"
    "they get SIGTERM, and SIGKILL after --stop-timeout seconds (default 10).\n";

}  // namespace

VSR_COMMAND(cmd_launch, "launch", "run N local processes of a program as one data-parallel job (torchrun's variables)") {
  int nproc = 0, port = 0, stop_timeout_s = 10;
  int i = 1;
  for (; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--") {
      ++i;
      break;
    }
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    std::string_view value;
    std::string_view key = a;
    if (const auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string_view::npos) {
      key = a.substr(0, eq);
      value = a.substr(eq + 1);
    } else if (a.rfind("--", 0) == 0) {
      if (i + 1 >= argc) vsr::fail("<command line>", a.substr(2), "expected a value after " + std::string(a));
      value = argv[++i];
    } else {
      break;  // the program, without a "--" before it
    }
    if (key == "--nproc" || key == "--nproc-per-node" || key == "--nproc_per_node") {
      nproc = parse_int(value, "nproc", 1, kMaxProcesses);
    } else if (key == "--master-port" || key == "--master_port") {
      port = parse_int(value, "master-port", 1, 65535);
    } else if (key == "--stop-timeout") {
      stop_timeout_s = parse_int(value, "stop-timeout", 0, 86400);
    } else {
      vsr::fail("<command line>", key.substr(2), "unknown option (expected --nproc N [--master-port P] [--stop-timeout S] -- PROGRAM ...)");
    }
  }
  if (nproc == 0) vsr::fail("<command line>", "nproc", "expected --nproc N (processes to start)");
  if (i >= argc) vsr::fail("<command line>", "program", "expected the program to run after --");
  if (port == 0) port = free_port();
  std::vector<char*> child_argv;
  for (int k = i; k < argc; ++k) child_argv.push_back(const_cast<char*>(argv[k]));
  child_argv.push_back(nullptr);

  // Signals reach the children through the handler; SIGCHLD keeps its default so waitpid works.
  struct sigaction sa {};
  sa.sa_handler = forward_signal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGUSR1}) sigaction(sig, &sa, nullptr);

  const pid_t launcher = getpid();
  std::fflush(stdout);
  std::fflush(stderr);
  for (int rank = 0; rank < nproc; ++rank) {
    const pid_t pid = fork();
    if (pid < 0) {
      forward_signal(SIGTERM);
      vsr::fail("<launch>", "nproc", std::string("fork failed: ") + std::strerror(errno));
    }
    if (pid == 0) {
      // Dies with the launcher; a launcher that died before this line leaves an orphan that exits at once.
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != launcher) _exit(1);
      struct sigaction dfl {};
      dfl.sa_handler = SIG_DFL;
      for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGUSR1}) sigaction(sig, &dfl, nullptr);
      setenv("RANK", std::to_string(rank).c_str(), 1);
      setenv("LOCAL_RANK", std::to_string(rank).c_str(), 1);
      setenv("WORLD_SIZE", std::to_string(nproc).c_str(), 1);
      setenv("LOCAL_WORLD_SIZE", std::to_string(nproc).c_str(), 1);
      setenv("MASTER_ADDR", "127.0.0.1", 1);
      setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
      execvp(child_argv[0], child_argv.data());
      std::fprintf(stderr, "vsr launch: cannot run %s: %s\n", child_argv[0], std::strerror(errno));
      _exit(127);
    }
    g_children[rank] = pid;
    g_count = rank + 1;
  }

  int result = 0, running = nproc;
  bool stopping = false, killed = false;
  auto deadline = std::chrono::steady_clock::time_point::max();
  while (running > 0) {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, stopping ? WNOHANG : 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;  // no children left
    }
    if (pid == 0) {  // stopping: wait a little, then kill whoever is left
      if (!killed && std::chrono::steady_clock::now() > deadline) {
        forward_signal(SIGKILL);
        killed = true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    int rank = -1;
    for (int k = 0; k < nproc; ++k)
      if (g_children[k] == pid) {
        g_children[k] = -1;
        rank = k;
      }
    --running;
    const int code = exit_code_of(status);
    if (killed && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)  // a rank that ignored SIGTERM: hung or stopped
      std::fprintf(stderr, "vsr launch: rank %d (pid %d) did not exit within %d s of SIGTERM (hung?): killed\n", rank,
                   static_cast<int>(pid), stop_timeout_s);
    if (code == vsr::train::kPreemptedExitCode) {  // the ranks agreed to stop; the others are checkpointing or done
      if (result == 0) result = code;
      continue;
    }
    if (code != 0 && (result == 0 || result == vsr::train::kPreemptedExitCode)) {
      result = code;
      if (running > 0 && !stopping) {
        std::fprintf(stderr,
                     "vsr launch: rank %d (pid %d) %s; stopping the other %d (SIGTERM, SIGKILL after %d s)\n", rank,
                     static_cast<int>(pid), how_it_ended(status).c_str(), running, stop_timeout_s);
        stopping = true;
        forward_signal(SIGTERM);
        deadline = std::chrono::steady_clock::now() + std::chrono::seconds(stop_timeout_s);
      }
    }
  }
  return result;
}
