// Tests of the configuration layer: INI files, command-line overrides, errors naming key and file.
#include "test_support.hpp"
#include "vsr/core/config.hpp"
#include "vsr/core/error.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace {

struct GrpoLike {
  static constexpr const char* kSection = "grpo";
  double beta = 1e-4;
  int group_size = 14;
  bool scale_std = true;
  std::string loss = "grpo";
  void describe(vsr::OptionSet& s) {
    s.add("beta", beta, "KL coefficient").add("group_size", group_size, "rollouts per question");
    s.add("scale_std", scale_std, "divide advantages by the group std").add("loss", loss, "aggregation");
  }
};

std::filesystem::path write(const std::string& name, const std::string& text) {
  auto p = vsr::test::temp_dir("config") / name;
  std::ofstream(p) << text;
  return p;
}

TEST(Config, DefaultsWhenNothingGiven) {
  vsr::Config cfg("t");
  auto& g = cfg.add<GrpoLike>();
  const char* argv[] = {"t"};
  ASSERT_TRUE(cfg.parse(1, argv));
  EXPECT_DOUBLE_EQ(g.beta, 1e-4);
  EXPECT_EQ(g.group_size, 14);
  EXPECT_FALSE(cfg.was_set("grpo.beta"));
}

TEST(Config, FileThenCommandLineOverrides) {
  auto file = write("a.ini", "[grpo]\nbeta = 0.5\ngroup_size = 8\n");
  vsr::Config cfg("t");
  auto& g = cfg.add<GrpoLike>();
  const std::string flag = "--config=" + file.string();
  const char* argv[] = {"t", flag.c_str(), "--grpo.beta=0", "--grpo.scale_std=false"};
  ASSERT_TRUE(cfg.parse(4, argv));
  EXPECT_DOUBLE_EQ(g.beta, 0.0);
  EXPECT_EQ(g.group_size, 8);
  EXPECT_FALSE(g.scale_std);
  EXPECT_TRUE(cfg.was_set("grpo.group_size"));
}

TEST(Config, DefaultFileUsedWhenNoConfigFlag) {
  auto file = write("b.ini", "[grpo]\nloss = dr_grpo\n");
  vsr::Config cfg("t");
  auto& g = cfg.add<GrpoLike>();
  const char* argv[] = {"t"};
  ASSERT_TRUE(cfg.parse(1, argv, file));
  EXPECT_EQ(g.loss, "dr_grpo");
}

TEST(Config, UnknownKeyInFileNamesKeyAndFile) {
  auto file = write("c.ini", "[grpo]\nbetta = 0.5\n");
  vsr::Config cfg("t");
  cfg.add<GrpoLike>();
  const std::string flag = "--config=" + file.string();
  const char* argv[] = {"t", flag.c_str()};
  try {
    cfg.parse(2, argv);
    FAIL() << "no error";
  } catch (const vsr::Error& e) {
    EXPECT_EQ(e.file(), file.string());
    EXPECT_EQ(e.field(), "grpo.betta");
  }
}

TEST(Config, BadValueNamesKeyFileAndValue) {
  auto file = write("d.ini", "[grpo]\ngroup_size = many\n");
  vsr::Config cfg("t");
  cfg.add<GrpoLike>();
  const std::string flag = "--config=" + file.string();
  const char* argv[] = {"t", flag.c_str()};
  try {
    cfg.parse(2, argv);
    FAIL() << "no error";
  } catch (const vsr::Error& e) {
    EXPECT_EQ(e.file(), file.string());
    EXPECT_EQ(e.field(), "grpo.group_size");
    EXPECT_NE(std::string(e.what()).find("\"many\""), std::string::npos) << e.what();
  }
}

TEST(Config, UnknownCommandLineOption) {
  vsr::Config cfg("t");
  cfg.add<GrpoLike>();
  const char* argv[] = {"t", "--grpo.nope=1"};
  try {
    cfg.parse(2, argv);
    FAIL() << "no error";
  } catch (const vsr::Error& e) {
    EXPECT_EQ(e.file(), "<command line>");
    EXPECT_EQ(e.field(), "grpo.nope");
  }
}

TEST(Config, MissingConfigFile) {
  vsr::Config cfg("t");
  const char* argv[] = {"t", "--config=/nonexistent/x.ini"};
  EXPECT_THROW(cfg.parse(2, argv), vsr::Error);
}

TEST(Config, ResolvedIniRoundTrips) {
  vsr::Config a("t");
  auto& ga = a.add<GrpoLike>();
  const char* argv[] = {"t", "--grpo.beta=0.125", "--grpo.loss=bnpo"};
  ASSERT_TRUE(a.parse(3, argv));
  const std::string ini = a.resolved_ini();
  EXPECT_NE(ini.find("[grpo]\n"), std::string::npos);
  EXPECT_NE(ini.find("beta = 0.125\n"), std::string::npos);
  vsr::Config b("t");
  auto& gb = b.add<GrpoLike>();
  b.parse_ini(ini, "resolved");
  EXPECT_DOUBLE_EQ(gb.beta, ga.beta);
  EXPECT_EQ(gb.loss, "bnpo");
  EXPECT_EQ(gb.group_size, 14);
}

TEST(Config, BareBooleanFlagDoesNotTakeTheNextArgument) {
  vsr::Config cfg("t");
  auto& g = cfg.add<GrpoLike>();
  bool quiet = false;
  cfg.top_level().add("quiet", quiet, "less output");
  cfg.allow_positional(1);
  g.scale_std = false;
  const char* argv[] = {"t", "--quiet", "dir", "--grpo.scale_std"};
  ASSERT_TRUE(cfg.parse(4, argv));
  EXPECT_TRUE(quiet);
  EXPECT_TRUE(g.scale_std);
  EXPECT_EQ(cfg.positional().at(0), "dir");
}

TEST(Config, TooManyPositionalArguments) {
  vsr::Config cfg("t");
  cfg.allow_positional(1);
  const char* argv[] = {"t", "a", "b"};
  EXPECT_THROW(cfg.parse(3, argv), vsr::Error);
  vsr::Config ok("t");
  ok.allow_positional(1);
  const char* argv2[] = {"t", "a"};
  ASSERT_TRUE(ok.parse(2, argv2));
  EXPECT_EQ(ok.positional().at(0), "a");
}

}  // namespace
