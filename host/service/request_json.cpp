#include "service/request_json.hpp"

#include <cmath>
#include <set>

#include "io/json_locator.hpp"
#include "io/loaders.hpp"
#include "report/csv_cell.hpp"
#include "report/number_format.hpp"
#include "service/memory_file.hpp"
#include "service/request_error.hpp"
#include "xmargin/error.hpp"

namespace xm::service {
namespace {

// Where the parser is: one frame per open object or array, for the pointer of
// a duplicate key and the depth limit.
struct Frame {
  bool array = false;
  std::size_t count = 0;  // elements done, in an array
  std::string key;        // the key being read, in an object
  std::set<std::string> keys;
};

std::string pointer_of(const std::vector<Frame>& frames) {
  std::string pointer;
  for (const Frame& frame : frames) {
    pointer += "/" + (frame.array ? std::to_string(frame.count) : escape_pointer_token(frame.key));
  }
  return pointer;
}

const char* type_name(const Json& value) {
  if (value.is_object()) return "an object";
  if (value.is_array()) return "an array";
  if (value.is_string()) return "a string";
  if (value.is_number()) return "a number";
  if (value.is_boolean()) return "true or false";
  return "null";
}

[[noreturn]] void refuse(const std::string& pointer, const std::string& expected,
                         const Json& found) {
  throw RequestError(400, pointer, "expected " + expected + ", found " + type_name(found));
}

void only_keys(const Json& object, const std::string& pointer,
               std::initializer_list<const char*> known) {
  if (!object.is_object()) refuse(pointer, "an object", object);
  for (const auto& [key, value] : object.items()) {
    bool found = false;
    for (const char* name : known) found |= key == name;
    if (!found) {
      std::string names;
      for (const char* name : known) names += (names.empty() ? "" : ", ") + std::string(name);
      throw RequestError(400, pointer + "/" + escape_pointer_token(key),
                         "unknown key '" + key + "' (known: " + names + ")");
    }
  }
}

const Json& required(const Json& object, const char* key, const std::string& pointer) {
  const auto found = object.find(key);
  if (found == object.end()) {
    throw RequestError(400, pointer + "/" + key, std::string("the key '") + key + "' is required");
  }
  return *found;
}

// An id: a non-empty string without surrounding blanks or control
// characters, as a CSV cell reads back.
std::string id_at(const Json& object, const char* key, const std::string& pointer) {
  const Json& value = required(object, key, pointer);
  const std::string where = pointer + "/" + key;
  if (!value.is_string()) refuse(where, "a string id", value);
  const std::string id = value.get<std::string>();
  bool control = false;
  for (unsigned char c : id) control |= c < 0x20 || c == 0x7f;
  if (id.empty() || control || id.front() == ' ' || id.back() == ' ' || id.size() > 256) {
    throw RequestError(400, where,
                       "expected an id of 1 to 256 characters without control characters or "
                       "surrounding blanks");
  }
  return id;
}

double quantity_at(const Json& object, const std::string& pointer) {
  const Json& value = required(object, "quantity", pointer);
  if (!value.is_number()) refuse(pointer + "/quantity", "a number", value);
  const double quantity = value.get<double>();
  if (!std::isfinite(quantity)) {
    throw RequestError(400, pointer + "/quantity", "expected a finite number");
  }
  return quantity;
}

const Json& array_at(const Json& object, const char* key, const std::string& pointer,
                     std::size_t most) {
  const Json& value = required(object, key, pointer);
  if (!value.is_array()) refuse(pointer + "/" + key, "an array", value);
  if (value.size() > most) {
    throw RequestError(
        400, pointer + "/" + key,
        "at most " + std::to_string(most) + " entries, found " + std::to_string(value.size()));
  }
  return value;
}

// instruments.csv's columns, in the order the rows are written out.
constexpr const char* kInstrumentColumns[] = {"instrument", "type",      "strike", "right",
                                              "style",      "on",        "vol",    "underlying",
                                              "expiry",     "multiplier"};

// A request's value as the CSV cell instruments.csv would hold: a number as
// margins.csv writes it, a string quoted where it needs to be.
std::string cell_of(const Json& value, const std::string& pointer) {
  if (value.is_number()) return format_double(value.get<double>());
  if (!value.is_string()) refuse(pointer, "a string or a number", value);
  return csv_cell(value.get<std::string>());
}

// The request's instrument rows read by instruments.csv's own loader, from an
// in-memory file: its error's line and column name the row and key.
std::vector<Instrument> read_instruments(const Json& rows, const Market& market) {
  std::string csv;
  for (const char* column : kInstrumentColumns) csv += std::string(csv.empty() ? "" : ",") + column;
  csv += "\n";
  // Byte column where each cell of each row starts, to map an error back.
  std::vector<std::vector<std::size_t>> starts;
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const std::string pointer = "/instruments/" + std::to_string(k);
    const Json& row = rows[k];
    only_keys(row, pointer,
              {"instrument", "type", "strike", "right", "style", "on", "vol", "underlying",
               "expiry", "multiplier"});
    std::string line;
    starts.emplace_back();
    for (const char* column : kInstrumentColumns) {
      if (!line.empty()) line += ",";
      starts.back().push_back(line.size() + 1);
      const auto found = row.find(column);
      if (found != row.end()) line += cell_of(*found, pointer + "/" + column);
    }
    if (line.find('\n') != std::string::npos || line.find('\r') != std::string::npos) {
      throw RequestError(400, pointer, "a cell may not hold a line break");
    }
    csv += line + "\n";
  }
  const MemoryFile file("instruments.csv", csv);
  try {
    return load_instruments(file.path(), market);
  } catch (const InputError& error) {
    const LocatedMessage located = split_location(error.what(), file.path());
    const std::size_t line = located.line, column = located.column;
    std::string pointer = "/instruments";
    if (line >= 2 && line - 2 < starts.size()) {
      pointer += "/" + std::to_string(line - 2);
      const std::vector<std::size_t>& cells = starts[line - 2];
      for (std::size_t c = cells.size(); c-- > 0;) {
        if (column >= cells[c]) {
          pointer += std::string("/") + kInstrumentColumns[c];
          break;
        }
      }
    }
    throw RequestError(400, pointer, located.message);
  }
}

}  // namespace

Json parse_request(const std::string& body) {
  std::vector<Frame> frames;
  const Json::parser_callback_t check = [&frames](int, Json::parse_event_t event,
                                                  Json& parsed) -> bool {
    switch (event) {
      case Json::parse_event_t::object_start:
      case Json::parse_event_t::array_start:
        if (frames.size() >= static_cast<std::size_t>(kMaxRequestDepth)) {
          throw RequestError(400, pointer_of(frames),
                             "nested deeper than " + std::to_string(kMaxRequestDepth) + " levels");
        }
        frames.push_back(Frame{event == Json::parse_event_t::array_start, 0, {}, {}});
        break;
      case Json::parse_event_t::key: {
        Frame& frame = frames.back();
        frame.key = parsed.get<std::string>();
        if (!frame.keys.insert(frame.key).second) {
          throw RequestError(400, pointer_of(frames), "the key '" + frame.key + "' appears twice");
        }
        break;
      }
      case Json::parse_event_t::object_end:
      case Json::parse_event_t::array_end:
        frames.pop_back();
        [[fallthrough]];
      case Json::parse_event_t::value:
        if (!frames.empty() && frames.back().array) ++frames.back().count;
        break;
    }
    return true;
  };
  try {
    return Json::parse(body, check);
  } catch (const Json::exception& error) {
    throw RequestError(400, "", std::string("the body is not JSON: ") + error.what());
  }
}

WhatIf read_what_if(const std::string& body, const Market& market) {
  const Json request = parse_request(body);
  only_keys(request, "", {"account", "trades", "instruments"});
  WhatIf what_if;
  what_if.account = id_at(request, "account", "");
  if (request.contains("instruments")) {
    what_if.instruments =
        read_instruments(array_at(request, "instruments", "", kMaxAddedInstruments), market);
  }
  const Json& trades = array_at(request, "trades", "", kMaxTradesPerRequest);
  for (std::size_t k = 0; k < trades.size(); ++k) {
    const std::string pointer = "/trades/" + std::to_string(k);
    only_keys(trades[k], pointer, {"instrument", "quantity"});
    what_if.trades.push_back(Trade{"", id_at(trades[k], "instrument", pointer),
                                   quantity_at(trades[k], pointer), pointer});
  }
  return what_if;
}

std::vector<Trade> read_trades(const std::string& body) {
  const Json request = parse_request(body);
  only_keys(request, "", {"trades"});
  const Json& rows = array_at(request, "trades", "", kMaxTradesPerRequest);
  if (rows.empty()) throw RequestError(400, "/trades", "expected at least one trade");
  std::vector<Trade> trades;
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const std::string pointer = "/trades/" + std::to_string(k);
    only_keys(rows[k], pointer, {"account", "instrument", "quantity"});
    trades.push_back(Trade{id_at(rows[k], "account", pointer),
                           id_at(rows[k], "instrument", pointer), quantity_at(rows[k], pointer),
                           pointer});
  }
  return trades;
}

Json read_market_change(const std::string& body) {
  Json change = parse_request(body);
  only_keys(change, "", {"underlyings", "valuation_date"});
  if (change.contains("valuation_date") && !change["valuation_date"].is_string()) {
    refuse("/valuation_date", "a date string YYYY-MM-DD", change["valuation_date"]);
  }
  const Json& underlyings = array_at(change, "underlyings", "", kMaxTradesPerRequest);
  for (std::size_t k = 0; k < underlyings.size(); ++k) {
    const std::string pointer = "/underlyings/" + std::to_string(k);
    only_keys(underlyings[k], pointer,
              {"id", "price", "vol", "rate", "dividend_yield", "vol_surface"});
    id_at(underlyings[k], "id", pointer);
    for (const char* key : {"price", "vol", "rate", "dividend_yield"}) {
      if (underlyings[k].contains(key) && !underlyings[k][key].is_number()) {
        refuse(pointer + "/" + key, "a number", underlyings[k][key]);
      }
    }
    if (underlyings[k].contains("vol_surface") && !underlyings[k]["vol_surface"].is_object() &&
        !underlyings[k]["vol_surface"].is_null()) {
      refuse(pointer + "/vol_surface", "an object, or null for none",
             underlyings[k]["vol_surface"]);
    }
  }
  return change;
}

}  // namespace xm::service
