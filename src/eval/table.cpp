// VSI-Bench result tables in the paper's column order, as Markdown and plain text.
#include "vsr/eval/table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace vsr::eval {

namespace {

/// The aggregate value of column `key`: "overall" itself, else the first key "<key>_<metric>".
const nlohmann::json* find_value(const nlohmann::json& aggregate, std::string_view key) {
  if (!aggregate.is_object()) return nullptr;
  if (key == "overall") {
    const auto it = aggregate.find("overall");
    return it != aggregate.end() && it->is_number() ? &*it : nullptr;
  }
  const std::string prefix = std::string(key) + "_";
  for (auto it = aggregate.begin(); it != aggregate.end(); ++it) {
    if (!it->is_number() || it.key().rfind(prefix, 0) != 0) continue;
    const std::string rest = it.key().substr(prefix.size());
    if (rest == "accuracy" || rest.rfind("MRA", 0) == 0) return &*it;
  }
  return nullptr;
}

/// A number ("35.4", "-2", "+1.5", ".5"); "-" alone is a missing value, not a number.
bool number_cell(const std::string& s) {
  const std::size_t i = s.size() > 1 && (s[0] == '-' || s[0] == '+') ? 1 : 0;
  return i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.');
}

}  // namespace

std::vector<std::string> vsi_row(const nlohmann::json& aggregate) {
  std::vector<std::string> row;
  for (const auto& c : kVsiColumns) {
    const auto* v = find_value(aggregate, c.key);
    row.push_back(v ? fmt::format("{:.1f}", v->get<double>()) : "-");
  }
  return row;
}

std::vector<std::string> vsi_headings() {
  std::vector<std::string> h;
  for (const auto& c : kVsiColumns) h.emplace_back(c.heading);
  return h;
}

std::string markdown_table(const std::vector<std::string>& headings, const std::vector<std::vector<std::string>>& rows) {
  std::string out = "|";
  for (const auto& h : headings) out += " " + h + " |";
  out += "\n|";
  for (std::size_t i = 0; i < headings.size(); ++i) {
    // Right-aligned when every cell is a number or "-" and at least one is a number.
    const bool numeric =
        std::all_of(rows.begin(), rows.end(), [i](const auto& r) { return i < r.size() && (r[i] == "-" || number_cell(r[i])); }) &&
        std::any_of(rows.begin(), rows.end(), [i](const auto& r) { return number_cell(r[i]); });
    out += numeric ? " ---: |" : " --- |";
  }
  out += "\n";
  for (const auto& r : rows) {
    out += "|";
    for (const auto& cell : r) out += " " + cell + " |";
    out += "\n";
  }
  return out;
}

std::string plain_table(const std::vector<std::string>& headings, const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width(headings.size(), 0);
  auto measure = [&](const std::vector<std::string>& r) {
    for (std::size_t i = 0; i < r.size() && i < width.size(); ++i) width[i] = std::max(width[i], r[i].size());
  };
  measure(headings);
  for (const auto& r : rows) measure(r);
  auto line = [&](const std::vector<std::string>& r) {
    std::string s;
    for (std::size_t i = 0; i < width.size(); ++i) {
      const std::string cell = i < r.size() ? r[i] : "";
      if (i) s += "  ";
      s += i == 0 ? fmt::format("{:<{}}", cell, width[i]) : fmt::format("{:>{}}", cell, width[i]);
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s + "\n";
  };
  std::string out = line(headings);
  std::size_t total = 0;
  for (std::size_t i = 0; i < width.size(); ++i) total += width[i] + (i ? 2 : 0);
  out += std::string(total, '-') + "\n";
  for (const auto& r : rows) out += line(r);
  return out;
}

}  // namespace vsr::eval
