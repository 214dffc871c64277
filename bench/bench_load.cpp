// Loader throughput on a book folder: each input file of SPEC §2 loaded and
// validated by its own loader, timed alone, best of N repeats (the machine is
// shared, so the best run is the one least disturbed). Prints the workload,
// the machine, and rows/s and MB/s per file; positions.csv is the one that
// grows with the book (issue 6 asks ≥ 1,000,000 rows/s for it).
//
//   build/bench/xmargin_bench_load [--dir BOOK_DIR] [--repeat N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <thread>

#include "io/loaders.hpp"
#include "xmargin/inputs.hpp"

namespace {

// Non-blank lines after the header: the data rows of a file without quoted
// newlines, which is what the generated books hold.
std::size_t data_rows(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string line;
  std::size_t rows = 0;
  while (std::getline(in, line)) rows += line.find_first_not_of(" \t\r") != std::string::npos;
  return rows > 0 ? rows - 1 : 0;
}

std::string cpu_name() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown CPU";
}

// `prepare` runs untimed before each `load`.
double best_seconds(
    int repeat, const std::function<void()>& load, const std::function<void()>& prepare = [] {}) {
  double best = 1e300;
  for (int i = 0; i < repeat; ++i) {
    prepare();
    const auto start = std::chrono::steady_clock::now();
    load();
    best = std::min(
        best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

void report(const char* name, const std::string& path, double seconds) {
  const double bytes = static_cast<double>(std::filesystem::file_size(path));
  const double rows = static_cast<double>(data_rows(path));
  std::printf("  %-16s %12.0f rows %9.1f MB %9.3f s %14.0f rows/s %8.1f MB/s\n", name, rows,
              bytes / 1e6, seconds, rows / seconds, bytes / 1e6 / seconds);
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = XM_SAMPLE_DIR;
  int repeat = 3;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
      dir = argv[++i];
    } else if (std::strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
      repeat = std::max(1, std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: %s [--dir BOOK_DIR] [--repeat N]\n", argv[0]);
      return 2;
    }
  }
  const std::string market_path = dir + "/market.json", instruments_path = dir + "/instruments.csv",
                    accounts_path = dir + "/accounts.csv", positions_path = dir + "/positions.csv",
                    history_path = dir + "/history.csv";
  const bool has_accounts = std::filesystem::exists(accounts_path);

  std::printf("machine: %s, %u hardware threads; loaders run on one thread\n", cpu_name().c_str(),
              std::thread::hardware_concurrency());
  std::printf("workload: %s, best of %d\n", dir.c_str(), repeat);

  const xm::Market market = xm::load_market(market_path);
  std::vector<xm::Instrument> instruments;
  const double instruments_s =
      best_seconds(repeat, [&] { instruments = xm::load_instruments(instruments_path, market); });
  std::vector<xm::Account> accounts;
  const double accounts_s =
      has_accounts ? best_seconds(repeat, [&] { accounts = xm::load_accounts(accounts_path); })
                   : 0.0;
  std::size_t positions = 0;
  std::optional<std::vector<xm::Account>> listed;
  const double positions_s = best_seconds(
      repeat,
      [&] {
        positions =
            xm::load_positions(positions_path, instruments, std::move(listed)).positions.size();
      },
      [&] {
        if (has_accounts) listed = accounts;
      });
  xm::Book book;
  book.market = market;
  book.instruments = instruments;
  const std::vector<std::string> used = xm::used_underlyings(book);
  const double history_s = best_seconds(repeat, [&] { xm::load_history(history_path, used); });

  report("instruments.csv", instruments_path, instruments_s);
  if (has_accounts) report("accounts.csv", accounts_path, accounts_s);
  report("positions.csv", positions_path, positions_s);
  report("history.csv", history_path, history_s);
  std::printf("netted positions: %zu\n", positions);
  return 0;
}
