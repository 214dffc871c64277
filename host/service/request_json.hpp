#pragma once
// The service's request bodies (docs/service.md), read strictly: JSON nested
// at most kMaxRequestDepth deep, no key twice in an object, no key the endpoint
// does not know, every field of the type and within the bounds the loaders
// ask of the same field in the input files. A refusal is a RequestError 400
// naming the field by JSON pointer.
#include <string>
#include <vector>

#include "service/book_changes.hpp"
#include "service/json.hpp"

namespace xm::service {

inline constexpr int kMaxRequestDepth = 16;
// Trades in one what-if or one batch; instruments one what-if may add.
inline constexpr std::size_t kMaxTradesPerRequest = 10'000;
inline constexpr std::size_t kMaxAddedInstruments = 100;

Json parse_request(const std::string& body);

// POST /v1/whatif: {"account", "trades": [{"instrument", "quantity"}], "instruments"?}.
// The added instruments are read as rows of instruments.csv against `market`.
WhatIf read_what_if(const std::string& body, const Market& market);

// POST /v1/trades: {"trades": [{"account", "instrument", "quantity"}]}.
std::vector<Trade> read_trades(const std::string& body);

// PUT /v1/market: {"underlyings": [{"id", "price"?, "vol"?, "rate"?,
// "dividend_yield"?, "vol_surface"?}], "valuation_date"?}, its keys and their
// types checked; the values are checked by market.json's loader once merged
// (service/market_update.hpp).
Json read_market_change(const std::string& body);

}  // namespace xm::service
