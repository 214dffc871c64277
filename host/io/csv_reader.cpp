#include "io/csv_reader.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>

#include "io/input_file.hpp"
#include "xmargin/error.hpp"

namespace xm {
namespace {

// Room for a whole row of the maximum size plus what is read ahead of it, so
// that each refill reads a few MiB at once.
constexpr std::size_t kBufferBytes = 4 * kMaxCsvRowBytes;

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

// The bytes that end an unquoted cell, or that it may not hold, in one table:
// the scan over a cell is the loop every byte of a large file goes through.
constexpr std::array<bool, 256> kStopsUnquotedCell = [] {
  std::array<bool, 256> stops{};
  for (const unsigned char c : {',', '\n', '\r', '"'}) stops[c] = true;
  return stops;
}();

}  // namespace

std::string quote_cell(std::string_view text) {
  std::size_t cut = 0, characters = 0;
  while (cut < text.size()) {
    // A byte that is not a UTF-8 continuation byte starts a character.
    if ((static_cast<unsigned char>(text[cut]) & 0xC0) != 0x80 &&
        ++characters > kMaxQuotedCellChars) {
      break;
    }
    ++cut;
  }
  if (cut == text.size()) return "'" + std::string(text) + "'";
  return "'" + std::string(text.substr(0, cut)) + "...' (" + std::to_string(text.size()) +
         " bytes, cut)";
}

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

CsvReader::CsvReader(const std::string& path, const std::vector<std::string>& required,
                     const std::vector<std::string>& optional, UnknownColumns unknown)
    : path_(path), in_(open_input_file(path)), buffer_(new char[kBufferBytes]) {
  refill();
  if (std::string_view(buffer_.get(), end_).starts_with(kUtf8ByteOrderMark)) {
    pos_ = kUtf8ByteOrderMark.size();
  }

  Row names;
  if (!split_row(names, kMaxCsvColumns)) {
    throw InputError(path, 1, 0, "empty file: expected a header row");
  }
  for (std::size_t c = 0; c < names.cells.size(); ++c) {
    const Cell& name = names.cells[c];
    if (name.text.empty()) throw InputError(path, names.line, name.column, "empty column name");
    if (!is_valid_utf8(name.text)) {
      throw InputError(path, names.line, name.column, "the column name is not valid UTF-8");
    }
    header_.push_back({std::string(name.text), name.column});
    if (!by_name_.emplace(name.text, c).second) {
      throw InputError(path, names.line, name.column, "duplicate column " + quote_cell(name.text));
    }
    const bool known = std::find(required.begin(), required.end(), name.text) != required.end() ||
                       std::find(optional.begin(), optional.end(), name.text) != optional.end();
    if (!known && unknown == UnknownColumns::reject) {
      std::string expected;
      for (const auto& list : {required, optional})
        for (const auto& n : list) expected += (expected.empty() ? "" : ", ") + n;
      throw InputError(path, names.line, name.column,
                       "unknown column " + quote_cell(name.text) + " (expected: " + expected + ")");
    }
  }
  for (const std::string& name : required) {
    if (!by_name_.contains(name)) {
      throw InputError(path, names.line, 0, "missing required column '" + name + "'");
    }
  }
}

void CsvReader::refill() {
  // Rows are split in the buffer, so a whole row of the maximum size must be
  // there before a row is started; refilling only then keeps reads large.
  if (at_eof_ || end_ - pos_ > kMaxCsvRowBytes) return;
  std::memmove(buffer_.get(), buffer_.get() + pos_, end_ - pos_);
  end_ -= pos_;
  pos_ = 0;
  while (end_ < kBufferBytes && !at_eof_) {
    in_.read(buffer_.get() + end_, static_cast<std::streamsize>(kBufferBytes - end_));
    end_ += static_cast<std::size_t>(in_.gcount());
    if (in_.bad()) throw InputError(path_, 0, 0, "read error");
    at_eof_ = in_.eof();
  }
}

bool CsvReader::next(Row& row) {
  if (!split_row(row, header_.size())) return false;
  if (row.cells.size() < header_.size()) {
    throw InputError(path_, row.line, 0,
                     "too few cells: expected " + std::to_string(header_.size()) + ", found " +
                         std::to_string(row.cells.size()));
  }
  // Ids and labels are written back into margins.csv and margins.json, whose
  // readers expect UTF-8; the bytes are not quoted, since they are not text.
  for (std::size_t c = 0; c < row.cells.size(); ++c) {
    if (!is_valid_utf8(row.cells[c].text)) fail(row, c, "the cell is not valid UTF-8");
  }
  return true;
}

void CsvReader::too_many_cells(std::size_t line, const Cell& cell) const {
  if (header_.empty()) {
    throw InputError(path_, line, cell.column,
                     "more than " + std::to_string(kMaxCsvColumns) + " columns");
  }
  throw InputError(path_, line, cell.column,
                   "too many cells: the header has " + std::to_string(header_.size()) + " columns");
}

bool CsvReader::split_row(Row& row, std::size_t max_cells) {
  while (true) {
    refill();
    if (pos_ == end_) return false;
    char* const data = buffer_.get();
    char* const buffer_end = data + end_;
    char* const limit = data + std::min(end_, pos_ + kMaxCsvRowBytes);
    char* p = data + pos_;
    const char* line_start = p;
    row.line = line_;
    row.cells.clear();
    bool has_content = false;

    while (true) {
      while (p < limit && is_blank(*p)) ++p;
      Cell cell;
      cell.column = static_cast<std::size_t>(p - line_start) + 1;
      if (p < limit && *p == '"') {
        has_content = true;
        const std::size_t cell_line = line_;
        // Quotes are unescaped in place: the text only ever shrinks.
        char* const text = ++p;
        char* out = text;
        while (true) {
          char* quote =
              static_cast<char*>(std::memchr(p, '"', static_cast<std::size_t>(limit - p)));
          if (!quote) {
            if (limit != buffer_end) {
              throw InputError(path_, cell_line, cell.column,
                               "quoted cell runs past the 1 MiB row limit (is its closing "
                               "quote missing?)");
            }
            throw InputError(path_, cell_line, cell.column, "unterminated quoted cell");
          }
          for (const char* c = p; c < quote; ++c) {
            if (*c == '\n') {
              ++line_;
              line_start = c + 1;
            }
          }
          if (out != p) std::memmove(out, p, static_cast<std::size_t>(quote - p));
          out += quote - p;
          p = quote + 1;
          if (p < limit && *p == '"') {
            *out++ = '"';
            ++p;
            continue;
          }
          break;
        }
        cell.text = std::string_view(text, static_cast<std::size_t>(out - text));
        while (p < limit && is_blank(*p)) ++p;
        if (p < limit && *p != ',' && *p != '\n' && *p != '\r') {
          throw InputError(path_, line_, static_cast<std::size_t>(p - line_start) + 1,
                           "unexpected text after a quoted cell");
        }
      } else {
        const char* const text = p;
        while (p < limit && !kStopsUnquotedCell[static_cast<unsigned char>(*p)]) ++p;
        if (p < limit && *p == '"') {
          throw InputError(path_, line_, static_cast<std::size_t>(p - line_start) + 1,
                           "a quote may only start a cell");
        }
        const char* text_end = p;
        while (text_end > text && is_blank(text_end[-1])) --text_end;
        has_content = has_content || text_end > text;
        cell.text = std::string_view(text, static_cast<std::size_t>(text_end - text));
      }
      if (row.cells.size() == max_cells) too_many_cells(row.line, cell);
      row.cells.push_back(cell);
      if (p < limit && *p == ',') {
        has_content = true;
        ++p;
        continue;
      }
      break;
    }

    if (p == limit) {
      if (limit != buffer_end) {
        throw InputError(
            path_, row.line, 0,
            "row longer than the limit of " + std::to_string(kMaxCsvRowBytes) + " bytes (1 MiB)");
      }
    } else if (*p == '\r') {
      // A CR alone would be read as ending a row that its lines do not end,
      // and every later error would name the wrong line: refuse it.
      if (p + 1 < buffer_end && p[1] == '\n') {
        p += 2;
        ++line_;
      } else if (p + 1 == buffer_end) {
        ++p;
      } else {
        throw InputError(path_, line_, static_cast<std::size_t>(p - line_start) + 1,
                         "line ends with a carriage return alone (old Mac line ends); save the "
                         "file with LF or CRLF line ends");
      }
    } else {
      ++p;  // '\n'
      ++line_;
    }
    pos_ = static_cast<std::size_t>(p - data);
    if (has_content) return true;
  }
}

std::optional<std::size_t> CsvReader::find(std::string_view name) const {
  const auto it = by_name_.find(name);
  if (it == by_name_.end()) return std::nullopt;
  return it->second;
}

std::size_t CsvReader::index(std::string_view name) const {
  const auto column = find(name);
  if (!column) throw InputError(path_, 1, 0, "missing column '" + std::string(name) + "'");
  return *column;
}

bool CsvReader::is_empty(const Row& row, std::optional<std::size_t> column) const {
  return !column || row.cells[*column].text.empty();
}

std::string_view CsvReader::text(const Row& row, std::size_t column) const {
  const std::string_view text = row.cells[column].text;
  if (text.empty()) fail(row, column, "empty required cell");
  return text;
}

double CsvReader::number(const Row& row, std::size_t column) const {
  const std::string_view raw = text(row, column);
  const auto value = parse_finite_number(raw);
  if (!value) fail(row, column, "expected a finite number, found " + quote_cell(raw));
  return *value;
}

std::optional<double> CsvReader::optional_number(const Row& row,
                                                 std::optional<std::size_t> column) const {
  if (is_empty(row, column)) return std::nullopt;
  return number(row, *column);
}

Date CsvReader::date(const Row& row, std::size_t column) const {
  const std::string_view raw = text(row, column);
  const auto value = parse_iso_date(raw);
  if (!value) fail(row, column, "expected a date YYYY-MM-DD, found " + quote_cell(raw));
  return *value;
}

void CsvReader::fail(const Row& row, std::size_t column, const std::string& message) const {
  throw InputError(path_, row.line, row.cells[column].column,
                   "column " + quote_cell(header_[column].name) + ": " + message);
}

void CsvReader::fail_line(std::size_t line, const std::string& message) const {
  throw InputError(path_, line, 0, message);
}

bool is_valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      ++i;
      continue;
    }
    // The lead byte gives the length and the least code point of the
    // sequence: overlong forms, surrogates and values past U+10FFFF are
    // refused, as RFC 3629 requires.
    std::size_t length = 0;
    char32_t code = 0, least = 0;
    if ((byte & 0xE0) == 0xC0) {
      length = 2, code = byte & 0x1Fu, least = 0x80;
    } else if ((byte & 0xF0) == 0xE0) {
      length = 3, code = byte & 0x0Fu, least = 0x800;
    } else if ((byte & 0xF8) == 0xF0) {
      length = 4, code = byte & 0x07u, least = 0x10000;
    } else {
      return false;
    }
    if (text.size() - i < length) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3Fu);
    }
    if (code < least || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += length;
  }
  return true;
}

}  // namespace xm
