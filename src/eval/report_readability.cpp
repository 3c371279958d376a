// `vsr report`: how many answers of each run the benchmark's scorer cannot read (predictions.jsonl `readable`).
#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/eval/predictions.hpp"
#include "vsr/eval/report.hpp"
#include "vsr/eval/table.hpp"

#include <map>

namespace vsr::eval {

std::string readability_table(std::span<const RunInfo> runs) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& run : runs) {
    for (const auto& [mode, path] : run.prediction_files) {
      const std::string text = read_file(path);
      std::map<std::string, int> by_type;
      int answers = 0, unreadable = 0;
      std::size_t pos = 0, line = 0;
      while (pos < text.size()) {
        const auto end = std::min(text.find('\n', pos), text.size());
        const std::string where = "line " + std::to_string(++line);
        const auto j = nlohmann::json::parse(text.substr(pos, end - pos), nullptr, false);
        pos = end + 1;
        if (j.is_discarded()) fail(path.string(), where, "not valid JSON");
        const auto p = Prediction::from_json(j, path.string(), where);
        ++answers;
        if (!p.readable) {
          ++unreadable;
          ++by_type[p.question_type];
        }
      }
      std::string detail;
      for (const auto& [type, n] : by_type) detail += (detail.empty() ? "" : ", ") + type + " " + std::to_string(n);
      rows.push_back({run.label, mode, std::to_string(unreadable), std::to_string(answers), detail.empty() ? "-" : detail});
    }
  }
  if (rows.empty()) return {};
  return markdown_table({"Method", "Eval mode", "Unreadable", "Answers", "By task"}, rows);
}

}  // namespace vsr::eval
