#pragma once
/// @file
/// The run folder convention: every training or evaluation run writes into one folder holding `config.ini` (the
/// configuration as resolved), `log.txt`, and later `metrics.h5`/`metrics.csv`, `checkpoints/`, `predictions.jsonl`,
/// `report.md` and plots. Files are written through write_file_atomic so a crash never leaves one half-written.

#include <filesystem>
#include <string>
#include <string_view>

namespace vsr {

/// A run folder: created on construction (parents too); `resume` reuses an existing one.
class RunDir {
 public:
  /// Opens `path`, creating it. Throws vsr::Error if it exists as a file or cannot be created.
  explicit RunDir(std::filesystem::path path);

  /// The folder.
  const std::filesystem::path& path() const { return path_; }
  /// `path() / name`.
  std::filesystem::path file(std::string_view name) const { return path_ / name; }
  /// Writes the resolved configuration to `config.ini`.
  void save_config(std::string_view resolved_ini) const;
  /// Appends one line to `log.txt` with a UTC time stamp.
  void log(std::string_view line) const;

 private:
  std::filesystem::path path_;
};

/// Writes `contents` to `path` through a temporary file in the same folder and a rename, so readers see either the
/// old file or the whole new one. Throws vsr::Error naming the path on failure.
void write_file_atomic(const std::filesystem::path& path, std::string_view contents);

/// Reads a whole file; throws vsr::Error naming the path if it cannot be read.
std::string read_file(const std::filesystem::path& path);

}  // namespace vsr
