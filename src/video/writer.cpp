#include "vsr/video/writer.hpp"

#include "ffmpeg_support.hpp"
#include "vsr/core/error.hpp"
#include "vsr/video/reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <system_error>

namespace vsr::video {

namespace fs = std::filesystem;
using namespace detail;

namespace {

/// Frees an output AVFormatContext (closing its file if still open).
struct OutputCloser {
  void operator()(AVFormatContext* c) const {
    if (c->pb) avio_closep(&c->pb);
    avformat_free_context(c);
  }
};
using OutputPtr = std::unique_ptr<AVFormatContext, OutputCloser>;

}  // namespace

struct VideoWriter::Impl {
  fs::path path, tmp;
  std::string file;
  std::int64_t width = 0, height = 0, written = 0;
  OutputPtr out;
  CodecPtr enc;
  FramePtr yuv;
  FramePtr rgb_padded;  ///< the caller's RGB rows copied into padded lines: swscale's SIMD reads past a row's end
  PacketPtr pkt;
  SwsPtr sws;
  AVStream* st = nullptr;
  bool closed = false;
  int uncaught = 0;
  std::string encoder;

  [[noreturn]] void fail_here(std::string_view field, std::string_view problem) {
    discard();
    fail(file, field, problem);
  }

  /// Drops everything and removes the temporary file.
  void discard() noexcept {
    closed = true;
    sws.reset();
    enc.reset();
    out.reset();
    std::error_code ec;
    if (!tmp.empty()) fs::remove(tmp, ec);
  }

  void open(double fps, const WriterOptions& opt) {
    configure_ffmpeg();
    if (width <= 0 || height <= 0 || width % 2 || height % 2 || width > kMaxSide || height > kMaxSide)
      fail(file, "size",
           fmt::format("expected even width and height in [2, {}] (4:2:0 video), got {}x{}", kMaxSide, width, height));
    if (!(fps > 0) || !std::isfinite(fps) || fps > 1000)
      fail(file, "fps", fmt::format("expected (0, 1000], got {}", fps));
    if (opt.quality < 0 || opt.quality > 51) fail(file, "quality", fmt::format("expected 0..51, got {}", opt.quality));
    tmp = path;
    tmp += ".part";

    AVFormatContext* raw = nullptr;
    if (avformat_alloc_output_context2(&raw, nullptr, nullptr, path.c_str()) < 0 || !raw)
      fail(file, "", fmt::format("no video container for the extension {}", quote(path.extension().string())));
    out.reset(raw);
    av_freep(&out->url);  // the muxer works on the temporary file (MP4 faststart reads it back by this name)
    out->url = av_strdup(tmp.c_str());

    const AVCodec* codec = avcodec_find_encoder_by_name("libx264");
    if (!codec || avformat_query_codec(out->oformat, codec->id, FF_COMPLIANCE_NORMAL) != 1)
      codec = avcodec_find_encoder(AV_CODEC_ID_MPEG4);
    if (!codec) fail_here("", "this FFmpeg build has neither libx264 nor an MPEG-4 encoder");
    if (avformat_query_codec(out->oformat, codec->id, FF_COMPLIANCE_NORMAL) == 0)
      fail_here("", fmt::format("the {} container cannot hold {} video", out->oformat->name, codec->name));

    const AVRational rate = av_d2q(fps, 65535);  // MPEG-4 Part 2 allows time base denominators up to 65535
    enc.reset(avcodec_alloc_context3(codec));
    if (!enc) fail_here("", "out of memory (encoder)");
    enc->width = static_cast<int>(width);
    enc->height = static_cast<int>(height);
    enc->pix_fmt = AV_PIX_FMT_YUV420P;
    enc->time_base = av_inv_q(rate);
    enc->framerate = rate;
    enc->sample_aspect_ratio = AVRational{1, 1};
    enc->color_range = AVCOL_RANGE_MPEG;
    enc->colorspace = AVCOL_SPC_SMPTE170M;  // BT.601, the matrix swscale uses below
    enc->thread_count = std::max(0, opt.threads);
    if (opt.gop > 0) enc->gop_size = opt.gop;
    if (out->oformat->flags & AVFMT_GLOBALHEADER) enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    AVDictionary* codec_opts = nullptr;
    if (codec->id == AV_CODEC_ID_H264) {
      av_dict_set(&codec_opts, "crf", std::to_string(opt.quality).c_str(), 0);
      av_dict_set(&codec_opts, "preset", opt.preset.c_str(), 0);
      // libx264's AVX-512 mbtree_propagate_list handles 8 macroblocks per step with no tail mask: for a width that is
      // not a multiple of 128 pixels it adds a propagate cost computed from never-written heap memory (x264 clears
      // one row of a B-frame's i_propagate_cost) into the reference frames, so the bitstream depended on heap history
      // (synth at 112x84: ~65 of 96 videos differed between two runs). cpu-independent=1 selects x264's C mbtree
      // functions (and CPU-independent intra analysis): the same bytes on every run and every x86 machine.
      av_dict_set(&codec_opts, "x264-params", "cpu-independent=1", 0);
    } else {
      enc->flags |= AV_CODEC_FLAG_QSCALE;
      enc->global_quality = FF_QP2LAMBDA * std::clamp(opt.quality / 5, 2, 31);
    }
    const int err = avcodec_open2(enc.get(), codec, &codec_opts);
    av_dict_free(&codec_opts);
    if (err < 0) fail_here("encoder", fmt::format("cannot open {} (FFmpeg: {})", codec->name, av_error_text(err)));
    encoder = codec->name;

    st = avformat_new_stream(out.get(), nullptr);
    if (!st) fail_here("", "out of memory (stream)");
    st->time_base = enc->time_base;
    st->avg_frame_rate = rate;
    if (avcodec_parameters_from_context(st->codecpar, enc.get()) < 0) fail_here("encoder", "bad codec parameters");

    if (const int e = avio_open(&out->pb, tmp.c_str(), AVIO_FLAG_WRITE); e < 0)
      fail_here("", fmt::format("cannot create {} (FFmpeg: {})", tmp.string(), av_error_text(e)));
    AVDictionary* mux_opts = nullptr;
    if (opt.faststart) av_dict_set(&mux_opts, "movflags", "+faststart", 0);
    const int h = avformat_write_header(out.get(), &mux_opts);
    av_dict_free(&mux_opts);
    if (h < 0) fail_here("", fmt::format("cannot write the header (FFmpeg: {})", av_error_text(h)));

    yuv.reset(av_frame_alloc());
    pkt.reset(av_packet_alloc());
    if (!yuv || !pkt) fail_here("", "out of memory");
    yuv->format = AV_PIX_FMT_YUV420P;
    yuv->width = enc->width;
    yuv->height = enc->height;
    if (av_frame_get_buffer(yuv.get(), 0) < 0) fail_here("", "out of memory (frame)");
    rgb_padded.reset(av_frame_alloc());
    if (!rgb_padded) fail_here("", "out of memory");
    rgb_padded->format = AV_PIX_FMT_RGB24;
    rgb_padded->width = enc->width;
    rgb_padded->height = enc->height;
    if (av_frame_get_buffer(rgb_padded.get(), 64) < 0) fail_here("", "out of memory (frame)");
    std::memset(rgb_padded->buf[0]->data, 0, rgb_padded->buf[0]->size);  // the padding swscale may read
    sws.reset(sws_getContext(enc->width, enc->height, AV_PIX_FMT_RGB24, enc->width, enc->height, AV_PIX_FMT_YUV420P,
                             SWS_BILINEAR, nullptr, nullptr, nullptr));
    if (!sws) fail_here("", "cannot create the RGB to YUV converter");
    const int* coeffs = sws_getCoefficients(SWS_CS_ITU601);
    sws_setColorspaceDetails(sws.get(), coeffs, 1, coeffs, 0, 0, 1 << 16, 1 << 16);
  }

  /// Sends `frame` (nullptr flushes) and writes every packet the encoder returns.
  void encode(AVFrame* frame) {
    if (const int e = avcodec_send_frame(enc.get(), frame); e < 0)
      fail_here("encoder", fmt::format("encoding failed (FFmpeg: {})", av_error_text(e)));
    for (;;) {
      const int r = avcodec_receive_packet(enc.get(), pkt.get());
      if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) return;
      if (r < 0) fail_here("encoder", fmt::format("encoding failed (FFmpeg: {})", av_error_text(r)));
      // One frame per packet: without a duration the MP4 muxer gives the last sample duration 0 and readers lose it.
      if (pkt->duration <= 0) pkt->duration = 1;
      av_packet_rescale_ts(pkt.get(), enc->time_base, st->time_base);
      pkt->stream_index = st->index;
      if (const int w = av_interleaved_write_frame(out.get(), pkt.get()); w < 0)
        fail_here("", fmt::format("cannot write a packet (disk full?; FFmpeg: {})", av_error_text(w)));
    }
  }

  void write(const std::uint8_t* rgb) {
    if (closed) fail(file, "", "write after close");
    if (!rgb) fail_here("frame", "null pixel pointer");
    if (av_frame_make_writable(yuv.get()) < 0) fail_here("", "out of memory (frame)");
    // swscale reads up to 16 bytes at a time and so past the end of a tightly packed frame (valgrind: 4 bytes
    // beyond the last row), which made the encoded video depend on whatever followed the caller's buffer.
    const auto row = static_cast<std::size_t>(width) * 3;
    for (std::int64_t y = 0; y < height; ++y)
      std::memcpy(rgb_padded->data[0] + y * rgb_padded->linesize[0], rgb + static_cast<std::size_t>(y) * row, row);
    sws_scale(sws.get(), rgb_padded->data, rgb_padded->linesize, 0, static_cast<int>(height), yuv->data,
              yuv->linesize);
    yuv->pts = written;
    encode(yuv.get());
    ++written;
  }

  void close() {
    if (closed) return;
    encode(nullptr);
    if (const int e = av_write_trailer(out.get()); e < 0)
      fail_here("", fmt::format("cannot write the trailer (FFmpeg: {})", av_error_text(e)));
    if (const int e = avio_closep(&out->pb); e < 0)
      fail_here("", fmt::format("cannot close the file (disk full?; FFmpeg: {})", av_error_text(e)));
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) fail_here("", fmt::format("cannot rename {} into place ({})", tmp.string(), ec.message()));
    tmp.clear();
    discard();
  }
};

VideoWriter::VideoWriter(const fs::path& path, std::int64_t width, std::int64_t height, double fps, int quality)
    : VideoWriter(path, width, height, fps, WriterOptions{.quality = quality}) {}

VideoWriter::VideoWriter(const fs::path& path, std::int64_t width, std::int64_t height, double fps,
                         const WriterOptions& options)
    : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  impl_->file = path.string();
  impl_->width = width;
  impl_->height = height;
  impl_->uncaught = std::uncaught_exceptions();
  impl_->open(fps, options);
}

VideoWriter::~VideoWriter() {
  if (!impl_ || impl_->closed) return;
  if (std::uncaught_exceptions() > impl_->uncaught) {
    impl_->discard();
    return;
  }
  try {
    impl_->close();
  } catch (...) {
    impl_->discard();
  }
}

VideoWriter::VideoWriter(VideoWriter&&) noexcept = default;
VideoWriter& VideoWriter::operator=(VideoWriter&& other) noexcept {
  if (this != &other) {
    if (impl_ && !impl_->closed) {
      try {
        impl_->close();
      } catch (...) {
        impl_->discard();
      }
    }
    impl_ = std::move(other.impl_);
  }
  return *this;
}

void VideoWriter::write(const std::uint8_t* rgb) { impl_->write(rgb); }
void VideoWriter::close() { impl_->close(); }
std::int64_t VideoWriter::frames_written() const { return impl_->written; }
std::string VideoWriter::encoder_name() const { return impl_->encoder; }

}  // namespace vsr::video
