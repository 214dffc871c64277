#include "report.hpp"

#include <algorithm>
#include <ctime>
#include <functional>
#include <tuple>
#include <vector>

#include "report_text.hpp"

namespace xm::bench {
namespace {

using json = nlohmann::ordered_json;

// a / b, or null when either is missing or b is not positive.
json ratio(const json& a, const json& b) {
  if (!a.is_number() || !b.is_number() || b.get<double>() <= 0.0) return nullptr;
  return a.get<double>() / b.get<double>();
}

json median_of(const json& repetitions, const char* key) {
  std::vector<double> values;
  for (const json& repetition : repetitions) values.push_back(repetition.at(key).get<double>());
  return median(values);
}

std::string why_not_run(const json& raw) {
  if (raw.contains("error")) return "failed: " + raw["error"].get<std::string>();
  return raw.value("why_not_run", std::string("not measured"));
}

// The figures of one backend from its raw repetitions; `work` is the counts.
json backend_figures(const std::string& name, const json& raw, const json& work) {
  json out = {
      {"run", false},
      {"why_not_run", nullptr},
      {"device", nullptr},
      {"threads", nullptr},
      {"init_s", nullptr},
      {"stages_s", nullptr},
      {"backend_s", nullptr},
      {"in_memory_s", nullptr},
      {"end_to_end_s", nullptr},
      {"first_in_memory_s", nullptr},
      {"first_end_to_end_s", nullptr},
      {"instrument_revaluations_per_s", {{"revalue_stage", nullptr}, {"backend_run", nullptr}}},
      {"position_scenarios_per_s", {{"in_memory", nullptr}, {"end_to_end", nullptr}}},
      {"peak_host_bytes", nullptr},
      {"planned_bytes", nullptr},
      {"peak_device_bytes", nullptr},
      {"plan", nullptr}};
  if (!raw.contains("repetitions")) {
    out["why_not_run"] = why_not_run(raw);
    return out;
  }
  const json& repetitions = raw["repetitions"];
  out["run"] = true;
  for (const char* key : {"device", "threads", "init_s", "plan", "peak_host_bytes"})
    out[key] = raw.value(key, json());
  out["planned_bytes"] = raw["plan"]["bytes"];
  // The cuda backend's device memory is one allocation of the plan's bytes
  // (kernels/device_pool.cuh); the bench makes no CUDA call of its own.
  if (name == "cuda") out["peak_device_bytes"] = raw["plan"]["bytes"];

  // Median per stage, in the order the stages ran.
  json stages = json::object();
  std::vector<std::string> order;
  for (const json& stage : repetitions[0]["stages"]) order.push_back(stage[0]);
  for (const std::string& stage : order) {
    std::vector<double> seconds;
    for (const json& repetition : repetitions)
      for (const json& timing : repetition["stages"])
        if (timing[0] == stage) seconds.push_back(timing[1]);
    stages[stage] = median(seconds);
  }
  out["stages_s"] = stages;
  out["in_memory_s"] = median_of(repetitions, "in_memory_s");
  out["end_to_end_s"] = median_of(repetitions, "end_to_end_s");
  out["first_in_memory_s"] = repetitions[0]["in_memory_s"];
  out["first_end_to_end_s"] = repetitions[0]["end_to_end_s"];
  // The backend's own time: the in-memory run less the host's margin rows.
  std::vector<double> backend;
  for (const json& repetition : repetitions) {
    double rows = 0.0;
    for (const json& timing : repetition["stages"])
      if (timing[0] == "margins") rows = timing[1];
    backend.push_back(repetition["in_memory_s"].get<double>() - rows);
  }
  out["backend_s"] = median(backend);

  const double revaluations = work["instruments"].get<double>() * work["scenarios"].get<double>();
  const double position_scenarios =
      work["positions"].get<double>() * work["scenarios"].get<double>();
  out["instrument_revaluations_per_s"] = {
      {"revalue_stage", ratio(revaluations, stages.value("revalue", json()))},
      {"backend_run", ratio(revaluations, out["backend_s"])}};
  out["position_scenarios_per_s"] = {
      {"in_memory", ratio(position_scenarios, out["in_memory_s"])},
      {"end_to_end", ratio(position_scenarios, out["end_to_end_s"])}};
  return out;
}

json naive_figures(const json& raw, const json& work) {
  json out = {{"run", false},
              {"why_not_run", nullptr},
              {"threads", 1},
              {"positions_sampled", nullptr},
              {"seconds", nullptr},
              {"position_scenarios_per_s", nullptr},
              {"whole_book_estimate_s", nullptr},
              {"peak_host_bytes", nullptr}};
  if (!raw.contains("seconds")) {
    out["why_not_run"] = why_not_run(raw);
    return out;
  }
  out["run"] = true;
  out["positions_sampled"] = raw["positions_sampled"];
  out["peak_host_bytes"] = raw["peak_host_bytes"];
  out["seconds"] = median(raw["seconds"].get<std::vector<double>>());
  const double scenarios = work["scenarios"].get<double>();
  const json rate = ratio(raw["positions_sampled"].get<double>() * scenarios, out["seconds"]);
  out["position_scenarios_per_s"] = rate;
  // The loop's cost grows with positions: the whole book at the sample's rate.
  out["whole_book_estimate_s"] = ratio(work["positions"].get<double>() * scenarios, rate);
  return out;
}

// ---- formatting for the table ----

std::string seconds_text(const json& value) {
  if (!value.is_number()) return kNone;
  const double s = value.get<double>();
  if (s >= 1.0) return formatted("%.2f s", s);
  if (s >= 1e-3) return formatted("%.1f ms", s * 1e3);
  return formatted("%.0f µs", s * 1e6);
}

std::string rate_text(const json& value) {
  if (!value.is_number()) return kNone;
  const double r = value.get<double>();
  if (r >= 1e9) return formatted("%.3g G/s", r / 1e9);
  if (r >= 1e6) return formatted("%.3g M/s", r / 1e6);
  if (r >= 1e3) return formatted("%.3g k/s", r / 1e3);
  return formatted("%.3g /s", r);
}

std::string bytes_text(const json& value) {
  if (!value.is_number()) return kNone;
  const double b = value.get<double>();
  if (b >= 1024.0 * 1024 * 1024) return formatted("%.2f GiB", b / (1024.0 * 1024 * 1024));
  return formatted("%.1f MiB", b / (1024.0 * 1024));
}

std::string times_text(const json& value) {
  return value.is_number() ? formatted("%.1f×", value.get<double>()) : kNone;
}

void print_row(std::FILE* out, const std::string& label, const json& backends,
               const std::function<std::string(const json&)>& cell) {
  std::string line = "  " + padded(label, 42);
  for (const char* name : kBackendNames) line += padded(cell(backends[name]), 14);
  while (!line.empty() && line.back() == ' ') line.pop_back();
  std::fprintf(out, "%s\n", line.c_str());
}

}  // namespace

json summarize(const Measurements& measurements) {
  json work = measurements.workload;
  for (const auto& [name, raw] : measurements.raw) {
    if (raw.contains("workload")) {
      work.update(raw["workload"]);
      break;
    }
  }
  for (const char* key :
       {"accounts", "groups", "positions", "instruments", "underlyings", "scenarios", "portfolios"})
    if (!work.contains(key)) work[key] = nullptr;

  auto raw_of = [&](const std::string& name) {
    const auto found = measurements.raw.find(name);
    return found == measurements.raw.end() ? json{{"why_not_run", "not requested (--backends)"}}
                                           : found->second;
  };
  json backends = json::object();
  // Only a contender that ran has figures, and it brought the counts.
  for (const char* name : kBackendNames) backends[name] = backend_figures(name, raw_of(name), work);
  const json naive = naive_figures(raw_of("naive"), work);

  const json& cpu = backends["cpu"];
  const json& cuda = backends["cuda"];
  // Throughput ratios: on the same book, the inverse ratio of the times.
  const json ratios = {
      {"cuda_over_cpu",
       {{"in_memory", ratio(cpu["in_memory_s"], cuda["in_memory_s"])},
        {"end_to_end", ratio(cpu["end_to_end_s"], cuda["end_to_end_s"])},
        {"revalue_stage", ratio(cuda["instrument_revaluations_per_s"]["revalue_stage"],
                                cpu["instrument_revaluations_per_s"]["revalue_stage"])}}},
      {"cpu1_over_naive", ratio(backends["cpu1"]["position_scenarios_per_s"]["in_memory"],
                                naive["position_scenarios_per_s"])}};
  return {{"bench", "xmargin_bench"}, {"version", XM_VERSION},
          {"date", today_utc()},      {"machine", measurements.machine},
          {"workload", work},         {"method", measurements.method},
          {"backends", backends},     {"naive", naive},
          {"ratios", ratios}};
}

void print_report(const json& summary, std::FILE* out) {
  const json& machine = summary["machine"];
  const json& work = summary["workload"];
  const json& method = summary["method"];
  const json& backends = summary["backends"];
  const json& naive = summary["naive"];

  std::fprintf(out, "machine: %s, %s cores, %s memory, load average %s at the start; GPU: %s\n",
               machine["cpu"].get<std::string>().c_str(), machine["cores"].dump().c_str(),
               bytes_text(machine["memory_bytes"]).c_str(), machine["load_average"].dump().c_str(),
               machine["gpu"].is_string()
                   ? machine["gpu"].get<std::string>().c_str()
                   : ("none (" + machine["gpu_note"].get<std::string>() + ")").c_str());
  std::fprintf(out, "workload: %s (%s)\n", work["name"].get<std::string>().c_str(),
               work["dir"].get<std::string>().c_str());
  if (work["scenarios"].is_number()) {
    std::fprintf(out,
                 "  %s accounts, %s groups, %s positions, %s instruments, %s underlyings, "
                 "%s scenarios, %s portfolio rows\n",
                 count_text(work["accounts"]).c_str(), count_text(work["groups"]).c_str(),
                 count_text(work["positions"]).c_str(), count_text(work["instruments"]).c_str(),
                 count_text(work["underlyings"]).c_str(), count_text(work["scenarios"]).c_str(),
                 count_text(work["portfolios"]).c_str());
  }
  std::fprintf(out, "method: %s\n\n", method["summary"].get<std::string>().c_str());

  for (const char* name : kBackendNames) {
    const json& b = backends[name];
    std::fprintf(out, "  %-5s %s\n", name,
                 b["run"] ? b["device"].get<std::string>().c_str()
                          : ("not run: " + b["why_not_run"].get<std::string>()).c_str());
  }
  std::fprintf(out, "\n");
  std::string header = "  " + padded("", 42);
  for (const char* name : kBackendNames) header += padded(name, 14);
  while (header.back() == ' ') header.pop_back();
  std::fprintf(out, "%s\n", header.c_str());

  // Stage rows: every stage some backend ran, in the order it first appears.
  std::vector<std::string> stages;
  for (const char* name : kBackendNames) {
    if (!backends[name]["stages_s"].is_object()) continue;
    for (const auto& [stage, seconds] : backends[name]["stages_s"].items())
      if (std::find(stages.begin(), stages.end(), stage) == stages.end()) stages.push_back(stage);
  }
  auto field = [](const char* key) { return [key](const json& b) { return b[key]; }; };
  print_row(out, "backend init (once, not in the runs)", backends,
            [&](const json& b) { return seconds_text(field("init_s")(b)); });
  for (const std::string& stage : stages) {
    print_row(out, "stage " + stage, backends, [&](const json& b) {
      return b["stages_s"].is_object() ? seconds_text(b["stages_s"].value(stage, json())) : kNone;
    });
  }
  const std::pair<const char*, const char*> times[] = {
      {"backend run (in memory)", "backend_s"},
      {"in memory: backend run + margin rows", "in_memory_s"},
      {"end to end from the files", "end_to_end_s"},
      {"end to end, first run", "first_end_to_end_s"}};
  for (const auto& [label, key] : times)
    print_row(out, label, backends, [&](const json& b) { return seconds_text(b[key]); });
  const std::tuple<const char*, const char*, const char*> rates[] = {
      {"instrument revaluations/s, revalue stage", "instrument_revaluations_per_s",
       "revalue_stage"},
      {"instrument revaluations/s, backend run", "instrument_revaluations_per_s", "backend_run"},
      {"position-scenarios/s, in memory", "position_scenarios_per_s", "in_memory"},
      {"position-scenarios/s, end to end", "position_scenarios_per_s", "end_to_end"}};
  for (const auto& [label, group, key] : rates)
    print_row(out, label, backends, [&](const json& b) { return rate_text(b[group][key]); });
  print_row(out, "peak host memory (the process)", backends,
            [](const json& b) { return bytes_text(b["peak_host_bytes"]); });
  print_row(out, "planned backend memory (device for cuda)", backends,
            [](const json& b) { return bytes_text(b["planned_bytes"]); });

  std::fprintf(out, "\nnaive QuantLib, 1 thread: ");
  if (naive["run"]) {
    std::fprintf(out,
                 "%s of %s positions × %s scenarios in %s: %s position-scenarios; the whole "
                 "book would take about %s\n",
                 count_text(naive["positions_sampled"]).c_str(),
                 count_text(work["positions"]).c_str(), count_text(work["scenarios"]).c_str(),
                 seconds_text(naive["seconds"]).c_str(),
                 rate_text(naive["position_scenarios_per_s"]).c_str(),
                 seconds_text(naive["whole_book_estimate_s"]).c_str());
  } else {
    std::fprintf(out, "not run: %s\n", naive["why_not_run"].get<std::string>().c_str());
  }
  const json& ratios = summary["ratios"];
  std::fprintf(out, "ratios (measured in this run):\n");
  std::fprintf(out, "  cuda / cpu, in memory                 %s\n",
               times_text(ratios["cuda_over_cpu"]["in_memory"]).c_str());
  std::fprintf(out, "  cuda / cpu, end to end                %s\n",
               times_text(ratios["cuda_over_cpu"]["end_to_end"]).c_str());
  std::fprintf(out, "  cuda / cpu, revalue stage             %s\n",
               times_text(ratios["cuda_over_cpu"]["revalue_stage"]).c_str());
  std::fprintf(out, "  cpu (1 thread) / naive QuantLib       %s\n",
               times_text(ratios["cpu1_over_naive"]).c_str());
  std::fprintf(out, "%s\n", summary.dump().c_str());
}

}  // namespace xm::bench
