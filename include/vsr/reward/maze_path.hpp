#pragma once
/// @file
/// AlphaMaze's path reward (Dao & Vu 2025, arXiv 2502.14669): a route scores 1 when its moves lead from S to E
/// through open cells, whatever route it takes; 0 when it crosses a wall, leaves the grid, stops short or is no
/// move sequence at all. The maze comes from the record (meta.maze, data/maze.hpp), so any task source whose
/// records carry a grid can use it.

#include "vsr/data/maze.hpp"
#include "vsr/data/sample.hpp"
#include "vsr/reward/completion.hpp"

#include <string_view>

namespace vsr::reward {

/// 1 for a route that solves the record's maze, else 0 (0 too when the prompt mode extracted no answer).
struct MazePath {
  static constexpr std::string_view kName = "maze_path";  ///< the reward's name in metrics.csv
  /// The reward of one completion; vsr::Error when the record holds no maze (meta.maze).
  double operator()(const data::Sample& s, const Completion& c) const {
    if (!c.answer) return 0.0;
    const auto moves = data::parse_moves(*c.answer);
    return moves && data::solves_maze(data::maze_of(s), *moves) ? 1.0 : 0.0;
  }
};

}  // namespace vsr::reward
