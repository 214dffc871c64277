// The command line of xmargin_make_book.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace make_book {

inline constexpr std::size_t kDefaultAccounts = 600;
inline constexpr std::uint64_t kDefaultSeed = 20010102;

struct Options {
  std::string history;  // empty with --workload: the compiled-in default
  std::string out;
  std::string workload;  // empty: the sample book from --history
  std::size_t accounts = kDefaultAccounts;
  std::uint64_t seed = kDefaultSeed;
  bool surfaces = true;  // --surfaces on|off; a workload has none unless asked
  bool surfaces_given = false;
  bool help = false;
};

// Throws UsageError on anything it cannot accept.
Options parse_options(int argc, char** argv);

extern const char* const kUsage;

}  // namespace make_book
