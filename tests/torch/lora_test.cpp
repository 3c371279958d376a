// Tests of LoRA on the tiny Qwen2-VL: PEFT initialisation, enable/disable, dropout, PEFT file format and round trip,
// merge and export equivalence, and one GRPO step on the adapters that lowers the loss of a fixed batch.
#include "model_support.hpp"
#include "vsr/algo/grpo.hpp"
#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/kl/k3.hpp"
#include "vsr/model/linear.hpp"
#include "vsr/train/export.hpp"
#include "vsr/train/lora.hpp"

#include <torch/torch.h>

#include <cmath>
#include <fstream>

using namespace vsr;
using vsr::test::golden;
using vsr::test::tiny_dir;

namespace {

model::Qwen2VL fresh_model() { return model::Qwen2VL::from_pretrained(tiny_dir() / "model"); }

train::LoraOptions small_options() {
  train::LoraOptions o;
  o.rank = 4;
  o.alpha = 8;
  o.dropout = 0.0;
  o.seed = 7;
  o.base_model = "tiny/qwen2vl";
  return o;
}

// log p of every token (t >= 1) of a golden case.
at::Tensor all_log_probs(const model::Qwen2VL& m, const model::MultimodalInputs& in) {
  at::NoGradGuard no_grad;
  at::Tensor target = at::zeros_like(in.input_ids);
  target.narrow(1, 1, in.input_ids.size(1) - 1).fill_(1);
  return m.token_log_probs(m.forward(in), in.input_ids, target);
}

// Gives every B a random value so the adapters change the output.
void randomise_b(train::LoraAdapters& lora, std::uint64_t seed) {
  at::NoGradGuard no_grad;
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  for (auto& [name, t] : lora.named_parameters())
    if (name.ends_with("lora_B.weight")) t.normal_(0.0, 0.3, gen);
}

std::string read(const std::filesystem::path& p) { return vsr::read_file(p); }

}  // namespace

TEST(Lora, CreateTargetsLanguageProjectionsWithPeftInit) {
  auto m = fresh_model();
  auto lora = train::LoraAdapters::create(m, small_options());
  const auto names = lora.module_names();
  ASSERT_EQ(names.size(), 14u);  // 2 layers x 7 projections, nothing in the vision tower
  EXPECT_EQ(names.front(), "model.layers.0.self_attn.q_proj");
  EXPECT_EQ(names.back(), "model.layers.1.mlp.down_proj");
  for (auto& [name, lin] : m.named_linears()) EXPECT_EQ(lin->has_lora(), name.starts_with("model.layers.")) << name;
  // r * (in + out) per module: q 32+32, k 32+16, v 32+16, o 32+32, gate/up 32+128, down 128+32.
  EXPECT_EQ(lora.num_parameters(), 2 * 4 * (64 + 48 + 48 + 64 + 160 + 160 + 160));
  EXPECT_EQ(lora.parameters().size(), 28u);
  auto& q = m.text().layers[0].q_proj;
  EXPECT_DOUBLE_EQ(q.lora_scale(), 2.0);
  EXPECT_TRUE(q.lora_a().requires_grad());
  EXPECT_EQ(q.lora_a().scalar_type(), at::kFloat);
  EXPECT_EQ(q.lora_b().abs().max().item<float>(), 0.0f);  // B = 0
  // A ~ U(-1/sqrt(in), 1/sqrt(in)): inside the bound and spread over it.
  const auto& down = m.text().layers[1].down_proj.lora_a();
  EXPECT_LE(down.abs().max().item<double>(), 1.0 / std::sqrt(128.0));
  EXPECT_GT(down.abs().max().item<double>(), 0.8 / std::sqrt(128.0));
  EXPECT_NEAR(down.mean().item<double>(), 0.0, 0.02);
  // Seeded: the same seed gives the same A, another seed another.
  auto m2 = fresh_model();
  auto same = train::LoraAdapters::create(m2, small_options());
  EXPECT_TRUE(at::equal(m2.text().layers[1].down_proj.lora_a(), down));
  auto other_opts = small_options();
  other_opts.seed = 8;
  auto m3 = fresh_model();
  train::LoraAdapters::create(m3, other_opts);
  EXPECT_FALSE(at::equal(m3.text().layers[1].down_proj.lora_a(), down));
  // Targets are validated.
  auto bad = small_options();
  bad.target_modules = "q_proj,qkv";
  EXPECT_THROW(train::LoraAdapters::create(m3, bad), Error);
  bad.target_modules = "q_proj, q_proj";
  EXPECT_THROW(bad.targets(), Error);
  bad = small_options();
  bad.rank = 0;
  EXPECT_THROW(bad.targets(), Error);
  auto only_v = small_options();
  only_v.target_modules = " v_proj ";
  EXPECT_EQ(train::LoraAdapters::create(m3, only_v).module_names().size(), 2u);
}

TEST(Lora, DisableGivesTheBaseModelAndDropoutOnlyInTraining) {
  auto m = fresh_model();
  const auto in = golden("text").inputs();
  const at::Tensor base = all_log_probs(m, in);
  auto opts = small_options();
  opts.dropout = 0.5;
  auto lora = train::LoraAdapters::create(m, opts);
  EXPECT_TRUE(at::equal(all_log_probs(m, in), base));  // B = 0: the adapted model starts as the base
  randomise_b(lora, 1);
  const at::Tensor adapted = all_log_probs(m, in);
  EXPECT_GT((adapted - base).abs().max().item<double>(), 1e-3);
  {
    train::LoraDisabled reference(lora);
    EXPECT_FALSE(lora.enabled());
    EXPECT_TRUE(at::equal(all_log_probs(m, in), base));
  }
  EXPECT_TRUE(lora.enabled());
  EXPECT_TRUE(at::equal(all_log_probs(m, in), adapted));
  // Evaluation mode is deterministic; training mode drops adapter inputs.
  lora.set_training(true);
  const at::Tensor t1 = all_log_probs(m, in), t2 = all_log_probs(m, in);
  EXPECT_GT((t1 - t2).abs().max().item<double>(), 1e-4);
  EXPECT_GT((t1 - adapted).abs().max().item<double>(), 1e-4);
  {
    train::LoraDisabled reference(lora);  // the reference has no adapter, so no dropout either
    EXPECT_TRUE(at::equal(all_log_probs(m, in), base));
  }
  lora.set_training(false);
  EXPECT_TRUE(at::equal(all_log_probs(m, in), adapted));
}

TEST(Lora, SaveWritesPeftFormat) {
  auto m = fresh_model();
  auto lora = train::LoraAdapters::create(m, small_options());
  randomise_b(lora, 2);
  const auto dir = vsr::test::temp_dir("lora_save");
  lora.save_adapter(dir);
  const auto config = nlohmann::json::parse(read(dir / "adapter_config.json"));
  EXPECT_EQ(config["peft_type"], "LORA");
  EXPECT_EQ(config["task_type"], "CAUSAL_LM");
  EXPECT_EQ(config["r"], 4);
  EXPECT_TRUE(config["lora_alpha"].is_number_integer());
  EXPECT_EQ(config["lora_alpha"], 8);
  EXPECT_EQ(config["lora_dropout"], 0.0);
  EXPECT_EQ(config["bias"], "none");
  EXPECT_EQ(config["fan_in_fan_out"], false);
  EXPECT_EQ(config["inference_mode"], true);
  EXPECT_EQ(config["use_rslora"], false);
  EXPECT_EQ(config["use_dora"], false);
  EXPECT_EQ(config["base_model_name_or_path"], "tiny/qwen2vl");
  EXPECT_EQ(config["target_modules"],
            nlohmann::json({"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"}));
  EXPECT_TRUE(config["rank_pattern"].is_object() && config["rank_pattern"].empty());
  EXPECT_TRUE(config["modules_to_save"].is_null());
  // Sorted keys with 2-space indentation, as PEFT's json.dumps(indent=2, sort_keys=True).
  EXPECT_TRUE(read(dir / "adapter_config.json").starts_with("{\n  \"alpha_pattern\": {},\n  \"auto_mapping\": null,"));

  const auto file = io::SafetensorsFile::open(dir / "adapter_model.safetensors");
  EXPECT_EQ(file.names().size(), 28u);
  EXPECT_EQ(file.metadata().at("format"), "pt");
  auto shape = [&](const std::string& n) { return file.tensor(n).shape; };
  using S = std::vector<std::int64_t>;
  EXPECT_EQ(shape("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"), (S{4, 32}));
  EXPECT_EQ(shape("base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight"), (S{32, 4}));
  EXPECT_EQ(shape("base_model.model.model.layers.0.self_attn.k_proj.lora_B.weight"), (S{16, 4}));
  EXPECT_EQ(shape("base_model.model.model.layers.1.mlp.gate_proj.lora_B.weight"), (S{128, 4}));
  EXPECT_EQ(shape("base_model.model.model.layers.1.mlp.down_proj.lora_A.weight"), (S{4, 128}));
  EXPECT_EQ(file.tensor("base_model.model.model.layers.1.mlp.down_proj.lora_A.weight").dtype, io::DType::F32);
  for (const auto& n : file.names()) EXPECT_EQ(n.find("visual"), std::string::npos) << n;
  // BF16 on request.
  const auto bf16_dir = vsr::test::temp_dir("lora_save_bf16");
  lora.save_adapter(bf16_dir, io::DType::BF16);
  EXPECT_EQ(io::SafetensorsFile::open(bf16_dir / "adapter_model.safetensors").tensors().front().dtype, io::DType::BF16);
}

TEST(Lora, LoadRoundTripAndErrors) {
  const auto in = golden("text").inputs();
  auto m = fresh_model();
  auto opts = small_options();
  opts.target_modules = "q_proj,v_proj,down_proj";
  opts.use_rslora = true;
  auto lora = train::LoraAdapters::create(m, opts);
  randomise_b(lora, 3);
  const auto dir = vsr::test::temp_dir("lora_roundtrip");
  lora.save_adapter(dir);
  const at::Tensor want = all_log_probs(m, in);

  auto m2 = fresh_model();
  auto loaded = train::LoraAdapters::from_pretrained(m2, dir);
  EXPECT_EQ(loaded.options().rank, 4);
  EXPECT_TRUE(loaded.options().use_rslora);
  EXPECT_DOUBLE_EQ(m2.text().layers[0].q_proj.lora_scale(), 8.0 / 2.0);  // alpha / sqrt(r)
  EXPECT_EQ(loaded.module_names(), lora.module_names());
  const auto a = lora.named_parameters(), b = loaded.named_parameters();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].first, b[i].first);
    EXPECT_TRUE(at::equal(a[i].second, b[i].second)) << a[i].first;
  }
  EXPECT_TRUE(at::equal(all_log_probs(m2, in), want));

  // load_adapter copies in place (an optimiser keeps its tensors).
  const at::Tensor handle = loaded.parameters().front();
  {
    at::NoGradGuard g;
    handle.zero_();
  }
  loaded.load_adapter(dir);
  EXPECT_TRUE(at::equal(handle, a.front().second));

  auto expect_error = [&](const std::filesystem::path& d, const std::string& file_part, const std::string& text) {
    auto mm = fresh_model();
    try {
      train::LoraAdapters::from_pretrained(mm, d);
      ADD_FAILURE() << "no error for " << text;
    } catch (const Error& e) {
      EXPECT_NE(e.file().find(file_part), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
    }
  };
  auto copy_of = [&](const std::string& name) {
    const auto d = vsr::test::temp_dir(name);
    std::filesystem::copy(dir, d,
                          std::filesystem::copy_options::recursive | std::filesystem::copy_options::overwrite_existing);
    return d;
  };
  auto tensors = load_safetensors(dir / "adapter_model.safetensors");
  auto write_tensors = [](const std::filesystem::path& d, const std::map<std::string, at::Tensor>& ts) {
    std::vector<std::pair<std::string, at::Tensor>> list(ts.begin(), ts.end());
    save_safetensors(d / "adapter_model.safetensors", list, {{"format", "pt"}});
  };
  const std::string q_a = "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight";
  {
    auto d = copy_of("lora_missing");
    auto ts = tensors;
    ts.erase(q_a);
    write_tensors(d, ts);
    expect_error(d, "adapter_model.safetensors", q_a + "\": missing from the adapter");
  }
  {
    auto d = copy_of("lora_shape");
    auto ts = tensors;
    ts[q_a] = at::zeros({4, 31});
    write_tensors(d, ts);
    expect_error(d, "adapter_model.safetensors", "expected shape [4, 32], found [4, 31]");
  }
  {
    auto d = copy_of("lora_visual");
    auto ts = tensors;
    ts["base_model.model.visual.blocks.0.attn.qkv.lora_A.weight"] = at::zeros({4, 32});
    write_tensors(d, ts);
    expect_error(d, "adapter_model.safetensors", "vision-tower adapters are not supported");
  }
  {
    auto d = copy_of("lora_untargeted");
    auto ts = tensors;
    ts["base_model.model.model.layers.0.self_attn.k_proj.lora_A.weight"] = at::zeros({4, 32});
    write_tensors(d, ts);
    expect_error(d, "adapter_model.safetensors", "not a targeted language-model projection");
  }
  {
    // Newer transformers name the decoder model.language_model.layers: read as model.layers.
    auto d = copy_of("lora_alias");
    std::map<std::string, at::Tensor> ts;
    for (auto& [n, t] : tensors) {
      std::string alias = n;
      alias.replace(alias.find("model.model.layers"), 18, "model.model.language_model.layers");
      ts[alias] = t;
    }
    write_tensors(d, ts);
    auto mm = fresh_model();
    train::LoraAdapters::from_pretrained(mm, d);
    EXPECT_TRUE(at::equal(all_log_probs(mm, in), want));
  }
  auto edit_config = [&](const std::string& name, const std::string& key, const nlohmann::json& value) {
    auto d = copy_of(name);
    auto c = nlohmann::json::parse(read(d / "adapter_config.json"));
    c[key] = value;
    vsr::write_file_atomic(d / "adapter_config.json", c.dump(2));
    return d;
  };
  expect_error(edit_config("lora_dora", "use_dora", true), "adapter_config.json", "use_dora: DoRA is not supported");
  expect_error(edit_config("lora_type", "peft_type", "IA3"), "adapter_config.json", "peft_type");
  expect_error(edit_config("lora_bias", "bias", "all"), "adapter_config.json", "bias");
  expect_error(edit_config("lora_rank", "r", 0), "adapter_config.json", "r: expected a positive integer rank");
  expect_error(edit_config("lora_regex", "target_modules", ".*q_proj"), "adapter_config.json", "target_modules");
  expect_error(edit_config("lora_fc1", "target_modules", {"q_proj", "fc1"}), "adapter_config.json", "fc1");
  // Loading into adapters of another rank is refused.
  auto m3 = fresh_model();
  auto other = small_options();
  other.rank = 2;
  auto wrong = train::LoraAdapters::create(m3, other);
  EXPECT_THROW(wrong.load_adapter(dir), Error);
}

TEST(Lora, MergeEqualsAdapterAndExportLoadsBack) {
  const auto in = golden("image").inputs();  // vision tower included: it must be exported untouched
  auto m = fresh_model();
  auto lora = train::LoraAdapters::create(m, small_options());
  randomise_b(lora, 4);
  const at::Tensor with_adapter = all_log_probs(m, in);
  const auto adapter_dir = vsr::test::temp_dir("lora_export_adapter");
  lora.save_adapter(adapter_dir);

  // Merge in memory.
  auto merged_model = fresh_model();
  auto merged = train::LoraAdapters::from_pretrained(merged_model, adapter_dir);
  merged.merge_adapter();
  EXPECT_FALSE(merged.attached());
  EXPECT_FALSE(merged_model.text().layers[0].q_proj.has_lora());
  EXPECT_TRUE(vsr::test::close(all_log_probs(merged_model, in), with_adapter, 1e-5));

  // Export merged in float32: a plain checkpoint that from_pretrained reads, same output.
  const auto out32 = vsr::test::temp_dir("lora_export_f32");
  train::ExportOptions o;
  o.merge = true;
  o.dtype = io::DType::F32;
  const auto report = train::export_checkpoint(tiny_dir() / "model", adapter_dir, out32, o);
  EXPECT_TRUE(report.merged);
  EXPECT_EQ(report.adapter_modules, 14u);
  EXPECT_EQ(report.tensors, io::Checkpoint::open(tiny_dir() / "model").names().size());
  EXPECT_FALSE(std::filesystem::exists(out32 / "adapter_config.json"));
  EXPECT_TRUE(std::filesystem::exists(out32 / "generation_config.json"));
  EXPECT_TRUE(std::filesystem::exists(out32 / "preprocessor_config.json"));
  EXPECT_EQ(nlohmann::json::parse(read(out32 / "config.json"))["torch_dtype"], "float32");
  const auto reloaded = model::Qwen2VL::from_pretrained(out32);
  EXPECT_TRUE(vsr::test::close(all_log_probs(reloaded, in), with_adapter, 1e-5));

  // Not merged: the base weights plus the adapter, loaded back as base + adapter.
  const auto outside = vsr::test::temp_dir("lora_export_beside");
  o.merge = false;
  train::export_checkpoint(tiny_dir() / "model", adapter_dir, outside, o);
  auto beside = model::Qwen2VL::from_pretrained(outside);
  EXPECT_TRUE(at::equal(all_log_probs(beside, in), all_log_probs(fresh_model(), in)));  // the base, bit for bit
  train::LoraAdapters::from_pretrained(beside, outside);
  EXPECT_TRUE(vsr::test::close(all_log_probs(beside, in), with_adapter, 1e-6));

  // BF16 through the command line: BF16 tensors, close to the float32 result within bf16 rounding of the weights.
  const auto out16 = vsr::test::temp_dir("lora_export_bf16");
  const auto r = vsr::test::run_cli("export --model " + (tiny_dir() / "model").string() + " --adapter " +
                                    adapter_dir.string() + " --out " + out16.string() + " --merge");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("adapter on 14 modules merged"), std::string::npos) << r.out;
  const auto ck = io::Checkpoint::open(out16);
  EXPECT_EQ(ck.tensor("model.layers.0.self_attn.q_proj.weight").dtype, io::DType::BF16);
  EXPECT_EQ(nlohmann::json::parse(read(out16 / "config.json"))["torch_dtype"], "bfloat16");
  const at::Tensor bf = all_log_probs(model::Qwen2VL::from_pretrained(out16), in);
  const double err = (bf - with_adapter).abs().max().item<double>();
  if (std::getenv("VSR_TEST_VERBOSE")) std::fprintf(stderr, "  bf16 export: max |dlogp| %.4g\n", err);
  EXPECT_LT(err, 0.3) << "bf16 export drifts too far";  // measured 0.18 of max |logp| ~33
  EXPECT_GT(err, 0.0);                                  // the bf16 rounding is really there

  const auto bad = vsr::test::run_cli("export --model " + (tiny_dir() / "model").string() + " --out " +
                                      vsr::test::temp_dir("lora_export_bad").string() + " --merge");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("--merge"), std::string::npos) << bad.err;
}

TEST(Lora, GrpoStepOnAdaptersLowersTheLoss) {
  auto m = fresh_model();
  auto lora = train::LoraAdapters::create(m, small_options());
  // One prompt, a group of two completions of 4 tokens, rewards 1 and 0.
  const at::Tensor prompt = golden("text").at("input_ids");
  const at::Tensor c0 = at::tensor(std::vector<std::int64_t>{58587, 151620, 26507, 83489});
  const at::Tensor c1 = at::tensor(std::vector<std::int64_t>{40451, 752, 264, 21646});
  model::MultimodalInputs in;
  in.input_ids = at::stack({at::cat({prompt, c0}), at::cat({prompt, c1})});
  in.attention_mask = at::ones_like(in.input_ids);
  at::Tensor mask = at::zeros(in.input_ids.sizes(), at::kFloat);
  mask.narrow(1, prompt.size(0), 4).fill_(1);

  algo::Grpo grpo;
  grpo.options.num_generations = 2;
  kl::K3 k3;
  k3.options.beta = 0.04;
  const auto adv = grpo.advantages(at::tensor(std::vector<double>{1.0, 0.0}));
  EXPECT_NEAR(adv.advantages[0].item<double>(), 0.5 / (std::sqrt(0.5) + 1e-4), 1e-6);

  auto log_probs = [&] { return m.token_log_probs(m.forward(in), in.input_ids, mask); };
  at::Tensor old_logp, ref_logp;
  {
    at::NoGradGuard no_grad;
    old_logp = log_probs();
    train::LoraDisabled reference(lora);
    ref_logp = log_probs();
  }
  EXPECT_TRUE(at::equal(old_logp, ref_logp));  // B = 0

  torch::optim::AdamW opt(lora.parameters(), torch::optim::AdamWOptions(1e-3));
  lora.set_training(true);
  const auto before = grpo.loss({log_probs(), old_logp, ref_logp, adv.advantages, mask}, k3);
  EXPECT_NEAR(before.stats.loss, 0.0, 1e-6);  // ratio 1, advantages sum to 0, KL 0
  opt.zero_grad();
  before.loss.backward();
  EXPECT_GT(m.text().layers[0].q_proj.lora_b().grad().abs().max().item<double>(), 0.0);
  EXPECT_FALSE(m.text().layers[0].q_proj.weight().grad().defined());  // the base stays frozen
  opt.step();

  const auto after = grpo.loss({log_probs(), old_logp, ref_logp, adv.advantages, mask}, k3);
  EXPECT_LT(after.stats.loss, before.stats.loss - 1e-3) << "after one step: " << after.stats.loss;
  if (std::getenv("VSR_TEST_VERBOSE"))
    std::fprintf(stderr, "  GRPO loss %.6f -> %.6f\n", before.stats.loss, after.stats.loss);
  EXPECT_GT(after.stats.kl_mean, 0.0);
  // The rewarded completion became likelier, the other less likely.
  at::NoGradGuard no_grad;
  const at::Tensor now = log_probs();
  EXPECT_GT(((now - old_logp) * mask)[0].sum().item<double>(), 0.0);
  EXPECT_LT(((now - old_logp) * mask)[1].sum().item<double>(), 0.0);
  // The reference (adapters off) is still the base model.
  train::LoraDisabled reference(lora);
  EXPECT_TRUE(at::equal(log_probs(), ref_logp));
}
