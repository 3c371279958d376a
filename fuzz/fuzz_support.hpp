#pragma once
/// @file
/// Shared by the libFuzzer targets of fuzz/ (docs/hardening.md): the outcome rule (vsr::Error is an expected answer
/// to bad input; any other exception, a failed invariant, a crash, a hang or a sanitizer report is a finding) and a
/// per-process scratch folder for parsers that read files.
#include "vsr/core/error.hpp"

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace vsr::fuzz {

/// Reports a broken invariant of a target and aborts (libFuzzer then saves the input as a crash).
[[noreturn]] inline void finding(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "vsr fuzz finding: %s %.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

/// Checks an invariant of a target; a false `ok` is a finding.
inline void check(bool ok, const char* what, std::string_view detail = {}) {
  if (!ok) finding(what, detail);
}

/// Runs `body`; a vsr::Error is the expected outcome of bad input, any other exception is a finding.
template <typename F>
void expect_vsr_errors(F&& body) {
  try {
    body();
  } catch (const vsr::Error&) {
  } catch (const std::exception& e) {
    finding("exception other than vsr::Error:", e.what());
  } catch (...) {
    finding("non-standard exception");
  }
}

/// A scratch folder of this process (several fuzzing jobs may run at once), created on first use.
inline const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    auto d = std::filesystem::temp_directory_path() / ("vsr_fuzz_" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

/// Writes `bytes` to `path` (replacing it) and returns the path.
inline std::filesystem::path write_bytes(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) finding("cannot write the scratch file", path.string());
  return path;
}

/// The fuzzer's input as a string view.
inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace vsr::fuzz
