// Question records as JSON / JSON lines: the builder's output and VSI-Bench's release files.
#include "vsr/data/records.hpp"

#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"

#include <sstream>

namespace vsr::data {

nlohmann::json sample_to_json(const Sample& s) {
  nlohmann::json j;
  j["id"] = s.id;
  j["dataset"] = s.dataset;
  j["scene_name"] = s.scene_name;
  j["question_type"] = s.question_type;
  j["question"] = s.question;
  j["options"] = s.options;
  j["ground_truth"] = s.ground_truth;
  j["video"] = s.video.string();
  j["meta"] = s.meta;
  return j;
}

namespace {

std::string text_field(const nlohmann::json& r, const char* key, const std::string& origin, const std::string& where,
                       bool allow_number) {
  require(r.contains(key), origin, where + "." + key, "missing");
  const auto& v = r[key];
  if (v.is_string()) return v.get<std::string>();
  if (allow_number && v.is_number_integer()) return std::to_string(v.get<long long>());
  if (allow_number && v.is_number()) return v.dump();
  fail(origin, where + "." + key, std::string("expected a string") + (allow_number ? " or a number" : "") +
                                      ", found " + quote(v.dump()));
}

}  // namespace

Sample sample_from_json(const nlohmann::json& r, const std::filesystem::path& video_root, const std::string& origin,
                        const std::string& where) {
  require(r.is_object(), origin, where, "expected a JSON object");
  Sample s;
  s.id = text_field(r, "id", origin, where, true);
  s.dataset = text_field(r, "dataset", origin, where, false);
  s.scene_name = text_field(r, "scene_name", origin, where, false);
  s.question_type = text_field(r, "question_type", origin, where, false);
  s.question = text_field(r, "question", origin, where, false);
  s.ground_truth = text_field(r, "ground_truth", origin, where, true);
  if (r.contains("options") && !r["options"].is_null()) {
    require(r["options"].is_array(), origin, where + ".options", "expected an array or null");
    for (const auto& o : r["options"]) {
      require(o.is_string(), origin, where + ".options", "expected strings, found " + quote(o.dump()));
      s.options.push_back(o.get<std::string>());
    }
  }
  if (r.contains("video") && r["video"].is_string())
    s.video = r["video"].get<std::string>();
  else
    s.video = video_root / s.dataset / (s.scene_name + ".mp4");
  if (r.contains("meta") && r["meta"].is_object()) s.meta = r["meta"];
  return s;
}

std::vector<Sample> read_samples(const std::filesystem::path& path, const std::filesystem::path& video_root) {
  const std::string text = read_file(path);
  const std::string origin = path.string();
  std::vector<Sample> out;
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '[') {
    const nlohmann::json arr = nlohmann::json::parse(text, nullptr, false);
    require(!arr.is_discarded() && arr.is_array(), origin, "", "not a valid JSON array");
    for (std::size_t i = 0; i < arr.size(); ++i)
      out.push_back(sample_from_json(arr[i], video_root, origin, "record " + std::to_string(i)));
    require(!out.empty(), origin, "", "no records (expected a JSON array of question records)");
    return out;
  }
  std::istringstream lines(text);
  std::string line;
  int line_no = 0;
  while (std::getline(lines, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const nlohmann::json r = nlohmann::json::parse(line, nullptr, false);
    require(!r.is_discarded(), origin, "line " + std::to_string(line_no), "not valid JSON");
    out.push_back(sample_from_json(r, video_root, origin, "line " + std::to_string(line_no)));
  }
  require(!out.empty(), origin, "", "no records (expected JSON lines, one question record per line)");
  return out;
}

void write_samples(const std::filesystem::path& path, const std::vector<Sample>& samples) {
  std::string text;
  for (const auto& s : samples) text += sample_to_json(s).dump() + "\n";
  write_file_atomic(path, text);
}

std::map<std::string, std::size_t> count_by_type(const std::vector<Sample>& samples) {
  std::map<std::string, std::size_t> counts;
  for (const auto& s : samples) ++counts[s.question_type];
  return counts;
}

}  // namespace vsr::data
