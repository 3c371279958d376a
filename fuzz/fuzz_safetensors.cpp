// libFuzzer target: safetensors files (SafetensorsFile::open) and checkpoint index files (Checkpoint::open on a
// folder whose model.safetensors.index.json is the input, beside one valid shard "a.safetensors" holding "t").
#include "fuzz_support.hpp"
#include "vsr/io/safetensors.hpp"

#include <cstring>

namespace {

using namespace vsr;

/// Reads every byte of every tensor (so a view past the mapping is an ASan report) and checks the size rules.
void touch(const io::TensorView& t) {
  std::int64_t numel = 1;
  for (auto d : t.shape) {
    fuzz::check(d >= 0, "negative dimension accepted", t.name);
    numel *= d;
  }
  fuzz::check(numel == t.numel(), "numel() differs from the shape's product", t.name);
  fuzz::check(t.nbytes == static_cast<std::size_t>(numel) * io::dtype_size(t.dtype), "nbytes != numel * dtype size",
              t.name);
  volatile std::uint8_t sum = 0;
  for (std::size_t i = 0; i < t.nbytes; ++i) sum = sum + static_cast<std::uint8_t>(t.data[i]);
}

const std::filesystem::path& index_folder() {
  static const std::filesystem::path dir = [] {
    auto d = fuzz::scratch_dir() / "index";
    std::filesystem::create_directories(d);
    io::SafetensorsWriter w;
    const float value = 1.5f;
    w.add("t", io::DType::F32, {1}, std::as_bytes(std::span(&value, 1)));
    w.write(d / "a.safetensors");
    return d;
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto bytes = fuzz::as_text(data, size);
  const auto file = fuzz::write_bytes(fuzz::scratch_dir() / "input.safetensors", bytes);
  fuzz::expect_vsr_errors([&] {
    const auto f = io::SafetensorsFile::open(file);
    std::uint64_t total = 0;
    for (const auto& t : f.tensors()) {
      touch(t);
      total += t.nbytes;
      fuzz::check(f.contains(t.name) && &f.tensor(t.name) != nullptr, "listed tensor not found", t.name);
    }
    fuzz::check(total == f.data_size(), "data_size() != sum of nbytes");
    fuzz::check(8 + f.header_size() + f.data_size() == bytes.size(), "file size != 8 + header + data");
  });
  fuzz::write_bytes(index_folder() / "model.safetensors.index.json", bytes);
  fuzz::expect_vsr_errors([&] {
    const auto c = io::Checkpoint::open(index_folder());
    for (const auto& name : c.names()) touch(c.tensor(name));
  });
  return 0;
}
