#pragma once
/// @file
/// Preemption on shared clusters: SIGTERM and SIGUSR1 (what SLURM sends before it kills a job; `sbatch
/// --signal=USR1@120` asks for it two minutes early) make a training run finish its current step, write a checkpoint
/// and exit with kPreemptedExitCode, so that the same command with `--resume` continues exactly. The handlers only
/// set a flag, so a second signal during the save changes nothing. See docs/hardening.md.

namespace vsr::train {

/// The exit status of a preempted run (EX_TEMPFAIL of sysexits.h: a checkpoint was written; rerun with --resume).
inline constexpr int kPreemptedExitCode = 75;

/// Installs the SIGTERM and SIGUSR1 handlers (idempotent). Called by the experiment programs' main before training.
void install_preemption_handlers();

/// Gives SIGTERM and SIGUSR1 their default action back (after training: the final evaluation and report stop at
/// once when signalled).
void restore_default_signal_handlers();

/// The signal that asked this process to stop (SIGTERM or SIGUSR1), or 0 when none arrived.
int preemption_signal();

/// Forgets a received signal (for tests).
void reset_preemption();

}  // namespace vsr::train
