#pragma once
/// @file
/// The per-step metrics of a training run, one row per optimizer step: `metrics.csv` (appended as steps finish,
/// readable by pandas) and `metrics.h5` (one float64 dataset per column plus an int64 `step` dataset, readable by
/// h5py; rewritten atomically at checkpoints and at the end). On resume the rows after the checkpoint are dropped,
/// so the log of a resumed run equals that of an uninterrupted one.

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace vsr {

/// One row: the step and its (column, value) pairs. NaN means "no value" (an empty CSV cell).
struct MetricsRow {
  std::int64_t step = 0;                               ///< optimizer step (1-based)
  std::vector<std::pair<std::string, double>> values;  ///< column name -> value
};

/// A metrics.csv as read back: its columns (header order, without `step`) and its rows.
struct MetricsCsv {
  bool has_header = false;           ///< false for an empty file
  std::vector<std::string> columns;  ///< the header after `step`
  std::vector<MetricsRow> rows;      ///< one per complete data line
};

/// The metrics log of one run folder.
class MetricsLog {
 public:
  /// Opens `dir`/metrics.csv. `resume_step` < 0 starts a new log (existing files are replaced); otherwise rows with
  /// step > resume_step, and a last line cut short by a crash, are dropped from the existing CSV.
  explicit MetricsLog(std::filesystem::path dir, std::int64_t resume_step = -1);
  /// Appends one row (columns in first-seen order; a new column rewrites the CSV with the wider header).
  void append(const MetricsRow& row);
  /// Writes every row to `dir`/metrics.h5 through a temporary file and a rename.
  void write_hdf5() const;
  /// The columns, in order (without `step`).
  const std::vector<std::string>& columns() const { return columns_; }
  /// Every row so far.
  const std::vector<MetricsRow>& rows() const { return rows_; }
  /// Reads a metrics.csv (header `step,<columns>`; empty cells, blanks and `nan` are no value). vsr::Error naming the
  /// file, line and column on a malformed row; a last line without its newline is ignored (a crash mid-write).
  static MetricsCsv read_csv_table(const std::filesystem::path& path);
  /// The rows of read_csv_table.
  static std::vector<MetricsRow> read_csv(const std::filesystem::path& path) { return read_csv_table(path).rows; }
  /// The value of `column` in `row`, NaN when absent.
  static double value(const MetricsRow& row, const std::string& column);

 private:
  void rewrite_csv() const;
  std::filesystem::path dir_;
  std::vector<std::string> columns_;
  std::vector<MetricsRow> rows_;
};

/// Formats a metric value for the CSV: shortest text that round-trips a double, "nan"/"inf" spelled as pandas reads
/// them; NaN is written as an empty cell by MetricsLog.
std::string format_metric(double value);

}  // namespace vsr
