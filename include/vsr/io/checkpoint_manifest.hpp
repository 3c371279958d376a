#pragma once
/// @file
/// The integrity record of a training checkpoint, `manifest.json`: every file of the checkpoint folder with its size
/// and SHA-256, the step, and the SHA-256 of the run's resume-relevant configuration (the checkpoint also keeps that
/// configuration as `config.ini`, so a resume with other settings can say which keys differ). Torch-free.
///
///     {"format": "vsr-checkpoint-manifest", "version": 1, "step": 50, "config_sha256": "…",
///      "files": [{"path": "adapter_model.safetensors", "bytes": 318376, "sha256": "…"}, …]}

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vsr::io {

/// One file of a checkpoint folder.
struct ManifestFile {
  std::string path;         ///< relative to the checkpoint folder, '/'-separated
  std::uint64_t bytes = 0;  ///< size in bytes
  std::string sha256;       ///< 64 lower-case hex digits
};

/// The contents of `manifest.json`.
struct CheckpointManifest {
  static constexpr std::string_view kFileName = "manifest.json";  ///< its name in the checkpoint folder
  std::int64_t step = 0;             ///< optimizer steps completed when the checkpoint was written
  std::string config_sha256;         ///< SHA-256 of resume_config(resolved INI) of the writing run
  std::vector<ManifestFile> files;   ///< every regular file of the folder except manifest.json, sorted by path

  /// The JSON form shown in the file comment.
  nlohmann::json to_json() const;
  /// Parses the JSON form; vsr::Error naming `origin` and the field on anything malformed.
  static CheckpointManifest from_json(std::string_view text, const std::string& origin);
};

/// SHA-256 of a file's bytes (streamed), as 64 lower-case hex digits; vsr::Error naming the file when unreadable.
std::string sha256_file(const std::filesystem::path& path);

/// The manifest of `dir` as it is now: every regular file below it (except manifest.json) hashed.
CheckpointManifest describe_folder(const std::filesystem::path& dir, std::int64_t step, std::string config_sha256);

/// Writes `manifest` into `dir`/manifest.json (atomically).
void write_manifest(const std::filesystem::path& dir, const CheckpointManifest& manifest);

/// Reads `dir`/manifest.json; vsr::Error naming the file when missing or malformed.
CheckpointManifest read_manifest(const std::filesystem::path& dir);

/// The first way `dir` differs from its manifest ("manifest.json: no such file", "optimizer.safetensors: 1024
/// bytes, the manifest says 2048", "adapter_model.safetensors: SHA-256 differs from the manifest", "rng.safetensors:
/// missing"), or nullopt when every listed file is present with its size and hash.
std::optional<std::string> verify_folder(const std::filesystem::path& dir);

/// The resume-relevant part of a resolved INI configuration (Config::resolved_ini): comment lines and the keys a
/// resume may change without changing the training (the run length under the constant schedule, checkpointing,
/// evaluation, threads, timeouts, logging, caches, the resume flags, and every path: the model, tokenizer, records,
/// videos, initial adapter and output folder, whose contents the trainer fingerprints instead) are removed; every
/// other `key = value` line is kept, with its section header.
std::string resume_config(std::string_view resolved_ini);

/// The keys whose values differ between two configurations (INI text as resume_config gives), as
/// "section.key: before -> after" (a missing key reads "(absent)"), in key order.
std::vector<std::string> config_differences(std::string_view before, std::string_view after);

}  // namespace vsr::io
