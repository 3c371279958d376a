// Multi-stage recipes: per-stage command lines, adapter chaining, resume of unfinished stages, stages.json.
#include "vsr/train/stages_runner.hpp"

#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>

namespace vsr::train {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kStagePrefix = "--stage.";

/// The value of option `name` (`--name VALUE` or `--name=VALUE`) at args[i]; advances i past it.
std::optional<std::string> option_value(const std::vector<std::string>& args, std::size_t& i, std::string_view name) {
  const std::string& a = args[i];
  const std::string flag = "--" + std::string(name);
  if (a == flag) {
    if (i + 1 >= args.size() || args[i + 1].rfind("--", 0) == 0)
      fail("<command line>", flag, "expected a value after " + flag);
    i += 1;
    return args[i];
  }
  if (a.rfind(flag + "=", 0) == 0) return a.substr(flag.size() + 1);
  return std::nullopt;
}

bool has_flag(const std::vector<std::string>& args, std::string_view flag) {
  return std::find(args.begin(), args.end(), std::string(flag)) != args.end();
}

/// Whether the boolean option `flag` is on: `--resume`, `--resume=true` (or 1, yes, on).
bool flag_on(const std::vector<std::string>& args, const std::string& flag) {
  for (const auto& a : args) {
    if (a == flag) return true;
    if (a.rfind(flag + "=", 0) == 0) {
      const std::string v = a.substr(flag.size() + 1);
      if (v == "true" || v == "1" || v == "yes" || v == "on") return true;
    }
  }
  return false;
}

std::string run_status(const fs::path& run) {
  std::error_code ec;
  if (!fs::exists(run / "run.json", ec)) return "";
  const auto info = nlohmann::json::parse(read_file(run / "run.json"), nullptr, false);
  return info.is_object() && info.contains("status") && info["status"].is_string() ? info["status"].get<std::string>()
                                                                                  : "";
}

}  // namespace

std::vector<std::string> stage_arguments(const std::vector<std::string>& args, const std::vector<std::string>& names,
                                         std::size_t index) {
  auto takes_next = [&](std::size_t i) {
    return args[i].find('=') == std::string::npos && i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0;
  };
  // This stage's overrides first: they replace the same option given to every stage.
  std::vector<std::string> own;
  std::set<std::string> overridden;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind(kStagePrefix, 0) != 0) continue;
    const std::string rest = a.substr(kStagePrefix.size());
    const auto dot = rest.find('.');
    const std::string stage = rest.substr(0, dot);
    if (dot == std::string::npos || dot + 1 == rest.size() ||
        std::find(names.begin(), names.end(), stage) == names.end()) {
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
      fail("<command line>", a, "expected --stage.NAME.KEY with NAME one of " + list);
    }
    const std::string key = rest.substr(dot + 1);
    if (key.rfind("out", 0) == 0 || key.rfind("init-adapter", 0) == 0)
      fail("<command line>", a, "the runner sets each stage's --out and --init-adapter (give the pipeline's --out)");
    const bool value_next = takes_next(i);
    if (stage == names[index]) {
      const std::string option = "--" + rest.substr(dot + 1);
      overridden.insert(option.substr(0, option.find('=')));
      own.push_back(option);
      if (value_next) own.push_back(args[i + 1]);
    }
    if (value_next) ++i;
  }
  std::vector<std::string> out;
  std::string run;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (auto v = option_value(args, i, "out")) {
      run = *v;
      continue;
    }
    if (auto v = option_value(args, i, "init-adapter")) {
      if (index == 0) out.insert(out.end(), {"--init-adapter", *v});
      continue;
    }
    if (a.rfind(kStagePrefix, 0) == 0 || overridden.count(a.substr(0, a.find('=')))) {
      if (takes_next(i)) ++i;  // an override (or the option it replaces) and its value
      continue;
    }
    out.push_back(a);
  }
  if (run.empty()) fail("<command line>", "out", "expected --out DIR (the pipeline's folder; each stage runs in DIR/NAME)");
  out.insert(out.end(), own.begin(), own.end());
  out.insert(out.end(), {"--out", (fs::path(run) / names[index]).string()});
  if (index > 0) out.insert(out.end(), {"--init-adapter", (fs::path(run) / names[index - 1] / "adapter").string()});
  return out;
}

int run_stages(int argc, char** argv, const fs::path& default_config, const std::vector<StageEntry>& stages) {
  const std::string program = fs::path(argv[0]).filename().string();
  std::vector<std::string> args(argv + 1, argv + argc);
  std::vector<std::string> names;
  for (const auto& s : stages) names.push_back(s.name);
  if (has_flag(args, "--help") || has_flag(args, "-h")) {
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : " -> ") + n;
    std::printf("%s runs the stages %s, each into OUT/NAME (each after the first starting from the previous one's "
                "adapter). Options go to every stage; --stage.NAME.KEY VALUE to stage NAME only. A stage's options:\n",
                program.c_str(), list.c_str());
    std::vector<char*> help{argv[0], const_cast<char*>("--help")};
    return stages[0].run_main(2, help.data(), default_config);
  }
  try {
    const bool resume = flag_on(args, "--resume");
    // Under a launcher each stage gets its own rendezvous port (MASTER_PORT + stage index): a rank that starts the
    // next stage first must not reach the store rank 0 is still closing.
    const char* port = std::getenv("MASTER_PORT");
    const long base_port = port ? std::strtol(port, nullptr, 10) : 0;
    const char* rank = std::getenv("RANK");  // under vsr launch / torchrun only rank 0 writes stages.json
    const bool main_rank = rank == nullptr || std::strcmp(rank, "0") == 0;
    nlohmann::json listing{{"program", program}, {"stages", nlohmann::json::array()}};
    fs::path run;
    for (std::size_t k = 0; k < stages.size(); ++k) {
      const auto stage_args = stage_arguments(args, names, k);
      run = fs::path(stage_args[stage_args.size() - (k > 0 ? 3 : 1)]).parent_path();  // --out's value (see above)
      const fs::path stage_run = run / names[k];
      nlohmann::json entry{{"name", names[k]}, {"run", stage_run.string()}};
      if (resume && run_status(stage_run) == "finished") {
        if (main_rank) std::fprintf(stderr, "%s: stage %s finished earlier (%s): skipped\n", program.c_str(), names[k].c_str(),
                     stage_run.string().c_str());
        entry["status"] = "finished";
        listing["stages"].push_back(entry);
        continue;
      }
      if (k > 0) {
        const fs::path adapter = fs::path(run) / names[k - 1] / "adapter" / "adapter_model.safetensors";
        require(fs::exists(adapter), adapter.string(), "",
                "stage " + names[k] + " starts from stage " + names[k - 1] + "'s adapter, which is missing");
      }
      if (main_rank) std::fprintf(stderr, "%s: stage %zu of %zu: %s -> %s\n", program.c_str(), k + 1, stages.size(), names[k].c_str(),
                   stage_run.string().c_str());
      if (base_port > 0) ::setenv("MASTER_PORT", std::to_string(base_port + static_cast<long>(k)).c_str(), 1);
      std::vector<std::string> owned{argv[0]};
      owned.insert(owned.end(), stage_args.begin(), stage_args.end());
      std::vector<char*> stage_argv;
      for (auto& a : owned) stage_argv.push_back(a.data());
      stage_argv.push_back(nullptr);
      const int code = stages[k].run_main(static_cast<int>(owned.size()), stage_argv.data(), default_config);
      entry["status"] = code == 0 ? run_status(stage_run) : "exit " + std::to_string(code);
      listing["stages"].push_back(entry);
      if (main_rank) {
        fs::create_directories(run);
        write_file_atomic(run / "stages.json", listing.dump(2) + "\n");
      }
      if (code != 0) return code;
    }
    if (main_rank) write_file_atomic(run / "stages.json", listing.dump(2) + "\n");
    return 0;
  } catch (const Error& e) {
    std::fprintf(stderr, "%s: error: %s\n", program.c_str(), e.what());
    return 2;
  }
}

}  // namespace vsr::train
