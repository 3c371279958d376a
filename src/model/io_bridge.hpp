#pragma once
// Private to src/model: the one place where the model reads checkpoint files. SWAP POINT (io integration): when
// vsr::io::Checkpoint / vsr::runtime::to_tensor land, re-implement read_checkpoint() in io_bridge.cpp on top of them
// and drop the stand-in parsers there; nothing else in src/model touches files.

#include <ATen/core/Tensor.h>

#include <filesystem>
#include <map>
#include <string>

namespace vsr::model::detail {

/// One tensor of a checkpoint, in its stored dtype, with the file it came from (for error messages).
struct LoadedTensor {
  at::Tensor tensor;  ///< CPU tensor holding a copy of the stored bytes
  std::string file;   ///< path of the .safetensors file that holds it
};

/// Reads every tensor of a safetensors checkpoint: `path` is a .safetensors file or a folder holding
/// `model.safetensors` or sharded `*.safetensors` files. vsr::Error naming the file on a corrupt header.
std::map<std::string, LoadedTensor> read_checkpoint(const std::filesystem::path& path);

}  // namespace vsr::model::detail
