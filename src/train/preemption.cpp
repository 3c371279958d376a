// SIGTERM / SIGUSR1 -> finish the step, checkpoint, exit 75. The handler stores the signal number and nothing else.
#include "vsr/train/preemption.hpp"

#include <atomic>
#include <csignal>

namespace vsr::train {

namespace {

std::atomic<int> received{0};
static_assert(std::atomic<int>::is_always_lock_free, "the signal handler needs a lock-free flag");

void on_preemption_signal(int sig) { received = sig; }

}  // namespace

void install_preemption_handlers() {
  struct sigaction action {};
  action.sa_handler = on_preemption_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;  // a signal during a read or write does not make it fail
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGUSR1, &action, nullptr);
}

void restore_default_signal_handlers() {
  std::signal(SIGTERM, SIG_DFL);
  std::signal(SIGUSR1, SIG_DFL);
}

int preemption_signal() { return received.load(); }

void reset_preemption() { received.store(0); }

}  // namespace vsr::train
