#pragma once
// From the raw measurements to the figures: medians, throughputs, ratios. The
// report is a table for people, then exactly one line of JSON holding every
// figure (null where not measured), for scripts.
#include <cstdio>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace xm::bench {

// The contenders, in the order of the table's columns.
inline const char* const kBackendNames[] = {"cpu1", "cpu", "cuda"};

struct Measurements {
  nlohmann::ordered_json machine;   // describe_host() plus gpu, gpu_note
  nlohmann::ordered_json workload;  // {name, dir}; the counts are added from the measurements
  nlohmann::ordered_json method;    // {repetitions, statistic, …}
  // By contender ("cpu1", "cpu", "cuda", "naive"): what measure_backend or
  // measure_naive returned, or {"why_not_run": …}, or {"error": …}.
  std::map<std::string, nlohmann::ordered_json> raw;
};

// The summary: {bench, version, date, machine, workload, method, backends,
// naive, ratios}. Every key is present; figures not measured are null.
nlohmann::ordered_json summarize(const Measurements& measurements);

// The table, then the summary on one line.
void print_report(const nlohmann::ordered_json& summary, std::FILE* out);

}  // namespace xm::bench
