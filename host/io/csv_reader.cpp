#include "io/csv_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "io/input_file.hpp"
#include "xmargin/error.hpp"

namespace xm {
namespace {

std::string read_file(const std::string& path) {
  std::string text = read_input_file(path);
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);  // UTF-8 byte order mark
  return text;
}

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

// Splits the text into rows of cells, tracking where each cell starts.
std::vector<CsvTable::Row> split_rows(const std::string& path, const std::string& text) {
  std::vector<CsvTable::Row> rows;
  std::size_t line = 1, column = 1, pos = 0;
  const std::size_t size = text.size();

  auto advance = [&](char c) {
    if (c == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  };

  while (pos < size) {
    CsvTable::Row row;
    row.line = line;
    bool row_done = false;
    bool row_has_content = false;
    while (!row_done) {
      while (pos < size && is_blank(text[pos])) advance(text[pos++]);
      CsvTable::Cell cell;
      cell.column = column;
      const std::size_t cell_line = line;
      if (pos < size && text[pos] == '"') {
        row_has_content = true;
        advance(text[pos++]);
        bool closed = false;
        while (pos < size) {
          const char c = text[pos];
          if (c == '"') {
            if (pos + 1 < size && text[pos + 1] == '"') {
              cell.text += '"';
              advance(text[pos++]);
              advance(text[pos++]);
              continue;
            }
            advance(text[pos++]);
            closed = true;
            break;
          }
          cell.text += c;
          advance(text[pos++]);
        }
        if (!closed) throw InputError(path, cell_line, cell.column, "unterminated quoted cell");
        while (pos < size && is_blank(text[pos])) advance(text[pos++]);
        if (pos < size && text[pos] != ',' && text[pos] != '\n' && text[pos] != '\r') {
          throw InputError(path, line, column, "unexpected text after a quoted cell");
        }
      } else {
        while (pos < size && text[pos] != ',' && text[pos] != '\n' && text[pos] != '\r') {
          if (text[pos] == '"') {
            throw InputError(path, line, column, "a quote may only start a cell");
          }
          cell.text += text[pos];
          advance(text[pos++]);
        }
        while (!cell.text.empty() && is_blank(cell.text.back())) cell.text.pop_back();
        if (!cell.text.empty()) row_has_content = true;
      }
      row.cells.push_back(std::move(cell));
      if (pos < size && text[pos] == ',') {
        row_has_content = true;
        advance(text[pos++]);
        continue;
      }
      if (pos < size && text[pos] == '\r') ++pos;  // CRLF line ends
      if (pos < size && text[pos] == '\n') advance(text[pos++]);
      row_done = true;
    }
    if (row_has_content) rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

std::optional<double> parse_finite_number(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  double value = 0.0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

CsvTable CsvTable::read(const std::string& path, const std::vector<std::string>& required,
                        const std::vector<std::string>& optional, UnknownColumns unknown) {
  CsvTable table;
  table.path_ = path;
  std::vector<Row> rows = split_rows(path, read_file(path));
  if (rows.empty()) throw InputError(path, 1, 0, "empty file: expected a header row");
  table.header_ = std::move(rows.front().cells);
  const std::size_t header_line = rows.front().line;
  rows.erase(rows.begin());

  for (std::size_t c = 0; c < table.header_.size(); ++c) {
    const Cell& name = table.header_[c];
    if (name.text.empty()) throw InputError(path, header_line, name.column, "empty column name");
    if (!table.by_name_.emplace(name.text, c).second) {
      throw InputError(path, header_line, name.column, "duplicate column '" + name.text + "'");
    }
    const bool known = std::find(required.begin(), required.end(), name.text) != required.end() ||
                       std::find(optional.begin(), optional.end(), name.text) != optional.end();
    if (!known && unknown == UnknownColumns::reject) {
      std::string expected;
      for (const auto& list : {required, optional})
        for (const auto& n : list) expected += (expected.empty() ? "" : ", ") + n;
      throw InputError(path, header_line, name.column,
                       "unknown column '" + name.text + "' (expected: " + expected + ")");
    }
  }
  for (const std::string& name : required) {
    if (!table.by_name_.contains(name)) {
      throw InputError(path, header_line, 0, "missing required column '" + name + "'");
    }
  }
  for (const Row& row : rows) {
    if (row.cells.size() > table.header_.size()) {
      throw InputError(
          path, row.line, row.cells[table.header_.size()].column,
          "too many cells: the header has " + std::to_string(table.header_.size()) + " columns");
    }
    if (row.cells.size() < table.header_.size()) {
      throw InputError(path, row.line, 0,
                       "too few cells: expected " + std::to_string(table.header_.size()) +
                           ", found " + std::to_string(row.cells.size()));
    }
  }
  table.rows_ = std::move(rows);
  return table;
}

std::optional<std::size_t> CsvTable::find(std::string_view name) const {
  const auto it = by_name_.find(std::string(name));
  if (it == by_name_.end()) return std::nullopt;
  return it->second;
}

std::size_t CsvTable::index(std::string_view name) const {
  const auto column = find(name);
  if (!column) throw InputError(path_, 1, 0, "missing column '" + std::string(name) + "'");
  return *column;
}

bool CsvTable::is_empty(const Row& row, std::optional<std::size_t> column) const {
  return !column || row.cells[*column].text.empty();
}

const std::string& CsvTable::text(const Row& row, std::size_t column) const {
  const Cell& c = row.cells[column];
  if (c.text.empty()) fail(row, column, "empty required cell");
  return c.text;
}

double CsvTable::number(const Row& row, std::size_t column) const {
  const std::string& raw = text(row, column);
  const auto value = parse_finite_number(raw);
  if (!value) fail(row, column, "expected a finite number, found '" + raw + "'");
  return *value;
}

std::optional<double> CsvTable::optional_number(const Row& row,
                                                std::optional<std::size_t> column) const {
  if (is_empty(row, column)) return std::nullopt;
  return number(row, *column);
}

Date CsvTable::date(const Row& row, std::size_t column) const {
  const std::string& raw = text(row, column);
  const auto value = parse_iso_date(raw);
  if (!value) fail(row, column, "expected a date YYYY-MM-DD, found '" + raw + "'");
  return *value;
}

void CsvTable::fail(const Row& row, std::size_t column, const std::string& message) const {
  throw InputError(path_, row.line, row.cells[column].column,
                   "column '" + header_[column].text + "': " + message);
}

void CsvTable::fail_line(std::size_t line, const std::string& message) const {
  throw InputError(path_, line, 0, message);
}

}  // namespace xm
