// An exception thrown by an OpenMP worker reaches the caller instead of
// terminating the process (host/backends/worker_failure.hpp).
#include <gtest/gtest.h>

#include <new>
#include <stdexcept>
#include <vector>

#include "backends/worker_failure.hpp"

namespace xm {
namespace {

TEST(WorkerFailure, TheFirstExceptionOfAnyWorkerIsRethrownOnTheCaller) {
  WorkerFailure failure;
  std::vector<int> done(1000, 0);
#pragma omp parallel for schedule(dynamic, 8) num_threads(4)
  for (int i = 0; i < 1000; ++i) {
    failure.run([&] {
      if (i == 37) throw std::bad_alloc();
      done[static_cast<std::size_t>(i)] = 1;
    });
  }
  EXPECT_THROW(failure.rethrow_if_failed(), std::bad_alloc);
  EXPECT_EQ(done[37], 0);
}

TEST(WorkerFailure, NothingIsThrownWhenEveryWorkerSucceeds) {
  WorkerFailure failure;
  long sum = 0;
#pragma omp parallel for num_threads(4) reduction(+ : sum)
  for (int i = 0; i < 100; ++i) failure.run([&] { sum += i; });
  EXPECT_NO_THROW(failure.rethrow_if_failed());
  EXPECT_EQ(sum, 4950);
}

}  // namespace
}  // namespace xm
