#include "test_support.hpp"

#include "vsr/core/metrics_log.hpp"

namespace vsr::test {

std::vector<std::vector<std::pair<std::string, double>>> deterministic_metrics(const std::filesystem::path& run) {
  std::vector<std::vector<std::pair<std::string, double>>> rows;
  for (const auto& row : MetricsLog::read_csv(run / "metrics.csv")) {
    std::vector<std::pair<std::string, double>> kept{{"step", static_cast<double>(row.step)}};
    for (const auto& [k, v] : row.values)
      if (!k.ends_with("_s") && k.rfind("rss_", 0) != 0) kept.emplace_back(k, v);
    rows.push_back(kept);
  }
  return rows;
}

}  // namespace vsr::test
