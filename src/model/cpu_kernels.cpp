// Run-time choice of the few-row linear kernel (see vsr/model/cpu_kernels.hpp).
#include "vsr/model/cpu_kernels.hpp"

#include "amx_linear.hpp"
#include "skinny_linear.hpp"

namespace vsr::model {

FewRowKernel few_row_kernel() {
  if (!detail::cpu_has_avx512()) return FewRowKernel::kAten;
  return detail::amx_usable() ? FewRowKernel::kAmxBf16 : FewRowKernel::kAvx512;
}

void allow_amx_kernel(bool allowed) { detail::set_amx_allowed(allowed); }

const char* to_string(FewRowKernel kernel) {
  switch (kernel) {
    case FewRowKernel::kAten: return "aten";
    case FewRowKernel::kAvx512: return "avx512";
    case FewRowKernel::kAmxBf16: return "amx-bf16x3";
  }
  return "?";
}

}  // namespace vsr::model
