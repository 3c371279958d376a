#pragma once
/// @file
/// From a question (vsr::data::Sample) to Qwen2-VL inputs, the one place where training and evaluation turn data
/// into model inputs: the user turn is the sample's video followed by its text (question, options, instruction),
/// rendered with Qwen2-VL's chat template; completions are appended to a prompt for teacher-forced log-probs
/// (GRPO's ratio and KL, SFT's cross-entropy, DPO's sequence log-likelihoods).

#include "vsr/core/config.hpp"
#include "vsr/data/sample.hpp"
#include "vsr/model/qwen2vl.hpp"
#include "vsr/text/tokenizer.hpp"
#include "vsr/vision/processor.hpp"

#include <ATen/core/Tensor.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vsr::model {

/// Section [video]: how a sample's video becomes frames.
struct VideoOptions {
  static constexpr std::string_view kSection = "video";
  int frames = 16;            ///< frames sampled per video (even: Qwen2-VL's temporal patch is 2)
  std::string sampling = "uniform";  ///< "uniform" (Qwen2-VL's) or "space_aware" (Spatial-MLLM's, from poses)
  double coverage_cell_m = 0.25;     ///< space_aware: floor cell side, metres
  double coverage_range_m = 4.0;     ///< space_aware: farthest floor distance a frame counts as seeing, metres
  int cache_videos = 512;     ///< processed videos kept in memory (a training epoch revisits each one)
  int decoder_threads = 2;    ///< FFmpeg decoder threads per video

  /// Declares the keys of [video].
  void describe(OptionSet& set);
};

/// The picture sizes of a record, for prompt_length: each image's and the video's (height, width) in pixels.
struct MediaSizes {
  std::vector<std::array<std::int64_t, 2>> images;    ///< one per image, in order
  std::optional<std::array<std::int64_t, 2>> video;  ///< the video's frame size, when the record has one
};

/// The camera track file a record names for space-aware sampling (meta.camera: a synthetic scene's camera JSON or a
/// ScanNet scene folder with pose/); vsr::Error naming the record when it names none.
std::filesystem::path camera_track_of(const data::Sample& sample);

/// A prompt with completions appended, ready for a teacher-forced forward (Qwen2VL::forward + token_log_probs).
struct CompletionBatch {
  MultimodalInputs inputs;  ///< [B, L] rows "prompt + completion", right-padded; the prompt's video repeated per row
  at::Tensor mask;          ///< float32 [B, L]: 1 on completion tokens (the ones scored), 0 on prompt and padding
  std::int64_t prompt_length = 0;  ///< tokens of the (first) prompt
};

/// Turns samples into model inputs with one tokenizer, processor and model configuration. Processed videos are
/// cached (VideoOptions::cache_videos, least recently used dropped first). Thread-compatible, not thread-safe.
class SampleEncoder {
 public:
  /// `device`/`dtype`: where and in which float type pixel values go (ids and masks go to `device` as int64).
  SampleEncoder(const text::Tokenizer& tokenizer, vision::ProcessorOptions processor, const Qwen2VLConfig& config,
                VideoOptions video = {}, at::Device device = at::kCPU, at::ScalarType dtype = at::kFloat);
  ~SampleEncoder();
  SampleEncoder(SampleEncoder&&) noexcept;
  SampleEncoder& operator=(SampleEncoder&&) noexcept;

  /// A batch of one: `<|im_start|>user\n<images><video> text<|im_end|>\n<|im_start|>assistant\n` with the system
  /// turn of the chat template, each picture's pads expanded and its pixel values (an image is the first frame of its
  /// file; a video is sampled by [video] sampling; a text-only record has neither). vsr::Error naming the file on a
  /// bad one.
  MultimodalInputs prompt(const data::Sample& sample, std::string_view text) const;
  /// Tokens prompt(sample, text) would have for a video whose frames are `height` x `width` pixels, computed without
  /// decoding anything (the chat rendering tokenized, the video's pads counted from the processor's resize and
  /// [video] frames): for pre-flight checks of the context length.
  std::int64_t prompt_length(std::string_view text, std::int64_t height, std::int64_t width) const;
  /// As above for a record with any pictures (images, a video, or none).
  std::int64_t prompt_length(std::string_view text, const MediaSizes& media) const;
  /// The [video] options.
  const VideoOptions& video_options() const { return video_; }
  /// Frames sampled from each video ([video] frames).
  int frames() const { return video_.frames; }
  /// The ids of an assistant answer as the model should produce it: `answer` then <|im_end|>.
  std::vector<std::int64_t> answer_ids(std::string_view answer) const;
  /// `prompt` (a batch of one) with each completion appended, one row per completion, right-padded with pad_id().
  /// Completions are token ids as sampled (including a final stop token when there was one); empty ones are
  /// allowed (their row scores nothing).
  CompletionBatch with_completions(const MultimodalInputs& prompt,
                                   std::span<const std::vector<std::int64_t>> completions) const;
  /// Several CompletionBatch stacked into one (rows right-padded to the longest).
  CompletionBatch stack(std::span<const CompletionBatch> batches) const;
  /// The ids of `tokens` up to (not including) the first stop token, decoded without special tokens.
  std::string decode(std::span<const std::int64_t> tokens) const;

  /// The padding id (config's pad_token_id, else <|endoftext|>).
  std::int64_t pad_id() const { return pad_id_; }
  /// The tokenizer.
  const text::Tokenizer& tokenizer() const { return *tokenizer_; }
  /// Number of videos decoded so far (cache misses), for logging and tests.
  std::int64_t videos_decoded() const;

 private:
  struct Cache;
  /// The processed picture of `path` (an image's first frame, or the video's sampled frames), cached.
  vision::VisualInput visual(const std::filesystem::path& path, bool image, const data::Sample& sample) const;
  const text::Tokenizer* tokenizer_;
  vision::ProcessorOptions processor_;
  Qwen2VLConfig config_;
  VideoOptions video_;
  at::Device device_;
  at::ScalarType dtype_;
  std::int64_t pad_id_ = 0;
  std::int64_t im_end_id_ = 0;
  std::unique_ptr<Cache> cache_;
};

}  // namespace vsr::model
