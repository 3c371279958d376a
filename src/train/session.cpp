// The trainer's compiled core: loading, rollouts, teacher-forced log-probs, AdamW updates, checkpoints, resume.
#include "vsr/train/session.hpp"

#include "vsr/train/export.hpp"

#include "vsr/core/error.hpp"
#include "vsr/core/sha256.hpp"
#include "vsr/data/records.hpp"
#include "vsr/data/scene_list.hpp"
#include "vsr/eval/vsi_eval.hpp"
#include "vsr/io/checkpoint_manifest.hpp"
#include "vsr/model/preflight.hpp"
#include "vsr/model/generation.hpp"
#include "vsr/runtime/runtime.hpp"
#include "vsr/runtime/torch_compat.hpp"
#include "vsr/train/adamw.hpp"
#include "vsr/train/preemption.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <map>
#include <unistd.h>

namespace vsr::train {

namespace fs = std::filesystem;

void RunArguments::describe(OptionSet set) {
  set.add("model", model, "base model: Hugging Face Qwen2-VL folder (config.json + *.safetensors)")
      .add("tokenizer", tokenizer, "tokenizer folder (default: the model folder)")
      .add("train", train, "training questions (vsr data build JSONL or a VSI-Bench-format file)")
      .add("eval", eval, "evaluation questions, evaluated after training (optional)")
      .add("video-root", video_root, "folder of {dataset}/{scene_name}.mp4 for records without a video field")
      .add("out", out, "run folder (config, metrics, checkpoints, adapter, evaluation)")
      .add("init-adapter", init_adapter, "start from this PEFT adapter instead of a fresh one")
      .add("resume", resume, "continue from the newest intact checkpoint in --out")
      .add("resume-force", resume_force, "with --resume: continue although the configuration changed (prints the changes)")
      .add("skip-invalid", skip_invalid, "drop the records the pre-flight check rejects (default: list them and stop)");
}

void RunArguments::validate() const {
  if (model.empty()) fail("<command line>", "model", "expected --model DIR (a Qwen2-VL checkpoint folder)");
  if (train.empty()) fail("<command line>", "train", "expected --train FILE (training questions)");
  if (out.empty()) fail("<command line>", "out", "expected --out DIR (the run folder)");
}

struct Session::Impl {
  at::Device device = at::kCPU;
  at::ScalarType dtype = at::kFloat;
  model::SamplingOptions sampling;
  std::unique_ptr<AdamW> optimizer;
  at::Generator generator;
  std::unique_ptr<DataOrder> order;
  std::uint64_t seed = 0;
  /// The questions handed out by next_batch() not yet rolled out, with their global positions in the data order.
  std::vector<std::pair<const data::Sample*, std::int64_t>> pending;
  nlohmann::json run_info;
  std::chrono::steady_clock::time_point step_start = std::chrono::steady_clock::now();
  std::string resume_config;  ///< io::resume_config of the resolved INI: kept in and checked against checkpoints
};

namespace {

/// What a resume must find unchanged beside the settings, by content rather than by path (a requeued job may see
/// the model and the records at other paths): the training records (count and SHA-256 of their ids in order: the
/// data order indexes them; the pre-flight check's drops included) and the model's config.json.
std::string content_fingerprint(const std::vector<data::Sample>& samples, const std::string& model) {
  Sha256 ids;
  for (const auto& s : samples) {
    ids.update(s.id.data(), s.id.size());
    ids.update("\n", 1);
  }
  const fs::path config = fs::path(model) / "config.json";
  return "\n[fingerprint]\nrecords = " + std::to_string(samples.size()) + " records, ids " + ids.hex_digest() +
         "\nmodel_config = " + (fs::exists(config) ? io::sha256_file(config) : std::string("none")) + "\n";
}

/// The checkpoint every rank resumes from: rank 0 chooses (and sets damaged ones aside), the others are told, so a
/// file-system hiccup on one rank cannot make the ranks load different steps. Rank 0's error is every rank's.
std::optional<ResumePoint> agreed_resume_point(const fs::path& run_dir, const std::string& config_text, bool force,
                                               const Distributed& dist) {
  if (!dist.active()) return choose_resume_checkpoint(run_dir, config_text, force, true);
  nlohmann::json told = nlohmann::json::object();
  std::optional<ResumePoint> point;
  std::exception_ptr error;
  if (dist.is_main()) {
    try {
      point = choose_resume_checkpoint(run_dir, config_text, force, true);
      if (point) told = {{"checkpoint", point->checkpoint.string()}, {"warnings", point->warnings}};
    } catch (const Error& e) {
      error = std::current_exception();
      told = {{"error", e.what()}};
    }
  }
  told = nlohmann::json::parse(dist.broadcast(told.dump(), 0));
  if (error) std::rethrow_exception(error);
  if (told.contains("error")) fail("<distributed>", "resume", "rank 0: " + told["error"].get<std::string>());
  if (!dist.is_main() && told.contains("checkpoint"))
    point = ResumePoint{told["checkpoint"].get<std::string>(), told["warnings"].get<std::vector<std::string>>()};
  return point;
}

void write_run_json(const RunDir& dir, const nlohmann::json& info) {
  write_file_atomic(dir.file("run.json"), info.dump(2) + "\n");
}

/// SplitMix64 finaliser: the rollout seed of the question at global position `index` of a run seeded `seed`.
std::uint64_t question_seed(std::uint64_t seed, std::int64_t index) {
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ull * (static_cast<std::uint64_t>(index) + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/// The dropout generator's seed of rank `rank` > 0 after `step` steps (rank 0 keeps the configured seed's stream).
std::uint64_t rank_seed(std::uint64_t seed, int rank, std::int64_t step) {
  return question_seed(seed ^ 0xA0761D6478BD642Full, static_cast<std::int64_t>(rank) * 1000003 + step);
}

}  // namespace

Session::Session(const RunArguments& args, const RuntimeOptions& runtime, const TrainOptions& train,
                 const LoraOptions& lora, const model::VideoOptions& video,
                 const vision::ProcessorOptions& processor_options, const model::SamplingOptions& sampling,
                 const Config& config, nlohmann::json recipe, const std::function<void(Session&)>& prepare)
    : impl_(std::make_unique<Impl>()), args_(args), train_(train), run_dir_((args.validate(), fs::path(args.out))) {
  train_.validate(config.config_file() ? config.config_file()->string() : "[train]");
  require(runtime.collective_timeout_s > 0, "[runtime]", "runtime.collective_timeout_s", "expected seconds > 0");
  dist_ = Distributed::from_environment(
      runtime.device, std::chrono::milliseconds(static_cast<std::int64_t>(runtime.collective_timeout_s * 1000)));
  apply_runtime(runtime);
  impl_->device = at::Device(dist_->device_for_rank(runtime.device));
  impl_->seed = runtime.seed;
  if (!dist_->is_main()) at::manual_seed(rank_seed(runtime.seed, dist_->rank(), 0));
  impl_->dtype = runtime.dtype == "bfloat16" ? at::kBFloat16 : at::kFloat;

  const auto previous = latest_checkpoint(run_dir_.path());
  if (previous && !args.resume)
    fail(args.out, "checkpoints", "the run folder already holds checkpoints: pass --resume or choose another --out");

  samples_ = data::read_samples(args.train, args.video_root);
  if (!args.eval.empty() && dist_->is_main()) {
    const auto warning = data::overlap_warning(
        data::shared_scenes(data::scene_names(samples_), data::scene_names(eval_samples())), args.train, args.eval);
    if (!warning.empty()) std::fprintf(stderr, "%s\n", warning.c_str());
  }

  model_ = std::make_unique<model::Qwen2VL>(model::Qwen2VL::from_pretrained(args.model, impl_->dtype, impl_->device));
  tokenizer_ = std::make_unique<text::Tokenizer>(text::Tokenizer::from_dir(args.tokenizer.empty() ? args.model : args.tokenizer));
  vision::ProcessorOptions processor = processor_options;
  const fs::path preprocessor = fs::path(args.model) / "preprocessor_config.json";
  if (fs::exists(preprocessor) && !config.was_set("processor.min_pixels") && !config.was_set("processor.max_pixels"))
    processor = vision::ProcessorOptions::from_file(preprocessor);
  processor.validate();
  encoder_ = std::make_unique<model::SampleEncoder>(*tokenizer_, processor, model_->config(), video, impl_->device,
                                                    impl_->dtype);

  LoraOptions lora_options = lora;
  if (lora_options.base_model.empty()) lora_options.base_model = args.model;
  if (!args.init_adapter.empty()) {
    adapters_.emplace(LoraAdapters::from_pretrained(*model_, args.init_adapter));
  } else {
    adapters_.emplace(LoraAdapters::create(*model_, lora_options));
  }
  impl_->sampling = model::with_model_stops(sampling, *model_);
  const auto& mc = model_->config();
  impl_->sampling.suppress_ids = {mc.image_token_id, mc.video_token_id, mc.vision_start_token_id,
                                  mc.vision_end_token_id, mc.vision_token_id};
  std::vector<at::Tensor> trained = adapters_->parameters();
  if (train_.full_weights) {
    if (args.resume) fail("<command line>", "resume", "cannot resume a train.full_weights run (no base weights saved)");
    for (auto& [name, weight] : model_->named_parameters()) trained.push_back(weight->set_requires_grad(true));
  }
  impl_->optimizer = std::make_unique<AdamW>(
      trained,
      AdamWSettings{train_.adam_beta1, train_.adam_beta2, train_.adam_eps, train_.weight_decay});
  impl_->generator = model::make_generator(runtime.seed, impl_->device);
  if (prepare) prepare(*this);
  impl_->order = std::make_unique<DataOrder>(static_cast<std::int64_t>(samples_.size()), runtime.seed, dist_->rank(),
                                             dist_->world_size());
  state_.world_size = dist_->world_size();

  impl_->resume_config = io::resume_config(config.resolved_ini()) + content_fingerprint(samples_, args.model);
  const auto resume_point = args.resume ? agreed_resume_point(run_dir_.path(), impl_->resume_config,
                                                              args.resume_force, *dist_)
                                        : std::nullopt;
  if (resume_point) {
    for (const auto& warning : resume_point->warnings) {
      if (dist_->is_main()) std::fprintf(stderr, "warning: %s\n", warning.c_str());
      log("warning: " + warning);
    }
    const fs::path& checkpoint = resume_point->checkpoint;
    state_ = load_checkpoint(checkpoint, *adapters_, *impl_->optimizer,
                             RngStates{&impl_->generator, dist_->is_main()});
    if (state_.world_size != dist_->world_size())
      fail((checkpoint / "trainer_state.json").string(), "world_size",
           "the checkpoint was written by a run of " + std::to_string(state_.world_size) +
               " processes; resume it with the same number, found " + std::to_string(dist_->world_size()));
    if (!dist_->is_main()) at::manual_seed(rank_seed(runtime.seed, dist_->rank(), state_.step));
    impl_->order->seek(state_.data);
    resumed_ = true;
    log("resumed from " + checkpoint.string());
  }
  if (dist_->is_main()) metrics_ = std::make_unique<MetricsLog>(run_dir_.path(), resumed_ ? state_.step : -1);
  if (dist_->is_main()) run_dir_.save_config(config.resolved_ini());
  impl_->run_info = std::move(recipe);
  impl_->run_info["model"] = args.model;
  impl_->run_info["train"] = args.train;
  if (!args.init_adapter.empty()) impl_->run_info["init_adapter"] = args.init_adapter;
  impl_->run_info["steps"] = train_.steps;
  impl_->run_info["trainable_parameters"] = adapters_->num_parameters();
  impl_->run_info["torch"] = compat::torch_version();
  impl_->run_info["status"] = "running";
  impl_->run_info["world_size"] = dist_->world_size();
  if (dist_->is_main()) write_run_json(run_dir_, impl_->run_info);
  log((resumed_ ? "resuming at step " : "starting at step ") + std::to_string(state_.step));
}

Session::~Session() = default;

std::vector<const data::Sample*> Session::next_batch() {
  std::vector<const data::Sample*> out;
  const DataPosition before = impl_->order->position();
  // Global position of this rank's first question: all ranks' earlier questions, then the slices of lower ranks.
  std::int64_t global = before.epoch * static_cast<std::int64_t>(samples_.size()) + before.offset +
                        static_cast<std::int64_t>(dist_->rank()) * train_.batch_size;
  impl_->pending.clear();
  for (const auto i : impl_->order->next_batch(train_.batch_size)) {
    out.push_back(&samples_[static_cast<std::size_t>(i)]);
    impl_->pending.emplace_back(out.back(), global++);
  }
  state_.data = impl_->order->position();
  return out;
}

RolloutGroup Session::rollout(const data::Sample& sample, const std::string& text, std::int64_t group_size) {
  const auto start = std::chrono::steady_clock::now();
  adapters_->set_training(false);
  at::NoGradGuard no_grad;
  compat::CudaAutocast autocast(impl_->device.is_cuda() && impl_->dtype == at::kBFloat16);
  RolloutGroup group;
  group.prompt = encoder_->prompt(sample, text);
  // A question of the current batch gets the generator seeded from its global position: the same completions at
  // any world size (and on resume); other questions continue the generator's stream.
  const auto it = std::find_if(impl_->pending.begin(), impl_->pending.end(),
                               [&](const auto& p) { return p.first == &sample; });
  if (it != impl_->pending.end()) {
    impl_->generator.set_current_seed(question_seed(impl_->seed, it->second));
    impl_->pending.erase(it);
  }
  const auto gen = model::sample_group(*model_, group.prompt, group_size, impl_->sampling, impl_->generator);
  const at::Tensor tokens = gen.tokens.to(at::kCPU).contiguous();
  const at::Tensor lengths = gen.lengths.to(at::kCPU).contiguous();
  group.logprobs = gen.logprobs.to(at::kFloat);
  for (std::int64_t r = 0; r < group_size; ++r) {
    const std::int64_t n = lengths[r].item<std::int64_t>();
    const std::int64_t* p = tokens[r].data_ptr<std::int64_t>();
    group.tokens.emplace_back(p, p + n);
    const auto& stops = impl_->sampling.stop_ids;
    group.truncated.push_back(n == 0 || std::find(stops.begin(), stops.end(), p[n - 1]) == stops.end());
    group.texts.push_back(encoder_->decode(group.tokens.back()));
    group.new_tokens += n;
  }
  group.max_new_tokens = impl_->sampling.max_new_tokens;
  group.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return group;
}

at::Tensor Session::logprobs(const model::CompletionBatch& batch, bool train,
                             std::span<const model::CompletionBatch> groups) {
  adapters_->set_training(train);
  std::optional<at::NoGradGuard> no_grad;
  if (!train) no_grad.emplace();
  compat::CudaAutocast autocast(impl_->device.is_cuda() && impl_->dtype == at::kBFloat16);
  const bool same_prompt_per_group = !train || !adapters_->attached() || adapters_->options().dropout == 0.0;
  if (groups.empty() || !same_prompt_per_group) {
    const at::Tensor hidden = model_->forward(batch.inputs);
    return model_->token_log_probs(hidden, batch.inputs.input_ids, batch.mask);
  }
  const std::int64_t width = batch.inputs.input_ids.size(1);
  std::vector<at::Tensor> parts;
  for (const model::CompletionBatch& g : groups) {
    const at::Tensor hidden = model_->forward_shared_prompt(g.inputs, g.prompt_length);
    const at::Tensor lp = model_->token_log_probs(hidden, g.inputs.input_ids, g.mask);
    parts.push_back(at::constant_pad_nd(lp, {0, width - lp.size(1)}, 0.0));
  }
  const at::Tensor out = at::cat(parts);
  if (out.sizes() != batch.mask.sizes()) fail("<batch>", "groups", "do not stack up to the batch");
  return out;
}

at::Tensor Session::reference_logprobs(const model::CompletionBatch& batch,
                                      std::span<const model::CompletionBatch> groups) {
  LoraDisabled reference(*adapters_);
  return logprobs(batch, false, groups);
}

void Session::backward(const at::Tensor& loss) {
  (loss / static_cast<double>(train_.grad_accum)).backward();
}

double Session::global_share(double local_count) const {
  if (!dist_->active()) return 1.0;
  const double total = dist_->all_reduce_sum({local_count})[0];
  return total > 0.0 ? local_count / total : 1.0 / static_cast<double>(dist_->world_size());
}

StepStats Session::reduce_stats(const StepStats& stats) const {
  if (!dist_->active()) return stats;
  nlohmann::json mine = nlohmann::json::array();
  for (const auto& [name, value] : stats.values) mine.push_back({name, std::isfinite(value) ? nlohmann::json(value) : nlohmann::json()});
  std::vector<std::string> order;
  std::map<std::string, std::vector<double>> seen;
  for (int r = 0; r < dist_->world_size(); ++r) {
    const auto theirs = nlohmann::json::parse(dist_->broadcast(mine.dump(), r));
    for (const auto& entry : theirs) {
      const auto name = entry[0].get<std::string>();
      if (!seen.count(name)) order.push_back(name);
      seen[name].push_back(entry[1].is_null() ? std::nan("") : entry[1].get<double>());
    }
  }
  StepStats out;
  out.step = stats.step;
  for (const auto& name : order) {
    const auto& v = seen[name];
    double value = 0.0;
    if (name.ends_with("_min")) {
      value = *std::min_element(v.begin(), v.end());
    } else if (name.ends_with("_max") || name == "step_time_s" || name == "rollout_time_s") {
      value = *std::max_element(v.begin(), v.end());
    } else if (name.ends_with("tok_per_s") || name == "answer_tokens") {
      for (double x : v) value += x;
    } else {  // the mean over the ranks that have a value (a rank that trained nothing reports NaN diagnostics)
      double count = 0.0;
      for (double x : v)
        if (std::isfinite(x)) value += x, count += 1.0;
      value = count > 0.0 ? value / count : std::nan("");
    }
    out.set(name, value);
  }
  return out;
}

UpdateOutcome Session::update(bool loss_finite) {
  UpdateOutcome out;
  out.lr = learning_rate(train_, state_.step);
  const auto& params = impl_->optimizer->parameters();
  if (dist_->active()) {
    // Sum of the ranks' gradients (each rank's loss already carries its global_share), and a NaN loss anywhere
    // skips the step everywhere. A rank without a backward this step (a group filter left it nothing) adds zeros;
    // when no rank had one, the gradients stay undefined, as in a single process, and AdamW leaves its moments alone.
    const bool local = std::any_of(params.begin(), params.end(), [](const at::Tensor& p) { return p.grad().defined(); });
    const auto flags = dist_->all_reduce_max({local ? 1.0 : 0.0, loss_finite ? 0.0 : 1.0});
    if (flags[0] > 0.0) {
      std::vector<at::Tensor> grads;
      for (const auto& p : params) {
        if (!p.grad().defined()) p.mutable_grad() = at::zeros_like(p);
        grads.push_back(p.grad());
      }
      dist_->all_reduce_sum(grads);
    }
    loss_finite = flags[1] == 0.0;
  }
  out.grad_norm = clip_gradient_norm(params, train_.max_grad_norm);
  out.skipped = !loss_finite || !std::isfinite(out.grad_norm);
  if (out.skipped) {
    log("step " + std::to_string(state_.step + 1) + " skipped: loss or gradient not finite");
  } else {
    impl_->optimizer->step(out.lr);
  }
  impl_->optimizer->zero_grad();
  ++state_.step;
  return out;
}

void Session::preflight(const eval::PromptPolicy& mode) {
  const auto text = [&mode](const data::Sample& s) { return eval::vsi_prompt_text(s, mode.instruction(s)); };
  std::vector<model::PreflightSet> sets{{&samples_, args_.train, text, impl_->sampling.max_new_tokens}};
  if (!args_.eval.empty()) {
    eval_samples();
    // Only the records the evaluation will ask (eval.limit): a bad record past the limit is no problem, and dropping
    // one before it must not pull a later record in.
    if (eval_options_.limit > 0 && static_cast<std::int64_t>(eval_samples_->size()) > eval_options_.limit)
      eval_samples_->resize(static_cast<std::size_t>(eval_options_.limit));
    sets.push_back({&*eval_samples_, args_.eval, text, eval_options_.max_new_tokens});
  }
  const std::string dropped = model::enforce_preflight(sets, *encoder_, model_->config().max_position_embeddings,
                                                       args_.skip_invalid, dist_->is_main());
  if (!dropped.empty()) log("pre-flight: --skip-invalid dropped " + dropped);
}

const std::vector<data::Sample>& Session::eval_samples() {
  if (!eval_samples_) eval_samples_ = args_.eval.empty() ? std::vector<data::Sample>{}
                                                         : data::read_samples(args_.eval, args_.video_root);
  return *eval_samples_;
}

eval::EvalRun Session::evaluate(const eval::PromptPolicy& policy, const fs::path& out_dir, const std::string& prompt) {
  if (args_.eval.empty()) fail("<command line>", "eval", "expected --eval FILE for evaluation");
  const bool was_training = adapters_->training();
  adapters_->set_training(false);
  eval::EvalOptions options = eval_options_;
  if (!prompt.empty()) options.prompt = prompt;
  auto run = eval::evaluate_vsibench(*model_, *encoder_, eval_samples(), policy, options, out_dir, dist_.get());
  adapters_->set_training(was_training);
  return run;
}

fs::path Session::save_checkpoint() {
  state_.data = impl_->order->position();
  if (!dist_->is_main()) return run_dir_.path() / "checkpoints" / fmt::format("step-{:08d}", state_.step);
  // The checkpoint first: metrics.h5 is a view of metrics.csv (rewritten at every save and at the end), so a full
  // disk that stops it must not stand between the run and its checkpoint.
  auto saved = train::save_checkpoint(run_dir_.path(), *adapters_, *impl_->optimizer, state_,
                                      RngStates{&impl_->generator, true}, train_.keep_checkpoints, impl_->resume_config);
  metrics_->write_hdf5();
  return saved;
}

void Session::finish() {
  if (!dist_->is_main()) return;
  adapters_->save_adapter(run_dir_.file("adapter"));
  if (train_.full_weights) {
    adapters_->merge_adapter();
    ExportReport report;
    save_model_folder(*model_, nullptr, args_.model, run_dir_.file("model"), ExportOptions{.dtype = io::DType::F32},
                      report);
  }
  metrics_->write_hdf5();
  impl_->run_info["status"] = "finished";
  impl_->run_info["steps_done"] = state_.step;
  write_run_json(run_dir_, impl_->run_info);
  run_dir_.log("finished at step " + std::to_string(state_.step));
}

bool Session::preemption_requested() {
  if (preempted_by_ != 0) return true;
  double signal = preemption_signal();
  if (dist_->active()) signal = dist_->all_reduce_max({signal})[0];
  preempted_by_ = static_cast<int>(signal);
  return preempted_by_ != 0;
}

void Session::mark_preempted() {
  if (!dist_->is_main()) return;
  impl_->run_info["status"] = "preempted";
  impl_->run_info["steps_done"] = state_.step;
  write_run_json(run_dir_, impl_->run_info);
  run_dir_.log("preempted by signal " + std::to_string(preempted_by_) + " at step " + std::to_string(state_.step) +
               "; checkpoint written");
}

void Session::log(const std::string& line) const {
  if (dist_->is_main()) run_dir_.log(line);
}

MetricsLog& Session::metrics() {
  if (!metrics_) fail("<distributed>", "metrics", "only rank 0 keeps the metrics log");
  return *metrics_;
}

double Session::seconds_since_step_start() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - impl_->step_start).count();
}

void Session::start_step_timer() { impl_->step_start = std::chrono::steady_clock::now(); }

}  // namespace vsr::train
