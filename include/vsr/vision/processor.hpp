#pragma once
/// @file
/// Qwen2-VL's image/video preprocessing, exact to transformers 4.45.1's Qwen2VLImageProcessor + Qwen2VLProcessor:
/// smart_resize to multiples of patch*merge (28), Pillow-exact bicubic resize on uint8, x*(1/255) in float64 then
/// float32, (x-mean)/std in float32 with the OpenAI CLIP statistics, a single frame tiled to `temporal_patch_size`
/// frames, and the patch flattening whose rows are ordered (t, h/2, w/2, 2, 2) and whose columns are
/// C x temporal x 14 x 14 (the Conv3d weight layout). Also the expansion of <|image_pad|>/<|video_pad|> ids.

#include "vsr/vision/smart_resize.hpp"

#include <ATen/core/Tensor.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

namespace vsr {
class OptionSet;
}

namespace vsr::vision {

/// Settings of the processor (HF preprocessor_config.json; `[processor]` section for the pixel budget).
struct ProcessorOptions {
  std::int64_t min_pixels = 56 * 56;          ///< smallest resized area (smart_resize's min_pixels)
  std::int64_t max_pixels = 28 * 28 * 1280;   ///< largest resized area (smart_resize's max_pixels)
  int patch_size = 14;                        ///< ViT patch side in pixels
  int merge_size = 2;                         ///< spatial merge of the PatchMerger (2x2 patches per token)
  int temporal_patch_size = 2;                ///< frames per temporal patch
  double rescale_factor = 1.0 / 255.0;        ///< uint8 -> [0,1] scale, applied in float64
  std::array<double, 3> image_mean{0.48145466, 0.4578275, 0.40821073};   ///< per-channel mean (OpenAI CLIP)
  std::array<double, 3> image_std{0.26862954, 0.26130258, 0.27577711};   ///< per-channel std (OpenAI CLIP)

  /// Reads a Hugging Face preprocessor_config.json (min_pixels/max_pixels at top level or in `size`, patch_size,
  /// merge_size, temporal_patch_size, rescale_factor, image_mean, image_std; missing keys keep the defaults).
  /// Throws vsr::Error naming the file and key for bad values or unsupported settings (do_resize/do_rescale/
  /// do_normalize false, a resample other than 3 = bicubic).
  static ProcessorOptions from_file(const std::filesystem::path& preprocessor_config_json);

  /// Config section name.
  static constexpr const char* kSection = "processor";
  /// Declares `processor.min_pixels` and `processor.max_pixels`.
  void describe(vsr::OptionSet& set);
  /// Throws vsr::Error (field `processor.<key>`) unless every value is usable.
  void validate() const;
};

/// One processed image or video: the vision tower's input rows and their grid.
struct VisualInput {
  at::Tensor pixel_values;                  ///< float32 [t*h*w, C*temporal*patch*patch], CPU
  std::array<std::int64_t, 3> grid_thw{};   ///< (t, h, w) in patches
};

/// The intermediate tensors of one processed input, for conformance checks against transformers' goldens.
struct ProcessedDebug {
  at::Tensor resized_frames;     ///< uint8 [T, h', w', 3] after smart_resize + Pillow bicubic (input frames only)
  at::Tensor normalized_frames;  ///< float32 [T, 3, h', w'] after rescale + normalise (before tiling/flattening)
  VisualInput visual;            ///< the final processor output
};

/// The resized size of a frame of `height` x `width` (smart_resize with factor patch_size * merge_size).
ImageSize target_size(std::int64_t height, std::int64_t width, const ProcessorOptions& options);

/// Resizes uint8 frames [T, H, W, 3] to the target size (Pillow-exact bicubic; identity when the size is kept).
at::Tensor resize_frames(const at::Tensor& frames_thwc_uint8, const ProcessorOptions& options);

/// Rescales and normalises resized uint8 frames [T, h, w, 3] into float32 [T, 3, h, w].
at::Tensor normalize_frames(const at::Tensor& resized_thwc_uint8, const ProcessorOptions& options);

/// Normalises and flattens resized uint8 frames [T, h, w, 3] into pixel_values; T == 1 is tiled to
/// temporal_patch_size frames (as 4.45.1 does), otherwise T must be a multiple of temporal_patch_size.
VisualInput patchify_frames(const at::Tensor& resized_thwc_uint8, const ProcessorOptions& options);

/// Processes one RGB image [H, W, 3] uint8 (tiled to temporal_patch_size frames; grid t = 1).
VisualInput process_image(const at::Tensor& rgb_hwc_uint8, const ProcessorOptions& options);

/// Processes a video [T, H, W, 3] uint8. 4.45.1 raises for a frame count that is not a multiple of
/// temporal_patch_size (except a single frame, which it tiles); so does this (vsr::Error).
VisualInput process_video(const at::Tensor& frames_thwc_uint8, const ProcessorOptions& options);

/// process_video/process_image with the intermediate tensors kept (a rank-3 input is treated as one image).
ProcessedDebug process_debug(const at::Tensor& frames_uint8, const ProcessorOptions& options);

/// Number of LLM tokens a vision input becomes: t*h*w / merge_size^2.
std::int64_t num_vision_tokens(const std::array<std::int64_t, 3>& grid, int merge_size);

/// Expands each <|image_pad|>/<|video_pad|> id into num_vision_tokens(grid) copies of itself, taking the grids
/// in order (Qwen2VLProcessor.__call__, merge size 2). Throws vsr::Error when the number of pads and grids differ.
std::vector<std::int64_t> expand_vision_pads(std::span<const std::int64_t> ids, std::int64_t image_pad_id,
                                             std::int64_t video_pad_id,
                                             std::span<const std::array<std::int64_t, 3>> image_grids,
                                             std::span<const std::array<std::int64_t, 3>> video_grids,
                                             int merge_size = 2);

}  // namespace vsr::vision
