// pollen/runtime/join_handle.hpp: JoinHandle<T>, what EventLoop::spawn
// returns: a future of the task's output, and the task's remote control.
//
//   pollen::JoinHandle<int> h = loop.spawn(compute());
//   ... inside another task:  JoinResult<int> r = <await h>;
//   if (r.is_cancelled()) ...; int v = r.value();
//
// Output: JoinResult<T>: the task's output, or "cancelled" when the task was
// aborted or its loop was destroyed before it finished.
// Exceptions: an exception that escaped the task's poll is rethrown from the
// handle's poll (once; with exceptions enabled only).
// Cancellation: destroying the handle DETACHES the task (it runs on, its
// output is destroyed when it finishes); it does not cancel it. abort()
// cancels: the task's future is destroyed at the loop's next turn and the
// handle then yields a cancelled JoinResult. abort() on a finished task is a
// no-op: the handle still yields the output.
// Contract errors: polling after Ready (or after detach()); calling value()
// on a cancelled JoinResult; using the handle on a thread other than its
// loop's (below).
// Threads: a JoinHandle belongs to the thread of its event loop (the thread
// that created the loop), for its whole life, even after the loop is gone:
// poll it from a task of a loop on that thread (or a block_on there), and
// abort, detach, ask is_finished(), describe and destroy it there. On any
// other thread poll(), abort() and describe() raise ContractError; detach(),
// is_finished() and the destructor are noexcept, so there they print the
// same message and abort the process. Moving a handle (to another thread and
// back, say) touches no task and is fine; so is destroying an empty,
// detached or consumed handle anywhere. To hand a task's result to another
// thread, send it from a task through a channel (pollen::oneshot).
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/context.hpp>
#include <pollen/core/poll_observer.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/option.hpp>
#include <pollen/core/poll.hpp>
#include <pollen/future/future_ext.hpp>
#include <pollen/runtime/task.hpp>

#include <string>
#include <utility>

POLLEN_NAMESPACE_BEGIN

// The result of awaiting a JoinHandle: the task's output, or cancelled.
template <class T>
class JoinResult {
 public:
  static JoinResult cancelled() { return JoinResult(); }
  explicit JoinResult(T value) : value_(std::move(value)) {}

  bool is_cancelled() const noexcept { return !value_.has_value(); }
  bool has_value() const noexcept { return value_.has_value(); }

  T& value() & {
    check();
    return *value_;
  }
  const T& value() const& {
    check();
    return *value_;
  }
  T value() && {
    check();
    return std::move(value_).value();
  }
  template <class U>
  T value_or(U&& fallback) && {
    return std::move(value_).value_or(std::forward<U>(fallback));
  }

 private:
  JoinResult() = default;
  void check() const {
    POLLEN_REQUIRE(value_.has_value(),
                   "JoinResult::value() called on a cancelled task's result (it was aborted, or "
                   "its event loop was destroyed before it finished); check is_cancelled() first");
  }
  Option<T> value_;  // empty: cancelled
};

namespace detail {
// The non-template half of JoinHandle (src/runtime/join_handle.cpp). Each
// checks first that it runs on the thread of the task's loop: a ContractError
// (poll, abort, describe) or a message and abort() (the noexcept ones), with
// nothing changed.
enum class POLLEN_NODISCARD_TYPE JoinPoll : unsigned char { Pending, Output, Cancelled, Failed };
// Ready (Output, Cancelled, or Failed: the task threw) or registers cx's
// waker.
JoinPoll join_poll(TaskHeader* t, Context& cx);
// Rethrows the exception of a Failed task (the handle is then done with it).
[[noreturn]] void join_rethrow(TaskHeader* t);
// The handle lets go of the task (detach, drop, or after Ready).
void join_release(TaskHeader* t) noexcept;
void join_abort(TaskHeader* t);
bool task_finished(const TaskHeader* t) noexcept;
std::string join_describe(const TaskHeader* t);
}  // namespace detail

template <class T>
class POLLEN_NODISCARD_TYPE JoinHandle : public FutureExt<JoinHandle<T>> {
 public:
  using Output = JoinResult<T>;

  // An empty handle (no task): polling it is a ContractError.
  JoinHandle() noexcept = default;
  // Adopts the owner reference of `t` (EventLoop::spawn).
  explicit JoinHandle(detail::TaskHeader* t) noexcept : task_(t) {}
  JoinHandle(JoinHandle&& o) noexcept : task_(o.task_), state_(o.state_) {
    o.task_ = nullptr;
    o.state_ = State::Detached;
  }
  JoinHandle& operator=(JoinHandle&& o) noexcept {
    if (this != &o) {
      detach();
      task_ = o.task_;
      state_ = o.state_;
      o.task_ = nullptr;
      o.state_ = State::Detached;
    }
    return *this;
  }
  // The fast path is inline: a moved-from, detached, consumed or empty
  // handle (the common case: a handle is moved several times on its way)
  // only tests its pointer. Letting go of a task is out of line (it checks
  // the thread first).
  ~JoinHandle() {
    if (task_ != nullptr) detail::join_release(task_);
  }

  Poll<JoinResult<T>> poll(Context& cx) {
    detail::observe_poll(cx, this);
    if (state_ == State::Done) detail::polled_after_ready("JoinHandle");
    POLLEN_REQUIRE(task_ != nullptr,
                   "JoinHandle polled after detach() (or after it was moved from, or default-"
                   "constructed); a detached handle has no task: keep the handle to await it");
    detail::TaskHeader* t = task_;
    // A ContractError from join_poll (the wrong thread) leaves the handle as it was.
    switch (detail::join_poll(t, cx)) {
      case detail::JoinPoll::Pending:
        state_ = State::Waiting;
        return pending;
      case detail::JoinPoll::Cancelled:
        state_ = State::Done;
        release();
        return JoinResult<T>::cancelled();
      case detail::JoinPoll::Failed:
        state_ = State::Done;  // the task's exception is rethrown once
        detail::join_rethrow(t);
      case detail::JoinPoll::Output:
        break;
    }
    state_ = State::Done;
    Option<T> out;
    t->vtable->take_output(t, &out);
    release();
    return JoinResult<T>(std::move(out).value());
  }

  // Cancels the task: its future is destroyed at the loop's next turn, and
  // this handle then yields a cancelled result. No-op when it has finished.
  void abort() {
    if (task_ != nullptr) detail::join_abort(task_);
  }
  // Lets the task run on without a handle (what the destructor does).
  void detach() noexcept {
    state_ = State::Detached;
    if (task_ != nullptr) release();
  }
  // True once the task finished (Ready, threw, or cancelled) or the handle
  // was consumed.
  bool is_finished() const noexcept { return task_ == nullptr || detail::task_finished(task_); }

  // The task, for the loop's own block_on.
  detail::TaskHeader* task_header_for_loop() const noexcept { return task_; }

  void describe(Describer& d) const {
    if (task_ == nullptr) {
      d.node("JoinHandle", state_ == State::Done ? "taken" : "detached");
      return;
    }
    d.node("JoinHandle", detail::join_describe(task_));
  }

 private:
  enum class State { Waiting, Done, Detached };
  void release() noexcept {
    detail::TaskHeader* t = task_;
    task_ = nullptr;
    detail::join_release(t);
  }

  detail::TaskHeader* task_ = nullptr;  // null once Done or Detached
  State state_ = State::Waiting;
};

POLLEN_NAMESPACE_END
