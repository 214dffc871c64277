#include "service/market_update.hpp"

#include <map>

#include "io/bounds.hpp"
#include "io/loaders.hpp"
#include "service/memory_file.hpp"
#include "service/request_error.hpp"
#include "xmargin/date.hpp"
#include "xmargin/error.hpp"

namespace xm::service {
namespace {

// The document printed one value per line, with the JSON pointer of what
// each line holds, so that a loader's line number names a field again.
class PointerPrinter {
 public:
  void print(const Json& value, const std::string& pointer, const std::string& indent, bool last) {
    const std::string comma = last ? "" : ",";
    if (value.is_object() && !value.empty()) {
      text_ += "{";
      end_line(pointer);
      std::size_t left = value.size();
      for (const auto& [key, member] : value.items()) {
        text_ += indent + "  " + Json(key).dump() + ": ";
        print(member, pointer + "/" + key, indent + "  ", --left == 0);
      }
      text_ += indent + "}" + comma;
      end_line(pointer);
    } else if (value.is_array() && !value.empty()) {
      text_ += "[";
      end_line(pointer);
      for (std::size_t i = 0; i < value.size(); ++i) {
        text_ += indent + "  ";
        print(value[i], pointer + "/" + std::to_string(i), indent + "  ", i + 1 == value.size());
      }
      text_ += indent + "]" + comma;
      end_line(pointer);
    } else {
      text_ += value.dump() + comma;
      end_line(pointer);
    }
  }
  const std::string& text() const { return text_; }
  // The pointer of 1-based line `line` ("" when out of range).
  std::string pointer_of(std::size_t line) const {
    return line >= 1 && line <= lines_.size() ? lines_[line - 1] : "";
  }

 private:
  std::string text_;
  std::vector<std::string> lines_;
  void end_line(const std::string& pointer) {
    text_ += "\n";
    lines_.push_back(pointer);
  }
};

}  // namespace

MergedMarket merge_market_change(const Json& document, const Json& change,
                                 const VolSurfaceSettings& settings,
                                 const std::vector<Instrument>& instruments) {
  auto merged = std::make_shared<Json>(document);
  // Document underlying m → the request's entry that changed it.
  std::map<std::size_t, std::size_t> changed_by;
  Json& underlyings = (*merged)["underlyings"];
  const Json& entries = change["underlyings"];
  for (std::size_t k = 0; k < entries.size(); ++k) {
    const std::string id = entries[k]["id"].get<std::string>();
    std::size_t m = 0;
    while (m < underlyings.size() && underlyings[m].value("id", "") != id) ++m;
    if (m == underlyings.size()) {
      throw RequestError(422, "/underlyings/" + std::to_string(k) + "/id",
                         "unknown underlying '" + id + "' (not in market.json)");
    }
    if (!changed_by.emplace(m, k).second) {
      throw RequestError(400, "/underlyings/" + std::to_string(k) + "/id",
                         "underlying '" + id + "' is listed twice");
    }
    for (const auto& [key, value] : entries[k].items()) {
      if (value.is_null()) {
        underlyings[m].erase(key);
      } else {
        underlyings[m][key] = value;
      }
    }
  }
  if (change.contains("valuation_date")) (*merged)["valuation_date"] = change["valuation_date"];

  PointerPrinter printer;
  printer.print(*merged, "", "", true);
  const MemoryFile file("market.json", printer.text());
  MergedMarket result;
  try {
    result.market = load_market(file.path(), settings);
  } catch (const InputError& error) {
    const LocatedMessage located = split_location(error.what(), file.path());
    // "/underlyings/m/key…" → the entry that changed underlying m.
    std::string pointer = printer.pointer_of(located.line);
    const std::string prefix = "/underlyings/";
    if (pointer.rfind(prefix, 0) == 0) {
      const std::size_t end = pointer.find('/', prefix.size());
      const std::size_t m = std::stoul(pointer.substr(prefix.size(), end - prefix.size()));
      const std::string rest = end == std::string::npos ? "" : pointer.substr(end);
      const auto by = changed_by.find(m);
      pointer = by == changed_by.end() ? "" : prefix + std::to_string(by->second) + rest;
    }
    // A field the change left alone fails with the new valuation date (a
    // surface's expiry before it): the date is what to change.
    if (pointer.empty() && change.contains("valuation_date")) pointer = "/valuation_date";
    throw RequestError(400, pointer, "market.json after the change: " + located.message);
  }
  for (const Instrument& inst : instruments) {
    const Date date = result.market.valuation_date;
    if (inst.expiry <= date || inst.expiry - date > kMaxDaysToExpiry) {
      throw RequestError(422, "/valuation_date",
                         "instrument '" + inst.id + "' expires on " + format_iso_date(inst.expiry) +
                             ": it must expire after the valuation date " + format_iso_date(date) +
                             " and at most 100 years after it");
    }
  }
  result.document = std::move(merged);
  return result;
}

}  // namespace xm::service
