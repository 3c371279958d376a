// Tests of video I/O: Qwen2-VL uniform sampling against numpy, writer/reader round trips on synthetic videos whose
// frame index is encoded in the colour (so frames are told apart after lossy compression), seeking, every error
// path (missing, empty, not a video, no video stream, truncated, zero frames, unsupported codec, absurd size), the
// HDF5 frame cache, PPM files and the `vsr video` command.
#include "test_support.hpp"
#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/video/frame_cache.hpp"
#include "vsr/video/parallel_read.hpp"
#include "vsr/video/ppm.hpp"
#include "vsr/video/reader.hpp"
#include "vsr/video/sampling.hpp"
#include "vsr/video/writer.hpp"

#include <gtest/gtest.h>
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using vsr::video::FrameCache;
using vsr::video::Frames;
using vsr::video::VideoReader;
using vsr::video::VideoWriter;

namespace {

constexpr int kW = 64, kH = 48, kN = 48;

/// Frame k of a test video: red encodes k (10 + 5k), green is a horizontal gradient, blue is constant.
std::vector<std::uint8_t> test_frame(int k, int w = kW, int h = kH) {
  std::vector<std::uint8_t> rgb(static_cast<std::size_t>(w * h * 3));
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      auto* p = &rgb[static_cast<std::size_t>((y * w + x) * 3)];
      p[0] = static_cast<std::uint8_t>(10 + 5 * k);
      p[1] = static_cast<std::uint8_t>(40 + 2 * x);
      p[2] = 128;
    }
  return rgb;
}

/// Writes `n` test frames.
void make_video(const fs::path& path, int n = kN, vsr::video::WriterOptions opt = {}, double fps = 24) {
  VideoWriter w(path, kW, kH, fps, opt);
  for (int k = 0; k < n; ++k) w.write(test_frame(k).data());
  w.close();
}

std::array<double, 3> mean_colour(const Frames& f, std::int64_t i) {
  std::array<double, 3> sum{};
  const std::uint8_t* p = f.frame(i);
  for (std::int64_t px = 0; px < f.height * f.width; ++px)
    for (int c = 0; c < 3; ++c) sum[c] += p[px * 3 + c];
  for (double& s : sum) s /= static_cast<double>(f.height * f.width);
  return sum;
}

/// Checks that frame slot `i` shows test frame `k` (mean colour within 3 levels per channel).
void expect_shows(const Frames& f, std::int64_t i, std::int64_t k) {
  const auto m = mean_colour(f, i);
  EXPECT_NEAR(m[0], 10 + 5 * k, 3.0) << "slot " << i << " should show frame " << k;
  EXPECT_NEAR(m[1], 40 + (kW - 1), 3.0) << "slot " << i;
  EXPECT_NEAR(m[2], 128, 3.0) << "slot " << i;
}

void write_bytes(const fs::path& p, const std::string& bytes) { std::ofstream(p, std::ios::binary) << bytes; }

/// Expects `fn` to throw vsr::Error whose message names `file` and contains `words`.
template <class Fn>
void expect_error(Fn fn, const fs::path& file, const std::string& words) {
  try {
    fn();
    ADD_FAILURE() << "no error for " << file;
  } catch (const vsr::Error& e) {
    EXPECT_EQ(e.file(), file.string()) << e.what();
    EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
  }
}

/// A shared test video (48 frames, 64x48, 24 fps, H.264 or MPEG-4 in MP4), made once per test program.
const fs::path& shared_mp4() {
  static const fs::path p = [] {
    auto dir = vsr::test::temp_dir("video_shared");
    make_video(dir / "clip.mp4");
    return dir / "clip.mp4";
  }();
  return p;
}

}  // namespace

TEST(VideoSampling, UniformIndicesMatchNumpyLinspaceRound) {
  using vsr::video::uniform_indices;
  // Goldens: numpy 1.24 np.round(np.linspace(0, T - 1, n)).
  EXPECT_EQ(uniform_indices(48, 16),
            (std::vector<std::int64_t>{0, 3, 6, 9, 13, 16, 19, 22, 25, 28, 31, 34, 38, 41, 44, 47}));
  EXPECT_EQ(uniform_indices(48, 4), (std::vector<std::int64_t>{0, 16, 31, 47}));
  EXPECT_EQ(uniform_indices(5, 8), (std::vector<std::int64_t>{0, 1, 1, 2, 2, 3, 3, 4}));
  EXPECT_EQ(uniform_indices(1, 2), (std::vector<std::int64_t>{0, 0}));
  EXPECT_EQ(uniform_indices(2, 6), (std::vector<std::int64_t>{0, 0, 0, 1, 1, 1}));
  EXPECT_EQ(uniform_indices(7, 6), (std::vector<std::int64_t>{0, 1, 2, 4, 5, 6}));
  EXPECT_EQ(uniform_indices(1440, 16), (std::vector<std::int64_t>{0, 96, 192, 288, 384, 480, 576, 672, 767, 863, 959,
                                                                  1055, 1151, 1247, 1343, 1439}));
  const std::vector<std::int64_t> g32{0,    46,   93,   139,  186,  232,  279,  325,  371,  418, 464,
                                      511,  557,  603,  650,  696,  743,  789,  836,  882,  928, 975,
                                      1021, 1068, 1114, 1160, 1207, 1253, 1300, 1346, 1393, 1439};
  EXPECT_EQ(uniform_indices(1440, 32), g32);
}

TEST(VideoSampling, RejectsOddOrTooFewFramesAndEmptyVideo) {
  using vsr::video::uniform_indices;
  EXPECT_THROW(uniform_indices(48, 3), vsr::Error);
  EXPECT_THROW(uniform_indices(48, 0), vsr::Error);
  EXPECT_THROW(uniform_indices(48, -2), vsr::Error);
  EXPECT_THROW(uniform_indices(0, 4), vsr::Error);
}

TEST(VideoRoundTrip, Mp4MetadataAndEveryFrame) {
  VideoReader r(shared_mp4());
  EXPECT_EQ(r.frame_count(), kN);
  EXPECT_FALSE(r.frame_count_was_counted());  // MP4 with a constant frame rate: the sample table is trusted
  EXPECT_DOUBLE_EQ(r.fps(), 24.0);
  EXPECT_EQ(r.width(), kW);
  EXPECT_EQ(r.height(), kH);
  EXPECT_NEAR(r.duration_s(), 2.0, 1e-6);
  EXPECT_TRUE(r.codec_name() == "h264" || r.codec_name() == "mpeg4") << r.codec_name();
  const Frames all = r.read_all();
  ASSERT_EQ(all.count, kN);
  ASSERT_EQ(all.rgb.size(), static_cast<std::size_t>(kN * kH * kW * 3));
  for (int k = 0; k < kN; ++k) {
    EXPECT_EQ(all.indices[static_cast<std::size_t>(k)], k);
    expect_shows(all, k, k);
  }
}

// swscale's SIMD reads past the end of a tightly packed RGB frame (valgrind: 4 bytes after a 112x84 frame); the
// writer copies each frame into padded lines first. Here the frame ends exactly at an inaccessible page: any read
// past it is a segmentation fault.
TEST(VideoRoundTrip, WriterReadsNoByteAfterTheCallersFrame) {
  const std::size_t bytes = 112 * 84 * 3;
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const std::size_t pages = (bytes + page - 1) / page;
  void* region = ::mmap(nullptr, (pages + 1) * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(region, MAP_FAILED);
  auto* base = static_cast<std::uint8_t*>(region);
  ASSERT_EQ(::mprotect(base + pages * page, page, PROT_NONE), 0);
  std::uint8_t* frame = base + pages * page - bytes;  // the last pixel is the last readable byte
  const auto path = vsr::test::temp_dir("video_guard_page") / "guarded.mp4";
  VideoWriter w(path, 112, 84, 24);
  for (int k = 0; k < 3; ++k) {
    const auto pixels = test_frame(k, 112, 84);
    std::memcpy(frame, pixels.data(), bytes);
    w.write(frame);
  }
  w.close();
  ::munmap(region, (pages + 1) * page);
  EXPECT_EQ(VideoReader(path).frame_count(), 3);
}

// One encoder thread by default, so that the same frames give the same file on every run (multi-threaded libx264
// gave different bytes for 60 of 96 synthetic walkthroughs from run to run).
TEST(VideoRoundTrip, DefaultWriterIsDeterministic) {
  const auto dir = vsr::test::temp_dir("video_deterministic");
  EXPECT_EQ(vsr::video::WriterOptions{}.threads, 1);
  std::vector<std::string> files;
  // Runs 1 and 2 fill fresh and freed heap memory with different bytes (glibc's M_PERTURB, as MALLOC_PERTURB_ does):
  // an encoder that reads memory it never wrote (libx264's AVX-512 mbtree code at this width did) then differs.
  // Without the writer's cpu-independent=1 this fails on an AVX-512 machine (the project's VMs), not on others.
  struct PerturbReset {
    ~PerturbReset() { mallopt(M_PERTURB, 0); }
  } reset;  // whatever happens below
  for (int run = 0; run < 3; ++run) {
    if (run > 0) mallopt(M_PERTURB, run == 1 ? 0x11 : 0xee);
    const auto path = dir / ("run" + std::to_string(run) + ".mp4");
    VideoWriter w(path, 112, 84, 24, vsr::video::WriterOptions{});
    for (int k = 0; k < 96; ++k) w.write(test_frame(k, 112, 84).data());
    w.close();
    files.push_back(vsr::read_file(path));
  }
  EXPECT_TRUE(files[0] == files[1]) << files[0].size() << " vs " << files[1].size() << " bytes";
  EXPECT_TRUE(files[0] == files[2]) << files[0].size() << " vs " << files[2].size() << " bytes";
}

TEST(VideoRoundTrip, SampleUniformPicksLinspaceFrames) {
  VideoReader r(shared_mp4());
  for (int n : {2, 4, 16, 32, 64}) {
    const Frames f = r.sample_uniform(n);
    const auto want = vsr::video::uniform_indices(kN, n);
    ASSERT_EQ(f.count, n);
    EXPECT_EQ(f.indices, want);
    for (int i = 0; i < n; ++i) expect_shows(f, i, want[static_cast<std::size_t>(i)]);
  }
  EXPECT_THROW(r.sample_uniform(5), vsr::Error);
}

TEST(VideoRoundTrip, ReadIndicesAnyOrderWithRepeatsAndRejectsOutOfRange) {
  VideoReader r(shared_mp4());
  const std::vector<std::int64_t> want{47, 0, 23, 23, 5, 46, 1};
  const Frames f = r.read_indices(want);
  ASSERT_EQ(f.count, 7);
  EXPECT_EQ(f.indices, want);
  for (std::size_t i = 0; i < want.size(); ++i) expect_shows(f, static_cast<std::int64_t>(i), want[i]);
  const std::vector<std::int64_t> bad{3, 48};
  expect_error([&] { r.read_indices(bad); }, shared_mp4(), "48 outside [0, 48)");
  EXPECT_EQ(r.read_indices(std::vector<std::int64_t>{}).count, 0);
}

TEST(VideoRoundTrip, ConsecutiveChunksAcrossCallsKeepSkippedBFrames) {
  // Decoding frames 0..4 reads ahead past frame 4 and skips the non-reference B-frames it does not want; the next
  // call, asking for 5..9, must still deliver them.
  for (int threads : {1, 2}) {
    vsr::video::ReaderOptions ro;
    ro.threads = threads;
    VideoReader r(shared_mp4(), ro);
    for (std::int64_t s = 0; s < kN; s += 5) {
      std::vector<std::int64_t> chunk;
      for (std::int64_t i = s; i < std::min<std::int64_t>(kN, s + 5); ++i) chunk.push_back(i);
      const Frames f = r.read_indices(chunk);
      for (std::size_t i = 0; i < chunk.size(); ++i) expect_shows(f, static_cast<std::int64_t>(i), chunk[i]);
    }
  }
}

TEST(VideoRoundTrip, EveryFrameAloneAfterSeeksWithShortGopAndThreads) {
  auto dir = vsr::test::temp_dir("video_gop");
  vsr::video::WriterOptions wo;
  wo.gop = 8;
  make_video(dir / "gop8.mp4", kN, wo);
  for (int threads : {1, 3}) {
    vsr::video::ReaderOptions ro;
    ro.threads = threads;
    VideoReader r(dir / "gop8.mp4", ro);
    EXPECT_GE(r.keyframe_interval(), 4.0);  // keyint 8, plus any scene-cut keyframes x264 adds
    EXPECT_LE(r.keyframe_interval(), 8.0);
    // Backwards, then a stride that jumps across keyframes: each read must land on the exact frame.
    for (std::int64_t i = kN - 1; i >= 0; --i) {
      const std::vector<std::int64_t> one{i};
      expect_shows(r.read_indices(one), 0, i);
    }
    for (std::int64_t i = 0; i < kN; i += 7) {
      const std::vector<std::int64_t> one{i};
      expect_shows(r.read_indices(one), 0, i);
    }
  }
  vsr::video::ReaderOptions gap;
  gap.seek_gap = 3;
  VideoReader r(dir / "gop8.mp4", gap);
  const Frames f = r.sample_uniform(16);
  for (int i = 0; i < 16; ++i) expect_shows(f, i, f.indices[static_cast<std::size_t>(i)]);
}

TEST(VideoRoundTrip, ParallelReadersGiveTheSameFramesInTheGivenOrder) {
  auto dir = vsr::test::temp_dir("video_parallel");
  vsr::video::WriterOptions wo;
  wo.gop = 8;
  make_video(dir / "gop8.mp4", kN, wo);
  const std::vector<std::int64_t> idx{40, 3, 17, 3, 47, 0, 25, 9, 33};
  const Frames want = VideoReader(dir / "gop8.mp4").read_indices(idx);
  for (int workers : {1, 2, 3, 16}) {
    vsr::video::ReaderOptions one_thread;
    one_thread.threads = 1;
    const Frames got = vsr::video::read_indices_parallel(dir / "gop8.mp4", idx, workers, one_thread);
    EXPECT_EQ(got.count, want.count);
    EXPECT_EQ(got.indices, want.indices);
    EXPECT_TRUE(got.rgb == want.rgb) << workers << " workers";
    for (std::size_t i = 0; i < idx.size(); ++i) expect_shows(got, static_cast<int>(i), idx[i]);
  }
  const std::vector<std::int64_t> bad{1, kN};
  EXPECT_THROW(vsr::video::read_indices_parallel(dir / "gop8.mp4", bad, 2), vsr::Error);
  EXPECT_THROW(vsr::video::read_indices_parallel(dir / "gop8.mp4", idx, 0), vsr::Error);
}

TEST(VideoRoundTrip, OtherContainersCountByDemuxing) {
  auto dir = vsr::test::temp_dir("video_containers");
  for (const char* name : {"clip.mkv", "clip.avi", "clip.mov"}) {
    SCOPED_TRACE(name);
    vsr::video::WriterOptions wo;
    wo.gop = 12;
    make_video(dir / name, 30, wo, 25);
    VideoReader r(dir / name);
    EXPECT_EQ(r.frame_count(), 30);
    EXPECT_EQ(r.frame_count_was_counted(), std::string(name) != "clip.mov");
    EXPECT_NEAR(r.fps(), 25.0, 1e-6);
    const Frames f = r.sample_uniform(8);
    EXPECT_EQ(f.indices, vsr::video::uniform_indices(30, 8));
    for (int i = 0; i < 8; ++i) expect_shows(f, i, f.indices[static_cast<std::size_t>(i)]);
    const std::vector<std::int64_t> back{29, 2, 13};
    const Frames b = r.read_indices(back);
    for (int i = 0; i < 3; ++i) expect_shows(b, i, back[static_cast<std::size_t>(i)]);
  }
}

TEST(VideoRoundTrip, NonIntegerFrameRate) {
  auto dir = vsr::test::temp_dir("video_ntsc");
  make_video(dir / "ntsc.mp4", 20, {}, 29.97);
  VideoReader r(dir / "ntsc.mp4");
  EXPECT_EQ(r.frame_count(), 20);
  EXPECT_NEAR(r.fps(), 29.97, 1e-9);
  const Frames f = r.read_all();
  for (int k = 0; k < 20; ++k) expect_shows(f, k, k);
}

TEST(VideoWriter, RejectsOddSizesBadFpsAndUnknownContainersLeavingNoFile) {
  auto dir = vsr::test::temp_dir("video_writer_bad");
  expect_error([&] { VideoWriter(dir / "odd.mp4", 63, 48, 24); }, dir / "odd.mp4", "even width and height");
  expect_error([&] { VideoWriter(dir / "fps.mp4", 64, 48, 0); }, dir / "fps.mp4", "fps");
  expect_error([&] { VideoWriter(dir / "x.notavideo", 64, 48, 24); }, dir / "x.notavideo", "no video container");
  expect_error([&] { VideoWriter(dir / "missing" / "x.mp4", 64, 48, 24); }, dir / "missing" / "x.mp4", "cannot create");
  EXPECT_TRUE(fs::is_empty(dir));
}

TEST(VideoWriter, WritesThroughTemporaryFileAndDiscardsItOnException) {
  auto dir = vsr::test::temp_dir("video_writer_tmp");
  {
    VideoWriter w(dir / "a.mp4", kW, kH, 24);
    w.write(test_frame(0).data());
    EXPECT_TRUE(fs::exists(dir / "a.mp4.part"));
    EXPECT_FALSE(fs::exists(dir / "a.mp4"));
    EXPECT_EQ(w.frames_written(), 1);
  }  // the destructor closes
  EXPECT_TRUE(fs::exists(dir / "a.mp4"));
  EXPECT_FALSE(fs::exists(dir / "a.mp4.part"));
  EXPECT_EQ(VideoReader(dir / "a.mp4").frame_count(), 1);
  try {
    VideoWriter w(dir / "b.mp4", kW, kH, 24);
    w.write(test_frame(0).data());
    throw std::runtime_error("caller failed");
  } catch (const std::runtime_error&) {
  }
  EXPECT_FALSE(fs::exists(dir / "b.mp4"));
  EXPECT_FALSE(fs::exists(dir / "b.mp4.part"));
}

TEST(VideoReaderErrors, MissingEmptyNotAVideoAndNoVideoStream) {
  auto dir = vsr::test::temp_dir("video_errors");
  expect_error([&] { VideoReader r(dir / "none.mp4"); }, dir / "none.mp4", "no such file");
  write_bytes(dir / "empty.mp4", "");
  expect_error([&] { VideoReader r(dir / "empty.mp4"); }, dir / "empty.mp4", "empty file");
  write_bytes(dir / "text.mp4", std::string(4000, 'x'));
  expect_error([&] { VideoReader r(dir / "text.mp4"); }, dir / "text.mp4", "not a readable video");
  expect_error([&] { VideoReader r(dir); }, dir, "not a regular file");
  // A valid WAV file (16-bit mono PCM, 8 kHz, 800 samples): audio only.
  std::string wav = "RIFF";
  auto u32 = [&](std::uint32_t v) {
    for (int i = 0; i < 4; ++i) wav += static_cast<char>((v >> (8 * i)) & 255);
  };
  auto u16 = [&](std::uint16_t v) {
    for (int i = 0; i < 2; ++i) wav += static_cast<char>((v >> (8 * i)) & 255);
  };
  u32(36 + 1600);
  wav += "WAVEfmt ";
  u32(16), u16(1), u16(1), u32(8000), u32(16000), u16(2), u16(16);
  wav += "data";
  u32(1600);
  wav += std::string(1600, '\0');
  write_bytes(dir / "tone.wav", wav);
  expect_error([&] { VideoReader r(dir / "tone.wav"); }, dir / "tone.wav", "no video stream");
}

TEST(VideoReaderErrors, TruncatedFiles) {
  auto dir = vsr::test::temp_dir("video_truncated");
  const std::string whole = vsr::read_file(shared_mp4());
  write_bytes(dir / "half.mp4", whole.substr(0, whole.size() / 2));
  expect_error([&] { VideoReader(dir / "half.mp4").read_all(); }, dir / "half.mp4", "truncated");
  write_bytes(dir / "1k.mp4", whole.substr(0, 1024));
  expect_error([&] { VideoReader(dir / "1k.mp4").read_all(); }, dir / "1k.mp4", "truncated");
  // Index first (faststart): the header promises 48 frames whose data is cut off.
  vsr::video::WriterOptions fast;
  fast.faststart = true;
  make_video(dir / "fast.mp4", kN, fast);
  const std::string f = vsr::read_file(dir / "fast.mp4");
  write_bytes(dir / "fast_half.mp4", f.substr(0, f.size() / 2));
  expect_error([&] { VideoReader(dir / "fast_half.mp4").read_all(); }, dir / "fast_half.mp4", "truncated");
  // Matroska cut in half: the packets stop at a quarter of the duration the header states.
  make_video(dir / "clip.mkv");
  const std::string m = vsr::read_file(dir / "clip.mkv");
  write_bytes(dir / "half.mkv", m.substr(0, m.size() / 2));
  expect_error([&] { VideoReader r(dir / "half.mkv"); }, dir / "half.mkv", "truncated");
}

TEST(VideoReaderErrors, CorruptBytesDecodeOrFailCleanly) {
  auto dir = vsr::test::temp_dir("video_corrupt");
  const std::string whole = vsr::read_file(shared_mp4());
  std::uint32_t seed = 7;
  int failed = 0;
  for (int trial = 0; trial < 24; ++trial) {
    std::string bytes = whole;
    // Overwrite 16 bytes at a pseudo-random place: media data early on, the MP4 index (at the end) later.
    seed = seed * 1664525u + 1013904223u;
    const std::size_t at =
        trial < 12 ? 48 + seed % (bytes.size() / 2) : bytes.size() / 2 + seed % (bytes.size() / 2 - 16);
    for (int i = 0; i < 16; ++i)
      bytes[at + static_cast<std::size_t>(i)] = static_cast<char>((seed >> (i % 24)) * 31 + i);
    const auto path = dir / ("c" + std::to_string(trial) + ".mp4");
    write_bytes(path, bytes);
    try {
      VideoReader r(path);
      const Frames f = r.read_all();
      EXPECT_EQ(f.count, r.frame_count());
    } catch (const vsr::Error& e) {
      EXPECT_EQ(e.file(), path.string());
      ++failed;
    }
  }
  SUCCEED() << failed << " of 24 corrupt files were rejected";
}

TEST(VideoReaderErrors, ZeroFramesUnsupportedCodecAbsurdSizeAndByteCap) {
  auto dir = vsr::test::temp_dir("video_bad_streams");
  {
    VideoWriter w(dir / "zero.mp4", kW, kH, 24);
    w.close();
  }
  // FFmpeg's MP4 demuxer drops a track without samples, so this reads as a file without a video stream.
  expect_error([&] { VideoReader r(dir / "zero.mp4"); }, dir / "zero.mp4", "no video stream");
  write_bytes(dir / "zero.y4m", "YUV4MPEG2 W64 H48 F24:1 Ip A1:1 C420jpeg\n");
  expect_error([&] { VideoReader r(dir / "zero.y4m"); }, dir / "zero.y4m", "no frames");

  // An AVI whose codec tag is replaced by one FFmpeg does not know.
  make_video(dir / "clip.avi", 6);
  std::string avi = vsr::read_file(dir / "clip.avi");
  const auto movi = avi.find("movi");
  ASSERT_NE(movi, std::string::npos);
  int patched = 0;
  for (const char* tag : {"H264", "FMP4", "h264", "XVID", "DIVX"})
    for (auto p = avi.find(tag); p != std::string::npos && p < movi; p = avi.find(tag, p + 4), ++patched)
      avi.replace(p, 4, "ZZZZ");
  ASSERT_GT(patched, 0);
  write_bytes(dir / "unknown.avi", avi);
  expect_error([&] { VideoReader r(dir / "unknown.avi"); }, dir / "unknown.avi", "unsupported codec");

  // A YUV4MPEG2 header claiming 12000x12000 frames (144 M pixels) with almost no data.
  write_bytes(dir / "huge.y4m", "YUV4MPEG2 W12000 H12000 F24:1 Ip A1:1 C420jpeg\nFRAME\n" + std::string(100, '\x10'));
  expect_error([&] { VideoReader r(dir / "huge.y4m"); }, dir / "huge.y4m", "exceeds the limit");

  vsr::video::ReaderOptions small;
  small.max_bytes = 5 * kW * kH * 3;
  VideoReader r(shared_mp4(), small);
  EXPECT_EQ(r.sample_uniform(4).count, 4);
  expect_error([&] { r.read_all(); }, shared_mp4(), "over the limit");
}

TEST(FrameCache, DatasetNamesAreValidAndReversible) {
  EXPECT_EQ(FrameCache::dataset_name("scannet/scene0000_00.mp4"), "scannet%2Fscene0000_00.mp4");
  EXPECT_EQ(FrameCache::dataset_name(".hidden"), "%2Ehidden");
  EXPECT_EQ(FrameCache::dataset_name("a b%"), "a%20b%25");
  EXPECT_EQ(FrameCache::dataset_name(""), "%");
}

TEST(FrameCache, PutGetRoundTripReplaceAndReopen) {
  auto dir = vsr::test::temp_dir("frame_cache");
  const fs::path file = dir / "frames.h5";
  VideoReader r(shared_mp4());
  const Frames a = r.sample_uniform(8);
  const Frames b = r.sample_uniform(4);
  const std::vector<std::string> keys{"arkitscenes/41069025.mp4", ".dot", "", "caf\xc3\xa9 %41"};
  {
    FrameCache cache(file, FrameCache::Mode::Truncate, 4);
    EXPECT_FALSE(cache.contains(keys[0]));
    for (const auto& k : keys) cache.put(k, a);
    cache.put(keys[0], b);  // replaces
    EXPECT_TRUE(cache.contains(keys[1]));
    cache.flush();
  }
  FrameCache ro(file, FrameCache::Mode::ReadOnly);
  std::vector<std::string> sorted = keys;
  auto listed = ro.keys();
  std::sort(sorted.begin(), sorted.end());
  std::sort(listed.begin(), listed.end());
  EXPECT_EQ(listed, sorted);
  const Frames got_b = ro.get(keys[0]);
  EXPECT_EQ(got_b.count, 4);
  EXPECT_EQ(got_b.indices, b.indices);
  EXPECT_EQ(got_b.rgb, b.rgb);
  for (std::size_t i = 1; i < keys.size(); ++i) {
    const Frames got = ro.get(keys[i]);
    EXPECT_EQ(got.count, a.count);
    EXPECT_EQ(got.height, kH);
    EXPECT_EQ(got.width, kW);
    EXPECT_EQ(got.indices, a.indices);
    EXPECT_EQ(got.rgb, a.rgb);
  }
  expect_error([&] { ro.put("x", a); }, file, "read-only");
  expect_error([&] { ro.get("absent"); }, file, "no frames cached");
}

TEST(FrameCache, RejectsBadFramesMissingAndNonHdf5Files) {
  auto dir = vsr::test::temp_dir("frame_cache_bad");
  expect_error([&] { FrameCache c(dir / "none.h5", FrameCache::Mode::ReadOnly); }, dir / "none.h5", "no such file");
  write_bytes(dir / "text.h5", "not hdf5 at all");
  expect_error([&] { FrameCache c(dir / "text.h5", FrameCache::Mode::ReadWrite); }, dir / "text.h5",
               "not an HDF5 file");
  FrameCache c(dir / "c.h5", FrameCache::Mode::ReadWrite);
  Frames f;
  f.count = 2, f.height = 2, f.width = 2;
  f.rgb.assign(2 * 2 * 2 * 3 - 1, 0);
  f.indices = {0, 1};
  expect_error([&] { c.put("k", f); }, dir / "c.h5", "pixel buffer");
  f.rgb.push_back(0);
  f.indices = {0};
  expect_error([&] { c.put("k", f); }, dir / "c.h5", "indices");
  EXPECT_FALSE(c.contains("k"));
  f.indices = {7, 9};
  c.put("k", f);
  EXPECT_EQ(c.get("k").indices, (std::vector<std::int64_t>{7, 9}));
}

TEST(Ppm, WriteReadRoundTripAndBadHeader) {
  auto dir = vsr::test::temp_dir("ppm");
  Frames f;
  f.count = 2, f.height = 2, f.width = 3;
  for (int i = 0; i < 36; ++i) f.rgb.push_back(static_cast<std::uint8_t>(i * 7));
  f.indices = {4, 5};
  vsr::video::write_ppm(dir / "f.ppm", f, 1);
  EXPECT_EQ(vsr::read_file(dir / "f.ppm").substr(0, 11), "P6\n3 2\n255\n");
  const Frames g = vsr::video::read_ppm(dir / "f.ppm");
  EXPECT_EQ(g.width, 3);
  EXPECT_EQ(g.height, 2);
  EXPECT_EQ(g.rgb, std::vector<std::uint8_t>(f.rgb.begin() + 18, f.rgb.end()));
  write_bytes(dir / "bad.ppm", "P6\n3 2\n255\nabc");
  expect_error([&] { vsr::video::read_ppm(dir / "bad.ppm"); }, dir / "bad.ppm", "expected 18 bytes");
}

TEST(VideoCli, InfoAndSample) {
  auto dir = vsr::test::temp_dir("video_cli");
  const auto info = vsr::test::run_cli("video info '" + shared_mp4().string() + "'");
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_NE(info.out.find("frames: 48"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("size: 64x48"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("fps: 24"), std::string::npos) << info.out;
  const auto sample = vsr::test::run_cli("video sample '" + shared_mp4().string() + "' --frames 4 --out '" +
                                         (dir / "out").string() + "'");
  ASSERT_EQ(sample.exit_code, 0) << sample.err;
  const auto want = vsr::video::uniform_indices(kN, 4);
  for (int i = 0; i < 4; ++i) {
    const auto name = dir / "out" /
                      (std::string("frame_0") + std::to_string(i) + "_src" +
                       std::string(5 - std::to_string(want[static_cast<std::size_t>(i)]).size(), '0') +
                       std::to_string(want[static_cast<std::size_t>(i)]) + ".ppm");
    ASSERT_TRUE(fs::exists(name)) << name << "\n" << sample.out;
    expect_shows(vsr::video::read_ppm(name), 0, want[static_cast<std::size_t>(i)]);
  }
  const auto bad =
      vsr::test::run_cli("video sample '" + shared_mp4().string() + "' --frames 3 --out '" + dir.string() + "'");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("even"), std::string::npos) << bad.err;
  const auto missing = vsr::test::run_cli("video info '" + (dir / "nope.mp4").string() + "'");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("no such file"), std::string::npos) << missing.err;
}
