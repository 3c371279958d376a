#pragma once
/// @file
/// The reasoning text a supervised target carries inside a tagged mode's <think> or <observe> (the "formatted" SFT
/// target of [sft] target, a cold start for vsGRPO-T / -O in the manner of Video-R1's CoT SFT).

#include "vsr/data/sample.hpp"

#include <string>
#include <string_view>

namespace vsr::prompt {

/// The record's own `meta.rationale` when it is a non-empty string; otherwise `lead` followed by the question's
/// object categories (`meta.categories`, "the chair, the table and the sofa") and a full stop; `lead` alone, with
/// "the video." after it, when the record names no categories.
inline std::string rationale(const data::Sample& s, std::string_view lead) {
  if (const auto it = s.meta.find("rationale");
      it != s.meta.end() && it->is_string() && !it->get<std::string>().empty())
    return it->get<std::string>();
  std::string text(lead);
  const auto cats = s.meta.find("categories");
  const std::size_t n = cats != s.meta.end() && cats->is_array() ? cats->size() : 0;
  if (n == 0) return text + "the video.";
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) text += i + 1 == n ? " and " : ", ";
    text += "the " + ((*cats)[i].is_string() ? (*cats)[i].get<std::string>() : (*cats)[i].dump());
  }
  return text + ".";
}

/// `<tag>reasoning</tag>\n<answer>answer</answer>`: an output in a tagged mode's format.
inline std::string tagged_output(std::string_view tag, std::string_view reasoning, std::string_view answer) {
  std::string out;
  out.reserve(2 * tag.size() + reasoning.size() + answer.size() + 24);
  out.append("<").append(tag).append(">").append(reasoning).append("</").append(tag).append(">\n<answer>");
  return out.append(answer).append("</answer>");
}

}  // namespace vsr::prompt
