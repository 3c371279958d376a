// Atomic training checkpoints: adapter, optimizer, trainer state and generators.
#include "vsr/train/checkpoint.hpp"

#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/core/sha256.hpp"
#include "vsr/io/checkpoint_manifest.hpp"
#include "vsr/runtime/tensor_io.hpp"
#include "vsr/train/adamw.hpp"
#include "vsr/train/lora.hpp"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include <algorithm>
#include <exception>

namespace vsr::train {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kPrefix = "step-";

std::vector<fs::path> complete_checkpoints(const fs::path& dir) {
  std::vector<fs::path> found;
  if (!fs::is_directory(dir)) return found;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory() && name.rfind(kPrefix, 0) == 0 && fs::exists(entry.path() / "trainer_state.json"))
      found.push_back(entry.path());
  }
  std::sort(found.begin(), found.end());
  return found;
}

std::string sha256_text(std::string_view text) {
  Sha256 hash;
  hash.update(text.data(), text.size());
  return hash.hex_digest();
}

/// Writes every file of checkpoint `state.step` into `tmp`, the manifest last.
void write_checkpoint_files(const fs::path& tmp, const LoraAdapters& adapters, const AdamW& optimizer,
                            const TrainState& state, const RngStates& rng, std::string_view config_text) {
  adapters.save_adapter(tmp, io::DType::F32);
  optimizer.save(tmp / "optimizer.safetensors");
  std::vector<std::pair<std::string, at::Tensor>> states;
  if (rng.sampling) states.emplace_back("sampling", rng.sampling->get_state());
  if (rng.include_default_cpu) states.emplace_back("default_cpu", at::detail::getDefaultCPUGenerator().get_state());
  save_safetensors(tmp / "rng.safetensors", states);
  const nlohmann::json j = {{"step", state.step},
                            {"data_epoch", state.data.epoch},
                            {"data_offset", state.data.offset},
                            {"extra", state.extra},
                            {"world_size", state.world_size}};
  write_file_atomic(tmp / "trainer_state.json", j.dump(2) + "\n");
  write_file_atomic(tmp / "config.ini", config_text);
  io::write_manifest(tmp, io::describe_folder(tmp, state.step, sha256_text(config_text)));
}

}  // namespace

fs::path save_checkpoint(const fs::path& run_dir, const LoraAdapters& adapters, const AdamW& optimizer,
                         const TrainState& state, const RngStates& rng, std::int64_t keep,
                         std::string_view config_text) {
  const fs::path root = run_dir / "checkpoints";
  const std::string name = fmt::format("{}{:08d}", kPrefix, state.step);
  const fs::path tmp = root / (".tmp-" + name), final_dir = root / name;
  std::error_code ec;
  fs::remove_all(tmp, ec);
  try {
    fs::create_directories(tmp);
    write_checkpoint_files(tmp, adapters, optimizer, state, rng, config_text);
  } catch (const std::exception& e) {
    fs::remove_all(tmp, ec);
    const auto kept = complete_checkpoints(root);
    std::string why = e.what();
    why.resize(std::min(why.size(), why.find('\n')));  // one line, whatever threw
    fail(final_dir.string(), "",
         "checkpoint not written (" + why + "); " +
             (kept.empty() ? std::string("no earlier checkpoint exists")
                           : "the previous checkpoint " + kept.back().filename().string() + " is intact"));
  }
  fs::remove_all(final_dir);
  fs::rename(tmp, final_dir, ec);
  if (ec) fail(final_dir.string(), "", "could not rename the checkpoint into place: " + ec.message());
  auto all = complete_checkpoints(root);
  while (static_cast<std::int64_t>(all.size()) > std::max<std::int64_t>(keep, 1)) {
    fs::remove_all(all.front());
    all.erase(all.begin());
  }
  return final_dir;
}

std::optional<fs::path> latest_checkpoint(const fs::path& run_dir) {
  const fs::path root = run_dir / "checkpoints";
  if (!fs::is_directory(root)) return std::nullopt;
  std::error_code ec;  // ranks of one job may clear the same leftovers at once
  for (const auto& entry : fs::directory_iterator(root, ec))
    if (entry.path().filename().string().rfind(".tmp-", 0) == 0) fs::remove_all(entry.path(), ec);
  auto all = complete_checkpoints(root);
  if (all.empty()) return std::nullopt;
  return all.back();
}

namespace {

/// The files a checkpoint's manifest must list: what load_checkpoint reads and the configuration.
constexpr std::string_view kRequiredFiles[] = {"adapter_config.json", "adapter_model.safetensors", "config.ini",
                                               "optimizer.safetensors", "rng.safetensors", "trainer_state.json"};

/// Why `dir` cannot be resumed from (its manifest's verdict, then the manifest's own consistency), or nullopt.
std::optional<std::string> checkpoint_problem(const fs::path& dir) {
  if (auto problem = io::verify_folder(dir)) return problem;
  const auto manifest = io::read_manifest(dir);
  if (fmt::format("{}{:08d}", kPrefix, manifest.step) != dir.filename().string())
    return "manifest.json: step " + std::to_string(manifest.step) + " does not match the folder name";
  for (std::string_view required : kRequiredFiles) {
    const bool listed = std::any_of(manifest.files.begin(), manifest.files.end(),
                                    [&](const io::ManifestFile& f) { return f.path == required; });
    if (!listed) return "manifest.json: does not list " + std::string(required);
  }
  return std::nullopt;
}

}  // namespace

std::optional<ResumePoint> choose_resume_checkpoint(const fs::path& run_dir, std::string_view config_text,
                                                    bool force, bool set_aside_damaged) {
  if (!latest_checkpoint(run_dir)) return std::nullopt;  // also clears a crash's .tmp-* folders
  auto all = complete_checkpoints(run_dir / "checkpoints");
  ResumePoint point;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(run_dir / "checkpoints", ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory() && name.rfind(kPrefix, 0) == 0 && !fs::exists(entry.path() / "trainer_state.json"))
      point.warnings.push_back("checkpoint folder " + name + " has no trainer_state.json (not a complete checkpoint): "
                               "ignored");
  }
  std::string damaged;
  bool verified = true;
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    const std::string name = it->filename().string();
    if (!fs::exists(*it / io::CheckpointManifest::kFileName)) {  // written before checkpoints had manifests
      point.warnings.push_back("checkpoint " + name +
                               " has no manifest.json (written by an older vsr): resuming from it unverified");
      point.checkpoint = *it;
      verified = false;
      break;
    }
    if (const auto problem = checkpoint_problem(*it)) {
      std::string note = "checkpoint " + name + " is damaged (" + *problem + ")";
      if (set_aside_damaged) {  // so that pruning and later resumes never count it as a checkpoint again
        fs::rename(*it, it->parent_path() / ("damaged-" + name), ec);
        note += ec ? "; skipped" : "; set aside as damaged-" + name;
      } else {
        note += "; skipped";
      }
      point.warnings.push_back(note);
      damaged += (damaged.empty() ? "" : "; ") + name + ": " + *problem;
      continue;
    }
    point.checkpoint = *it;
    break;
  }
  if (point.checkpoint.empty())
    fail((run_dir / "checkpoints").string(), "", "no intact checkpoint to resume from (" + damaged + ")");
  if (!verified) return point;
  const auto manifest = io::read_manifest(point.checkpoint);
  if (manifest.config_sha256 != sha256_text(config_text)) {
    const auto changes = io::config_differences(read_file(point.checkpoint / "config.ini"), config_text);
    std::string list;
    for (const auto& c : changes) list += (list.empty() ? "" : "; ") + c;
    if (!force)
      fail((point.checkpoint / "config.ini").string(), "",
           "the checkpoint was written with another configuration (" + list +
               "): resume with the same settings, or pass --resume-force to continue with the new ones");
    point.warnings.push_back("resuming " + point.checkpoint.filename().string() +
                             " with a changed configuration (--resume-force): " + list);
  }
  return point;
}

TrainState load_checkpoint(const fs::path& checkpoint, LoraAdapters& adapters, AdamW& optimizer,
                           const RngStates& rng) {
  const fs::path state_file = checkpoint / "trainer_state.json";
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_file(state_file));
  } catch (const nlohmann::json::exception& e) {
    fail(state_file.string(), "", std::string("not valid JSON: ") + e.what());
  }
  TrainState state;
  try {
    state.step = j.at("step").get<std::int64_t>();
    state.data.epoch = j.at("data_epoch").get<std::int64_t>();
    state.data.offset = j.at("data_offset").get<std::int64_t>();
    state.extra = j.value("extra", nlohmann::json::object());
    state.world_size = j.value("world_size", std::int64_t{1});
  } catch (const nlohmann::json::exception&) {
    fail(state_file.string(), "step", "expected integer step, data_epoch and data_offset");
  }
  adapters.load_adapter(checkpoint);
  optimizer.load(checkpoint / "optimizer.safetensors");
  const auto states = load_safetensors(checkpoint / "rng.safetensors");
  if (rng.sampling) {
    const auto it = states.find("sampling");
    if (it == states.end()) fail((checkpoint / "rng.safetensors").string(), "sampling", "missing generator state");
    rng.sampling->set_state(it->second);
  }
  if (rng.include_default_cpu) {
    const auto it = states.find("default_cpu");
    if (it == states.end()) fail((checkpoint / "rng.safetensors").string(), "default_cpu", "missing generator state");
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(it->second);
  }
  return state;
}

}  // namespace vsr::train
