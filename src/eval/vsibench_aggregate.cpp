// VSI-Bench aggregate (official vsibench_aggregate_results), with numpy's pairwise summation for the per-type means.
#include "vsr/core/error.hpp"
#include "vsr/eval/aggregate_values.hpp"
#include "vsr/eval/vsibench.hpp"

#include <fmt/format.h>

#include <charconv>
#include <map>
#include <optional>
#include <utility>

namespace vsr::eval {

namespace {

/// numpy's pairwise_sum for float64 (umath loops): < 8 items summed in order, <= 128 items in 8 interleaved partial
/// sums combined as ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)) then the tail, larger blocks split in two halves whose
/// first has a multiple-of-8 length.
double numpy_pairwise_sum(const double* a, std::size_t n) {
  if (n < 8) {
    double res = 0.0;
    for (std::size_t i = 0; i < n; ++i) res += a[i];
    return res;
  }
  if (n <= 128) {
    double r[8];
    for (int k = 0; k < 8; ++k) r[k] = a[k];
    std::size_t i = 8;
    for (; i < n - (n % 8); i += 8)
      for (int k = 0; k < 8; ++k) r[k] += a[i + k];
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  std::size_t n2 = n / 2;
  n2 -= n2 % 8;
  return numpy_pairwise_sum(a, n2) + numpy_pairwise_sum(a + n2, n - n2);
}

/// Python `f"{x:.3f}"`: the exact binary value rounded half-to-even, locale independent.
std::string format_3f(double x) {
  char buf[400];
  const auto res = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::fixed, 3);
  return std::string(buf, res.ptr);
}

constexpr std::string_view kResultTypes[] = {
    "object_counting", "object_abs_distance", "object_size_estimation", "room_size_estimation",
    "object_rel_distance", "object_rel_direction", "route_planning", "obj_appearance_order"};

}  // namespace

AggregateValues aggregate_values(const std::map<std::string, std::vector<double>>& groups) {
  if (groups.empty())
    fail("", "", "no scored records to aggregate (the official scorer raises KeyError 'question_type' here)");
  AggregateValues out;
  auto& output = out.columns;  // the official `output` dict, insertion ordered
  for (const auto& [type, values] : groups) {
    if (!is_mca_type(type) && !is_na_type(type))
      fail("", "question_type", "expected a VSI-Bench question type, found " + quote(type));
    if (values.empty()) fail("", "question_type " + quote(type), "no scores in the group");
    const std::string metric(is_mca_type(type) ? kAccuracyMetric : kMraMetric);
    output.emplace_back(type + "_" + metric, numpy_pairwise_sum(values.data(), values.size()) /
                                                 static_cast<double>(values.size()));
  }
  auto pop = [&output](std::string_view key) -> std::optional<double> {
    for (auto it = output.begin(); it != output.end(); ++it) {
      if (it->first != key) continue;
      const double v = it->second;
      output.erase(it);
      return v;
    }
    return std::nullopt;
  };
  if (const auto easy = pop("object_rel_direction_easy_accuracy")) {
    const auto medium = pop("object_rel_direction_medium_accuracy");
    const auto hard = pop("object_rel_direction_hard_accuracy");
    if (!medium || !hard)
      fail("", "", std::string("object_rel_direction_easy records are present but object_rel_direction_") +
                       (medium ? "hard" : "medium") +
                       " records are not (the official scorer raises KeyError here)");
    output.emplace_back("object_rel_direction_accuracy", ((0.0 + *easy) + *medium + *hard) / 3.0);
  }
  double total = 0.0;
  for (const auto& [key, value] : output) total += value;
  out.overall = total / static_cast<double>(output.size());
  return out;
}

nlohmann::ordered_json aggregate(std::span<const RecordScore> scores) {
  if (scores.empty())
    fail("", "", "no scored records to aggregate (the official scorer raises KeyError 'question_type' here)");
  // pandas groupby('question_type'): groups in sorted key order, records in input order within a group.
  std::map<std::string, std::vector<double>> groups;
  for (const auto& s : scores) {
    if (!is_mca_type(s.question_type) && !is_na_type(s.question_type))
      fail("", "record " + quote(s.id) + ": question_type",
           "expected a VSI-Bench question type, found " + quote(s.question_type));
    groups[s.question_type].push_back(s.score);
  }
  const auto agg = aggregate_values(groups);
  const auto& output = agg.columns;
  const double overall = agg.overall;

  nlohmann::ordered_json result;
  result["overall"] = overall * 100.0;
  for (std::string_view type : kResultTypes)
    for (std::string_view metric : {kAccuracyMetric, kMraMetric}) {
      const std::string key = fmt::format("{}_{}", type, metric);
      for (const auto& [k, v] : output)
        if (k == key) result[key] = v * 100.0;
    }
  std::string keys, values;
  for (const auto& [k, v] : result.items()) {
    if (!keys.empty()) keys += ", ", values += ", ";
    keys += k;
    values += format_3f(v.get<double>());
  }
  result["tabulated_keys"] = keys;
  result["tabulated_results"] = values;
  return result;
}

}  // namespace vsr::eval
