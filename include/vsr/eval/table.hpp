#pragma once
/// @file
/// VSI-Bench result tables in the column order of the vsGRPO paper (arXiv 2504.00883, Tables 1-2, which follow
/// VSI-Bench's Table 1): Avg., then the eight task columns. Values come from an aggregate (eval::aggregate, x100).

#include <nlohmann/json.hpp>

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace vsr::eval {

/// One column of a VSI-Bench table: its heading and the aggregate key prefix it reads.
struct TableColumn {
  std::string_view heading;  ///< e.g. "Obj. Count"
  std::string_view key;      ///< the aggregate key without its metric suffix, e.g. "object_counting"; "overall" = Avg.
};

/// The paper's columns: Avg., Obj. Count, Abs. Dist., Obj. Size, Room Size, Rel. Dist., Rel. Dir., Route Plan,
/// Appr. Order.
inline constexpr std::array<TableColumn, 9> kVsiColumns = {{{"Avg.", "overall"},
                                                           {"Obj. Count", "object_counting"},
                                                           {"Abs. Dist.", "object_abs_distance"},
                                                           {"Obj. Size", "object_size_estimation"},
                                                           {"Room Size", "room_size_estimation"},
                                                           {"Rel. Dist.", "object_rel_distance"},
                                                           {"Rel. Dir.", "object_rel_direction"},
                                                           {"Route Plan", "route_planning"},
                                                           {"Appr. Order", "obj_appearance_order"}}};

/// The cells of one result row in kVsiColumns order: each value of `aggregate` (key "overall" or
/// "<key>_<metric>") printed with one decimal ("35.4"), "-" where the aggregate has no such key.
std::vector<std::string> vsi_row(const nlohmann::json& aggregate);

/// A table as Markdown (`| a | b |`, a `| --- |` rule under the heading, numbers right-aligned).
std::string markdown_table(const std::vector<std::string>& headings, const std::vector<std::vector<std::string>>& rows);

/// A table as plain text: columns padded to their widest cell, two spaces apart, a dashed rule under the heading.
std::string plain_table(const std::vector<std::string>& headings, const std::vector<std::vector<std::string>>& rows);

/// The headings of kVsiColumns.
std::vector<std::string> vsi_headings();

}  // namespace vsr::eval
