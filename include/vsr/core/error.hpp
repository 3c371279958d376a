#pragma once
/// @file
/// vsr's one error type. Every bad input (a file, a config key, a command-line value) is reported as a vsr::Error
/// whose message names the file, the field and what was expected, so the `vsr` program can print it as one line.

#include <stdexcept>
#include <string>
#include <string_view>

namespace vsr {

/// An input error: `file`, `field` and `problem` (what was expected and what was found). `what()` is
/// "file: field: problem" (parts that are empty are left out), one line, no trailing period.
class Error : public std::runtime_error {
 public:
  /// Builds the error; `file` may be a path, "<command line>", "<stdin>" or empty; `field` may be empty.
  Error(std::string file, std::string field, std::string problem);

  /// The file (or pseudo-file such as "<command line>") the error is about.
  const std::string& file() const noexcept { return file_; }
  /// The field, key or location inside the file ("vision_config.depth", "line 12", "tensor 'x'").
  const std::string& field() const noexcept { return field_; }
  /// What was expected and what was found.
  const std::string& problem() const noexcept { return problem_; }

 private:
  std::string file_, field_, problem_;
};

/// Throws vsr::Error(file, field, problem).
[[noreturn]] void fail(std::string_view file, std::string_view field, std::string_view problem);

/// Throws vsr::Error unless `condition` holds.
inline void require(bool condition, std::string_view file, std::string_view field, std::string_view problem) {
  if (!condition) fail(file, field, problem);
}

/// Quotes a value for an error message: printable ASCII kept, others escaped, long values cut at `max_len`.
std::string quote(std::string_view value, std::size_t max_len = 60);

}  // namespace vsr
