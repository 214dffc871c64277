#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>

#include <nlohmann/json.hpp>

#include "xmargin/config.hpp"
#include "xmargin/error.hpp"

namespace xm {

// Deeper nesting is refused with its position: no input needs more than a
// few levels, and a hostile depth must not cost time or stack.
inline constexpr std::size_t kMaxJsonDepth = 64;

// A key as one token of a JSON pointer (RFC 6901: "~" as "~0", "/" as "~1").
std::string escape_pointer_token(const std::string& key);

// A JSON input file parsed with nlohmann::json, plus where each value and each
// object key starts in the text, so that a complaint about any value names
// file:line:column (nlohmann::json keeps no positions).
class JsonDocument {
 public:
  using Pointer = nlohmann::json::json_pointer;

  static JsonDocument read(const std::string& path);
  static JsonDocument parse(const std::string& path, const std::string& text);

  const std::string& path() const { return path_; }
  const nlohmann::json& root() const { return root_; }

  // Errors at the value, or at the key of an object member.
  [[noreturn]] void fail(const Pointer& at, const std::string& message) const;
  [[noreturn]] void fail_key(const Pointer& at, const std::string& message) const;
  // The text `fail` would throw, for a warning that names the same spot.
  std::string located(const Pointer& at, const std::string& message) const;
  // A warning on stderr at the key of an object member: a key that is read
  // but has no effect in this config, and that SPEC's own examples carry, so
  // it cannot be an error.
  void warn_key(const Pointer& at, const std::string& message) const;

  // Where the value at `at` (or its key) starts, for a check made later.
  ConfigSpot spot(const Pointer& at) const;
  ConfigSpot key_spot(const Pointer& at) const;

  // Typed access; each fails with the value's position when the type is wrong.
  const nlohmann::json& object(const Pointer& at) const;
  const nlohmann::json& array(const Pointer& at) const;
  double number(const Pointer& at) const;  // finite
  long long integer(const Pointer& at) const;
  // A whole number from 0 to 2^64 − 1; `name` starts the message that says so.
  std::uint64_t unsigned_integer(const Pointer& at, const std::string& name) const;
  bool boolean(const Pointer& at) const;
  const std::string& string(const Pointer& at) const;
  // Rejects keys of the object at `at` that are not listed.
  void allow_keys(const Pointer& at, std::initializer_list<const char*> keys) const;

 private:
  using Position = std::pair<std::size_t, std::size_t>;  // line, column (1-based)
  std::string path_;
  nlohmann::json root_;
  std::unordered_map<std::string, Position> value_at_;
  std::unordered_map<std::string, Position> key_at_;

  void index_positions(const std::string& text);
  InputError error_at(const Pointer& at, const std::string& message) const;
  // At the key of an object member; at its value where the key is not known.
  InputError key_error_at(const Pointer& at, const std::string& message) const;
};

}  // namespace xm
