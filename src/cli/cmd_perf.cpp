// `vsr perf`: vsr's side of the reference kit's workloads (shared/tools/hf-reference), one metric line per
// measurement in the kit's format (vsr/core/perf.hpp), so the kit's summarize.py --vsr can put both sides together.
#include "command.hpp"

#include "vsr/core/config.hpp"
#include "vsr/core/error.hpp"
#include "vsr/core/perf.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/core/sha256.hpp"
#include "vsr/data/builder.hpp"
#include "vsr/data/qa.hpp"
#include "vsr/data/synth.hpp"
#include "vsr/model/generation.hpp"
#include "vsr/runtime/runtime.hpp"
#include "vsr/runtime/tensor_io.hpp"
#include "vsr/text/tokenizer.hpp"
#include "vsr/video/parallel_read.hpp"
#include "vsr/video/reader.hpp"
#include "vsr/video/sampling.hpp"
#include "vsr/vision/processor.hpp"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/profiler_legacy.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using vsr::perf::Fields;
using vsr::perf::Measurement;

constexpr std::int64_t kGroup = 14;  // rollouts per prompt (vsGRPO's G) = the kit's batch
constexpr std::int64_t kNew = 64;    // new tokens per rollout
constexpr const char* kCmd = "<command line>";

/// Settings every workload shares.
struct Common {
  int repeats = 5;
  int warmup = 1;
  int threads = 2;
};

void line(const std::string& s) {
  std::printf("%s\n", s.c_str());
  std::fflush(stdout);
}

void comment(const std::string& s) { line("# " + s); }

Measurement measure(const Common& c, const std::function<void()>& fn, const std::function<void(int)>& setup = {},
                    int repeats = -1) {
  return vsr::perf::measure(fn, vsr::perf::MeasureOptions::from_env(repeats > 0 ? repeats : c.repeats, c.warmup),
                            setup);
}

std::string fmt_num(double v) { return vsr::perf::format_number(v); }

/// Runs `fn` once under LibTorch's (legacy, CPU) profiler and prints the `top` operators by self time as `#` lines:
/// the profile behind docs/performance.md's optimisations. Work outside ATen operators shows as the gap between the
/// wall time and the operators' total.
void profile(const std::string& label, const std::function<void()>& fn, int top = 18) {
  namespace prof = torch::autograd::profiler;
  struct Agg {
    double self_us = 0, total_us = 0;
    std::int64_t calls = 0;
  };
  std::map<std::string, Agg> agg;
  double wall_us = 0;
  {
    const auto t0 = std::chrono::steady_clock::now();
    prof::TLSLegacyProfilerGuard guard(
        torch::profiler::impl::ProfilerConfig(torch::profiler::impl::ProfilerState::CPU),
        [&](const prof::thread_event_lists& lists) {
          for (const auto& events : lists) {
            struct Open {
              const prof::LegacyEvent* e;
              double child_us;
            };
            std::vector<Open> stack;
            for (const auto& e : events) {
              if (e.kindStr() == "push") {
                stack.push_back({&e, 0.0});
              } else if (e.kindStr() == "pop" && !stack.empty()) {
                const Open o = stack.back();
                stack.pop_back();
                const double us = o.e->cpuElapsedUs(e);
                auto& a = agg[o.e->name()];
                a.total_us += us;
                a.self_us += us - o.child_us;
                a.calls += 1;
                if (!stack.empty()) stack.back().child_us += us;
              }
            }
          }
        });
    fn();
    wall_us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  }
  std::vector<std::pair<std::string, Agg>> rows(agg.begin(), agg.end());
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.second.self_us > b.second.self_us; });
  double self_sum = 0;
  for (const auto& r : rows) self_sum += r.second.self_us;
  comment("profile " + label + ": wall " + fmt_num(wall_us / 1e3) + " ms, ATen operators' self time " +
          fmt_num(self_sum / 1e3) + " ms (all threads' events); top operators by self time:");
  for (int i = 0; i < top && i < static_cast<int>(rows.size()); ++i) {
    char buf[200];
    std::snprintf(buf, sizeof buf, "profile   %-36s self %9.2f ms  total %9.2f ms  calls %6lld", rows[i].first.c_str(),
                  rows[i].second.self_us / 1e3, rows[i].second.total_us / 1e3,
                  static_cast<long long>(rows[i].second.calls));
    comment(buf);
  }
}

/// Whether `--profile` was given (a global of this command: every workload consults it).
bool g_profile = false;

/// The kit's model tag: "tiny" for the golden tiny model, otherwise the folder's name.
std::string model_tag(const fs::path& dir, const std::string& given) {
  if (!given.empty()) return given;
  const std::string s = fs::weakly_canonical(dir).string();
  if (s.find("qwen2vl-tiny") != std::string::npos) return "tiny";
  const fs::path clean = fs::weakly_canonical(dir);
  return clean.filename().empty() ? clean.parent_path().filename().string() : clean.filename().string();
}

/// The golden `video` case: input_ids [1, L], pixel_values_videos [P, 1176], video_grid_thw [1, 3].
vsr::model::MultimodalInputs load_case(const fs::path& file) {
  auto t = vsr::load_safetensors(file);
  for (const char* k : {"input_ids", "video.pixel_values", "video.grid_thw"})
    if (!t.count(k)) vsr::fail(file.string(), k, "expected this tensor (a goldens `video` case file)");
  vsr::model::MultimodalInputs in;
  in.input_ids = t.at("input_ids").to(at::kLong).reshape({1, -1});
  in.attention_mask = at::ones_like(in.input_ids);
  in.pixel_values_videos = t.at("video.pixel_values").to(at::kFloat);
  in.video_grid_thw = t.at("video.grid_thw").to(at::kLong).reshape({-1, 3});
  return in;
}

/// `g` copies of a one-prompt batch, each row with its own copy of the video (the kit's replicate()).
vsr::model::MultimodalInputs replicate(const vsr::model::MultimodalInputs& one, std::int64_t g) {
  vsr::model::MultimodalInputs out;
  out.input_ids = one.input_ids.repeat({g, 1});
  out.attention_mask = at::ones_like(out.input_ids);
  out.pixel_values_videos = one.pixel_values_videos.repeat({g, 1});
  out.video_grid_thw = one.video_grid_thw.repeat({g, 1});
  return out;
}

/// Floating-point operations of one decode step of `batch` rows at context `ctx`: every decoder projection and the
/// lm_head (2 per multiply-add), plus attention scores and values over the context.
double decode_step_flops(const vsr::model::Qwen2VLConfig& c, std::int64_t batch, std::int64_t ctx) {
  const auto& t = c;
  const double h = static_cast<double>(t.hidden_size), kv = static_cast<double>(t.num_key_value_heads * t.head_dim());
  const double per_layer = h * h * 2 + h * kv * 2 + 3 * h * static_cast<double>(t.intermediate_size);
  const double attn = 2.0 * static_cast<double>(t.num_attention_heads * t.head_dim()) * static_cast<double>(ctx);
  const double per_token = t.num_hidden_layers * (2 * per_layer + 2 * attn) + 2 * h * static_cast<double>(t.vocab_size);
  return per_token * static_cast<double>(batch);
}

/// Sustained float32 GEMM rate of this machine on the current threads (GFLOP/s), 1024^3 products.
double gemm_gflops() {
  const at::Tensor a = at::randn({1024, 1024}), b = at::randn({1024, 1024});
  at::Tensor c = at::mm(a, b);
  double best = 1e30;
  for (int i = 0; i < 5; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    at::mm_out(c, a, b);
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return 2.0 * 1024 * 1024 * 1024 / best / 1e9;
}

int run_rollouts(const Common& c, const fs::path& model_dir, const fs::path& case_file, const std::string& tag_in,
                 int prefill_repeats) {
  const std::string tag = model_tag(model_dir, tag_in);
  auto model = vsr::model::Qwen2VL::from_pretrained(model_dir);
  const auto one = load_case(case_file);
  const auto group = replicate(one, kGroup);
  const std::int64_t L = one.input_ids.size(1);
  vsr::model::SamplingOptions so;
  so.temperature = 1.0;
  so.top_k = 0;
  so.top_p = 1.0;
  so.max_new_tokens = so.min_new_tokens = kNew;
  so = vsr::model::with_model_stops(so, model);
  comment("model=" + tag + " dir=" + model_dir.string() + " prompt_len=" + std::to_string(L) +
          " video_patches=" + std::to_string(one.pixel_values_videos.size(0)) + " G=" + std::to_string(kGroup) +
          " new_tokens=" + std::to_string(kNew) + " threads=" + std::to_string(at::get_num_threads()));
  const Fields mtag{{"model", tag}};
  auto with = [&](Fields f) {
    f.insert(f.begin(), mtag.begin(), mtag.end());
    return f;
  };
  const double ntok = static_cast<double>(kGroup * kNew);

  // GRPO rollouts as vsr's trainer makes them: one prefill, the cache repeated for the 14 rollouts.
  at::Generator gen;
  auto seed = [&](int i) { gen = vsr::model::make_generator(1000 + static_cast<std::uint64_t>(i), at::kCPU); };
  vsr::model::Generation out;
  Measurement g = measure(c, [&] { out = vsr::model::sample_group(model, one, kGroup, so, gen); }, seed);
  if (out.tokens.size(0) != kGroup || out.tokens.size(1) != kNew) vsr::fail(kCmd, "rollouts", "wrong output shape");
  line(vsr::perf::rate_line("vsr_generate_tok_per_s", g, ntok, "tok/s",
                            with({{"tokens", std::to_string(kGroup * kNew)}, {"path", "sample_group"}})));
  line(vsr::perf::time_line("vsr_generate_ms", g, with({{"path", "sample_group"}})));
  if (g_profile) profile("sample_group " + tag, [&] {
    seed(0);
    out = vsr::model::sample_group(model, one, kGroup, so, gen);
  });

  // The kit's shape: a batch of 14 prompts, each prefilled (vision tower included).
  Measurement gb = measure(c, [&] { out = vsr::model::generate(model, group, so, gen); }, seed);
  line(vsr::perf::rate_line("vsr_generate_batch_tok_per_s", gb, ntok, "tok/s",
                            with({{"tokens", std::to_string(kGroup * kNew)}, {"path", "generate_batch14"}})));

  // Prefill alone (vision tower + decoder + logits at the last position, which is all generation uses).
  double prefill_b1 = 0;
  for (std::int64_t b : {std::int64_t{1}, kGroup}) {
    const auto& in = b == 1 ? one : group;
    at::Tensor logits;
    Measurement p = measure(
        c,
        [&] {
          at::NoGradGuard ng;
          auto cache = model.new_cache(b, L + kNew);
          const at::Tensor hidden = model.prefill(in, cache);
          logits = model.logits_at(hidden, at::full({b}, L - 1, at::kLong));
        },
        {}, prefill_repeats);
    if (b == 1) prefill_b1 = p.median;
    line(vsr::perf::time_line("vsr_prefill_b" + std::to_string(b) + "_ms", p,
                              with({{"batch", std::to_string(b)}, {"prompt_len", std::to_string(L)},
                                    {"logits", "last_position"}})));
  }
  for (std::int64_t b : {std::int64_t{1}, kGroup}) {
    const auto& in = b == 1 ? one : group;
    Measurement v = measure(
        c,
        [&] {
          at::NoGradGuard ng;
          (void)model.visual().forward(in.pixel_values_videos, in.video_grid_thw);
        },
        {}, prefill_repeats);
    line(vsr::perf::time_line("vsr_vision_b" + std::to_string(b) + "_ms", v,
                              with({{"batch", std::to_string(b)},
                                    {"patches", std::to_string(in.pixel_values_videos.size(0))}})));
  }
  const double step_ms = (g.median - prefill_b1) * 1e3 / static_cast<double>(kNew - 1);
  line(vsr::perf::metric_line("vsr_decode_ms_per_step", step_ms, "ms", c.repeats, c.repeats,
                              with({{"derived", "(generate-prefill_b1)/63"}, {"batch", std::to_string(kGroup)}})));

  // The decode steps alone, without sampling: 63 steps of decoder + lm_head on the 14-row cache.
  Measurement d = measure(
      c,
      [&] {
        at::NoGradGuard ng;
        auto single = model.new_cache(1, L + kNew);
        (void)model.prefill(one, single);
        auto cache = single.repeat_rows(kGroup);
        at::Tensor tok = at::full({kGroup}, so.pad_id, at::kLong);
        for (std::int64_t s = 0; s + 1 < kNew; ++s) {
          const at::Tensor logits = model.logits_at(model.decode_step(tok, cache));
          tok = logits.argmax(-1);
        }
      },
      {}, prefill_repeats);
  // (the measurement includes one b1 prefill; subtract it as for the derived figure)
  const double nosample_ms = (d.median - prefill_b1) * 1e3 / static_cast<double>(kNew - 1);
  line(vsr::perf::metric_line("vsr_decode_nosample_ms_per_step", nosample_ms, "ms", prefill_repeats, prefill_repeats,
                              with({{"derived", "(decode63_argmax-prefill_b1)/63"}, {"batch", std::to_string(kGroup)},
                                    {"other_cpu", fmt_num(std::round(d.other_cpu * 1000) / 1000)}})));
  const double flops = decode_step_flops(model.config(), kGroup, L + kNew / 2);
  const double peak = gemm_gflops();
  line(vsr::perf::metric_line("vsr_decode_flop_floor_ms", flops / (peak * 1e9) * 1e3, "ms", 1, 1,
                              with({{"gflop_per_step", fmt_num(flops / 1e9)}, {"gemm_gflops", fmt_num(peak)},
                                    {"ratio_nosample", fmt_num(nosample_ms / (flops / (peak * 1e9) * 1e3))},
                                    {"ratio_sampled", fmt_num(step_ms / (flops / (peak * 1e9) * 1e3))}})));
  return 0;
}

int run_logprobs(const Common& c, const fs::path& model_dir, const fs::path& case_file, const std::string& tag_in) {
  const std::string tag = model_tag(model_dir, tag_in);
  auto model = vsr::model::Qwen2VL::from_pretrained(model_dir);
  const auto one = load_case(case_file);
  auto in = replicate(one, kGroup);
  const std::int64_t L = one.input_ids.size(1);
  auto g = vsr::model::make_generator(1234, at::kCPU);
  // Ordinary text tokens: the ids below the first special token (Qwen2's <|endoftext|>, the config's bos_token_id).
  const std::int64_t text_tokens = model.config().bos_token_id.value_or(model.config().vocab_size);
  const at::Tensor comp = at::randint(0, text_tokens, {kGroup, kNew}, g, at::TensorOptions().dtype(at::kLong));
  in.input_ids = at::cat({in.input_ids, comp}, 1);
  in.attention_mask = at::ones_like(in.input_ids);
  at::Tensor mask = at::zeros_like(in.input_ids);
  mask.narrow(1, L, kNew).fill_(1);
  std::vector<at::Tensor*> params;
  for (auto& [name, p] : model.named_parameters()) {
    p->requires_grad_(true);
    params.push_back(p);
  }
  comment("model=" + tag + " batch=" + std::to_string(kGroup) + " seq_len=" + std::to_string(L + kNew) +
          " (prompt " + std::to_string(L) + " + completion " + std::to_string(kNew) +
          ") trainable_tensors=" + std::to_string(params.size()) + " threads=" + std::to_string(at::get_num_threads()));
  const Fields mtag{{"model", tag}, {"batch", std::to_string(kGroup)}, {"seq_len", std::to_string(L + kNew)},
                    {"completion", std::to_string(kNew)}};
  auto zero = [&](int) {
    for (at::Tensor* p : params) p->mutable_grad() = at::Tensor();
  };
  // vsr's GRPO pass: the 14 rows share the prompt and video, which run once (Qwen2VL::forward_shared_prompt, what
  // train::Session::logprobs does for a group); `_rows_` is the plain forward over the 14 full rows.
  auto hidden_of = [&](bool shared) { return shared ? model.forward_shared_prompt(in, L) : model.forward(in); };
  double sum_grad = 0, sum_rows = 0, sum_nograd = 0;
  for (const bool shared : {true, false}) {
    Measurement m = measure(
        c,
        [&] {
          const at::Tensor total = model.token_log_probs(hidden_of(shared), in.input_ids, mask).sum();
          torch::autograd::backward({total});
          (shared ? sum_grad : sum_rows) = total.item<double>();
        },
        zero);
    Fields f = mtag;
    f.emplace_back("path", shared ? "shared_prompt" : "rows");
    line(vsr::perf::time_line(shared ? "vsr_logprobs_ms" : "vsr_logprobs_rows_ms", m, f));
  }
  if (g_profile) {
    zero(0);
    profile("logprobs " + tag, [&] {
      const at::Tensor total = model.token_log_probs(hidden_of(true), in.input_ids, mask).sum();
      torch::autograd::backward({total});
    });
  }
  zero(0);
  Measurement n = measure(c, [&] {
    at::NoGradGuard ng;
    sum_nograd = model.token_log_probs(hidden_of(true), in.input_ids, mask).sum().item<double>();
  });
  Fields nf = mtag;
  nf.emplace_back("path", "shared_prompt");
  line(vsr::perf::time_line("vsr_logprobs_nograd_ms", n, nf));
  line(vsr::perf::metric_line("vsr_logprobs_check_sum", sum_grad, "nats", 1, 1,
                              {{"model", tag}, {"rows_sum", fmt_num(sum_rows)}, {"nograd_sum", fmt_num(sum_nograd)}}));
  return 0;
}

int run_tokenize(const Common& c, const fs::path& tokenizer_dir, const fs::path& corpus) {
  const std::string text = vsr::read_file(corpus);
  std::vector<std::string_view> lines;
  std::size_t bytes = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    lines.emplace_back(text.data() + pos, nl - pos);
    bytes += nl - pos;
    pos = nl + 1;
  }
  comment("corpus=" + corpus.string() + " lines=" + std::to_string(lines.size()) + " bytes=" + std::to_string(bytes) +
          " tokenizer=" + tokenizer_dir.string());
  const double mb = static_cast<double>(bytes) / 1e6;
  const auto t0 = std::chrono::steady_clock::now();
  auto tok = vsr::text::Tokenizer::from_dir(tokenizer_dir);
  const double load_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  line(vsr::perf::metric_line("vsr_tokenizer_load_ms", load_ms, "ms", 1, 1));
  std::vector<std::int32_t> ids;
  std::size_t ntok = 0;
  auto pass = [&] {
    ntok = 0;
    for (const auto& l : lines) {
      ids.clear();
      tok.encode_into(l, ids);
      ntok += ids.size();
    }
  };
  vsr::perf::MeasureOptions cold_opt = vsr::perf::MeasureOptions::from_env(1, 0);
  Measurement cold = vsr::perf::measure(pass, cold_opt, [&](int) { tok = vsr::text::Tokenizer::from_dir(tokenizer_dir); });
  line(vsr::perf::metric_line("vsr_tokenizer_cold_MBps", mb / cold.median, "MB/s", 1, 1,
                              {{"other_cpu", fmt_num(std::round(cold.other_cpu * 1000) / 1000)},
                               {"attempts", std::to_string(cold.attempts)}, {"bytes", std::to_string(bytes)},
                               {"tokens", std::to_string(ntok)}}));
  Measurement warm = measure(c, pass);
  line(vsr::perf::rate_line("vsr_tokenizer_MBps", warm, mb, "MB/s",
                            {{"bytes", std::to_string(bytes)}, {"tokens", std::to_string(ntok)}}));
  line(vsr::perf::rate_line("vsr_tokenizer_tok_per_s", warm, static_cast<double>(ntok), "tok/s"));
  vsr::Sha256 h;
  const std::int32_t sep = -1;
  ntok = 0;
  for (const auto& l : lines) {
    ids.clear();
    tok.encode_into(l, ids);
    ntok += ids.size();
    h.update(ids.data(), ids.size() * sizeof(std::int32_t));  // int32 little-endian (x86-64)
    h.update(&sep, sizeof sep);
  }
  line(vsr::perf::metric_line("vsr_tokenizer_check_tokens", static_cast<double>(ntok), "tokens", 1, 1,
                              {{"lines", std::to_string(lines.size())}, {"ids_sha256", h.hex_digest()}}));
  return 0;
}

int run_frames(const Common& c, const fs::path& video, std::int64_t max_pixels) {
  vsr::vision::ProcessorOptions po;
  po.max_pixels = max_pixels;
  vsr::video::ReaderOptions ro;  // one FFmpeg-threaded reader (the comparison figure)
  ro.threads = c.threads;
  vsr::video::ReaderOptions ro1;  // c.threads single-threaded readers, frames dealt out among them (vsr's path)
  ro1.threads = 1;
  std::int64_t n = 0;
  {
    vsr::video::VideoReader r(video, ro);
    n = r.frame_count();
    const auto size = vsr::vision::target_size(r.height(), r.width(), po);
    comment("video=" + video.string() + " frames=" + std::to_string(n) + " size=" + std::to_string(r.width()) + "x" +
            std::to_string(r.height()) + " resize=" + std::to_string(size.height) + "x" + std::to_string(size.width) +
            " decoders=" + std::to_string(c.threads) + " threads=" + std::to_string(at::get_num_threads()));
  }
  for (std::int64_t N : {16, 32}) {
    const auto targets = vsr::video::uniform_indices(n, N);
    at::Tensor result;
    auto preprocess = [&](const vsr::video::Frames& f) {
      const at::Tensor raw = at::from_blob(const_cast<std::uint8_t*>(f.rgb.data()), {f.count, f.height, f.width, 3},
                                           at::kByte);
      return vsr::vision::normalize_frames(vsr::vision::resize_frames(raw, po), po);
    };
    Measurement all = measure(c, [&] { result = preprocess(vsr::video::read_indices_parallel(video, targets, c.threads, ro1)); });
    const std::string ns = std::to_string(N);
    const Fields how{{"frames", ns}, {"decoders", std::to_string(c.threads)}, {"dec_threads", "1"}};
    line(vsr::perf::time_line("vsr_frames_" + ns + "_ms", all, how));
    vsr::video::Frames decoded;
    Measurement dec = measure(c, [&] { decoded = vsr::video::read_indices_parallel(video, targets, c.threads, ro1); });
    line(vsr::perf::time_line("vsr_frames_decode_" + ns + "_ms", dec, how));
    vsr::video::Frames decoded_ff;
    Measurement ff = measure(c, [&] { decoded_ff = vsr::video::VideoReader(video, ro).read_indices(targets); });
    line(vsr::perf::time_line("vsr_frames_decode_ffthreads_" + ns + "_ms", ff,
                              {{"frames", ns}, {"decoders", "1"}, {"dec_threads", std::to_string(c.threads)}}));
    if (decoded_ff.rgb != decoded.rgb) vsr::fail(kCmd, "frames", "the parallel readers decoded other pixels");
    at::Tensor pre;
    Measurement p = measure(c, [&] { pre = preprocess(decoded); });
    line(vsr::perf::time_line("vsr_frames_preprocess_" + ns + "_ms", p, {{"frames", ns}}));
    if (!pre.equal(result)) vsr::fail(kCmd, "frames", "preprocessing alone gave other values than the full path");
    std::string first;
    for (std::size_t i = 0; i < 4 && i < targets.size(); ++i) {
      if (i) first += ',';
      first += std::to_string(targets[i]);
    }
    std::string shape;
    for (auto s : result.sizes()) {
      if (!shape.empty()) shape += 'x';
      shape += std::to_string(s);
    }
    line(vsr::perf::metric_line("vsr_frames_check_" + ns, result.sum(at::kDouble).item<double>(), "sum", 1, 1,
                                {{"first_targets", first}, {"shape", shape}}));
  }
  return 0;
}

int run_qa(const Common& c, int scenes) {
  vsr::data::SynthOptions so;
  so.mesh_spacing = 0.03;
  so.write_video = false;
  const fs::path root = fs::temp_directory_path() / ("vsr_perf_qa_" + std::to_string(::getpid()));
  std::vector<fs::path> dirs;
  for (int i = 0; i < scenes; ++i) {
    const auto s = vsr::data::make_synthetic_scene(1, i, so);
    vsr::data::write_synthetic_scene(root, s, so);
    fs::remove(root / s.name / (s.name + "_camera.json"));  // ScanNet has no camera path: no visibility rendering
    dirs.push_back(root / s.name);
  }
  vsr::data::QaOptions qa;
  std::size_t questions = 0;
  Measurement m = measure(c, [&] { questions = vsr::data::build_questions(dirs, qa, so, c.threads).size(); });
  fs::remove_all(root);
  const double per = 1.0 / static_cast<double>(scenes);
  Measurement scaled = m;
  for (double& t : scaled.times) t *= per;
  scaled.median *= per;
  scaled.min *= per;
  scaled.max *= per;
  line(vsr::perf::time_line("vsr_qa_ms_per_scene", scaled,
                            {{"scenes", std::to_string(scenes)}, {"threads", std::to_string(c.threads)},
                             {"questions", std::to_string(questions)},
                             {"s_per_1500_scenes", fmt_num(scaled.median * 1500)}}));
  return 0;
}

}  // namespace

VSR_COMMAND(run_perf, "perf",
            "measure vsr on the reference kit's workloads: perf rollouts|logprobs|tokenize|frames|qa (kit line format)") {
  vsr::Config cfg(argv[0]);
  Common c;
  std::string models, case_file, tag, tokenizer, corpus, video;
  int prefill_repeats = 7, scenes = 8;
  std::int64_t max_pixels = 401408;
  cfg.allow_positional(1);
  cfg.top_level()
      .add("model", models, "Qwen2-VL checkpoint folder, or several joined by commas (rollouts, logprobs)")
      .add("tag", tag, "model tag printed as model=<tag> (default: tiny for the golden model, else the folder name)")
      .add("case", case_file, "goldens `video` case (input_ids, video.pixel_values, video.grid_thw)")
      .add("tokenizer", tokenizer, "tokenizer folder (tokenize)")
      .add("corpus", corpus, "text corpus, encoded line by line (tokenize)")
      .add("video", video, "video file (frames)")
      .add("max-pixels", max_pixels, "per-frame pixel budget of smart_resize (frames; the kit's 401408)")
      .add("scenes", scenes, "synthetic ScanNet-size scenes (qa)")
      .add("repeats", c.repeats, "timed repeats (median reported)")
      .add("prefill-repeats", prefill_repeats, "timed repeats of the prefill / vision / decode-only measurements")
      .add("warmup", c.warmup, "untimed calls before the timed ones")
      .add("threads", c.threads, "intra-op threads and video decoder threads (the kit uses 2)")
      .add("profile", g_profile, "also print a per-operator profile (# lines) of one generate / log-probs call");
  if (!cfg.parse(argc, argv)) return 0;
  if (cfg.positional().size() != 1)
    vsr::fail(kCmd, "workload", "expected one of rollouts, logprobs, tokenize, frames, qa");
  const std::string what = cfg.positional()[0];
  if (c.repeats < 1 || c.warmup < 0 || c.threads < 1 || prefill_repeats < 1 || scenes < 1)
    vsr::fail(kCmd, "repeats", "expected positive repeats, threads, scenes and a non-negative warmup");
  vsr::RuntimeOptions rt;
  rt.threads = c.threads;
  vsr::apply_runtime(rt);
  at::set_num_interop_threads(1);
  comment("vsr perf " + what + " threads=" + std::to_string(at::get_num_threads()) + " repeats=" +
          std::to_string(c.repeats) + " warmup=" + std::to_string(c.warmup));
  if (what == "rollouts" || what == "logprobs") {
    if (models.empty()) vsr::fail(kCmd, "model", "expected --model DIR");
    if (case_file.empty()) vsr::fail(kCmd, "case", "expected --case FILE (the goldens' cases/video.safetensors)");
    std::vector<std::string> dirs;
    for (std::size_t pos = 0; pos <= models.size();) {
      std::size_t comma = models.find(',', pos);
      if (comma == std::string::npos) comma = models.size();
      if (comma > pos) dirs.push_back(models.substr(pos, comma - pos));
      pos = comma + 1;
    }
    for (const auto& m : dirs) {
      const std::string t = dirs.size() == 1 ? tag : std::string();
      if (what == "rollouts")
        run_rollouts(c, m, case_file, t, prefill_repeats);
      else
        run_logprobs(c, m, case_file, t);
    }
    return 0;
  }
  if (what == "tokenize") {
    if (tokenizer.empty() || corpus.empty()) vsr::fail(kCmd, "corpus", "expected --tokenizer DIR and --corpus FILE");
    return run_tokenize(c, tokenizer, corpus);
  }
  if (what == "frames") {
    if (video.empty()) vsr::fail(kCmd, "video", "expected --video FILE");
    return run_frames(c, video, max_pixels);
  }
  if (what == "qa") return run_qa(c, scenes);
  vsr::fail(kCmd, "workload", "expected one of rollouts, logprobs, tokenize, frames, qa, got " + vsr::quote(what));
}
