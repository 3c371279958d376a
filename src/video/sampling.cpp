#include "vsr/video/sampling.hpp"

#include "vsr/core/error.hpp"

#include <fmt/format.h>

#include <cmath>

namespace vsr::video {

std::vector<std::int64_t> uniform_indices(std::int64_t total, std::int64_t n) {
  require(n >= 2 && n % 2 == 0, "<sampling>", "frames",
          fmt::format("expected an even number >= 2 (2 frames per temporal patch), got {}", n));
  require(total >= 1, "<sampling>", "total frames", fmt::format("expected >= 1, got {}", total));
  // np.linspace(0, stop, n): step = stop / (n - 1), y[i] = i * step (or i / div * stop when step == 0), and the
  // last value set to stop exactly; np.round rounds half to even, which nearbyint does in the default mode.
  const double stop = static_cast<double>(total - 1);
  const double div = static_cast<double>(n - 1);
  const double step = stop / div;
  std::vector<std::int64_t> out(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    const double y =
        (i == n - 1) ? stop : (step == 0.0 ? static_cast<double>(i) / div * stop : static_cast<double>(i) * step);
    out[static_cast<std::size_t>(i)] = static_cast<std::int64_t>(std::nearbyint(y));
  }
  return out;
}

}  // namespace vsr::video
