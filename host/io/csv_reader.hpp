#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "xmargin/date.hpp"

namespace xm {

// A CSV file read whole (SPEC §2): header row, comma separated, cells matched by
// column name. Every cell remembers its line and column so that any later
// complaint about it names file:line:column. Cells are trimmed of surrounding
// blanks; double-quoted cells may hold commas, quotes ("") and newlines; blank
// lines are skipped.
class CsvTable {
 public:
  struct Cell {
    std::string text;
    std::size_t column = 0;  // 1-based character column where the cell starts
  };
  struct Row {
    std::size_t line = 0;  // 1-based line where the row starts
    std::vector<Cell> cells;
  };

  enum class UnknownColumns { reject, ignore };

  // Reads the file and checks the header against the expected columns: each of
  // `required` must be present, each other column must be in `optional` unless
  // `unknown` is ignore. Every row must have as many cells as the header.
  static CsvTable read(const std::string& path, const std::vector<std::string>& required,
                       const std::vector<std::string>& optional,
                       UnknownColumns unknown = UnknownColumns::reject);

  const std::string& path() const { return path_; }
  const std::vector<Cell>& header() const { return header_; }
  const std::vector<Row>& rows() const { return rows_; }

  // Index of a column by name, or nullopt.
  std::optional<std::size_t> find(std::string_view name) const;
  std::size_t index(std::string_view name) const;  // must exist

  // Cell accessors; each throws InputError naming file:line:column and the column.
  const Cell& cell(const Row& row, std::size_t column) const { return row.cells[column]; }
  bool is_empty(const Row& row, std::optional<std::size_t> column) const;
  const std::string& text(const Row& row, std::size_t column) const;  // required, non-empty
  double number(const Row& row, std::size_t column) const;            // required, finite
  std::optional<double> optional_number(const Row& row, std::optional<std::size_t> column) const;
  Date date(const Row& row, std::size_t column) const;

  [[noreturn]] void fail(const Row& row, std::size_t column, const std::string& message) const;
  [[noreturn]] void fail_line(std::size_t line, const std::string& message) const;

 private:
  std::string path_;
  std::vector<Cell> header_;
  std::vector<Row> rows_;
  std::unordered_map<std::string, std::size_t> by_name_;
};

// Parses a finite decimal number; nullopt for anything else ("nan", "1e999", "1x").
std::optional<double> parse_finite_number(std::string_view text);

}  // namespace xm
