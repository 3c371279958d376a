// Loading a Qwen2 tokenizer folder: tokenizer.json (Hugging Face tokenizers) or vocab.json + merges.txt +
// tokenizer_config.json (the slow tokenizer's files), each field checked with a vsr::Error naming file and field.
#include "pretokenizer.hpp"
#include "tokenizer_impl.hpp"
#include "utf8.hpp"
#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <functional>

namespace vsr::text {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json parse_json_file(const fs::path& path) {
  const std::string text = read_file(path);
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    fail(path.string(), "", fmt::format("not valid JSON ({})", e.what()));
  } catch (const json::out_of_range& e) {  // 406: a number beyond double's range ("1e999")
    fail(path.string(), "", fmt::format("not valid JSON ({})", e.what()));
  }
}

std::string type_name(const json& j) { return j.type_name(); }

bool get_bool(const json& obj, const char* key, bool fallback, const std::string& file, const std::string& field) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) fail(file, field.empty() ? std::string(key) : field + "." + key, "expected true or false, found " + type_name(*it));
  return it->get<bool>();
}

std::int64_t get_id(const json& j, const std::string& file, const std::string& field) {
  if (!j.is_number_integer()) fail(file, field, "expected an integer id, found " + type_name(j));
  return j.get<std::int64_t>();
}

std::vector<std::pair<std::string, std::int32_t>> read_vocab(const json& j, const std::string& file,
                                                             const std::string& field) {
  if (!j.is_object()) fail(file, field, "expected an object of token string -> id, found " + type_name(j));
  std::vector<std::pair<std::string, std::int32_t>> vocab;
  vocab.reserve(j.size());
  for (const auto& [token, value] : j.items()) {
    const std::string where = field.empty() ? quote(token) : field + "." + quote(token);
    const std::int64_t id = get_id(value, file, where);
    if (id < 0 || id > INT32_MAX) fail(file, where, fmt::format("expected a non-negative 32-bit id, found {}", id));
    vocab.emplace_back(token, static_cast<std::int32_t>(id));
  }
  return vocab;
}

/// Splits a merges line on Python whitespace (`line.split()`).
std::vector<std::string_view> split_python_whitespace(std::string_view line) {
  std::vector<std::string_view> parts;
  std::size_t i = 0, start = std::string_view::npos;
  while (i < line.size()) {
    std::size_t len;
    bool bad;
    const char32_t c = detail::decode_one(line, i, len, bad);
    if (!bad && detail::is_python_space(c)) {
      if (start != std::string_view::npos) parts.push_back(line.substr(start, i - start));
      start = std::string_view::npos;
    } else if (start == std::string_view::npos) {
      start = i;
    }
    i += len;
  }
  if (start != std::string_view::npos) parts.push_back(line.substr(start));
  return parts;
}

std::vector<std::pair<std::string, std::string>> read_merges_txt(const fs::path& path) {
  const std::string text = read_file(path);
  const std::string file = path.string();
  if (!detail::is_valid_utf8(text)) fail(file, "", "not valid UTF-8");
  std::vector<std::pair<std::string, std::string>> merges;
  merges.reserve(text.size() / 11);
  std::size_t pos = 0;
  for (std::size_t line_no = 1; pos < text.size(); ++line_no) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    const auto parts = split_python_whitespace(line);
    if (parts.empty()) continue;
    if (line_no == 1 && parts[0].starts_with("#version:")) continue;
    if (parts.size() != 2)
      fail(file, fmt::format("line {}", line_no),
           fmt::format("expected two tokens separated by a space, found {}", quote(line)));
    merges.emplace_back(std::string(parts[0]), std::string(parts[1]));
  }
  return merges;
}

std::vector<std::pair<std::string, std::string>> read_merges_json(const json& j, const std::string& file) {
  if (!j.is_array()) fail(file, "model.merges", "expected an array, found " + type_name(j));
  std::vector<std::pair<std::string, std::string>> merges;
  merges.reserve(j.size());
  for (std::size_t i = 0; i < j.size(); ++i) {
    const json& m = j[i];
    const std::string field = fmt::format("model.merges[{}]", i);
    if (m.is_string()) {
      const auto s = m.get<std::string>();
      const auto parts = split_python_whitespace(s);
      // tokenizers splits "a b" at the one space; byte-level tokens hold no whitespace
      if (parts.size() != 2) fail(file, field, fmt::format("expected \"left right\", found {}", quote(s)));
      merges.emplace_back(std::string(parts[0]), std::string(parts[1]));
    } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
      merges.emplace_back(m[0].get<std::string>(), m[1].get<std::string>());
    } else {
      fail(file, field, "expected \"left right\" or [\"left\", \"right\"], found " + m.dump().substr(0, 60));
    }
  }
  return merges;
}

AddedToken read_added_token(const json& j, std::int64_t id, const std::string& file, const std::string& field) {
  if (!j.is_object()) fail(file, field, "expected an object, found " + type_name(j));
  AddedToken t;
  if (id < 0 || id > INT32_MAX) fail(file, field, fmt::format("expected a non-negative 32-bit id, found {}", id));
  t.id = static_cast<std::int32_t>(id);
  const auto content = j.find("content");
  if (content == j.end() || !content->is_string()) fail(file, field + ".content", "expected a string");
  t.content = content->get<std::string>();
  t.lstrip = get_bool(j, "lstrip", false, file, field);
  t.rstrip = get_bool(j, "rstrip", false, file, field);
  t.single_word = get_bool(j, "single_word", false, file, field);
  t.normalized = get_bool(j, "normalized", true, file, field);
  t.special = get_bool(j, "special", false, file, field);
  return t;
}

/// A special-token entry of tokenizer_config.json: a string, null, or an AddedToken object.
std::optional<std::string> token_name(const json& cfg, const char* key, const std::string& file) {
  const auto it = cfg.find(key);
  if (it == cfg.end() || it->is_null()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_object() && it->contains("content") && (*it)["content"].is_string())
    return (*it)["content"].get<std::string>();
  fail(file, key, "expected a token string, an AddedToken object or null, found " + type_name(*it));
}

/// tokenizer.json's "pre_tokenizer" must be Qwen2's: a Split on Qwen2's regex plus a ByteLevel without regex.
void check_pre_tokenizer(const json& pre, const std::string& file) {
  int qwen_splits = 0;
  std::function<void(const json&, const std::string&)> visit = [&](const json& p, const std::string& field) {
    if (p.is_null()) return;
    if (!p.is_object() || !p.contains("type") || !p["type"].is_string())
      fail(file, field, "expected an object with a \"type\"");
    const auto type = p["type"].get<std::string>();
    if (type == "Sequence") {
      const auto it = p.find("pretokenizers");
      if (it == p.end() || !it->is_array()) fail(file, field + ".pretokenizers", "expected an array");
      for (std::size_t i = 0; i < it->size(); ++i) visit((*it)[i], fmt::format("{}.pretokenizers[{}]", field, i));
    } else if (type == "Split") {
      const json* regex = nullptr;
      if (p.contains("pattern") && p["pattern"].is_object() && p["pattern"].contains("Regex"))
        regex = &p["pattern"]["Regex"];
      if (!regex || !regex->is_string() || regex->get<std::string>() != detail::kQwen2Pattern)
        fail(file, field + ".pattern", "only Qwen2's pre-tokenizer regex is supported");
      if (p.value("behavior", std::string("Isolated")) != "Isolated" || p.value("invert", false))
        fail(file, field, "only behavior \"Isolated\" without invert is supported");
      ++qwen_splits;
    } else if (type == "ByteLevel") {
      if (p.value("use_regex", true)) fail(file, field + ".use_regex", "GPT-2's built-in regex is not supported (expected false)");
      if (p.value("add_prefix_space", false)) fail(file, field + ".add_prefix_space", "expected false");
    } else {
      fail(file, field + ".type", fmt::format("pre-tokenizer {} is not supported", quote(type)));
    }
  };
  visit(pre, "pre_tokenizer");
  if (qwen_splits != 1) fail(file, "pre_tokenizer", "expected one Split with Qwen2's regex");
}

/// tokenizer.json's "normalizer": NFC (possibly in a Sequence) or null.
bool read_normalizer(const json& n, const std::string& file) {
  if (n.is_null()) return false;
  if (n.is_object() && n.value("type", std::string()) == "NFC") return true;
  if (n.is_object() && n.value("type", std::string()) == "Sequence" && n.contains("normalizers") &&
      n["normalizers"].is_array()) {
    bool nfc = false;
    for (const auto& m : n["normalizers"]) nfc = read_normalizer(m, file) || nfc;
    return nfc;
  }
  fail(file, "normalizer", "only NFC (or none) is supported, found " + n.dump().substr(0, 60));
}

}  // namespace

Tokenizer Tokenizer::from_parts(std::vector<std::pair<std::string, std::int32_t>> vocab,
                                std::vector<std::pair<std::string, std::string>> merges, std::vector<AddedToken> added,
                                const std::string& origin) {
  auto impl = std::make_unique<Impl>();
  impl->origin = origin;
  impl->build(std::move(vocab), origin, std::move(merges), origin, std::move(added), origin);
  for (const auto& t : impl->added)
    if (t.special) impl->id_special[t.id] = 1;
  return Tokenizer(std::move(impl));
}

Tokenizer Tokenizer::from_dir(const fs::path& dir) {
  if (!fs::is_directory(dir)) fail(dir.string(), "", fs::exists(dir) ? "not a folder" : "no such folder");
  const fs::path tokenizer_json = dir / "tokenizer.json", vocab_json = dir / "vocab.json",
                 merges_txt = dir / "merges.txt", config_json = dir / "tokenizer_config.json";
  auto impl = std::make_unique<Impl>();
  impl->origin = dir.string();

  std::optional<json> config;
  if (fs::exists(config_json)) {
    config = parse_json_file(config_json);
    if (!config->is_object()) fail(config_json.string(), "", "expected a JSON object");
  }
  const std::string cfg_file = config_json.string();
  std::vector<AddedToken> added;
  if (config && config->contains("added_tokens_decoder")) {
    const json& dec = (*config)["added_tokens_decoder"];
    if (!dec.is_object()) fail(cfg_file, "added_tokens_decoder", "expected an object of id -> token");
    for (const auto& [key, value] : dec.items()) {
      std::int64_t id = -1;
      try {
        std::size_t used = 0;
        id = std::stoll(key, &used);
        if (used != key.size()) id = -1;
      } catch (const std::exception&) {
        id = -1;
      }
      if (id < 0) fail(cfg_file, "added_tokens_decoder." + quote(key), "expected a non-negative integer key");
      added.push_back(read_added_token(value, id, cfg_file, "added_tokens_decoder." + key));
    }
  }

  if (fs::exists(tokenizer_json)) {
    const std::string file = tokenizer_json.string();
    const json tj = parse_json_file(tokenizer_json);
    if (!tj.is_object()) fail(file, "", "expected a JSON object");
    const auto model = tj.find("model");
    if (model == tj.end() || !model->is_object()) fail(file, "model", "expected an object");
    if (model->value("type", std::string("BPE")) != "BPE") fail(file, "model.type", "expected \"BPE\"");
    if (model->contains("dropout") && !(*model)["dropout"].is_null()) fail(file, "model.dropout", "expected null");
    if (get_bool(*model, "byte_fallback", false, file, "model")) fail(file, "model.byte_fallback", "expected false");
    for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"})
      if (model->contains(key) && !(*model)[key].is_null() && (*model)[key] != "")
        fail(file, std::string("model.") + key, "expected null");
    impl->ignore_merges = get_bool(*model, "ignore_merges", false, file, "model");
    if (!model->contains("vocab")) fail(file, "model.vocab", "missing");
    if (!model->contains("merges")) fail(file, "model.merges", "missing");
    auto vocab = read_vocab((*model)["vocab"], file, "model.vocab");
    auto merges = read_merges_json((*model)["merges"], file);
    impl->normalize_nfc = read_normalizer(tj.value("normalizer", json()), file);
    check_pre_tokenizer(tj.value("pre_tokenizer", json()), file);
    if (tj.contains("added_tokens")) {
      const json& list = tj["added_tokens"];
      if (!list.is_array()) fail(file, "added_tokens", "expected an array");
      for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string field = fmt::format("added_tokens[{}]", i);
        if (!list[i].is_object() || !list[i].contains("id")) fail(file, field + ".id", "missing");
        AddedToken t = read_added_token(list[i], get_id(list[i]["id"], file, field + ".id"), file, field);
        // tokenizer_config.json's entry for the same id (if any) must agree; keep one.
        bool dup = false;
        for (const auto& a : added)
          if (a.id == t.id) {
            if (a.content != t.content)
              fail(cfg_file, fmt::format("added_tokens_decoder.{}", t.id),
                   fmt::format("content {} differs from {}'s {}", quote(a.content), file, quote(t.content)));
            dup = true;
          }
        if (!dup) added.push_back(std::move(t));
      }
    }
    impl->build(std::move(vocab), file, std::move(merges), file, std::move(added), file);
  } else {
    for (const auto& p : {vocab_json, merges_txt, config_json})
      if (!fs::exists(p))
        fail(p.string(), "", "no such file (a tokenizer folder needs tokenizer.json, or vocab.json + merges.txt + tokenizer_config.json)");
    const json vj = parse_json_file(vocab_json);
    auto vocab = read_vocab(vj, vocab_json.string(), "");
    auto merges = read_merges_txt(merges_txt);
    impl->build(std::move(vocab), vocab_json.string(), std::move(merges), merges_txt.string(), std::move(added), cfg_file);
  }

  for (const auto& t : impl->added)
    if (t.special) impl->id_special[t.id] = 1;
  if (config) {
    const auto mark = [&](const char* key) -> std::optional<std::int32_t> {
      if (auto name = token_name(*config, key, cfg_file)) {
        auto id = impl->mark_special(*name);
        if (!id) fail(cfg_file, key, fmt::format("{} is not a token", quote(*name)));
        return id;
      }
      return std::nullopt;
    };
    impl->eos = mark("eos_token");
    impl->pad = mark("pad_token");
    mark("bos_token");
    mark("unk_token");
    if (config->contains("additional_special_tokens")) {
      const json& list = (*config)["additional_special_tokens"];
      if (!list.is_array()) fail(cfg_file, "additional_special_tokens", "expected an array");
      for (std::size_t i = 0; i < list.size(); ++i) {
        const json& e = list[i];
        const std::string field = fmt::format("additional_special_tokens[{}]", i);
        std::string name;
        if (e.is_string()) name = e.get<std::string>();
        else if (e.is_object() && e.contains("content") && e["content"].is_string()) name = e["content"].get<std::string>();
        else fail(cfg_file, field, "expected a token string");
        if (!impl->mark_special(name)) fail(cfg_file, field, fmt::format("{} is not a token", quote(name)));
      }
    }
    impl->split_special_tokens = get_bool(*config, "split_special_tokens", false, cfg_file, "");
  }
  return Tokenizer(std::move(impl));
}

}  // namespace vsr::text
