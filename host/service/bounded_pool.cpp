#include "service/bounded_pool.hpp"

namespace xm::service {
namespace {

thread_local Admission current_admission = Admission::served;
// The pool whose worker line the calling thread belongs to, if any.
thread_local const BoundedPool* current_pool = nullptr;

// Sets the calling thread's admission for one task and restores it after.
class AdmittedAs {
 public:
  explicit AdmittedAs(Admission admission) : previous_(current_admission) {
    current_admission = admission;
  }
  ~AdmittedAs() { current_admission = previous_; }
  AdmittedAs(const AdmittedAs&) = delete;
  AdmittedAs& operator=(const AdmittedAs&) = delete;

 private:
  Admission previous_;
};

}  // namespace

BoundedPool::BoundedPool(std::size_t workers, std::size_t queue, std::size_t shed_queue) {
  workers_.room = queue;
  shedders_.room = shed_queue;
  start(workers_, workers < 1 ? 1 : workers, Admission::served);
  start(shedders_, 1, Admission::shed);
}

BoundedPool::~BoundedPool() {
  shutdown();
}

void BoundedPool::start(Line& line, std::size_t threads, Admission admission) {
  // The thread count is final before any task comes: has_room reads it.
  line.threads.reserve(threads);
  for (std::size_t t = 0; t < threads; ++t) {
    line.threads.emplace_back([this, &line, admission] { work(line, admission); });
  }
}

void BoundedPool::work(Line& line, Admission admission) {
  if (&line == &workers_) current_pool = this;
  std::unique_lock lock(mutex_);
  for (;;) {
    line.ready.wait(lock, [&] { return stopping_ || !line.tasks.empty(); });
    // Stopping still runs what is queued: each task must close its socket.
    if (line.tasks.empty()) return;
    std::function<void()> task = std::move(line.tasks.front());
    line.tasks.pop_front();
    ++line.busy;
    lock.unlock();
    {
      AdmittedAs admitted(admission);
      task();
    }
    lock.lock();
    --line.busy;
  }
}

void BoundedPool::enqueue(std::function<void()> fn) {
  {
    std::lock_guard lock(mutex_);
    for (Line* line : {&workers_, &shedders_}) {
      if (!stopping_ && line->has_room()) {
        line->tasks.push_back(std::move(fn));
        line->ready.notify_one();
        return;
      }
    }
  }
  // Everything is full (or stopping): run it here, outside the lock, so that
  // the task may close its socket without any thread to wait for.
  AdmittedAs admitted(Admission::refused);
  fn();
}

void BoundedPool::shutdown() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    workers_.ready.notify_all();
    shedders_.ready.notify_all();
  }
  for (Line* line : {&workers_, &shedders_}) {
    for (std::thread& thread : line->threads) {
      if (thread.joinable()) thread.join();
    }
  }
}

std::size_t BoundedPool::waiting() const {
  std::lock_guard lock(mutex_);
  return workers_.tasks.size();
}

Admission BoundedPool::admission() {
  return current_admission;
}

bool BoundedPool::others_waiting() {
  const BoundedPool* pool = current_pool;
  if (pool == nullptr) return false;
  std::lock_guard lock(pool->mutex_);
  return pool->workers_.tasks.size() > pool->workers_.threads.size() - pool->workers_.busy;
}

}  // namespace xm::service
