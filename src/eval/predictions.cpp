// predictions.jsonl: written a batch at a time, read back for resuming (a torn last line is dropped).
#include "vsr/eval/predictions.hpp"

#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"

#include <fstream>

namespace vsr::eval {

nlohmann::ordered_json Prediction::to_json() const {
  nlohmann::ordered_json j;
  j["id"] = id;
  j["question_type"] = question_type;
  j["ground_truth"] = ground_truth;
  j["prediction"] = prediction;
  j["output"] = output;
  j["format_ok"] = format_ok;
  j["readable"] = readable;
  return j;
}

namespace {

std::string string_field(const nlohmann::json& j, const char* key, const std::string& file, const std::string& where,
                         bool allow_number = false) {
  const auto it = j.find(key);
  if (it == j.end()) fail(file, where + ": " + key, "missing field");
  if (it->is_string()) return it->get<std::string>();
  if (allow_number && it->is_number()) return it->dump();
  fail(file, where + ": " + key, std::string("expected a string, found ") + it->type_name());
}

}  // namespace

Prediction Prediction::from_json(const nlohmann::json& j, const std::string& file, const std::string& where) {
  if (!j.is_object()) fail(file, where, std::string("expected a JSON object, found ") + j.type_name());
  Prediction p;
  p.id = string_field(j, "id", file, where, true);
  p.question_type = string_field(j, "question_type", file, where);
  p.ground_truth = string_field(j, "ground_truth", file, where, true);
  p.prediction = string_field(j, "prediction", file, where);
  p.output = string_field(j, "output", file, where);
  const auto ok = j.find("format_ok");
  if (ok == j.end()) fail(file, where + ": format_ok", "missing field");
  if (!ok->is_boolean()) fail(file, where + ": format_ok", std::string("expected true or false, found ") + ok->type_name());
  p.format_ok = ok->get<bool>();
  const auto readable = j.find("readable");
  if (readable != j.end()) {
    if (!readable->is_boolean())
      fail(file, where + ": readable", std::string("expected true or false, found ") + readable->type_name());
    p.readable = readable->get<bool>();
  }
  return p;
}

std::vector<Prediction> load_predictions_for_resume(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return {};
  const std::string text = read_file(path);
  const std::string file = path.string();
  std::vector<Prediction> out;
  std::size_t pos = 0, line_no = 0, kept_end = 0;
  bool dropped = false;
  while (pos < text.size()) {
    ++line_no;
    const auto nl = text.find('\n', pos);
    const bool terminated = nl != std::string::npos;
    const std::string line = text.substr(pos, terminated ? nl - pos : std::string::npos);
    const std::size_t next = terminated ? nl + 1 : text.size();
    const bool last = next >= text.size();
    if (line.find_first_not_of(" \t\r") == std::string::npos) {
      pos = next;
      if (terminated) kept_end = next;
      continue;
    }
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (last && (!terminated || j.is_discarded())) {  // torn by an interrupted write
      dropped = true;
      break;
    }
    if (j.is_discarded()) fail(file, "line " + std::to_string(line_no), "not valid JSON");
    out.push_back(Prediction::from_json(j, file, "line " + std::to_string(line_no)));
    kept_end = next;
    pos = next;
  }
  if (dropped) write_file_atomic(path, std::string_view(text).substr(0, kept_end));
  return out;
}

void append_predictions(const std::filesystem::path& path, std::span<const Prediction> predictions) {
  std::string text;
  for (const auto& p : predictions) text += p.to_json().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::ofstream f(path, std::ios::binary | std::ios::app);
  if (!f) fail(path.string(), "", "cannot open for appending");
  f.write(text.data(), static_cast<std::streamsize>(text.size()));
  f.flush();
  if (!f) fail(path.string(), "", "write failed");
}

}  // namespace vsr::eval
