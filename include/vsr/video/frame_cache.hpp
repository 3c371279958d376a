#pragma once
/// @file
/// An HDF5 file of decoded frames, one dataset per video, so repeated epochs skip decoding. Layout (readable with
/// h5py, see docs/video.md): group `/frames`, one uint8 dataset `[N, H, W, 3]` per video, chunked one frame per
/// chunk, optionally deflate-compressed, with attributes `indices` (int64 `[N]`, source frame indices) and `key`
/// (the original key, a UTF-8 string). HDF5 stays behind a PIMPL.

#include "vsr/video/frames.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace vsr::video {

/// A frame cache file. Calls are serialised on one process-wide lock (the serial HDF5 library is not thread-safe).
/// Every HDF5 failure is a vsr::Error naming the file (HDF5's own error printing is switched off).
class FrameCache {
 public:
  /// How the file is opened.
  enum class Mode {
    ReadOnly,   ///< the file must exist; put() fails
    ReadWrite,  ///< opened for update, created when absent
    Truncate,   ///< created empty, replacing any existing file
  };

  /// Opens (or creates) the cache at `path`. `deflate_level` 0..9 (0 = no compression) applies to put().
  FrameCache(const std::filesystem::path& path, Mode mode, int deflate_level = 0);
  ~FrameCache();
  FrameCache(FrameCache&&) noexcept;
  FrameCache& operator=(FrameCache&&) noexcept;
  FrameCache(const FrameCache&) = delete;
  FrameCache& operator=(const FrameCache&) = delete;

  /// True when the cache holds frames for `key`.
  bool contains(std::string_view key) const;
  /// Stores `frames` (count >= 1, consistent sizes) under `key`, replacing an existing entry (HDF5 does not reclaim
  /// the old entry's space; h5repack does).
  void put(std::string_view key, const Frames& frames);
  /// The frames stored under `key`; fails when absent or malformed.
  Frames get(std::string_view key) const;
  /// Every key in the cache (sorted by dataset name).
  std::vector<std::string> keys() const;
  /// Writes buffered data to disk.
  void flush();
  /// The file.
  const std::filesystem::path& path() const;

  /// The dataset name of `key`: bytes outside `[A-Za-z0-9_.-]`, and a leading '.', become `%XX` (hex), so any key
  /// (a video path, an id) maps to one valid HDF5 link name and back.
  static std::string dataset_name(std::string_view key);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vsr::video
