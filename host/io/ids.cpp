#include "io/loaders.hpp"
#include "xmargin/error.hpp"

namespace xm {

IdIndex index_ids(const std::vector<std::string>& ids) {
  IdIndex index;
  for (std::size_t i = 0; i < ids.size(); ++i) index.emplace(ids[i], i);
  return index;
}

const std::string& unique_id(const CsvTable& table, const CsvTable::Row& row, std::size_t column,
                             std::unordered_set<std::string>& seen, const char* kind) {
  const std::string& id = table.text(row, column);
  if (!seen.insert(id).second) {
    table.fail(row, column, std::string("duplicate ") + kind + " id '" + id + "'");
  }
  return id;
}

}  // namespace xm
