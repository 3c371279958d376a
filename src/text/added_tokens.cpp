// Leftmost-longest matching of added tokens and the slow tokenizer's neighbour edits.
#include "added_tokens.hpp"

#include "utf8.hpp"

#include <algorithm>
#include <cstring>

namespace vsr::text::detail {

void AddedTokenSplitter::reset(const std::vector<AddedToken>& tokens) {
  by_content_.clear();
  for (auto& v : by_first_byte_) v.clear();
  has_flags_ = false;
  for (const AddedToken& t : tokens) {
    if (t.content.empty()) continue;
    by_content_[t.content] = &t;  // a later duplicate wins, as in a Python dict
  }
  only_first_byte_ = -1;
  for (const auto& [content, t] : by_content_) {
    const int first = static_cast<unsigned char>(content[0]);
    only_first_byte_ = only_first_byte_ == -1 || only_first_byte_ == first ? first : -2;
    by_first_byte_[static_cast<unsigned char>(content[0])].push_back(t);
    has_flags_ = has_flags_ || t->lstrip || t->rstrip || t->single_word;
  }
  if (only_first_byte_ < 0) only_first_byte_ = -1;
  for (auto& v : by_first_byte_)
    std::sort(v.begin(), v.end(), [](const AddedToken* a, const AddedToken* b) {
      return a->content.size() != b->content.size() ? a->content.size() > b->content.size() : a->content < b->content;
    });
}

const AddedToken* AddedTokenSplitter::find(std::string_view s) const {
  const auto it = by_content_.find(s);
  return it == by_content_.end() ? nullptr : it->second;
}

void AddedTokenSplitter::split(std::string_view text, std::vector<Piece>& out, std::list<std::string>& storage) const {
  out.clear();
  if (by_content_.empty()) {
    if (!text.empty()) out.push_back({text, nullptr});
    return;
  }
  // Trie.split: the earliest position where some token matches, the longest token there.
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size();) {
    if (only_first_byte_ >= 0) {  // jump to the next possible start
      const void* p = std::memchr(text.data() + i, only_first_byte_, text.size() - i);
      if (!p) break;
      i = static_cast<std::size_t>(static_cast<const char*>(p) - text.data());
    }
    const auto& candidates = by_first_byte_[static_cast<unsigned char>(text[i])];
    const AddedToken* hit = nullptr;
    for (const AddedToken* t : candidates)
      if (text.size() - i >= t->content.size() && std::memcmp(text.data() + i, t->content.data(), t->content.size()) == 0) {
        hit = t;
        break;
      }
    if (!hit) {
      ++i;
      continue;
    }
    if (start < i) out.push_back({text.substr(start, i - start), nullptr});
    out.push_back({text.substr(i, hit->content.size()), hit});
    i += hit->content.size();
    start = i;
  }
  if (start < text.size()) out.push_back({text.substr(start), nullptr});
  if (!has_flags_) return;

  // The neighbour edits of PreTrainedTokenizer.tokenize, on the pieces' strings (a piece counts as an added token
  // when its string is one, exactly as the Python loop tests `token in no_split_token`).
  const auto n = out.size();
  for (std::size_t i = 0; i < n; ++i) {
    const AddedToken* t = find(out[i].text);
    if (!t) continue;
    std::string_view* left = i > 0 ? &out[i - 1].text : nullptr;
    std::string_view* right = i + 1 < n ? &out[i + 1].text : nullptr;
    if (t->rstrip && right && !right->empty()) *right = lstrip_python(*right);
    if (t->lstrip && left && !left->empty()) *left = rstrip_python(*left);
    if (t->single_word && left && !left->empty() && left->back() != ' ') {
      storage.push_back(std::string(*left) + std::string(out[i].text));
      *left = storage.back();
      out[i].text = {};
    } else if (t->single_word && right && !right->empty() && right->front() != ' ') {
      storage.push_back(std::string(out[i].text) + std::string(*right));
      out[i].text = storage.back();
      *right = {};
    }
  }
  std::size_t w = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (out[i].text.empty()) continue;
    out[w].text = out[i].text;
    out[w].added = find(out[i].text);
    ++w;
  }
  out.resize(w);
}

}  // namespace vsr::text::detail
