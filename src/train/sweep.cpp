// Sweeps over one option and evaluation-only programs (Figure 4, Table 1).
#include "vsr/sweep.hpp"

#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/data/records.hpp"
#include "vsr/eval/report.hpp"
#include "vsr/eval/vsi_eval.hpp"
#include "vsr/model/preflight.hpp"
#include "vsr/runtime/runtime.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <cstdio>

namespace vsr::train {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::string item;
  for (char c : text + ",") {
    if (c == ',') {
      if (!item.empty()) out.push_back(item);
      item.clear();
    } else if (c != ' ') {
      item += c;
    }
  }
  return out;
}

}  // namespace

SweepPlan sweep_plan(int argc, char** argv, std::vector<std::string> default_values) {
  SweepPlan plan;
  plan.values = std::move(default_values);
  plan.passthrough.push_back(argv[0]);
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value_of = [&](const std::string& flag) -> std::optional<std::string> {
      if (a == flag) {
        if (i + 1 >= argc) fail("<command line>", flag.substr(2), "expected a value after " + flag);
        return std::string(argv[++i]);
      }
      if (a.rfind(flag + "=", 0) == 0) return a.substr(flag.size() + 1);
      return std::nullopt;
    };
    if (auto v = value_of("--sweep")) {
      plan.values = split_list(*v);
      if (plan.values.empty()) fail("<command line>", "sweep", "expected a comma-separated list of values");
    } else if (auto o = value_of("--out")) {
      plan.out = *o;
    } else {
      plan.passthrough.push_back(a);
    }
  }
  if (plan.out.empty()) fail("<command line>", "out", "expected --out DIR (runs go to DIR/<key>=<value>/)");
  return plan;
}

int sweep_report(const SweepPlan& plan, const std::string& key) {
  try {
    std::vector<fs::path> runs;
    for (const auto& v : plan.values) runs.push_back(plan.out / (key + "=" + v));
    const auto report = eval::write_report(runs, plan.out / "report");
    if (!report.warning.empty()) std::fprintf(stderr, "%s\n", report.warning.c_str());
    std::printf("sweep over %s: %zu runs; report in %s\n", key.c_str(), runs.size(), report.markdown.string().c_str());
    return 0;
  } catch (const Error& e) {
    std::fprintf(stderr, "sweep: error: %s\n", e.what());
    return 2;
  }
}

int run_evaluation(int argc, char** argv, const fs::path& default_config,
                   const std::vector<eval::PromptPolicy>& policies) {
  const std::string program = fs::path(argv[0]).filename().string();
  try {
    Config cfg(program);
    auto& runtime = cfg.add<RuntimeOptions>();
    auto& video = cfg.add<model::VideoOptions>();
    auto& processor = cfg.add<vision::ProcessorOptions>();
    auto& options = cfg.add<eval::EvalOptions>();
    // The recipes' sections are accepted (one config file serves every program) and unused here.
    cfg.add<TrainOptions>();
    cfg.add<LoraOptions>();
    cfg.add<model::SamplingOptions>();
    accept_recipe_sections(cfg);
    std::string model_dir, tokenizer_dir, adapter_dir, records, video_root, out;
    cfg.top_level()
        .add("model", model_dir, "Hugging Face Qwen2-VL checkpoint folder")
        .add("tokenizer", tokenizer_dir, "tokenizer folder (default: the model folder)")
        .add("adapter", adapter_dir, "LoRA adapter folder (PEFT format) applied to the model")
        .add("eval", records, "evaluation questions (VSI-Bench file or vsr data build JSONL)")
        .add("video-root", video_root, "folder of {dataset}/{scene_name}.mp4 for records without a video field")
        .add("out", out, "output folder: eval/<mode>/ per prompt mode, run.json, report/");
    if (!cfg.parse(argc, argv, default_config.empty() || fs::exists(default_config)
                                   ? default_config
#ifdef VSR_SOURCE_DIR
                                   : fs::path(VSR_SOURCE_DIR) / default_config
#else
                                   : default_config
#endif
                   ))
      return 0;
    require(!model_dir.empty(), "<command line>", "model", "expected --model DIR");
    require(!records.empty(), "<command line>", "eval", "expected --eval FILE");
    require(!out.empty(), "<command line>", "out", "expected --out DIR");
    options.validate();
    apply_runtime(runtime);
    const fs::path preprocessor = fs::path(model_dir) / "preprocessor_config.json";
    if (fs::exists(preprocessor) && !cfg.was_set("processor.min_pixels") && !cfg.was_set("processor.max_pixels"))
      processor = vision::ProcessorOptions::from_file(preprocessor);
    processor.validate();
    const auto samples = data::read_samples(records, video_root);
    const auto dtype = runtime.dtype == "bfloat16" ? at::kBFloat16 : at::kFloat;
    const at::Device device(runtime.device);
    auto model = model::Qwen2VL::from_pretrained(model_dir, dtype, device);
    std::optional<LoraAdapters> adapters;
    if (!adapter_dir.empty()) {
      adapters.emplace(LoraAdapters::from_pretrained(model, adapter_dir));
      adapters->set_training(false);
    }
    const auto tokenizer = text::Tokenizer::from_dir(tokenizer_dir.empty() ? model_dir : tokenizer_dir);
    const model::SampleEncoder encoder(tokenizer, processor, model.config(), video, device, dtype);
    // Every record each prompt will ask, checked before the run folder is written (model/preflight.hpp).
    std::vector<data::Sample> asked = samples;
    if (options.limit > 0 && static_cast<std::int64_t>(asked.size()) > options.limit)
      asked.resize(static_cast<std::size_t>(options.limit));
    for (const auto& policy : policies) {  // each prompt's text has its own length; the first rejection stops
      const auto text = [&](const data::Sample& s) {
        return eval::vsi_prompt_text(s, options.prompt == "official" ? std::string(eval::official_instruction(s))
                                                                     : policy.instruction(s));
      };
      model::enforce_preflight({{&asked, records, text, options.max_new_tokens}}, encoder,
                               model.config().max_position_embeddings, false, true, false);
    }
    const RunDir run(out);
    run.save_config(cfg.resolved_ini());
    nlohmann::json info{{"recipe", program}, {"algorithm", "none"}, {"model", model_dir},
                        {"adapter", adapter_dir}, {"status", "running"}};
    write_file_atomic(run.file("run.json"), info.dump(2) + "\n");
    for (const auto& policy : policies) {
      const auto result = eval::evaluate_vsibench(model, encoder, samples, policy, options, run.file("eval") / policy.name);
      std::printf("%s prompt:\n%s", policy.name.c_str(), result.table.c_str());
    }
    info["status"] = "finished";
    write_file_atomic(run.file("run.json"), info.dump(2) + "\n");
    const std::vector<fs::path> runs{run.path()};
    const auto report = eval::write_report(runs, run.file("report"));
    if (!report.warning.empty()) std::fprintf(stderr, "%s: %s\n", program.c_str(), report.warning.c_str());
    return 0;
  } catch (const Error& e) {
    std::fprintf(stderr, "%s: error: %s\n", program.c_str(), e.what());
    return 2;
  }
}

}  // namespace vsr::train
