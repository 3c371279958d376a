// metrics.csv (appended per step) and metrics.h5 (rewritten atomically) of a training run.
#include "vsr/core/metrics_log.hpp"

#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"

#include <fmt/format.h>
#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>

namespace vsr {

namespace {

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  for (char c : line) {
    if (c == ',') {
      cells.push_back(cell);
      cell.clear();
    } else if (c != '\r') {
      cell += c;
    }
  }
  cells.push_back(cell);
  return cells;
}

/// One cell: blanks, empty and `nan` are no value; anything else must be a whole number as strtod reads it.
std::optional<double> parse_cell(const std::string& raw, const std::string& file, int line, const std::string& column) {
  const auto b = raw.find_first_not_of(" \t");
  if (b == std::string::npos) return std::nullopt;
  const std::string s = raw.substr(b, raw.find_last_not_of(" \t") - b + 1);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size())
    fail(file, "line " + std::to_string(line) + ": " + column, "expected a number, found " + quote(s));
  if (std::isnan(v)) return std::nullopt;
  return v;
}

std::string csv_line(const MetricsRow& row, const std::vector<std::string>& columns) {
  std::string line = std::to_string(row.step);
  for (const auto& c : columns) {
    line += ',';
    const double v = MetricsLog::value(row, c);
    if (!std::isnan(v)) line += format_metric(v);
  }
  line += '\n';
  return line;
}

/// An HDF5 id closed by `close` at scope exit.
struct H5Id {
  hid_t id;
  herr_t (*close)(hid_t);
  ~H5Id() {
    if (id >= 0) close(id);
  }
};

}  // namespace

std::string format_metric(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  return fmt::format("{}", value);
}

double MetricsLog::value(const MetricsRow& row, const std::string& column) {
  for (const auto& [name, v] : row.values)
    if (name == column) return v;
  return std::numeric_limits<double>::quiet_NaN();
}

MetricsCsv MetricsLog::read_csv_table(const std::filesystem::path& path) {
  const std::string text = read_file(path);
  const std::string file = path.string();
  MetricsCsv csv;
  std::size_t start = 0;
  int line_no = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    if (end == std::string::npos) break;  // a line cut short by a crash
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto cells = split_csv_line(line);
    if (!csv.has_header) {
      if (cells[0] != "step") fail(file, "line 1", "expected a header starting with 'step', found " + quote(line));
      csv.has_header = true;
      csv.columns.assign(cells.begin() + 1, cells.end());
      continue;
    }
    if (cells.size() != csv.columns.size() + 1)
      fail(file, "line " + std::to_string(line_no),
           "expected " + std::to_string(csv.columns.size() + 1) + " cells, found " + std::to_string(cells.size()));
    MetricsRow row;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      const std::string& column = i == 0 ? std::string("step") : csv.columns[i - 1];
      const auto value = parse_cell(cells[i], file, line_no, column);
      if (i == 0) {
        if (!value || *value != std::floor(*value)) fail(file, "line " + std::to_string(line_no) + ": step", "expected an integer step");
        row.step = static_cast<std::int64_t>(*value);
      } else if (value) {
        row.values.emplace_back(column, *value);
      }
    }
    csv.rows.push_back(std::move(row));
  }
  return csv;
}

MetricsLog::MetricsLog(std::filesystem::path dir, std::int64_t resume_step) : dir_(std::move(dir)) {
  std::filesystem::create_directories(dir_);
  const auto csv = dir_ / "metrics.csv";
  if (resume_step >= 0 && std::filesystem::exists(csv)) {
    for (auto& row : read_csv(csv)) {
      if (row.step > resume_step) continue;
      for (const auto& [name, v] : row.values)
        if (std::find(columns_.begin(), columns_.end(), name) == columns_.end()) columns_.push_back(name);
      rows_.push_back(std::move(row));
    }
  }
  rewrite_csv();
}

void MetricsLog::rewrite_csv() const {
  std::string text = "step";
  for (const auto& c : columns_) text += "," + c;
  text += '\n';
  for (const auto& r : rows_) text += csv_line(r, columns_);
  write_file_atomic(dir_ / "metrics.csv", text);
}

void MetricsLog::append(const MetricsRow& row) {
  bool widened = false;
  for (const auto& [name, v] : row.values) {
    if (name.empty() || name.find_first_of(",\n\"") != std::string::npos)
      fail("<metrics>", name, "metric names must be non-empty and free of commas, quotes and newlines");
    if (std::find(columns_.begin(), columns_.end(), name) == columns_.end()) {
      columns_.push_back(name);
      widened = true;
    }
  }
  rows_.push_back(row);
  if (widened) {
    rewrite_csv();
    return;
  }
  const auto path = dir_ / "metrics.csv";
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << csv_line(row, columns_);
  out.flush();
  if (!out) fail(path.string(), "", "could not append a row");
}

void MetricsLog::write_hdf5() const {
  // HDF5 prints a stack of diagnostics for every failed call; the failure is reported here, in one line.
  static const bool quiet = [] { return H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr) >= 0; }();
  (void)quiet;
  const auto final_path = dir_ / "metrics.h5";
  const auto tmp = dir_ / ".metrics.h5.tmp";
  std::error_code ec;
  try {
    H5Id file{H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose};
    if (file.id < 0) fail(tmp.string(), "", "could not create the HDF5 file");
    H5Id lcpl{H5Pcreate(H5P_LINK_CREATE), H5Pclose};
    H5Pset_create_intermediate_group(lcpl.id, 1);
    const hsize_t n = rows_.size();
    H5Id space{H5Screate_simple(1, &n, nullptr), H5Sclose};
    std::vector<std::int64_t> steps;
    for (const auto& r : rows_) steps.push_back(r.step);
    {
      H5Id ds{H5Dcreate2(file.id, "step", H5T_STD_I64LE, space.id, lcpl.id, H5P_DEFAULT, H5P_DEFAULT), H5Dclose};
      if (ds.id < 0 || H5Dwrite(ds.id, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, steps.data()) < 0)
        fail(tmp.string(), "step", "could not write the dataset");
    }
    for (const auto& c : columns_) {
      std::vector<double> values;
      for (const auto& r : rows_) values.push_back(value(r, c));
      H5Id ds{H5Dcreate2(file.id, c.c_str(), H5T_IEEE_F64LE, space.id, lcpl.id, H5P_DEFAULT, H5P_DEFAULT), H5Dclose};
      if (ds.id < 0 || H5Dwrite(ds.id, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
        fail(tmp.string(), c, "could not write the dataset");
    }
    const herr_t closed = H5Fclose(file.id);  // flushes: where a full disk shows
    file.id = -1;
    if (closed < 0) fail(tmp.string(), "", "could not write the HDF5 file (disk full?)");
  } catch (...) {
    std::filesystem::remove(tmp, ec);  // never renamed over the last good metrics.h5
    throw;
  }
  std::filesystem::rename(tmp, final_path, ec);
  if (ec) fail(final_path.string(), "", "could not rename the temporary file: " + ec.message());
}

}  // namespace vsr
