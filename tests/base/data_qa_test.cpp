// Question builder on the hand-made scene of data_test_scenes.hpp: every task against hand-computed answers.
#include "data_test_scenes.hpp"
#include "test_support.hpp"
#include "vsr/data/qa.hpp"
#include "vsr/data/records.hpp"
#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

using namespace vsr;
using namespace vsr::data;

namespace {

const Scene& test_scene() {
  static const Scene scene = [] {
    const auto dir = test::temp_dir("qa_scene") / "scene0001_00";
    write_scannet_scene(dir, "scene0001_00", test::make_test_scene(true));
    return load_scannet_scene(dir);
  }();
  return scene;
}

std::vector<Sample> all_of(const std::string& type, QaOptions o = {}) {
  o.max_per_task_per_scene = 0;
  o.tasks = type;
  return generate_scene_questions(test_scene(), o);
}

std::vector<std::string> cats(const Sample& s) { return s.meta["categories"].get<std::vector<std::string>>(); }

const Sample* find(const std::vector<Sample>& v, const std::vector<std::string>& categories) {
  for (const auto& s : v)
    if (cats(s) == categories) return &s;
  return nullptr;
}

}  // namespace

TEST(Qa, CountingUsesCategoriesWithSeveralInstances) {
  const auto v = all_of("object_counting");
  ASSERT_EQ(v.size(), 1u);  // only chair has >= 2 instances ("Chair " normalises to chair); walls are structural
  EXPECT_EQ(v[0].question, "How many chair(s) are in this room?");
  EXPECT_EQ(v[0].ground_truth, "3");
  EXPECT_TRUE(v[0].options.empty());
  EXPECT_EQ(v[0].video, std::filesystem::path("videos/scannet/scene0001_00.mp4"));
}

TEST(Qa, SizeIsTheLongestBoxSideInCentimetres) {
  const auto v = all_of("object_size_estimation");
  EXPECT_EQ(v.size(), 5u);  // table, sofa, lamp, cabinet, tv
  const std::map<std::string, std::string> expected{
      {"table", "160"}, {"sofa", "200"}, {"lamp", "150"}, {"cabinet", "100"}, {"tv", "90"}};
  for (const auto& s : v) EXPECT_EQ(s.ground_truth, expected.at(cats(s)[0])) << s.question;
  EXPECT_EQ(v[0].question.rfind("What is the length of the longest dimension (length, width, or height) of the ", 0), 0u);
}

TEST(Qa, AbsoluteDistanceBetweenCentresAndClosestPoints) {
  const auto v = all_of("object_abs_distance");
  EXPECT_EQ(v.size(), 10u);  // C(5, 2)
  auto get = [&](const std::vector<Sample>& list, const std::string& a, const std::string& b) {
    const Sample* s = find(list, {a, b});
    if (!s) s = find(list, {b, a});
    EXPECT_NE(s, nullptr) << a << " " << b;
    return s ? s->ground_truth : std::string();
  };
  // Centres: table (2.8, 1.9, 0.375), sofa (4.5, 3.0, 0.4): sqrt(1.7^2 + 1.1^2 + 0.025^2) = 2.0250 -> 2.0.
  EXPECT_EQ(get(v, "table", "sofa"), "2.0");
  // lamp (4.5, 3.8, 0.75) and sofa: sqrt(0.8^2 + 0.35^2) = 0.873 -> 0.9.
  EXPECT_EQ(get(v, "lamp", "sofa"), "0.9");
  QaOptions o;
  o.abs_distance_closest_point = true;
  const auto w = all_of("object_abs_distance", o);
  // Closest points: lamp 0.25 m from the sofa, cabinet 0.05 m -> 0.1.
  EXPECT_EQ(get(w, "lamp", "sofa"), "0.3");  // 0.25 in float geometry is 0.2500x -> 0.3 (half away from zero)
  EXPECT_EQ(get(w, "cabinet", "sofa"), "0.1");
  EXPECT_EQ(v[0].question.rfind("Measuring from the closest point of each object, what is the direct distance between the ", 0),
            0u);
}

TEST(Qa, RoomSizeIsTheAlphaShapeAreaOfTheLShapedFloor) {
  const auto v = all_of("room_size_estimation");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].ground_truth, "33.0");  // 6 x 4 + 3 x 3 (+ 0.02 at the concave corner)
  EXPECT_EQ(v[0].question,
            "What is the size of this room (in square meters)? If multiple rooms are shown, estimate the size of the "
            "combined space.");
}

TEST(Qa, RelativeDistanceUsesClosestPointsNotCentres) {
  const auto v = all_of("object_rel_distance");
  ASSERT_FALSE(v.empty());
  int checked = 0;
  for (const auto& s : v) {
    auto c = cats(s);
    const std::string target = c.back();
    c.pop_back();
    ASSERT_EQ(c.size(), 4u);
    EXPECT_NE(std::find(c.begin(), c.end(), s.ground_truth), c.end());
    // The answer is the smallest of the recorded distances, at least 0.15 m below the second.
    std::vector<double> d;
    for (const auto& x : c) d.push_back(s.meta["distances"][x].get<double>());
    std::sort(d.begin(), d.end());
    EXPECT_DOUBLE_EQ(s.meta["distances"][s.ground_truth].get<double>(), d[0]);
    EXPECT_GE(d[1] - d[0], 0.15 - 1e-9);
    if (target == "sofa") {
      if (std::count(c.begin(), c.end(), "lamp")) EXPECT_NEAR(s.meta["distances"]["lamp"].get<double>(), 0.25, 0.002);
      if (std::count(c.begin(), c.end(), "cabinet")) {
        EXPECT_NEAR(s.meta["distances"]["cabinet"].get<double>(), 0.05, 0.002);
        EXPECT_EQ(s.ground_truth, "cabinet");  // centres would say the lamp (0.8 m vs 1.25 m)
        ++checked;
      }
      // Chairs: the nearest instance (5, 1) is 2.6 - 1.25 = 1.35 m away.
      if (std::count(c.begin(), c.end(), "chair")) EXPECT_NEAR(s.meta["distances"]["chair"].get<double>(), 1.35, 0.002);
    }
  }
  EXPECT_GT(checked, 0);
  EXPECT_NE(v[0].question.find("is the closest to the "), std::string::npos);
}

TEST(Qa, RelativeDirectionHandCases) {
  const auto easy = all_of("object_rel_direction_easy");
  const auto medium = all_of("object_rel_direction_medium");
  const auto hard = all_of("object_rel_direction_hard");
  struct Case {
    std::vector<std::string> objs;
    const char *e, *m, *h;  // nullptr: skipped as within 15 degrees of a boundary
  };
  // Angles (counter-clockwise from the facing direction) computed by hand from the centres in data_test_scenes.hpp.
  const Case cases[] = {
      {{"table", "sofa", "tv"}, "left", "left", nullptr},                   // 96.2 deg (near 90)
      {{"table", "sofa", "lamp"}, "left", "left", "front-left"},           // 15.3 deg
      {{"table", "sofa", "cabinet"}, nullptr, nullptr, nullptr},           // 347.5 deg (near 0)
      {{"sofa", "tv", "table"}, "left", "left", "front-left"},             // 42.4 deg
      {{"sofa", "tv", "cabinet"}, nullptr, "back", nullptr},               // 189.5 deg (near 180)
      {{"tv", "table", "lamp"}, "left", "left", "front-left"},             // 56.6 deg
      {{"lamp", "cabinet", "tv"}, "right", nullptr, "back-right"},         // 218.3 deg (near 225)
  };
  for (const auto& c : cases) {
    const Sample* se = find(easy, c.objs);
    const Sample* sm = find(medium, c.objs);
    const Sample* sh = find(hard, c.objs);
    if (c.e) { ASSERT_NE(se, nullptr) << c.objs[2]; EXPECT_EQ(se->ground_truth, c.e); } else EXPECT_EQ(se, nullptr);
    if (c.m) { ASSERT_NE(sm, nullptr) << c.objs[2]; EXPECT_EQ(sm->ground_truth, c.m); } else EXPECT_EQ(sm, nullptr);
    if (c.h) { ASSERT_NE(sh, nullptr) << c.objs[2]; EXPECT_EQ(sh->ground_truth, c.h); } else EXPECT_EQ(sh, nullptr);
  }
  const Sample* s = find(easy, {"table", "sofa", "tv"});
  EXPECT_EQ(s->question, "If I am standing by the table and facing the sofa, is the tv to the left or the right of the sofa?");
  s = find(medium, {"table", "sofa", "tv"});
  EXPECT_EQ(s->question,
            "If I am standing by the table and facing the sofa, is the tv to my left, right, or back?\nAn object is to "
            "my back if I would have to turn at least 135 degrees in order to face it.");
}

TEST(Qa, OptionsAreLetteredAndTheGroundTruthIsALetter) {
  QaOptions o;
  o.with_options = true;
  const auto v = all_of("object_rel_direction_hard", o);
  ASSERT_FALSE(v.empty());
  for (const auto& s : v) {
    ASSERT_EQ(s.options.size(), 4u);
    const int k = s.ground_truth[0] - 'A';
    ASSERT_TRUE(k >= 0 && k < 4);
    EXPECT_EQ(s.options[k], s.ground_truth + ". " + s.meta["answer"].get<std::string>());
  }
  // Numeric tasks keep no options even then.
  EXPECT_TRUE(all_of("object_counting", o)[0].options.empty());
}

TEST(Qa, DeterministicGivenASeedAndCapped) {
  QaOptions o;
  o.max_per_task_per_scene = 2;
  o.seed = 11;
  auto dump = [](const std::vector<Sample>& v) {
    std::string s;
    for (const auto& x : v) s += sample_to_json(x).dump() + "\n";
    return s;
  };
  const auto a = generate_scene_questions(test_scene(), o);
  const auto b = generate_scene_questions(test_scene(), o);
  EXPECT_EQ(dump(a), dump(b));
  for (const auto& [type, n] : count_by_type(a)) EXPECT_LE(n, 2u) << type;
  bool differs = false;
  for (std::uint64_t seed = 12; seed < 20 && !differs; ++seed) {
    o.seed = seed;
    differs = dump(generate_scene_questions(test_scene(), o)) != dump(a);
  }
  EXPECT_TRUE(differs);
  o.max_per_task = 1;
  auto c = a;
  apply_total_caps(c, o);
  for (const auto& [type, n] : count_by_type(c)) EXPECT_EQ(n, 1u) << type;
}

TEST(Qa, AppearanceOrderAndRoutePlanningWithKnownVisibility) {
  // Visibility: object index -> first frame (objects: floor, wall, chair x3, table, sofa, lamp, cabinet, tv).
  Visibility vis{{0, 0, 5, 6, 7, 1, 3, 2, 4, 0}, 8};
  QaOptions o;
  o.max_per_task_per_scene = 0;
  o.tasks = "obj_appearance_order,route_planning";
  const auto v = generate_scene_questions(test_scene(), o, &vis);
  const std::map<std::string, int> first{{"tv", 0}, {"table", 1}, {"lamp", 2}, {"sofa", 3}, {"cabinet", 4}, {"chair", 5}};
  int orders = 0, routes = 0;
  for (const auto& s : v) {
    if (s.question_type == "obj_appearance_order") {
      ++orders;
      auto c = cats(s);
      std::sort(c.begin(), c.end(), [&](auto& x, auto& y) { return first.at(x) < first.at(y); });
      EXPECT_EQ(s.ground_truth, c[0] + ", " + c[1] + ", " + c[2] + ", " + c[3]);
      EXPECT_EQ(s.question.rfind("What will be the first-time appearance order of the following categories in the video: ", 0), 0u);
    } else {
      ++routes;
      EXPECT_NE(s.question.find("You have reached the final destination."), std::string::npos);
    }
  }
  EXPECT_EQ(orders, 15);  // C(6, 4) category sets, all first frames distinct
  // A route by hand: start at the tv (1.5, 3.5) facing the table (2.8, 1.9): heading (1.3, -1.6); go to the lamp
  // (4.5, 3.8): leg (3.0, 0.3), 56.6 deg counter-clockwise -> turn left. The leg tv->lamp passes the sofa's
  // footprint? y at x=3.5..5.5 is 3.7..3.9 > 3.4: clear. The lamp is the destination with no stop: a route needs
  // a stop, so check one with the cabinet as destination: lamp (4.5,3.8) -> cabinet (5.75,3.0): leg (1.25,-0.8),
  // from heading (3.0, 0.3): -38.4 deg -> within 45 +- 15: no route.
  for (const auto& s : v)
    if (s.question_type == "route_planning") {
      const auto c = cats(s);
      EXPECT_FALSE(c[0] == "tv" && c[1] == "table" && c[2] == "lamp" && c.back() == "cabinet" && c.size() == 4);
    }
  EXPECT_GT(routes, 0);
}

TEST(Qa, RoutePlanningHandCases) {
  // Four small objects: bed (0,0), tv (0,2), sink (2,0), desk (2,3); every object visible from frame 0.
  Scene scene;
  scene.name = "route";
  auto add = [&](const char* label, float x, float y) {
    SceneObject o;
    o.label = label;
    for (float dx : {-0.1f, 0.1f})
      for (float dy : {-0.1f, 0.1f})
        for (float z : {0.0f, 0.5f}) o.points.push_back({x + dx, y + dy, z});
    o.box = bounding_box(o.points);
    scene.objects.push_back(o);
  };
  add("bed", 0, 0), add("tv", 0, 2), add("sink", 2, 0), add("desk", 2, 3);
  Visibility vis{{0, 0, 0, 0}, 1};
  QaOptions o;
  o.max_per_task_per_scene = 0;
  o.tasks = "route_planning";
  const auto v = generate_scene_questions(scene, o, &vis);
  // bed facing tv (north) -> sink: -90 deg (right); sink -> desk: +90 deg (left).
  const Sample* a = find(v, {"bed", "tv", "sink", "desk"});
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->ground_truth, "turn right, turn left");
  EXPECT_EQ(a->question,
            "You are a robot beginning at the bed facing the tv. You want to navigate to the desk. You will perform the "
            "following actions (Note: for each [please fill in], choose either 'turn back,' 'turn left,' or 'turn "
            "right.'): 1. [please fill in] 2. Go forward until the sink. 3. [please fill in] 4. Go forward until the "
            "desk. You have reached the final destination.");
  // desk facing sink (south) -> tv: leg (-2,-1) is -63.4 deg (right); tv -> bed: (0,-2) is +63.4 deg (left).
  const Sample* b = find(v, {"desk", "sink", "tv", "bed"});
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->ground_truth, "turn right, turn left");
  // tv facing bed (south) -> sink: leg (2,-2) is +45 deg, the left/straight boundary: no question.
  for (const auto& s : v) EXPECT_FALSE(cats(s)[0] == "tv" && cats(s)[1] == "bed" && cats(s)[2] == "sink");
  // One turn per leg: start, facing, stops..., destination -> (categories - 2) turns.
  for (const auto& s : v) {
    const auto c = cats(s);
    EXPECT_EQ(std::count(s.ground_truth.begin(), s.ground_truth.end(), ','), static_cast<long>(c.size()) - 3);
  }
}

TEST(Qa, RecordsRoundTripAndVsiBenchFilesLoad) {
  QaOptions o;
  o.with_options = true;
  const auto v = generate_scene_questions(test_scene(), o);
  const auto dir = test::temp_dir("records");
  write_samples(dir / "q.jsonl", v);
  const auto back = read_samples(dir / "q.jsonl");
  ASSERT_EQ(back.size(), v.size());
  for (std::size_t i = 0; i < v.size(); ++i) EXPECT_EQ(sample_to_json(back[i]), sample_to_json(v[i]));
  write_file_atomic(dir / "vsi.json",
                    R"([{"id": 1, "dataset": "arkitscenes", "scene_name": "41069025", "question_type": "object_counting",
                         "question": "How many chair(s) are in this room?", "options": null, "ground_truth": 4},
                        {"id": 2, "dataset": "scannet", "scene_name": "scene0011_00", "question_type": "object_rel_direction_easy",
                         "question": "q", "options": ["A. left", "B. right"], "ground_truth": "B"}])");
  const auto vsi = read_samples(dir / "vsi.json", "/data/vsi");
  ASSERT_EQ(vsi.size(), 2u);
  EXPECT_EQ(vsi[0].id, "1");
  EXPECT_EQ(vsi[0].ground_truth, "4");
  EXPECT_TRUE(vsi[0].options.empty());
  EXPECT_EQ(vsi[0].video, std::filesystem::path("/data/vsi/arkitscenes/41069025.mp4"));
  EXPECT_EQ(vsi[1].options.size(), 2u);
  write_file_atomic(dir / "bad.jsonl", "{\"id\": 1}\n");
  EXPECT_THROW(read_samples(dir / "bad.jsonl"), Error);
}
