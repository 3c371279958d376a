#pragma once
/// @file
/// Timing harness of `vsr perf`, the same measurement protocol and line format as the reference kit's
/// perf_common.py (shared/tools/hf-reference): `warmup` untimed calls, then `repeats` timed ones; the median, min and
/// max of the timed calls; `other_cpu` = cores kept busy by other processes during the timed calls (/proc/stat busy
/// time minus this process's own CPU time, per wall second) and `steal` (the hypervisor's part of it); a measurement
/// with other_cpu above PERF_MAX_OTHER_CPU is redone after waiting for an idle machine, up to PERF_RETRIES times.
/// Every measurement is one line `metric=<name> value=<v> unit=<u> n=<k> median_of=<k> warmup=.. min=.. max=..
/// other_cpu=.. steal=.. attempts=.. [key=val ...]` with numbers written as Python's `f"{v:.6g}"`.

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace vsr::perf {

/// One reading of the machine's CPU counters.
struct CpuSample {
  double busy_s = 0;   ///< busy seconds of all CPUs (/proc/stat: user nice system irq softirq steal)
  double self_s = 0;   ///< this process's user + system seconds, all threads
  double steal_s = 0;  ///< hypervisor steal seconds of all CPUs
};

/// The counters now (zeros where /proc/stat cannot be read).
CpuSample cpu_sample();

/// Cores' worth of CPU time that other processes used between `a` and `b` over `wall` seconds (perf_common.py's
/// other_cpu_fraction; 0 when wall <= 0).
double other_cpu(const CpuSample& a, const CpuSample& b, double wall);

/// This process's resident set size in MiB (/proc/self/statm's resident pages; 0 where it cannot be read).
double resident_mb();

/// Cores' worth of steal time between `a` and `b` over `wall` seconds.
double steal(const CpuSample& a, const CpuSample& b, double wall);

/// Settings of a measurement; from_env reads the kit's variables.
struct MeasureOptions {
  int repeats = 5;                ///< timed calls
  int warmup = 1;                 ///< untimed calls first
  double wait_idle_s = 0;         ///< PERF_WAIT_IDLE_S: wait up to this long for an idle machine first (0 = no)
  int retries = 0;                ///< PERF_RETRIES: redo a contaminated measurement up to this many times
  double max_other_cpu = 0.2;     ///< PERF_MAX_OTHER_CPU: contamination threshold (cores)
  double idle_threshold = 0.15;   ///< PERF_IDLE_THRESHOLD: idleness threshold (cores)

  /// The given counts with the four PERF_* variables read from the environment (kit defaults when unset).
  static MeasureOptions from_env(int repeats, int warmup);
};

/// Result of one measurement (seconds).
struct Measurement {
  std::vector<double> times;  ///< the timed calls' wall times, in call order
  double median = 0;          ///< median of times (mean of the middle two for an even count, as statistics.median)
  double min = 0;             ///< fastest call
  double max = 0;             ///< slowest call
  double other_cpu = 0;       ///< cores used by other processes during the timed calls
  double steal = 0;           ///< hypervisor steal during the timed calls (cores)
  int warmup = 0;             ///< untimed calls made first
  int attempts = 1;           ///< tries it took (1 + retries used)
};

/// statistics.median of `values` (0 for none).
double median(std::vector<double> values);

/// Blocks until other processes use fewer than `threshold` cores over a 3 s window, or `max_wait_s` passes
/// (perf_common.wait_idle); returns the last load seen, -1 when max_wait_s <= 0 (no wait). Prints a `#` warning line
/// to stdout when the machine never became idle.
double wait_idle(double max_wait_s, double threshold, double window_s = 3.0);

/// Times `fn`: `setup(i)` (untimed) before call i, warmup + repeats calls, redone as MeasureOptions says.
Measurement measure(const std::function<void()>& fn, const MeasureOptions& options,
                    const std::function<void(int)>& setup = {});

/// A number as Python's `f"{v:.6g}"` writes it.
std::string format_number(double v);

/// Extra `key=value` fields appended to a line.
using Fields = std::vector<std::pair<std::string, std::string>>;

/// `metric=<name> value=<v> unit=<unit> n=<n> median_of=<k>` followed by `fields`.
std::string metric_line(const std::string& name, double value, const std::string& unit, int n, int median_of,
                        const Fields& fields = {});

/// A duration line (perf_common.emit_time): value/min/max = the measurement's times x `scale` (1e3: milliseconds).
std::string time_line(const std::string& name, const Measurement& m, const Fields& extra = {}, double scale = 1e3,
                      const std::string& unit = "ms");

/// A rate line (perf_common.emit_rate): amount / median; min/max = the rates of the slowest / fastest call.
std::string rate_line(const std::string& name, const Measurement& m, double amount, const std::string& unit,
                      const Fields& extra = {});

}  // namespace vsr::perf
