#pragma once
/// @file
/// A text-only task source: AlphaMaze's mazes (Dao & Vu 2025, arXiv 2502.14669, "AlphaMaze: Enhancing Large
/// Language Models' Spatial Intelligence via GRPO"), rendered as a character grid, answered by a move sequence. It
/// shows that a task source need not be a video: the records are the generic QA format (docs/data.md) with neither
/// video nor images, and the path reward (reward::MazePath) checks any route, not one string.
///
/// Grid: a maze of R x C cells is (2R+1) lines of (2C+1) characters; cell (r, c) sits at line 2r+1, column 2c+1;
/// `#` is a wall, `.` an open cell or passage, `S` the start cell, `E` the goal cell. Moves: U, D, L, R, one cell
/// each (through an open passage).

#include "vsr/core/config.hpp"
#include "vsr/data/sample.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vsr::data {

/// Options of `vsr data maze` (section [maze]).
struct MazeOptions {
  static constexpr std::string_view kSection = "maze";  ///< the config section
  int rows = 3;             ///< cells per column
  int cols = 3;             ///< cells per row
  bool random_ends = true;  ///< start and goal at random distinct cells (false: top-left to bottom-right)

  /// Declares the keys of [maze].
  void describe(OptionSet& set);
  /// Throws vsr::Error for sizes under 1x2 or over 20x20.
  void validate() const;
};

/// One maze: its character grid (see the file comment).
struct Maze {
  std::vector<std::string> grid;  ///< (2R+1) lines of (2C+1) characters
};

/// A perfect maze (one simple path between any two cells: a random depth-first spanning tree over the cells,
/// SplitMix64-seeded, so the same `seed` and `index` give the same maze on every platform).
Maze generate_maze(std::uint64_t seed, std::int64_t index, const MazeOptions& options);

/// Checks a grid and returns its problem ("line 3 has 6 characters, expected 7", "no S", ...), or nullopt when it is
/// a well-formed maze grid.
std::optional<std::string> maze_grid_problem(const std::vector<std::string>& grid);

/// The moves read from an answer: U/D/L/R letters or the words up/down/left/right (any case), separated by nothing,
/// spaces, commas or arrows; nullopt when anything else is there (an answer that is not a move sequence).
std::optional<std::string> parse_moves(std::string_view answer);

/// Whether `moves` (U/D/L/R) lead from S to E through open cells, ending on E (a route may wander; it must not cross
/// a wall or leave the grid).
bool solves_maze(const Maze& maze, std::string_view moves);

/// The shortest (in a perfect maze: the only simple) route from S to E, as U/D/L/R letters.
std::string shortest_route(const Maze& maze);

/// A training or evaluation record for `maze` in the generic QA format: task "maze", answer_type "text", no video,
/// the grid in the question text and in meta.maze, the shortest route as the answer.
Sample maze_sample(const Maze& maze, std::string id);

/// The maze a record holds (meta.maze); vsr::Error naming the record when it holds none or a malformed one.
Maze maze_of(const Sample& sample);

}  // namespace vsr::data
