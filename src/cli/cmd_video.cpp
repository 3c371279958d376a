// `vsr video info FILE` and `vsr video sample FILE --frames N --out DIR`: what the reader sees in a video, and the
// frames the model would get (Qwen2-VL uniform sampling), written as PPM images.
#include "command.hpp"

#include "vsr/core/config.hpp"
#include "vsr/core/error.hpp"
#include "vsr/video/ppm.hpp"
#include "vsr/video/reader.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <string>

namespace {

void print_info(const vsr::video::VideoReader& r) {
  fmt::print("file: {}\n", r.path().string());
  fmt::print("container: {}\n", r.container_name());
  fmt::print("codec: {}\n", r.codec_name());
  fmt::print("size: {}x{}\n", r.width(), r.height());
  fmt::print("fps: {:.6g}\n", r.fps());
  fmt::print("frames: {} ({})\n", r.frame_count(),
             r.frame_count_was_counted() ? "counted by demuxing" : "from the container's sample table");
  fmt::print("duration: {:.3f} s\n", r.duration_s());
  fmt::print("keyframe interval: {:.1f} frames (mean)\n", r.keyframe_interval());
}

}  // namespace

VSR_COMMAND(cmd_video, "video", "inspect a video (info) or write the frames the model sees (sample)") {
  vsr::Config cfg(argv[0]);
  std::int64_t frames = 16;
  std::string out;
  int threads = 0;
  auto top = cfg.top_level();
  top.add("frames", frames, "sample: number of frames (even, Qwen2-VL uniform sampling)");
  top.add("out", out, "sample: folder for the PPM images (created)");
  top.add("threads", threads, "decoder threads (0: FFmpeg chooses)");
  cfg.allow_positional(2);
  if (!cfg.parse(argc, argv)) {
    std::printf("\n  vsr video info FILE\n  vsr video sample FILE --frames N --out DIR\n");
    return 0;
  }
  const auto& pos = cfg.positional();
  if (pos.size() != 2 || (pos[0] != "info" && pos[0] != "sample"))
    vsr::fail("<command line>", "", "expected `vsr video info FILE` or `vsr video sample FILE --frames N --out DIR`");
  vsr::video::ReaderOptions opt;
  opt.threads = threads;
  vsr::video::VideoReader reader(pos[1], opt);
  if (pos[0] == "info") {
    print_info(reader);
    return 0;
  }
  vsr::require(!out.empty(), "<command line>", "out", "expected a folder for the frames (--out DIR)");
  const auto sample = reader.sample_uniform(frames);
  std::error_code ec;
  std::filesystem::create_directories(out, ec);
  if (ec) vsr::fail(out, "", "cannot create the folder");
  for (std::int64_t i = 0; i < sample.count; ++i) {
    const auto src = sample.indices[static_cast<std::size_t>(i)];
    const auto path = std::filesystem::path(out) / fmt::format("frame_{:02d}_src{:05d}.ppm", i, src);
    vsr::video::write_ppm(path, sample, i);
    fmt::print("{}\n", path.string());
  }
  return 0;
}
