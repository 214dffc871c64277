// Reading the generator's files with deliberately simple code, independent of the loaders
// under test elsewhere: CSVs without quoting, addressed by column name, and market.json as the
// generator writes it.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace xm::test::book_files {

namespace fs = std::filesystem;

// The whole file, or "" when it cannot be read (callers compare it with what they expect).
inline std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::vector<std::string> split(const std::string& line, char sep) {
  std::vector<std::string> out;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, sep)) out.push_back(cell);
  if (!line.empty() && line.back() == sep) out.emplace_back();
  return out;
}

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  std::size_t column(const std::string& name) const {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) ADD_FAILURE() << "missing column " << name;
    return static_cast<std::size_t>(it - header.begin());
  }
  std::vector<std::string> values(const std::string& name) const {
    const std::size_t c = column(name);
    std::vector<std::string> out;
    for (const auto& row : rows) out.push_back(c < row.size() ? row[c] : std::string());
    return out;
  }
};

inline Table read_csv(const fs::path& path) {
  Table t;
  const std::vector<std::string> lines = lines_of(read_text(path));
  if (lines.empty()) {
    ADD_FAILURE() << path << " is empty";
    return t;
  }
  t.header = split(lines[0], ',');
  for (std::size_t i = 1; i < lines.size(); ++i) {
    t.rows.push_back(split(lines[i], ','));
    EXPECT_EQ(t.rows.back().size(), t.header.size()) << path << ":" << i + 1;
  }
  return t;
}

// One row of instruments.csv, by column name.
struct InstrumentRow {
  std::string id, type, underlying, expiry, strike, right, style, on, vol;
};

inline std::vector<InstrumentRow> read_instruments(const fs::path& path) {
  const Table t = read_csv(path);
  const std::size_t c_id = t.column("instrument");
  const std::size_t c_type = t.column("type");
  const std::size_t c_underlying = t.column("underlying");
  const std::size_t c_expiry = t.column("expiry");
  const std::size_t c_strike = t.column("strike");
  const std::size_t c_right = t.column("right");
  const std::size_t c_style = t.column("style");
  const std::size_t c_on = t.column("on");
  const std::size_t c_vol = t.column("vol");
  std::vector<InstrumentRow> out;
  for (const auto& row : t.rows) {
    if (row.size() != t.header.size()) continue;  // read_csv has reported it
    out.push_back({row[c_id], row[c_type], row[c_underlying], row[c_expiry], row[c_strike],
                   row[c_right], row[c_style], row[c_on], row[c_vol]});
  }
  return out;
}

// market.json as written by the generator: "valuation_date" and one {"id", "price"} per
// underlying.
struct Market {
  std::string valuation_date;
  std::map<std::string, double> prices;
};

inline std::string json_string_after(const std::string& text, const std::string& key,
                                     std::size_t from, std::size_t& end) {
  const std::string pattern = "\"" + key + "\": \"";
  const std::size_t start = text.find(pattern, from);
  if (start == std::string::npos) {
    end = std::string::npos;
    return {};
  }
  const std::size_t value = start + pattern.size();
  end = text.find('"', value);
  return text.substr(value, end - value);
}

inline Market read_market(const fs::path& path) {
  Market m;
  const std::string text = read_text(path);
  std::size_t end = 0;
  m.valuation_date = json_string_after(text, "valuation_date", 0, end);
  std::size_t pos = 0;
  while (true) {
    const std::string id = json_string_after(text, "id", pos, end);
    if (end == std::string::npos) break;
    const std::string price_key = "\"price\": ";
    const std::size_t price = text.find(price_key, end);
    if (price == std::string::npos) break;
    m.prices[id] = std::strtod(text.c_str() + price + price_key.size(), nullptr);
    pos = price;
  }
  return m;
}

}  // namespace xm::test::book_files
