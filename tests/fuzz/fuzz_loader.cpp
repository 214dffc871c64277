// One libFuzzer target per input loader (tools/fuzz.sh). The input becomes
// the file the loader reads; a loader may refuse it only with an InputError
// (exit 2 with its position). Any other exception, a crash, a leak or a
// sanitizer report is a finding. XM_FUZZ_LOADER names the loader.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "io/loaders.hpp"
#include "xmargin/error.hpp"
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
