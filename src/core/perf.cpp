// The `vsr perf` timing protocol (see the header): perf_common.py's bench / emit_time / emit_rate in C++.
#include "vsr/core/perf.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include <sys/resource.h>
#include <unistd.h>

namespace vsr::perf {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

double env_double(const char* name, double fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  char* end = nullptr;
  const double x = std::strtod(v, &end);
  return end != v ? x : fallback;
}

Measurement measure_once(const std::function<void()>& fn, const MeasureOptions& o,
                         const std::function<void(int)>& setup) {
  wait_idle(o.wait_idle_s, o.idle_threshold);
  Measurement m;
  m.warmup = o.warmup;
  CpuSample b0;
  Clock::time_point w0;
  for (int i = 0; i < o.warmup + o.repeats; ++i) {
    if (setup) setup(i);
    if (i == o.warmup) {
      b0 = cpu_sample();
      w0 = Clock::now();
    }
    const auto t0 = Clock::now();
    fn();
    const double dt = seconds_since(t0);
    if (i >= o.warmup) m.times.push_back(dt);
  }
  const CpuSample b1 = cpu_sample();
  const double wall = seconds_since(w0);
  m.median = median(m.times);
  m.min = m.times.empty() ? 0 : *std::min_element(m.times.begin(), m.times.end());
  m.max = m.times.empty() ? 0 : *std::max_element(m.times.begin(), m.times.end());
  m.other_cpu = other_cpu(b0, b1, wall);
  m.steal = steal(b0, b1, wall);
  return m;
}

/// round(x, 3) as Python rounds for printing (the kit prints round(other_cpu, 3)).
double round3(double x) { return std::nearbyint(x * 1000.0) / 1000.0; }

}  // namespace

double resident_mb() {
  std::ifstream statm("/proc/self/statm");
  long long size_pages = 0, resident_pages = 0;
  if (!(statm >> size_pages >> resident_pages)) return 0.0;
  return static_cast<double>(resident_pages) * static_cast<double>(::sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

CpuSample cpu_sample() {
  CpuSample s;
  std::ifstream in("/proc/stat");
  std::string cpu;
  long long v[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  if (in >> cpu)
    for (long long& x : v) in >> x;
  const double hz = static_cast<double>(sysconf(_SC_CLK_TCK));
  long long total = 0;
  for (long long x : v) total += x;
  s.busy_s = static_cast<double>(total - v[3] - v[4]) / hz;  // minus idle and iowait
  s.steal_s = static_cast<double>(v[7]) / hz;
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  s.self_s = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
             static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
  return s;
}

double other_cpu(const CpuSample& a, const CpuSample& b, double wall) {
  if (wall <= 0) return 0.0;
  return std::max(0.0, (b.busy_s - a.busy_s) - (b.self_s - a.self_s)) / wall;
}

double steal(const CpuSample& a, const CpuSample& b, double wall) {
  return wall > 0 ? std::max(0.0, b.steal_s - a.steal_s) / wall : 0.0;
}

MeasureOptions MeasureOptions::from_env(int repeats, int warmup) {
  MeasureOptions o;
  o.repeats = std::max(1, repeats);
  o.warmup = std::max(0, warmup);
  o.wait_idle_s = env_double("PERF_WAIT_IDLE_S", 0);
  o.retries = static_cast<int>(env_double("PERF_RETRIES", 0));
  o.max_other_cpu = env_double("PERF_MAX_OTHER_CPU", 0.2);
  o.idle_threshold = env_double("PERF_IDLE_THRESHOLD", 0.15);
  return o;
}

double median(std::vector<double> values) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
}

double wait_idle(double max_wait_s, double threshold, double window_s) {
  if (max_wait_s <= 0) return -1.0;
  const auto t_end = Clock::now() + std::chrono::duration<double>(max_wait_s);
  for (;;) {
    const CpuSample b0 = cpu_sample();
    const auto w0 = Clock::now();
    std::this_thread::sleep_for(std::chrono::duration<double>(window_s));
    const double load = other_cpu(b0, cpu_sample(), seconds_since(w0));
    if (load < threshold) return load;
    if (Clock::now() > t_end) {
      std::printf("# WARNING: machine not idle after %.0fs (other processes use %.2f cores); measuring anyway\n",
                  max_wait_s, load);
      std::fflush(stdout);
      return load;
    }
  }
}

Measurement measure(const std::function<void()>& fn, const MeasureOptions& o, const std::function<void(int)>& setup) {
  Measurement m;
  for (int attempt = 0; attempt <= o.retries; ++attempt) {
    m = measure_once(fn, o, setup);
    m.attempts = attempt + 1;
    if (m.other_cpu <= o.max_other_cpu) break;
    if (attempt < o.retries) {
      std::printf("# busy machine (other_cpu=%.2f); redoing measurement\n", m.other_cpu);
      std::fflush(stdout);
      wait_idle(o.wait_idle_s > 0 ? o.wait_idle_s : 300, o.idle_threshold);
    }
  }
  return m;
}

std::string format_number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string metric_line(const std::string& name, double value, const std::string& unit, int n, int median_of,
                        const Fields& fields) {
  std::ostringstream os;
  os << "metric=" << name << " value=" << format_number(value) << " unit=" << unit << " n=" << n
     << " median_of=" << median_of;
  for (const auto& [k, v] : fields) os << ' ' << k << '=' << v;
  return os.str();
}

std::string time_line(const std::string& name, const Measurement& m, const Fields& extra, double scale,
                      const std::string& unit) {
  Fields f{{"warmup", std::to_string(m.warmup)},
           {"min", format_number(m.min * scale)},
           {"max", format_number(m.max * scale)},
           {"other_cpu", format_number(round3(m.other_cpu))},
           {"steal", format_number(round3(m.steal))},
           {"attempts", std::to_string(m.attempts)}};
  f.insert(f.end(), extra.begin(), extra.end());
  const int n = static_cast<int>(m.times.size());
  return metric_line(name, m.median * scale, unit, n, n, f);
}

std::string rate_line(const std::string& name, const Measurement& m, double amount, const std::string& unit,
                      const Fields& extra) {
  Fields f{{"warmup", std::to_string(m.warmup)},
           {"min", format_number(amount / m.max)},
           {"max", format_number(amount / m.min)},
           {"other_cpu", format_number(round3(m.other_cpu))},
           {"steal", format_number(round3(m.steal))},
           {"attempts", std::to_string(m.attempts)}};
  f.insert(f.end(), extra.begin(), extra.end());
  const int n = static_cast<int>(m.times.size());
  return metric_line(name, amount / m.median, unit, n, n, f);
}

}  // namespace vsr::perf
