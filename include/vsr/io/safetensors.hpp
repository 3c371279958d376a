#pragma once
/// @file
/// Reading and writing the safetensors checkpoint format (https://github.com/huggingface/safetensors), torch-free:
/// an 8-byte little-endian header length N, N bytes of UTF-8 JSON
/// `{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}`, then the data buffer
/// (offsets relative to its start, little-endian, C order). Files are memory-mapped read-only and validated
/// completely on open, with the rules of the reference Rust library (contiguous data, no gaps, no trailing bytes) plus
/// duplicate-key and type checks; see docs/checkpoints.md. Hugging Face folders (`model.safetensors` or
/// `model.safetensors.index.json` + shards, as written by transformers' `save_pretrained`) are read by Checkpoint.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vsr::io {

/// Element types of the safetensors format that vsr reads and writes (the format's U16/U32/U64/F8_* are refused).
enum class DType : std::uint8_t { BOOL, U8, I8, I16, I32, I64, F16, BF16, F32, F64 };

/// The dtype's name as written in a safetensors header: "BOOL", "U8", ..., "BF16", "F32", "F64".
std::string_view dtype_name(DType dtype);

/// Bytes per element (BOOL is one byte, 0 or 1).
std::size_t dtype_size(DType dtype);

/// Parses a header dtype name ("F32"); false if it is not one vsr supports.
bool parse_dtype(std::string_view name, DType& out);

/// One tensor of a mapped file: metadata plus a pointer into the mapping (valid while the file is open; not
/// necessarily aligned to the element size, so read it with memcpy). C order, little-endian.
struct TensorView {
  std::string name;                 ///< The tensor's name ("visual.blocks.0.attn.qkv.weight").
  DType dtype;                      ///< Element type.
  std::vector<std::int64_t> shape;  ///< Dimensions; empty for a scalar.
  const std::byte* data;            ///< First byte of the tensor's data inside the mapping.
  std::size_t nbytes;               ///< numel() * dtype_size(dtype), as validated on open.

  /// Number of elements: the product of `shape` (1 for a scalar, 0 if any dimension is 0).
  std::int64_t numel() const;
};

/// One .safetensors file, memory-mapped read-only (mmap) and fully validated on open. Movable, not copyable; the
/// mapping (and every TensorView's data) lives until the object is destroyed. Tensor views stay at the same
/// address when the object is moved.
class SafetensorsFile {
 public:
  /// The largest header accepted, as in the reference implementation (100 MB).
  static constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;

  /// Maps and validates `path`. Throws vsr::Error naming the file and the tensor/field for every defect listed in
  /// docs/checkpoints.md (truncation, bad JSON, duplicate keys, unknown dtype, bad shape/offsets, overlaps, gaps...).
  static SafetensorsFile open(const std::filesystem::path& path);

  SafetensorsFile(SafetensorsFile&&) noexcept;
  SafetensorsFile& operator=(SafetensorsFile&&) noexcept;
  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;
  /// Unmaps the file.
  ~SafetensorsFile();

  /// Tensor names in header order ("__metadata__" excluded).
  const std::vector<std::string>& names() const;
  /// Every tensor, in header order.
  const std::vector<TensorView>& tensors() const;
  /// True if the file holds a tensor called `name`.
  bool contains(std::string_view name) const;
  /// The tensor called `name`; vsr::Error naming the file and the tensor if absent.
  const TensorView& tensor(std::string_view name) const;
  /// The "__metadata__" string map (empty if the header has none).
  const std::map<std::string, std::string>& metadata() const;
  /// The path the file was opened from.
  const std::filesystem::path& path() const;
  /// Length N of the JSON header in bytes (padding included).
  std::uint64_t header_size() const;
  /// Size of the data buffer in bytes (= sum of the tensors' nbytes).
  std::uint64_t data_size() const;

  /// Opaque state, defined in src/io (public only so the implementation's free helpers can name it).
  struct Impl;

 private:
  explicit SafetensorsFile(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// A Hugging Face checkpoint: a folder holding `model.safetensors` (preferred, as transformers does) or
/// `model.safetensors.index.json` + the shards it names; or a path to one .safetensors file or to an index file.
/// All files are opened and validated up front; every tensor listed in an index must be in the shard it names,
/// and every tensor of a shard must be listed (for that shard).
class Checkpoint {
 public:
  /// Opens a folder, a .safetensors file or a *.safetensors.index.json file. Throws vsr::Error naming the file and
  /// key on a bad index (bad JSON, no weight_map, a missing shard, a tensor absent from its shard, ...).
  static Checkpoint open(const std::filesystem::path& dir_or_file);

  Checkpoint(Checkpoint&&) noexcept;
  Checkpoint& operator=(Checkpoint&&) noexcept;
  Checkpoint(const Checkpoint&) = delete;
  Checkpoint& operator=(const Checkpoint&) = delete;
  ~Checkpoint();

  /// Tensor names: header order for one file, weight_map order for an index.
  std::vector<std::string> names() const;
  /// True if some file of the checkpoint holds `name`.
  bool contains(std::string_view name) const;
  /// The tensor called `name`; vsr::Error naming the checkpoint and the tensor if absent.
  const TensorView& tensor(std::string_view name) const;
  /// The .safetensors file holding `name`; vsr::Error if absent.
  std::filesystem::path file_of(std::string_view name) const;
  /// The opened files (one, or the shards in index order of first appearance).
  const std::vector<SafetensorsFile>& files() const;
  /// The path given to open().
  const std::filesystem::path& path() const;
  /// The index file, or empty for a single-file checkpoint.
  const std::filesystem::path& index_path() const;
  /// Sum of all tensors' byte sizes.
  std::uint64_t total_bytes() const;

  /// Opaque state, defined in src/io (public only so the implementation's free helpers can name it).
  struct Impl;

 private:
  explicit Checkpoint(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Collects tensors (copies of their bytes) and writes them as one safetensors file laid out like the Python
/// library's files: compact JSON header (sorted keys) padded with spaces to a multiple of 8 bytes, data in
/// sorted-name order, `__metadata__` only when metadata was set. Re-serialising the goldens in tests/data gives
/// byte-identical files. (safetensors >= 0.4 orders data by dtype alignment first; readers accept both.)
class SafetensorsWriter {
 public:
  /// One tensor to write.
  struct Entry {
    std::string name;                 ///< Tensor name.
    DType dtype;                      ///< Element type.
    std::vector<std::int64_t> shape;  ///< Dimensions (empty = scalar).
    std::vector<std::byte> data;      ///< numel * dtype_size bytes, little-endian, C order.
  };

  /// Adds a tensor, copying `data`. vsr::Error (naming the tensor) on a duplicate or reserved name, a negative
  /// dimension, or a byte count different from numel * dtype_size.
  void add(std::string name, DType dtype, std::vector<std::int64_t> shape, std::span<const std::byte> data);
  /// Sets one "__metadata__" entry (replacing a previous value for `key`).
  void set_metadata(std::string key, std::string value);
  /// Writes the file atomically (temporary file in the same folder, fsync, rename). vsr::Error naming the path.
  void write(const std::filesystem::path& path) const;
  /// The bytes write() would put in the file.
  std::string serialize() const;

  /// The tensors, in the order they were added.
  const std::vector<Entry>& entries() const { return entries_; }
  /// The metadata set so far.
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  /// True if a tensor called `name` was added.
  bool contains(std::string_view name) const;
  /// Sum of the tensors' byte sizes.
  std::uint64_t data_bytes() const;

 private:
  std::vector<Entry> entries_;
  std::map<std::string, std::size_t, std::less<>> index_;
  std::map<std::string, std::string> metadata_;
};

/// Writes `writer`'s tensors into folder `dir` the way transformers' `save_pretrained` does: tensors in name order,
/// greedily packed into shards of at most `max_shard_bytes` (a larger tensor gets a shard of its own) named
/// `<prefix>-00001-of-0000N.safetensors`, plus `<prefix>.safetensors.index.json` with
/// {"metadata": {"total_size"}, "weight_map"}; when everything fits in one shard, just `<prefix>.safetensors` and
/// no index. Every shard carries the writer's metadata. Stale `<prefix>` weight files from an earlier save in `dir`
/// are removed so that Checkpoint::open sees only the new ones. The folder is created if needed.
void write_sharded(const std::filesystem::path& dir, const SafetensorsWriter& writer, std::size_t max_shard_bytes,
                   std::string_view prefix = "model");

}  // namespace vsr::io
