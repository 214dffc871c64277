#include "xmargin/error.hpp"

namespace xm {
namespace {

std::string locate(const std::string& file, std::size_t line, std::size_t column,
                   const std::string& message) {
  std::string where = file;
  if (line > 0) where.append(":").append(std::to_string(line));
  if (line > 0 && column > 0) where.append(":").append(std::to_string(column));
  return where.append(": ").append(message);
}

}  // namespace

InputError::InputError(const std::string& file, std::size_t line, std::size_t column,
                       const std::string& message)
    : std::runtime_error(locate(file, line, column, message)) {}

void throw_logic_error(const char* condition, const std::string& message, const char* file,
                       int line) {
  std::string text = "internal error at ";
  text.append(file).append(":").append(std::to_string(line)).append(": ").append(message);
  throw LogicError(text.append(" (").append(condition).append(")"));
}

}  // namespace xm
