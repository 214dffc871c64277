#pragma once
#include <fstream>
#include <sstream>
#include <string>

#include "xmargin/error.hpp"

namespace xm {

// The whole text of an input file; InputError naming it when it cannot be opened.
inline std::string read_input_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, 0, 0, "cannot open file");
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace xm
