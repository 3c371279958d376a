#pragma once
/// @file
/// LibTorch adapter of the torch-free safetensors reader/writer (vsr/io/safetensors.hpp): tensors are copied out of
/// the memory mapping into at::Tensor (optionally converted, e.g. BF16 checkpoints upcast exactly to float32) and
/// at::Tensor lists are saved as safetensors files.

#include "vsr/io/safetensors.hpp"

#include <ATen/core/Tensor.h>
#include <c10/core/ScalarType.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace vsr {

/// The LibTorch scalar type of a safetensors dtype (BF16 -> kBFloat16, BOOL -> kBool, ...).
at::ScalarType to_scalar_type(io::DType dtype);

/// The safetensors dtype of a LibTorch scalar type; vsr::Error for types safetensors has no name for in vsr
/// (complex, quantized, ...).
io::DType to_dtype(at::ScalarType type);

/// A CPU tensor holding a copy of `view` (the mapping may be closed afterwards), converted to `as` when given:
/// BF16/F16 -> float32 is exact. BOOL data must be 0/1 bytes (vsr::Error naming the tensor otherwise).
at::Tensor to_tensor(const io::TensorView& view, std::optional<at::ScalarType> as = {});

/// Every tensor of a .safetensors file or Hugging Face checkpoint folder (io::Checkpoint::open), in its stored dtype.
std::map<std::string, at::Tensor> load_safetensors(const std::filesystem::path& path);

/// Writes `tensors` (any device/layout; made contiguous on the CPU) as one safetensors file, atomically, with
/// `metadata` as "__metadata__". vsr::Error on a duplicate name or an unsupported dtype.
void save_safetensors(const std::filesystem::path& path, const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

}  // namespace vsr
