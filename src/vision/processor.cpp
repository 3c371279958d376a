// Qwen2-VL processor (transformers 4.45.1 semantics): resize, normalise, patchify, pad expansion.
#include "vsr/vision/processor.hpp"

#include "vsr/core/config.hpp"
#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/runtime/parallel.hpp"
#include "vsr/vision/pillow_resize.hpp"

#include <ATen/ops/empty.h>
#include <nlohmann/json.hpp>

#include <string>

namespace vsr::vision {

namespace {

constexpr const char* kInput = "<vision input>";

// The normalised float32 value of every uint8 level per channel: exactly numpy's
// float32(float64(x) * rescale) then (x - float32(mean)) / float32(std) in float32.
using Lut = std::array<std::array<float, 256>, 3>;

Lut make_lut(const ProcessorOptions& o) {
  Lut lut{};
  for (int c = 0; c < 3; ++c) {
    const float mean = static_cast<float>(o.image_mean[c]);
    const float std_dev = static_cast<float>(o.image_std[c]);
    for (int v = 0; v < 256; ++v) {
      const float x = static_cast<float>(static_cast<double>(v) * o.rescale_factor);
      const float centred = x - mean;
      lut[c][v] = centred / std_dev;
    }
  }
  return lut;
}

// Checks a uint8 [T, H, W, 3] frames tensor and returns it contiguous on the CPU.
at::Tensor checked_frames(const at::Tensor& frames, const char* what) {
  require(frames.defined(), kInput, what, "expected a tensor, got an undefined one");
  require(frames.scalar_type() == at::kByte, kInput, what,
          std::string("expected uint8 pixels, got ") + c10::toString(frames.scalar_type()));
  require(frames.dim() == 4 && frames.size(3) == 3, kInput, what,
          "expected [frames, height, width, 3] RGB, got " + c10::str(frames.sizes()));
  require(frames.size(0) > 0, kInput, what, "expected at least one frame, got 0");
  return frames.cpu().contiguous();
}

}  // namespace

void ProcessorOptions::describe(OptionSet& set) {
  set.add("min_pixels", min_pixels, "smallest resized image/frame area in pixels (Qwen2-VL smart_resize)")
      .add("max_pixels", max_pixels, "largest resized image/frame area in pixels (Qwen2-VL smart_resize)");
}

void ProcessorOptions::validate() const {
  const std::string where = "<config>";
  require(min_pixels >= 0, where, "processor.min_pixels", "expected >= 0, got " + std::to_string(min_pixels));
  require(max_pixels > 0 && max_pixels >= min_pixels, where, "processor.max_pixels",
          "expected a positive value >= min_pixels, got " + std::to_string(max_pixels));
  require(patch_size > 0, where, "processor.patch_size", "expected > 0, got " + std::to_string(patch_size));
  require(merge_size > 0, where, "processor.merge_size", "expected > 0, got " + std::to_string(merge_size));
  require(temporal_patch_size > 0, where, "processor.temporal_patch_size",
          "expected > 0, got " + std::to_string(temporal_patch_size));
  require(rescale_factor > 0, where, "processor.rescale_factor", "expected > 0");
  for (double s : image_std) require(s != 0.0, where, "processor.image_std", "expected non-zero values");
}

ProcessorOptions ProcessorOptions::from_file(const std::filesystem::path& path) {
  const std::string file = path.string();
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_file(path));
  } catch (const nlohmann::json::exception& e) {
    fail(file, "", std::string("expected JSON, ") + e.what());
  }
  require(j.is_object(), file, "", "expected a JSON object");
  ProcessorOptions o;
  auto int_key = [&](const nlohmann::json& obj, const char* key, std::string field, auto& target) {
    if (!obj.contains(key)) return;
    require(obj[key].is_number_integer(), file, field, "expected an integer, got " + quote(obj[key].dump()));
    target = obj[key].get<std::remove_reference_t<decltype(target)>>();
  };
  if (j.contains("size") && j["size"].is_object()) {
    const auto& s = j["size"];
    int_key(s, "shortest_edge", "size.shortest_edge", o.min_pixels);
    int_key(s, "longest_edge", "size.longest_edge", o.max_pixels);
    int_key(s, "min_pixels", "size.min_pixels", o.min_pixels);
    int_key(s, "max_pixels", "size.max_pixels", o.max_pixels);
  }
  int_key(j, "min_pixels", "min_pixels", o.min_pixels);
  int_key(j, "max_pixels", "max_pixels", o.max_pixels);
  int_key(j, "patch_size", "patch_size", o.patch_size);
  int_key(j, "merge_size", "merge_size", o.merge_size);
  int_key(j, "temporal_patch_size", "temporal_patch_size", o.temporal_patch_size);
  if (j.contains("rescale_factor")) {
    require(j["rescale_factor"].is_number(), file, "rescale_factor", "expected a number");
    o.rescale_factor = j["rescale_factor"].get<double>();
  }
  for (const char* key : {"image_mean", "image_std"}) {
    if (!j.contains(key)) continue;
    const auto& v = j[key];
    require(v.is_array() && v.size() == 3 && v[0].is_number() && v[1].is_number() && v[2].is_number(), file, key,
            "expected 3 numbers, got " + quote(v.dump()));
    auto& target = std::string(key) == "image_mean" ? o.image_mean : o.image_std;
    for (int c = 0; c < 3; ++c) target[c] = v[c].get<double>();
  }
  for (const char* key : {"do_resize", "do_rescale", "do_normalize"}) {
    if (j.contains(key))
      require(j[key] == true, file, key, "only true is supported, got " + quote(j[key].dump()));
  }
  if (j.contains("resample"))
    require(j["resample"] == 3, file, "resample", "only 3 (bicubic) is supported, got " + quote(j["resample"].dump()));
  try {
    o.validate();
  } catch (const Error& e) {
    fail(file, e.field(), e.problem());
  }
  return o;
}

ImageSize target_size(std::int64_t height, std::int64_t width, const ProcessorOptions& options) {
  const ImageSize size = smart_resize(height, width, std::int64_t{options.patch_size} * options.merge_size,
                                      options.min_pixels, options.max_pixels);
  require(size.height > 0 && size.width > 0, kInput, "size",
          "a " + std::to_string(height) + "x" + std::to_string(width) + " frame resizes to " +
              std::to_string(size.height) + "x" + std::to_string(size.width) + " under max_pixels " +
              std::to_string(options.max_pixels));
  return size;
}

at::Tensor resize_frames(const at::Tensor& frames_in, const ProcessorOptions& options) {
  const at::Tensor frames = checked_frames(frames_in, "frames");
  const std::int64_t t = frames.size(0), h = frames.size(1), w = frames.size(2);
  const ImageSize size = target_size(h, w, options);
  if (size.height == h && size.width == w) return frames.clone();
  const PillowBicubicResizer resizer(static_cast<int>(h), static_cast<int>(w), static_cast<int>(size.height),
                                     static_cast<int>(size.width), 3);
  at::Tensor out = at::empty({t, size.height, size.width, 3}, at::TensorOptions().dtype(at::kByte));
  const std::uint8_t* src = frames.data_ptr<std::uint8_t>();
  std::uint8_t* dst = out.data_ptr<std::uint8_t>();
  vsr::parallel_for(0, t, 1, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t f = begin; f < end; ++f)
      resizer.run(src + f * resizer.in_bytes(), dst + f * resizer.out_bytes());
  });
  return out;
}

at::Tensor normalize_frames(const at::Tensor& resized_in, const ProcessorOptions& options) {
  const at::Tensor frames = checked_frames(resized_in, "resized_frames");
  const std::int64_t t = frames.size(0), h = frames.size(1), w = frames.size(2);
  const Lut lut = make_lut(options);
  at::Tensor out = at::empty({t, 3, h, w}, at::TensorOptions().dtype(at::kFloat));
  const std::uint8_t* src = frames.data_ptr<std::uint8_t>();
  float* dst = out.data_ptr<float>();
  const std::int64_t plane = h * w;
  vsr::parallel_for(0, t * 3, 1, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t fc = begin; fc < end; ++fc) {
      const std::int64_t f = fc / 3, c = fc % 3;
      const std::uint8_t* s = src + f * plane * 3 + c;
      float* d = dst + fc * plane;
      for (std::int64_t i = 0; i < plane; ++i) d[i] = lut[c][s[i * 3]];
    }
  });
  return out;
}

VisualInput patchify_frames(const at::Tensor& resized_in, const ProcessorOptions& options) {
  options.validate();
  const at::Tensor frames = checked_frames(resized_in, "resized_frames");
  const std::int64_t n_frames = frames.size(0), h = frames.size(1), w = frames.size(2);
  const std::int64_t tp = options.temporal_patch_size, p = options.patch_size, m = options.merge_size;
  require(n_frames == 1 || n_frames % tp == 0, kInput, "frames",
          "expected 1 frame or a multiple of temporal_patch_size " + std::to_string(tp) + " (transformers 4.45.1 "
          "cannot reshape otherwise), got " + std::to_string(n_frames));
  require(h % (p * m) == 0 && w % (p * m) == 0, kInput, "resized_frames",
          "expected sides that are multiples of " + std::to_string(p * m) + ", got " + std::to_string(h) + "x" +
              std::to_string(w));
  const std::int64_t gt = n_frames == 1 ? 1 : n_frames / tp, gh = h / p, gw = w / p;
  const std::int64_t rows = gt * gh * gw, cols = 3 * tp * p * p;
  const Lut lut = make_lut(options);
  at::Tensor out = at::empty({rows, cols}, at::TensorOptions().dtype(at::kFloat));
  const std::uint8_t* src = frames.data_ptr<std::uint8_t>();
  float* dst = out.data_ptr<float>();
  const std::int64_t frame_bytes = h * w * 3, bh_n = gh / m, bw_n = gw / m;
  // Row r = (((ti * bh_n + bh) * bw_n + bw) * m + mh) * m + mw; column = ((c * tp + tj) * p + py) * p + px.
  vsr::parallel_for(0, rows, 16, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t r = begin; r < end; ++r) {
      std::int64_t rest = r;
      const std::int64_t mw = rest % m;
      rest /= m;
      const std::int64_t mh = rest % m;
      rest /= m;
      const std::int64_t bw = rest % bw_n;
      rest /= bw_n;
      const std::int64_t bh = rest % bh_n;
      const std::int64_t ti = rest / bh_n;
      const std::int64_t y0 = (bh * m + mh) * p, x0 = (bw * m + mw) * p;
      float* d = dst + r * cols;
      for (std::int64_t c = 0; c < 3; ++c) {
        const auto& table = lut[c];
        for (std::int64_t tj = 0; tj < tp; ++tj) {
          const std::int64_t f = n_frames == 1 ? 0 : ti * tp + tj;
          const std::uint8_t* fs = src + f * frame_bytes + c;
          for (std::int64_t py = 0; py < p; ++py) {
            const std::uint8_t* s = fs + ((y0 + py) * w + x0) * 3;
            for (std::int64_t px = 0; px < p; ++px) *d++ = table[s[px * 3]];
          }
        }
      }
    }
  });
  return {out, {gt, gh, gw}};
}

VisualInput process_image(const at::Tensor& rgb_hwc_uint8, const ProcessorOptions& options) {
  require(rgb_hwc_uint8.defined() && rgb_hwc_uint8.dim() == 3, kInput, "image",
          "expected an [height, width, 3] image, got " +
              (rgb_hwc_uint8.defined() ? c10::str(rgb_hwc_uint8.sizes()) : std::string("an undefined tensor")));
  return patchify_frames(resize_frames(rgb_hwc_uint8.unsqueeze(0), options), options);
}

VisualInput process_video(const at::Tensor& frames_thwc_uint8, const ProcessorOptions& options) {
  const at::Tensor frames = checked_frames(frames_thwc_uint8, "video");
  const std::int64_t tp = options.temporal_patch_size;
  require(frames.size(0) == 1 || frames.size(0) % tp == 0, kInput, "video",
          "expected a frame count that is a multiple of temporal_patch_size " + std::to_string(tp) +
              " (transformers 4.45.1 raises otherwise), got " + std::to_string(frames.size(0)));
  return patchify_frames(resize_frames(frames, options), options);
}

ProcessedDebug process_debug(const at::Tensor& frames_uint8, const ProcessorOptions& options) {
  const at::Tensor frames =
      frames_uint8.defined() && frames_uint8.dim() == 3 ? frames_uint8.unsqueeze(0) : frames_uint8;
  ProcessedDebug out;
  out.resized_frames = resize_frames(frames, options);
  out.normalized_frames = normalize_frames(out.resized_frames, options);
  out.visual = patchify_frames(out.resized_frames, options);
  return out;
}

std::int64_t num_vision_tokens(const std::array<std::int64_t, 3>& grid, int merge_size) {
  require(merge_size > 0, kInput, "merge_size", "expected > 0, got " + std::to_string(merge_size));
  for (std::int64_t g : grid)
    require(g > 0, kInput, "grid_thw", "expected positive grid sizes, got " + std::to_string(g));
  return grid[0] * grid[1] * grid[2] / (std::int64_t{merge_size} * merge_size);
}

std::vector<std::int64_t> expand_vision_pads(std::span<const std::int64_t> ids, std::int64_t image_pad_id,
                                             std::int64_t video_pad_id,
                                             std::span<const std::array<std::int64_t, 3>> image_grids,
                                             std::span<const std::array<std::int64_t, 3>> video_grids,
                                             int merge_size) {
  std::vector<std::int64_t> out;
  out.reserve(ids.size());
  std::size_t next_image = 0, next_video = 0;
  for (std::int64_t id : ids) {
    const bool is_image = id == image_pad_id, is_video = id == video_pad_id;
    if (!is_image && !is_video) {
      out.push_back(id);
      continue;
    }
    auto& next = is_image ? next_image : next_video;
    const auto grids = is_image ? image_grids : video_grids;
    require(next < grids.size(), kInput, is_image ? "image_grids" : "video_grids",
            std::string("the ids hold more ") + (is_image ? "<|image_pad|>" : "<|video_pad|>") + " tokens than the " +
                std::to_string(grids.size()) + " grids given");
    out.insert(out.end(), static_cast<std::size_t>(num_vision_tokens(grids[next++], merge_size)), id);
  }
  require(next_image == image_grids.size(), kInput, "image_grids",
          std::to_string(image_grids.size()) + " grids given but the ids hold " + std::to_string(next_image) +
              " <|image_pad|> tokens");
  require(next_video == video_grids.size(), kInput, "video_grids",
          std::to_string(video_grids.size()) + " grids given but the ids hold " + std::to_string(next_video) +
              " <|video_pad|> tokens");
  return out;
}

}  // namespace vsr::vision
