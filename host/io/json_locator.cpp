#include "io/json_locator.hpp"

#include <cctype>
#include <cmath>
#include <iostream>
#include <type_traits>

#include "io/csv_reader.hpp"
#include "io/input_file.hpp"
#include "xmargin/error.hpp"

namespace xm {
namespace {

// Whether the byte at `offset` ends a line: LF, or a CR that no LF follows
// (old Mac line ends, which JSON's whitespace allows).
bool ends_line(const std::string& text, std::size_t offset) {
  return text[offset] == '\n' ||
         (text[offset] == '\r' && (offset + 1 == text.size() || text[offset + 1] != '\n'));
}

// Walks text that nlohmann::json has already accepted, recording where each
// value (and each member's key) starts, keyed by JSON pointer.
class PositionIndexer {
 public:
  using Position = std::pair<std::size_t, std::size_t>;
  // `text` is nested at most kMaxJsonDepth deep (checked before), which
  // bounds this walk's recursion and the length of its pointers.
  PositionIndexer(const std::string& path, const std::string& text,
                  std::unordered_map<std::string, Position>& values,
                  std::unordered_map<std::string, Position>& keys)
      : path_(path), text_(text), values_(values), keys_(keys) {}

  void run() { value(""); }

 private:
  const std::string& path_;
  const std::string& text_;
  std::unordered_map<std::string, Position>& values_;
  std::unordered_map<std::string, Position>& keys_;
  std::size_t pos_ = 0, line_ = 1, column_ = 1;

  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void step() {
    if (ends_line(text_, pos_)) {
      ++line_;
      column_ = 1;
    } else if ((static_cast<unsigned char>(text_[pos_]) & 0xC0) != 0x80) {
      ++column_;  // count UTF-8 characters, not bytes
    }
    ++pos_;
  }
  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) step();
  }
  std::string string_token() {  // at the opening quote; returns the raw token with quotes
    const std::size_t start = pos_;
    step();
    while (pos_ < text_.size() && text_[pos_] != '"') {
      if (text_[pos_] == '\\') step();
      step();
    }
    step();
    return text_.substr(start, pos_ - start);
  }
  void value(const std::string& pointer) {
    skip_space();
    values_[pointer] = {line_, column_};
    const char c = peek();
    if (c == '{') {
      step();
      skip_space();
      if (peek() == '}') return step();
      while (true) {
        skip_space();
        const Position key_position{line_, column_};
        const std::string key = nlohmann::json::parse(string_token()).get<std::string>();
        const std::string member = pointer + "/" + escape_pointer_token(key);
        // nlohmann keeps the last of two equal keys; a file that says two
        // things is refused instead, at the second.
        if (const auto [first, added] = keys_.emplace(member, key_position); !added) {
          throw InputError(path_, key_position.first, key_position.second,
                           "duplicate key '" + key + "' (first at line " +
                               std::to_string(first->second.first) + ", column " +
                               std::to_string(first->second.second) + ")");
        }
        skip_space();
        step();  // ':'
        value(member);
        skip_space();
        if (peek() == ',') {
          step();
          continue;
        }
        return step();  // '}'
      }
    }
    if (c == '[') {
      step();
      skip_space();
      if (peek() == ']') return step();
      for (std::size_t index = 0;; ++index) {
        value(pointer + "/" + std::to_string(index));
        skip_space();
        if (peek() == ',') {
          step();
          continue;
        }
        return step();  // ']'
      }
    }
    if (c == '"') {
      string_token();
      return;
    }
    while (pos_ < text_.size() && !std::isspace(static_cast<unsigned char>(peek())) &&
           peek() != ',' && peek() != '}' && peek() != ']') {
      step();
    }
  }
};

// Line and column of a byte offset, for nlohmann's syntax errors.
std::pair<std::size_t, std::size_t> line_column_of(const std::string& text, std::size_t offset) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (ends_line(text, i)) {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

// The offset of the first '{' or '[' nested deeper than kMaxJsonDepth, or
// npos. A linear scan that only skips strings, run before the parser so that
// neither the parser's tree nor the position index grows with a hostile depth.
std::size_t too_deep_at(const std::string& text) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxJsonDepth) return i;
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return std::string::npos;
}

// nlohmann's document builder, keeping where the parser stopped: a number too
// large for a double (out_of_range 406) is thrown without a position, and
// every error must name one.
class LocatingBuilder : public nlohmann::detail::json_sax_dom_parser<nlohmann::json> {
 public:
  explicit LocatingBuilder(nlohmann::json& document) : json_sax_dom_parser(document, false) {}

  template <class Exception>
  bool parse_error(std::size_t position, const std::string& token, const Exception& error) {
    // A syntax error points at the byte that broke it; an overflow at the
    // start of its number.
    constexpr bool overflow = std::is_same_v<Exception, nlohmann::detail::out_of_range>;
    offset = overflow && position >= token.size() ? position - token.size()
                                                  : (position > 0 ? position - 1 : 0);
    message = error.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 2: …":
    // the position is given separately, so keep only the explanation.
    if (const auto tag = message.find("] "); tag != std::string::npos) message.erase(0, tag + 2);
    if (message.starts_with("parse error")) {
      if (const auto at = message.find(": "); at != std::string::npos) message.erase(0, at + 2);
    }
    // The token read so far may be a whole runaway string: quote at most
    // its start, as the CSV messages do.
    constexpr std::string_view kLastRead = "; last read: '";
    if (const auto at = message.find(kLastRead);
        at != std::string::npos && message.ends_with("'")) {
      const std::size_t start = at + kLastRead.size();
      const std::string read = message.substr(start, message.size() - 1 - start);
      message.erase(at + 2).append("last read: ").append(quote_cell(read));
    }
    return false;
  }

  std::size_t offset = 0;
  std::string message;
};

const char* type_name(const nlohmann::json& value) {
  return value.type_name();
}

}  // namespace

std::string escape_pointer_token(const std::string& key) {
  std::string token;
  for (char c : key) {
    if (c == '~') {
      token += "~0";
    } else if (c == '/') {
      token += "~1";
    } else {
      token += c;
    }
  }
  return token;
}

JsonDocument JsonDocument::read(const std::string& path) {
  return parse(path, read_input_file(path));
}

JsonDocument JsonDocument::parse(const std::string& path, const std::string& text) {
  JsonDocument document;
  document.path_ = path;
  if (const std::size_t deep = too_deep_at(text); deep != std::string::npos) {
    const auto [line, column] = line_column_of(text, deep);
    throw InputError(path, line, column,
                     "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  }
  LocatingBuilder builder(document.root_);
  if (!nlohmann::json::sax_parse(text, &builder)) {
    const auto [line, column] = line_column_of(text, builder.offset);
    throw InputError(path, line, column, "invalid JSON: " + builder.message);
  }
  document.index_positions(text);
  return document;
}

void JsonDocument::index_positions(const std::string& text) {
  PositionIndexer(path_, text, value_at_, key_at_).run();
}

InputError JsonDocument::error_at(const Pointer& at, const std::string& message) const {
  const auto it = value_at_.find(at.to_string());
  const Position where = it == value_at_.end() ? Position{} : it->second;
  const std::string name = at.empty() ? "document" : "'" + at.to_string() + "'";
  return InputError(path_, where.first, where.second, name + ": " + message);
}

ConfigSpot JsonDocument::spot(const Pointer& at) const {
  const auto it = value_at_.find(at.to_string());
  if (it == value_at_.end()) return {path_, 0, 0};
  return {path_, it->second.first, it->second.second};
}

ConfigSpot JsonDocument::key_spot(const Pointer& at) const {
  const auto it = key_at_.find(at.to_string());
  if (it == key_at_.end()) return spot(at);
  return {path_, it->second.first, it->second.second};
}

void JsonDocument::fail(const Pointer& at, const std::string& message) const {
  throw error_at(at, message);
}

std::string JsonDocument::located(const Pointer& at, const std::string& message) const {
  return error_at(at, message).what();
}

InputError JsonDocument::key_error_at(const Pointer& at, const std::string& message) const {
  const auto it = key_at_.find(at.to_string());
  if (it == key_at_.end()) return error_at(at, message);
  return InputError(path_, it->second.first, it->second.second,
                    "'" + at.to_string() + "': " + message);
}

void JsonDocument::warn_key(const Pointer& at, const std::string& message) const {
  std::cerr << "xmargin: warning: " << key_error_at(at, message).what() << "\n";
}

void JsonDocument::fail_key(const Pointer& at, const std::string& message) const {
  throw key_error_at(at, message);
}

const nlohmann::json& JsonDocument::object(const Pointer& at) const {
  const nlohmann::json& value = root_.at(at);
  if (!value.is_object()) fail(at, std::string("expected an object, found ") + type_name(value));
  return value;
}

const nlohmann::json& JsonDocument::array(const Pointer& at) const {
  const nlohmann::json& value = root_.at(at);
  if (!value.is_array()) fail(at, std::string("expected an array, found ") + type_name(value));
  return value;
}

double JsonDocument::number(const Pointer& at) const {
  const nlohmann::json& value = root_.at(at);
  if (!value.is_number()) fail(at, std::string("expected a number, found ") + type_name(value));
  const double number = value.get<double>();
  if (!std::isfinite(number)) fail(at, "expected a finite number");
  return number;
}

long long JsonDocument::integer(const Pointer& at) const {
  const nlohmann::json& value = root_.at(at);
  if (!value.is_number_integer()) {
    fail(at, std::string("expected a whole number, found ") +
                 (value.is_number() ? value.dump() : type_name(value)));
  }
  return value.get<long long>();
}

std::uint64_t JsonDocument::unsigned_integer(const Pointer& at, const std::string& name) const {
  const nlohmann::json& value = root_.at(at);
  // nlohmann keeps 0 … 2^64 − 1 exactly as number_unsigned (positive
  // literals) or number_integer; larger or fractional numbers become floats.
  const bool whole =
      value.is_number_unsigned() || (value.is_number_integer() && value.get<long long>() >= 0);
  if (!whole) {
    fail(at, name + " must be a whole number from 0 to 18446744073709551615 (2^64 - 1), found " +
                 (value.is_number() ? value.dump() : type_name(value)));
  }
  return value.get<std::uint64_t>();
}

bool JsonDocument::boolean(const Pointer& at) const {
  const nlohmann::json& value = root_.at(at);
  if (!value.is_boolean())
    fail(at, std::string("expected true or false, found ") + type_name(value));
  return value.get<bool>();
}

const std::string& JsonDocument::string(const Pointer& at) const {
  const nlohmann::json& value = root_.at(at);
  if (!value.is_string()) fail(at, std::string("expected a string, found ") + type_name(value));
  return value.get_ref<const std::string&>();
}

void JsonDocument::allow_keys(const Pointer& at, std::initializer_list<const char*> keys) const {
  for (const auto& [key, member] : object(at).items()) {
    bool known = false;
    for (const char* allowed : keys) known = known || key == allowed;
    if (!known) {
      std::string expected;
      for (const char* allowed : keys)
        expected += (expected.empty() ? "" : ", ") + std::string(allowed);
      fail_key(at / key, "unknown key '" + key + "' (expected: " + expected + ")");
    }
  }
}

}  // namespace xm
