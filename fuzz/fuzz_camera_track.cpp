// libFuzzer target: camera tracks (video::read_camera_track, the synthetic-scene and camera-to-world JSON forms)
// and the space-aware choice on what they give (space_aware_indices), and maze grids (data::maze_grid_problem, the
// routes of a well-formed grid), from the same bytes. Invariants: every frame read has a finite position, a unit
// forward and a field of view in (0, 180); the choice is n distinct sorted indices in range; a well-formed grid's
// shortest route, when there is one, solves it.
#include "fuzz_support.hpp"
#include "vsr/data/maze.hpp"
#include "vsr/video/space_aware_sampling.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace vsr;
  const std::string text(fuzz::as_text(data, size));
  const auto file = fuzz::write_bytes(fuzz::scratch_dir() / "camera.json", text);
  fuzz::expect_vsr_errors([&] {
    const auto track = video::read_camera_track(file);
    for (const auto& f : track) {
      fuzz::check(std::isfinite(f.position[0]) && std::isfinite(f.position[1]) && std::isfinite(f.position[2]),
                  "position not finite");
      const double norm = std::hypot(f.forward[0], f.forward[1], f.forward[2]);
      fuzz::check(std::abs(norm - 1.0) < 1e-6, "forward not a unit vector");
      fuzz::check(f.hfov_deg > 0 && f.hfov_deg < 180, "field of view outside (0, 180)");
    }
    double extent = 0.0;  // the choice's grid grows with the positions' spread: keep it small
    for (const auto& f : track)
      for (int d = 0; d < 2; ++d) extent = std::max(extent, std::abs(f.position[d] - track.front().position[d]));
    if (track.size() >= 2 && track.size() <= 64 && extent < 100.0) {
      video::CoverageOptions coverage;
      coverage.cell_m = 0.5;  // a coarse grid: the fuzzer's positions may span kilometres
      fuzz::expect_vsr_errors([&] {
        const auto picked = video::space_aware_indices(track, 2, coverage);
        fuzz::check(picked.size() == 2 && picked[0] < picked[1] && picked[1] < static_cast<std::int64_t>(track.size()),
                    "space-aware choice not 2 distinct sorted indices");
      });
    }
  });
  std::vector<std::string> grid;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line) && grid.size() < 64;) grid.push_back(line);
  if (!data::maze_grid_problem(grid)) {
    const data::Maze maze{grid};
    const std::string route = data::shortest_route(maze);
    if (!route.empty()) fuzz::check(data::solves_maze(maze, route), "shortest route does not solve the maze");
    if (const auto moves = data::parse_moves(text)) (void)data::solves_maze(maze, *moves);
  }
  return 0;
}
