// Several single-threaded readers decoding disjoint subsets of the wanted frames (see parallel_read.hpp).
#include "vsr/video/parallel_read.hpp"

#include "vsr/core/error.hpp"

#include <algorithm>
#include <cstring>
#include <exception>
#include <thread>
#include <vector>

namespace vsr::video {

Frames read_indices_parallel(const std::filesystem::path& path, std::span<const std::int64_t> indices, int workers,
                             ReaderOptions options) {
  if (workers < 1) fail(path.string(), "workers", "expected at least one decoder");
  std::vector<std::int64_t> wanted(indices.begin(), indices.end());
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  workers = std::max(1, std::min<int>(workers, static_cast<int>(wanted.size())));
  if (workers == 1) return VideoReader(path, options).read_indices(indices);

  // Worker w decodes wanted[w], wanted[w + workers], ...: neighbouring frames cost alike, so the load is even.
  std::vector<std::vector<std::int64_t>> parts(static_cast<std::size_t>(workers));
  for (std::size_t i = 0; i < wanted.size(); ++i) parts[i % static_cast<std::size_t>(workers)].push_back(wanted[i]);
  std::vector<Frames> got(static_cast<std::size_t>(workers));
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(workers));
  auto run = [&](std::size_t w) {
    try {
      got[w] = VideoReader(path, options).read_indices(parts[w]);
    } catch (...) {
      errors[w] = std::current_exception();
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t w = 1; w < parts.size(); ++w) threads.emplace_back(run, w);
  run(0);
  for (auto& t : threads) t.join();
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);

  Frames out;
  out.width = got[0].width;
  out.height = got[0].height;
  out.count = static_cast<std::int64_t>(indices.size());
  out.indices.assign(indices.begin(), indices.end());
  const std::size_t fb = static_cast<std::size_t>(out.frame_bytes());
  out.rgb.resize(fb * indices.size());
  for (std::size_t s = 0; s < indices.size(); ++s) {
    const auto pos = static_cast<std::size_t>(std::lower_bound(wanted.begin(), wanted.end(), indices[s]) - wanted.begin());
    const Frames& src = got[pos % static_cast<std::size_t>(workers)];
    std::memcpy(out.rgb.data() + s * fb, src.frame(static_cast<std::int64_t>(pos / static_cast<std::size_t>(workers))), fb);
  }
  return out;
}

}  // namespace vsr::video
