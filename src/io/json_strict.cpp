#include "json_strict.hpp"

#include "vsr/core/error.hpp"

#include <set>
#include <vector>

namespace vsr::io::detail {

namespace {

/// One open object or array during parsing: its keys so far and the key being read.
struct Frame {
  bool is_object = false;
  std::set<std::string> keys;
  std::string key;
};

std::string path_of(const std::vector<Frame>& frames) {
  std::string out;
  for (const auto& f : frames) {
    if (!f.is_object) continue;
    if (!out.empty()) out += '.';
    out += f.key;
  }
  return out;
}

}  // namespace

nlohmann::ordered_json parse_json_strict(std::string_view text, const std::string& origin, const std::string& what) {
  using Json = nlohmann::ordered_json;
  std::vector<Frame> frames;
  std::string duplicate;  // path of the first duplicate key, if any
  auto callback = [&](int /*depth*/, Json::parse_event_t event, Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
        frames.push_back({true, {}, {}});
        break;
      case Json::parse_event_t::array_start:
        frames.push_back({false, {}, {}});
        break;
      case Json::parse_event_t::object_end:
      case Json::parse_event_t::array_end:
        if (!frames.empty()) frames.pop_back();
        break;
      case Json::parse_event_t::key:
        if (!frames.empty()) {
          auto& top = frames.back();
          top.key = parsed.get<std::string>();
          if (!top.keys.insert(top.key).second && duplicate.empty()) duplicate = path_of(frames);
        }
        break;
      case Json::parse_event_t::value:
        break;
    }
    return true;
  };
  Json out;
  try {
    out = Json::parse(text.begin(), text.end(), callback, /*allow_exceptions=*/true, /*ignore_comments=*/false);
  } catch (const Json::parse_error& e) {
    std::string msg = e.what();
    if (const auto close = msg.find("] "); msg.rfind("[json.exception", 0) == 0 && close != std::string::npos)
      msg = msg.substr(close + 2);
    fail(origin, what, "not valid JSON: " + msg);
  } catch (const Json::out_of_range& e) {  // 406: a number beyond double's range ("1e999")
    fail(origin, what, std::string("not valid JSON: ") + e.what());
  }
  if (!duplicate.empty()) fail(origin, what, "duplicate key " + quote(duplicate) + " (each key may appear only once)");
  return out;
}

std::string json_kind(const nlohmann::ordered_json& v) {
  if (v.is_object()) return "an object";
  if (v.is_array()) return "an array";
  if (v.is_string()) return "a string";
  if (v.is_boolean()) return "a boolean";
  if (v.is_null()) return "null";
  if (v.is_number_integer()) return "an integer";
  if (v.is_number()) return "a number";
  return "a value";
}

std::string json_excerpt(const nlohmann::ordered_json& v) {
  std::string s = v.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

}  // namespace vsr::io::detail
