// src/runtime/task_state.hpp: a task's state word, and the named transitions
// the loop makes on it (private to src/runtime).
//
// The word (TaskHeader::state) belongs to the loop's thread: it is a plain
// 16-bit integer, read and written only there (a JoinHandle is used on that
// thread too). Other threads never touch it; a wake from another thread goes
// through the task's atomic `remote` flag and the cross-thread queue, and
// reaches the word only when the loop takes the batch. The reference count
// is not folded into the word (as tokio does): the word would have to be
// atomic, and every wake and poll on the loop's thread would pay a locked
// read-modify-write. The count is a separate RefCount; the word stays plain.
//
// Every change goes through a transition below, applied to a copy:
//
//   TaskState s(t->state);                        // one load
//   switch (s.transition_to_queued()) { ... }     // what the caller must do
//   t->state = s.bits();                          // one store
//
// Each transition returns what the caller must do next (a must-use enum, as
// in tokio's runtime/task/state.rs), so the loop reads as a sequence of named
// steps rather than flag arithmetic.
//
// The bits
//   kQueued            will be polled: in the ready queue, or being polled
//                      right now (the loop knows which task it polls). Set
//                      by a wake (or spawn, abort); a wake of a queued task
//                      does nothing, a wake of the task being polled makes
//                      the loop queue it again after the poll. Cleared when
//                      a poll returns Pending and nothing woke the task
//                      during it.
//   kComplete          finished or finishing (Ready, threw, or cancelled).
//                      Never unset. Set BEFORE the future is destroyed, so
//                      that nothing its destructor does (wake its own task,
//                      abort it) can queue the task again.
//   kAbortRequested    abort() was called; cancelled at its next turn.
//   kCancelled         finished by cancellation: no output.
//   kFailed            finished by an exception (kept in the slot, stage Error,
//                      until someone takes it).
//   kHandle            a JoinHandle still holds the owner reference.
//   kLive              the loop still holds the owner reference (unfinished).
//   kJoinWaker         a JoinHandle waits: its waker is in the loop's
//                      HandleWakers table (until the task finishes or the
//                      handle lets go).
//   kSelfWokenOnly     queued only by wakes during its own previous poll
//                      (the next poll, if Pending, is spurious).
//   kErrorObserved     the stored exception reached someone.
#pragma once

#include <pollen/config.hpp>

#include <cstdint>

POLLEN_NAMESPACE_BEGIN
namespace detail {

class TaskState {
 public:
  static constexpr std::uint16_t kQueued = 1u << 0;
  static constexpr std::uint16_t kComplete = 1u << 3;
  static constexpr std::uint16_t kAbortRequested = 1u << 4;
  static constexpr std::uint16_t kCancelled = 1u << 5;
  static constexpr std::uint16_t kFailed = 1u << 6;
  static constexpr std::uint16_t kHandle = 1u << 7;
  static constexpr std::uint16_t kLive = 1u << 8;
  static constexpr std::uint16_t kJoinWaker = 1u << 9;
  static constexpr std::uint16_t kSelfWokenOnly = 1u << 10;
  static constexpr std::uint16_t kErrorObserved = 1u << 11;

  explicit TaskState(std::uint16_t bits) noexcept : bits_(bits) {}
  std::uint16_t bits() const noexcept { return bits_; }

  // A new task: the loop and its JoinHandle share the owner reference, and
  // it is queued for its first poll.
  static TaskState spawned() noexcept { return TaskState(kLive | kHandle | kQueued); }

  // --- waking ---------------------------------------------------------------
  enum class POLLEN_NODISCARD_TYPE Wake : unsigned char {
    Queue,     // push it on the ready queue (kQueued is now set)
    Coalesce,  // already queued, or being polled (the caller tells which)
    Ignore,    // finished or finishing: nothing to do
  };
  // One test on the common path: neither queued nor finished.
  POLLEN_NODISCARD Wake transition_to_queued() noexcept {
    if (POLLEN_LIKELY(!(bits_ & (kQueued | kComplete)))) {
      set(kQueued);  // kSelfWokenOnly is never set on a task that is not queued
      return Wake::Queue;
    }
    if (bits_ & kComplete) return Wake::Ignore;
    return Wake::Coalesce;
  }
  // A wake of a queued task that is not the one being polled: a real wake
  // since it was queued, so its next poll is not spurious.
  void coalesce_wake() noexcept { clear(kSelfWokenOnly); }

  // --- polling --------------------------------------------------------------
  enum class POLLEN_NODISCARD_TYPE Run : unsigned char {
    Poll,    // poll the future (it stays kQueued while it is polled)
    Cancel,  // abort() was called: cancel it instead (transition_to_cancelled())
  };
  // The task was popped from the ready queue. Changes nothing: the store
  // comes after the poll (transition_to_idle()).
  POLLEN_NODISCARD Run on_popped() const noexcept {
    return (bits_ & kAbortRequested) ? Run::Cancel : Run::Poll;
  }
  // Only its own wakes queued it: a Pending outcome of this poll is spurious.
  bool self_woken_only() const noexcept { return (bits_ & kSelfWokenOnly) != 0; }
  enum class POLLEN_NODISCARD_TYPE Idle : unsigned char {
    Idle,     // waits for a wake (kQueued clear)
    Requeue,  // woken during the poll: push it on the ready queue (still kQueued)
  };
  // The poll returned Pending; `rewoken`: something woke it during the poll.
  POLLEN_NODISCARD Idle transition_to_idle(bool rewoken) noexcept {
    if (rewoken) {
      set(kSelfWokenOnly);
      return Idle::Requeue;
    }
    clear(kQueued | kSelfWokenOnly);
    return Idle::Idle;
  }
  // The poll threw: the future is destroyed next, then the task finishes.
  void transition_to_failed() noexcept { set(kComplete | kFailed); }
  // Cancelled (abort() at its turn, or the loop's destructor): the future is
  // destroyed next, then the task finishes.
  void transition_to_cancelled() noexcept { set(kComplete | kCancelled); }

  // --- finishing ------------------------------------------------------------
  enum class POLLEN_NODISCARD_TYPE Finish : unsigned char {
    NotifyHandle,  // a JoinHandle holds the owner reference: wake its waker
    ReleaseOwner,  // nobody awaits it: drop the output (report a failure), release
  };
  // Ready, threw or cancelled: the loop lets go of the task.
  POLLEN_NODISCARD Finish transition_to_finished() noexcept {
    set(kComplete);
    clear(kLive | kQueued | kSelfWokenOnly);
    if (bits_ & kHandle) return Finish::NotifyHandle;
    if (bits_ & kFailed) set(kErrorObserved);  // reported as unhandled
    return Finish::ReleaseOwner;
  }

  // --- the JoinHandle -------------------------------------------------------
  enum class POLLEN_NODISCARD_TYPE Abort : unsigned char {
    Schedule,  // queue it, so that its next turn cancels it
    NoOp,      // finished, finishing, or already aborted
  };
  POLLEN_NODISCARD Abort transition_to_abort_requested() noexcept {
    if (bits_ & (kComplete | kAbortRequested)) return Abort::NoOp;
    set(kAbortRequested);
    return Abort::Schedule;
  }
  enum class POLLEN_NODISCARD_TYPE HandleDrop : unsigned char {
    KeepRunning,        // unfinished: the loop still holds the owner reference
    DropResult,         // finished, and the loop let go: drop the result, release
  };
  POLLEN_NODISCARD HandleDrop transition_to_handle_dropped() noexcept {
    clear(kHandle);
    return (bits_ & kLive) ? HandleDrop::KeepRunning : HandleDrop::DropResult;
  }
  // The handle's waker entered the loop's table, or left it.
  enum class POLLEN_NODISCARD_TYPE JoinWaker : unsigned char {
    Registered,  // the table holds one: update it
    Absent,      // none: insert one (kJoinWaker is now set)
  };
  POLLEN_NODISCARD JoinWaker transition_to_join_waiting() noexcept {
    if (bits_ & kJoinWaker) return JoinWaker::Registered;
    set(kJoinWaker);
    return JoinWaker::Absent;
  }
  // True when the table held a waker for the task (kJoinWaker is now clear):
  // take it.
  POLLEN_NODISCARD bool take_join_waker() noexcept {
    const bool had = (bits_ & kJoinWaker) != 0;
    clear(kJoinWaker);
    return had;
  }
  void mark_error_observed() noexcept { set(kErrorObserved); }

  // --- queries --------------------------------------------------------------
  bool is_complete() const noexcept { return (bits_ & kComplete) != 0; }
  bool is_cancelled() const noexcept { return (bits_ & kCancelled) != 0; }
  bool is_failed() const noexcept { return (bits_ & kFailed) != 0; }
  bool is_queued() const noexcept { return (bits_ & kQueued) != 0; }
  bool is_live() const noexcept { return (bits_ & kLive) != 0; }
  // The teardown empties the ready queue before each cancel.
  void unqueue() noexcept { clear(kQueued); }

 private:
  void set(std::uint16_t b) noexcept { bits_ = static_cast<std::uint16_t>(bits_ | b); }
  void clear(std::uint16_t b) noexcept { bits_ = static_cast<std::uint16_t>(bits_ & ~b); }

  std::uint16_t bits_;
};

}  // namespace detail
POLLEN_NAMESPACE_END
