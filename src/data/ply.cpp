// Binary little-endian PLY reading with a general header parser, and writing in ScanNet's vertex/face layout.
#include "vsr/data/ply.hpp"

#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>

namespace vsr::data {
namespace {

static_assert(std::endian::native == std::endian::little, "PLY reading assumes a little-endian host");

enum class Type { I8, U8, I16, U16, I32, U32, F32, F64 };

bool parse_type(const std::string& s, Type& t) {
  static const std::pair<const char*, Type> kNames[] = {
      {"char", Type::I8},    {"int8", Type::I8},     {"uchar", Type::U8},   {"uint8", Type::U8},
      {"short", Type::I16},  {"int16", Type::I16},   {"ushort", Type::U16}, {"uint16", Type::U16},
      {"int", Type::I32},    {"int32", Type::I32},   {"uint", Type::U32},   {"uint32", Type::U32},
      {"float", Type::F32},  {"float32", Type::F32}, {"double", Type::F64}, {"float64", Type::F64}};
  for (const auto& [name, type] : kNames)
    if (s == name) {
      t = type;
      return true;
    }
  return false;
}

std::size_t type_size(Type t) {
  switch (t) {
    case Type::I8: case Type::U8: return 1;
    case Type::I16: case Type::U16: return 2;
    case Type::I32: case Type::U32: case Type::F32: return 4;
    case Type::F64: return 8;
  }
  return 0;
}

struct Property {
  std::string name;
  bool is_list = false;
  Type count_type = Type::U8;
  Type type = Type::F32;
};

struct Element {
  std::string name;
  std::uint64_t count = 0;
  std::vector<Property> properties;
};

/// A bounds-checked cursor over the data section.
struct Reader {
  const char* p;
  const char* end;
  const std::string& origin;

  std::size_t left() const { return static_cast<std::size_t>(end - p); }
  double read(Type t, const std::string& what) {
    const std::size_t n = type_size(t);
    if (left() < n) fail(origin, what, "data ends early (file truncated or a count in the header is too large)");
    double v = 0;
    switch (t) {
      case Type::I8: { std::int8_t x; std::memcpy(&x, p, 1); v = x; break; }
      case Type::U8: { std::uint8_t x; std::memcpy(&x, p, 1); v = x; break; }
      case Type::I16: { std::int16_t x; std::memcpy(&x, p, 2); v = x; break; }
      case Type::U16: { std::uint16_t x; std::memcpy(&x, p, 2); v = x; break; }
      case Type::I32: { std::int32_t x; std::memcpy(&x, p, 4); v = x; break; }
      case Type::U32: { std::uint32_t x; std::memcpy(&x, p, 4); v = x; break; }
      case Type::F32: { float x; std::memcpy(&x, p, 4); v = x; break; }
      case Type::F64: { double x; std::memcpy(&x, p, 8); v = x; break; }
    }
    p += n;
    return v;
  }
  void skip_list(const Property& prop, const std::string& what) {
    const double n = read(prop.count_type, what);
    if (n < 0 || n * double(type_size(prop.type)) > double(left()))
      fail(origin, what, "list length " + std::to_string(static_cast<long long>(n)) + " exceeds the data left");
    p += static_cast<std::size_t>(n) * type_size(prop.type);
  }
};

std::vector<Element> parse_header(std::string_view bytes, const std::string& origin, std::size_t& data_start) {
  std::size_t pos = 0;
  std::vector<Element> elements;
  int line_no = 0;
  bool format_seen = false;
  while (true) {
    const std::size_t nl = bytes.find('\n', pos);
    if (nl == std::string_view::npos || line_no > 10000) fail(origin, "header", "no \"end_header\" line");
    std::string line(bytes.substr(pos, nl - pos));
    pos = nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::string where = "header line " + std::to_string(line_no);
    if (line_no == 1) {
      require(line == "ply", origin, where, "expected \"ply\", found " + quote(line));
      continue;
    }
    std::istringstream is(line);
    std::string word;
    is >> word;
    if (word == "end_header") break;
    if (word == "comment" || word == "obj_info" || word.empty()) continue;
    if (word == "format") {
      std::string fmt, version;
      is >> fmt >> version;
      require(fmt == "binary_little_endian", origin, where,
              "expected format binary_little_endian, found " + quote(fmt));
      format_seen = true;
    } else if (word == "element") {
      Element e;
      std::string count, extra;
      is >> e.name >> count >> extra;
      require(!e.name.empty() && !count.empty() && extra.empty() &&
                  count.find_first_not_of("0123456789") == std::string::npos && count.size() <= 18,
              origin, where, "expected \"element NAME COUNT\", found " + quote(line));
      e.count = std::stoull(count);
      elements.push_back(std::move(e));
    } else if (word == "property") {
      require(!elements.empty(), origin, where, "property before any element");
      Property prop;
      std::string t;
      is >> t;
      if (t == "list") {
        std::string ct, it;
        is >> ct >> it >> prop.name;
        prop.is_list = true;
        require(parse_type(ct, prop.count_type) && parse_type(it, prop.type) && !prop.name.empty(), origin, where,
                "expected \"property list COUNT_TYPE ITEM_TYPE NAME\", found " + quote(line));
        require(prop.count_type != Type::F32 && prop.count_type != Type::F64, origin, where,
                "list count type must be an integer, found " + quote(ct));
      } else {
        is >> prop.name;
        require(parse_type(t, prop.type) && !prop.name.empty(), origin, where,
                "expected \"property TYPE NAME\", found " + quote(line));
      }
      elements.back().properties.push_back(std::move(prop));
    } else {
      fail(origin, where, "unknown header keyword " + quote(word));
    }
  }
  require(format_seen, origin, "header", "no \"format\" line");
  data_start = pos;
  return elements;
}

int find_property(const Element& e, std::string_view name) {
  for (std::size_t i = 0; i < e.properties.size(); ++i)
    if (e.properties[i].name == name) return static_cast<int>(i);
  return -1;
}

}  // namespace

Mesh parse_ply(std::string_view bytes, const std::string& origin) {
  std::size_t start = 0;
  const std::vector<Element> elements = parse_header(bytes, origin, start);
  Reader r{bytes.data() + start, bytes.data() + bytes.size(), origin};
  Mesh mesh;
  bool have_vertices = false;
  for (const Element& e : elements) {
    // Every row holds at least its fixed-size part (list counts included): check the count against the bytes left
    // before allocating anything by it.
    std::size_t min_row = 0;
    for (const auto& p : e.properties) min_row += p.is_list ? type_size(p.count_type) : type_size(p.type);
    if (min_row > 0 && e.count > r.left() / min_row)
      fail(origin, "element " + e.name,
           "count " + std::to_string(e.count) + " needs at least " + std::to_string(min_row) + " bytes per row, only " +
               std::to_string(r.left()) + " bytes left");
    if (e.name == "vertex") {
      const int ix = find_property(e, "x"), iy = find_property(e, "y"), iz = find_property(e, "z");
      require(ix >= 0 && iy >= 0 && iz >= 0, origin, "element vertex", "needs properties x, y and z");
      for (int i : {ix, iy, iz})
        require(!e.properties[i].is_list, origin, "element vertex", "x, y and z must be scalar properties");
      const int ir = find_property(e, "red"), ig = find_property(e, "green"), ib = find_property(e, "blue");
      mesh.vertices.resize(e.count);
      mesh.colors.assign(e.count, {128, 128, 128});
      std::vector<double> row(e.properties.size());
      const std::string where = "vertex data";
      for (std::uint64_t v = 0; v < e.count; ++v) {
        for (std::size_t k = 0; k < e.properties.size(); ++k) {
          const Property& p = e.properties[k];
          if (p.is_list) r.skip_list(p, where);
          else row[k] = r.read(p.type, where);
        }
        // Checked before converting: a double beyond float's range (or a colour beyond uchar's) has no defined
        // conversion.
        constexpr double kFloatMax = std::numeric_limits<float>::max();
        for (int i : {ix, iy, iz})
          if (!(std::isfinite(row[i]) && std::abs(row[i]) <= kFloatMax))
            fail(origin, "vertex " + std::to_string(v), "coordinates must be finite 32-bit floats");
        mesh.vertices[v] = {float(row[ix]), float(row[iy]), float(row[iz])};
        if (ir >= 0 && ig >= 0 && ib >= 0 && !e.properties[ir].is_list && !e.properties[ig].is_list &&
            !e.properties[ib].is_list) {
          for (int i : {ir, ig, ib})
            if (!(row[i] >= 0 && row[i] <= 255))  // message built only on failure: this loop runs per vertex
              fail(origin, "vertex " + std::to_string(v) + " " + e.properties[i].name,
                   "colour must be in [0, 255], found " + std::to_string(row[i]));
          mesh.colors[v] = {std::uint8_t(row[ir]), std::uint8_t(row[ig]), std::uint8_t(row[ib])};
        }
      }
      have_vertices = true;
    } else if (e.name == "face") {
      int il = find_property(e, "vertex_indices");
      if (il < 0) il = find_property(e, "vertex_index");
      require(il >= 0 && e.properties[il].is_list, origin, "element face", "needs a list property vertex_indices");
      require(have_vertices, origin, "element face", "faces come before the vertices");
      mesh.faces.reserve(e.count);
      std::vector<std::uint32_t> poly;
      for (std::uint64_t f = 0; f < e.count; ++f) {
        for (std::size_t k = 0; k < e.properties.size(); ++k) {
          const Property& p = e.properties[k];
          if (!p.is_list) {
            r.read(p.type, "face data");
            continue;
          }
          if (static_cast<int>(k) != il) {
            r.skip_list(p, "face data");
            continue;
          }
          static const std::string kFaceData = "face data";  // per-face strings only on failure: this runs per face
          const double n = r.read(p.count_type, kFaceData);
          const auto where = [f] { return "face " + std::to_string(f); };
          if (!(n >= 3)) fail(origin, where(), "a face needs at least 3 vertices, found " + std::to_string(long(n)));
          if (n * double(type_size(p.type)) > double(r.left())) fail(origin, where(), "list length exceeds the data left");
          poly.clear();
          for (long i = 0; i < long(n); ++i) {
            const double idx = r.read(p.type, kFaceData);
            if (!(idx >= 0 && idx < double(mesh.vertices.size())))
              fail(origin, where(), "vertex index " + std::to_string(static_cast<long long>(idx)) + " out of range [0, " +
                                      std::to_string(mesh.vertices.size()) + ")");
            poly.push_back(static_cast<std::uint32_t>(idx));
          }
          for (std::size_t i = 1; i + 1 < poly.size(); ++i) mesh.faces.push_back({poly[0], poly[i], poly[i + 1]});
        }
      }
    } else if (!e.properties.empty()) {  // an element without properties has no bytes, however large its count
      const std::string where = "element " + e.name;
      for (std::uint64_t i = 0; i < e.count; ++i)
        for (const auto& p : e.properties) {
          if (p.is_list) r.skip_list(p, where);
          else r.read(p.type, where);
        }
    }
  }
  require(have_vertices, origin, "header", "no vertex element");
  return mesh;
}

Mesh read_ply(const std::filesystem::path& path) { return parse_ply(read_file(path), path.string()); }

std::string format_ply(const Mesh& mesh) {
  std::string out = "ply\nformat binary_little_endian 1.0\nelement vertex " + std::to_string(mesh.vertices.size()) +
                    "\nproperty float x\nproperty float y\nproperty float z\nproperty uchar red\nproperty uchar green\n"
                    "property uchar blue\nproperty uchar alpha\nelement face " +
                    std::to_string(mesh.faces.size()) + "\nproperty list uchar int vertex_indices\nend_header\n";
  const std::size_t header = out.size();
  out.resize(header + mesh.vertices.size() * 16 + mesh.faces.size() * 13);
  char* p = out.data() + header;
  for (std::size_t i = 0; i < mesh.vertices.size(); ++i) {
    std::memcpy(p, mesh.vertices[i].data(), 12);
    const auto c = i < mesh.colors.size() ? mesh.colors[i] : std::array<std::uint8_t, 3>{128, 128, 128};
    p[12] = char(c[0]);
    p[13] = char(c[1]);
    p[14] = char(c[2]);
    p[15] = char(255);
    p += 16;
  }
  for (const auto& f : mesh.faces) {
    *p++ = 3;
    for (int k = 0; k < 3; ++k) {
      const std::int32_t idx = static_cast<std::int32_t>(f[k]);
      std::memcpy(p, &idx, 4);
      p += 4;
    }
  }
  return out;
}

}  // namespace vsr::data
