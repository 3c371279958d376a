// VSI-Bench prompts (official vsibench_doc_to_text) and the per-model prompt profiles of vsibench.yaml.
#include "vsr/core/error.hpp"
#include "vsr/eval/vsibench.hpp"

namespace vsr::eval {

namespace {

constexpr std::string_view kDefaultPre = "These are frames of a video.";
constexpr std::string_view kDefaultMcaPost = "Answer with the option's letter from the given choices directly.";
constexpr std::string_view kDefaultNaPost = "Please answer the question using a single word or phrase.";

/// Python truthiness of a JSON value as json.loads returns it.
bool truthy(const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::null: return false;
    case nlohmann::json::value_t::boolean: return v.get<bool>();
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float: return v.get<double>() != 0.0;
    default: return !v.empty() && !(v.is_string() && v.get_ref<const std::string&>().empty());
  }
}

std::string profile_value(const nlohmann::json& kwargs, const char* key, std::string_view origin) {
  const auto it = kwargs.find(key);
  if (it == kwargs.end() || !truthy(*it)) return {};
  if (!it->is_string())
    fail(origin, key, std::string("expected a string, found ") + it->type_name() + " (the official code raises TypeError)");
  return it->get<std::string>();
}

std::string_view or_default(const std::string& value, std::string_view fallback) {
  return value.empty() ? fallback : std::string_view(value);
}

}  // namespace

PromptProfile PromptProfile::from_json(const nlohmann::json& kwargs, std::string_view origin) {
  if (!kwargs.is_object())
    fail(origin, "", std::string("expected an object of prompt settings, found ") + kwargs.type_name() +
                         " (the official code raises AttributeError)");
  PromptProfile p;
  p.pre_prompt = profile_value(kwargs, "pre_prompt", origin);
  p.mca_post_prompt = profile_value(kwargs, "mca_post_prompt", origin);
  p.na_post_prompt = profile_value(kwargs, "na_post_prompt", origin);
  return p;
}

std::string vsibench_prompt(const VsiRecord& record, const PromptProfile& profile) {
  std::string out(or_default(profile.pre_prompt, kDefaultPre));
  out += '\n';
  out += record.question;
  out += '\n';
  if (is_na_type(record.question_type)) {
    out += or_default(profile.na_post_prompt, kDefaultNaPost);
  } else if (is_mca_type(record.question_type)) {
    if (record.options.empty()) fail("", "record " + quote(record.id) + ": options", "an MCA question needs options");
    out += "Options:";
    for (const auto& o : record.options) out += '\n' + o;
    out += '\n';
    out += or_default(profile.mca_post_prompt, kDefaultMcaPost);
  } else {
    fail("", "record " + quote(record.id) + ": question_type",
         "expected a VSI-Bench question type, found " + quote(record.question_type));
  }
  return out;
}

}  // namespace vsr::eval
