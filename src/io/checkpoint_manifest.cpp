// manifest.json of a training checkpoint: sizes and SHA-256 of its files, the step, the configuration hash.
#include "vsr/io/checkpoint_manifest.hpp"

#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/core/sha256.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <set>

#include "json_strict.hpp"

namespace vsr::io {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kFormat = "vsr-checkpoint-manifest";

bool is_hex_digest(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

/// A relative path that stays inside the folder: no empty, "." or ".." component, not absolute.
bool is_inner_path(const std::string& p) {
  if (p.empty() || p.front() == '/') return false;
  std::size_t start = 0;
  while (start <= p.size()) {
    const auto end = std::min(p.find('/', start), p.size());
    const std::string_view part(p.data() + start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

/// Whether `s` is a name Config writes: letters, digits, '_', '-' and dots between non-empty parts (anything else is
/// not a configuration key).
bool is_config_name(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.' || s.find("..") != std::string_view::npos) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
           c == '.';
  });
}

/// `section.key` -> value of an INI text (top-level keys have no section prefix), in key order. Lines whose key or
/// section is not a name Config writes are ignored, so that what resume_config writes reads back to the same keys.
std::map<std::string, std::string> ini_values(std::string_view text) {
  std::map<std::string, std::string> values;
  std::string section;
  bool section_ok = true;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = std::min(text.find('\n', start), text.size());
    const std::string_view line = trim(text.substr(start, end - start));
    start = end + 1;
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      const std::string_view name = trim(line.substr(1, line.size() - 2));
      section_ok = name.empty() || is_config_name(name);
      section = std::string(name);
      continue;
    }
    const auto eq = line.find('=');
    if (eq == std::string_view::npos || !section_ok) continue;
    const std::string key(trim(line.substr(0, eq)));
    if (!is_config_name(key)) continue;
    values[section.empty() ? key : section + "." + key] = std::string(trim(line.substr(eq + 1)));
  }
  return values;
}

/// Keys a resume may change without changing what the steps compute.
bool is_volatile(const std::string& key, const std::map<std::string, std::string>& values) {
  // Paths may differ between a run and its resume (a requeued job stages data elsewhere): the trainer adds what they
  // hold (the records' ids, the model's config) as a [fingerprint] section instead (train::Session).
  static const std::set<std::string> kKeys = {
      "model", "tokenizer", "train", "video-root", "init-adapter",
      "out",  "resume", "resume-force", "eval", "skip-invalid", "train.checkpoint_every", "train.keep_checkpoints",
      "train.eval_every", "train.early_stop_patience", "train.crash_after_step", "runtime.threads", "runtime.collective_timeout_s",
      "video.cache_videos", "video.decoder_threads", "grpo.log_rollouts_every"};
  if (kKeys.count(key) || key.rfind("eval.", 0) == 0) return true;
  // A longer (or shorter) run changes nothing already trained while the learning rate does not depend on the
  // total: only under the constant schedule.
  if (key == "train.steps") {
    const auto schedule = values.find("train.schedule");
    return schedule == values.end() || schedule->second == "constant";
  }
  return false;
}

}  // namespace

nlohmann::json CheckpointManifest::to_json() const {
  nlohmann::json files_json = nlohmann::json::array();
  for (const auto& f : files) files_json.push_back({{"path", f.path}, {"bytes", f.bytes}, {"sha256", f.sha256}});
  return {{"format", kFormat}, {"version", 1}, {"step", step}, {"config_sha256", config_sha256},
          {"files", files_json}};
}

CheckpointManifest CheckpointManifest::from_json(std::string_view text, const std::string& origin) {
  const auto j = detail::parse_json_strict(text, origin, "");
  require(j.is_object(), origin, "", "expected a JSON object");
  require(j.contains("format") && j["format"].is_string() && j["format"].get<std::string>() == kFormat, origin, "format", "expected \"vsr-checkpoint-manifest\"");
  require(j.contains("version") && j["version"].is_number_integer() && j["version"].get<std::int64_t>() == 1, origin, "version", "expected 1");
  CheckpointManifest m;
  require(j.contains("step") && j["step"].is_number_integer() && j["step"].get<std::int64_t>() >= 0, origin, "step",
          "expected an integer >= 0");
  m.step = j["step"].get<std::int64_t>();
  require(j.contains("config_sha256") && j["config_sha256"].is_string() &&
              is_hex_digest(j["config_sha256"].get<std::string>()),
          origin, "config_sha256", "expected 64 lower-case hex digits");
  m.config_sha256 = j["config_sha256"].get<std::string>();
  require(j.contains("files") && j["files"].is_array(), origin, "files", "expected an array");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < j["files"].size(); ++i) {
    const auto& f = j["files"][i];
    const std::string where = "files[" + std::to_string(i) + "]";
    require(f.is_object(), origin, where, "expected an object with path, bytes and sha256");
    require(f.contains("path") && f["path"].is_string() && is_inner_path(f["path"].get<std::string>()), origin,
            where + ".path", "expected a relative path inside the checkpoint folder");
    require(f.contains("bytes") && f["bytes"].is_number_unsigned(), origin, where + ".bytes",
            "expected an integer >= 0");
    require(f.contains("sha256") && f["sha256"].is_string() && is_hex_digest(f["sha256"].get<std::string>()), origin,
            where + ".sha256", "expected 64 lower-case hex digits");
    ManifestFile file{f["path"].get<std::string>(), f["bytes"].get<std::uint64_t>(), f["sha256"].get<std::string>()};
    require(seen.insert(file.path).second, origin, where + ".path", "names " + quote(file.path) + " twice");
    m.files.push_back(std::move(file));
  }
  return m;
}

std::string sha256_file(const fs::path& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) fail(path.string(), "", fs::exists(path) ? "cannot read file" : "no such file");
  Sha256 hash;
  std::array<char, 1 << 16> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), f)) > 0) hash.update(buffer.data(), n);
  const bool error = std::ferror(f) != 0;
  std::fclose(f);
  if (error) fail(path.string(), "", "read error");
  return hash.hex_digest();
}

CheckpointManifest describe_folder(const fs::path& dir, std::int64_t step, std::string config_sha256) {
  CheckpointManifest m;
  m.step = step;
  m.config_sha256 = std::move(config_sha256);
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const std::string rel = fs::relative(entry.path(), dir).generic_string();
    if (rel == CheckpointManifest::kFileName) continue;
    m.files.push_back({rel, static_cast<std::uint64_t>(entry.file_size()), sha256_file(entry.path())});
  }
  std::sort(m.files.begin(), m.files.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  return m;
}

void write_manifest(const fs::path& dir, const CheckpointManifest& manifest) {
  write_file_atomic(dir / CheckpointManifest::kFileName, manifest.to_json().dump(2) + "\n");
}

CheckpointManifest read_manifest(const fs::path& dir) {
  const fs::path file = dir / CheckpointManifest::kFileName;
  return CheckpointManifest::from_json(read_file(file), file.string());
}

std::optional<std::string> verify_folder(const fs::path& dir) {
  if (!fs::exists(dir / CheckpointManifest::kFileName)) return std::string(CheckpointManifest::kFileName) + ": no such file";
  CheckpointManifest m;
  try {
    m = read_manifest(dir);
  } catch (const Error& e) {
    return std::string(e.what());
  }
  for (const auto& f : m.files) {
    const fs::path path = dir / f.path;
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) return f.path + ": missing";
    const auto size = fs::file_size(path, ec);
    if (ec) return f.path + ": cannot read its size";
    if (size != f.bytes)
      return f.path + ": " + std::to_string(size) + " bytes, the manifest says " + std::to_string(f.bytes);
    try {
      if (sha256_file(path) != f.sha256) return f.path + ": SHA-256 differs from the manifest";
    } catch (const Error& e) {
      return std::string(e.what());
    }
  }
  return std::nullopt;
}

std::string resume_config(std::string_view resolved_ini) {
  const auto values = ini_values(resolved_ini);
  std::string top, sections, section;
  for (const auto& [key, value] : values) {
    if (is_volatile(key, values)) continue;
    const auto dot = key.find('.');
    if (dot == std::string::npos) {
      top += key + " = " + value + "\n";
      continue;
    }
    if (key.compare(0, dot, section) != 0 || section.size() != dot) {
      section = key.substr(0, dot);
      sections += "\n[" + section + "]\n";
    }
    sections += key.substr(dot + 1) + " = " + value + "\n";
  }
  return top + sections;
}

std::vector<std::string> config_differences(std::string_view before, std::string_view after) {
  const auto a = ini_values(before), b = ini_values(after);
  std::set<std::string> keys;
  for (const auto& [k, v] : a) keys.insert(k);
  for (const auto& [k, v] : b) keys.insert(k);
  std::vector<std::string> out;
  for (const auto& k : keys) {
    const auto x = a.find(k), y = b.find(k);
    const std::string vx = x == a.end() ? "(absent)" : x->second, vy = y == b.end() ? "(absent)" : y->second;
    if (vx != vy) out.push_back(k + ": " + vx + " -> " + vy);
  }
  return out;
}

}  // namespace vsr::io
