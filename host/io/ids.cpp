#include <algorithm>

#include "io/loaders.hpp"
#include "xmargin/error.hpp"

namespace xm {

IdIndex index_ids(const std::vector<std::string>& ids) {
  IdIndex index;
  for (std::size_t i = 0; i < ids.size(); ++i) index.emplace(ids[i], i);
  return index;
}

std::pair<std::size_t, bool> IdRegistry::insert(std::string_view id) {
  if (ascending()) {
    if (ids_.empty() || ids_.back() < id) {
      ids_.emplace_back(id);
      return {ids_.size() - 1, true};
    }
    for (std::size_t i = 0; i < ids_.size(); ++i) index_.emplace(ids_[i], i);
  }
  if (const auto found = index_.find(id); found != index_.end()) return {found->second, false};
  ids_.emplace_back(id);
  index_.emplace(ids_.back(), ids_.size() - 1);
  return {ids_.size() - 1, true};
}

std::optional<std::string> underlying_id_problem(std::string_view id) {
  if (id.empty()) return "empty id";
  if (id == "*") return "'*' stands for every underlying in stress shocks and cannot be an id";
  if (id == "date") return "'date' is history.csv's date column and cannot be an id";
  if (id.find('@') != std::string_view::npos) {
    return "an underlying id may not contain '@', which marks a tenor column (<id>.vol@30d)";
  }
  for (const std::string_view suffix : {".vol", ".vol_shift", ".price_factor"}) {
    if (id.size() >= suffix.size() && id.substr(id.size() - suffix.size()) == suffix) {
      return "an underlying id may not end in '" + std::string(suffix) +
             "', which marks a column of history or scenario files";
    }
  }
  return std::nullopt;
}

void sort_by_id(std::vector<Account>& accounts) {
  const auto by_id = [](const Account& a, const Account& b) { return a.id < b.id; };
  if (!std::is_sorted(accounts.begin(), accounts.end(), by_id)) {
    std::sort(accounts.begin(), accounts.end(), by_id);
  }
}

std::string_view unique_id(const CsvReader& table, const CsvReader::Row& row, std::size_t column,
                           IdRegistry& seen, const char* kind) {
  const std::string_view id = table.text(row, column);
  if (!seen.insert(id).second) {
    table.fail(row, column, std::string("duplicate ") + kind + " id " + quote_cell(id));
  }
  return id;
}

}  // namespace xm
