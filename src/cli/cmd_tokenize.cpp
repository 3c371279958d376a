// `vsr tokenize`: JSON lines in, JSON lines out, with the Qwen2 tokenizer of a folder (docs/tokenizer.md).
#include "command.hpp"

#include "vsr/core/config.hpp"
#include "vsr/core/error.hpp"
#include "vsr/text/tokenizer.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <iostream>
#include <string>

VSR_COMMAND(cmd_tokenize, "tokenize", "encode {\"text\"} JSON lines to {\"ids\"} (or decode with --decode)") {
  std::filesystem::path dir;
  bool decode = false, skip_special = false;
  vsr::Config cfg(argv[0]);
  auto top = cfg.top_level();
  top.add("tokenizer", dir, "tokenizer folder (tokenizer.json, or vocab.json + merges.txt + tokenizer_config.json)");
  top.add("decode", decode, "read {\"ids\": [...]} lines and write {\"text\": ...} lines");
  top.add("skip-special", skip_special, "with --decode: leave special tokens out of the text");
  if (!cfg.parse(argc, argv)) return 0;
  vsr::require(!dir.empty(), "<command line>", "--tokenizer", "a tokenizer folder is required");
  const auto tok = vsr::text::Tokenizer::from_dir(dir);

  std::ios::sync_with_stdio(false);
  std::string line;
  std::vector<std::int32_t> ids;
  for (std::size_t line_no = 1; std::getline(std::cin, line); ++line_no) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const std::string where = fmt::format("line {}", line_no);
    nlohmann::json in;
    try {
      in = nlohmann::json::parse(line);
    } catch (const nlohmann::json::parse_error&) {
      vsr::fail("<stdin>", where, "expected a JSON object, found " + vsr::quote(line));
    }
    nlohmann::json out;
    if (decode) {
      const auto it = in.is_object() ? in.find("ids") : in.end();
      if (!in.is_object() || it == in.end() || !it->is_array())
        vsr::fail("<stdin>", where, "expected {\"ids\": [integers]}");
      ids.clear();
      for (const auto& v : *it) {
        if (!v.is_number_integer() || v.get<std::int64_t>() < INT32_MIN || v.get<std::int64_t>() > INT32_MAX)
          vsr::fail("<stdin>", where + ".ids", "expected 32-bit integers, found " + v.dump());
        ids.push_back(v.get<std::int32_t>());
      }
      out["text"] = tok.decode(ids, skip_special);
    } else {
      const auto it = in.is_object() ? in.find("text") : in.end();
      if (!in.is_object() || it == in.end() || !it->is_string()) vsr::fail("<stdin>", where, "expected {\"text\": string}");
      out["ids"] = tok.encode(it->get_ref<const std::string&>());
    }
    std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  }
  std::cout.flush();
  return 0;
}
