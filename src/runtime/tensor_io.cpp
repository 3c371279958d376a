// at::Tensor <-> safetensors: copies out of the mapping, dtype mapping, saving tensor lists.
#include "vsr/runtime/tensor_io.hpp"

#include "vsr/core/error.hpp"

#include <torch/torch.h>

#include <cstring>

namespace vsr {

at::ScalarType to_scalar_type(io::DType dtype) {
  switch (dtype) {
    case io::DType::BOOL: return at::kBool;
    case io::DType::U8: return at::kByte;
    case io::DType::I8: return at::kChar;
    case io::DType::I16: return at::kShort;
    case io::DType::I32: return at::kInt;
    case io::DType::I64: return at::kLong;
    case io::DType::F16: return at::kHalf;
    case io::DType::BF16: return at::kBFloat16;
    case io::DType::F32: return at::kFloat;
    case io::DType::F64: return at::kDouble;
  }
  fail("", "dtype", "unknown safetensors dtype");
}

io::DType to_dtype(at::ScalarType type) {
  switch (type) {
    case at::kBool: return io::DType::BOOL;
    case at::kByte: return io::DType::U8;
    case at::kChar: return io::DType::I8;
    case at::kShort: return io::DType::I16;
    case at::kInt: return io::DType::I32;
    case at::kLong: return io::DType::I64;
    case at::kHalf: return io::DType::F16;
    case at::kBFloat16: return io::DType::BF16;
    case at::kFloat: return io::DType::F32;
    case at::kDouble: return io::DType::F64;
    default: break;
  }
  fail("", "dtype", std::string("torch dtype ") + c10::toString(type) + " cannot be stored in safetensors by vsr");
}

at::Tensor to_tensor(const io::TensorView& view, std::optional<at::ScalarType> as) {
  if (view.dtype == io::DType::BOOL)
    for (std::size_t i = 0; i < view.nbytes; ++i)
      if (std::to_integer<unsigned>(view.data[i]) > 1)
        fail("", "tensor " + quote(view.name), "BOOL data holds a byte other than 0 or 1");
  at::Tensor t = at::empty(view.shape, at::TensorOptions().dtype(to_scalar_type(view.dtype)));
  if (view.nbytes > 0) std::memcpy(t.data_ptr(), view.data, view.nbytes);
  if (as && *as != t.scalar_type()) t = t.to(*as);
  return t;
}

std::map<std::string, at::Tensor> load_safetensors(const std::filesystem::path& path) {
  const auto checkpoint = io::Checkpoint::open(path);
  std::map<std::string, at::Tensor> out;
  for (const auto& name : checkpoint.names()) out.emplace(name, to_tensor(checkpoint.tensor(name)));
  return out;
}

void save_safetensors(const std::filesystem::path& path, const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata) {
  io::SafetensorsWriter writer;
  for (const auto& [key, value] : metadata) writer.set_metadata(key, value);
  for (const auto& [name, tensor] : tensors) {
    if (!tensor.defined()) fail(path.string(), "tensor " + quote(name), "undefined tensor");
    const at::Tensor t = tensor.detach().to(at::kCPU).contiguous();
    const auto* bytes = static_cast<const std::byte*>(t.data_ptr());
    writer.add(name, to_dtype(t.scalar_type()), t.sizes().vec(),
               {bytes, static_cast<std::size_t>(t.numel()) * t.element_size()});
  }
  writer.write(path);
}

}  // namespace vsr
