#pragma once
// Private to src/video: FFmpeg headers, owning pointers for FFmpeg objects, and error text. Never include from a
// public header.

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/imgutils.h>
#include <libavutil/mem.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
}

#include <cstddef>
#include <memory>
#include <string>

namespace vsr::video::detail {

/// Frees an input AVFormatContext.
struct InputCloser {
  void operator()(AVFormatContext* c) const { avformat_close_input(&c); }
};
/// Frees an AVCodecContext.
struct CodecCloser {
  void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
/// Frees an AVFrame.
struct FrameCloser {
  void operator()(AVFrame* f) const { av_frame_free(&f); }
};
/// Frees an AVPacket.
struct PacketCloser {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
/// Frees a SwsContext.
struct SwsCloser {
  void operator()(SwsContext* s) const { sws_freeContext(s); }
};

using InputPtr = std::unique_ptr<AVFormatContext, InputCloser>;
using CodecPtr = std::unique_ptr<AVCodecContext, CodecCloser>;
using FramePtr = std::unique_ptr<AVFrame, FrameCloser>;
using PacketPtr = std::unique_ptr<AVPacket, PacketCloser>;
using SwsPtr = std::unique_ptr<SwsContext, SwsCloser>;

/// FFmpeg's text for an AVERROR code.
inline std::string av_error_text(int err) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(err, buf, sizeof buf);
  return buf;
}

/// Largest single allocation FFmpeg may make (av_max_alloc; FFmpeg's default is INT_MAX): above the largest legitimate
/// one (a sample index of kMaxFrameCount entries, about 240 MB; an 8192 x 8192 plane, 64 MB), below what a few bytes
/// of a corrupt header can claim (fuzz_video found a 2.4 kB MP4 making the mov demuxer reserve 1.1 GB).
inline constexpr std::size_t kMaxFfmpegAllocation = std::size_t{512} << 20;

/// Process-wide FFmpeg settings, applied once before any FFmpeg work: the allocation cap kMaxFfmpegAllocation, and
/// FFmpeg's own log kept quiet (fatal messages only) unless the environment variable VSR_FFMPEG_LOG is set to one of
/// quiet, panic, fatal, error, warning, info, verbose, debug.
void configure_ffmpeg();

}  // namespace vsr::video::detail
