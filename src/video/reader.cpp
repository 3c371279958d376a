#include "vsr/video/reader.hpp"

#include "ffmpeg_support.hpp"
#include "vsr/core/error.hpp"
#include "vsr/video/sampling.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <system_error>

namespace vsr::video {

namespace fs = std::filesystem;
using namespace detail;

namespace {

/// How source frame indices are tied to time stamps.
enum class IndexMode {
  Uniform,     ///< MP4/MOV constant frame rate: index = (pts - start) / step
  Table,       ///< any container: the sorted pts of every packet, read once at open
  Sequential,  ///< no usable time stamps: frames numbered in decoding order from the start, no seeking
};

bool is_mov_family(const AVFormatContext* fmt) {
  return fmt->iformat && fmt->iformat->name && std::strstr(fmt->iformat->name, "mp4") != nullptr;
}

}  // namespace

struct VideoReader::Impl {
  fs::path path;
  std::string file;
  ReaderOptions opt;
  InputPtr fmt;
  CodecPtr dec;
  FramePtr frame;
  PacketPtr pkt;
  SwsPtr sws;
  int sws_format = -1, sws_range = -1;
  std::vector<std::uint8_t> rgb_scratch;  // one aligned-stride RGB frame, copied out row by row
  int rgb_stride = 0;

  int stream = -1;
  AVRational tb{0, 1};
  std::int64_t count = 0, width = 0, height = 0;
  double fps = 0, duration = 0;
  IndexMode mode = IndexMode::Table;
  std::int64_t start_pts = 0, step = 1;  // Uniform
  std::vector<std::int64_t> pts_table;   // Table
  std::vector<std::int64_t> keyframes;   // sorted frame indices of keyframes (may be empty)

  // Decoding position: index of the last frame the decoder returned (-1: none since the last seek / open).
  bool positioned = false, demux_eof = false, decoder_eof = false;
  std::int64_t last_index = -1, sequential_next = 0;

  [[noreturn]] void fail_here(std::string_view field, std::string_view problem) const { fail(file, field, problem); }

  void open_input() {
    AVFormatContext* raw = nullptr;
    const int err = avformat_open_input(&raw, path.c_str(), nullptr, nullptr);
    if (err == AVERROR_EOF) fail_here("", "no video data (empty or truncated file)");
    if (err < 0) fail_here("", fmt::format("not a readable video or truncated (FFmpeg: {})", av_error_text(err)));
    fmt.reset(raw);
  }

  void check_dimensions(std::int64_t w, std::int64_t h) const {
    if (w <= 0 || h <= 0) fail_here("video stream", fmt::format("invalid frame size {}x{}", w, h));
    if (w > kMaxSide || h > kMaxSide || w * h > kMaxPixels)
      fail_here("video stream", fmt::format("frame size {}x{} exceeds the limit ({} px a side, {} px in all)", w, h,
                                            kMaxSide, kMaxPixels));
  }

  void open() {
    configure_ffmpeg();
    std::error_code ec;
    if (!fs::exists(path, ec)) fail_here("", "no such file");
    if (!fs::is_regular_file(path, ec)) fail_here("", "not a regular file");
    if (fs::file_size(path, ec) == 0) fail_here("", "empty file");
    open_input();
    // Some containers state the size in their header (Y4M, AVI, MP4): reject absurd claims before probing decodes.
    for (unsigned i = 0; i < fmt->nb_streams; ++i) {
      const AVCodecParameters* par = fmt->streams[i]->codecpar;
      if (par->codec_type == AVMEDIA_TYPE_VIDEO && par->width > 0 && par->height > 0)
        check_dimensions(par->width, par->height);
    }
    if (const int err = avformat_find_stream_info(fmt.get(), nullptr); err < 0)
      fail_here("", fmt::format("cannot read stream information (FFmpeg: {})", av_error_text(err)));
    stream = av_find_best_stream(fmt.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
    if (stream < 0) fail_here("", "no video stream (not a video, or a video track without frames)");
    AVStream* st = fmt->streams[stream];
    for (unsigned i = 0; i < fmt->nb_streams; ++i)
      if (static_cast<int>(i) != stream) fmt->streams[i]->discard = AVDISCARD_ALL;
    tb = st->time_base;
    const AVCodecParameters* par = st->codecpar;
    const AVCodec* codec = avcodec_find_decoder(par->codec_id);
    if (par->codec_id == AV_CODEC_ID_NONE || codec == nullptr)
      fail_here("video stream", fmt::format("unsupported codec {} (no decoder in this FFmpeg build)",
                                            quote(avcodec_get_name(par->codec_id))));
    check_dimensions(par->width, par->height);
    width = par->width;
    height = par->height;
    AVRational rate = st->avg_frame_rate;
    if (rate.num <= 0 || rate.den <= 0) rate = st->r_frame_rate;
    fps = (rate.num > 0 && rate.den > 0) ? av_q2d(rate) : 0.0;

    dec.reset(avcodec_alloc_context3(codec));
    if (!dec) fail_here("", "out of memory (decoder)");
    if (avcodec_parameters_to_context(dec.get(), par) < 0) fail_here("video stream", "bad codec parameters");
    dec->thread_count = std::max(0, opt.threads);
    dec->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
    dec->pkt_timebase = tb;
    if (const int err = avcodec_open2(dec.get(), codec, nullptr); err < 0)
      fail_here("video stream",
                fmt::format("cannot open the {} decoder (FFmpeg: {})", codec->name, av_error_text(err)));
    frame.reset(av_frame_alloc());
    pkt.reset(av_packet_alloc());
    if (!frame || !pkt) fail_here("", "out of memory");

    if (!try_uniform_index()) build_table_index();
    if (count == 0) fail_here("video stream", "no frames");
    if (st->duration != AV_NOPTS_VALUE && st->duration > 0)
      duration = static_cast<double>(st->duration) * av_q2d(tb);
    else if (fmt->duration != AV_NOPTS_VALUE && fmt->duration > 0)
      duration = static_cast<double>(fmt->duration) / AV_TIME_BASE;
    else
      duration = fps > 0 ? static_cast<double>(count) / fps : 0.0;
    if (fps <= 0 && duration > 0) fps = static_cast<double>(count) / duration;
    rgb_stride = static_cast<int>((width * 3 + 63) / 64 * 64);
  }

  /// MP4/MOV: trust the sample table when time stamps are evenly spaced, no sample is trimmed by an edit list and
  /// every sample lies inside the file. No packet is read.
  bool try_uniform_index() {
    AVStream* st = fmt->streams[stream];
    if (!is_mov_family(fmt.get())) return false;
    const int n = avformat_index_get_entries_count(st);
    if (n <= 0 || st->nb_frames != n) return false;
    if (n > kMaxFrameCount)
      fail_here("video stream", fmt::format("{} frames exceed the limit of {}", n, kMaxFrameCount));
    const std::int64_t file_size = fmt->pb ? avio_size(fmt->pb) : -1;
    std::int64_t first = 0, prev = 0, end = 0, delta = 0;
    std::vector<std::int64_t> keys;
    for (int i = 0; i < n; ++i) {
      const AVIndexEntry* e = avformat_index_get_entry(st, i);
      if (!e || (e->flags & AVINDEX_DISCARD_FRAME)) return false;
      if (i == 0) first = e->timestamp;
      if (i == 1) delta = e->timestamp - prev;
      if (i >= 2 && e->timestamp - prev != delta) return false;
      prev = e->timestamp;
      end = std::max(end, e->pos + e->size);
      if (e->flags & AVINDEX_KEYFRAME) keys.push_back(i);  // closed GOP: decode position == display position
    }
    if (n >= 2 && delta <= 0) return false;
    if (file_size > 0 && end > file_size)
      fail_here("video stream",
                fmt::format("truncated: frame data runs to byte {} but the file has {} bytes", end, file_size));
    mode = IndexMode::Uniform;
    count = n;
    step = n >= 2 ? delta : 1;
    start_pts = st->start_time != AV_NOPTS_VALUE ? st->start_time : first;
    keyframes = std::move(keys);
    return true;
  }

  /// Any other container: read every packet of the stream once (no decoding) for the count, the presentation
  /// time stamps and the keyframes.
  void build_table_index() {
    std::vector<std::pair<std::int64_t, bool>> seen;  // (pts, keyframe), in file order
    bool have_pts = true, in_file_order = true;
    for (;;) {
      const int err = av_read_frame(fmt.get(), pkt.get());
      if (err == AVERROR_EOF) break;
      if (err < 0)
        fail_here("video stream", fmt::format("cannot read packet {} (truncated or corrupt file; FFmpeg: {})",
                                              seen.size(), av_error_text(err)));
      if (pkt->stream_index == stream && !(pkt->flags & AV_PKT_FLAG_DISCARD)) {
        const std::int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
        if (ts == AV_NOPTS_VALUE) have_pts = false;
        if (!seen.empty() && ts <= seen.back().first) in_file_order = false;
        seen.emplace_back(ts, (pkt->flags & AV_PKT_FLAG_KEY) != 0);
        if (static_cast<std::int64_t>(seen.size()) > kMaxFrameCount)
          fail_here("video stream", fmt::format("more than {} frames (the limit)", kMaxFrameCount));
      }
      av_packet_unref(pkt.get());
    }
    count = static_cast<std::int64_t>(seen.size());
    demux_eof = true;
    check_not_cut(seen, have_pts);
    // A codec that reorders frames (B-frames) with time stamps that never go back in file order: the container
    // stores decoding times (AVI), which cannot tell presentation positions apart.
    const bool reorders = fmt->streams[stream]->codecpar->video_delay > 0 || dec->has_b_frames > 0;
    if (reorders && in_file_order && seen.size() > 1) have_pts = false;
    if (have_pts) {
      std::sort(seen.begin(), seen.end());
      for (std::size_t i = 1; i < seen.size(); ++i)
        if (seen[i].first == seen[i - 1].first) have_pts = false;  // duplicate stamps cannot identify frames
    }
    if (!have_pts) {
      mode = IndexMode::Sequential;
      return;
    }
    mode = IndexMode::Table;
    pts_table.reserve(seen.size());
    for (std::size_t i = 0; i < seen.size(); ++i) {
      pts_table.push_back(seen[i].first);
      if (seen[i].second) keyframes.push_back(static_cast<std::int64_t>(i));
    }
  }

  /// A container that states its duration (Matroska, AVI) but whose packets stop well before it was cut short:
  /// more than 5% of the stated duration plus two frames missing is reported as truncation. The file-wide duration
  /// is used only when the video is the file's one stream (another stream may be longer).
  void check_not_cut(const std::vector<std::pair<std::int64_t, bool>>& seen, bool have_pts) const {
    const AVStream* st = fmt->streams[stream];
    double stated = 0;
    if (st->duration != AV_NOPTS_VALUE && st->duration > 0)
      stated = static_cast<double>(st->duration) * av_q2d(tb);
    else if (fmt->nb_streams == 1 && fmt->duration != AV_NOPTS_VALUE && fmt->duration > 0)
      stated = static_cast<double>(fmt->duration) / AV_TIME_BASE;
    if (stated <= 0 || fps <= 0 || seen.empty()) return;
    const double frame_s = 1.0 / fps;
    double span = static_cast<double>(seen.size()) * frame_s;
    if (have_pts) {
      const auto [lo, hi] = std::minmax_element(seen.begin(), seen.end());
      span = static_cast<double>(hi->first - lo->first) * av_q2d(tb) + frame_s;
    }
    if (span + 2 * frame_s + 0.05 * stated < stated)
      fail_here(
          "video stream",
          fmt::format("truncated: the container states {:.3f} s but the frames stop after {:.3f} s", stated, span));
  }

  std::int64_t pts_of(std::int64_t index) const {
    if (mode == IndexMode::Uniform) return start_pts + index * step;
    return pts_table[static_cast<std::size_t>(index)];
  }

  /// Source frame index of a time stamp; -1 when it is none of the stream's frames.
  std::int64_t index_of(std::int64_t pts) const {
    if (pts == AV_NOPTS_VALUE) return -1;
    if (mode == IndexMode::Uniform) {
      const double x = static_cast<double>(pts - start_pts) / static_cast<double>(step);
      const auto i = static_cast<std::int64_t>(std::llround(x));
      return (i >= 0 && i < count) ? i : -1;
    }
    const auto it = std::lower_bound(pts_table.begin(), pts_table.end(), pts);
    if (it != pts_table.end() && *it == pts) return it - pts_table.begin();
    return -1;
  }

  /// Moves the demuxer to the keyframe at or before frame `index` (or to the start) and resets the decoder.
  void seek_to(std::int64_t index) {
    int err = 0;
    if (mode == IndexMode::Sequential || index <= 0) {
      err = avformat_seek_file(fmt.get(), stream, std::numeric_limits<std::int64_t>::min(),
                               mode == IndexMode::Sequential ? 0 : pts_of(0), std::numeric_limits<std::int64_t>::max(),
                               AVSEEK_FLAG_BACKWARD);
      if (err < 0) err = av_seek_frame(fmt.get(), stream, 0, AVSEEK_FLAG_BACKWARD | AVSEEK_FLAG_BYTE);
    } else {
      err = av_seek_frame(fmt.get(), stream, pts_of(index), AVSEEK_FLAG_BACKWARD);
    }
    if (err < 0) {
      // Not seekable that way: reopen from the start.
      if (index > 0) return seek_to(0);
      fmt.reset();
      open_input();
      if (const int e = avformat_find_stream_info(fmt.get(), nullptr); e < 0)
        fail_here("", fmt::format("cannot reopen (FFmpeg: {})", av_error_text(e)));
      for (unsigned i = 0; i < fmt->nb_streams; ++i)
        if (static_cast<int>(i) != stream) fmt->streams[i]->discard = AVDISCARD_ALL;
    }
    avcodec_flush_buffers(dec.get());
    positioned = true;
    demux_eof = decoder_eof = false;
    last_index = -1;
    sequential_next = 0;
  }

  /// The keyframe at or before `index` (0 when unknown).
  std::int64_t keyframe_before(std::int64_t index) const {
    const auto it = std::upper_bound(keyframes.begin(), keyframes.end(), index);
    return it == keyframes.begin() ? 0 : *(it - 1);
  }

  bool should_seek(std::int64_t target) const {
    if (!positioned || decoder_eof || target <= last_index) return true;
    if (mode == IndexMode::Sequential) return false;
    if (opt.seek_gap > 0) return target - last_index > opt.seek_gap;
    return keyframe_before(target) > last_index;
  }

  /// Converts the decoded frame into `dst` (H*W*3 bytes).
  void convert(std::uint8_t* dst) {
    if (frame->width != width || frame->height != height)
      fail_here("video stream",
                fmt::format("frame size changes from {}x{} to {}x{}", width, height, frame->width, frame->height));
    const int range = frame->color_range == AVCOL_RANGE_JPEG ? 1 : 0;
    if (!sws || frame->format != sws_format || range != sws_range) {
      SwsContext* s = sws_getContext(
          static_cast<int>(width), static_cast<int>(height), static_cast<AVPixelFormat>(frame->format),
          static_cast<int>(width), static_cast<int>(height), AV_PIX_FMT_RGB24, SWS_BILINEAR, nullptr, nullptr, nullptr);
      if (!s)
        fail_here("video stream", fmt::format("cannot convert pixel format {} to RGB",
                                              quote(av_get_pix_fmt_name(static_cast<AVPixelFormat>(frame->format))
                                                        ? av_get_pix_fmt_name(static_cast<AVPixelFormat>(frame->format))
                                                        : "?")));
      sws.reset(s);
      const int* coeffs = sws_getCoefficients(SWS_CS_ITU601);
      sws_setColorspaceDetails(s, coeffs, range, coeffs, 1, 0, 1 << 16, 1 << 16);
      sws_format = frame->format;
      sws_range = range;
      rgb_scratch.assign(static_cast<std::size_t>(rgb_stride) * static_cast<std::size_t>(height) + 64, 0);
    }
    std::uint8_t* out_planes[4] = {rgb_scratch.data(), nullptr, nullptr, nullptr};
    int out_strides[4] = {rgb_stride, 0, 0, 0};
    sws_scale(sws.get(), frame->data, frame->linesize, 0, static_cast<int>(height), out_planes, out_strides);
    const std::size_t row = static_cast<std::size_t>(width) * 3;
    for (std::int64_t y = 0; y < height; ++y)
      std::memcpy(dst + static_cast<std::size_t>(y) * row,
                  rgb_scratch.data() + static_cast<std::size_t>(y) * rgb_stride, row);
  }

  /// Pulls the next decoded frame, feeding packets as needed. Frames whose packets map to unwanted indices are
  /// decoded with AVDISCARD_NONREF (non-reference frames skipped). Returns false at the end of the stream.
  bool next_frame(const std::vector<char>& wanted) {
    for (;;) {
      const int got = avcodec_receive_frame(dec.get(), frame.get());
      if (got == 0) return true;
      if (got == AVERROR_EOF) {
        decoder_eof = true;
        return false;
      }
      if (got != AVERROR(EAGAIN))
        fail_here("video stream", fmt::format("decoding failed (corrupt file?; FFmpeg: {})", av_error_text(got)));
      if (demux_eof) {
        avcodec_send_packet(dec.get(), nullptr);  // drain
        continue;
      }
      const int err = av_read_frame(fmt.get(), pkt.get());
      if (err == AVERROR_EOF) {
        demux_eof = true;
        continue;
      }
      if (err < 0)
        fail_here("video stream",
                  fmt::format("cannot read a packet (truncated or corrupt file; FFmpeg: {})", av_error_text(err)));
      if (pkt->stream_index != stream) {
        av_packet_unref(pkt.get());
        continue;
      }
      if (mode != IndexMode::Sequential) {
        const std::int64_t i = index_of(pkt->pts);
        const bool need = i < 0 || wanted[static_cast<std::size_t>(i)];
        dec->skip_frame = need ? AVDISCARD_DEFAULT : AVDISCARD_NONREF;
      }
      const int sent = avcodec_send_packet(dec.get(), pkt.get());
      av_packet_unref(pkt.get());
      if (sent < 0 && sent != AVERROR(EAGAIN) && sent != AVERROR_INVALIDDATA)
        fail_here("video stream", fmt::format("decoding failed (FFmpeg: {})", av_error_text(sent)));
    }
  }

  /// Index of the frame just decoded.
  std::int64_t frame_index() {
    if (mode == IndexMode::Sequential) return sequential_next++;
    return index_of(frame->best_effort_timestamp != AV_NOPTS_VALUE ? frame->best_effort_timestamp : frame->pts);
  }

  /// Fails unless `n` frames fit in ReaderOptions::max_bytes.
  void check_bytes(std::int64_t n) const {
    const std::int64_t fb = width * height * 3;
    if (n > 0 && n > opt.max_bytes / fb)
      fail_here("frames",
                fmt::format("{} frames of {}x{} need {} bytes, over the limit of {} (ReaderOptions::max_bytes)", n,
                            width, height, static_cast<double>(n) * static_cast<double>(fb), opt.max_bytes));
  }

  Frames read(std::span<const std::int64_t> indices) {
    Frames out;
    out.width = width;
    out.height = height;
    const auto n = static_cast<std::int64_t>(indices.size());
    for (std::int64_t i : indices)
      if (i < 0 || i >= count) fail_here("frame index", fmt::format("{} outside [0, {})", i, count));
    check_bytes(n);
    const std::int64_t fb = width * height * 3;
    out.count = n;
    out.indices.assign(indices.begin(), indices.end());
    out.rgb.resize(static_cast<std::size_t>(n * fb));
    if (n == 0) return out;

    // Output slots of each wanted index (an index may be asked for more than once).
    std::map<std::int64_t, std::vector<std::int64_t>> slots;
    for (std::int64_t s = 0; s < n; ++s) slots[indices[static_cast<std::size_t>(s)]].push_back(s);
    std::vector<char> wanted(static_cast<std::size_t>(count), 0), done(static_cast<std::size_t>(count), 0);
    for (const auto& [i, _] : slots) wanted[static_cast<std::size_t>(i)] = 1;

    auto store = [&](std::int64_t i) {
      const auto& s = slots.at(i);
      convert(out.frame(s.front()));
      for (std::size_t k = 1; k < s.size(); ++k)
        std::memcpy(out.frame(s[k]), out.frame(s.front()), static_cast<std::size_t>(fb));
      done[static_cast<std::size_t>(i)] = 1;
    };

    for (const auto& [target, _] : slots) {
      if (done[static_cast<std::size_t>(target)]) continue;
      // Seek to the keyframe before the target; if the demuxer lands past the target (it seeks by decoding time
      // stamps), back off one keyframe interval more each time, ending at the start of the file.
      std::int64_t back = 0;
      const std::int64_t gop = std::max<std::int64_t>(1, std::llround(mean_gop()));
      bool seek = should_seek(target);
      for (;;) {
        if (seek) seek_to(std::max<std::int64_t>(0, keyframe_before(target) - back));
        const bool fresh = seek;
        bool first = true, overshot = false, found = false;
        while (next_frame(wanted)) {
          const std::int64_t i = frame_index();
          if (i < 0) continue;  // a time stamp that is none of the stream's frames (corrupt); skip it
          if (first && fresh && i > target && mode != IndexMode::Sequential && keyframe_before(target) - back > 0) {
            overshot = true;
            break;
          }
          first = false;
          last_index = i;
          if (wanted[static_cast<std::size_t>(i)] && !done[static_cast<std::size_t>(i)]) store(i);
          if (i >= target) {
            found = done[static_cast<std::size_t>(target)] != 0;
            break;
          }
        }
        if (overshot) {
          back += gop;
          seek = true;
          continue;
        }
        if (!found && !fresh) {
          // Continuing from an earlier call whose read-ahead skipped this frame as unwanted (a non-reference frame
          // sent with AVDISCARD_NONREF): decode it again from its keyframe.
          seek = true;
          continue;
        }
        if (!found) {
          positioned = false;
          if (decoder_eof)
            fail_here("video stream",
                      fmt::format("the stream ended before frame {} of {} (truncated file?)", target, count));
          fail_here("video stream", fmt::format("frame {} is missing from the decoded stream (corrupt file?)", target));
        }
        break;
      }
    }
    return out;
  }

  double mean_gop() const {
    if (keyframes.empty()) return static_cast<double>(count);
    return static_cast<double>(count) / static_cast<double>(keyframes.size());
  }
};

VideoReader::VideoReader(const fs::path& path, ReaderOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  impl_->file = path.string();
  impl_->opt = options;
  impl_->open();
}

VideoReader::~VideoReader() = default;
VideoReader::VideoReader(VideoReader&&) noexcept = default;
VideoReader& VideoReader::operator=(VideoReader&&) noexcept = default;

std::int64_t VideoReader::frame_count() const { return impl_->count; }
bool VideoReader::frame_count_was_counted() const { return impl_->mode != IndexMode::Uniform; }
double VideoReader::fps() const { return impl_->fps; }
std::int64_t VideoReader::width() const { return impl_->width; }
std::int64_t VideoReader::height() const { return impl_->height; }
double VideoReader::duration_s() const { return impl_->duration; }
double VideoReader::keyframe_interval() const { return impl_->mean_gop(); }
std::string VideoReader::codec_name() const { return avcodec_get_name(impl_->dec->codec_id); }
std::string VideoReader::container_name() const { return impl_->fmt->iformat->name; }
const fs::path& VideoReader::path() const { return impl_->path; }

Frames VideoReader::read_all() {
  impl_->check_bytes(impl_->count);
  std::vector<std::int64_t> all(static_cast<std::size_t>(impl_->count));
  for (std::int64_t i = 0; i < impl_->count; ++i) all[static_cast<std::size_t>(i)] = i;
  return impl_->read(all);
}

Frames VideoReader::read_indices(std::span<const std::int64_t> indices) { return impl_->read(indices); }

Frames VideoReader::sample_uniform(std::int64_t n) {
  std::vector<std::int64_t> idx;
  try {
    idx = uniform_indices(impl_->count, n);
  } catch (const Error& e) {
    fail(impl_->file, e.field(), e.problem());
  }
  return impl_->read(idx);
}

}  // namespace vsr::video
