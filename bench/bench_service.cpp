// Intraday service benchmark (issue 15): `xmargin serve --backend cpu` as a
// child process, asked over HTTP by real keep-alive clients (cpp-httplib).
//
//   build/bench/xmargin_bench_service [--workload sample|small|medium (default) | --dir BOOK]
//       [--requests N] [--concurrent-requests N] [--clients C] [--warmup N]
//       [--pool N] [--max-positions P] [--select-seed S] [--runs R] [--xmargin PATH]
//
// Measures, in this order:
//   1. the server's start: from the fork to its "serving … on http://…" line
//      (load, check, pack, scenarios, the first full revaluation, listen);
//   2. what-ifs (POST /v1/whatif, one trade of +1..+5 on an instrument the
//      account holds, accounts with at most P positions, chosen by a seeded
//      generator from the book as `xmargin run` loads it) in two mixes:
//      accounts in no group, and accounts in a cross-margin group (whose
//      answer also re-evaluates the group's row). Each mix with 1 client, then
//      with C concurrent clients (one thread and one keep-alive
//      httplib::Client each), after a warm-up: latency p50/p99/p99.9/max and
//      what-ifs per second. Every answer is checked: 200, the state version,
//      and an "after" that differs from "before";
//   3. PUT /v1/market (every underlying +1%, R times) when the server answers
//      it, and the batch run's backend stage it is set against;
//   4. `xmargin run --backend cpu` on a copy of the book with the first
//      what-if's trade appended to positions.csv, R times: the ratio of its
//      median to the what-if p50.
// Prints a table, the targets (met or not; never asserted), then one
// line of JSON with every figure. Exit status 1 when an answer failed its
// check or a run failed, 2 for bad usage.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <barrier>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <httplib.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "bench_main.hpp"
#include "child_process.hpp"
#include "cli/input_options.hpp"
#include "host_info.hpp"
#include "report_text.hpp"
#include "server_process.hpp"
#include "workload.hpp"
#include "xmargin/error.hpp"
#include "xmargin/inputs.hpp"

namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;
using xm::bench::count_text;
using xm::bench::formatted;
using xm::bench::kNone;
using xm::bench::median;
using xm::bench::padded;
using xm::bench::today_utc;

// The targets.
constexpr double kTargetP99Seconds = 1e-3;        // one client
constexpr double kTargetWhatIfsPerSecond = 2000;  // 8 clients, on the 2-core machine
constexpr double kTargetMarketOverBackend = 1.2;

struct Flags {
  std::string workload = "medium";
  std::string dir;
  std::string cache;
  std::optional<std::uint64_t> seed;
  std::string xmargin;
  std::size_t requests = 20000;             // 1 client, per mix
  std::size_t concurrent_requests = 40000;  // all clients together, per mix
  int clients = 8;
  std::size_t warmup = 2000;  // per run, spread over its clients
  std::size_t pool = 1000;    // distinct what-ifs per mix
  std::size_t max_positions = 40;
  std::uint64_t select_seed = 20261206;
  int runs = 3;  // full runs and market updates; their median
};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double process_cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const auto tv = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6;
  };
  return tv(usage.ru_utime) + tv(usage.ru_stime);
}

// Nearest rank: the smallest value with at least p of the values at or below it.
double percentile(const std::vector<double>& sorted, double p) {
  const double rank = std::ceil(p * static_cast<double>(sorted.size()));
  const std::size_t index = rank < 1.0 ? 0 : static_cast<std::size_t>(rank) - 1;
  return sorted[std::min(index, sorted.size() - 1)];
}

json number_or_null(double value) {
  return std::isfinite(value) ? json(value) : json();
}

// Indices into a pool: a portable generator (mt19937_64 is specified to the
// bit; the standard distributions are not), so a seed picks the same what-ifs
// with every standard library.
std::size_t below(std::mt19937_64& rng, std::size_t n) {
  return static_cast<std::size_t>(rng() % n);
}

std::unique_ptr<httplib::Client> make_client(int port, time_t read_timeout_s) {
  auto client = std::make_unique<httplib::Client>("127.0.0.1", port);
  client->set_keep_alive(true);
  // As a latency-minded client would: no Nagle delay between the request's
  // header and body writes.
  client->set_tcp_nodelay(true);
  client->set_connection_timeout(10);
  client->set_read_timeout(read_timeout_s);
  client->set_write_timeout(60);
  return client;
}

// GET → parsed JSON; throws unless 200.
nlohmann::json get_json(httplib::Client& client, const std::string& path) {
  const httplib::Result result = client.Get(path.c_str());
  if (!result) throw std::runtime_error("GET " + path + ": " + httplib::to_string(result.error()));
  if (result->status != 200) {
    throw std::runtime_error("GET " + path + ": HTTP " + std::to_string(result->status) + ": " +
                             result->body.substr(0, 300));
  }
  return nlohmann::json::parse(result->body);
}

// ---- the what-ifs ----

struct WhatIf {
  std::string account, instrument, group;  // group empty: none
  int quantity = 0;
  std::size_t positions = 0;
  std::string body;
};

struct Pools {
  std::vector<WhatIf> standalone, grouped;
  std::size_t accounts = 0;             // in /v1/margins
  std::size_t standalone_eligible = 0;  // 1..P positions, no group
  std::size_t grouped_eligible = 0;     // 1..P positions, in a group
};

std::vector<WhatIf> draw_pool(std::vector<std::pair<WhatIf, std::vector<std::string>>> eligible,
                              std::size_t size, std::mt19937_64& rng) {
  // Fisher–Yates with the portable index above, then the first `size`.
  for (std::size_t i = eligible.size(); i > 1; --i)
    std::swap(eligible[i - 1], eligible[below(rng, i)]);
  std::vector<WhatIf> pool;
  for (std::size_t k = 0; k < std::min(size, eligible.size()); ++k) {
    auto& [what_if, held] = eligible[k];
    what_if.instrument = held[below(rng, held.size())];
    what_if.quantity = 1 + static_cast<int>(below(rng, 5));
    what_if.body = json{{"account", what_if.account},
                        {"trades", json::array({json{{"instrument", what_if.instrument},
                                                     {"quantity", what_if.quantity}}})}}
                       .dump();
    pool.push_back(std::move(what_if));
  }
  return pool;
}

// The what-ifs, from the book as `xmargin run --dir` loads it (netted
// positions, accounts.csv's groups): accounts with 1..P positions, in no group
// and in a group, drawn by the seeded generator.
Pools choose_what_ifs(const xm::Book& book, const Flags& flags) {
  Pools pools;
  pools.accounts = book.accounts.size();
  std::vector<std::vector<std::string>> held(book.accounts.size());
  for (const xm::Position& position : book.positions)
    held[position.account].push_back(book.instruments[position.instrument].id);
  std::vector<std::pair<WhatIf, std::vector<std::string>>> standalone, grouped;
  for (std::size_t a = 0; a < book.accounts.size(); ++a) {
    if (held[a].empty() || held[a].size() > flags.max_positions) continue;
    WhatIf what_if;
    what_if.account = book.accounts[a].id;
    what_if.group = book.accounts[a].group;
    what_if.positions = held[a].size();
    (what_if.group.empty() ? standalone : grouped)
        .emplace_back(std::move(what_if), std::move(held[a]));
  }
  pools.standalone_eligible = standalone.size();
  pools.grouped_eligible = grouped.size();
  std::mt19937_64 rng(flags.select_seed);
  pools.standalone = draw_pool(std::move(standalone), flags.pool, rng);
  pools.grouped = draw_pool(std::move(grouped), flags.pool, rng);
  return pools;
}

// What went wrong with answers, by kind, with the first message of each.
struct Failures {
  std::size_t count = 0;
  std::map<std::string, std::pair<std::size_t, std::string>> kinds;
  void add(const std::string& kind, const std::string& message) {
    ++count;
    auto& [n, first] = kinds[kind];
    if (n++ == 0) first = message;
  }
  void merge(const Failures& other) {
    count += other.count;
    for (const auto& [kind, entry] : other.kinds) {
      auto& [n, first] = kinds[kind];
      if (n == 0) first = entry.second;
      n += entry.first;
    }
  }
  json to_json() const {
    json out = json::object();
    for (const auto& [kind, entry] : kinds)
      out[kind] = {{"count", entry.first}, {"first", entry.second}};
    return out;
  }
};

// Whether a ROW's after differs from its before in the figures a trade moves.
bool row_moved(const nlohmann::json& pair) {
  const nlohmann::json& before = pair.at("before");
  const nlohmann::json& after = pair.at("after");
  for (const char* key : {"margin", "var", "es", "worst_loss"}) {
    if (before.at(key).get<double>() != after.at(key).get<double>()) return true;
  }
  return false;
}

// Checks one what-if answer; a failure is counted, never thrown.
void check_answer(const httplib::Result& result, const WhatIf& what_if, std::int64_t version,
                  Failures& failures, std::size_t& closed) {
  const std::string who = what_if.account + " " + what_if.instrument;
  if (!result) {
    failures.add("transport", who + ": " + httplib::to_string(result.error()));
    return;
  }
  if (result->get_header_value("Connection") == "close") ++closed;
  if (result->status != 200) {
    failures.add("status", who + ": HTTP " + std::to_string(result->status) + ": " +
                               result->body.substr(0, 200));
    return;
  }
  const nlohmann::json answer = nlohmann::json::parse(result->body, nullptr, false);
  if (answer.is_discarded()) {
    failures.add("json", who + ": not JSON");
    return;
  }
  try {
    if (answer.at("state_version").get<std::int64_t>() != version) {
      failures.add("state_version", who + ": state version " + answer["state_version"].dump());
    }
    if (answer.at("account").at("after").at("id") != what_if.account) {
      failures.add("account",
                   who + ": the answer is about " + answer["account"]["after"]["id"].dump());
    } else if (!row_moved(answer["account"])) {
      failures.add("account_unchanged", who + ": account after = before");
    }
    const nlohmann::json& group = answer.at("group");
    if (what_if.group.empty() != group.is_null()) {
      failures.add("group", who + ": group " + group.dump().substr(0, 100) + ", expected " +
                                (what_if.group.empty() ? "null" : what_if.group));
    } else if (!group.is_null() && !row_moved(group)) {
      failures.add("group_unchanged", who + ": group " + what_if.group + " after = before");
    }
  } catch (const nlohmann::json::exception& error) {
    failures.add("shape", who + ": " + error.what());
  }
}

struct RunFigures {
  int clients = 0;
  std::size_t requests = 0, warmup = 0;
  std::vector<double> latencies;  // sorted, seconds
  double wall_s = 0.0, server_cpu_s = 0.0, client_cpu_s = 0.0;
  std::size_t closed = 0;  // answers with "Connection: close"
  Failures failures;
};

// `requests` what-ifs drawn from `pool` by `clients` threads, each with its
// own keep-alive client, after `warmup` unrecorded ones; the clock runs from
// when every client has warmed up to when the last one is done.
RunFigures run_what_ifs(int port, const xm::bench::ServerProcess& server,
                        const std::vector<WhatIf>& pool, int clients, std::size_t requests,
                        std::size_t warmup, std::uint64_t seed, std::int64_t version) {
  RunFigures run;
  run.clients = clients;
  run.requests = requests;
  run.warmup = warmup;
  const auto count = static_cast<std::size_t>(clients);
  std::vector<std::vector<double>> latencies(count);
  std::vector<Failures> failures(count);
  std::vector<std::size_t> closed(count, 0);
  std::barrier ready(clients + 1);
  std::vector<std::thread> threads;
  for (std::size_t c = 0; c < count; ++c) {
    const std::size_t mine = requests / count + (c < requests % count ? 1 : 0);
    const std::size_t warm = std::max<std::size_t>(1, warmup / count);
    threads.emplace_back([&, c, mine, warm] {
      auto client = make_client(port, 60);
      std::mt19937_64 rng(seed + 0x9E3779B97F4A7C15ULL * (c + 1));
      std::size_t ignored = 0;
      Failures warm_failures;
      for (std::size_t i = 0; i < warm; ++i) {
        const WhatIf& what_if = pool[below(rng, pool.size())];
        const httplib::Result result = client->Post("/v1/whatif", what_if.body, "application/json");
        check_answer(result, what_if, version, warm_failures, ignored);
      }
      ready.arrive_and_wait();
      latencies[c].reserve(mine);
      for (std::size_t i = 0; i < mine; ++i) {
        const WhatIf& what_if = pool[below(rng, pool.size())];
        const auto start = Clock::now();
        const httplib::Result result = client->Post("/v1/whatif", what_if.body, "application/json");
        latencies[c].push_back(seconds_since(start));
        check_answer(result, what_if, version, failures[c], closed[c]);
      }
      failures[c].merge(warm_failures);
    });
  }
  ready.arrive_and_wait();
  const auto start = Clock::now();
  const double server_cpu = server.cpu_seconds();
  const double client_cpu = process_cpu_seconds();
  for (std::thread& thread : threads) thread.join();
  run.wall_s = seconds_since(start);
  run.server_cpu_s = server.cpu_seconds() - server_cpu;
  run.client_cpu_s = process_cpu_seconds() - client_cpu;
  for (std::size_t c = 0; c < count; ++c) {
    run.latencies.insert(run.latencies.end(), latencies[c].begin(), latencies[c].end());
    run.failures.merge(failures[c]);
    run.closed += closed[c];
  }
  std::sort(run.latencies.begin(), run.latencies.end());
  return run;
}

json run_json(const RunFigures& run) {
  const std::vector<double>& l = run.latencies;
  double sum = 0.0;
  for (double s : l) sum += s;
  const auto n = static_cast<double>(l.size());
  return {{"clients", run.clients},
          {"requests", run.requests},
          {"warmup", run.warmup},
          {"p50_s", l.empty() ? json() : json(percentile(l, 0.50))},
          {"p90_s", l.empty() ? json() : json(percentile(l, 0.90))},
          {"p99_s", l.empty() ? json() : json(percentile(l, 0.99))},
          {"p999_s", l.empty() ? json() : json(percentile(l, 0.999))},
          {"max_s", l.empty() ? json() : json(l.back())},
          {"mean_s", l.empty() ? json() : json(sum / n)},
          {"wall_s", run.wall_s},
          {"what_ifs_per_s", run.wall_s > 0 ? json(n / run.wall_s) : json()},
          {"server_cpu_s", run.server_cpu_s},
          {"server_cpu_per_what_if_s", l.empty() ? json() : json(run.server_cpu_s / n)},
          {"client_cpu_s", run.client_cpu_s},
          {"connections_closed_by_server", run.closed},
          {"failures", run.failures.count},
          {"failure_kinds", run.failures.to_json()}};
}

// ---- market update ----

// PUT /v1/market, every underlying of the book's market at its price × 1.01^k
// for the k-th update: the server's answer (and the client's wall time) each time.
json measure_market(int port, const std::vector<std::pair<std::string, double>>& prices, int runs,
                    Failures& failures) {
  json out = {{"available", false}, {"why_not", nullptr}, {"updates", json::array()}};
  out["underlyings"] = prices.size();
  auto client = make_client(port, 600);
  double factor = 1.0;
  for (int k = 0; k < runs; ++k) {
    factor *= 1.01;
    json moves = json::array();
    for (const auto& [id, price] : prices) moves.push_back({{"id", id}, {"price", price * factor}});
    const std::string body = json{{"underlyings", moves}}.dump();
    const auto start = Clock::now();
    const httplib::Result result = client->Put("/v1/market", body, "application/json");
    const double wall = seconds_since(start);
    if (!result) {
      failures.add("market", "PUT /v1/market: " + httplib::to_string(result.error()));
      out["why_not"] = "PUT /v1/market: " + httplib::to_string(result.error());
      return out;
    }
    if (result->status < 200 || result->status >= 300) {
      std::string why =
          "HTTP " + std::to_string(result->status) + ": " + result->body.substr(0, 200);
      while (!why.empty() && std::isspace(static_cast<unsigned char>(why.back()))) why.pop_back();
      if (k == 0) {
        out["why_not"] = why;  // the server does not answer it: not measured
      } else {
        failures.add("market", "PUT /v1/market, update " + std::to_string(k + 1) + ": " + why);
        out["why_not"] = why;
      }
      return out;
    }
    const nlohmann::json answer = nlohmann::json::parse(result->body, nullptr, false);
    json update = {{"wall_s", wall}, {"factor", factor}};
    if (!answer.is_discarded()) {
      update["state_version"] = answer.value("state_version", nlohmann::json());
      update["timings"] = answer.value("timings", nlohmann::json());
    }
    std::fprintf(stderr, "  market update %d/%d: %.3f s\n", k + 1, runs, wall);
    out["updates"].push_back(update);
  }
  out["available"] = true;
  std::vector<double> walls;
  for (const json& update : out["updates"]) walls.push_back(update["wall_s"].get<double>());
  out["median_s"] = median(walls);
  return out;
}

// ---- full runs ----

std::string xmargin_binary(const Flags& flags) {
  if (!flags.xmargin.empty()) return flags.xmargin;
  return xm::bench::tool_beside("xmargin", XM_XMARGIN_BINARY);
}

// The backend stage of a margins.json: every timed stage but the host's
// load, pack, scenarios and margin rows.
double backend_stage_seconds(const fs::path& margins_json, json& stages) {
  std::ifstream in(margins_json);
  const nlohmann::json report = nlohmann::json::parse(in);
  double seconds = 0.0;
  stages = json::object();
  for (const auto& [stage, value] : report.at("timings_seconds").items()) {
    stages[stage] = value.get<double>();
    if (stage != "load" && stage != "pack" && stage != "scenarios" && stage != "margins")
      seconds += value.get<double>();
  }
  return seconds;
}

// `xmargin run --backend cpu --dir BOOK --out OUT` once, appended to
// `result`: its wall time, its backend stage and its stages.
void time_full_run(const std::string& xmargin, const fs::path& book, const fs::path& out,
                   json& result, const char* what) {
  if (result.is_null()) {
    result = {
        {"dir", book.string()}, {"wall_s", json::array()}, {"backend_stage_s", json::array()}};
  }
  fs::remove_all(out);
  const auto start = Clock::now();
  const int status = xm::bench::run_program(
      xmargin, {"run", "--backend", "cpu", "--dir", book.string(), "--out", out.string()});
  const double wall = seconds_since(start);
  if (status != 0) {
    throw std::runtime_error("xmargin run --dir " + book.string() + " failed with exit status " +
                             std::to_string(status));
  }
  json stages;
  const double backend = backend_stage_seconds(out / "margins.json", stages);
  result["wall_s"].push_back(wall);
  result["backend_stage_s"].push_back(backend);
  result["stages_s"] = stages;  // the last run's
  result["median_wall_s"] = median(result["wall_s"].get<std::vector<double>>());
  result["median_backend_stage_s"] = median(result["backend_stage_s"].get<std::vector<double>>());
  std::fprintf(stderr, "  xmargin run, %s: %.3f s (backend stage %.3f s)\n", what, wall, backend);
}

// A copy of the book's files with one row appended to positions.csv.
void copy_book_with_trade(const fs::path& book, const fs::path& copy, const WhatIf& what_if) {
  fs::create_directories(copy);
  fs::copy(book, copy, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  const fs::path positions = copy / "positions.csv";
  std::string text;
  {
    std::ifstream in(positions, std::ios::binary);
    if (!in) throw std::runtime_error("the book has no positions.csv: " + book.string());
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::ofstream out(positions, std::ios::binary | std::ios::app);
  if (!text.empty() && text.back() != '\n') out << '\n';
  out << what_if.account << ',' << what_if.instrument << ',' << what_if.quantity << '\n';
  if (!out) throw std::runtime_error("cannot append to " + positions.string());
}

// ---- the report ----

std::string latency_text(const json& value) {
  if (!value.is_number()) return kNone;
  const double s = value.get<double>();
  if (s >= 1.0) return formatted("%.2f s", s);
  if (s >= 1e-3) return formatted("%.2f ms", s * 1e3);
  return formatted("%.0f µs", s * 1e6);
}

std::string met_text(const json& target) {
  if (!target["met"].is_boolean()) return "not measured";
  return target["met"].get<bool>() ? "MET" : "NOT MET";
}

void print_report(const json& summary, std::FILE* out) {
  const json& machine = summary["machine"];
  const json& work = summary["workload"];
  const json& server = summary["server"];
  std::fprintf(out,
               "machine: %s, %s cores, %.1f GiB, load average %s at the start, %s at the end\n",
               machine["cpu"].get<std::string>().c_str(), machine["cores"].dump().c_str(),
               machine["memory_bytes"].is_number()
                   ? machine["memory_bytes"].get<double>() / (1024.0 * 1024 * 1024)
                   : 0.0,
               machine["load_average"].dump().c_str(), summary["load_average_end"].dump().c_str());
  std::fprintf(
      out,
      "workload: %s (%s): %s accounts, %s groups, %s positions, %s instruments, %s scenarios\n",
      work["name"].get<std::string>().c_str(), work["dir"].get<std::string>().c_str(),
      count_text(work["accounts"]).c_str(), count_text(work["groups"]).c_str(),
      count_text(work["positions"]).c_str(), count_text(work["instruments"]).c_str(),
      count_text(work["scenarios"]).c_str());
  std::fprintf(out, "server: %s\n", server["command"].get<std::string>().c_str());
  std::fprintf(out,
               "  start (fork → listening, with the first full revaluation): %s; its revaluation "
               "%s (/v1/health); %s\n",
               latency_text(server["start_s"]).c_str(),
               latency_text(server["revaluation_s"]).c_str(),
               server["device"].is_string() ? server["device"].get<std::string>().c_str() : "");
  const json& method = summary["method"];
  std::fprintf(out, "what-ifs: %s\n\n", method["what_ifs"].get<std::string>().c_str());

  const std::size_t label_width = 44;
  std::string header = "  " + padded("", label_width);
  for (const char* column :
       {"requests", "p50", "p99", "p99.9", "max", "what-ifs/s", "server CPU/req"})
    header += padded(column, 12);
  while (header.back() == ' ') header.pop_back();
  std::fprintf(out, "%s\n", header.c_str());
  for (const auto& [mix, figures] : summary["what_ifs"].items()) {
    const std::string mix_label =
        mix == "standalone" ? "account in no group" : "account in a group";
    if (!figures["run"].get<bool>()) {
      std::fprintf(out, "  %s not run: %s\n", padded(mix_label, label_width).c_str(),
                   figures["why_not_run"].get<std::string>().c_str());
      continue;
    }
    for (const char* key : {"one_client", "concurrent"}) {
      const json& r = figures[key];
      const std::string label = mix_label + ", " + std::to_string(r["clients"].get<int>()) +
                                (r["clients"].get<int>() == 1 ? " client" : " clients");
      std::string line = "  " + padded(label, label_width);
      line += padded(count_text(r["requests"]), 12);
      for (const char* p : {"p50_s", "p99_s", "p999_s", "max_s"})
        line += padded(latency_text(r[p]), 12);
      line += padded(r["what_ifs_per_s"].is_number()
                         ? formatted("%.0f", r["what_ifs_per_s"].get<double>())
                         : kNone,
                     12);
      line += padded(latency_text(r["server_cpu_per_what_if_s"]), 12);
      while (line.back() == ' ') line.pop_back();
      std::fprintf(out, "%s\n", line.c_str());
    }
  }
  std::fprintf(out, "\n");

  const json& full = summary["full_run"];
  if (full["run"].get<bool>()) {
    std::fprintf(out,
                 "full `xmargin run --backend cpu` of the same question (%s %s %+d appended), "
                 "median of %zu: %s; / what-if p50 (1 client): %s\n",
                 full["account"].get<std::string>().c_str(),
                 full["instrument"].get<std::string>().c_str(), full["quantity"].get<int>(),
                 full["wall_s"].size(), latency_text(full["median_wall_s"]).c_str(),
                 full["over_what_if_p50"].is_number()
                     ? formatted("%.0f×", full["over_what_if_p50"].get<double>()).c_str()
                     : kNone);
  }
  const json& market = summary["market"];
  const json& batch = summary["batch"];
  std::fprintf(
      out, "batch run's backend stage (xmargin run --backend cpu on the book, median of %zu): %s\n",
      batch["backend_stage_s"].size(), latency_text(batch["median_backend_stage_s"]).c_str());
  if (market["available"].get<bool>()) {
    std::fprintf(out,
                 "market update (PUT /v1/market, %s underlyings +1%%, median of %zu): %s; "
                 "/ backend stage: %s\n",
                 count_text(market["underlyings"]).c_str(), market["updates"].size(),
                 latency_text(market["median_s"]).c_str(),
                 market["over_backend_stage"].is_number()
                     ? formatted("%.2f×", market["over_backend_stage"].get<double>()).c_str()
                     : kNone);
    for (const json& update : market["updates"])
      std::fprintf(out, "  update: %s, server timings %s\n", latency_text(update["wall_s"]).c_str(),
                   update.value("timings", json()).dump().c_str());
  } else {
    std::fprintf(out, "market update (PUT /v1/market): not available (%s)\n",
                 market["why_not"].is_string() ? market["why_not"].get<std::string>().c_str() : "");
  }

  const json& targets = summary["targets"];
  std::fprintf(out, "\ntargets (issue 15; reported, not asserted):\n");
  std::fprintf(out, "  p99 ≤ 1 ms, 1 client, account ≤ %s positions, no group:  %s (%s)\n",
               method["max_positions"].dump().c_str(), met_text(targets["p99_one_client"]).c_str(),
               latency_text(targets["p99_one_client"]["value"]).c_str());
  std::fprintf(
      out, "  ≥ 2,000 what-ifs/s with %s clients, same mix:          %s (%s/s)\n",
      method["clients"].dump().c_str(), met_text(targets["what_ifs_per_s_concurrent"]).c_str(),
      targets["what_ifs_per_s_concurrent"]["value"].is_number()
          ? formatted("%.0f", targets["what_ifs_per_s_concurrent"]["value"].get<double>()).c_str()
          : kNone);
  std::fprintf(out, "  market update ≤ 1.2 × the batch backend stage:          %s (%s)\n",
               met_text(targets["market_update"]).c_str(),
               targets["market_update"]["value"].is_number()
                   ? formatted("%.2f×", targets["market_update"]["value"].get<double>()).c_str()
                   : "not available");
  const json& checks = summary["checks"];
  std::fprintf(out,
               "checks: %s what-if answers, %s failed (status 200, the state version, after ≠ "
               "before for the account and its group); server exit status %s\n",
               count_text(checks["answers"]).c_str(), count_text(checks["failures"]).c_str(),
               checks["server_exit_status"].dump().c_str());
  if (checks["failures"].get<std::size_t>() > 0)
    std::fprintf(out, "  failures: %s\n", checks["failure_kinds"].dump().c_str());
  std::fprintf(out, "%s\n", summary.dump().c_str());
}

// A temporary folder removed when the bench ends.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "xmargin-bench-service-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

int run(const Flags& flags) {
  std::string name = flags.workload, dir = flags.dir;
  if (!dir.empty()) {
    name = "dir";
  } else if (name == "sample") {
    dir = XM_SAMPLE_DIR;
  } else {
    dir = xm::bench::workload_dir(name, flags.cache, flags.seed);
  }
  const std::string xmargin = xmargin_binary(flags);
  json summary = {
      {"bench", "xmargin_bench_service"}, {"version", XM_VERSION}, {"date", today_utc()}};
  summary["machine"] = xm::bench::describe_host();
  Failures failures;
  int status = 0;

  // The what-ifs and the market's prices, from the book as `xmargin run` reads it.
  Pools pools;
  std::vector<std::pair<std::string, double>> prices;
  {
    xm::cli::InputOptions inputs;
    inputs.dir = dir;
    const xm::Inputs loaded = xm::load_inputs(xm::cli::resolve_input_paths(inputs));
    pools = choose_what_ifs(loaded.book, flags);
    for (const xm::Underlying& underlying : loaded.book.market.underlyings)
      prices.emplace_back(underlying.id, underlying.price);
  }
  std::fprintf(stderr,
               "what-ifs: %zu accounts in no group and %zu in a group have 1..%zu positions\n",
               pools.standalone_eligible, pools.grouped_eligible, flags.max_positions);

  // 1. The server.
  const std::vector<std::string> arguments = {"serve", "--backend", "cpu",        "--dir",
                                              dir,     "--listen",  "127.0.0.1:0"};
  std::string command = xmargin;
  for (const std::string& argument : arguments) command += " " + argument;
  std::fprintf(stderr, "starting %s\n", command.c_str());
  xm::bench::ServerProcess server(xmargin, arguments);
  const int port = server.port();
  std::fprintf(stderr, "  listening on port %d after %.3f s\n", port, server.start_seconds());
  nlohmann::json health;
  {
    auto client = make_client(port, 60);
    health = get_json(*client, "/v1/health");
  }
  const std::int64_t state_version = health.at("state_version").get<std::int64_t>();
  summary["workload"] = {{"name", name},
                         {"dir", dir},
                         {"accounts", health.value("accounts", nlohmann::json())},
                         {"groups", health.value("groups", nlohmann::json())},
                         {"positions", health.value("positions", nlohmann::json())},
                         {"instruments", health.value("instruments", nlohmann::json())},
                         {"scenarios", health.value("scenarios", nlohmann::json())}};
  summary["server"] = {
      {"command", command},
      {"start_s", server.start_seconds()},
      {"revaluation_s", health.value("revaluation_seconds", nlohmann::json())},
      {"device", health.value("device", nlohmann::json())},
      {"threads_note", "the service's workers: max(32, 4 × cores) by default (--workers)"}};

  // 2. The what-ifs.
  summary["method"] = {
      {"what_ifs",
       "POST /v1/whatif, one trade of +1..+5 on an instrument the account holds, accounts with "
       "1.." +
           std::to_string(flags.max_positions) + " positions; " + std::to_string(flags.pool) +
           " distinct what-ifs per mix at most, seed " + std::to_string(flags.select_seed) +
           "; warm-up " + std::to_string(flags.warmup) +
           " unrecorded requests per run; latency per request from the client's send to its "
           "whole answer, keep-alive, TCP_NODELAY; every answer checked (parsed outside the "
           "clock)"},
      {"max_positions", flags.max_positions},
      {"pool", flags.pool},
      {"select_seed", flags.select_seed},
      {"warmup", flags.warmup},
      {"clients", flags.clients},
      {"runs", flags.runs},
      {"percentiles", "nearest rank over every recorded request of the run"}};
  summary["what_ifs"] = json::object();
  std::size_t answers = 0;
  const std::pair<const char*, const std::vector<WhatIf>*> mixes[] = {
      {"standalone", &pools.standalone}, {"grouped", &pools.grouped}};
  std::uint64_t run_seed = flags.select_seed;
  for (const auto& [mix, pool] : mixes) {
    json figures = {
        {"run", false},
        {"why_not_run", nullptr},
        {"eligible_accounts",
         std::string(mix) == "standalone" ? pools.standalone_eligible : pools.grouped_eligible},
        {"pool", pool->size()}};
    if (pool->empty()) {
      figures["why_not_run"] = std::string("no account with 1..") +
                               std::to_string(flags.max_positions) + " positions " +
                               (std::string(mix) == "standalone" ? "outside" : "in") + " a group";
      figures["one_client"] = nullptr;
      figures["concurrent"] = nullptr;
      summary["what_ifs"][mix] = figures;
      continue;
    }
    double mean_positions = 0.0;
    for (const WhatIf& w : *pool) mean_positions += static_cast<double>(w.positions);
    figures["mean_positions"] = mean_positions / static_cast<double>(pool->size());
    figures["run"] = true;
    for (const auto& [key, clients, requests] :
         {std::tuple{"one_client", 1, flags.requests},
          std::tuple{"concurrent", flags.clients, flags.concurrent_requests}}) {
      std::fprintf(stderr, "what-ifs, %s, %d client(s): %zu requests after %zu warm-up\n", mix,
                   clients, requests, flags.warmup);
      const RunFigures run = run_what_ifs(port, server, *pool, clients, requests, flags.warmup,
                                          ++run_seed, state_version);
      json r = run_json(run);
      std::fprintf(stderr, "  p50 %.0f µs, p99 %.0f µs, %.0f/s, %zu failed\n",
                   r["p50_s"].get<double>() * 1e6, r["p99_s"].get<double>() * 1e6,
                   r["what_ifs_per_s"].get<double>(), run.failures.count);
      failures.merge(run.failures);
      answers += run.latencies.size();
      figures[key] = r;
    }
    summary["what_ifs"][mix] = figures;
  }

  // 3. The market update, last: it changes the state.
  std::fprintf(stderr, "PUT /v1/market\n");
  json market = measure_market(port, prices, flags.runs, failures);
  std::fprintf(stderr, "stopping the server\n");
  const int server_status = server.stop();

  // 4. The full runs: the book itself (its backend stage, against the market
  // update) and the book with the first what-if's trade appended, in turn, so
  // that a change in the machine's load falls on both alike.
  TempDir temp;
  json batch, full;
  const WhatIf* first = pools.standalone.empty() ? nullptr : &pools.standalone.front();
  if (first) copy_book_with_trade(dir, temp.path / "book", *first);
  std::fprintf(stderr, "xmargin run on the book%s\n",
               first ? (" and on it with " + first->account + "," + first->instrument + "," +
                        std::to_string(first->quantity) + " appended to positions.csv, in turn")
                           .c_str()
                     : "");
  for (int r = 0; r < flags.runs; ++r) {
    time_full_run(xmargin, dir, temp.path / "out", batch, "the book");
    if (first)
      time_full_run(xmargin, temp.path / "book", temp.path / "out", full, "with the trade");
  }
  summary["batch"] = batch;
  if (first) {
    full["dir"] = "a copy of the book with one row appended to positions.csv";
    full["run"] = true;
    full["account"] = first->account;
    full["instrument"] = first->instrument;
    full["quantity"] = first->quantity;
    const json& p50 = summary["what_ifs"]["standalone"]["one_client"]["p50_s"];
    full["over_what_if_p50"] =
        p50.is_number() ? json(full["median_wall_s"].get<double>() / p50.get<double>()) : json();
  } else {
    full = {{"run", false}};
  }
  summary["full_run"] = full;
  if (market["available"].get<bool>()) {
    market["over_backend_stage"] = number_or_null(market["median_s"].get<double>() /
                                                  batch["median_backend_stage_s"].get<double>());
  }
  summary["market"] = market;

  // The targets, on the mix they name (accounts in no group).
  const json& standalone = summary["what_ifs"]["standalone"];
  json targets = json::object();
  const json p99 = standalone["run"].get<bool>() ? standalone["one_client"]["p99_s"] : json();
  targets["p99_one_client"] = {
      {"target_s", kTargetP99Seconds},
      {"value", p99},
      {"met", p99.is_number() ? json(p99.get<double>() <= kTargetP99Seconds) : json()}};
  const json rate =
      standalone["run"].get<bool>() ? standalone["concurrent"]["what_ifs_per_s"] : json();
  targets["what_ifs_per_s_concurrent"] = {
      {"target_per_s", kTargetWhatIfsPerSecond},
      {"clients", flags.clients},
      {"value", rate},
      {"met", rate.is_number() ? json(rate.get<double>() >= kTargetWhatIfsPerSecond) : json()}};
  const json market_ratio = market.value("over_backend_stage", json());
  targets["market_update"] = {{"target_ratio", kTargetMarketOverBackend},
                              {"value", market_ratio},
                              {"met", market_ratio.is_number() ? json(market_ratio.get<double>() <=
                                                                      kTargetMarketOverBackend)
                                                               : json()}};
  summary["targets"] = targets;
  summary["checks"] = {{"answers", answers},
                       {"failures", failures.count},
                       {"failure_kinds", failures.to_json()},
                       {"server_exit_status", server_status}};
  summary["load_average_end"] = number_or_null(xm::bench::load_average());
  if (failures.count > 0 || server_status != 0) status = 1;
  print_report(summary, stdout);
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"xmargin_bench_service — what-if latency and throughput of xmargin serve",
               "xmargin_bench_service"};
  Flags flags;
  auto* workload = app.add_option("--workload", flags.workload,
                                  "medium (default), small, or sample (the embedded book); made "
                                  "by xmargin_make_book into --cache, reused when there")
                       ->check(CLI::IsMember({"sample", "small", "medium"}));
  auto* dir =
      app.add_option("--dir", flags.dir, "a book folder instead of a workload")->excludes(workload);
  app.add_option("--cache", flags.cache,
                 "where the workload's book is kept (default /tmp/xmargin-workloads/NAME)")
      ->excludes(dir);
  app.add_option("--seed", flags.seed, "the workload generator's seed (its default if absent)")
      ->excludes(dir);
  app.add_option("--xmargin", flags.xmargin,
                 "the xmargin binary (default: the one beside the bench's folder, else the one "
                 "it was built with)");
  app.add_option("--requests", flags.requests,
                 "recorded what-ifs with 1 client, per mix (default 20000)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000000}));
  app.add_option("--concurrent-requests", flags.concurrent_requests,
                 "recorded what-ifs with --clients clients together, per mix (default 40000)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000000}));
  app.add_option("--clients", flags.clients,
                 "concurrent clients, each a thread with its own keep-alive connection (default 8)")
      ->check(CLI::Range(1, 256));
  app.add_option("--warmup", flags.warmup, "unrecorded what-ifs before each run (default 2000)")
      ->check(CLI::Range(std::size_t{0}, std::size_t{100000000}));
  app.add_option("--pool", flags.pool, "distinct what-ifs per mix at most (default 1000)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000000}));
  app.add_option("--max-positions", flags.max_positions,
                 "what-ifs go to accounts with at most this many positions (default 40)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000000}));
  app.add_option("--select-seed", flags.select_seed,
                 "seed of the what-if choice (default 20261206)");
  app.add_option("--runs", flags.runs,
                 "full xmargin runs and market updates; their median (default 3)")
      ->check(CLI::Range(1, 100));
  return xm::bench::parse_and_run(app, argc, argv, "xmargin_bench_service",
                                  [&] { return run(flags); });
}
