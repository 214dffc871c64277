#pragma once
// The service's connection pool (docs/service.md "Limits"): cpp-httplib runs
// each accepted connection as one task, and its own ThreadPool queues them
// without bound. This one never holds more than it was sized for:
//
// - `workers` threads serve connections; at most `queue` more wait for one;
// - a connection beyond that goes to one shedding thread, which only answers
//   "busy" (503), with at most `shed_queue` waiting for it;
// - beyond that too, the task runs at once on the thread that enqueues it
//   (the accepting thread), marked refused: it must then only write a canned
//   answer and close, never wait on the client.
//
// Every task runs exactly once, whatever the admission, because a task owns
// its socket: dropping one would leak the connection.
#include <httplib.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace xm::service {

enum class Admission {
  served,   // on a worker (and outside any pool)
  shed,     // on the shedding thread: answer 503 and close
  refused,  // on the enqueuing thread: everything is full; close without waiting
};

class BoundedPool final : public httplib::TaskQueue {
 public:
  BoundedPool(std::size_t workers, std::size_t queue, std::size_t shed_queue);
  ~BoundedPool() override;
  BoundedPool(const BoundedPool&) = delete;
  BoundedPool& operator=(const BoundedPool&) = delete;

  void enqueue(std::function<void()> fn) override;
  // Runs what is still queued, then joins every thread. Idempotent.
  void shutdown() override;

  // Tasks queued for a worker, those a free worker is about to take included.
  std::size_t waiting() const;

  // How the task running on the calling thread was admitted.
  static Admission admission();
  // On a worker: whether a queued task has no free worker to take it (an idle
  // keep-alive connection then gives its worker up). False elsewhere.
  static bool others_waiting();

 private:
  // Threads and the tasks they take, first in first out.
  struct Line {
    std::size_t room = 0;  // tasks that may wait beyond the free threads
    std::size_t busy = 0;  // threads running a task
    std::deque<std::function<void()>> tasks;
    std::vector<std::thread> threads;
    std::condition_variable ready;
    // A free thread will take a task at once, so it does not count as waiting.
    bool has_room() const { return tasks.size() < threads.size() - busy + room; }
  };

  void start(Line& line, std::size_t threads, Admission admission);
  void work(Line& line, Admission admission);

  mutable std::mutex mutex_;
  bool stopping_ = false;
  Line workers_, shedders_;
};

}  // namespace xm::service
