// AlphaMaze-style text mazes: generation, parsing of move answers, route checking, records.
#include "vsr/data/maze.hpp"

#include "vsr/core/error.hpp"
#include "vsr/core/splitmix64.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <deque>
#include <utility>

namespace vsr::data {

namespace {

struct Cell {
  int r = 0, c = 0;
};

/// The grid position of the S or E cell.
std::optional<Cell> find_char(const std::vector<std::string>& grid, char ch) {
  for (std::size_t y = 0; y < grid.size(); ++y)
    for (std::size_t x = 0; x < grid[y].size(); ++x)
      if (grid[y][x] == ch) return Cell{static_cast<int>(y), static_cast<int>(x)};
  return std::nullopt;
}

constexpr std::array<std::pair<char, std::array<int, 2>>, 4> kMoves{
    {{'U', {-1, 0}}, {'D', {1, 0}}, {'L', {0, -1}}, {'R', {0, 1}}}};

std::array<int, 2> step_of(char move) {
  for (const auto& [m, d] : kMoves)
    if (m == move) return d;
  return {0, 0};
}

}  // namespace

void MazeOptions::describe(OptionSet& set) {
  set.add("rows", rows, "maze cells per column")
      .add("cols", cols, "maze cells per row")
      .add("random_ends", random_ends, "start and goal at random cells (false: top-left to bottom-right)");
}

void MazeOptions::validate() const {
  if (rows < 1 || cols < 1 || rows * cols < 2 || rows > 20 || cols > 20)
    fail("[maze]", "maze.rows", "expected 1..20 rows and 1..20 columns with at least 2 cells, found " +
                                    std::to_string(rows) + "x" + std::to_string(cols));
}

Maze generate_maze(std::uint64_t seed, std::int64_t index, const MazeOptions& o) {
  o.validate();
  std::uint64_t state = seed * 0x100000001B3ull + static_cast<std::uint64_t>(index) * 0x9E3779B97F4A7C15ull + 0x5A17;
  auto below = [&state](std::uint64_t n) { return splitmix64(state) % n; };
  Maze maze;
  maze.grid.assign(static_cast<std::size_t>(2 * o.rows + 1), std::string(static_cast<std::size_t>(2 * o.cols + 1), '#'));
  std::vector<char> seen(static_cast<std::size_t>(o.rows * o.cols), 0);
  std::vector<Cell> stack{{static_cast<int>(below(static_cast<std::uint64_t>(o.rows))),
                           static_cast<int>(below(static_cast<std::uint64_t>(o.cols)))}};
  seen[static_cast<std::size_t>(stack[0].r * o.cols + stack[0].c)] = 1;
  maze.grid[static_cast<std::size_t>(2 * stack[0].r + 1)][static_cast<std::size_t>(2 * stack[0].c + 1)] = '.';
  while (!stack.empty()) {
    const Cell at = stack.back();
    std::vector<Cell> next;
    for (const auto& [m, d] : kMoves) {
      const Cell n{at.r + d[0], at.c + d[1]};
      if (n.r >= 0 && n.r < o.rows && n.c >= 0 && n.c < o.cols && !seen[static_cast<std::size_t>(n.r * o.cols + n.c)])
        next.push_back(n);
    }
    if (next.empty()) {
      stack.pop_back();
      continue;
    }
    const Cell n = next[below(next.size())];
    seen[static_cast<std::size_t>(n.r * o.cols + n.c)] = 1;
    maze.grid[static_cast<std::size_t>(at.r + n.r + 1)][static_cast<std::size_t>(at.c + n.c + 1)] = '.';
    maze.grid[static_cast<std::size_t>(2 * n.r + 1)][static_cast<std::size_t>(2 * n.c + 1)] = '.';
    stack.push_back(n);
  }
  const auto cells = static_cast<std::uint64_t>(o.rows * o.cols);
  std::uint64_t start = 0, goal = cells - 1;
  if (o.random_ends) {
    start = below(cells);
    goal = (start + 1 + below(cells - 1)) % cells;
  }
  auto mark = [&](std::uint64_t cell, char ch) {
    const auto r = static_cast<int>(cell / static_cast<std::uint64_t>(o.cols));
    const auto c = static_cast<int>(cell % static_cast<std::uint64_t>(o.cols));
    maze.grid[static_cast<std::size_t>(2 * r + 1)][static_cast<std::size_t>(2 * c + 1)] = ch;
  };
  mark(start, 'S');
  mark(goal, 'E');
  return maze;
}

std::optional<std::string> maze_grid_problem(const std::vector<std::string>& grid) {
  if (grid.size() < 3 || grid.size() % 2 == 0)
    return "expected an odd number (>= 3) of grid lines, found " + std::to_string(grid.size());
  const std::size_t width = grid[0].size();
  if (width < 3 || width % 2 == 0)
    return "expected an odd line length (>= 3), found " + std::to_string(width);
  int starts = 0, goals = 0;
  for (std::size_t y = 0; y < grid.size(); ++y) {
    if (grid[y].size() != width)
      return "line " + std::to_string(y + 1) + " has " + std::to_string(grid[y].size()) + " characters, expected " +
             std::to_string(width);
    for (std::size_t x = 0; x < width; ++x) {
      const char ch = grid[y][x];
      if (ch != '#' && ch != '.' && ch != 'S' && ch != 'E')
        return "line " + std::to_string(y + 1) + " has " + quote(std::string(1, ch)) + ": expected #, ., S or E";
      const bool border = y == 0 || x == 0 || y + 1 == grid.size() || x + 1 == width;
      if (border && ch != '#') return "line " + std::to_string(y + 1) + ": the border must be walls (#)";
      if ((ch == 'S' || ch == 'E') && (y % 2 == 0 || x % 2 == 0))
        return "line " + std::to_string(y + 1) + ": S and E must sit on cells (odd line, odd column)";
      starts += ch == 'S';
      goals += ch == 'E';
    }
  }
  if (starts != 1 || goals != 1)
    return "expected one S and one E, found " + std::to_string(starts) + " and " + std::to_string(goals);
  return std::nullopt;
}

std::optional<std::string> parse_moves(std::string_view answer) {
  std::string moves;
  std::size_t i = 0;
  auto lower = [](char ch) { return static_cast<char>(std::tolower(static_cast<unsigned char>(ch))); };
  while (i < answer.size()) {
    const char ch = answer[i];
    if (std::isspace(static_cast<unsigned char>(ch)) || ch == ',' || ch == ';' || ch == '>' || ch == '-') {
      ++i;
      continue;
    }
    bool word = false;
    for (std::string_view w : {"up", "down", "left", "right"}) {
      if (answer.size() - i >= w.size()) {
        bool same = true;
        for (std::size_t k = 0; k < w.size(); ++k) same = same && lower(answer[i + k]) == w[k];
        // A whole word only: "rd" is R then D, "right" is R.
        const bool ends = i + w.size() == answer.size() || !std::isalpha(static_cast<unsigned char>(answer[i + w.size()]));
        if (same && ends) {
          moves += static_cast<char>(std::toupper(static_cast<unsigned char>(w[0])));
          i += w.size();
          word = true;
          break;
        }
      }
    }
    if (word) continue;
    const char up = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (up != 'U' && up != 'D' && up != 'L' && up != 'R') return std::nullopt;
    moves += up;
    ++i;
  }
  if (moves.empty()) return std::nullopt;
  return moves;
}

bool solves_maze(const Maze& maze, std::string_view moves) {
  const auto start = find_char(maze.grid, 'S');
  if (!start) return false;
  Cell at = *start;
  for (const char m : moves) {
    const auto d = step_of(m);
    if (d[0] == 0 && d[1] == 0) return false;
    const int wy = at.r + d[0], wx = at.c + d[1];
    if (wy <= 0 || wx <= 0 || wy + 1 >= static_cast<int>(maze.grid.size()) ||
        wx + 1 >= static_cast<int>(maze.grid[static_cast<std::size_t>(wy)].size()))
      return false;
    if (maze.grid[static_cast<std::size_t>(wy)][static_cast<std::size_t>(wx)] == '#') return false;
    at = {at.r + 2 * d[0], at.c + 2 * d[1]};
  }
  return maze.grid[static_cast<std::size_t>(at.r)][static_cast<std::size_t>(at.c)] == 'E';
}

std::string shortest_route(const Maze& maze) {
  const auto start = find_char(maze.grid, 'S');
  if (!start) return "";
  const auto h = maze.grid.size(), w = maze.grid[0].size();
  std::vector<int> from(h * w, -1);  // the move index that reached a cell
  std::deque<Cell> queue{*start};
  from[static_cast<std::size_t>(start->r) * w + static_cast<std::size_t>(start->c)] = 4;
  while (!queue.empty()) {
    const Cell at = queue.front();
    queue.pop_front();
    if (maze.grid[static_cast<std::size_t>(at.r)][static_cast<std::size_t>(at.c)] == 'E') {
      std::string route;
      Cell back = at;
      while (from[static_cast<std::size_t>(back.r) * w + static_cast<std::size_t>(back.c)] != 4) {
        const int k = from[static_cast<std::size_t>(back.r) * w + static_cast<std::size_t>(back.c)];
        route += kMoves[static_cast<std::size_t>(k)].first;
        back = {back.r - 2 * kMoves[static_cast<std::size_t>(k)].second[0],
                back.c - 2 * kMoves[static_cast<std::size_t>(k)].second[1]};
      }
      std::reverse(route.begin(), route.end());
      return route;
    }
    for (std::size_t k = 0; k < kMoves.size(); ++k) {
      const auto d = kMoves[k].second;
      const int wy = at.r + d[0], wx = at.c + d[1], ny = at.r + 2 * d[0], nx = at.c + 2 * d[1];
      if (ny <= 0 || nx <= 0 || ny >= static_cast<int>(h) || nx >= static_cast<int>(w)) continue;
      if (maze.grid[static_cast<std::size_t>(wy)][static_cast<std::size_t>(wx)] == '#') continue;
      int& seen = from[static_cast<std::size_t>(ny) * w + static_cast<std::size_t>(nx)];
      if (seen != -1) continue;
      seen = static_cast<int>(k);
      queue.push_back({ny, nx});
    }
  }
  return "";
}

Sample maze_sample(const Maze& maze, std::string id) {
  Sample s;
  s.id = std::move(id);
  s.dataset = "maze";
  s.question_type = "maze";
  s.answer_type = "text";
  std::string grid;
  for (const auto& line : maze.grid) grid += line + "\n";
  s.question = "This is a maze: # is a wall, . is open, S is the start, E is the exit.\n" + grid +
               "Which moves lead from S to E? Each move (U up, D down, L left, R right) goes one cell.";
  s.ground_truth = shortest_route(maze);
  s.meta = nlohmann::json{{"maze", maze.grid}};
  return s;
}

Maze maze_of(const Sample& s) {
  const std::string origin = "<record " + quote(s.id) + ">";
  if (!s.meta.contains("maze") || !s.meta["maze"].is_array())
    fail(origin, "meta.maze", "expected the maze grid as an array of strings (vsr data maze writes it)");
  Maze maze;
  for (const auto& line : s.meta["maze"]) {
    if (!line.is_string()) fail(origin, "meta.maze", "expected strings, found " + quote(line.dump()));
    maze.grid.push_back(line.get<std::string>());
  }
  if (const auto problem = maze_grid_problem(maze.grid)) fail(origin, "meta.maze", *problem);
  return maze;
}

}  // namespace vsr::data
