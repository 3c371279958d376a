// `vsr eval`: VSI-Bench (or general video multiple-choice) evaluation of a Qwen2-VL checkpoint into a folder.
#include "command.hpp"

#include "vsr/core/config.hpp"
#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/data/records.hpp"
#include "vsr/eval/evaluator.hpp"
#include "vsr/eval/mc.hpp"
#include "vsr/eval/vsi_eval.hpp"
#include "vsr/model/preflight.hpp"
#include "vsr/model/qwen2vl.hpp"
#include "vsr/model/sample_encoder.hpp"
#include "vsr/runtime/runtime.hpp"
#include "vsr/text/tokenizer.hpp"
#include "vsr/train/distributed.hpp"
#include "vsr/train/lora.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <optional>

VSR_COMMAND(cmd_eval, "eval", "evaluate a Qwen2-VL checkpoint on VSI-Bench-style or multiple-choice video questions") {
  namespace fs = std::filesystem;
  vsr::Config cfg(argv[0]);
  auto& runtime = cfg.add<vsr::RuntimeOptions>();
  auto& video = cfg.add<vsr::model::VideoOptions>();
  auto& processor = cfg.add<vsr::vision::ProcessorOptions>();
  auto& eval = cfg.add<vsr::eval::EvalOptions>();
  std::string model_dir, tokenizer_dir, adapter_dir, records, video_root, out, mode = "vanilla", prompt, benchmark = "vsibench";
  int frames = 0;
  bool skip_invalid = false;
  cfg.top_level()
      .add("model", model_dir, "Hugging Face Qwen2-VL checkpoint folder")
      .add("tokenizer", tokenizer_dir, "tokenizer folder (default: the model folder)")
      .add("adapter", adapter_dir, "LoRA adapter folder (PEFT format) applied to the model")
      .add("records", records, "questions: VSI-Bench JSON/JSONL, `vsr data build` JSONL, or multiple-choice JSONL")
      .add("video-root", video_root, "videos are {root}/{dataset}/{scene_name}.mp4 (VSI-Bench) or {root}/{video} (mc)")
      .add("benchmark", benchmark, "vsibench (VSI-Bench scorer) | mc (general video multiple choice)")
      .add("mode", mode, "prompt mode: vanilla | think | observe (vsibench)")
      .add("prompt", prompt, "mode | train | official (same as --eval.prompt)")
      .add("frames", frames, "frames per video (same as --video.frames)")
      .add("skip-invalid", skip_invalid, "drop the records the pre-flight check rejects (default: list them and stop)")
      .add("out", out, "output folder: predictions.jsonl, scores.jsonl, aggregate.json, table.md");
  if (!cfg.parse(argc, argv)) return 0;
  vsr::require(!model_dir.empty(), "<command line>", "model", "expected --model DIR");
  vsr::require(!records.empty(), "<command line>", "records", "expected --records FILE");
  vsr::require(!out.empty(), "<command line>", "out", "expected --out DIR");
  if (benchmark != "vsibench" && benchmark != "mc")
    vsr::fail("<command line>", "benchmark", "expected vsibench or mc, found " + vsr::quote(benchmark));
  if (!prompt.empty()) eval.prompt = prompt;
  if (frames > 0) video.frames = frames;
  eval.validate();
  const auto stage = eval.prompt == "train" ? vsr::prompt::Stage::Train : vsr::prompt::Stage::Eval;
  const auto policy = vsr::eval::prompt_policy_named(mode, stage);
  vsr::apply_runtime(runtime);
  const fs::path preprocessor = fs::path(model_dir) / "preprocessor_config.json";
  if (fs::exists(preprocessor) && !cfg.was_set("processor.min_pixels") && !cfg.was_set("processor.max_pixels"))
    processor = vsr::vision::ProcessorOptions::from_file(preprocessor);
  processor.validate();

  // Records first: a bad file fails before the model is loaded.
  std::vector<vsr::data::Sample> samples;
  std::vector<vsr::eval::McRecord> mc;
  if (benchmark == "mc") mc = vsr::eval::load_mc_records(records, video_root);
  else samples = vsr::data::read_samples(records, video_root);

  // Under torchrun / `vsr launch` the records are shared out across the ranks (docs/distributed.md).
  vsr::require(runtime.collective_timeout_s > 0, "[runtime]", "runtime.collective_timeout_s", "expected seconds > 0");
  const auto dist = vsr::train::Distributed::from_environment(
      runtime.device, std::chrono::milliseconds(static_cast<std::int64_t>(runtime.collective_timeout_s * 1000)));
  const auto dtype = runtime.dtype == "bfloat16" ? at::kBFloat16 : at::kFloat;
  const at::Device device(dist->device_for_rank(runtime.device));
  auto model = vsr::model::Qwen2VL::from_pretrained(model_dir, dtype, device);
  std::optional<vsr::train::LoraAdapters> adapters;
  if (!adapter_dir.empty()) {
    adapters.emplace(vsr::train::LoraAdapters::from_pretrained(model, adapter_dir));
    adapters->set_training(false);
  }
  const auto tokenizer = vsr::text::Tokenizer::from_dir(tokenizer_dir.empty() ? model_dir : tokenizer_dir);
  const vsr::model::SampleEncoder encoder(tokenizer, processor, model.config(), video, device, dtype);
  if (benchmark != "mc") {  // every asked record's video, context length, ground truth and options, before anything runs
    if (eval.limit > 0 && static_cast<std::int64_t>(samples.size()) > eval.limit)
      samples.resize(static_cast<std::size_t>(eval.limit));  // the records eval.limit asks, and no later one
    const bool official = eval.prompt == "official";
    const auto text = [&](const vsr::data::Sample& s) {
      return vsr::eval::vsi_prompt_text(s, official ? std::string(vsr::eval::official_instruction(s)) : policy.instruction(s));
    };
    vsr::model::enforce_preflight({{&samples, records, text, eval.max_new_tokens}}, encoder,
                                  model.config().max_position_embeddings, skip_invalid, dist->is_main());
  }
  fs::create_directories(out);
  if (dist->is_main()) vsr::write_file_atomic(fs::path(out) / "config.ini", cfg.resolved_ini());

  const auto run = benchmark == "mc" ? vsr::eval::evaluate_mc(model, encoder, mc, eval, out, dist.get())
                                     : vsr::eval::evaluate_vsibench(model, encoder, samples, policy, eval, out, dist.get());
  if (!dist->is_main()) return 0;
  fmt::print("{} ({}, prompt {}): {} answered, {} resumed; results in {}\n{}",
             benchmark == "mc" ? "multiple choice" : "VSI-Bench", benchmark == "mc" ? "letter" : mode, eval.prompt,
             run.generated, run.reused, out, run.table);
  fmt::print("answers the benchmark's scorer cannot read: {} of {}\n", run.unreadable, run.predictions.size());
  return 0;
}
