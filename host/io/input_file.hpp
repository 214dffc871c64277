#pragma once
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "xmargin/error.hpp"

namespace xm {

// Editors on Windows often start UTF-8 files with it; it is not part of the content.
inline constexpr std::string_view kUtf8ByteOrderMark = "\xEF\xBB\xBF";

// An input file opened for reading; InputError naming it when it cannot be.
// A directory is named as such: opening one succeeds on Linux and would read
// as an empty file.
inline std::ifstream open_input_file(const std::string& path) {
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) {
    throw InputError(path, 0, 0, "is a directory, expected a file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, 0, 0, "cannot open file");
  return in;
}

// The whole text of a (small) input file, without a UTF-8 byte order mark.
inline std::string read_input_file(const std::string& path) {
  std::ifstream in = open_input_file(path);
  std::ostringstream content;
  content << in.rdbuf();
  std::string text = content.str();
  if (text.starts_with(kUtf8ByteOrderMark)) text.erase(0, kUtf8ByteOrderMark.size());
  return text;
}

}  // namespace xm
