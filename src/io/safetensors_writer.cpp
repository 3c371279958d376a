// Writing safetensors files: one file (SafetensorsWriter) or a sharded Hugging Face folder (write_sharded).
#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/io/safetensors.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <regex>
#include <set>

namespace vsr::io {

namespace {

using Entry = SafetensorsWriter::Entry;
const char* const kWriter = "safetensors writer";

/// The header (padded to a multiple of 8 with spaces) for `entries` in file order.
std::string make_header(const std::vector<const Entry*>& entries, const std::map<std::string, std::string>& metadata) {
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::uint64_t offset = 0;
  for (const Entry* e : entries) {
    const std::uint64_t end = offset + e->data.size();
    header[e->name] = {{"dtype", std::string(dtype_name(e->dtype))}, {"shape", e->shape}, {"data_offsets", {offset, end}}};
    offset = end;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  return text;
}

/// Entries in file order: sorted by name (byte order), as the goldens' writer and safetensors <= 0.3 lay them out.
std::vector<const Entry*> file_order(std::vector<const Entry*> entries) {
  std::sort(entries.begin(), entries.end(), [](const Entry* a, const Entry* b) { return a->name < b->name; });
  return entries;
}

std::string length_prefix(std::uint64_t n) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return out;
}

/// Streams one file to a temporary name beside `path`, fsyncs it and renames it into place.
void write_entries(const std::filesystem::path& path, const std::vector<const Entry*>& unordered,
                   const std::map<std::string, std::string>& metadata) {
  const auto entries = file_order(unordered);
  const std::string header = make_header(entries, metadata);
  const std::string file = path.string();
  const std::filesystem::path tmp = file + fmt::format(".tmp{}", ::getpid());
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) fail(file, "", "cannot write (folder missing or not writable)");
  const std::string prefix = length_prefix(header.size());
  bool ok = std::fwrite(prefix.data(), 1, 8, f) == 8 && std::fwrite(header.data(), 1, header.size(), f) == header.size();
  for (const Entry* e : entries)
    ok = ok && (e->data.empty() || std::fwrite(e->data.data(), 1, e->data.size(), f) == e->data.size());
  ok = ok && std::fflush(f) == 0 && ::fsync(fileno(f)) == 0;
  ok = (std::fclose(f) == 0) && ok;
  std::error_code ec;
  if (!ok) {
    std::filesystem::remove(tmp, ec);
    fail(file, "", "write failed (disk full?)");
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    fail(file, "", "cannot rename temporary file into place: " + ec.message());
  }
}

std::vector<const Entry*> all_entries(const SafetensorsWriter& w) {
  std::vector<const Entry*> out;
  for (const auto& e : w.entries()) out.push_back(&e);
  return out;
}

}  // namespace

void SafetensorsWriter::add(std::string name, DType dtype, std::vector<std::int64_t> shape,
                            std::span<const std::byte> data) {
  const std::string field = "tensor " + quote(name);
  if (name == "__metadata__") fail(kWriter, field, "\"__metadata__\" is reserved for the metadata map");
  if (index_.count(name)) fail(kWriter, field, "duplicate tensor name");
  std::uint64_t numel = 1;
  bool overflow = false;
  for (auto d : shape) {
    if (d < 0) fail(kWriter, field, fmt::format("negative dimension {} in shape", d));
    overflow = overflow || __builtin_mul_overflow(numel, static_cast<std::uint64_t>(d), &numel);
  }
  std::uint64_t nbytes = 0;
  if (overflow || __builtin_mul_overflow(numel, dtype_size(dtype), &nbytes) || nbytes != data.size())
    fail(kWriter, field,
         fmt::format("shape [{}] of {} needs {} bytes, got {}", fmt::join(shape, ", "), dtype_name(dtype),
                     overflow ? std::string("too many") : std::to_string(nbytes), data.size()));
  index_.emplace(name, entries_.size());
  entries_.push_back({std::move(name), dtype, std::move(shape), std::vector<std::byte>(data.begin(), data.end())});
}

void SafetensorsWriter::set_metadata(std::string key, std::string value) { metadata_[std::move(key)] = std::move(value); }

bool SafetensorsWriter::contains(std::string_view name) const { return index_.find(name) != index_.end(); }

std::uint64_t SafetensorsWriter::data_bytes() const {
  std::uint64_t n = 0;
  for (const auto& e : entries_) n += e.data.size();
  return n;
}

void SafetensorsWriter::write(const std::filesystem::path& path) const { write_entries(path, all_entries(*this), metadata_); }

std::string SafetensorsWriter::serialize() const {
  const auto entries = file_order(all_entries(*this));
  const std::string header = make_header(entries, metadata_);
  std::string out = length_prefix(header.size()) + header;
  for (const Entry* e : entries) out.append(reinterpret_cast<const char*>(e->data.data()), e->data.size());
  return out;
}

void write_sharded(const std::filesystem::path& dir, const SafetensorsWriter& writer, std::size_t max_shard_bytes,
                   std::string_view prefix) {
  if (max_shard_bytes == 0) fail(dir.string(), "max_shard_bytes", "must be positive");
  if (prefix.empty() || prefix.find('/') != std::string_view::npos)
    fail(dir.string(), "prefix", "expected a plain file name prefix, got " + quote(prefix));
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir)) fail(dir.string(), "", "cannot create folder");

  // Greedy packing in name order, as huggingface_hub's split_torch_state_dict_into_shards does.
  auto by_name = all_entries(writer);
  std::sort(by_name.begin(), by_name.end(), [](const Entry* a, const Entry* b) { return a->name < b->name; });
  std::vector<std::vector<const Entry*>> shards;
  std::uint64_t current = 0, total = 0;
  for (const Entry* e : by_name) {
    if (shards.empty() || (!shards.back().empty() && current + e->data.size() > max_shard_bytes)) {
      shards.emplace_back();
      current = 0;
    }
    shards.back().push_back(e);
    current += e->data.size();
    total += e->data.size();
  }
  if (shards.empty()) shards.emplace_back();

  const std::string p(prefix);
  const std::string single = p + ".safetensors", index_name = p + ".safetensors.index.json";
  std::set<std::string> keep;
  if (shards.size() == 1) {
    write_entries(dir / single, shards[0], writer.metadata());
    keep.insert(single);
  } else {
    nlohmann::json weight_map = nlohmann::json::object();
    for (std::size_t i = 0; i < shards.size(); ++i) {
      const std::string name = fmt::format("{}-{:05d}-of-{:05d}.safetensors", p, i + 1, shards.size());
      write_entries(dir / name, shards[i], writer.metadata());
      keep.insert(name);
      for (const Entry* e : shards[i]) weight_map[e->name] = name;
    }
    const nlohmann::json index = {{"metadata", {{"total_size", total}}}, {"weight_map", weight_map}};
    // The index is written last, so a reader never sees an index naming shards that are not there yet.
    write_file_atomic(dir / index_name, index.dump(2) + "\n");
    keep.insert(index_name);
  }
  // Remove weight files of an earlier save with the same prefix (transformers does the same).
  const std::regex stale(std::regex_replace(p, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)") +
                         R"((\.safetensors|\.safetensors\.index\.json|-\d{5}-of-\d{5}\.safetensors))");
  for (const auto& item : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = item.path().filename().string();
    if (item.is_regular_file() && !keep.count(name) && std::regex_match(name, stale)) std::filesystem::remove(item.path(), ec);
  }
}

}  // namespace vsr::io
