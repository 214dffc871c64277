#pragma once
// Readers of config.json's optional members, shared by the loader's parts
// (host/io/config_loader.cpp, host/io/config_margin_rules.cpp).
#include <string>
#include <utility>

#include "io/json_locator.hpp"
#include "report/number_format.hpp"

namespace xm {

using Pointer = JsonDocument::Pointer;

// Readers of one optional member of the object at `at`: each leaves `value`
// as it is when the key is absent and fails at the value when it is out of range.
class SourceReader {
 public:
  SourceReader(const JsonDocument& doc, Pointer at)
      : doc_(doc), at_(std::move(at)), json_(doc.object(at_)) {}

  const Pointer& at() const { return at_; }
  bool has(const char* key) const { return json_.contains(key); }

  void whole(const char* key, long long low, long long high, int& value) const {
    if (!has(key)) return;
    const long long number = doc_.integer(at_ / key);
    if (number < low || number > high) {
      doc_.fail(at_ / key, std::string(key) + " must be between " + std::to_string(low) + " and " +
                               std::to_string(high));
    }
    value = static_cast<int>(number);
  }

  // A number strictly between `low` and `high`.
  void open_interval(const char* key, double low, double high, double& value) const {
    if (!has(key)) return;
    const double number = doc_.number(at_ / key);
    if (!(number > low && number < high)) {
      doc_.fail(at_ / key, std::string(key) + " must be strictly between " + format_double(low) +
                               " and " + format_double(high));
    }
    value = number;
  }

  // SPEC §5: a source's share of the pooled tail; zero would only waste its scenarios.
  // A number in [low, high].
  void closed_interval(const char* key, double low, double high, double& value) const {
    if (!has(key)) return;
    const double number = doc_.number(at_ / key);
    if (!(number >= low && number <= high)) {
      doc_.fail(at_ / key, std::string(key) + " must be between " + format_double(low) + " and " +
                               format_double(high));
    }
    value = number;
  }

  void weight(double& value) const {
    if (!has("weight")) return;
    const double number = doc_.number(at_ / "weight");
    if (!(number > 0.0)) doc_.fail(at_ / "weight", "weight must be > 0");
    value = number;
  }

 private:
  const JsonDocument& doc_;
  Pointer at_;
  const nlohmann::json& json_;
};

// The value named by the string at `at`, one of two; else an error listing both.
template <typename Value>
Value one_of(const JsonDocument& doc, const Pointer& at,
             const std::pair<const char*, Value> (&choices)[2]) {
  const std::string& name = doc.string(at);
  for (const auto& [text, value] : choices) {
    if (name == text) return value;
  }
  doc.fail(at, std::string("expected \"") + choices[0].first + "\" or \"" + choices[1].first +
                   "\", found \"" + name + "\"");
}

inline constexpr long long kMaxLookbackDays = 1'000'000;
inline constexpr long long kMaxMporDays = 1000;

// SPEC §5.3 and §5.4 (host/io/config_margin_rules.cpp). Checks that need the
// market or the history (underlyings, dates) come later, at the spots kept.
StressConfig read_stress(const JsonDocument& doc, const Pointer& at);
CombineConfig read_combine(const JsonDocument& doc, const Pointer& at);
AntiProcyclicality read_anti_procyclicality(const JsonDocument& doc, const Pointer& at);

}  // namespace xm
