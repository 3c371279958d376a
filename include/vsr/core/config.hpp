#pragma once
/// @file
/// Run-time configuration: INI files (configs/*.ini, sections such as [model], [grpo]) overridden by
/// `--section.key=value` on the command line, parsed with Boost.program_options. Every component declares its own
/// options next to its code (an `Options` struct with a `describe(OptionSet&)` member); the resolved set is written
/// into the run folder. Unknown keys and bad values are vsr::Error naming the key and the file.

#include <boost/program_options/options_description.hpp>
#include <boost/program_options/value_semantic.hpp>
#include <boost/program_options/variables_map.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace vsr {

/// Formats an option value the way it is written in an INI file (bools as true/false, doubles round-tripping).
template <class T>
std::string format_option_value(const T& value) {
  if constexpr (std::is_same_v<T, bool>) {
    return value ? "true" : "false";
  } else if constexpr (std::is_same_v<T, std::string>) {
    return value;
  } else if constexpr (std::is_same_v<T, std::filesystem::path>) {
    return value.string();
  } else {
    std::ostringstream os;
    if constexpr (std::is_floating_point_v<T>) os.precision(17);
    os << value;
    return os.str();
  }
}

/// The options of one section (`[grpo]` in an INI file, `--grpo.key=...` on the command line), as a component
/// declares them: `set.add("beta", beta, "KL coefficient")` binds the key to the member holding its default.
class OptionSet {
 public:
  /// A set whose keys are `section.key`; an empty section gives bare keys (`--tokenizer`).
  OptionSet(std::string section, boost::program_options::options_description& desc,
            std::vector<std::pair<std::string, std::function<std::string()>>>& printers,
            std::vector<std::string>& flags)
      : section_(std::move(section)), desc_(desc), printers_(printers), flags_(flags) {}

  /// Declares `key` bound to `target`, whose current value is the default.
  template <class T>
  OptionSet& add(const std::string& key, T& target, const std::string& help) {
    const std::string name = full_name(key);
    auto* semantic = boost::program_options::value<T>(&target)->default_value(target, format_option_value(target));
    if constexpr (std::is_same_v<T, bool>) {
      semantic->implicit_value(true, "true");
      flags_.push_back(name);
    }
    desc_.add_options()(name.c_str(), semantic, help.c_str());
    printers_.emplace_back(name, [&target] { return format_option_value(target); });
    return *this;
  }

  /// The full option name of `key` in this set ("grpo.beta").
  std::string full_name(const std::string& key) const { return section_.empty() ? key : section_ + "." + key; }

 private:
  std::string section_;
  boost::program_options::options_description& desc_;
  std::vector<std::pair<std::string, std::function<std::string()>>>& printers_;
  std::vector<std::string>& flags_;
};

/// What a component's options struct provides: a section name and a `describe` that declares its keys.
template <class O>
concept ComponentOptions = requires(O o, OptionSet& set) {
  { O::kSection } -> std::convertible_to<std::string_view>;
  o.describe(set);
};

/// One program run's configuration: owns the components' options structs and parses files and the command line
/// into them. Use: `Config cfg("vsr tokenize"); auto& tok = cfg.add<TokenizerOptions>(); cfg.parse(argc, argv);`.
class Config {
 public:
  /// `program` names the program in `--help` output.
  explicit Config(std::string program);
  ~Config();
  Config(const Config&) = delete;
  Config& operator=(const Config&) = delete;

  /// Registers a component's options struct (owned by the Config, defaults as in the struct) and returns it.
  template <ComponentOptions O>
  O& add() {
    auto holder = std::make_shared<O>();
    O& ref = *holder;
    owned_.push_back(holder);
    OptionSet set(std::string(O::kSection), desc_, printers_, flags_);
    ref.describe(set);
    return ref;
  }

  /// Declares options outside any section (`--tokenizer DIR`, `--decode`).
  OptionSet top_level() { return OptionSet("", desc_, printers_, flags_); }

  /// Lets the command line carry positional arguments (at most `max_count`, -1 for any).
  void allow_positional(int max_count = -1) { max_positional_ = max_count; }

  /// Values a program brings itself (INI text, e.g. a GRPO variant's clip range): they override the config file and
  /// the command line overrides them. `origin` names them in errors. Call before parse().
  void add_recipe_settings(std::string_view ini, std::string origin);

  /// Parses `--config FILE` (or `default_file` when given and the flag is absent), then the command line, which
  /// overrides the file (and the recipe settings, which override the file). `--help` prints the options and returns false (the caller exits 0). Throws vsr::Error on
  /// an unknown key, a bad value or a missing file, naming the key and the file.
  bool parse(int argc, const char* const* argv, const std::filesystem::path& default_file = {});

  /// Parses an INI text (for tests and for reading a run folder back); `origin` names it in errors.
  void parse_ini(std::string_view text, const std::string& origin);

  /// The resolved configuration as INI text: every declared key with its final value, grouped by section.
  std::string resolved_ini() const;

  /// The positional arguments left on the command line.
  const std::vector<std::string>& positional() const { return positional_; }

  /// The config file that was read, if any.
  const std::optional<std::filesystem::path>& config_file() const { return config_file_; }

  /// True when option `key` (full name, "grpo.beta") has been declared.
  bool declares(const std::string& key) const;
  /// Registers a component's options unless its section is already declared (probed with `probe_key`): lets one
  /// config file carry the sections of several programs.
  template <ComponentOptions O>
  void add_if_absent(const std::string& probe_key) {
    if (!declares(probe_key)) add<O>();
  }
  /// True when `key` (full name) was set explicitly by a file or the command line.
  bool was_set(const std::string& key) const;

 private:
  void store_and_notify(boost::program_options::variables_map& vm);

  std::string program_;
  boost::program_options::options_description desc_;
  std::vector<std::pair<std::string, std::function<std::string()>>> printers_;
  std::vector<std::string> flags_;  ///< boolean options: a bare `--flag` means `--flag=true`
  std::vector<std::shared_ptr<void>> owned_;
  std::vector<std::string> positional_;
  std::optional<std::filesystem::path> config_file_;
  std::vector<std::pair<std::string, std::string>> recipe_settings_;  ///< (INI text, origin), add_recipe_settings
  int max_positional_ = 0;
  boost::program_options::variables_map vm_;
};

}  // namespace vsr
