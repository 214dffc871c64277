// The book's files in the formats of SPEC §2, and the summary on stdout. Every number goes
// through text.hpp's fixed formats; files are written in binary mode ("\n" everywhere).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "accounts.hpp"
#include "instruments.hpp"
#include "vol_surfaces.hpp"

namespace make_book {

void write_file(const std::filesystem::path& path, const std::string& content);

// `surfaces`: one per stock, or none (flat vols only).
std::string market_json(std::int64_t valuation_date, const std::vector<Stock>& stocks,
                        const std::vector<Surface>& surfaces = {});
std::string instruments_csv(const std::vector<Stock>& stocks, const Catalog& cat);
std::string positions_csv(const Book& book, const Catalog& cat);
std::string accounts_csv(const Book& book);
// ES at 99% with time decay, historical scenarios over `lookback_days` with a 2-day MPOR.
// `stress`: the scenarios.stress member (sample_stress_json) with the sample's
// combine and anti-procyclicality settings, or empty for none (the workloads,
// whose benchmarks compare the statistical measure alone).
std::string config_json(std::size_t lookback_days, const std::string& stress = "");
std::string sample_stress_json(const std::vector<std::string>& ids,
                               const std::vector<std::vector<double>>& prices);

inline constexpr std::size_t kMporDays = 2;

void print_summary(const Book& book, const Catalog& cat, const std::vector<Stock>& stocks);
// The fitted model and the range of the surfaces' ATM vols and skews.
void print_surfaces(const std::vector<Surface>& surfaces, const SurfaceModel& model);

}  // namespace make_book
