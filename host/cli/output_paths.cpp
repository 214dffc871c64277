#include "cli/output_paths.hpp"

#include <filesystem>

#include "xmargin/error.hpp"

namespace xm::cli {
namespace {

namespace fs = std::filesystem;

struct NamedPath {
  std::string role;
  std::string path;
  fs::path resolved;
};

// The path with every link and `..` of its existing part followed, and the
// rest (not there yet) normalised as written.
fs::path resolved(const std::string& path) {
  std::error_code error;
  fs::path absolute = fs::absolute(path, error);
  if (error) return fs::path(path).lexically_normal();
  fs::path result = fs::weakly_canonical(absolute, error);
  return error ? absolute.lexically_normal() : result;
}

bool same_file(const NamedPath& a, const NamedPath& b) {
  if (a.resolved == b.resolved) return true;
  std::error_code error;  // set, and false, when either does not exist
  return fs::equivalent(a.path, b.path, error);
}

}  // namespace

void check_outputs_apart(const InputPaths& inputs, const std::vector<OutputPath>& outputs) {
  std::vector<NamedPath> taken;
  const std::pair<const std::string*, const char*> roles[] = {
      {&inputs.market, "the market input"},       {&inputs.instruments, "the instruments input"},
      {&inputs.positions, "the positions input"}, {&inputs.accounts, "the accounts input"},
      {&inputs.history, "the history input"},     {&inputs.config, "the config input"},
      {&inputs.scenarios, "the scenarios input"}};
  for (const auto& [path, role] : roles) {
    if (!path->empty()) taken.push_back({role, *path, resolved(*path)});
  }
  for (const OutputPath& output : outputs) {
    NamedPath named{output.role, output.path, resolved(output.path)};
    for (const NamedPath& other : taken) {
      if (!same_file(named, other)) continue;
      // The other's path too where it is written differently.
      throw InputError(output.role + " " + output.path + " is also " + other.role +
                       (other.path == output.path ? "" : " " + other.path));
    }
    taken.push_back(std::move(named));
  }
}

}  // namespace xm::cli
