// libFuzzer target: video files (VideoReader): the input is written to a scratch .mp4 file, opened with one decoder
// thread and a 16 MB cap on returned frames, and two frames are sampled uniformly. Invariants: the metadata is
// positive and within the reader's limits; the sample has 2 frames of the stated size.
#include "fuzz_support.hpp"
#include "vsr/video/reader.hpp"

extern "C" {
#include <libavutil/log.h>
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace vsr;
  static const bool quiet = [] {
    av_log_set_level(AV_LOG_QUIET);
    return true;
  }();
  (void)quiet;
  const auto file = fuzz::write_bytes(fuzz::scratch_dir() / "input.mp4", fuzz::as_text(data, size));
  fuzz::expect_vsr_errors([&] {
    video::ReaderOptions options;
    options.threads = 1;
    options.max_bytes = 16 << 20;
    video::VideoReader reader(file, options);
    fuzz::check(reader.frame_count() > 0 && reader.frame_count() <= video::kMaxFrameCount, "frame count out of range");
    fuzz::check(reader.width() > 0 && reader.height() > 0 && reader.width() <= video::kMaxSide &&
                    reader.height() <= video::kMaxSide,
                "frame size out of range");
    const auto frames = reader.sample_uniform(2);
    fuzz::check(frames.count == 2 && frames.height == reader.height() && frames.width == reader.width() &&
                    frames.rgb.size() == static_cast<std::size_t>(2 * frames.frame_bytes()),
                "sample of 2 frames has another shape");
  });
  return 0;
}
