#pragma once
// An exception that escapes an OpenMP worker calls std::terminate: the
// process dies without a message and without cleaning up its temporary
// outputs. The cpu backend's loop bodies run inside WorkerFailure::run, which
// keeps the first exception any worker threw; the caller rethrows it after the
// loop, on its own thread, where the CLI turns it into its message and exit
// code (out of memory: exit 1 naming the stage and the size asked for).
#include <atomic>
#include <exception>
#include <mutex>

namespace xm {

class WorkerFailure {
 public:
  // Runs `work` unless a worker has failed already (the loop's results are
  // then dropped, so the rest of it may be skipped).
  template <typename Work>
  void run(Work&& work) noexcept {
    if (failed_.load(std::memory_order_relaxed)) return;
    try {
      work();
    } catch (...) {
      const std::lock_guard<std::mutex> lock(mutex_);
      if (!first_) first_ = std::current_exception();
      failed_.store(true, std::memory_order_relaxed);
    }
  }

  // On the calling thread, after the loop.
  void rethrow_if_failed() const {
    if (first_) std::rethrow_exception(first_);
  }

 private:
  std::atomic<bool> failed_{false};
  std::mutex mutex_;
  std::exception_ptr first_;
};

}  // namespace xm
