#include "workload.hpp"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include "child_process.hpp"
#include "report_text.hpp"
#include "xmargin/error.hpp"

namespace xm::bench {
namespace {
namespace fs = std::filesystem;

// A folder holding the files a run needs is taken as a whole book: a book made
// here is written into a temporary folder and renamed only once complete.
bool holds_book(const fs::path& dir) {
  for (const char* name : {"market.json", "instruments.csv", "positions.csv", "history.csv"})
    if (!fs::exists(dir / name)) return false;
  return true;
}

// The xmargin_make_book beside this binary in the build tree (bench/..), so a
// copied build tree finds its own; else the one this binary was built with.
std::string make_book_binary() {
  return tool_beside("xmargin_make_book", XM_MAKE_BOOK_BINARY);
}

}  // namespace

std::string workload_dir(const std::string& name, std::string cache,
                         const std::optional<std::uint64_t>& seed) {
  if (cache.empty()) {
    cache = "/tmp/xmargin-workloads/" + name;
    if (seed) cache += "-seed" + std::to_string(*seed);
  }
  if (holds_book(cache)) {
    std::fprintf(stderr, "workload %s: reusing %s\n", name.c_str(), cache.c_str());
    return cache;
  }
  // Never delete what the bench did not make: a folder in the way must be empty.
  if (fs::exists(cache) && !(fs::is_directory(cache) && fs::is_empty(cache))) {
    throw InputError("--cache " + cache +
                     " exists but holds no book; remove it or choose another folder");
  }
  const fs::path partial = cache + ".partial-" + std::to_string(::getpid());
  fs::remove_all(partial);
  fs::create_directories(partial.parent_path());
  std::vector<std::string> arguments = {"--workload", name, "--out", partial.string()};
  if (seed) arguments.insert(arguments.end(), {"--seed", std::to_string(*seed)});
  const std::string program = make_book_binary();
  std::fprintf(stderr, "workload %s: generating it into %s with %s\n", name.c_str(), cache.c_str(),
               program.c_str());
  const int status = run_program(program, arguments);
  if (status != 0) {
    fs::remove_all(partial);
    throw std::runtime_error(program + " --workload " + name + " failed with exit status " +
                             std::to_string(status));
  }
  fs::remove(cache);  // empty, if there at all
  fs::rename(partial, cache);
  return cache;
}

}  // namespace xm::bench
