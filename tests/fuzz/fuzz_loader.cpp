// One libFuzzer target per input loader (tools/fuzz.sh). The input becomes
// the file the loader reads; a loader may refuse it only with an InputError
// (exit 2 with its position). Any other exception, a crash, a leak or a
// sanitizer report is a finding. XM_FUZZ_LOADER names the loader; "run" takes
// the input as config.json of a small fixed book and prepares the whole run
// (every scenario set built and checked), reaching the checks that need the
// market and the history besides the config.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <cstdio>
#include <filesystem>
#include <system_error>

#include "io/loaders.hpp"
#include "xmargin/date.hpp"
#include "xmargin/error.hpp"
#include "xmargin/pipeline.hpp"
#include "xmargin/scenarios.hpp"

namespace {

// The input as a file, in memory: a path the loaders can open, rewritten for
// every input without touching the disk.
class InputFile {
 public:
  InputFile() : fd_(memfd_create("xmargin-fuzz", 0)) {
    if (fd_ < 0) std::abort();
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  const std::string& write(const std::uint8_t* data, std::size_t size) {
    if (ftruncate(fd_, 0) != 0) std::abort();
    std::size_t done = 0;
    while (done < size) {
      const ssize_t written = pwrite(fd_, data + done, size - done, static_cast<off_t>(done));
      if (written <= 0) std::abort();
      done += static_cast<std::size_t>(written);
    }
    return path_;
  }

 private:
  int fd_;
  std::string path_;
};

const std::string kSample = XM_SAMPLE_DIR;

// The sample's market and instruments: what the CSV loaders check references
// against.
const xm::Market& sample_market() {
  static const xm::Market market = xm::load_market(kSample + "/market.json");
  return market;
}
const std::vector<xm::Instrument>& sample_instruments() {
  static const std::vector<xm::Instrument> instruments =
      xm::load_instruments(kSample + "/instruments.csv", sample_market());
  return instruments;
}
// Two underlyings, so the seeds' columns match and the rest is ignored.
std::vector<std::string> some_underlyings() {
  return {sample_market().underlyings[0].id, sample_market().underlyings[1].id};
}

// A temporary folder, removed when the fuzzer exits.
struct TemporaryFolder {
  std::string path;
  ~TemporaryFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

// A small book of two underlyings (a surface on AA, tenor vols on BB) with
// 80 days of history, written once to a temporary folder.
xm::InputPaths small_book(const std::string& config_path) {
  static const TemporaryFolder book{[] {
    char name[] = "/tmp/xmargin-fuzz-XXXXXX";
    if (mkdtemp(name) == nullptr) std::abort();
    const std::string folder = name;
    const auto write = [&](const char* file, const std::string& text) {
      FILE* out = std::fopen((folder + "/" + file).c_str(), "w");
      if (out == nullptr || std::fputs(text.c_str(), out) < 0 || std::fclose(out) != 0) {
        std::abort();
      }
    };
    write("market.json", R"({"valuation_date": "2001-01-02", "underlyings": [
  {"id": "AA", "price": 100, "vol": 0.3, "rate": 0.05, "vol_surface": {"expiries": ["2001-03-16",
   "2001-12-14"], "moneyness": [0.8, 1.0, 1.2], "vols": [[0.35, 0.3, 0.32], [0.33, 0.3, 0.31]]}},
  {"id": "BB", "price": 50, "vol": 0.2}]})");
    write("instruments.csv",
          "instrument,type,underlying,expiry,multiplier,strike,right,style,on\n"
          "FAA,future,AA,2001-03-16,100,,,,\n"
          "CAA,option,AA,2001-03-16,100,100,C,european,spot\n"
          "PBB,option,BB,2001-06-15,100,50,P,american,future\n");
    write("positions.csv", "account,instrument,quantity\nA1,FAA,1\nA1,CAA,-2\nA2,PBB,3\n");
    write("accounts.csv", "account,mode,group,collateral\nA1,cross,G1,1000\nA2,isolated,G1,0\n");
    std::string history = "date,AA,BB,AA.vol,BB.vol@30d,BB.vol@90d\n";
    for (int t = 0; t < 80; ++t) {
      const double wave = static_cast<double>((t * 7) % 11) - 5.0;
      history += xm::format_iso_date(static_cast<xm::Date>(11200 + t)) + "," +
                 std::to_string(100.0 + 2.0 * wave) + "," + std::to_string(50.0 - wave) + "," +
                 std::to_string(0.3 + 0.01 * wave) + "," + std::to_string(0.2 + 0.005 * wave) +
                 "," + std::to_string(0.22 + 0.004 * wave) + "\n";
    }
    write("history.csv", history);
    return folder;
  }()};
  const std::string& dir = book.path;
  return {dir + "/market.json",
          dir + "/instruments.csv",
          dir + "/positions.csv",
          dir + "/accounts.csv",
          dir + "/history.csv",
          config_path,
          ""};
}

void load(const std::string& path) {
  const std::string loader = XM_FUZZ_LOADER;
  if (loader == "market") {
    xm::load_market(path);
  } else if (loader == "config") {
    xm::load_config(path);
  } else if (loader == "instruments") {
    xm::load_instruments(path, sample_market());
  } else if (loader == "positions") {
    xm::load_positions(path, sample_instruments(), std::nullopt);
  } else if (loader == "accounts") {
    xm::load_accounts(path);
  } else if (loader == "history") {
    xm::load_history(path, some_underlyings());
  } else if (loader == "scenarios") {
    xm::read_scenario_file(path, some_underlyings());
  } else if (loader == "run") {
    xm::prepare_run(small_book(path));
  } else {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static InputFile file;
  sample_instruments();  // loaded once, outside the leak check of the first input
  try {
    load(file.write(data, size));
  } catch (const xm::InputError&) {
    // The expected refusal.
  }
  return 0;
}
