#include "vsr/core/error.hpp"

#include <fmt/format.h>

namespace vsr {

namespace {
std::string compose(const std::string& file, const std::string& field, const std::string& problem) {
  std::string out;
  if (!file.empty()) out += file + ": ";
  if (!field.empty()) out += field + ": ";
  out += problem;
  for (char& c : out)
    if (c == '\n' || c == '\r') c = ' ';
  return out;
}
}  // namespace

Error::Error(std::string file, std::string field, std::string problem)
    : std::runtime_error(compose(file, field, problem)),
      file_(std::move(file)),
      field_(std::move(field)),
      problem_(std::move(problem)) {}

void fail(std::string_view file, std::string_view field, std::string_view problem) {
  throw Error(std::string(file), std::string(field), std::string(problem));
}

std::string quote(std::string_view value, std::size_t max_len) {
  std::string out = "\"";
  std::size_t n = 0;
  for (unsigned char c : value) {
    if (n++ == max_len) {
      out += "...";
      break;
    }
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  return out + "\"";
}

}  // namespace vsr
