#include "vsr/video/frame_cache.hpp"

#include "vsr/core/error.hpp"
#include "vsr/video/reader.hpp"

#include <fmt/format.h>
#include <hdf5.h>

#include <algorithm>
#include <mutex>
#include <numeric>
#include <system_error>

namespace vsr::video {

namespace fs = std::filesystem;

namespace {

constexpr const char* kGroup = "frames";
/// Largest dataset get() returns (bytes), as ReaderOptions::max_bytes' default.
constexpr std::int64_t kMaxGetBytes = std::int64_t{4} << 30;

/// The serial HDF5 library is not thread-safe: every call goes through this lock.
std::recursive_mutex& h5_lock() {
  static std::recursive_mutex m;
  return m;
}

/// An HDF5 identifier closed by `close_fn` on destruction.
class Handle {
 public:
  Handle() = default;
  Handle(hid_t id, herr_t (*close_fn)(hid_t)) : id_(id), close_(close_fn) {}
  ~Handle() { reset(); }
  Handle(Handle&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = H5I_INVALID_HID; }
  Handle& operator=(Handle&& o) noexcept {
    if (this != &o) {
      reset();
      id_ = o.id_;
      close_ = o.close_;
      o.id_ = H5I_INVALID_HID;
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  void reset() {
    if (id_ >= 0 && close_) close_(id_);
    id_ = H5I_INVALID_HID;
  }
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }

 private:
  hid_t id_ = H5I_INVALID_HID;
  herr_t (*close_)(hid_t) = nullptr;
};

/// Switches off HDF5's printing of its error stack (errors become vsr::Error instead).
void quiet_hdf5() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

/// The innermost messages of HDF5's current error stack, then clears it.
std::string hdf5_message() {
  std::vector<std::string> lines;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_DOWNWARD,
      [](unsigned, const H5E_error2_t* e, void* data) -> herr_t {
        if (e->desc && *e->desc) static_cast<std::vector<std::string>*>(data)->push_back(e->desc);
        return 0;
      },
      &lines);
  H5Eclear2(H5E_DEFAULT);
  if (lines.empty()) return "HDF5 error";
  if (lines.size() == 1) return "HDF5: " + lines.front();
  return "HDF5: " + lines.front() + " (" + lines.back() + ")";
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

/// The key of a dataset name (inverse of dataset_name; malformed escapes are kept as they are).
std::string key_of(std::string_view name) {
  if (name == "%") return {};
  std::string out;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '%' && i + 2 < name.size()) {
      const int hi = hex_value(name[i + 1]), lo = hex_value(name[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += name[i];
  }
  return out;
}

}  // namespace

std::string FrameCache::dataset_name(std::string_view key) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (std::size_t i = 0; i < key.size(); ++i) {
    const auto c = static_cast<unsigned char>(key[i]);
    const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                       c == '-' || (c == '.' && i > 0);
    if (plain) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out.empty() ? std::string("%") : out;  // the empty key gets a name of its own
}

struct FrameCache::Impl {
  fs::path path;
  std::string file;
  Mode mode = Mode::ReadOnly;
  int deflate = 0;
  Handle fid, group;

  [[noreturn]] void fail_h5(std::string_view field, std::string_view what) const {
    fail(file, field, fmt::format("{}: {}", what, hdf5_message()));
  }

  void open() {
    std::error_code ec;
    const bool exists = fs::exists(path, ec);
    if (mode == Mode::ReadOnly && !exists) fail(file, "", "no such file");
    if (exists && fs::is_directory(path, ec)) fail(file, "", "is a folder, not a frame cache file");
    hid_t id = H5I_INVALID_HID;
    if (mode == Mode::Truncate || (mode == Mode::ReadWrite && !exists)) {
      id = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
      if (id < 0) fail_h5("", "cannot create the frame cache");
    } else {
      if (H5Fis_hdf5(path.c_str()) <= 0) {
        H5Eclear2(H5E_DEFAULT);
        fail(file, "", "not an HDF5 file (expected a frame cache)");
      }
      id = H5Fopen(path.c_str(), mode == Mode::ReadOnly ? H5F_ACC_RDONLY : H5F_ACC_RDWR, H5P_DEFAULT);
      if (id < 0) fail_h5("", "cannot open the frame cache");
    }
    fid = Handle(id, H5Fclose);
    const htri_t has = H5Lexists(fid.get(), kGroup, H5P_DEFAULT);
    if (has < 0) fail_h5(kGroup, "cannot read the file's root group");
    if (has > 0) {
      group = Handle(H5Gopen2(fid.get(), kGroup, H5P_DEFAULT), H5Gclose);
      if (!group.valid()) fail_h5(kGroup, "cannot open the group");
    } else if (mode != Mode::ReadOnly) {
      group = Handle(H5Gcreate2(fid.get(), kGroup, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
      if (!group.valid()) fail_h5(kGroup, "cannot create the group");
    }
  }

  bool contains(const std::string& name) const {
    if (!group.valid()) return false;
    const htri_t r = H5Lexists(group.get(), name.c_str(), H5P_DEFAULT);
    if (r < 0) fail_h5(std::string(kGroup) + "/" + name, "cannot look up");
    return r > 0;
  }

  void write_indices(hid_t dset, const Frames& f, const std::string& field) {
    const hsize_t n = static_cast<hsize_t>(f.count);
    Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose);
    Handle attr(H5Acreate2(dset, "indices", H5T_STD_I64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    if (!space.valid() || !attr.valid() || H5Awrite(attr.get(), H5T_NATIVE_INT64, f.indices.data()) < 0)
      fail_h5(field, "cannot write the indices attribute");
  }

  void write_key(hid_t dset, std::string_view key, const std::string& field) {
    Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
    if (!type.valid() || H5Tset_size(type.get(), H5T_VARIABLE) < 0 || H5Tset_cset(type.get(), H5T_CSET_UTF8) < 0)
      fail_h5(field, "cannot make a string type");
    Handle space(H5Screate(H5S_SCALAR), H5Sclose);
    Handle attr(H5Acreate2(dset, "key", type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    const std::string copy(key);
    const char* ptr = copy.c_str();
    if (!attr.valid() || H5Awrite(attr.get(), type.get(), &ptr) < 0) fail_h5(field, "cannot write the key attribute");
  }

  void put(std::string_view key, const Frames& f) {
    const std::string name = dataset_name(key);
    const std::string field = std::string(kGroup) + "/" + name;
    if (mode == Mode::ReadOnly) fail(file, field, "cache opened read-only");
    require(f.count >= 1 && f.height >= 1 && f.width >= 1, file, field,
            fmt::format("expected at least one frame of positive size, got {}x{}x{}", f.count, f.height, f.width));
    require(f.height <= kMaxSide && f.width <= kMaxSide && f.height * f.width <= kMaxPixels, file, field,
            fmt::format("frame size {}x{} over the limit", f.width, f.height));
    require(static_cast<std::int64_t>(f.rgb.size()) == f.count * f.frame_bytes(), file, field,
            fmt::format("pixel buffer has {} bytes, expected {}", f.rgb.size(), f.count * f.frame_bytes()));
    require(static_cast<std::int64_t>(f.indices.size()) == f.count, file, field,
            fmt::format("{} indices for {} frames", f.indices.size(), f.count));
    if (contains(name) && H5Ldelete(group.get(), name.c_str(), H5P_DEFAULT) < 0)
      fail_h5(field, "cannot replace the old entry");

    const hsize_t dims[4] = {static_cast<hsize_t>(f.count), static_cast<hsize_t>(f.height),
                             static_cast<hsize_t>(f.width), 3};
    const hsize_t chunk[4] = {1, dims[1], dims[2], 3};
    Handle space(H5Screate_simple(4, dims, nullptr), H5Sclose);
    Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
    if (!space.valid() || !dcpl.valid() || H5Pset_chunk(dcpl.get(), 4, chunk) < 0)
      fail_h5(field, "cannot set up the dataset");
    if (deflate > 0 && H5Pset_deflate(dcpl.get(), static_cast<unsigned>(deflate)) < 0)
      fail_h5(field, "cannot enable deflate compression");
    Handle dset(H5Dcreate2(group.get(), name.c_str(), H5T_STD_U8LE, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                H5Dclose);
    if (!dset.valid()) fail_h5(field, "cannot create the dataset");
    try {
      if (H5Dwrite(dset.get(), H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, f.rgb.data()) < 0)
        fail_h5(field, "cannot write the frames");
      write_indices(dset.get(), f, field);
      write_key(dset.get(), key, field);
    } catch (...) {
      dset.reset();
      H5Ldelete(group.get(), name.c_str(), H5P_DEFAULT);  // no half entry left behind
      H5Eclear2(H5E_DEFAULT);
      throw;
    }
  }

  Frames get(std::string_view key) const {
    const std::string name = dataset_name(key);
    const std::string field = std::string(kGroup) + "/" + name;
    if (!contains(name)) fail(file, field, fmt::format("no frames cached for key {}", quote(key)));
    Handle dset(H5Dopen2(group.get(), name.c_str(), H5P_DEFAULT), H5Dclose);
    if (!dset.valid()) fail_h5(field, "cannot open the dataset");
    Handle type(H5Dget_type(dset.get()), H5Tclose);
    if (!type.valid() || H5Tget_class(type.get()) != H5T_INTEGER || H5Tget_size(type.get()) != 1)
      fail(file, field, "expected a uint8 dataset");
    Handle space(H5Dget_space(dset.get()), H5Sclose);
    hsize_t dims[4] = {};
    if (!space.valid() || H5Sget_simple_extent_ndims(space.get()) != 4 ||
        H5Sget_simple_extent_dims(space.get(), dims, nullptr) != 4 || dims[3] != 3)
      fail(file, field, "expected a dataset of shape [N, H, W, 3]");
    const auto n = static_cast<std::int64_t>(dims[0]), h = static_cast<std::int64_t>(dims[1]),
               w = static_cast<std::int64_t>(dims[2]);
    if (n < 1 || h < 1 || w < 1 || h > kMaxSide || w > kMaxSide || h * w > kMaxPixels || n > kMaxGetBytes / (h * w * 3))
      fail(file, field, fmt::format("dataset shape [{}, {}, {}, 3] is empty or over the limits", n, h, w));
    Frames f;
    f.count = n;
    f.height = h;
    f.width = w;
    f.rgb.resize(static_cast<std::size_t>(n * h * w * 3));
    if (H5Dread(dset.get(), H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, f.rgb.data()) < 0)
      fail_h5(field, "cannot read the frames");
    f.indices.resize(static_cast<std::size_t>(n));
    const htri_t has = H5Aexists(dset.get(), "indices");
    if (has < 0) fail_h5(field, "cannot look up the indices attribute");
    if (has == 0) {
      std::iota(f.indices.begin(), f.indices.end(), std::int64_t{0});
      return f;
    }
    Handle attr(H5Aopen(dset.get(), "indices", H5P_DEFAULT), H5Aclose);
    Handle aspace(attr.valid() ? H5Aget_space(attr.get()) : H5I_INVALID_HID, H5Sclose);
    if (!aspace.valid()) fail_h5(field + ".indices", "cannot open the attribute");
    hsize_t an = 0;
    if (H5Sget_simple_extent_ndims(aspace.get()) != 1 || H5Sget_simple_extent_dims(aspace.get(), &an, nullptr) != 1 ||
        an != dims[0])
      fail(file, field + ".indices", fmt::format("expected {} frame indices", n));
    if (H5Aread(attr.get(), H5T_NATIVE_INT64, f.indices.data()) < 0) fail_h5(field + ".indices", "cannot read");
    return f;
  }

  std::vector<std::string> keys() const {
    std::vector<std::string> names;
    if (!group.valid()) return names;
    const herr_t r = H5Literate(
        group.get(), H5_INDEX_NAME, H5_ITER_INC, nullptr,
        [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
          static_cast<std::vector<std::string>*>(data)->push_back(name);
          return 0;
        },
        &names);
    if (r < 0) fail_h5(kGroup, "cannot list the entries");
    for (auto& n : names) n = key_of(n);
    return names;
  }
};

FrameCache::FrameCache(const fs::path& path, Mode mode, int deflate_level) : impl_(std::make_unique<Impl>()) {
  std::lock_guard lock(h5_lock());
  quiet_hdf5();
  impl_->path = path;
  impl_->file = path.string();
  impl_->mode = mode;
  require(deflate_level >= 0 && deflate_level <= 9, impl_->file, "deflate_level",
          fmt::format("expected 0..9, got {}", deflate_level));
  impl_->deflate = deflate_level;
  impl_->open();
}

FrameCache::~FrameCache() {
  if (!impl_) return;
  std::lock_guard lock(h5_lock());
  impl_.reset();
}
FrameCache::FrameCache(FrameCache&&) noexcept = default;
FrameCache& FrameCache::operator=(FrameCache&& other) noexcept {
  std::lock_guard lock(h5_lock());
  impl_ = std::move(other.impl_);
  return *this;
}

bool FrameCache::contains(std::string_view key) const {
  std::lock_guard lock(h5_lock());
  quiet_hdf5();
  return impl_->contains(dataset_name(key));
}

void FrameCache::put(std::string_view key, const Frames& frames) {
  std::lock_guard lock(h5_lock());
  quiet_hdf5();
  impl_->put(key, frames);
}

Frames FrameCache::get(std::string_view key) const {
  std::lock_guard lock(h5_lock());
  quiet_hdf5();
  return impl_->get(key);
}

std::vector<std::string> FrameCache::keys() const {
  std::lock_guard lock(h5_lock());
  quiet_hdf5();
  return impl_->keys();
}

void FrameCache::flush() {
  std::lock_guard lock(h5_lock());
  quiet_hdf5();
  if (H5Fflush(impl_->fid.get(), H5F_SCOPE_GLOBAL) < 0) impl_->fail_h5("", "cannot flush");
}

const fs::path& FrameCache::path() const { return impl_->path; }

}  // namespace vsr::video
