// The safetensors element types: names as written in headers and sizes in bytes.
#include "vsr/io/safetensors.hpp"

#include <array>
#include <utility>

namespace vsr::io {

namespace {
struct DTypeInfo {
  DType dtype;
  std::string_view name;
  std::size_t size;
};
constexpr std::array<DTypeInfo, 10> kDTypes{{{DType::BOOL, "BOOL", 1},
                                             {DType::U8, "U8", 1},
                                             {DType::I8, "I8", 1},
                                             {DType::I16, "I16", 2},
                                             {DType::I32, "I32", 4},
                                             {DType::I64, "I64", 8},
                                             {DType::F16, "F16", 2},
                                             {DType::BF16, "BF16", 2},
                                             {DType::F32, "F32", 4},
                                             {DType::F64, "F64", 8}}};
}  // namespace

std::string_view dtype_name(DType dtype) {
  for (const auto& d : kDTypes)
    if (d.dtype == dtype) return d.name;
  return "?";
}

std::size_t dtype_size(DType dtype) {
  for (const auto& d : kDTypes)
    if (d.dtype == dtype) return d.size;
  return 0;
}

bool parse_dtype(std::string_view name, DType& out) {
  for (const auto& d : kDTypes)
    if (d.name == name) {
      out = d.dtype;
      return true;
    }
  return false;
}

std::int64_t TensorView::numel() const {
  std::int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

}  // namespace vsr::io
