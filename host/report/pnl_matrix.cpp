#include "report/csv_cell.hpp"
#include "report/number_format.hpp"
#include "xmargin/error.hpp"
#include "xmargin/report.hpp"

namespace xm {

void write_pnl_matrix(std::ostream& out, const std::vector<std::string>& ids,
                      const std::vector<double>& pnl, std::size_t scenario_count) {
  XM_EXPECTS(pnl.size() == ids.size() * scenario_count, "P&L matrix shape");
  out << "id";
  for (std::size_t s = 0; s < scenario_count; ++s) out << ",s" << s;
  out << '\n';
  for (std::size_t a = 0; a < ids.size(); ++a) {
    out << csv_cell(ids[a]);
    for (std::size_t s = 0; s < scenario_count; ++s)
      out << ',' << format_double(pnl[a * scenario_count + s]);
    out << '\n';
  }
}

}  // namespace xm
