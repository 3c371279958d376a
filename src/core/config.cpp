#include "vsr/core/config.hpp"

#include "vsr/core/error.hpp"

#include <boost/program_options/parsers.hpp>
#include <boost/program_options/positional_options.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

namespace po = boost::program_options;

namespace vsr {

namespace {

/// The raw text given for `key` in parsed options, for error messages.
std::string raw_value(const po::parsed_options& parsed, const std::string& key) {
  for (const auto& opt : parsed.options)
    if (opt.string_key == key && !opt.value.empty()) return opt.value.front();
  return {};
}

/// Stores parsed options, turning Boost's exceptions into vsr::Error naming `origin` and the key.
void store_checked(const po::parsed_options& parsed, po::variables_map& vm, const std::string& origin) {
  try {
    po::store(parsed, vm);
  } catch (const po::validation_error& e) {
    const std::string key = e.get_option_name().empty() ? std::string() : e.get_option_name();
    std::string bare = key;
    while (!bare.empty() && bare.front() == '-') bare.erase(bare.begin());
    fail(origin, bare, fmt::format("invalid value {}", quote(raw_value(parsed, bare))));
  } catch (const po::error& e) {
    fail(origin, "", e.what());
  }
}

po::parsed_options parse_file_checked(std::istream& in, const po::options_description& desc, const std::string& origin) {
  try {
    return po::parse_config_file(in, desc, /*allow_unregistered=*/false);
  } catch (const po::unknown_option& e) {
    std::string key = e.get_option_name();
    fail(origin, key, "unknown key (see --help for the keys this program takes)");
  } catch (const po::invalid_config_file_syntax& e) {
    fail(origin, e.tokens(), "not a `key = value` line or `[section]` header");
  } catch (const po::error& e) {
    fail(origin, "", e.what());
  }
}

}  // namespace

Config::Config(std::string program) : program_(std::move(program)), desc_("Options") {
  desc_.add_options()("help,h", "print the options and exit")(
      "config", po::value<std::string>(), "INI file with [section] key = value lines; command-line flags override it");
}

Config::~Config() = default;

bool Config::declares(const std::string& key) const { return desc_.find_nothrow(key, false) != nullptr; }

bool Config::was_set(const std::string& key) const { return vm_.count(key) && !vm_[key].defaulted(); }

void Config::store_and_notify(po::variables_map& vm) {
  try {
    po::notify(vm);
  } catch (const po::error& e) {
    fail("<command line>", "", e.what());
  }
}

bool Config::parse(int argc, const char* const* argv, const std::filesystem::path& default_file) {
  po::options_description all = desc_;
  all.add_options()("vsr-positional", po::value<std::vector<std::string>>(), "");
  po::positional_options_description pos;
  pos.add("vsr-positional", -1);

  // A bare boolean flag takes no value from the next argument (`--quiet DIR` is quiet=true plus DIR).
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.starts_with("--") && a.find('=') == std::string::npos &&
        std::find(flags_.begin(), flags_.end(), a.substr(2)) != flags_.end())
      a += "=true";
    args.push_back(std::move(a));
  }
  po::parsed_options cli(&all);
  try {
    cli = po::command_line_parser(args).options(all).positional(pos).run();
  } catch (const po::unknown_option& e) {
    std::string key = e.get_option_name();
    while (!key.empty() && key.front() == '-') key.erase(key.begin());
    if (const auto eq = key.find('='); eq != std::string::npos) key.resize(eq);
    fail("<command line>", key, "unknown option (see --help)");
  } catch (const po::error& e) {
    fail("<command line>", "", e.what());
  }
  store_checked(cli, vm_, "<command line>");

  if (vm_.count("help")) {
    std::cout << "Usage: " << program_ << " [options]\n" << desc_ << "\n";
    return false;
  }
  if (vm_.count("vsr-positional")) positional_ = vm_["vsr-positional"].as<std::vector<std::string>>();
  if (max_positional_ >= 0 && static_cast<int>(positional_.size()) > max_positional_)
    fail("<command line>", "", fmt::format("unexpected argument {}", quote(positional_[max_positional_])));

  for (const auto& [text, origin] : recipe_settings_) {  // stored before the file: the first stored value wins
    std::istringstream in(text);
    store_checked(parse_file_checked(in, desc_, origin), vm_, origin);
  }
  std::filesystem::path file = vm_.count("config") ? std::filesystem::path(vm_["config"].as<std::string>()) : default_file;
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in) fail(file.string(), "", "cannot open config file");
    config_file_ = file;
    store_checked(parse_file_checked(in, desc_, file.string()), vm_, file.string());
  }
  store_and_notify(vm_);
  return true;
}

void Config::add_recipe_settings(std::string_view ini, std::string origin) {
  if (!ini.empty()) recipe_settings_.emplace_back(std::string(ini), std::move(origin));
}

void Config::parse_ini(std::string_view text, const std::string& origin) {
  std::istringstream in{std::string(text)};
  store_checked(parse_file_checked(in, desc_, origin), vm_, origin);
  store_and_notify(vm_);
}

std::string Config::resolved_ini() const {
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> sections;
  for (const auto& [name, print] : printers_) {
    const auto dot = name.find('.');
    const std::string section = dot == std::string::npos ? "" : name.substr(0, dot);
    const std::string key = dot == std::string::npos ? name : name.substr(dot + 1);
    sections[section].emplace_back(key, print());
  }
  std::string out = fmt::format("# resolved configuration of `{}`\n", program_);
  if (config_file_) out += fmt::format("# from {} and the command line\n", config_file_->string());
  for (const auto& [section, keys] : sections) {
    if (!section.empty()) out += fmt::format("\n[{}]\n", section);
    for (const auto& [key, value] : keys) out += fmt::format("{} = {}\n", key, value);
  }
  return out;
}

}  // namespace vsr
