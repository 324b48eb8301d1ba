// The blocking worker pool behind spawn_blocking(): at most kMaxWorkers
// threads, started when a job finds no idle worker, kept for the life of the
// process, joined at exit after they ran every job already submitted.
#include <pollen/runtime/spawn_blocking.hpp>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

POLLEN_NAMESPACE_BEGIN
namespace detail {

BlockingJob::~BlockingJob() = default;

void BlockingJob::complete() noexcept {
  Waker w;
  {
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
    w = std::move(waker_);
  }
  std::move(w).wake();
}

bool BlockingJob::poll_done(const Waker& w) {
  std::lock_guard<std::mutex> lock(mu_);
  if (done_) return true;
  if (!waker_.will_wake(w)) waker_ = w;
  return false;
}

namespace {

class BlockingPool {
 public:
  static constexpr std::size_t kMaxWorkers = 4;

  void submit(BlockingJob* job) {
    std::unique_lock<std::mutex> lock(mu_);
    jobs_.push_back(job);
    if (idle_ == 0 && workers_.size() < kMaxWorkers) {
      workers_.emplace_back([this] { work(); });
    } else {
      cv_.notify_one();
    }
  }

  ~BlockingPool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (std::thread& t : workers_) t.join();
  }

 private:
  void work() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      if (jobs_.empty()) {
        if (stop_) return;
        ++idle_;
        cv_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
        --idle_;
        continue;
      }
      BlockingJob* job = jobs_.front();
      jobs_.pop_front();
      lock.unlock();
      job->run();
      job->release();
      lock.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<BlockingJob*> jobs_;     // guarded by mu_
  std::vector<std::thread> workers_;  // guarded by mu_
  std::size_t idle_ = 0;              // workers waiting for a job, guarded by mu_
  bool stop_ = false;                 // guarded by mu_
};

BlockingPool& pool() {
  static BlockingPool p;
  return p;
}

}  // namespace

void submit_blocking(BlockingJob* job) { pool().submit(job); }

}  // namespace detail
POLLEN_NAMESPACE_END
