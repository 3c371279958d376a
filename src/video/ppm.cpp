#include "vsr/video/ppm.hpp"

#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"

#include <fmt/format.h>

#include <cctype>
#include <string>

namespace vsr::video {

void write_ppm(const std::filesystem::path& path, const Frames& frames, std::int64_t i) {
  require(i >= 0 && i < frames.count, path.string(), "frame", fmt::format("index {} outside [0, {})", i, frames.count));
  require(static_cast<std::int64_t>(frames.rgb.size()) == frames.count * frames.frame_bytes(), path.string(), "frames",
          "pixel buffer size does not match count x height x width x 3");
  std::string data = fmt::format("P6\n{} {}\n255\n", frames.width, frames.height);
  const auto* p = reinterpret_cast<const char*>(frames.frame(i));
  data.append(p, static_cast<std::size_t>(frames.frame_bytes()));
  write_file_atomic(path, data);
}

Frames read_ppm(const std::filesystem::path& path) {
  const std::string data = read_file(path);
  const std::string file = path.string();
  std::size_t pos = 0;
  // One header token (magic or a number), skipping white space and '#' comments.
  auto token = [&]() {
    while (pos < data.size()) {
      if (std::isspace(static_cast<unsigned char>(data[pos]))) {
        ++pos;
      } else if (data[pos] == '#') {
        while (pos < data.size() && data[pos] != '\n') ++pos;
      } else {
        break;
      }
    }
    const std::size_t start = pos;
    while (pos < data.size() && !std::isspace(static_cast<unsigned char>(data[pos]))) ++pos;
    return data.substr(start, pos - start);
  };
  auto number = [&](const char* field, std::int64_t max) {
    const std::string t = token();
    std::int64_t v = 0;
    bool ok = !t.empty() && t.size() <= 9;
    for (char c : t) {
      ok = ok && std::isdigit(static_cast<unsigned char>(c));
      v = v * 10 + (c - '0');
    }
    require(ok && v >= 1 && v <= max, file, field,
            fmt::format("expected an integer in [1, {}], got {}", max, quote(t)));
    return v;
  };
  require(token() == "P6", file, "magic", "expected a binary PPM (P6)");
  Frames f;
  f.width = number("width", 1 << 16);
  f.height = number("height", 1 << 16);
  require(number("maxval", 65535) == 255, file, "maxval", "expected 255");
  ++pos;  // the single white-space byte after maxval
  require(pos <= data.size() && static_cast<std::int64_t>(data.size() - pos) == f.frame_bytes(), file, "pixels",
          fmt::format("expected {} bytes after the header, found {}", f.frame_bytes(),
                      pos <= data.size() ? data.size() - pos : 0));
  f.count = 1;
  f.rgb.assign(data.begin() + static_cast<std::ptrdiff_t>(pos), data.end());
  f.indices = {0};
  return f;
}

}  // namespace vsr::video
