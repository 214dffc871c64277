#include "report/csv_cell.hpp"
#include "report/number_format.hpp"
#include "xmargin/report.hpp"

namespace xm {

void write_components_csv(std::ostream& out, const std::vector<ComponentRow>& rows,
                          const ComponentMask& mask) {
  out << "level,id";
  for (std::size_t k = 0; k < kComponentCount; ++k) {
    out << ',' << component_name(static_cast<Component>(k));
  }
  out << '\n';
  for (const ComponentRow& row : rows) {
    out << (row.level == RowLevel::account ? "account" : "group") << ',' << csv_cell(row.id);
    for (std::size_t k = 0; k < kComponentCount; ++k) {
      out << ',';
      if (mask[k]) out << format_double(row.values.value[k]);
    }
    out << '\n';
  }
}

}  // namespace xm
