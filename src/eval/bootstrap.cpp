// Stratified paired bootstrap of VSI-Bench's Avg. (and each column) over held-out questions.
#include "vsr/eval/bootstrap.hpp"
#include "vsr/eval/qa_score.hpp"

#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/core/splitmix64.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace vsr::eval {

namespace fs = std::filesystem;

namespace {

std::string string_field(const nlohmann::json& j, const char* key, const std::string& file, const std::string& where) {
  const auto it = j.find(key);
  if (it == j.end()) fail(file, where + ": " + key, "missing field");
  if (!it->is_string()) fail(file, where + ": " + key, std::string("expected a string, found ") + it->type_name());
  return it->get<std::string>();
}

/// Summary of a bootstrap distribution around the point value.
Estimate summarise(double value, const std::vector<double>& samples, double level) {
  Estimate e;
  e.value = value;
  e.low = percentile(samples, (1.0 - level) / 2.0);
  e.high = percentile(samples, (1.0 + level) / 2.0);
  if (samples.size() > 1) {
    double mean = 0.0, ss = 0.0;
    for (double v : samples) mean += v;
    mean /= static_cast<double>(samples.size());
    for (double v : samples) ss += (v - mean) * (v - mean);
    e.se = std::sqrt(ss / static_cast<double>(samples.size() - 1));
  }
  return e;
}

nlohmann::ordered_json estimate_json(const Estimate& e) {
  return {{"value", e.value}, {"low", e.low}, {"high", e.high}, {"se", e.se}};
}

nlohmann::ordered_json columns_json(const std::vector<std::pair<std::string, Estimate>>& columns) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& [key, e] : columns) j[key] = estimate_json(e);
  return j;
}

}  // namespace

std::vector<RecordScore> read_record_scores(const fs::path& path) {
  const std::string text = read_file(path);
  const std::string file = path.string();
  std::vector<RecordScore> out;
  std::size_t pos = 0, line_no = 0;
  while (pos < text.size()) {
    ++line_no;
    const auto nl = text.find('\n', pos);
    const std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = "line " + std::to_string(line_no);
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) fail(file, where, "not valid JSON");
    if (!j.is_object()) fail(file, where, std::string("expected a JSON object, found ") + j.type_name());
    RecordScore s;
    const auto id = j.find("id");
    if (id == j.end()) fail(file, where + ": id", "missing field");
    if (id->is_number()) {
      s.id = id->dump();
      s.numeric_id = true;
    } else if (id->is_string()) {
      s.id = id->get<std::string>();
    } else {
      fail(file, where + ": id", std::string("expected a string or a number, found ") + id->type_name());
    }
    s.question_type = string_field(j, "question_type", file, where);
    s.metric = string_field(j, "metric", file, where);
    const auto score = j.find("score");
    if (score == j.end()) fail(file, where + ": score", "missing field");
    if (!score->is_number())
      fail(file, where + ": score", std::string("expected a number, found ") + score->type_name());
    s.score = score->get<double>();
    out.push_back(std::move(s));
  }
  return out;
}

void require_same_records(const ScoredRun& baseline, const ScoredRun& other) {
  auto index = [](const ScoredRun& run) {
    std::unordered_map<std::string, const RecordScore*> m;
    for (const auto& s : run.scores)
      if (!m.emplace(s.id, &s).second) fail(run.origin, "record " + quote(s.id), "id repeated");
    return m;
  };
  const auto mine = index(baseline), theirs = index(other);
  std::size_t missing = 0, extra = 0;
  std::string first_missing, first_extra;
  for (const auto& s : baseline.scores) {
    const auto it = theirs.find(s.id);
    if (it == theirs.end()) {
      if (missing++ == 0) first_missing = ", first " + quote(s.id);
    } else if (it->second->question_type != s.question_type) {
      fail(other.origin, "record " + quote(s.id) + ": question_type",
           quote(it->second->question_type) + " here but " + quote(s.question_type) + " in " + baseline.origin);
    }
  }
  for (const auto& s : other.scores)
    if (!mine.count(s.id) && extra++ == 0) first_extra = ", first " + quote(s.id);
  if (missing || extra)
    fail(other.origin, "",
         fmt::format("not the records of {} ({} records here, {} there; {} of its ids missing here{}, {} ids not "
                     "there{}): a paired comparison needs the same records",
                     baseline.origin, other.scores.size(), baseline.scores.size(), missing, first_missing, extra,
                     first_extra));
}

PairedScores::PairedScores(std::span<const ScoredRun> runs) {
  if (runs.empty()) fail("<bootstrap>", "runs", "expected at least one run");
  const auto& base = runs.front();
  if (base.scores.empty()) fail(base.origin, "", "no scored records");
  for (const auto& run : runs) require_same_records(base, run);
  vsibench_ = std::all_of(base.scores.begin(), base.scores.end(), [](const RecordScore& s) {
    return is_mca_type(s.question_type) || is_na_type(s.question_type);
  });
  // type (VSI-Bench) or generic task column "<task>_<metric>" (eval/qa_score.hpp) -> positions in the baseline
  std::map<std::string, std::vector<std::size_t>> by_type;
  for (std::size_t i = 0; i < base.scores.size(); ++i) {
    const auto& s = base.scores[i];
    by_type[vsibench_ ? s.question_type : s.question_type + "_" + s.metric].push_back(i);
  }
  for (const auto& [type, positions] : by_type) types_.push_back(type);
  for (const auto& run : runs) {
    std::unordered_map<std::string, double> score_of;
    for (const auto& s : run.scores) score_of.emplace(s.id, s.score);
    auto& mine = scores_.emplace_back();
    for (const auto& [type, positions] : by_type) {
      auto& column = mine.emplace_back();
      for (std::size_t i : positions) column.push_back(score_of.at(base.scores[i].id));
    }
  }
}

std::size_t PairedScores::records() const {
  std::size_t n = 0;
  for (std::size_t t = 0; t < types_.size(); ++t) n += count(t);
  return n;
}

std::vector<std::vector<std::size_t>> PairedScores::all() const {
  std::vector<std::vector<std::size_t>> picks(types_.size());
  for (std::size_t t = 0; t < types_.size(); ++t)
    for (std::size_t i = 0; i < count(t); ++i) picks[t].push_back(i);
  return picks;
}

void PairedScores::draw(std::uint64_t& state, std::vector<std::vector<std::size_t>>& picks) const {
  picks.resize(types_.size());
  for (std::size_t t = 0; t < types_.size(); ++t) {
    const std::uint64_t n = count(t);
    picks[t].resize(n);
    for (auto& p : picks[t]) p = static_cast<std::size_t>(splitmix64(state) % n);
  }
}

AggregateValues PairedScores::values(std::size_t run, const std::vector<std::vector<std::size_t>>& picks) const {
  std::map<std::string, std::vector<double>> groups;
  for (std::size_t t = 0; t < types_.size(); ++t) {
    auto& g = groups[types_[t]];
    g.reserve(picks[t].size());
    for (std::size_t p : picks[t]) g.push_back(scores_[run][t][p]);
  }
  if (vsibench_) return aggregate_values(groups);
  AggregateValues out;  // generic tasks: each column's mean, overall the mean over columns (generic_aggregate)
  for (const auto& [key, g] : groups) {
    double sum = 0.0;
    for (double v : g) sum += v;
    out.columns.emplace_back(key, sum / static_cast<double>(g.size()));
    out.overall += out.columns.back().second;
  }
  out.overall /= static_cast<double>(out.columns.size());
  return out;
}

double percentile(std::vector<double> values, double q) {
  if (values.empty()) fail("<bootstrap>", "percentile", "no values");
  std::sort(values.begin(), values.end());
  const double h = q * static_cast<double>(values.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (h - static_cast<double>(lo)) * (values[hi] - values[lo]);
}

std::string_view verdict(const Estimate& difference) {
  if (difference.low > 0.0) return "above zero";
  if (difference.high < 0.0) return "below zero";
  return "includes zero";
}

BootstrapResult paired_bootstrap(std::span<const ScoredRun> runs, const BootstrapOptions& options) {
  require(options.resamples >= 1, "<bootstrap>", "resamples",
          "expected at least 1, found " + std::to_string(options.resamples));
  require(options.level > 0.0 && options.level < 1.0, "<bootstrap>", "level",
          fmt::format("expected a coverage between 0 and 1, found {}", options.level));
  const PairedScores paired(runs);
  BootstrapResult result;
  result.options = options;
  result.records = paired.records();
  for (std::size_t t = 0; t < paired.types().size(); ++t) result.per_type[paired.types()[t]] = paired.count(t);

  // Point values: the official aggregate of each run's records in its own order (aggregate.json's numbers).
  std::vector<nlohmann::ordered_json> points;
  for (const auto& run : runs) {
    try {
      points.push_back(paired.vsibench() ? aggregate(run.scores) : generic_aggregate(run.scores));
    } catch (const Error& e) {
      throw Error(run.origin, e.field(), e.problem());
    }
  }
  std::vector<std::string> keys{"overall"};  // statistic 0 is Avg., then the listed columns
  for (const auto& [key, value] : points.front().items())
    if (key != "overall" && value.is_number()) keys.push_back(key);

  const auto B = static_cast<std::size_t>(options.resamples);
  // samples[run][statistic][resample], x100 as the aggregate reports them
  std::vector<std::vector<std::vector<double>>> samples(
      runs.size(), std::vector<std::vector<double>>(keys.size(), std::vector<double>(B)));
  std::uint64_t state = options.seed;
  std::vector<std::vector<std::size_t>> picks;
  for (std::size_t b = 0; b < B; ++b) {
    paired.draw(state, picks);
    for (std::size_t r = 0; r < runs.size(); ++r) {
      const auto v = paired.values(r, picks);
      samples[r][0][b] = v.overall * 100.0;
      for (std::size_t k = 1; k < keys.size(); ++k)
        for (const auto& [key, value] : v.columns)
          if (key == keys[k]) samples[r][k][b] = value * 100.0;
    }
  }

  std::vector<double> diff(B);
  for (std::size_t r = 0; r < runs.size(); ++r) {
    RunEstimate run{runs[r].label, {}, {}};
    DifferenceEstimate d{runs[r].label, {}, 0.0, {}};
    for (std::size_t k = 0; k < keys.size(); ++k) {
      const double point = points[r][keys[k]].get<double>();
      const auto e = summarise(point, samples[r][k], options.level);
      if (k == 0)
        run.avg = e;
      else
        run.columns.emplace_back(keys[k], e);
      if (r == 0) continue;
      for (std::size_t b = 0; b < B; ++b) diff[b] = samples[r][k][b] - samples[0][k][b];
      const auto de = summarise(point - points[0][keys[k]].get<double>(), diff, options.level);
      if (k > 0) {
        d.columns.emplace_back(keys[k], de);
        continue;
      }
      d.avg = de;
      d.fraction_le_zero =
          static_cast<double>(std::count_if(diff.begin(), diff.end(), [](double x) { return x <= 0.0; })) /
          static_cast<double>(B);
    }
    result.runs.push_back(std::move(run));
    if (r > 0) result.differences.push_back(std::move(d));
  }
  return result;
}

nlohmann::ordered_json to_json(const BootstrapResult& result) {
  nlohmann::ordered_json j;
  j["records"] = result.records;
  j["per_type"] = result.per_type;
  j["resamples"] = result.options.resamples;
  j["seed"] = result.options.seed;
  j["level"] = result.options.level;
  j["runs"] = nlohmann::ordered_json::array();
  for (const auto& r : result.runs)
    j["runs"].push_back({{"label", r.label}, {"avg", estimate_json(r.avg)}, {"columns", columns_json(r.columns)}});
  j["differences"] = nlohmann::ordered_json::array();
  for (const auto& d : result.differences)
    j["differences"].push_back({{"label", d.label},
                                {"baseline", result.runs.front().label},
                                {"avg", estimate_json(d.avg)},
                                {"fraction_le_zero", d.fraction_le_zero},
                                {"verdict", std::string(verdict(d.avg))},
                                {"columns", columns_json(d.columns)}});
  return j;
}

}  // namespace vsr::eval
