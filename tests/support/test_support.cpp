#include "test_support.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace vsr::test {

std::filesystem::path temp_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("vsr_test_" + std::to_string(::getpid())) / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

namespace {
std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

CliResult run_cli(const std::string& args, const std::string& stdin_text, long address_space_kb) {
  auto dir = temp_dir("cli");
  const auto in = dir / "stdin", out = dir / "stdout", err = dir / "stderr";
  std::ofstream(in, std::ios::binary) << stdin_text;
  // Under a cap, OpenBLAS (loaded with LibTorch) needs one thread's buffers only, and `timeout` turns a start-up that
  // spins on failing allocations (OpenBLAS does) into exit code 124 instead of a hung test.
  std::string limit;
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer reserves terabytes of shadow address space at start-up, so under `ulimit -v` no program would
  // reach main; its allocator's cap on one allocation stands in for the address-space cap (the asan preset), set to
  // about the headroom the cap leaves above LibTorch's start-up (a quarter of it: 0.3 of 1.2 GB).
  if (address_space_kb > 0)
    limit = "ASAN_OPTIONS=\"${ASAN_OPTIONS:+$ASAN_OPTIONS:}allocator_may_return_null=1:max_allocation_size_mb=" +
            std::to_string(address_space_kb / 4096) + "\" OPENBLAS_NUM_THREADS=1 exec timeout 120 ";
#else
  if (address_space_kb > 0)
    limit = "ulimit -v " + std::to_string(address_space_kb) + " && OPENBLAS_NUM_THREADS=1 exec timeout 120 ";
#endif
  const std::string cmd = limit + "'" + VSR_CLI_PATH + "' " + args + " <'" + in.string() + "' >'" + out.string() +
                          "' 2>'" + err.string() + "'";
  const int status = std::system(cmd.c_str());
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return {code, slurp(out), slurp(err)};
}

CliResult run_program(const std::filesystem::path& path, const std::string& args, double kill_after_s) {
  auto dir = temp_dir("program");
  const auto out = dir / "stdout", err = dir / "stderr";
  const std::string prefix = kill_after_s > 0 ? "exec timeout -s KILL " + std::to_string(kill_after_s) + " " : "";
  const std::string cmd =
      prefix + "'" + path.string() + "' " + args + " </dev/null >'" + out.string() + "' 2>'" + err.string() + "'";
  const int status = std::system(cmd.c_str());
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return {code, slurp(out), slurp(err)};
}

CliResult run_shell(const std::string& command) {
  auto dir = temp_dir("shell");
  const auto out = dir / "stdout", err = dir / "stderr", script = dir / "command.sh";
  std::ofstream(script) << command << "\n";
  const std::string cmd = "/bin/sh '" + script.string() + "' </dev/null >'" + out.string() + "' 2>'" + err.string() + "'";
  const int status = std::system(cmd.c_str());
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return {code, slurp(out), slurp(err)};
}

}  // namespace vsr::test
