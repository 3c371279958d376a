// Reading VSI-Bench records (JSON array or JSONL) with errors that name the file, the line and the field.
#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/eval/vsibench.hpp"

namespace vsr::eval {

namespace {

std::string type_name(const nlohmann::json& j) { return j.type_name(); }

std::string required_string(const nlohmann::json& j, const char* key, std::string_view file, const std::string& where) {
  const auto it = j.find(key);
  if (it == j.end()) fail(file, where + ": " + key, "missing field");
  if (!it->is_string()) fail(file, where + ": " + key, "expected a string, found " + type_name(*it));
  return it->get<std::string>();
}

std::string optional_string(const nlohmann::json& j, const char* key, std::string_view file, const std::string& where) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return {};
  if (!it->is_string()) fail(file, where + ": " + key, "expected a string or null, found " + type_name(*it));
  return it->get<std::string>();
}

}  // namespace

VsiRecord parse_vsi_record(const nlohmann::json& j, std::string_view file, std::string_view where_view) {
  const std::string where(where_view);
  if (!j.is_object()) fail(file, where, "expected a JSON object (a VSI-Bench record), found " + type_name(j));
  VsiRecord r;
  const auto id = j.find("id");
  if (id == j.end()) fail(file, where + ": id", "missing field");
  if (id->is_string()) {
    r.id = id->get<std::string>();
  } else if (id->is_number()) {
    r.id = id->dump();
    r.numeric_id = true;
  } else {
    fail(file, where + ": id", "expected a number or a string, found " + type_name(*id));
  }
  r.dataset = optional_string(j, "dataset", file, where);
  r.scene_name = optional_string(j, "scene_name", file, where);
  r.question_type = required_string(j, "question_type", file, where);
  r.question = required_string(j, "question", file, where);
  if (const auto opts = j.find("options"); opts != j.end() && !opts->is_null()) {
    if (!opts->is_array()) fail(file, where + ": options", "expected a list of strings or null, found " + type_name(*opts));
    for (std::size_t i = 0; i < opts->size(); ++i) {
      const auto& o = (*opts)[i];
      if (!o.is_string())
        fail(file, where + ": options[" + std::to_string(i) + "]", "expected a string, found " + type_name(o));
      r.options.push_back(o.get<std::string>());
    }
  }
  const auto gt = j.find("ground_truth");
  if (gt == j.end()) fail(file, where + ": ground_truth", "missing field");
  if (gt->is_string()) {
    r.ground_truth = gt->get<std::string>();
  } else if (gt->is_number()) {
    r.ground_truth = gt->dump();
  } else {
    fail(file, where + ": ground_truth", "expected a string or a number, found " + type_name(*gt));
  }
  if (const auto p = j.find("prediction"); p != j.end() && !p->is_null()) {
    if (!p->is_string()) fail(file, where + ": prediction", "expected a string or null, found " + type_name(*p));
    r.prediction = p->get<std::string>();
  }
  static constexpr const char* kKnown[] = {"id",      "dataset",  "scene_name",   "question_type",
                                           "question", "options", "ground_truth", "prediction"};
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (const char* k : kKnown) known = known || key == k;
    if (!known) r.extra[key] = value;
  }
  return r;
}

std::vector<VsiRecord> load_vsi_records(const std::filesystem::path& path) {
  const std::string file = path.string();
  const std::string text = read_file(path);
  std::vector<VsiRecord> records;
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '[') {
    nlohmann::json doc;
    try {
      doc = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
      fail(file, "byte " + std::to_string(e.byte), std::string("invalid JSON: ") + e.what());
    } catch (const nlohmann::json::out_of_range& e) {  // 406: a number beyond double's range ("1e999")
      fail(file, "", std::string("invalid JSON: ") + e.what());
    }
    for (std::size_t i = 0; i < doc.size(); ++i) records.push_back(parse_vsi_record(doc[i], file, "record " + std::to_string(i)));
    return records;
  }
  std::size_t pos = 0, line_no = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    const std::string where = "line " + std::to_string(line_no);
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::parse_error& e) {
      fail(file, where, std::string("invalid JSON: ") + e.what());
    } catch (const nlohmann::json::out_of_range& e) {  // 406: a number beyond double's range ("1e999")
      fail(file, where, std::string("invalid JSON: ") + e.what());
    }
    records.push_back(parse_vsi_record(j, file, where));
  }
  return records;
}

}  // namespace vsr::eval
