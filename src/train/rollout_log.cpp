// rollouts.jsonl: GRPO's sampled completions with reward parts and advantages, appended per logged step.
#include "vsr/train/rollout_log.hpp"

#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"

#include <nlohmann/json.hpp>

#include <fstream>

namespace vsr::train {

std::string RolloutRecord::to_json_line() const {
  nlohmann::ordered_json j;
  j["step"] = step;
  j["id"] = id;
  j["question_type"] = question_type;
  j["ground_truth"] = ground_truth;
  j["index"] = index;
  j["completion"] = completion;
  j["answer"] = answer ? nlohmann::ordered_json(*answer) : nlohmann::ordered_json(nullptr);
  j["format_ok"] = format_ok;
  j["length"] = length;
  nlohmann::ordered_json parts = nlohmann::ordered_json::object();
  for (const auto& [name, value] : rewards) parts[name] = value;
  j["rewards"] = parts;
  j["reward"] = reward;
  j["advantage"] = advantage;
  if (kl_penalty) j["kl_penalty"] = *kl_penalty;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void append_rollouts(const std::filesystem::path& path, std::span<const RolloutRecord> records) {
  std::string text;
  for (const auto& r : records) text += r.to_json_line() + "\n";
  std::ofstream f(path, std::ios::binary | std::ios::app);
  f << text;
  f.flush();
  if (!f) fail(path.string(), "", "cannot append the rollouts (disk full or no permission?)");
}

void trim_rollouts_after(const std::filesystem::path& path, std::int64_t last_step) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return;
  const std::string text = read_file(path);
  std::string kept;
  std::size_t pos = 0, line_number = 0;
  while (pos < text.size()) {
    const auto nl = text.find('\n', pos);
    if (nl == std::string::npos) break;  // a torn last line
    const std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_number;
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("step") || !j["step"].is_number_integer()) {
      if (pos >= text.size()) break;  // the last line, torn by a kill
      fail(path.string(), "line " + std::to_string(line_number), "expected a rollout record with an integer step");
    }
    if (j["step"].get<std::int64_t>() <= last_step) kept += line + "\n";
  }
  if (kept.size() != text.size()) write_file_atomic(path, kept);
}

}  // namespace vsr::train
