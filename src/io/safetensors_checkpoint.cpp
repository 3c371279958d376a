// Hugging Face checkpoint folders: model.safetensors, or model.safetensors.index.json and its shards.
#include "json_strict.hpp"
#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/io/safetensors.hpp"

#include <fmt/format.h>

namespace vsr::io {

namespace fs = std::filesystem;

struct Checkpoint::Impl {
  fs::path path;
  fs::path index_path;
  std::vector<SafetensorsFile> files;
  std::vector<std::string> names;
  struct Where {
    std::size_t file;
    const TensorView* view;
  };
  std::map<std::string, Where, std::less<>> where;
};

namespace {

constexpr const char* kSingleName = "model.safetensors";
constexpr const char* kIndexName = "model.safetensors.index.json";

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void open_single(Checkpoint::Impl& impl, const fs::path& file) {
  impl.files.push_back(SafetensorsFile::open(file));
  const auto& f = impl.files.back();
  for (const auto& t : f.tensors()) {
    impl.names.push_back(t.name);
    impl.where.emplace(t.name, Checkpoint::Impl::Where{0, &t});
  }
}

/// A shard name from weight_map: a relative path inside the folder, without "..".
void check_shard_name(const std::string& index, const std::string& field, const std::string& shard) {
  const fs::path p(shard);
  bool ok = !shard.empty() && p.is_relative();
  for (const auto& part : p) ok = ok && part != "..";
  if (!ok) fail(index, field, "expected a shard file name inside the checkpoint folder, got " + quote(shard));
}

void open_index(Checkpoint::Impl& impl, const fs::path& index_path) {
  impl.index_path = index_path;
  const std::string index = index_path.string();
  const auto json = detail::parse_json_strict(read_file(index_path), index, "");
  if (!json.is_object()) fail(index, "", "expected a JSON object {\"metadata\", \"weight_map\"}, got " + detail::json_kind(json));
  if (json.contains("metadata") && !json["metadata"].is_object() && !json["metadata"].is_null())
    fail(index, "metadata", "expected an object, got " + detail::json_kind(json["metadata"]));
  if (!json.contains("weight_map")) fail(index, "weight_map", "missing (an index maps every tensor name to its shard file)");
  const auto& map = json["weight_map"];
  if (!map.is_object()) fail(index, "weight_map", "expected an object {tensor: shard file}, got " + detail::json_kind(map));

  const fs::path dir = index_path.parent_path();
  std::map<std::string, std::size_t> shard_index;  // shard name -> position in impl.files
  std::vector<std::string> shard_names;
  for (const auto& [tensor, shard_json] : map.items()) {
    const std::string field = "weight_map." + tensor;
    if (!shard_json.is_string()) fail(index, field, "expected a shard file name, got " + detail::json_kind(shard_json));
    const std::string shard = shard_json.get<std::string>();
    check_shard_name(index, field, shard);
    auto it = shard_index.find(shard);
    if (it == shard_index.end()) {
      const fs::path shard_path = dir / shard;
      std::error_code ec;
      if (!fs::is_regular_file(shard_path, ec))
        fail(index, field, fmt::format("shard file {} does not exist", quote(shard_path.string(), 200)));
      impl.files.push_back(SafetensorsFile::open(shard_path));
      shard_names.push_back(shard);
      it = shard_index.emplace(shard, impl.files.size() - 1).first;
    }
    const auto& file = impl.files[it->second];
    if (!file.contains(tensor))
      fail(index, field, fmt::format("tensor is listed in the index but absent from its shard {}", quote(shard)));
    impl.names.push_back(tensor);
    impl.where.emplace(tensor, Checkpoint::Impl::Where{it->second, &file.tensor(tensor)});
  }
  // The converse: a shard must not hold tensors the index does not send to it (a stale or mixed-up shard).
  for (std::size_t i = 0; i < impl.files.size(); ++i)
    for (const auto& name : impl.files[i].names()) {
      const auto w = impl.where.find(name);
      if (w == impl.where.end() || w->second.file != i)
        fail(impl.files[i].path().string(), "tensor " + quote(name),
             fmt::format("present in this shard but {} maps it {}", quote(index_path.filename().string()),
                         w == impl.where.end() ? std::string("nowhere") : "to " + quote(shard_names[w->second.file])));
    }
}

}  // namespace

Checkpoint::Checkpoint(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Checkpoint::Checkpoint(Checkpoint&&) noexcept = default;
Checkpoint& Checkpoint::operator=(Checkpoint&&) noexcept = default;
Checkpoint::~Checkpoint() = default;

Checkpoint Checkpoint::open(const fs::path& dir_or_file) {
  auto impl = std::make_unique<Impl>();
  impl->path = dir_or_file;
  std::error_code ec;
  if (fs::is_directory(dir_or_file, ec)) {
    if (fs::exists(dir_or_file / kSingleName, ec))
      open_single(*impl, dir_or_file / kSingleName);
    else if (fs::exists(dir_or_file / kIndexName, ec))
      open_index(*impl, dir_or_file / kIndexName);
    else
      fail(dir_or_file.string(), "", fmt::format("folder holds neither {} nor {}", kSingleName, kIndexName));
  } else if (ends_with(dir_or_file.filename().string(), ".index.json")) {
    open_index(*impl, dir_or_file);
  } else {
    open_single(*impl, dir_or_file);
  }
  return Checkpoint(std::move(impl));
}

std::vector<std::string> Checkpoint::names() const { return impl_->names; }
bool Checkpoint::contains(std::string_view name) const { return impl_->where.find(name) != impl_->where.end(); }

const TensorView& Checkpoint::tensor(std::string_view name) const {
  const auto it = impl_->where.find(name);
  if (it == impl_->where.end())
    fail(impl_->path.string(), "tensor " + quote(name), fmt::format("no such tensor in the checkpoint ({} tensors)", impl_->names.size()));
  return *it->second.view;
}

fs::path Checkpoint::file_of(std::string_view name) const {
  const auto it = impl_->where.find(name);
  if (it == impl_->where.end()) fail(impl_->path.string(), "tensor " + quote(name), "no such tensor in the checkpoint");
  return impl_->files[it->second.file].path();
}

const std::vector<SafetensorsFile>& Checkpoint::files() const { return impl_->files; }
const fs::path& Checkpoint::path() const { return impl_->path; }
const fs::path& Checkpoint::index_path() const { return impl_->index_path; }

std::uint64_t Checkpoint::total_bytes() const {
  std::uint64_t n = 0;
  for (const auto& f : impl_->files) n += f.data_size();
  return n;
}

}  // namespace vsr::io
