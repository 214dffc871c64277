#pragma once
#include <cstddef>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "xmargin/date.hpp"

namespace xm {

// Limits that keep a wrong or hostile file (a binary, a quote never closed, a
// line of commas) from taking unbounded memory or flooding the terminal.
inline constexpr std::size_t kMaxCsvRowBytes = std::size_t{1} << 20;  // 1 MiB
inline constexpr std::size_t kMaxCsvColumns = 65'536;
inline constexpr std::size_t kMaxQuotedCellChars = 80;

// Lets maps keyed by std::string be searched with a std::string_view, so the
// loaders look cells up without building a string per row.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const noexcept {
    return std::hash<std::string_view>{}(text);
  }
};
template <typename Value>
using StringMap = std::unordered_map<std::string, Value, StringHash, std::equal_to<>>;

// A cell's text in quotes for an error message, cut after kMaxQuotedCellChars
// characters (never inside a UTF-8 character) so that one runaway cell cannot
// make the message unreadable.
std::string quote_cell(std::string_view text);

// A CSV file (SPEC §2) read one row at a time: header row, comma separated,
// cells matched by column name. Only a bounded buffer is held, whatever the
// size of the file. Every cell remembers its column so that any complaint
// about it names file:line:column. Cells are trimmed of surrounding blanks;
// double-quoted cells may hold commas, quotes ("") and newlines; blank lines
// are skipped; LF and CRLF line ends are read, CR-only ones refused; a UTF-8
// byte order mark at the start is skipped and does not count as a column.
class CsvReader {
 public:
  // Text views into the reader's buffer: valid until the next call to next().
  struct Cell {
    std::string_view text;
    std::size_t column = 0;  // 1-based byte column where the cell starts
  };
  struct Row {
    std::size_t line = 0;  // 1-based line where the row starts
    std::vector<Cell> cells;
  };
  struct Column {
    std::string name;
    std::size_t column = 0;
  };

  enum class UnknownColumns { reject, ignore };

  // Opens the file and checks the header against the expected columns: each of
  // `required` must be present, each other column must be in `optional` unless
  // `unknown` is ignore.
  CsvReader(const std::string& path, const std::vector<std::string>& required,
            const std::vector<std::string>& optional,
            UnknownColumns unknown = UnknownColumns::reject);
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // Reads the next data row, which must have as many cells as the header;
  // false at the end of the file.
  bool next(Row& row);

  const std::string& path() const { return path_; }
  const std::vector<Column>& header() const { return header_; }

  // Index of a column by name, or nullopt.
  std::optional<std::size_t> find(std::string_view name) const;
  std::size_t index(std::string_view name) const;  // must exist

  // Cell accessors; each throws InputError naming file:line:column and the column.
  const Cell& cell(const Row& row, std::size_t column) const { return row.cells[column]; }
  bool is_empty(const Row& row, std::optional<std::size_t> column) const;
  std::string_view text(const Row& row, std::size_t column) const;  // required, non-empty
  double number(const Row& row, std::size_t column) const;          // required, finite
  std::optional<double> optional_number(const Row& row, std::optional<std::size_t> column) const;
  Date date(const Row& row, std::size_t column) const;

  [[noreturn]] void fail(const Row& row, std::size_t column, const std::string& message) const;
  [[noreturn]] void fail_line(std::size_t line, const std::string& message) const;

 private:
  std::string path_;
  std::ifstream in_;
  std::unique_ptr<char[]> buffer_;
  std::size_t pos_ = 0, end_ = 0;  // unread bytes are buffer_[pos_, end_)
  bool at_eof_ = false;
  std::size_t line_ = 1;
  std::vector<Column> header_;
  StringMap<std::size_t> by_name_;

  void refill();
  // Splits the next row, header or data, into cells; false at the end of the file.
  bool split_row(Row& row, std::size_t max_cells);
  [[noreturn]] void too_many_cells(std::size_t line, const Cell& cell) const;
};

// Whether `text` is well-formed UTF-8 (RFC 3629).
bool is_valid_utf8(std::string_view text);

// Parses a finite decimal number; nullopt for anything else ("nan", "1e999", "1x").
std::optional<double> parse_finite_number(std::string_view text);

}  // namespace xm
