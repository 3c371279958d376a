// vsr::parallel_for (see vsr/runtime/parallel.hpp). Compiled with OpenMP and without the shared precompiled header
// (src/CMakeLists.txt).
#include "vsr/runtime/parallel.hpp"

#include <ATen/Parallel.h>

#include <omp.h>

#include <algorithm>
#include <exception>
#include <mutex>

namespace vsr {

void parallel_for(std::int64_t begin, std::int64_t end, std::int64_t grain,
                  const std::function<void(std::int64_t, std::int64_t)>& fn) {
  if (begin >= end) return;
  const std::int64_t items = end - begin, threads = std::max(1, at::get_num_threads());
  const std::int64_t chunks = std::min(threads, grain > 0 ? (items + grain - 1) / grain : items);
  if (chunks <= 1 || omp_in_parallel()) {
    fn(begin, end);
    return;
  }
  const std::int64_t size = (items + chunks - 1) / chunks;
  std::exception_ptr error;
  std::once_flag first_error;
#pragma omp parallel num_threads(static_cast<int>(chunks))
  {
    const std::int64_t b = begin + omp_get_thread_num() * size;
    if (b < end) {
      try {
        fn(b, std::min(end, b + size));
      } catch (...) {
        std::call_once(first_error, [&] { error = std::current_exception(); });
      }
    }
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace vsr
