// SIGTERM / SIGUSR1 -> finish the step, checkpoint, exit 75. The handler stores the signal number and nothing else.
#include "vsr/train/preemption.hpp"

#include <csignal>

namespace vsr::train {

namespace {

volatile std::sig_atomic_t received = 0;

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

int preemption_signal() { return received; }

void reset_preemption() { received = 0; }

}  // namespace vsr::train
