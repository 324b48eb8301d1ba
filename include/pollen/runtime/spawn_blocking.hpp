// pollen/runtime/spawn_blocking.hpp: spawn_blocking(fn), run blocking code
// off the event loop's thread.
//
// Example:
//
//   auto f = pollen::spawn_blocking([path] { return read_whole_file(path); });
//   // f is a future of fn's result; the loop keeps running other tasks.
//
// fn runs on a small pool of worker threads (at most 4, started when first
// needed, shared by the whole process); when it returns, the future's waker
// is woken (from the worker thread) and the next poll is Ready with fn's
// result. This is the cure when synchronous code (a blocking read, a heavy
// computation, a library without an async API) must run inside async code:
// called directly inside a poll, it would stall every task of the loop.
//
// Output: what fn returns (Unit for void).
// Exceptions: an exception thrown by fn is rethrown from the poll that
// would have been Ready (with exceptions enabled only).
// Cancellation: fn cannot be interrupted. Destroying the future before fn
// returned lets fn run to the end; its result is then destroyed on the
// worker thread.
// Contract errors: polling after Ready.
// Polling order: fn is submitted when spawn_blocking() is called, not at
// the first poll.
// Threads: fn must be safe to run on another thread; the future itself may
// be polled from any one thread at a time.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/context.hpp>
#include <pollen/core/poll_observer.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/lazy.hpp>
#include <pollen/core/option.hpp>
#include <pollen/core/poll.hpp>
#include <pollen/core/type_traits.hpp>
#include <pollen/core/waker.hpp>
#include <pollen/future/future_ext.hpp>

#include <atomic>
#include <cstddef>
#include <mutex>
#include <type_traits>
#include <utility>

#if POLLEN_HAS_EXCEPTIONS
#include <exception>
#endif

POLLEN_NAMESPACE_BEGIN
namespace detail {

// The type-independent half of a blocking job: shared by the future and the
// worker (two references), completion under a mutex.
class BlockingJob {
 public:
  BlockingJob() = default;
  BlockingJob(const BlockingJob&) = delete;
  BlockingJob& operator=(const BlockingJob&) = delete;

  // Runs fn and stores its result (worker thread).
  virtual void run() noexcept = 0;

  // Worker: marks the job done and wakes the registered waker.
  void complete() noexcept;
  // Future: true when done; otherwise keeps (a clone of) `w` to be woken.
  bool poll_done(const Waker& w);

  void release() noexcept {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

 protected:
  // Defined in the library, which then holds the one copy of the vtable.
  virtual ~BlockingJob();

 private:
  std::atomic<int> refs_{2};  // the future's and the worker's
  std::mutex mu_;
  bool done_ = false;  // guarded by mu_; once true, the result is readable
  Waker waker_;        // guarded by mu_
};

// Hands `job` to the worker pool, which releases it after run().
void submit_blocking(BlockingJob* job);

template <class Fn>
class BlockingJobImpl final : public BlockingJob {
 public:
  using T = value_result_t<Fn&&>;
  explicit BlockingJobImpl(Fn fn) : fn_(std::move(fn)) {}

  void run() noexcept override {
#if POLLEN_HAS_EXCEPTIONS
    try {
      result_.emplace(invoke_to_value(std::move(*fn_)));
    } catch (...) {
      error_ = std::current_exception();
    }
#else
    result_.emplace(invoke_to_value(std::move(*fn_)));
#endif
    fn_.reset();
    complete();
  }

  // After poll_done() returned true.
  T take() {
#if POLLEN_HAS_EXCEPTIONS
    if (error_) std::rethrow_exception(error_);
#endif
    return std::move(result_).value();
  }

 private:
  Option<Fn> fn_;      // valid until run() called it
  Option<T> result_;   // written by the worker before complete()
#if POLLEN_HAS_EXCEPTIONS
  std::exception_ptr error_;
#endif
};

}  // namespace detail

template <class Fn>
class POLLEN_NODISCARD_TYPE SpawnBlocking : public FutureExt<SpawnBlocking<Fn>> {
  using Job = detail::BlockingJobImpl<Fn>;

 public:
  using Output = typename Job::T;
  enum class State { Running, Done };

  explicit SpawnBlocking(Fn fn) : job_(new Job(std::move(fn))) { detail::submit_blocking(job_); }
  SpawnBlocking(SpawnBlocking&& o) noexcept : job_(o.job_), state_(o.state_) {
    o.job_ = nullptr;
    o.state_ = State::Done;
  }
  SpawnBlocking& operator=(SpawnBlocking&&) = delete;
  ~SpawnBlocking() {
    if (job_ != nullptr) job_->release();
  }

  Poll<Output> poll(Context& cx) {
    detail::observe_poll(cx, this);
    if (state_ == State::Done || job_ == nullptr) detail::polled_after_ready("SpawnBlocking");
    if (!job_->poll_done(cx.waker())) return pending;
    state_ = State::Done;
    Job* job = job_;
    job_ = nullptr;
    struct Release {
      Job* j;
      ~Release() { j->release(); }
    } release{job};
    return job->take();
  }

  void describe(Describer& d) const {
    d.node("SpawnBlocking", state_ == State::Running ? "state: Running (on a worker thread)"
                                                      : "state: Done");
  }

 private:
  Job* job_;  // null once Done
  State state_ = State::Running;
};

// Runs fn() on the blocking worker pool; a future of its result.
template <class Fn>
POLLEN_NODISCARD SpawnBlocking<typename std::decay<Fn>::type> spawn_blocking(Fn&& fn) {
  return SpawnBlocking<typename std::decay<Fn>::type>(std::forward<Fn>(fn));
}

POLLEN_NAMESPACE_END
