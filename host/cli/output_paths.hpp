#pragma once
#include <string>
#include <vector>

#include "xmargin/inputs.hpp"

namespace xm::cli {

// A file a command writes, and the words that name it in a message
// ("--pnl", "the margins.csv output").
struct OutputPath {
  std::string role;
  std::string path;
};

// Throws InputError (exit 2) when an output is the same file as an input or as
// an earlier output, naming both roles and the paths: writing it would
// replace the input, or one output would silently take the other's place. Two
// paths are the same file when they resolve to one path (symbolic links, `.`
// and `..` followed, relative paths taken from the working folder) or, where
// both exist, are one file (hard links). Called before any output is opened.
void check_outputs_apart(const InputPaths& inputs, const std::vector<OutputPath>& outputs);

}  // namespace xm::cli
