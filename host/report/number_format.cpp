#include "report/number_format.hpp"

#include <charconv>

namespace xm {

std::string format_double(double value) {
  if (value == 0.0) return "0";  // also folds −0.0, which reads as a loss of "-0"
  char text[32];
  const auto result = std::to_chars(text, text + sizeof text, value);
  return std::string(text, result.ptr);
}

}  // namespace xm
