// The general video multiple-choice benchmark: records, prompt, letter extraction, accuracy.
#include "vsr/eval/mc.hpp"

#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/eval/answer_format.hpp"
#include "vsr/eval/table.hpp"

#include <fmt/format.h>

#include <map>
#include <set>
#include <sstream>

namespace vsr::eval {

namespace {

std::string text(const nlohmann::json& j, const char* key, const std::string& file, const std::string& where,
                 bool required, bool allow_number) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) fail(file, where + ": " + key, "missing field");
    return {};
  }
  if (it->is_string()) return it->get<std::string>();
  if (allow_number && it->is_number()) return it->dump();
  fail(file, where + ": " + key, std::string("expected a string, found ") + it->type_name());
}

McRecord parse(const nlohmann::json& j, const std::filesystem::path& root, const std::string& file,
               const std::string& where) {
  if (!j.is_object()) fail(file, where, std::string("expected a JSON object, found ") + j.type_name());
  McRecord r;
  r.id = text(j, "id", file, where, true, true);
  const std::filesystem::path video = text(j, "video", file, where, true, false);
  r.video = video.is_relative() && !root.empty() ? root / video : video;
  r.question = text(j, "question", file, where, true, false);
  const auto opts = j.find("options");
  if (opts == j.end() || !opts->is_array() || opts->empty() || opts->size() > 26)
    fail(file, where + ": options", "expected an array of 1 to 26 strings");
  for (const auto& o : *opts) {
    if (!o.is_string()) fail(file, where + ": options", std::string("expected strings, found ") + o.type_name());
    r.options.push_back(o.get<std::string>());
  }
  r.answer = trim(text(j, "answer", file, where, true, false));
  if (r.answer.size() != 1 || r.answer[0] < 'A' || r.answer[0] >= 'A' + static_cast<int>(r.options.size()))
    fail(file, where + ": answer",
         "expected one of the option letters A.." + std::string(1, static_cast<char>('A' + r.options.size() - 1)) +
             ", found " + quote(r.answer));
  r.category = text(j, "category", file, where, false, true);
  r.duration = text(j, "duration", file, where, false, true);
  return r;
}

bool alnum(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

}  // namespace

std::vector<McRecord> load_mc_records(const std::filesystem::path& path, const std::filesystem::path& video_root) {
  const std::string contents = read_file(path);
  const std::string file = path.string();
  std::vector<McRecord> out;
  const auto first = contents.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && contents[first] == '[') {
    const auto arr = nlohmann::json::parse(contents, nullptr, false);
    if (arr.is_discarded() || !arr.is_array()) fail(file, "", "not a valid JSON array");
    for (std::size_t i = 0; i < arr.size(); ++i) out.push_back(parse(arr[i], video_root, file, "record " + std::to_string(i)));
  } else {
    std::istringstream lines(contents);
    std::string line;
    int n = 0;
    while (std::getline(lines, line)) {
      ++n;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      const auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded()) fail(file, "line " + std::to_string(n), "not valid JSON");
      out.push_back(parse(j, video_root, file, "line " + std::to_string(n)));
    }
  }
  std::set<std::string> ids;
  for (const auto& r : out)
    if (!ids.insert(r.id).second) fail(file, "id", "repeated id " + quote(r.id));
  return out;
}

std::string mc_prompt_text(const McRecord& record) {
  std::string t = record.question;
  for (const auto& o : record.options) t += "\n" + o;
  t += "\n";
  t += kMcPostPrompt;
  return t;
}

std::optional<char> extract_choice_letter(std::string_view output, std::size_t option_count) {
  const char last = static_cast<char>('A' + std::min<std::size_t>(option_count, 26) - 1);
  for (std::size_t i = 0; i < output.size(); ++i) {
    const char c = output[i];
    if (c < 'A' || c > last) continue;
    if (i > 0 && alnum(output[i - 1])) continue;
    if (i + 1 < output.size() && alnum(output[i + 1])) continue;
    return c;
  }
  return std::nullopt;
}

Prediction mc_prediction(const McRecord& record, const std::string& output) {
  Prediction p;
  p.id = record.id;
  p.question_type = record.category;
  p.ground_truth = record.answer;
  p.output = output;
  const auto letter = extract_choice_letter(output, record.options.size());
  p.format_ok = letter.has_value();
  p.readable = letter.has_value();
  p.prediction = letter ? std::string(1, *letter) : trim(output);
  return p;
}

nlohmann::ordered_json mc_aggregate(std::span<const McRecord> records, std::span<const Prediction> predictions) {
  std::map<std::string, const Prediction*> by_id;
  for (const auto& p : predictions) by_id[p.id] = &p;
  struct Count { std::size_t n = 0, correct = 0; };
  Count all;
  std::map<std::string, Count> category, duration;
  for (const auto& r : records) {
    const auto it = by_id.find(r.id);
    if (it == by_id.end()) fail("<predictions>", "id " + quote(r.id), "the record has no prediction");
    const bool ok = it->second->prediction == r.answer;
    auto add = [ok](Count& c) { ++c.n; c.correct += ok ? 1 : 0; };
    add(all);
    if (!r.category.empty()) add(category[r.category]);
    if (!r.duration.empty()) add(duration[r.duration]);
  }
  if (all.n == 0) fail("<records>", "", "no records to score");
  auto acc = [](const Count& c) { return 100.0 * static_cast<double>(c.correct) / static_cast<double>(c.n); };
  nlohmann::ordered_json j;
  j["overall"] = acc(all);
  j["records"] = all.n;
  j["correct"] = all.correct;
  for (const auto* group : {"category", "duration"}) {
    const auto& m = std::string_view(group) == "category" ? category : duration;
    if (m.empty()) continue;
    nlohmann::ordered_json g = nlohmann::ordered_json::object();
    for (const auto& [name, c] : m) g[name] = {{"accuracy", acc(c)}, {"records", c.n}};
    j[group] = g;
  }
  return j;
}

std::string mc_table(const nlohmann::json& aggregate, bool markdown) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"overall", std::to_string(aggregate.at("records").get<std::size_t>()),
                  fmt::format("{:.1f}", aggregate.at("overall").get<double>())});
  for (const auto* group : {"category", "duration"}) {
    const auto it = aggregate.find(group);
    if (it == aggregate.end()) continue;
    for (const auto& [name, v] : it->items())
      rows.push_back({std::string(group) + ": " + name, std::to_string(v.at("records").get<std::size_t>()),
                      fmt::format("{:.1f}", v.at("accuracy").get<double>())});
  }
  const std::vector<std::string> headings{"Split", "Records", "Accuracy"};
  return markdown ? markdown_table(headings, rows) : plain_table(headings, rows);
}

}  // namespace vsr::eval
