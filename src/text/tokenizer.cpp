// vsr::text::Tokenizer: the encode / decode pipeline of transformers' slow Qwen2Tokenizer.
#include "vsr/text/tokenizer.hpp"

#include "byte_level.hpp"
#include "nfc.hpp"
#include "tokenizer_impl.hpp"
#include "utf8.hpp"
#include "word_cache.hpp"
#include "vsr/core/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <list>

namespace vsr::text {

namespace {
std::atomic<std::uint64_t> next_cache_owner{1};
}  // namespace

Tokenizer::Tokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

void Tokenizer::Impl::build(std::vector<std::pair<std::string, std::int32_t>> vocab, std::string_view vocab_source,
                            std::vector<std::pair<std::string, std::string>> merges, std::string_view merges_source,
                            std::vector<AddedToken> added_tokens, std::string_view added_source) {
  constexpr std::int32_t kMaxId = 1 << 24;
  const auto grow_to = [&](std::int32_t id) {
    if (static_cast<std::size_t>(id) >= id_tokens.size()) {
      id_tokens.resize(id + 1);
      id_bytes.resize(id + 1);
      id_kind.resize(id + 1, IdKind::kUnknown);
      id_special.resize(id + 1, 0);
    }
  };
  // Base vocabulary (a later duplicate string wins, as json.load does).
  token_ids.clear();
  token_ids.reserve(vocab.size() + added_tokens.size());
  for (auto& [token, id] : vocab) {
    if (id < 0 || id >= kMaxId)
      fail(vocab_source, quote(token), fmt::format("expected an id in [0, {}), found {}", kMaxId, id));
    token_ids[token] = id;
  }
  base_vocab_count = static_cast<std::int32_t>(token_ids.size());
  for (const auto& [token, id] : token_ids) {
    grow_to(id);
    if (!id_tokens[id].empty())
      fail(vocab_source, quote(token), fmt::format("id {} is also the id of {}", id, quote(id_tokens[id])));
    id_tokens[id] = token;
    id_kind[id] = IdKind::kBytes;
    // A token with characters outside the byte-level alphabet decodes to its own UTF-8 (as the fast decoder does).
    auto bytes = detail::token_to_bytes(token);
    id_bytes[id] = bytes ? std::move(*bytes) : token;
  }
  for (int b = 0; b < 256; ++b) {
    const auto it = token_ids.find(detail::bytes_to_token(std::string(1, static_cast<char>(b))));
    if (it == token_ids.end())
      fail(vocab_source, quote(detail::bytes_to_token(std::string(1, static_cast<char>(b)))),
           fmt::format("the one-byte token of byte 0x{:02x} is missing (a byte-level vocabulary has all 256)", b));
    bpe.byte_ids[b] = it->second;
  }
  // Merges: both parts and their concatenation must be tokens.
  bpe.merges = {};
  bpe.merges.reserve(merges.size());
  std::string joined;
  for (std::size_t rank = 0; rank < merges.size(); ++rank) {
    const auto& [left, right] = merges[rank];
    const auto field = fmt::format("merge {} ({} {})", rank + 1, quote(left), quote(right));
    const auto l = token_ids.find(left), r = token_ids.find(right);
    if (l == token_ids.end()) fail(merges_source, field, "left part is not in the vocabulary");
    if (r == token_ids.end()) fail(merges_source, field, "right part is not in the vocabulary");
    joined = left + right;
    const auto m = token_ids.find(joined);
    if (m == token_ids.end()) fail(merges_source, field, fmt::format("result {} is not in the vocabulary", quote(joined)));
    bpe.merges.set(l->second, r->second, {static_cast<std::int32_t>(rank), m->second});
  }
  bpe.index_byte_pairs();
  if (ignore_merges) {
    bytes_ids.clear();
    for (const auto& [token, id] : token_ids)
      if (auto bytes = detail::token_to_bytes(token)) bytes_ids[*bytes] = id;
  }
  // Added tokens.
  std::sort(added_tokens.begin(), added_tokens.end(), [](auto& a, auto& b) { return a.id < b.id; });
  for (std::size_t i = 0; i < added_tokens.size(); ++i) {
    const AddedToken& t = added_tokens[i];
    const auto field = fmt::format("added token {}", t.id);
    if (t.id < 0 || t.id >= kMaxId) fail(added_source, field, fmt::format("expected an id in [0, {})", kMaxId));
    if (t.content.empty()) fail(added_source, field, "content is empty");
    if (!detail::is_valid_utf8(t.content)) fail(added_source, field, "content is not valid UTF-8");
    if (i > 0 && added_tokens[i - 1].id == t.id) fail(added_source, field, "id given twice");
    grow_to(t.id);
    if (!id_tokens[t.id].empty() && id_tokens[t.id] != t.content)
      fail(added_source, field, fmt::format("content {} but the vocabulary has {} there", quote(t.content), quote(id_tokens[t.id])));
    if (id_tokens[t.id].empty()) id_tokens[t.id] = t.content;
    token_ids[t.content] = t.id;
    id_special[t.id] = t.special;
    // transformers' _decode writes non-special added tokens and special ones beyond the base vocabulary verbatim;
    // a special token inside the base vocabulary goes through the byte decoder like any vocabulary entry.
    if (!t.special || t.id >= base_vocab_count) {
      id_kind[t.id] = IdKind::kVerbatim;
      id_bytes[t.id] = t.content;
    } else {
      id_kind[t.id] = IdKind::kBytes;
      auto bytes = detail::token_to_bytes(t.content);
      id_bytes[t.id] = bytes ? std::move(*bytes) : t.content;
    }
  }
  added = std::move(added_tokens);
  splitter.reset(added);
  distinct_tokens = static_cast<std::int32_t>(token_ids.size());
  cache_owner = next_cache_owner.fetch_add(1);
}

std::optional<std::int32_t> Tokenizer::Impl::mark_special(std::string_view name) {
  const auto it = token_ids.find(name);
  if (it == token_ids.end()) return std::nullopt;
  id_special[it->second] = 1;
  return it->second;
}

void Tokenizer::Impl::encode_piece(std::string_view piece, std::vector<std::int32_t>& out,
                                   detail::WordCache& cache) const {
  const std::size_t first = out.size();
  if (piece.size() > detail::WordCache::kMaxKey) {
    if (ignore_merges) {
      const auto it = bytes_ids.find(piece);
      if (it != bytes_ids.end()) return out.push_back(it->second);
    }
    return bpe.encode_word(piece, out);
  }
  const std::uint64_t h = detail::WordCache::hash(piece, cache_owner);
  if (cache.lookup(piece, h, out)) return;
  if (ignore_merges) {
    const auto it = bytes_ids.find(piece);
    if (it != bytes_ids.end()) out.push_back(it->second);
  }
  if (out.size() == first) bpe.encode_word(piece, out);
  cache.store(piece, h, out.data() + first, out.size() - first);
}

void Tokenizer::Impl::encode_text(std::string_view text, std::vector<std::int32_t>& out) const {
  auto& cache = detail::WordCache::for_thread();
  pre.for_each_piece(text, [&](std::string_view piece) { encode_piece(piece, out, cache); });
}

void Tokenizer::encode_into(std::string_view text, std::vector<std::int32_t>& out) const {
  const Impl& im = *impl_;
  std::string valid, normalized;
  if (!detail::is_valid_utf8(text)) {
    valid = detail::to_valid_utf8(text);
    text = valid;
  }
  if (im.normalize_nfc && detail::nfc_if_needed(text, normalized)) text = normalized;
  if (im.split_special_tokens || im.splitter.empty()) {
    im.encode_text(text, out);
    return;
  }
  std::vector<detail::Piece> pieces;
  std::list<std::string> storage;
  im.splitter.split(text, pieces, storage);
  for (const auto& p : pieces) {
    if (p.added)
      out.push_back(p.added->id);
    else
      im.encode_text(p.text, out);
  }
}

std::vector<std::int32_t> Tokenizer::encode(std::string_view text) const {
  std::vector<std::int32_t> out;
  out.reserve(text.size() / 3 + 4);
  encode_into(text, out);
  return out;
}

std::vector<std::string> Tokenizer::tokenize(std::string_view text) const {
  std::vector<std::string> out;
  for (std::int32_t id : encode(text)) out.push_back(id_to_token(id));
  return out;
}

std::string Tokenizer::decode(std::span<const std::int32_t> ids, bool skip_special_tokens) const {
  const Impl& im = *impl_;
  std::string out, buffer;
  for (std::int32_t id : ids) {
    if (id < 0 || static_cast<std::size_t>(id) >= im.id_kind.size()) continue;
    const IdKind kind = im.id_kind[id];
    if (kind == IdKind::kUnknown) continue;
    if (skip_special_tokens && im.id_special[id]) continue;
    if (kind == IdKind::kBytes) {
      buffer += im.id_bytes[id];
    } else {
      detail::append_valid_utf8(out, buffer);
      buffer.clear();
      out += im.id_bytes[id];
    }
  }
  detail::append_valid_utf8(out, buffer);
  return out;
}

std::optional<std::int32_t> Tokenizer::token_to_id(std::string_view token) const {
  const auto it = impl_->token_ids.find(token);
  if (it == impl_->token_ids.end()) return std::nullopt;
  return it->second;
}

std::string Tokenizer::id_to_token(std::int32_t id) const {
  if (id < 0 || static_cast<std::size_t>(id) >= impl_->id_tokens.size()) return {};
  return impl_->id_tokens[id];
}

std::int32_t Tokenizer::vocab_size() const { return impl_->distinct_tokens; }

bool Tokenizer::is_special(std::int32_t id) const {
  return id >= 0 && static_cast<std::size_t>(id) < impl_->id_special.size() && impl_->id_special[id];
}

const std::vector<AddedToken>& Tokenizer::added_tokens() const { return impl_->added; }
std::optional<std::int32_t> Tokenizer::eos_token_id() const { return impl_->eos; }
std::optional<std::int32_t> Tokenizer::pad_token_id() const { return impl_->pad; }

}  // namespace vsr::text
