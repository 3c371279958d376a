#include "vsr/core/run_dir.hpp"

#include "vsr/core/error.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace vsr {

RunDir::RunDir(fs::path path) : path_(std::move(path)) {
  std::error_code ec;
  if (fs::exists(path_, ec) && !fs::is_directory(path_, ec)) fail(path_.string(), "", "exists and is not a folder");
  fs::create_directories(path_, ec);
  if (ec) fail(path_.string(), "", "cannot create run folder: " + ec.message());
}

void RunDir::save_config(std::string_view resolved_ini) const { write_file_atomic(file("config.ini"), resolved_ini); }

void RunDir::log(std::string_view line) const {
  std::ofstream out(file("log.txt"), std::ios::app);
  if (!out) fail(file("log.txt").string(), "", "cannot append to log");
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  out << fmt::format("{:%Y-%m-%dT%H:%M:%SZ} {}\n", now, line);
}

void write_file_atomic(const fs::path& path, std::string_view contents) {
  const fs::path tmp = path.string() + fmt::format(".tmp{}", ::getpid());
  {
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) fail(path.string(), "", "cannot write (folder missing or not writable)");
    const bool ok = std::fwrite(contents.data(), 1, contents.size(), f) == contents.size() && std::fflush(f) == 0 &&
                    ::fsync(fileno(f)) == 0;
    std::fclose(f);
    if (!ok) {
      std::remove(tmp.c_str());
      fail(path.string(), "", "write failed (disk full?)");
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    fail(path.string(), "", "cannot rename temporary file into place");
  }
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path.string(), "", fs::exists(path) ? "cannot read file" : "no such file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace vsr
