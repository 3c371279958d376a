// Reading one .safetensors file: mmap, then validate the header completely before any tensor is handed out.
#include "json_strict.hpp"
#include "vsr/core/error.hpp"
#include "vsr/io/safetensors.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <limits>

namespace vsr::io {

static_assert(std::endian::native == std::endian::little, "safetensors data is little-endian; vsr assumes a little-endian host");

struct SafetensorsFile::Impl {
  std::filesystem::path path;
  std::string file;  // path as text, for error messages
  void* map = nullptr;
  std::size_t map_size = 0;
  std::uint64_t header_size = 0;
  std::uint64_t data_size = 0;
  std::vector<std::string> names;
  std::vector<TensorView> tensors;
  std::map<std::string, std::size_t, std::less<>> index;
  std::map<std::string, std::string> metadata;

  ~Impl() {
    if (map) ::munmap(map, map_size);
  }
};

namespace {

using Json = nlohmann::ordered_json;

std::string shape_text(const std::vector<std::int64_t>& shape) {
  return fmt::format("[{}]", fmt::join(shape, ", "));
}

/// Maps the whole file read-only; the file must be a regular file of at least 8 bytes.
void map_file(SafetensorsFile::Impl& impl) {
  const int fd = ::open(impl.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    fail(impl.file, "", err == ENOENT ? "no such file" : fmt::format("cannot open: {}", std::strerror(err)));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    fail(impl.file, "", "not a regular file");
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (size < 8) {
    ::close(fd);
    fail(impl.file, "", fmt::format("file is {} bytes, shorter than the 8-byte header length of a safetensors file", size));
  }
  void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  const int err = errno;
  ::close(fd);
  if (p == MAP_FAILED) fail(impl.file, "", fmt::format("cannot memory-map: {}", std::strerror(err)));
  impl.map = p;
  impl.map_size = size;
}

/// A non-negative integer that fits in int64, or an error for `field`.
std::uint64_t as_count(const Json& v, const std::string& file, const std::string& field, const char* what) {
  if (!v.is_number_unsigned() || v.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    fail(file, field, fmt::format("{}: expected a non-negative integer, got {}", what, detail::json_excerpt(v)));
  return v.get<std::uint64_t>();
}

struct Entry {
  std::size_t index;  // position in header order
  std::uint64_t begin, end;
};

void parse_metadata(SafetensorsFile::Impl& impl, const Json& v) {
  if (v.is_null()) return;  // the reference library treats a null "__metadata__" as absent
  if (!v.is_object()) fail(impl.file, "__metadata__", "expected an object of strings, got " + detail::json_kind(v));
  for (const auto& [key, value] : v.items()) {
    if (!value.is_string())
      fail(impl.file, "__metadata__." + key, "metadata values must be strings, got " + detail::json_kind(value));
    impl.metadata[key] = value.get<std::string>();
  }
}

/// Validates one header entry and appends its TensorView (data pointer filled in later).
Entry parse_entry(SafetensorsFile::Impl& impl, const std::string& name, const Json& v, std::uint64_t buffer_size) {
  const std::string field = "tensor " + quote(name);
  if (!v.is_object()) fail(impl.file, field, "expected an object {dtype, shape, data_offsets}, got " + detail::json_kind(v));
  for (const char* key : {"dtype", "shape", "data_offsets"})
    if (!v.contains(key)) fail(impl.file, field, fmt::format("missing \"{}\"", key));

  TensorView t{name, DType::U8, {}, nullptr, 0};
  const Json& dt = v["dtype"];
  if (!dt.is_string()) fail(impl.file, field, "dtype: expected a string, got " + detail::json_kind(dt));
  if (!parse_dtype(dt.get<std::string>(), t.dtype))
    fail(impl.file, field,
         fmt::format("unknown dtype {} (supported: BOOL, U8, I8, I16, I32, I64, F16, BF16, F32, F64)",
                     quote(dt.get<std::string>())));

  const Json& sh = v["shape"];
  if (!sh.is_array()) fail(impl.file, field, "shape: expected a list of non-negative integers, got " + detail::json_kind(sh));
  std::uint64_t numel = 1;
  bool overflow = false;
  for (const auto& d : sh) {
    const auto dim = as_count(d, impl.file, field, "shape");
    t.shape.push_back(static_cast<std::int64_t>(dim));
    overflow = overflow || __builtin_mul_overflow(numel, dim, &numel);
  }
  std::uint64_t nbytes = 0;
  if (overflow || __builtin_mul_overflow(numel, dtype_size(t.dtype), &nbytes))
    fail(impl.file, field, fmt::format("shape {} overflows: its element count times the dtype size exceeds 2^64",
                                       shape_text(t.shape)));

  const Json& off = v["data_offsets"];
  if (!off.is_array() || off.size() != 2)
    fail(impl.file, field, "data_offsets: expected [begin, end], got " + detail::json_excerpt(off));
  const auto begin = as_count(off[0], impl.file, field, "data_offsets");
  const auto end = as_count(off[1], impl.file, field, "data_offsets");
  if (begin > end) fail(impl.file, field, fmt::format("data_offsets [{}, {}]: begin is after end", begin, end));
  if (end > buffer_size)
    fail(impl.file, field,
         fmt::format("data_offsets [{}, {}] end beyond the data buffer, which has {} bytes (file truncated?)", begin, end,
                     buffer_size));
  if (end - begin != nbytes)
    fail(impl.file, field,
         fmt::format("shape {} of {} needs {} bytes but data_offsets [{}, {}] span {} bytes", shape_text(t.shape),
                     dtype_name(t.dtype), nbytes, begin, end, end - begin));
  t.nbytes = static_cast<std::size_t>(nbytes);
  impl.names.push_back(name);
  impl.tensors.push_back(std::move(t));
  return {impl.tensors.size() - 1, begin, end};
}

/// The reference rule: sorted by offsets, tensors must tile the buffer exactly — no overlap, no gap, no tail.
void check_layout(const SafetensorsFile::Impl& impl, std::vector<Entry> entries, std::uint64_t buffer_size) {
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return std::tie(a.begin, a.end) < std::tie(b.begin, b.end); });
  std::uint64_t pos = 0;
  const Entry* prev = nullptr;
  for (const auto& e : entries) {
    const std::string field = "tensor " + quote(impl.names[e.index]);
    if (e.begin < pos)
      fail(impl.file, field,
           fmt::format("data_offsets [{}, {}] overlap tensor {} at [{}, {}]", e.begin, e.end,
                       quote(impl.names[prev->index]), prev->begin, prev->end));
    if (e.begin > pos)
      fail(impl.file, field,
           fmt::format("gap: bytes [{}, {}) before data_offsets [{}, {}] belong to no tensor (safetensors data must be "
                       "contiguous)",
                       pos, e.begin, e.begin, e.end));
    pos = e.end;
    prev = &e;
  }
  if (pos != buffer_size)
    fail(impl.file, "data",
         fmt::format("the tensors cover {} bytes but the data buffer has {} ({} trailing bytes belong to no tensor)", pos,
                     buffer_size, buffer_size - pos));
}

void parse(SafetensorsFile::Impl& impl) {
  const auto* bytes = static_cast<const unsigned char*>(impl.map);
  std::uint64_t n = 0;
  std::memcpy(&n, bytes, 8);
  const std::uint64_t room = impl.map_size - 8;
  if (n > room)
    fail(impl.file, "header length",
         fmt::format("header length {} runs past the end of the file ({} bytes after the length field; truncated?)", n,
                     room));
  if (n > SafetensorsFile::kMaxHeaderBytes)
    fail(impl.file, "header length", fmt::format("header length {} is larger than the 100 MB limit", n));
  impl.header_size = n;
  const std::string_view text(reinterpret_cast<const char*>(bytes + 8), n);
  if (text.empty() || text.front() != '{')
    fail(impl.file, "header", "expected a JSON object starting with '{' right after the length field");
  const Json header = detail::parse_json_strict(text, impl.file, "header");
  if (!header.is_object()) fail(impl.file, "header", "expected a JSON object, got " + detail::json_kind(header));

  const std::uint64_t buffer_size = room - n;
  impl.data_size = buffer_size;
  std::vector<Entry> entries;
  entries.reserve(header.size());
  for (const auto& [key, value] : header.items()) {
    if (key == "__metadata__")
      parse_metadata(impl, value);
    else
      entries.push_back(parse_entry(impl, key, value, buffer_size));
  }
  check_layout(impl, entries, buffer_size);

  const std::byte* data = static_cast<const std::byte*>(impl.map) + 8 + n;
  for (const auto& e : entries) impl.tensors[e.index].data = data + e.begin;
  for (std::size_t i = 0; i < impl.names.size(); ++i) impl.index.emplace(impl.names[i], i);
}

}  // namespace

SafetensorsFile::SafetensorsFile(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SafetensorsFile::SafetensorsFile(SafetensorsFile&&) noexcept = default;
SafetensorsFile& SafetensorsFile::operator=(SafetensorsFile&&) noexcept = default;
SafetensorsFile::~SafetensorsFile() = default;

SafetensorsFile SafetensorsFile::open(const std::filesystem::path& path) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->file = path.string();
  map_file(*impl);
  parse(*impl);
  return SafetensorsFile(std::move(impl));
}

const std::vector<std::string>& SafetensorsFile::names() const { return impl_->names; }
const std::vector<TensorView>& SafetensorsFile::tensors() const { return impl_->tensors; }
bool SafetensorsFile::contains(std::string_view name) const { return impl_->index.find(name) != impl_->index.end(); }

const TensorView& SafetensorsFile::tensor(std::string_view name) const {
  const auto it = impl_->index.find(name);
  if (it == impl_->index.end())
    fail(impl_->file, "tensor " + quote(name), fmt::format("no such tensor (the file has {})", impl_->names.size()));
  return impl_->tensors[it->second];
}

const std::map<std::string, std::string>& SafetensorsFile::metadata() const { return impl_->metadata; }
const std::filesystem::path& SafetensorsFile::path() const { return impl_->path; }
std::uint64_t SafetensorsFile::header_size() const { return impl_->header_size; }
std::uint64_t SafetensorsFile::data_size() const { return impl_->data_size; }

}  // namespace vsr::io
