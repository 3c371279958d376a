// Qwen2-VL config.json: typed reading with transformers 4.45.1 defaults, validation, and writing back.
#include "vsr/io/hf_config.hpp"

#include "json_strict.hpp"
#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <numeric>

namespace vsr::io {

namespace {

using Json = nlohmann::ordered_json;

/// Typed look-ups in one JSON object; `prefix` ("vision_config.") makes error fields full key paths.
class Reader {
 public:
  Reader(const Json& object, std::string origin, std::string prefix)
      : object_(object), origin_(std::move(origin)), prefix_(std::move(prefix)) {}

  const Json* find(const char* key) const {
    const auto it = object_.find(key);
    return it == object_.end() ? nullptr : &*it;
  }
  bool has(const char* key) const { return find(key) != nullptr; }
  std::string field(const char* key) const { return prefix_ + key; }

  [[noreturn]] void bad(const char* key, const char* expected, const Json& got) const {
    fail(origin_, field(key), fmt::format("expected {}, got {} ({})", expected, detail::json_kind(got), detail::json_excerpt(got)));
  }

  std::int64_t to_int(const char* key, const Json& v) const {
    if (v.is_number_unsigned() && v.get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      return static_cast<std::int64_t>(v.get<std::uint64_t>());
    if (v.is_number_integer() && !v.is_number_unsigned()) return v.get<std::int64_t>();
    bad(key, "an integer", v);
  }

  void integer(const char* key, std::int64_t& out) const {
    if (const Json* v = find(key)) out = to_int(key, *v);
  }
  void optional_integer(const char* key, std::optional<std::int64_t>& out) const {
    if (const Json* v = find(key)) out = v->is_null() ? std::nullopt : std::optional<std::int64_t>(to_int(key, *v));
  }
  void number(const char* key, double& out) const {
    if (const Json* v = find(key)) {
      if (!v->is_number()) bad(key, "a number", *v);
      out = v->get<double>();
    }
  }
  void boolean(const char* key, bool& out) const {
    if (const Json* v = find(key)) {
      if (!v->is_boolean()) bad(key, "true or false", *v);
      out = v->get<bool>();
    }
  }
  void string(const char* key, std::string& out) const {
    if (const Json* v = find(key)) {
      if (!v->is_string()) bad(key, "a string", *v);
      out = v->get<std::string>();
    }
  }
  /// Reads `key` or its alias (hub spelling); both present and different is an error.
  void integer_alias(const char* key, const char* alias, std::int64_t& out) const {
    std::optional<std::int64_t> a, b;
    if (const Json* v = find(key)) a = to_int(key, *v);
    if (const Json* v = find(alias)) b = to_int(alias, *v);
    if (a && b && *a != *b)
      fail(origin_, field(alias), fmt::format("{} disagrees with {} = {} (they name the same setting)", *b, field(key), *a));
    if (a) out = *a;
    else if (b) out = *b;
  }

  const std::string& origin() const { return origin_; }

 private:
  const Json& object_;
  std::string origin_, prefix_;
};

void read_vision(const Reader& r, Qwen2VLVisionConfig& v) {
  r.integer("depth", v.depth);
  r.integer("embed_dim", v.embed_dim);
  r.integer("hidden_size", v.hidden_size);
  r.string("hidden_act", v.hidden_act);
  r.number("mlp_ratio", v.mlp_ratio);
  r.integer("num_heads", v.num_heads);
  r.integer_alias("in_channels", "in_chans", v.in_channels);
  r.integer_alias("patch_size", "spatial_patch_size", v.patch_size);
  r.integer("spatial_merge_size", v.spatial_merge_size);
  r.integer("temporal_patch_size", v.temporal_patch_size);
  std::string model_type;
  r.string("model_type", model_type);
  if (r.has("model_type") && model_type != "qwen2_vl")
    fail(r.origin(), r.field("model_type"), "expected \"qwen2_vl\", got " + quote(model_type));
}

void read_rope_scaling(const Reader& top, const Json& rs, Qwen2VLConfig& c) {
  const std::string& origin = top.origin();
  if (!rs.is_object()) top.bad("rope_scaling", "an object with \"mrope_section\"", rs);
  const Reader r(rs, origin, "rope_scaling.");
  // transformers 4.45.1: a "type" key wins and is copied to "rope_type"; "mrope" means default RoPE per section.
  std::string type;
  if (r.has("rope_type")) r.string("rope_type", type);
  if (r.has("type")) r.string("type", type);
  if (type.empty()) type = "default";
  if (type == "mrope") type = "default";
  if (type != "default")
    fail(origin, r.field(r.has("type") ? "type" : "rope_type"),
         fmt::format("rope type {} is not supported (Qwen2-VL uses \"default\"/\"mrope\" with mrope_section)", quote(type)));
  c.rope_type = type;
  const Json* ms = r.find("mrope_section");
  if (!ms) fail(origin, "rope_scaling.mrope_section", "missing (Qwen2-VL's M-RoPE needs the [t, h, w] section sizes)");
  if (!ms->is_array()) r.bad("mrope_section", "a list of 3 non-negative integers", *ms);
  c.mrope_section.clear();
  for (const auto& x : *ms) c.mrope_section.push_back(r.to_int("mrope_section", x));
}

void read_eos(const Reader& r, Qwen2VLConfig& c) {
  const Json* v = r.find("eos_token_id");
  if (!v) return;
  c.eos_token_ids.clear();
  if (v->is_null()) return;
  if (v->is_array()) {
    for (const auto& x : *v) c.eos_token_ids.push_back(r.to_int("eos_token_id", x));
  } else {
    c.eos_token_ids.push_back(r.to_int("eos_token_id", *v));
  }
}

/// Text keys live at the top level in 4.45.1 configs; later transformers versions nest them in "text_config".
void read_text(const Reader& r, Qwen2VLConfig& c) {
  r.integer("vocab_size", c.vocab_size);
  r.integer("hidden_size", c.hidden_size);
  r.integer("intermediate_size", c.intermediate_size);
  r.integer("num_hidden_layers", c.num_hidden_layers);
  r.integer("num_attention_heads", c.num_attention_heads);
  if (const Json* kv = r.find("num_key_value_heads"); kv && kv->is_null())
    c.num_key_value_heads = c.num_attention_heads;  // transformers' backward-compatible meaning of null
  else
    r.integer("num_key_value_heads", c.num_key_value_heads);
  r.string("hidden_act", c.hidden_act);
  r.integer("max_position_embeddings", c.max_position_embeddings);
  r.number("initializer_range", c.initializer_range);
  r.number("rms_norm_eps", c.rms_norm_eps);
  r.number("rope_theta", c.rope_theta);
  r.boolean("tie_word_embeddings", c.tie_word_embeddings);
  r.boolean("use_cache", c.use_cache);
  r.boolean("use_sliding_window", c.use_sliding_window);
  r.optional_integer("sliding_window", c.sliding_window);
  r.integer("max_window_layers", c.max_window_layers);
  r.number("attention_dropout", c.attention_dropout);
  if (const Json* rs = r.find("rope_scaling"); rs && !rs->is_null()) read_rope_scaling(r, *rs, c);
}

void require_positive(std::int64_t v, const std::string& origin, const char* key) {
  if (v <= 0) fail(origin, key, fmt::format("expected a positive integer, got {}", v));
}

void require_token(std::int64_t id, std::int64_t vocab, const std::string& origin, const char* key) {
  if (id < 0 || id >= vocab) fail(origin, key, fmt::format("token id {} is outside the vocabulary [0, {})", id, vocab));
}

}  // namespace

Qwen2VLConfig Qwen2VLConfig::from_json(std::string_view text, std::string origin) {
  const Json json = detail::parse_json_strict(text, origin, "");
  if (!json.is_object()) fail(origin, "", "expected a JSON object, got " + detail::json_kind(json));
  const Reader top(json, origin, "");
  std::string model_type;
  if (!top.has("model_type")) fail(origin, "model_type", "missing (expected \"qwen2_vl\")");
  top.string("model_type", model_type);
  if (model_type != "qwen2_vl")
    fail(origin, "model_type", fmt::format("expected \"qwen2_vl\" (Qwen2-VL), got {}", quote(model_type)));

  Qwen2VLConfig c;
  read_text(top, c);
  if (const Json* tc = top.find("text_config"); tc && !tc->is_null()) {
    if (!tc->is_object()) top.bad("text_config", "an object", *tc);
    read_text(Reader(*tc, origin, "text_config."), c);
  }
  const auto has_rope = [](const Json& o) { return o.contains("rope_scaling") && !o["rope_scaling"].is_null(); };
  if (!has_rope(json) && !(json.contains("text_config") && has_rope(json["text_config"])))
    fail(origin, "rope_scaling", "missing (Qwen2-VL's M-RoPE needs rope_scaling.mrope_section)");

  top.integer("image_token_id", c.image_token_id);
  top.integer("video_token_id", c.video_token_id);
  top.integer("vision_start_token_id", c.vision_start_token_id);
  top.integer("vision_end_token_id", c.vision_end_token_id);
  top.integer("vision_token_id", c.vision_token_id);
  top.optional_integer("bos_token_id", c.bos_token_id);
  top.optional_integer("pad_token_id", c.pad_token_id);
  read_eos(top, c);
  if (const Json* d = top.find("torch_dtype"); d && !d->is_null()) top.string("torch_dtype", c.torch_dtype);

  if (const Json* vc = top.find("vision_config"); vc && !vc->is_null()) {
    if (!vc->is_object()) top.bad("vision_config", "an object", *vc);
    read_vision(Reader(*vc, origin, "vision_config."), c.vision_config);
  }
  c.validate(origin);
  return c;
}

Qwen2VLConfig Qwen2VLConfig::from_file(const std::filesystem::path& path) {
  return from_json(read_file(path), path.string());
}

void Qwen2VLConfig::validate(const std::string& origin) const {
  require_positive(vocab_size, origin, "vocab_size");
  require_positive(hidden_size, origin, "hidden_size");
  require_positive(intermediate_size, origin, "intermediate_size");
  require_positive(num_hidden_layers, origin, "num_hidden_layers");
  require_positive(num_attention_heads, origin, "num_attention_heads");
  require_positive(num_key_value_heads, origin, "num_key_value_heads");
  require_positive(max_position_embeddings, origin, "max_position_embeddings");
  if (hidden_size % num_attention_heads != 0)
    fail(origin, "num_attention_heads",
         fmt::format("{} heads do not divide hidden_size {}", num_attention_heads, hidden_size));
  if (num_attention_heads % num_key_value_heads != 0)
    fail(origin, "num_key_value_heads",
         fmt::format("{} key/value heads do not divide num_attention_heads {}", num_key_value_heads, num_attention_heads));
  if (head_dim() % 2 != 0)
    fail(origin, "num_attention_heads", fmt::format("head_dim {} must be even for rotary embeddings", head_dim()));
  if (!(rms_norm_eps > 0) || !std::isfinite(rms_norm_eps))
    fail(origin, "rms_norm_eps", fmt::format("expected a positive number, got {}", rms_norm_eps));
  if (!(rope_theta > 0) || !std::isfinite(rope_theta))
    fail(origin, "rope_theta", fmt::format("expected a positive number, got {}", rope_theta));
  if (!(attention_dropout >= 0 && attention_dropout < 1))
    fail(origin, "attention_dropout", fmt::format("expected a probability in [0, 1), got {}", attention_dropout));
  if (rope_type != "default") fail(origin, "rope_scaling.rope_type", "only \"default\" (M-RoPE) is supported, got " + quote(rope_type));
  if (mrope_section.size() != 3)
    fail(origin, "rope_scaling.mrope_section",
         fmt::format("expected 3 sizes (temporal, height, width), got {}", mrope_section.size()));
  for (auto s : mrope_section)
    if (s < 0) fail(origin, "rope_scaling.mrope_section", fmt::format("sizes must be non-negative, got {}", s));
  const auto sum = std::accumulate(mrope_section.begin(), mrope_section.end(), std::int64_t{0});
  if (sum != head_dim() / 2)
    fail(origin, "rope_scaling.mrope_section",
         fmt::format("[{}] sums to {} but must sum to head_dim/2 = {}", fmt::join(mrope_section, ", "), sum, head_dim() / 2));
  if (sliding_window && *sliding_window <= 0)
    fail(origin, "sliding_window", fmt::format("expected a positive integer or null, got {}", *sliding_window));
  if (max_window_layers < 0) fail(origin, "max_window_layers", "expected a non-negative integer");

  for (auto [id, key] : {std::pair{image_token_id, "image_token_id"}, {video_token_id, "video_token_id"},
                         {vision_start_token_id, "vision_start_token_id"}, {vision_end_token_id, "vision_end_token_id"},
                         {vision_token_id, "vision_token_id"}})
    require_token(id, vocab_size, origin, key);
  if (bos_token_id) require_token(*bos_token_id, vocab_size, origin, "bos_token_id");
  if (pad_token_id) require_token(*pad_token_id, vocab_size, origin, "pad_token_id");
  for (auto id : eos_token_ids) require_token(id, vocab_size, origin, "eos_token_id");

  const auto& v = vision_config;
  require_positive(v.depth, origin, "vision_config.depth");
  require_positive(v.embed_dim, origin, "vision_config.embed_dim");
  require_positive(v.hidden_size, origin, "vision_config.hidden_size");
  require_positive(v.num_heads, origin, "vision_config.num_heads");
  require_positive(v.in_channels, origin, "vision_config.in_channels");
  require_positive(v.patch_size, origin, "vision_config.patch_size");
  require_positive(v.spatial_merge_size, origin, "vision_config.spatial_merge_size");
  require_positive(v.temporal_patch_size, origin, "vision_config.temporal_patch_size");
  if (!(v.mlp_ratio > 0) || !std::isfinite(v.mlp_ratio) || v.mlp_hidden_dim() < 1)
    fail(origin, "vision_config.mlp_ratio", fmt::format("expected a positive ratio giving an MLP width >= 1, got {}", v.mlp_ratio));
  if (v.embed_dim % v.num_heads != 0)
    fail(origin, "vision_config.num_heads", fmt::format("{} heads do not divide embed_dim {}", v.num_heads, v.embed_dim));
  if (v.head_dim() % 4 != 0)
    fail(origin, "vision_config.num_heads",
         fmt::format("vision head_dim {} must be a multiple of 4 for the 2-D rotary embedding", v.head_dim()));
  if (v.hidden_size != hidden_size)
    fail(origin, "vision_config.hidden_size",
         fmt::format("{} must equal the text hidden_size {} (merged vision tokens replace text embeddings)", v.hidden_size,
                     hidden_size));
}

std::string Qwen2VLConfig::to_json() const {
  nlohmann::json j;
  j["architectures"] = {"Qwen2VLForConditionalGeneration"};
  j["model_type"] = "qwen2_vl";
  j["transformers_version"] = "4.45.1";
  j["vocab_size"] = vocab_size;
  j["hidden_size"] = hidden_size;
  j["intermediate_size"] = intermediate_size;
  j["num_hidden_layers"] = num_hidden_layers;
  j["num_attention_heads"] = num_attention_heads;
  j["num_key_value_heads"] = num_key_value_heads;
  j["hidden_act"] = hidden_act;
  j["max_position_embeddings"] = max_position_embeddings;
  j["initializer_range"] = initializer_range;
  j["rms_norm_eps"] = rms_norm_eps;
  j["rope_theta"] = rope_theta;
  j["tie_word_embeddings"] = tie_word_embeddings;
  j["use_cache"] = use_cache;
  j["use_sliding_window"] = use_sliding_window;
  j["sliding_window"] = sliding_window ? nlohmann::json(*sliding_window) : nlohmann::json(nullptr);
  j["max_window_layers"] = max_window_layers;
  j["attention_dropout"] = attention_dropout;
  j["rope_scaling"] = {{"type", rope_type}, {"rope_type", rope_type}, {"mrope_section", mrope_section}};
  j["image_token_id"] = image_token_id;
  j["video_token_id"] = video_token_id;
  j["vision_start_token_id"] = vision_start_token_id;
  j["vision_end_token_id"] = vision_end_token_id;
  j["vision_token_id"] = vision_token_id;
  if (bos_token_id) j["bos_token_id"] = *bos_token_id;
  if (pad_token_id) j["pad_token_id"] = *pad_token_id;
  if (eos_token_ids.size() == 1) j["eos_token_id"] = eos_token_ids[0];
  else if (!eos_token_ids.empty()) j["eos_token_id"] = eos_token_ids;
  if (!torch_dtype.empty()) j["torch_dtype"] = torch_dtype;
  const auto& v = vision_config;
  nlohmann::json vj;
  vj["model_type"] = "qwen2_vl";
  vj["depth"] = v.depth;
  vj["embed_dim"] = v.embed_dim;
  vj["hidden_size"] = v.hidden_size;
  vj["hidden_act"] = v.hidden_act;
  if (v.mlp_ratio == std::floor(v.mlp_ratio) && std::abs(v.mlp_ratio) < 1e15)
    vj["mlp_ratio"] = static_cast<std::int64_t>(v.mlp_ratio);
  else
    vj["mlp_ratio"] = v.mlp_ratio;
  vj["num_heads"] = v.num_heads;
  vj["in_channels"] = v.in_channels;
  vj["in_chans"] = v.in_channels;
  vj["patch_size"] = v.patch_size;
  vj["spatial_patch_size"] = v.patch_size;
  vj["spatial_merge_size"] = v.spatial_merge_size;
  vj["temporal_patch_size"] = v.temporal_patch_size;
  j["vision_config"] = vj;
  return j.dump(2) + "\n";
}

}  // namespace vsr::io
