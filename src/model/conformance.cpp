#include "vsr/model/conformance.hpp"

#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/io/safetensors.hpp"
#include "vsr/model/qwen2vl.hpp"
#include "vsr/model/rope.hpp"
#include "vsr/runtime/tensor_io.hpp"
#include "vsr/text/chat_template.hpp"
#include "vsr/text/tokenizer.hpp"
#include "vsr/vision/processor.hpp"
#include "vsr/vision/smart_resize.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <set>

namespace fs = std::filesystem;

namespace vsr::model {

namespace {

using Json = nlohmann::json;

/// One golden case's tensors, remembering which ones a check has read.
class CaseTensors {
 public:
  explicit CaseTensors(const fs::path& path) : file_(io::SafetensorsFile::open(path)) {}
  bool has(const std::string& name) const { return file_.contains(name); }
  at::Tensor get(const std::string& name) {
    used_.insert(name);
    return to_tensor(file_.tensor(name));
  }
  std::vector<std::string> unused() const {
    std::vector<std::string> out;
    for (const auto& n : file_.names())
      if (!used_.count(n)) out.push_back(n);
    return out;
  }
  const std::vector<std::string>& names() const { return file_.names(); }

 private:
  io::SafetensorsFile file_;
  std::set<std::string> used_;
};

at::Tensor ids_tensor(const std::vector<std::int64_t>& ids) { return at::tensor(ids, at::kLong); }

std::vector<std::int64_t> to_vector(const at::Tensor& t) {
  const auto c = t.to(at::kLong).contiguous();
  return {c.data_ptr<std::int64_t>(), c.data_ptr<std::int64_t>() + c.numel()};
}

void check_smart_resize(const fs::path& file, CheckList& checks) {
  const Json rows = Json::parse(read_file(file));
  int i = 0;
  for (const auto& r : rows) {
    const std::string name = fmt::format("smart_resize/{}", i++);
    const auto h = r.at("height").get<std::int64_t>(), w = r.at("width").get<std::int64_t>();
    try {
      const auto got = vision::smart_resize(h, w, r.at("factor").get<std::int64_t>(), r.at("min_pixels").get<std::int64_t>(),
                                            r.at("max_pixels").get<std::int64_t>());
      if (r.contains("error")) {
        checks.record(name, false, fmt::format("{}x{}: expected error {}", h, w, r["error"].dump()));
      } else {
        const bool ok = got.height == r.at("resized_height").get<std::int64_t>() &&
                        got.width == r.at("resized_width").get<std::int64_t>();
        checks.record(name, ok, fmt::format("{}x{} -> {}x{}", h, w, got.height, got.width));
      }
    } catch (const Error& e) {
      const bool ok = r.contains("error") && e.problem() == r["error"].get<std::string>();
      checks.record(name, ok, fmt::format("{}x{}: error \"{}\"", h, w, e.problem()));
    }
  }
}

void check_tokenizer_cases(const fs::path& file, const text::Tokenizer& tok, CheckList& checks) {
  const Json cases = Json::parse(read_file(file));
  int i = 0;
  for (const auto& c : cases) {
    const std::string name = fmt::format("tokenizer/{}", i++);
    const std::string text = c.at("text").get<std::string>();
    const auto ids = tok.encode(text);
    const auto want = c.at("ids").get<std::vector<std::int32_t>>();
    std::string why;
    if (ids != want) why = "ids differ";
    if (why.empty() && c.contains("tokens")) {
      const auto tokens = c["tokens"].get<std::vector<std::string>>();
      for (std::size_t k = 0; k < ids.size() && why.empty(); ++k)
        if (tok.id_to_token(ids[k]) != tokens.at(k)) why = fmt::format("token {} differs", k);
    }
    if (why.empty() && c.contains("decoded") && tok.decode(want, false) != c["decoded"].get<std::string>())
      why = "decode differs";
    if (why.empty() && c.contains("decoded_skip_special") &&
        tok.decode(want, true) != c["decoded_skip_special"].get<std::string>())
      why = "decode(skip_special_tokens) differs";
    checks.record(name, why.empty(), why.empty() ? fmt::format("{} ids", ids.size()) : why);
  }
}

/// A vision input of a case: tensors "<prefix>.raw_frames" etc.; images have prefixes starting with "image".
struct VisionInput {
  std::string prefix;
  bool is_image = false;
  vision::VisualInput visual;
};

void run_case(const fs::path& json_path, const text::Tokenizer& tok, const Qwen2VL& model,
              const vision::ProcessorOptions& popts, const GoldenOptions& o, CheckList& checks) {
  const std::string cname = json_path.stem().string();
  const Json J = Json::parse(read_file(json_path));
  const fs::path tensors_path = json_path.parent_path() / J.value("tensors_file", cname + ".safetensors");
  CaseTensors T(tensors_path);
  const auto& cfg = model.config();
  const auto dev = model.device();
  auto name = [&](const std::string& what) { return cname + "/" + what; };
  auto close = [&](const std::string& what, const at::Tensor& got, double atol, double rtol) {
    if (T.has(what)) checks.close(name(what), got, T.get(what), atol, rtol);
  };
  auto close_text = [&](const std::string& what, const at::Tensor& got) { close(what, got, o.atol, o.rtol); };
  auto equal = [&](const std::string& what, const at::Tensor& got) {
    if (T.has(what)) checks.equal(name(what), got, T.get(what));
  };

  // Chat template and tokenizer.
  std::string prompt = J.value("prompt", "");
  if (J.contains("messages")) {
    const auto messages = text::parse_chat_messages(J["messages"].dump(), json_path.string());
    const std::string rendered = text::render_chat(messages, true);
    checks.record(name("prompt"), rendered == prompt, rendered == prompt ? "chat template exact" : "chat template differs");
  }
  const auto raw32 = tok.encode(prompt);
  const std::vector<std::int64_t> raw_ids(raw32.begin(), raw32.end());
  equal("raw_input_ids", ids_tensor(raw_ids));

  // Processor, one vision input at a time.
  std::vector<VisionInput> inputs;
  for (const auto& n : T.names()) {
    constexpr std::string_view kSuffix = ".raw_frames";
    if (n.size() > kSuffix.size() && n.ends_with(kSuffix)) {
      const std::string prefix = n.substr(0, n.size() - kSuffix.size());
      inputs.push_back({prefix, prefix.starts_with("image"), {}});
    }
  }
  std::stable_sort(inputs.begin(), inputs.end(), [](const auto& a, const auto& b) { return a.is_image > b.is_image; });
  std::vector<std::array<std::int64_t, 3>> image_grids, video_grids;
  std::vector<at::Tensor> image_pixels, video_pixels;
  for (auto& in : inputs) {
    const at::Tensor raw = T.get(in.prefix + ".raw_frames");
    const auto dbg = vision::process_debug(in.is_image && raw.dim() == 4 ? raw[0] : raw, popts);
    in.visual = dbg.visual;
    equal(in.prefix + ".resized_frames", dbg.resized_frames);
    close_text(in.prefix + ".normalized_frames", dbg.normalized_frames);
    close_text(in.prefix + ".pixel_values", dbg.visual.pixel_values);
    const auto grid = at::tensor(std::vector<std::int64_t>(in.visual.grid_thw.begin(), in.visual.grid_thw.end()), at::kLong).view({1, 3});
    equal(in.prefix + ".grid_thw", grid);
    (in.is_image ? image_grids : video_grids).push_back(in.visual.grid_thw);
    (in.is_image ? image_pixels : video_pixels).push_back(in.visual.pixel_values);

    // The vision tower on this input alone.
    at::NoGradGuard no_grad;
    VisionTrace vt;
    model.visual().forward(in.visual.pixel_values.to(dev, model.dtype()), grid.to(dev), &vt);
    const std::string p = in.prefix + ".vision_";
    close_text(p + "rotary_freqs", vt.rotary_freqs);
    close_text(p + "rotary_cos", vt.rotary_cos);
    close_text(p + "rotary_sin", vt.rotary_sin);
    equal(p + "cu_seqlens", vt.cu_seqlens);
    close(p + "patch_embed", vt.patch_embed, o.vision_tol, o.vision_tol);
    for (std::size_t b = 0; b < vt.blocks.size(); ++b)
      close(fmt::format("{}block{}_out", p, b), vt.blocks[b], o.vision_tol, o.vision_tol);
    close(p + "merged", vt.merged, o.vision_tol, o.vision_tol);
  }

  const auto ids = vision::expand_vision_pads(raw_ids, cfg.image_token_id, cfg.video_token_id, image_grids, video_grids,
                                              popts.merge_size);
  equal("input_ids", ids_tensor(ids));
  const std::int64_t L = static_cast<std::int64_t>(ids.size());
  MultimodalInputs mm;
  mm.input_ids = ids_tensor(ids).view({1, L}).to(dev);
  mm.attention_mask = at::ones({1, L}, at::kLong).to(dev);
  equal("attention_mask", mm.attention_mask[0]);
  auto grids_tensor = [&](const std::vector<std::array<std::int64_t, 3>>& g) {
    std::vector<std::int64_t> flat;
    for (const auto& x : g) flat.insert(flat.end(), x.begin(), x.end());
    return at::tensor(flat, at::kLong).view({static_cast<std::int64_t>(g.size()), 3}).to(dev);
  };
  if (!image_pixels.empty()) {
    mm.pixel_values = at::cat(image_pixels).to(dev, model.dtype());
    mm.image_grid_thw = grids_tensor(image_grids);
  }
  if (!video_pixels.empty()) {
    mm.pixel_values_videos = at::cat(video_pixels).to(dev, model.dtype());
    mm.video_grid_thw = grids_tensor(video_grids);
  }

  // Decoder, teacher-forced over the prompt.
  at::NoGradGuard no_grad;
  ForwardTrace trace;
  const at::Tensor hidden = model.forward(mm, &trace);
  equal("position_ids", trace.rope.position_ids.select(1, 0));
  equal("rope_deltas", trace.rope.rope_deltas);
  close_text("inputs_embeds", trace.inputs_embeds[0]);
  for (std::size_t i = 0; i < trace.text.layer_outputs.size(); ++i)
    close_text(fmt::format("layer{}_out", i), trace.text.layer_outputs[i][0]);
  close_text("final_hidden", trace.text.final_hidden[0]);
  close_text("mrope_cos", trace.text.cos[0]);
  close_text("mrope_sin", trace.text.sin[0]);
  const auto per_axis = mrope_cos_sin_per_axis(trace.rope.position_ids, cfg.head_dim(), cfg.rope_theta);
  close_text("mrope_cos_per_axis", per_axis.cos.select(1, 0));
  close_text("mrope_sin_per_axis", per_axis.sin.select(1, 0));

  const at::Tensor logits = model.logits_at(hidden, at::arange(L, at::kLong).view({1, L}).to(dev))[0].to(at::kFloat);
  close_text("logits_last", logits[L - 1]);
  at::Tensor cols;
  if (T.has("logit_col_ids")) {
    cols = T.get("logit_col_ids").to(dev);
    close_text("logits_cols", logits.index_select(1, cols));
  }
  equal("logits_argmax", logits.argmax(-1));
  close_text("logits_max", std::get<0>(logits.max(-1)));
  close_text("logits_logsumexp", logits.logsumexp(-1));

  // Greedy generation with the KV cache.
  if (T.has("generated_ids")) {
    const at::Tensor want_ids = T.get("generated_ids");
    const std::int64_t S = want_ids.numel();
    const auto g = model.greedy(mm, S, /*keep_logits=*/true);
    checks.equal(name("generated_ids"), g.tokens[0].to(at::kCPU), want_ids);
    const at::Tensor step = g.step_logits[0].to(at::kFloat);
    if (cols.defined()) close_text("gen_step_logits_cols", step.index_select(1, cols));
    close_text("gen_step_logits_max", std::get<0>(step.max(-1)));
    close_text("gen_step_logsumexp", step.logsumexp(-1));
    const auto top2 = std::get<0>(step.topk(2, -1));
    close_text("gen_step_top2_margin", top2.select(1, 0) - top2.select(1, 1));
    if (T.has("decode_position_ids")) {
      // Positions the cache assigns to the generated tokens fed back at decode steps 1..S-1.
      KvCache cache = model.new_cache(1, L + S);
      model.prefill(mm, cache);
      std::vector<std::int64_t> positions;
      const auto tokens = to_vector(g.tokens[0]);
      for (std::int64_t k = 0; k + 1 < S; ++k) {
        positions.push_back(cache.next_position_ids(1)[0][0][0].item<std::int64_t>());
        model.decode_step(at::tensor({tokens[k]}, at::kLong).to(dev), cache);
      }
      equal("decode_position_ids", ids_tensor(positions));
    }
    if (J.contains("generated_text")) {
      const auto gen = to_vector(g.tokens[0]);
      const std::string text = tok.decode(std::vector<std::int32_t>(gen.begin(), gen.end()), true);
      checks.record(name("generated_text"), text == J["generated_text"].get<std::string>(),
                    fmt::format("{}", quote(text, 40)));
    }
  }
  for (const auto& n : T.unused()) std::printf("SKIP %s/%s (not a tensor vsr recomputes)\n", cname.c_str(), n.c_str());
}

}  // namespace

void run_golden_folder(const fs::path& dir, const GoldenOptions& o, CheckList& checks) {
  if (!fs::is_directory(dir)) fail(dir.string(), "", "not a golden folder (expected model/, tokenizer/, cases/)");
  if (fs::exists(dir / "smart_resize.json")) check_smart_resize(dir / "smart_resize.json", checks);
  const auto tok = text::Tokenizer::from_dir(dir / "tokenizer");
  if (fs::exists(dir / "tokenizer_cases.json")) check_tokenizer_cases(dir / "tokenizer_cases.json", tok, checks);
  if (!fs::is_directory(dir / "cases")) return;
  const at::Device device(o.device);
  const auto model = Qwen2VL::from_pretrained(dir / "model", o.dtype, device);
  const auto popts = fs::exists(dir / "model" / "preprocessor_config.json")
                         ? vision::ProcessorOptions::from_file(dir / "model" / "preprocessor_config.json")
                         : vision::ProcessorOptions{};
  std::vector<fs::path> cases;
  for (const auto& e : fs::directory_iterator(dir / "cases"))
    if (e.path().extension() == ".json") cases.push_back(e.path());
  std::sort(cases.begin(), cases.end());
  for (const auto& c : cases) {
    try {
      run_case(c, tok, model, popts, o, checks);
    } catch (const std::exception& e) {
      checks.record(c.stem().string() + "/error", false, e.what());
    }
  }
}

}  // namespace vsr::model
