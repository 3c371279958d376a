#pragma once
// Private to src/io: strict JSON parsing shared by the safetensors header, index.json and config.json readers.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace vsr::io::detail {

/// Parses `text` as JSON, keeping object key order, and rejects duplicate keys in any object (nlohmann would keep
/// the last one silently; a checkpoint whose header names a tensor twice is corrupt). Errors are vsr::Error with
/// file `origin` and field `what` (the duplicate key's path for duplicates).
nlohmann::ordered_json parse_json_strict(std::string_view text, const std::string& origin, const std::string& what);

/// "an object", "a string", "an integer", "a number", "a boolean", "null", "an array" — for error messages.
std::string json_kind(const nlohmann::ordered_json& value);

/// The value as a short quoted JSON text for an error message.
std::string json_excerpt(const nlohmann::ordered_json& value);

}  // namespace vsr::io::detail
