#include "report/atomic_files.hpp"
#include "report/csv_cell.hpp"
#include "report/number_format.hpp"
#include "xmargin/report.hpp"

namespace xm {

void write_margins_csv(std::ostream& out, const std::vector<MarginRow>& rows) {
  out << "level,id,margin,var,es,worst_loss,worst_scenario,isolated_margin,offset_benefit,"
         "collateral,excess,positions\n";
  for (const MarginRow& row : rows) {
    out << (row.level == RowLevel::account ? "account" : "group") << ',' << csv_cell(row.id) << ','
        << format_double(row.margin) << ',' << format_double(row.var) << ','
        << format_double(row.es) << ',' << format_double(row.worst_loss) << ','
        << row.worst_scenario << ',' << format_double(row.isolated_margin) << ','
        << format_double(row.offset_benefit) << ',' << format_double(row.collateral) << ','
        << format_double(row.excess) << ',' << row.positions << '\n';
  }
}

void write_margins_csv(const std::string& path, const std::vector<MarginRow>& rows) {
  write_atomically(path, [&](std::ostream& out) { write_margins_csv(out, rows); });
}

}  // namespace xm
