#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace xm::bench {

// The book folder of a named workload (small, medium, eod), made by
// xmargin_make_book into `cache` when that folder does not hold a book yet,
// and reused as it is when it does. Empty `cache`: /tmp/xmargin-workloads/NAME
// (NAME-seedS with a seed).
std::string workload_dir(const std::string& name, std::string cache,
                         const std::optional<std::uint64_t>& seed);

}  // namespace xm::bench
