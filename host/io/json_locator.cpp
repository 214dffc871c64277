#include "io/json_locator.hpp"

#include <cctype>
#include <cmath>

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

// Walks text that nlohmann::json has already accepted, recording where each
// value (and each member's key) starts, keyed by JSON pointer.
class PositionIndexer {
 public:
  using Position = std::pair<std::size_t, std::size_t>;
  PositionIndexer(const std::string& text, std::unordered_map<std::string, Position>& values,
                  std::unordered_map<std::string, Position>& keys)
      : text_(text), values_(values), keys_(keys) {}

  void run() { value(""); }

 private:
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
        keys_[member] = key_position;
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

const char* type_name(const nlohmann::json& value) {
  return value.type_name();
}

}  // namespace

JsonDocument JsonDocument::read(const std::string& path) {
  return parse(path, read_input_file(path));
}

JsonDocument JsonDocument::parse(const std::string& path, const std::string& text) {
  JsonDocument document;
  document.path_ = path;
  try {
    document.root_ = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& error) {
    const std::size_t offset = error.byte > 0 ? error.byte - 1 : 0;
    const auto [line, column] = line_column_of(text, offset);
    std::string message = error.what();
    // nlohmann's text repeats the position; keep only its explanation.
    if (const auto at = message.find(": "); at != std::string::npos) message.erase(0, at + 2);
    throw InputError(path, line, column, "invalid JSON: " + message);
  }
  document.index_positions(text);
  return document;
}

void JsonDocument::index_positions(const std::string& text) {
  PositionIndexer(text, value_at_, key_at_).run();
}

InputError JsonDocument::error_at(const Pointer& at, const std::string& message) const {
  const auto it = value_at_.find(at.to_string());
  const Position where = it == value_at_.end() ? Position{} : it->second;
  const std::string name = at.empty() ? "document" : "'" + at.to_string() + "'";
  return InputError(path_, where.first, where.second, name + ": " + message);
}

void JsonDocument::fail(const Pointer& at, const std::string& message) const {
  throw error_at(at, message);
}

std::string JsonDocument::located(const Pointer& at, const std::string& message) const {
  return error_at(at, message).what();
}

void JsonDocument::fail_key(const Pointer& at, const std::string& message) const {
  const auto it = key_at_.find(at.to_string());
  if (it == key_at_.end()) fail(at, message);
  throw InputError(path_, it->second.first, it->second.second,
                   "'" + at.to_string() + "': " + message);
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
