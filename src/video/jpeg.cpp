// JPEG encode / decode of single images with FFmpeg's MJPEG codec (the colour frames of ScanNet's .sens files).
#include "vsr/video/jpeg.hpp"

#include "ffmpeg_support.hpp"
#include "vsr/core/error.hpp"

#include <fmt/format.h>

#include <cstring>

namespace vsr::video {

using namespace detail;

namespace {

constexpr std::int64_t kMaxJpegSide = 16384;

/// Converts between two packed / planar frames of the same size with swscale, full-range BT.601 (JPEG's YCbCr).
void convert(const AVFrame& src, AVFrame& dst, const std::string& where) {
  SwsPtr sws(sws_getContext(src.width, src.height, static_cast<AVPixelFormat>(src.format), dst.width, dst.height,
                            static_cast<AVPixelFormat>(dst.format), SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT,
                            nullptr, nullptr, nullptr));
  if (!sws) fail(where, "jpeg", "cannot create the colour converter");
  const int* coeffs = sws_getCoefficients(SWS_CS_ITU601);
  sws_setColorspaceDetails(sws.get(), coeffs, 1, coeffs, 1, 0, 1 << 16, 1 << 16);
  sws_scale(sws.get(), src.data, src.linesize, 0, src.height, dst.data, dst.linesize);
}

FramePtr alloc_frame(int format, std::int64_t width, std::int64_t height, const std::string& where) {
  FramePtr f(av_frame_alloc());
  if (!f) fail(where, "jpeg", "out of memory");
  f->format = format;
  f->width = static_cast<int>(width);
  f->height = static_cast<int>(height);
  if (av_frame_get_buffer(f.get(), 64) < 0) fail(where, "jpeg", "out of memory (frame)");
  std::memset(f->buf[0]->data, 0, f->buf[0]->size);
  return f;
}

}  // namespace

std::vector<std::uint8_t> encode_jpeg(const std::uint8_t* rgb, std::int64_t width, std::int64_t height, int qscale,
                                      const std::string& where) {
  configure_ffmpeg();
  if (width <= 0 || height <= 0 || width > kMaxJpegSide || height > kMaxJpegSide)
    fail(where, "jpeg", fmt::format("expected an image size in [1, {}], got {}x{}", kMaxJpegSide, width, height));
  if (qscale < 2 || qscale > 31) fail(where, "jpeg", fmt::format("expected a quantiser scale in 2..31, got {}", qscale));
  const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
  if (!codec) fail(where, "jpeg", "this FFmpeg build has no MJPEG encoder");
  CodecPtr enc(avcodec_alloc_context3(codec));
  if (!enc) fail(where, "jpeg", "out of memory (encoder)");
  enc->width = static_cast<int>(width);
  enc->height = static_cast<int>(height);
  enc->pix_fmt = AV_PIX_FMT_YUVJ420P;
  enc->color_range = AVCOL_RANGE_JPEG;
  enc->time_base = AVRational{1, 30};
  enc->flags |= AV_CODEC_FLAG_QSCALE;
  enc->global_quality = FF_QP2LAMBDA * qscale;
  if (const int e = avcodec_open2(enc.get(), codec, nullptr); e < 0)
    fail(where, "jpeg", fmt::format("cannot open the MJPEG encoder (FFmpeg: {})", av_error_text(e)));
  FramePtr src = alloc_frame(AV_PIX_FMT_RGB24, width, height, where);
  for (std::int64_t y = 0; y < height; ++y)
    std::memcpy(src->data[0] + y * src->linesize[0], rgb + y * width * 3, static_cast<std::size_t>(width) * 3);
  FramePtr yuv = alloc_frame(AV_PIX_FMT_YUVJ420P, width, height, where);
  convert(*src, *yuv, where);
  yuv->quality = enc->global_quality;
  yuv->pts = 0;
  PacketPtr pkt(av_packet_alloc());
  if (!pkt) fail(where, "jpeg", "out of memory");
  if (const int e = avcodec_send_frame(enc.get(), yuv.get()); e < 0)
    fail(where, "jpeg", fmt::format("encoding failed (FFmpeg: {})", av_error_text(e)));
  avcodec_send_frame(enc.get(), nullptr);
  if (const int e = avcodec_receive_packet(enc.get(), pkt.get()); e < 0)
    fail(where, "jpeg", fmt::format("encoding failed (FFmpeg: {})", av_error_text(e)));
  return {pkt->data, pkt->data + pkt->size};
}

std::vector<std::uint8_t> decode_jpeg(std::span<const std::uint8_t> jpeg, std::int64_t& width, std::int64_t& height,
                                      const std::string& where) {
  configure_ffmpeg();
  if (jpeg.size() < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8)
    fail(where, "jpeg", "expected a JPEG image (starting with the SOI marker FF D8)");
  const AVCodec* codec = avcodec_find_decoder(AV_CODEC_ID_MJPEG);
  if (!codec) fail(where, "jpeg", "this FFmpeg build has no MJPEG decoder");
  CodecPtr dec(avcodec_alloc_context3(codec));
  if (!dec) fail(where, "jpeg", "out of memory (decoder)");
  dec->thread_count = 1;
  if (const int e = avcodec_open2(dec.get(), codec, nullptr); e < 0)
    fail(where, "jpeg", fmt::format("cannot open the MJPEG decoder (FFmpeg: {})", av_error_text(e)));
  PacketPtr pkt(av_packet_alloc());
  if (!pkt || av_new_packet(pkt.get(), static_cast<int>(jpeg.size())) < 0) fail(where, "jpeg", "out of memory");
  std::memcpy(pkt->data, jpeg.data(), jpeg.size());  // av_new_packet zeroes the input padding after it
  FramePtr frame(av_frame_alloc());
  if (!frame) fail(where, "jpeg", "out of memory");
  int e = avcodec_send_packet(dec.get(), pkt.get());
  if (e >= 0) {
    avcodec_send_packet(dec.get(), nullptr);
    e = avcodec_receive_frame(dec.get(), frame.get());
  }
  if (e < 0) fail(where, "jpeg", fmt::format("not a decodable JPEG image (FFmpeg: {})", av_error_text(e)));
  if (frame->width <= 0 || frame->height <= 0 || frame->width > kMaxJpegSide || frame->height > kMaxJpegSide)
    fail(where, "jpeg", fmt::format("unsupported JPEG size {}x{}", frame->width, frame->height));
  width = frame->width;
  height = frame->height;
  FramePtr rgb = alloc_frame(AV_PIX_FMT_RGB24, width, height, where);
  convert(*frame, *rgb, where);
  std::vector<std::uint8_t> out(static_cast<std::size_t>(width * height * 3));
  for (std::int64_t y = 0; y < height; ++y)
    std::memcpy(out.data() + y * width * 3, rgb->data[0] + y * rgb->linesize[0], static_cast<std::size_t>(width) * 3);
  return out;
}

}  // namespace vsr::video
