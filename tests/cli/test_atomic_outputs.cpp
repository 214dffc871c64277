// Outputs appear all together or not at all (README "Outputs"): a run that
// fails, or is killed while writing, leaves the previous files as they were.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <regex>
#include <set>

#include "report/atomic_files.hpp"
#include "support/test_support.hpp"
#include "xmargin/error.hpp"

namespace xm {
namespace {

namespace fs = std::filesystem;

const std::string kBinary = XM_BINARY;

// The small book written into a fresh folder.
class Outputs : public ::testing::Test {
 protected:
  void SetUp() override { test::write_small_book(book_); }
  std::string run_args(const std::string& out) const {
    return " run --backend cpu --dir " + book_.path() + " --out " + out;
  }
  test::CommandResult run(const std::string& arguments) const {
    return test::run_command(kBinary + arguments);
  }
  // The names in `folder`, hidden ones (the temporary files) included.
  static std::set<std::string> names_in(const std::string& folder) {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(folder)) {
      names.insert(entry.path().filename().string());
    }
    return names;
  }

  // Runs xmargin in a forked child whose files may not grow past `limit`
  // bytes (no root needed). Returns the wait status.
  int run_with_file_size_limit(const std::string& out, rlim_t limit) const {
    const std::string book = book_.path();
    const pid_t child = fork();
    if (child == 0) {
      const rlimit bound{limit, limit};
      if (setrlimit(RLIMIT_FSIZE, &bound) != 0) _exit(99);
      const int null = ::open("/dev/null", O_WRONLY);
      dup2(null, 1);
      execl(kBinary.c_str(), kBinary.c_str(), "run", "--backend", "cpu", "--dir", book.c_str(),
            "--out", out.c_str(), static_cast<char*>(nullptr));
      _exit(98);
    }
    int status = 0;
    waitpid(child, &status, 0);
    return status;
  }

  test::TempDir book_, out_;
};

TEST_F(Outputs, KilledWhileWritingLeavesThePreviousFiles) {
  ASSERT_EQ(run(run_args(out_.path())).exit_code, 0);
  const std::string csv = test::read_text(out_.file("margins.csv"));
  const std::string json = test::read_text(out_.file("margins.json"));
  ASSERT_GT(json.size(), 1024u);

  // margins.json passes 1 KiB: SIGXFSZ kills the writer part-way.
  const int status = run_with_file_size_limit(out_.path(), 1024);
  ASSERT_TRUE(WIFSIGNALED(status)) << status;
  EXPECT_EQ(WTERMSIG(status), SIGXFSZ);
  EXPECT_EQ(test::read_text(out_.file("margins.csv")), csv);
  EXPECT_EQ(test::read_text(out_.file("margins.json")), json);
}

TEST_F(Outputs, AFailedWriteNamesTheFileAndReasonAndLeavesNoTemporaryFiles) {
  ASSERT_EQ(run(run_args(out_.path())).exit_code, 0);
  const std::string csv = test::read_text(out_.file("margins.csv"));
  const std::string json = test::read_text(out_.file("margins.json"));

  // With SIGXFSZ ignored, a write past 1 KiB (`ulimit -f` counts 512-byte
  // blocks) fails with EFBIG and xmargin survives to clean up.
  const auto limited =
      test::run_command("trap '' XFSZ; ulimit -f 2; exec " + kBinary + run_args(out_.path()));
  EXPECT_EQ(limited.exit_code, 1) << limited.output;
  EXPECT_EQ(limited.output,
            "xmargin: error: cannot write " + out_.file("margins.json") + ": File too large\n");
  EXPECT_EQ(test::read_text(out_.file("margins.csv")), csv);
  EXPECT_EQ(test::read_text(out_.file("margins.json")), json);
  EXPECT_EQ(names_in(out_.path()),
            (std::set<std::string>{"components.csv", "margins.csv", "margins.json"}));
}

TEST_F(Outputs, AnOutFolderThatCannotBeMadeStopsBeforeLoading) {
  // A regular file where a folder should be: refused even for root, and
  // before the (broken) positions are read.
  const std::string blocker = out_.write("blocker", "x");
  book_.write("positions.csv", "account,instrument,quantity\nA1,NOPE,1\n");
  const auto result = run(run_args(blocker + "/out"));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_EQ(result.output,
            "xmargin: error: " + blocker + "/out: cannot create the folder: Not a directory\n");
}

TEST_F(Outputs, MarginsJsonBeingAFolderIsRefusedAndNothingIsWritten) {
  fs::create_directory(out_.file("margins.json"));
  const auto result = run(run_args(out_.path()));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_EQ(result.output, "xmargin: error: " + out_.file("margins.json") +
                               ": is a directory; expected a file to write\n");
  EXPECT_EQ(names_in(out_.path()), (std::set<std::string>{"margins.json"}));
}

TEST_F(Outputs, ABadPnlPathWritesNothing) {
  const std::string blocker = book_.write("blocker", "x");
  const auto result = run(run_args(out_.path()) + " --pnl " + blocker + "/pnl.csv");
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_EQ(result.output,
            "xmargin: error: " + blocker + ": cannot create the folder: Not a directory\n");
  EXPECT_TRUE(names_in(out_.path()).empty());
}

TEST_F(Outputs, ScenariosOutputIsCheckedFirst) {
  const auto result = run(" scenarios --dir " + book_.path() + " --out " + out_.path());
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_EQ(result.output,
            "xmargin: error: " + out_.path() + ": is a directory; expected a file to write\n");
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;  // it reserves terabytes of address space
#else
constexpr bool kAddressSanitizer = false;
#endif

TEST_F(Outputs, OutOfMemoryNamesTheStageAndTheSizeAndWritesNothing) {
  if (kAddressSanitizer) GTEST_SKIP() << "an address-space limit stops AddressSanitizer itself";
  // The least address space the binary needs to start differs between
  // builds (a CUDA build maps more libraries, and so do the service's HTTP,
  // TLS and compression libraries): limits rise 8 MiB at a time
  // until xmargin starts and either runs out of memory or, with room enough,
  // succeeds; the first of those must be an out-of-memory error.
  test::CommandResult result;
  for (int kib = 8 << 10; kib <= 4 << 20; kib += 8 << 10) {
    result = test::run_command("ulimit -v " + std::to_string(kib) + "; exec " + kBinary +
                               " run --backend cpu --threads 1 --out " + out_.path());
    // Just above the least that starts it, the OpenMP runtime may be what
    // fails, before xmargin's own code runs: not what this test checks.
    if (result.output.find("libgomp: Out of memory") != std::string::npos) continue;
    if (result.exit_code == 0 || result.exit_code == 1) break;
  }
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_TRUE(std::regex_match(result.output,
                               std::regex("xmargin: error: out of memory in stage "
                                          "'(load|pack|scenarios|backend|report)' \\(an "
                                          "allocation of [0-9]+ bytes failed\\); nothing was "
                                          "written\n")))
      << result.output;
  EXPECT_TRUE(fs::is_empty(out_.path()));
}

TEST(AtomicFiles, NothingAppearsWithoutCommit) {
  test::TempDir dir;
  {
    AtomicFiles files;
    files.open(dir.file("a.csv")) << "a\n";
    files.open(dir.file("b.csv")) << "b\n";
  }
  EXPECT_TRUE(fs::is_empty(dir.path()));
  AtomicFiles files;
  files.open(dir.file("a.csv")) << "a\n";
  files.open(dir.file("sub/b.csv")) << "b\n";
  files.commit();
  EXPECT_EQ(test::read_text(dir.file("a.csv")), "a\n");
  EXPECT_EQ(test::read_text(dir.file("sub/b.csv")), "b\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 2);
}

}  // namespace
}  // namespace xm
