// Pre-flight check of question records: videos, context length, ground truths, options.
#include "vsr/model/preflight.hpp"

#include "vsr/core/error.hpp"
#include "vsr/core/progress.hpp"
#include "vsr/eval/python_str.hpp"
#include "vsr/model/sample_encoder.hpp"
#include "vsr/video/reader.hpp"
#include "vsr/video/space_aware_sampling.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <set>

namespace vsr::model {

namespace {

/// What one video file offers, or why it cannot be used.
struct VideoCheck {
  std::string problem;  ///< empty when usable
  std::int64_t height = 0, width = 0;
};

VideoCheck check_video(const std::filesystem::path& path) {
  VideoCheck check;
  try {
    video::VideoReader reader(path);
    check.height = reader.height();
    check.width = reader.width();
    const std::int64_t ends[] = {0, reader.frame_count() - 1};
    reader.read_indices(ends);
  } catch (const Error& e) {
    check.problem = e.what();
  }
  return check;
}

/// Problems of the options list: "A. text", "B. text", ... in order, texts distinct.
std::optional<std::string> options_problem(const std::vector<std::string>& options) {
  if (options.size() > 26) return "expected at most 26 options, found " + std::to_string(options.size());
  std::set<std::string> texts;
  for (std::size_t i = 0; i < options.size(); ++i) {
    const std::string& o = options[i];
    const char letter = static_cast<char>('A' + i);
    if (o.size() < 4 || o[0] != letter || o[1] != '.' || o[2] != ' ')
      return fmt::format("option {} is {}: expected \"{}. text\"", i + 1, quote(o), letter);
    if (!texts.insert(o.substr(3)).second) return fmt::format("option {} repeats {}", letter, quote(o.substr(3)));
  }
  return std::nullopt;
}

/// Problems of the ground truth for the record's answer kind.
std::optional<std::string> answer_problem(const data::Sample& s) {
  if (data::answer_kind(s) == data::AnswerKind::Numeric) {
    const auto value = eval::python_float(s.ground_truth);
    if (!value || !std::isfinite(*value))
      return "expected a number for " + s.question_type + ", found " + quote(s.ground_truth);
    return std::nullopt;
  }
  if (s.options.empty()) {
    if (s.ground_truth.empty()) return std::string("expected the answer (an entity or direction), found nothing");
    return std::nullopt;
  }
  const bool letter = s.ground_truth.size() == 1 && s.ground_truth[0] >= 'A' &&
                      s.ground_truth[0] < static_cast<char>('A' + s.options.size());
  if (!letter)
    return fmt::format("expected one of the option letters A-{}, found {}",
                       static_cast<char>('A' + s.options.size() - 1), quote(s.ground_truth));
  return std::nullopt;
}

}  // namespace

std::size_t PreflightReport::unusable() const {
  std::size_t n = 0;
  for (bool ok : usable) n += ok ? 0 : 1;
  return n;
}

std::string PreflightReport::text() const {
  std::string out;
  for (const auto& p : problems) out += file + ": record " + p.record + ": " + p.field + ": " + p.problem + "\n";
  return out;
}

std::vector<data::Sample> PreflightReport::usable_samples(const std::vector<data::Sample>& samples) const {
  std::vector<data::Sample> kept;
  for (std::size_t i = 0; i < samples.size() && i < usable.size(); ++i)
    if (usable[i]) kept.push_back(samples[i]);
  return kept;
}

PreflightReport preflight_records(const std::vector<data::Sample>& samples, const std::string& file,
                                  const SampleEncoder& encoder,
                                  const std::function<std::string(const data::Sample&)>& user_text,
                                  std::int64_t completion_tokens, std::int64_t context_tokens) {
  PreflightReport report;
  report.file = file;
  report.records = samples.size();
  report.usable.assign(samples.size(), true);
  std::map<std::string, VideoCheck> videos;
  std::map<std::string, std::string> tracks;  // camera track file -> its problem ("" when it reads)
  ProgressBar bar("pre-flight", static_cast<std::int64_t>(samples.size()), "records");
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const data::Sample& s = samples[i];
    const std::string record = s.id.empty() ? fmt::format("#{}", i + 1) : quote(s.id);
    auto add = [&](std::string field, std::string problem) {
      report.problems.push_back({record, std::move(field), std::move(problem)});
      report.usable[i] = false;
    };
    if (auto p = options_problem(s.options)) add("options", *p);
    if (auto p = answer_problem(s)) add("ground_truth", *p);
    // Each picture opens (first and last frame), then the whole prompt must fit the context.
    MediaSizes media;
    bool pictures_ok = true;
    auto open = [&](const std::filesystem::path& path) -> const VideoCheck& {
      auto it = videos.find(path.string());
      if (it == videos.end()) it = videos.emplace(path.string(), check_video(path)).first;
      return it->second;
    };
    for (const auto& image : s.images) {
      const VideoCheck& v = open(image);
      if (!v.problem.empty()) {
        add("images", v.problem);
        pictures_ok = false;
      } else {
        media.images.push_back({v.height, v.width});
      }
    }
    if (!s.video.empty()) {
      const VideoCheck& v = open(s.video);
      if (!v.problem.empty()) {
        add("video", v.problem);
        pictures_ok = false;
      } else {
        media.video = std::array<std::int64_t, 2>{v.height, v.width};
      }
      if (encoder.video_options().sampling == "space_aware") {
        try {
          const auto track = camera_track_of(s);
          auto it = tracks.find(track.string());
          if (it == tracks.end()) {
            std::string problem;
            try {
              (void)video::read_camera_track(track);
            } catch (const Error& e) {
              problem = e.what();
            }
            it = tracks.emplace(track.string(), problem).first;
          }
          if (!it->second.empty()) add("meta.camera", it->second);
        } catch (const Error& e) {
          add("meta.camera", e.what());
        }
      }
    }
    if (pictures_ok) {
      const std::string field = s.video.empty() ? (s.images.empty() ? "question" : "images") : "video";
      try {  // the processor's resize refuses some sizes (a side under 28 pixels, an aspect ratio over 200)
        const std::int64_t prompt = encoder.prompt_length(user_text(s), media);
        if (prompt + completion_tokens > context_tokens) {
          const std::string what =
              media.video ? fmt::format(" ({} frames of {}x{})", encoder.frames(), (*media.video)[1], (*media.video)[0])
                          : "";
          add(field, fmt::format("{} prompt tokens{} + {} completion tokens exceed the model's context of {} "
                                 "(max_position_embeddings)",
                                 prompt, what, completion_tokens, context_tokens));
        }
      } catch (const Error& e) {  // only a picture's size can fail here (text-only prompts always tokenize)
        std::string sizes;
        for (std::size_t k = 0; k < s.images.size(); ++k)
          sizes += fmt::format("{}{}: {}x{}", sizes.empty() ? "" : ", ", s.images[k].string(), media.images[k][1],
                               media.images[k][0]);
        if (media.video)
          sizes += fmt::format("{}{}: {}x{} frames", sizes.empty() ? "" : ", ", s.video.string(), (*media.video)[1],
                               (*media.video)[0]);
        add(field, fmt::format("{} do not fit the processor ({})", sizes, e.what()));
      }
    }
    bar.tick(1);
  }
  bar.finish();
  return report;
}

std::string enforce_preflight(const std::vector<PreflightSet>& sets, const SampleEncoder& encoder,
                              std::int64_t context_tokens, bool skip_invalid, bool print, bool allow_skip) {
  std::string listing, summary, first_file;
  std::vector<PreflightReport> reports;
  for (const auto& set : sets) {
    reports.push_back(preflight_records(*set.samples, set.file, encoder, set.user_text, set.completion_tokens,
                                        context_tokens));
    const auto& report = reports.back();
    if (report.unusable() == 0) continue;
    listing += report.text();
    summary += fmt::format("{}{}: {} of {} records", summary.empty() ? "" : "; ", set.file, report.unusable(),
                           report.records);
    if (first_file.empty()) first_file = set.file;
  }
  if (first_file.empty()) return "";
  if (print) std::fprintf(stderr, "pre-flight check:\n%s", listing.c_str());
  if (!skip_invalid)
    fail(first_file, "", "the pre-flight check rejects records (" + summary + ", listed above)" +
                             (allow_skip ? ": fix them, or pass --skip-invalid to run without them" : ""));
  for (std::size_t k = 0; k < sets.size(); ++k) {
    *sets[k].samples = reports[k].usable_samples(*sets[k].samples);
    if (sets[k].samples->empty()) fail(sets[k].file, "", "no usable records left after the pre-flight check");
  }
  if (print) std::fprintf(stderr, "pre-flight: --skip-invalid dropped %s\n", summary.c_str());
  return summary;
}

}  // namespace vsr::model
