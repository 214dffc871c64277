// The host emulation of the cuda kernels against the cpu backend, bit for bit,
// on real books: the embedded sample and the `small` workload. Together with
// tests/backends/test_chunking.cpp this is what checks the device path in CI,
// where no GPU is present: only the kernel launches and copies are left out.
#include <gtest/gtest.h>

#include "support/test_support.hpp"
#include "xmargin/backend.hpp"
#include "xmargin/pipeline.hpp"

namespace xm {
namespace {

void expect_rows_identical(const RunOutcome& cpu, const RunOutcome& emulated) {
  ASSERT_EQ(cpu.backend.risk.size(), emulated.backend.risk.size());
  for (std::size_t p = 0; p < cpu.backend.risk.size(); ++p) {
    EXPECT_EQ(cpu.backend.risk[p].var, emulated.backend.risk[p].var) << p;
    EXPECT_EQ(cpu.backend.risk[p].es, emulated.backend.risk[p].es) << p;
    EXPECT_EQ(cpu.backend.risk[p].worst_loss, emulated.backend.risk[p].worst_loss) << p;
    EXPECT_EQ(cpu.backend.risk[p].worst_scenario, emulated.backend.risk[p].worst_scenario) << p;
  }
  EXPECT_EQ(cpu.backend.pnl, emulated.backend.pnl);
  ASSERT_EQ(cpu.rows.size(), emulated.rows.size());
  for (std::size_t r = 0; r < cpu.rows.size(); ++r) {
    EXPECT_EQ(cpu.rows[r].margin, emulated.rows[r].margin) << cpu.rows[r].id;
    EXPECT_EQ(cpu.rows[r].isolated_margin, emulated.rows[r].isolated_margin) << cpu.rows[r].id;
  }
}

void compare_on(const std::string& dir) {
  const PreparedRun prepared = prepare_run(test::book_paths(dir));
  const auto cpu = make_cpu_backend({});
  const auto emulated = make_emulated_cuda_backend({}, 7);
  const RunOutcome reference = run_margins(prepared, *cpu, true);
  const RunOutcome candidate = run_margins(prepared, *emulated, true);
  expect_rows_identical(reference, candidate);
}

TEST(Emulation, EqualsCpuBitForBitOnTheSample) {
  compare_on(XM_SOURCE_DIR "/scenarios/default");
}

TEST(Emulation, EqualsCpuBitForBitOnTheSmallWorkload) {
  const test::TempDir dir;
  const auto made =
      test::run_command(std::string(XM_MAKE_BOOK_BINARY) + " --workload small --out " + dir.path());
  ASSERT_EQ(made.exit_code, 0) << made.output;
  compare_on(dir.path());
}

}  // namespace
}  // namespace xm
