// Samples to Qwen2-VL inputs: chat rendering, video frames (cached), completions appended for teacher forcing.
#include "vsr/model/sample_encoder.hpp"

#include "vsr/core/error.hpp"
#include "vsr/model/inputs.hpp"
#include "vsr/video/reader.hpp"
#include "vsr/video/sampling.hpp"
#include "vsr/video/space_aware_sampling.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <list>
#include <map>
#include <utility>

namespace vsr::model {

void VideoOptions::describe(OptionSet& set) {
  set.add("frames", frames, "frames sampled from each video (even)")
      .add("sampling", sampling, "uniform (Qwen2-VL's) or space_aware (Spatial-MLLM's: greedy floor coverage from the "
                                 "record's camera track, meta.camera)")
      .add("coverage_cell_m", coverage_cell_m, "space_aware: floor cell side in metres")
      .add("coverage_range_m", coverage_range_m, "space_aware: farthest floor distance a frame counts as seeing")
      .add("cache_videos", cache_videos, "processed videos kept in memory (0 = no cache)")
      .add("decoder_threads", decoder_threads, "FFmpeg decoder threads per video");
}

/// Least-recently-used cache of processed videos by path.
struct SampleEncoder::Cache {
  std::list<std::pair<std::string, vision::VisualInput>> entries;  ///< most recent first
  std::map<std::string, std::list<std::pair<std::string, vision::VisualInput>>::iterator> index;
  std::int64_t decoded = 0;
};

SampleEncoder::SampleEncoder(const text::Tokenizer& tokenizer, vision::ProcessorOptions processor,
                             const Qwen2VLConfig& config, VideoOptions video, at::Device device, at::ScalarType dtype)
    : tokenizer_(&tokenizer), processor_(std::move(processor)), config_(config), video_(video), device_(device),
      dtype_(dtype), cache_(std::make_unique<Cache>()) {
  if (video_.frames < 2 || video_.frames % processor_.temporal_patch_size != 0)
    fail("[video]", "video.frames", "expected an even number of frames >= 2, got " + std::to_string(video_.frames));
  if (video_.sampling != "uniform" && video_.sampling != "space_aware")
    fail("[video]", "video.sampling", "expected uniform or space_aware, found " + quote(video_.sampling));
  if (!(video_.coverage_cell_m > 0.0) || !(video_.coverage_range_m > 0.0))
    fail("[video]", "video.coverage_cell_m", "expected positive coverage_cell_m and coverage_range_m");
  const auto end = tokenizer.token_to_id("<|im_end|>");
  if (!end) fail("<tokenizer>", "<|im_end|>", "the tokenizer has no <|im_end|> token (not a Qwen2 tokenizer?)");
  im_end_id_ = *end;
  if (config.pad_token_id) {
    pad_id_ = *config.pad_token_id;
  } else {
    const auto eot = tokenizer.token_to_id("<|endoftext|>");
    pad_id_ = eot ? *eot : im_end_id_;
  }
}

SampleEncoder::~SampleEncoder() = default;
SampleEncoder::SampleEncoder(SampleEncoder&&) noexcept = default;
SampleEncoder& SampleEncoder::operator=(SampleEncoder&&) noexcept = default;

namespace {

/// The source frame indices the model sees of `video` ([video] sampling).
std::vector<std::int64_t> frame_indices(const data::Sample& sample, video::VideoReader& reader, const VideoOptions& o) {
  if (o.sampling == "uniform") return video::uniform_indices(reader.frame_count(), o.frames);
  const auto track = video::resample_track(video::read_camera_track(camera_track_of(sample)), reader.frame_count());
  return video::space_aware_indices(track, o.frames, {o.coverage_cell_m, o.coverage_range_m});
}

}  // namespace

std::filesystem::path camera_track_of(const data::Sample& sample) {
  if (!sample.meta.contains("camera") || !sample.meta["camera"].is_string())
    fail("<record " + quote(sample.id) + ">", "meta.camera",
         "space-aware frame sampling ([video] sampling) needs the record's camera track (vsr data build writes it "
         "for scenes with poses)");
  return sample.meta["camera"].get<std::string>();
}

vision::VisualInput SampleEncoder::visual(const std::filesystem::path& path, bool image, const data::Sample& sample) const {
  const std::string key = (image ? "image:" : "video:") + path.string();
  auto hit = cache_->index.find(key);
  if (hit != cache_->index.end()) {
    cache_->entries.splice(cache_->entries.begin(), cache_->entries, hit->second);
    return hit->second->second;
  }
  video::ReaderOptions reader_options;
  reader_options.threads = video_.decoder_threads;
  video::VideoReader reader(path, reader_options);
  const std::vector<std::int64_t> first{0};
  const auto frames = image ? reader.read_indices(first) : reader.read_indices(frame_indices(sample, reader, video_));
  const at::Tensor rgb = at::from_blob(const_cast<std::uint8_t*>(frames.rgb.data()),
                                       {frames.count, frames.height, frames.width, 3}, at::kByte);
  vision::VisualInput visual = image ? vision::process_image(rgb[0], processor_) : vision::process_video(rgb, processor_);
  ++cache_->decoded;
  if (video_.cache_videos > 0) {
    cache_->entries.emplace_front(key, visual);
    cache_->index[key] = cache_->entries.begin();
    while (static_cast<int>(cache_->entries.size()) > video_.cache_videos) {
      cache_->index.erase(cache_->entries.back().first);
      cache_->entries.pop_back();
    }
  }
  return visual;
}

MultimodalInputs SampleEncoder::prompt(const data::Sample& sample, std::string_view text) const {
  text::ChatMessage user{"user", {}};
  std::vector<std::array<std::int64_t, 3>> image_grids, video_grids;
  std::vector<at::Tensor> image_pixels;
  at::Tensor video_pixels;
  for (const auto& image : sample.images) {
    const auto v = visual(image, true, sample);
    image_grids.push_back(v.grid_thw);
    image_pixels.push_back(v.pixel_values);
    user.content.push_back({text::ChatContent::Kind::Image, {}});
  }
  if (!sample.video.empty()) {
    const auto v = visual(sample.video, false, sample);
    video_grids.push_back(v.grid_thw);
    video_pixels = v.pixel_values;
    user.content.push_back({text::ChatContent::Kind::Video, {}});
  }
  user.content.push_back({text::ChatContent::Kind::Text, std::string(text)});
  const std::string rendered = text::render_chat(std::span<const text::ChatMessage>(&user, 1), true);
  const auto raw32 = tokenizer_->encode(rendered);
  const std::vector<std::int64_t> raw(raw32.begin(), raw32.end());
  const auto ids = vision::expand_vision_pads(raw, config_.image_token_id, config_.video_token_id, image_grids,
                                              video_grids, processor_.merge_size);
  MultimodalInputs in;
  const auto length = static_cast<std::int64_t>(ids.size());
  in.input_ids = at::tensor(ids, at::kLong).view({1, length}).to(device_);
  in.attention_mask = at::ones({1, length}, at::TensorOptions(at::kLong).device(device_));
  auto grids = [this](const std::vector<std::array<std::int64_t, 3>>& g) {
    std::vector<std::int64_t> flat;
    for (const auto& x : g) flat.insert(flat.end(), x.begin(), x.end());
    return at::tensor(flat, at::kLong).view({static_cast<std::int64_t>(g.size()), 3}).to(device_);
  };
  if (!image_pixels.empty()) {
    in.pixel_values = at::cat(image_pixels).to(device_, dtype_);
    in.image_grid_thw = grids(image_grids);
  }
  if (video_pixels.defined()) {
    in.pixel_values_videos = video_pixels.to(device_, dtype_);
    in.video_grid_thw = grids(video_grids);
  }
  return in;
}

std::int64_t SampleEncoder::prompt_length(std::string_view text, const MediaSizes& media) const {
  text::ChatMessage user{"user", {}};
  std::int64_t vision_tokens = 0, placeholders = 0;
  for (const auto& [height, width] : media.images) {
    const auto size = vision::target_size(height, width, processor_);
    // An image is one temporal patch (the processor repeats it to temporal_patch_size frames).
    vision_tokens += vision::num_vision_tokens({1, size.height / processor_.patch_size, size.width / processor_.patch_size},
                                               processor_.merge_size);
    ++placeholders;
    user.content.push_back({text::ChatContent::Kind::Image, {}});
  }
  if (media.video) {
    const auto size = vision::target_size((*media.video)[0], (*media.video)[1], processor_);
    vision_tokens += vision::num_vision_tokens({video_.frames / processor_.temporal_patch_size,
                                                size.height / processor_.patch_size, size.width / processor_.patch_size},
                                               processor_.merge_size);
    ++placeholders;
    user.content.push_back({text::ChatContent::Kind::Video, {}});
  }
  user.content.push_back({text::ChatContent::Kind::Text, std::string(text)});
  const std::string rendered = text::render_chat(std::span<const text::ChatMessage>(&user, 1), true);
  // Each picture's one pad token of the rendering becomes its tokens.
  return static_cast<std::int64_t>(tokenizer_->encode(rendered).size()) - placeholders + vision_tokens;
}

std::int64_t SampleEncoder::prompt_length(std::string_view text, std::int64_t height, std::int64_t width) const {
  MediaSizes media;
  media.video = std::array<std::int64_t, 2>{height, width};
  return prompt_length(text, media);
}

std::vector<std::int64_t> SampleEncoder::answer_ids(std::string_view answer) const {
  const auto ids32 = tokenizer_->encode(answer);
  std::vector<std::int64_t> ids(ids32.begin(), ids32.end());
  ids.push_back(im_end_id_);
  return ids;
}

CompletionBatch SampleEncoder::with_completions(const MultimodalInputs& prompt,
                                                std::span<const std::vector<std::int64_t>> completions) const {
  if (completions.empty()) fail("<inputs>", "completions", "expected at least one completion");
  if (prompt.input_ids.dim() != 2 || prompt.input_ids.size(0) != 1)
    fail("<inputs>", "prompt", "expected a prompt batch of one row");
  const at::Tensor prompt_ids = prompt.input_ids[0].to(at::kCPU).contiguous();
  const std::int64_t p = prompt_ids.size(0);
  std::size_t longest = 0;
  for (const auto& c : completions) longest = std::max(longest, c.size());
  const auto b = static_cast<std::int64_t>(completions.size());
  const std::int64_t l = p + static_cast<std::int64_t>(longest);
  at::Tensor ids = at::full({b, l}, pad_id_, at::kLong);
  at::Tensor attention = at::zeros({b, l}, at::kLong);
  at::Tensor mask = at::zeros({b, l}, at::kFloat);
  for (std::int64_t r = 0; r < b; ++r) {
    const auto& c = completions[static_cast<std::size_t>(r)];
    const auto n = static_cast<std::int64_t>(c.size());
    ids[r].narrow(0, 0, p).copy_(prompt_ids);
    if (n > 0) {
      ids[r].narrow(0, p, n).copy_(at::tensor(c, at::kLong));
      mask[r].narrow(0, p, n).fill_(1.0);
    }
    attention[r].narrow(0, 0, p + n).fill_(1);
  }
  CompletionBatch out;
  out.prompt_length = p;
  out.inputs.input_ids = ids.to(device_);
  out.inputs.attention_mask = attention.to(device_);
  out.mask = mask.to(device_);
  auto repeat = [b](const at::Tensor& t) { return t.defined() ? t.repeat({b, 1}) : t; };
  out.inputs.pixel_values = repeat(prompt.pixel_values);
  out.inputs.image_grid_thw = repeat(prompt.image_grid_thw);
  out.inputs.pixel_values_videos = repeat(prompt.pixel_values_videos);
  out.inputs.video_grid_thw = repeat(prompt.video_grid_thw);
  return out;
}

CompletionBatch SampleEncoder::stack(std::span<const CompletionBatch> batches) const {
  if (batches.empty()) fail("<inputs>", "batches", "expected at least one batch");
  if (batches.size() == 1) return batches[0];
  std::int64_t longest = 0;
  for (const auto& b : batches) longest = std::max(longest, b.inputs.input_ids.size(1));
  std::vector<at::Tensor> ids, attention, mask, pixels, image_grids, videos, video_grids;
  for (const auto& b : batches) {
    const std::int64_t pad = longest - b.inputs.input_ids.size(1);
    ids.push_back(at::constant_pad_nd(b.inputs.input_ids, {0, pad}, static_cast<double>(pad_id_)));
    attention.push_back(at::constant_pad_nd(b.inputs.attention_mask, {0, pad}, 0));
    mask.push_back(at::constant_pad_nd(b.mask, {0, pad}, 0));
    if (b.inputs.pixel_values.defined()) pixels.push_back(b.inputs.pixel_values);
    if (b.inputs.image_grid_thw.defined()) image_grids.push_back(b.inputs.image_grid_thw);
    if (b.inputs.pixel_values_videos.defined()) videos.push_back(b.inputs.pixel_values_videos);
    if (b.inputs.video_grid_thw.defined()) video_grids.push_back(b.inputs.video_grid_thw);
  }
  CompletionBatch out;
  out.prompt_length = batches[0].prompt_length;
  out.inputs.input_ids = at::cat(ids);
  out.inputs.attention_mask = at::cat(attention);
  out.mask = at::cat(mask);
  auto cat = [](const std::vector<at::Tensor>& v) { return v.empty() ? at::Tensor() : at::cat(v); };
  out.inputs.pixel_values = cat(pixels);
  out.inputs.image_grid_thw = cat(image_grids);
  out.inputs.pixel_values_videos = cat(videos);
  out.inputs.video_grid_thw = cat(video_grids);
  return out;
}

std::string SampleEncoder::decode(std::span<const std::int64_t> tokens) const {
  std::vector<std::int32_t> ids;
  for (const auto t : tokens) {
    if (t == im_end_id_ || std::find(config_.eos_token_ids.begin(), config_.eos_token_ids.end(), t) !=
                               config_.eos_token_ids.end())
      break;
    ids.push_back(static_cast<std::int32_t>(t));
  }
  return tokenizer_->decode(ids, /*skip_special_tokens=*/true);
}

std::int64_t SampleEncoder::videos_decoded() const { return cache_->decoded; }

}  // namespace vsr::model
