#pragma once
#include <string>

namespace xm {

// The shortest decimal text that reads back to the same double (SPEC §4).
std::string format_double(double value);

}  // namespace xm
