// AlphaMaze-style text mazes (data/maze.hpp) and the path reward (reward/maze_path.hpp): a hand-drawn maze with its
// routes checked by hand, move parsing, generated mazes that are perfect and solvable, records that round-trip.
#include "vsr/core/error.hpp"
#include "vsr/data/maze.hpp"
#include "vsr/data/records.hpp"
#include "vsr/reward/maze_path.hpp"

#include <gtest/gtest.h>

#include <set>

#include "test_support.hpp"

namespace vsr::data {
namespace {

// A 3 x 3 maze drawn by hand. Cells (r, c) at grid (2r+1, 2c+1). S = (0, 0), E = (2, 2). Passages:
// (0,0)-(0,1), (0,1)-(0,2), (0,2)-(1,2), (1,2)-(1,1), (1,1)-(1,0), (1,0)-(2,0), (2,0)-(2,1), (2,1)-(2,2):
// one snake, so the only simple route is R R D L L D R R.
Maze hand_maze() {
  return Maze{{"#######",
               "#S....#",
               "#####.#",
               "#.....#",
               "#.#####",
               "#....E#",
               "#######"}};
}

TEST(Maze, HandDrawnRoutes) {
  const Maze m = hand_maze();
  EXPECT_FALSE(maze_grid_problem(m.grid).has_value());
  EXPECT_EQ(shortest_route(m), "RRDLLDRR");
  EXPECT_TRUE(solves_maze(m, "RRDLLDRR"));
  EXPECT_TRUE(solves_maze(m, "RLRRDLLDRR"));   // a detour (right, back left) still reaches E
  EXPECT_FALSE(solves_maze(m, "DD"));          // (0,0) -> (1,0) crosses the wall at grid (2,1)
  EXPECT_FALSE(solves_maze(m, "RRDLLDR"));     // stops one cell short
  EXPECT_FALSE(solves_maze(m, "RRDLLDRRR"));   // walks into the border after E
  EXPECT_FALSE(solves_maze(m, "U"));           // leaves the grid
  EXPECT_FALSE(solves_maze(m, ""));
}

TEST(Maze, ParsesMoveAnswers) {
  EXPECT_EQ(parse_moves("RRDLLDRR"), "RRDLLDRR");
  EXPECT_EQ(parse_moves("r, r, d"), "RRD");
  EXPECT_EQ(parse_moves("right right down"), "RRD");
  EXPECT_EQ(parse_moves("Right -> Down -> Left"), "RDL");
  EXPECT_EQ(parse_moves("rd"), "RD");  // letters, not the start of "right"
  EXPECT_FALSE(parse_moves("").has_value());
  EXPECT_FALSE(parse_moves("go right").has_value());
  EXPECT_FALSE(parse_moves("3").has_value());
  EXPECT_FALSE(parse_moves("RRX").has_value());
}

TEST(Maze, GridProblemsAreNamed) {
  EXPECT_EQ(*maze_grid_problem({"###", "#S#"}), "expected an odd number (>= 3) of grid lines, found 2");
  EXPECT_EQ(*maze_grid_problem({"#####", "#S.E#", "####"}), "line 3 has 4 characters, expected 5");
  EXPECT_EQ(*maze_grid_problem({"#####", "#S.x#", "#####"}), "line 2 has \"x\": expected #, ., S or E");
  EXPECT_EQ(*maze_grid_problem({"#####", "#S..#", "#####"}), "expected one S and one E, found 1 and 0");
  EXPECT_EQ(*maze_grid_problem({"#####", "#SE.#", "#####"}), "line 2: S and E must sit on cells (odd line, odd column)");
  EXPECT_EQ(*maze_grid_problem({"#####", "#S.E.", "#####"}), "line 2: the border must be walls (#)");
}

TEST(Maze, GeneratedMazesArePerfectAndSolvable) {
  MazeOptions o;
  o.rows = 4, o.cols = 5;
  std::set<std::vector<std::string>> distinct;
  for (int i = 0; i < 50; ++i) {
    const Maze m = generate_maze(7, i, o);
    ASSERT_FALSE(maze_grid_problem(m.grid).has_value()) << i;
    ASSERT_EQ(m.grid.size(), 9u);
    ASSERT_EQ(m.grid[0].size(), 11u);
    // A spanning tree over 20 cells opens exactly 19 passages (wall positions between two cells).
    int passages = 0;
    for (std::size_t y = 1; y + 1 < m.grid.size(); ++y)
      for (std::size_t x = 1; x + 1 < m.grid[y].size(); ++x)
        if ((y % 2) != (x % 2) && m.grid[y][x] == '.') ++passages;
    EXPECT_EQ(passages, 19) << i;
    const std::string route = shortest_route(m);
    EXPECT_FALSE(route.empty()) << i;
    EXPECT_TRUE(solves_maze(m, route)) << i;
    distinct.insert(m.grid);
  }
  EXPECT_GT(distinct.size(), 45u);
  EXPECT_EQ(generate_maze(7, 3, o).grid, generate_maze(7, 3, o).grid);  // seeded: the same maze again
  EXPECT_NE(generate_maze(7, 3, o).grid, generate_maze(8, 3, o).grid);
  o.random_ends = false;
  const Maze fixed = generate_maze(1, 0, o);
  EXPECT_EQ(fixed.grid[1][1], 'S');
  EXPECT_EQ(fixed.grid[7][9], 'E');
  o.rows = 0;
  EXPECT_THROW(generate_maze(1, 0, o), Error);
}

TEST(Maze, RecordsRoundTripAndTheRewardReadsThem) {
  const Sample s = maze_sample(hand_maze(), "m1");
  EXPECT_EQ(s.ground_truth, "RRDLLDRR");
  EXPECT_EQ(s.answer_type, "text");
  EXPECT_TRUE(is_text_only(s));
  EXPECT_NE(s.question.find("#S....#\n"), std::string::npos);
  const auto file = test::temp_dir("maze_records") / "m.jsonl";
  write_samples(file, {s});
  const auto back = read_samples(file);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(sample_to_json(back[0]), sample_to_json(s));
  EXPECT_TRUE(is_text_only(back[0]));
  EXPECT_EQ(maze_of(back[0]).grid, hand_maze().grid);

  const reward::MazePath path;
  auto score = [&](std::optional<std::string> answer) {
    reward::Completion c;
    c.answer = std::move(answer);
    return path(back[0], c);
  };
  EXPECT_EQ(score("R R D L L D R R"), 1.0);
  EXPECT_EQ(score("RLRRDLLDRR"), 1.0);  // not the shortest, still a route
  EXPECT_EQ(score("RRDLLDR"), 0.0);
  EXPECT_EQ(score("the exit is down"), 0.0);
  EXPECT_EQ(score(std::nullopt), 0.0);
  Sample no_maze = s;
  no_maze.meta = nlohmann::json::object();
  reward::Completion c;
  c.answer = "RR";
  try {
    (void)path(no_maze, c);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("meta.maze"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace vsr::data
