// Atomic training checkpoints: adapter, optimizer, trainer state and generators.
#include "vsr/train/checkpoint.hpp"

#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/runtime/tensor_io.hpp"
#include "vsr/train/adamw.hpp"
#include "vsr/train/lora.hpp"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include <algorithm>

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

}  // namespace

fs::path save_checkpoint(const fs::path& run_dir, const LoraAdapters& adapters, const AdamW& optimizer,
                         const TrainState& state, const RngStates& rng, std::int64_t keep) {
  const fs::path root = run_dir / "checkpoints";
  const std::string name = fmt::format("{}{:08d}", kPrefix, state.step);
  const fs::path tmp = root / (".tmp-" + name), final_dir = root / name;
  fs::remove_all(tmp);
  fs::create_directories(tmp);
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
  fs::remove_all(final_dir);
  std::error_code ec;
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
  for (const auto& entry : fs::directory_iterator(root))
    if (entry.path().filename().string().rfind(".tmp-", 0) == 0) fs::remove_all(entry.path());
  auto all = complete_checkpoints(root);
  if (all.empty()) return std::nullopt;
  return all.back();
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
