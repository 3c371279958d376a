#include "vsr/model/inputs.hpp"

#include "vsr/core/error.hpp"

#include <ATen/ATen.h>

namespace vsr::model {

namespace {

at::Tensor grids_tensor(const std::vector<std::array<std::int64_t, 3>>& grids) {
  std::vector<std::int64_t> flat;
  for (const auto& g : grids) flat.insert(flat.end(), g.begin(), g.end());
  return at::tensor(flat, at::kLong).view({static_cast<std::int64_t>(grids.size()), 3});
}

/// Concatenates the defined tensors of `parts` along dim 0 (undefined when none is).
at::Tensor cat_defined(const std::vector<at::Tensor>& parts) {
  std::vector<at::Tensor> defined;
  for (const auto& p : parts)
    if (p.defined() && p.numel() > 0) defined.push_back(p);
  return defined.empty() ? at::Tensor() : at::cat(defined);
}

}  // namespace

MultimodalInputs build_chat_inputs(const text::Tokenizer& tokenizer, std::span<const text::ChatMessage> messages,
                                   const ChatVisuals& visuals, const vision::ProcessorOptions& processor,
                                   const Qwen2VLConfig& config) {
  const std::string prompt = text::render_chat(messages, /*add_generation_prompt=*/true);
  const auto raw32 = tokenizer.encode(prompt);
  const std::vector<std::int64_t> raw(raw32.begin(), raw32.end());
  std::vector<std::array<std::int64_t, 3>> image_grids, video_grids;
  std::vector<at::Tensor> image_pixels, video_pixels;
  for (const auto& img : visuals.images) {
    const auto v = vision::process_image(img, processor);
    image_grids.push_back(v.grid_thw);
    image_pixels.push_back(v.pixel_values);
  }
  for (const auto& vid : visuals.videos) {
    const auto v = vision::process_video(vid, processor);
    video_grids.push_back(v.grid_thw);
    video_pixels.push_back(v.pixel_values);
  }
  const auto ids = vision::expand_vision_pads(raw, config.image_token_id, config.video_token_id, image_grids,
                                              video_grids, processor.merge_size);
  MultimodalInputs in;
  const auto length = static_cast<std::int64_t>(ids.size());
  in.input_ids = at::tensor(ids, at::kLong).view({1, length});
  in.attention_mask = at::ones({1, length}, at::kLong);
  if (!image_pixels.empty()) {
    in.pixel_values = at::cat(image_pixels);
    in.image_grid_thw = grids_tensor(image_grids);
  }
  if (!video_pixels.empty()) {
    in.pixel_values_videos = at::cat(video_pixels);
    in.video_grid_thw = grids_tensor(video_grids);
  }
  return in;
}

MultimodalInputs collate_left_padded(std::span<const MultimodalInputs> rows, std::int64_t pad_id) {
  if (rows.empty()) fail("<inputs>", "", "cannot batch zero rows");
  std::int64_t longest = 0;
  for (const auto& r : rows) longest = std::max(longest, r.input_ids.size(-1));
  std::vector<at::Tensor> ids, masks, pixels, image_grids, videos, video_grids;
  for (const auto& r : rows) {
    const at::Tensor row_ids = r.input_ids.view({-1}).to(at::kLong);
    const at::Tensor row_mask =
        r.attention_mask.defined() ? r.attention_mask.view({-1}).to(at::kLong) : at::ones_like(row_ids);
    const std::int64_t pad = longest - row_ids.size(0);
    ids.push_back(at::cat({at::full({pad}, pad_id, row_ids.options()), row_ids}));
    masks.push_back(at::cat({at::zeros({pad}, row_mask.options()), row_mask}));
    pixels.push_back(r.pixel_values);
    image_grids.push_back(r.image_grid_thw);
    videos.push_back(r.pixel_values_videos);
    video_grids.push_back(r.video_grid_thw);
  }
  MultimodalInputs out;
  out.input_ids = at::stack(ids);
  out.attention_mask = at::stack(masks);
  out.pixel_values = cat_defined(pixels);
  out.image_grid_thw = cat_defined(image_grids);
  out.pixel_values_videos = cat_defined(videos);
  out.video_grid_thw = cat_defined(video_grids);
  return out;
}

}  // namespace vsr::model
