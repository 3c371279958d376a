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
  if (!s.answer_type.empty()) j["answer_type"] = s.answer_type;
  if (!s.images.empty()) {
    j["images"] = nlohmann::json::array();
    for (const auto& image : s.images) j["images"].push_back(image.string());
  }
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

std::vector<std::string> string_list(const nlohmann::json& r, const char* key, const std::string& origin,
                                     const std::string& where) {
  std::vector<std::string> out;
  if (!r.contains(key) || r[key].is_null()) return out;
  require(r[key].is_array(), origin, where + "." + key, "expected an array of strings or null");
  for (const auto& v : r[key]) {
    require(v.is_string(), origin, where + "." + key, "expected strings, found " + quote(v.dump()));
    out.push_back(v.get<std::string>());
  }
  return out;
}

std::string answer_type_field(const nlohmann::json& r, const std::string& origin, const std::string& where) {
  const std::string type = text_field(r, "answer_type", origin, where, false);
  for (std::string_view known : kAnswerTypes)
    if (type == known) return type;
  fail(origin, where + ".answer_type", "expected \"number\", \"choice\" or \"text\", found " + quote(type));
}

/// A record of the generic QA format (docs/data.md): `answer` and `answer_type` instead of VSI-Bench's `ground_truth`
/// and `question_type`; a video, images or neither; relative media paths against `media_root`.
Sample generic_sample(const nlohmann::json& r, const std::filesystem::path& media_root, const std::string& origin,
                      const std::string& where) {
  Sample s;
  s.id = text_field(r, "id", origin, where, true);
  s.question = text_field(r, "question", origin, where, false);
  s.ground_truth = text_field(r, "answer", origin, where, true);
  s.answer_type = answer_type_field(r, origin, where);
  s.question_type = r.contains("task") ? text_field(r, "task", origin, where, false) : "qa";
  require(!s.question_type.empty(), origin, where + ".task", "expected a task name, found \"\"");
  s.dataset = r.contains("dataset") ? text_field(r, "dataset", origin, where, false) : "qa";
  if (r.contains("scene_name")) s.scene_name = text_field(r, "scene_name", origin, where, false);
  s.options = string_list(r, "options", origin, where);
  if (s.answer_type == "choice" && !s.options.empty() && s.ground_truth.size() != 1)
    fail(origin, where + ".answer", "expected an option letter for answer_type \"choice\" with options, found " +
                                        quote(s.ground_truth));
  if (s.answer_type != "choice" && !s.options.empty())
    fail(origin, where + ".options", "options need answer_type \"choice\", found " + quote(s.answer_type));
  auto resolve = [&](const std::string& path) {
    const std::filesystem::path p(path);
    return p.is_absolute() || media_root.empty() ? p : media_root / p;
  };
  if (r.contains("video") && !r["video"].is_null()) s.video = resolve(text_field(r, "video", origin, where, false));
  for (const auto& image : string_list(r, "images", origin, where)) s.images.push_back(resolve(image));
  if (r.contains("image") && !r["image"].is_null()) s.images.push_back(resolve(text_field(r, "image", origin, where, false)));
  require(s.video.empty() || s.images.empty(), origin, where + ".video",
          "expected a video or images, not both (one record shows one kind of picture)");
  if (r.contains("meta") && !r["meta"].is_null()) {
    require(r["meta"].is_object(), origin, where + ".meta", "expected a JSON object");
    s.meta = r["meta"];
  }
  return s;
}

}  // namespace

Sample sample_from_json(const nlohmann::json& r, const std::filesystem::path& video_root, const std::string& origin,
                        const std::string& where) {
  require(r.is_object(), origin, where, "expected a JSON object");
  if (r.contains("answer") && !r.contains("ground_truth")) {
    // Relative media paths of the generic format: against --video-root when given, else the records file's folder.
    const std::filesystem::path file(origin);
    return generic_sample(r, video_root.empty() && file.has_parent_path() ? file.parent_path() : video_root, origin,
                          where);
  }
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
  if (r.contains("pruned")) {  // VSI-Bench's test.jsonl marks the records VSI-Bench-Debiased drops
    require(r["pruned"].is_boolean(), origin, where + ".pruned", "expected true or false, found " + quote(r["pruned"].dump()));
    s.meta["pruned"] = r["pruned"];
  }
  // What sample_to_json writes for generic records, so they read back unchanged.
  if (r.contains("answer_type")) s.answer_type = answer_type_field(r, origin, where);
  for (const auto& image : string_list(r, "images", origin, where)) s.images.push_back(image);
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
