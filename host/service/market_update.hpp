#pragma once
// PUT /v1/market's change merged into the service's market (docs/service.md):
// the market is kept as the JSON document market.json gave, each change
// merged into it key by key, and the result read back by market.json's own
// loader, so an update is checked by the very rules, and gives the very
// Market, that `xmargin run` on the changed market.json would.
#include <memory>
#include <vector>

#include "service/json.hpp"
#include "xmargin/book.hpp"
#include "xmargin/config.hpp"

namespace xm::service {

struct MergedMarket {
  std::shared_ptr<const Json> document;  // market.json with the change merged in
  Market market;
};

// `change` is read_market_change's. Each listed underlying's keys replace the
// document's (vol_surface null removes the surface); an unknown underlying
// is a 422. A value market.json's loader refuses is a 400 at the request's
// field; a valuation date on or after an instrument's expiry, a 422.
MergedMarket merge_market_change(const Json& document, const Json& change,
                                 const VolSurfaceSettings& settings,
                                 const std::vector<Instrument>& instruments);

}  // namespace xm::service
