#pragma once
// The JSON type of the service's bodies, journal and market document: keys
// kept in the order written, so answers read in a fixed order.
#include <nlohmann/json.hpp>

namespace xm::service {
using Json = nlohmann::ordered_json;
}  // namespace xm::service
