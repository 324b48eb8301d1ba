// src/runtime/loop_core.hpp: the event loop's private parts, shared by the
// rooms of src/runtime/ (private to it):
//
//   event_loop.cpp   the loop core: turns, polling, finishing, spawn, teardown
//   task_waker.cpp   the task's waker, its references, the cross-thread queue
//   join_handle.cpp  the JoinHandle's half
//   loop_watch.cpp   tracing, slow polls, introspection, the task dump, and
//                    every message the loop formats (with src/format.hpp)
//   task_state.hpp   the task's state word and its named transitions
//
// The ground rules are at the top of event_loop.cpp.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/poll_observer.hpp>
#include <pollen/runtime/event_loop.hpp>

#include "handle_wakers.hpp"
#include "io_registration.hpp"
#include "task_slab.hpp"
#include "task_state.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#if defined(__GNUC__) || defined(__clang__)
#define POLLEN_SLOW_PATH __attribute__((noinline, cold))
// Thread-locals read on every wake: initial-exec, never through __tls_get_addr.
#define POLLEN_TLS_FAST __attribute__((tls_model("initial-exec")))
#else
#define POLLEN_SLOW_PATH
#define POLLEN_TLS_FAST
#endif

POLLEN_NAMESPACE_BEGIN
namespace detail {

class LoopCore;

// What wakers and other threads reach: outlives the loop while a task block
// of its slab exists (every orphaned slab chunk holds a reference).
class LoopShared {
 public:
  RefCount refs;               // the loop's, plus one per orphaned slab chunk
  std::atomic<std::size_t> remote_wakes{0};

  std::mutex mu;
  // The cross-thread queue, guarded by mu: the woken tasks, each with bit 0
  // set when the wake came from the loop's own thread (for the trace). A
  // task is in it at most once (TaskHeader::remote), and its capacity is
  // reserved for every block of the slab, so a push never allocates.
  std::vector<std::uintptr_t> queue;
  bool closed = false;         // guarded by mu; set once, by the loop's destructor
  // Blocks freed on other threads while the loop lives (through link.next),
  // guarded by mu; has_freed is the hint the loop reads without it.
  TaskHeader* freed = nullptr;
  std::atomic<bool> has_freed{false};
  // Written under mu; read without it as a hint ("maybe something queued").
  // True from the first push (or self-signal) until the loop takes the batch;
  // the Poller is signalled exactly when it goes from false to true.
  std::atomic<bool> signaled{false};
  Poller* poller = nullptr;    // valid while !closed
  LoopCore* core = nullptr;    // valid while !closed; used on the loop's thread only
  std::uint32_t thread_token = 0;  // the loop's thread's; set before any task exists

  void retain() noexcept { refs.retain(); }
  void release() noexcept {
    if (refs.release()) delete this;
  }
  // Makes the poller readable unless it already is. Any thread, under mu.
  void signal_locked() noexcept {
    if (!signaled.load(std::memory_order_relaxed)) {
      signaled.store(true, std::memory_order_relaxed);
      poller->signal();
    }
  }
};

// The loop whose turn runs on this thread (wakes of its tasks go straight to
// its ready queue), or nullptr. Defined in event_loop.cpp.
extern thread_local LoopShared* t_running POLLEN_TLS_FAST;
// This thread's token (see "JoinHandles and threads"): 0 until the thread
// creates its first loop.
extern thread_local std::uint32_t t_thread_token POLLEN_TLS_FAST;

// The task waker's table (task_waker.cpp).
extern const WakerVTable kTaskWakerVTable;
// Queues `t` on the cross-thread queue of `s` (a wake from outside the
// loop's turns); task_waker.cpp.
void wake_remote(TaskHeader* t, LoopShared* s) noexcept;

// The steady clock in nanoseconds: coarse (cheap, milliseconds) for "waiting
// since", precise for the trace and the slow-poll detector.
std::int64_t coarse_now_ns() noexcept;
std::int64_t precise_now_ns() noexcept;

// --- the messages (loop_watch.cpp) -------------------------------------------
[[noreturn]] void report_wrong_loop_thread(const char* what, std::uint64_t loop_id);
[[noreturn]] void report_driving_during_teardown(const char* what, std::uint64_t loop_id);
[[noreturn]] void report_needs_virtual_clock(const char* what, std::uint64_t loop_id);
[[noreturn]] void report_handle_wrong_thread(const TaskHeader* t, const char* what);
[[noreturn]] void report_handle_wrong_thread_noexcept(const TaskHeader* t, const char* what,
                                                      const char* done) noexcept;
// "task #3 \"name\": running", for JoinHandle::describe().
std::string describe_task_for_handle(const TaskHeader* t);

class LoopCore {
 public:
  LoopCore(EventLoop* owner, const LoopOptions& opts);
  LoopCore(const LoopCore&) = delete;
  LoopCore& operator=(const LoopCore&) = delete;

  // --- configuration, fixed at construction ----------------------------------
  LoopOptions options;
  EventLoop* owner;
  std::uint64_t id;
  std::uint32_t thread_token;          // t_thread_token of the loop's thread
  std::unique_ptr<Poller> poller;
  LoopShared* shared = nullptr;
  // The loop's clock and timer wheel. Declared before the tasks: shutdown()
  // destroys the tasks (cancelling their timers) while it lives.
  std::unique_ptr<TimerDriver> driver;
  bool auto_advance;                   // virtual clock: jump when idle
#if POLLEN_HAS_EXCEPTIONS
  UnhandledExceptionHandler on_unhandled;
#endif

  // --- the tasks ----------------------------------------------------------------
  TaskSlab slab;                     // every task block (and, walked, every live task)
  HandleWakers handle_wakers;        // the wakers of JoinHandles waiting on live tasks
  TaskHeader* ready_head = nullptr;  // the ready queue (FIFO through link.next)
  TaskHeader* ready_tail = nullptr;
  std::size_t ready_len = 0;
  // The last task of the previous turn's set that it did not poll (over the
  // cap), still queued; nullptr when that turn polled its whole set.
  TaskHeader* carried_tail = nullptr;
  // drain_remote()'s copy of the cross-thread queue (swapped under the mutex)
  // and the room reserved in both.
  std::vector<std::uintptr_t> remote_batch;
  std::size_t remote_reserved = 0;
  // The task being polled (kept until the end of the turn's polls, so that a
  // wake from its finish() is still its), and whether it was woken during
  // its poll.
  TaskHeader* running = nullptr;
  bool rewoken = false;
  LoopStats stats;
  std::uint64_t next_task_id = 1;
  std::int64_t turn_time_ns;         // the coarse clock, sampled (see turn())
  bool embedded = false;             // native_handle() was asked for
  bool shutting_down = false;        // ~EventLoop is cancelling the tasks
  // --- I/O (pollen::io; io_driver.cpp) ---------------------------------------
  IoRegistration* io_head = nullptr;  // every registration of this loop
  std::size_t io_count = 0;
  // Turns run back to back (tasks always ready) since the poller last
  // looked at the fds: at kIoEveryTurns it looks without sleeping, so busy
  // tasks cannot starve the ones waiting on I/O.
  unsigned io_busy_turns = 0;
  static constexpr unsigned kIoEveryTurns = 61;

  // --- schedule exploration (LoopOptions::schedule_seed) ---------------------
  const bool shuffle;                // a seed was given
  std::uint64_t rng_state;           // splitmix64 state, from the seed
  std::vector<TaskHeader*> shuffled; // shuffle_front()'s scratch (kept: no allocation per turn)

  // --- watching (loop_watch.cpp; see the ground rules) -----------------------
  TraceSink* trace = nullptr;        // not owned; nullptr: off
  std::int64_t trace_start_ns = 0;   // precise clock at trace_to()
  std::int64_t slow_threshold_ns = 0;  // 0: off
  SlowPollHandler on_slow_poll;      // empty: print to stderr
  bool watching = false;             // trace || observer: what wake sites and finish() test
  bool instrumented = false;         // watching || slow_threshold_ns: poll_task's one test
  bool firing_timers = false;        // the timers are firing (wakes come from them)
  // The task finish_polled() is finishing: it records that task's Complete itself.
  const TaskHeader* complete_after_poll_end = nullptr;
  std::unique_ptr<PollObserver> observer_storage;  // created by the first set_introspection(true)
  PollObserver* observer = nullptr;  // observer_storage.get() while on, else nullptr
  std::unordered_map<const TaskHeader*, std::uint64_t> task_wakes;  // while introspection is on

  // --- the core (event_loop.cpp) ---------------------------------------------
  // Raises the wrong-thread ContractError unless called on the loop's thread.
  void check_thread(const char* what) const {
    if (POLLEN_UNLIKELY(t_thread_token != thread_token)) report_wrong_loop_thread(what, id);
  }
  // Queues `t` unless it is queued, being polled (then: once more after
  // the poll) or finished. Loop thread. One load, one test, one store and a
  // push on the common path.
  POLLEN_ALWAYS_INLINE void schedule(TaskHeader* t) noexcept {
    TaskState s(t->state);
    if (POLLEN_LIKELY(s.transition_to_queued() == TaskState::Wake::Queue)) {
      t->state = s.bits();
      push_ready(t);
      return;
    }
    coalesce(t);
  }
  // A wake that found `t` queued, being polled, or finished.
  void coalesce(TaskHeader* t) noexcept {
    if (t == running) {
      rewoken = true;  // queued again when its poll returns Pending
      return;
    }
    TaskState s(t->state);
    s.coalesce_wake();
    t->state = s.bits();
  }
  void push_ready(TaskHeader* t) noexcept {
    t->link.next = nullptr;
    if (ready_tail != nullptr) {
      ready_tail->link.next = t;
    } else {
      ready_head = t;
      // Outside a turn, in a host's main loop: make native_handle() readable.
      if (embedded && t_running != shared) signal_self();
    }
    ready_tail = t;
    ++ready_len;
  }
  TaskHeader* pop_ready() noexcept {
    TaskHeader* t = ready_head;
    if (t != nullptr) {
      ready_head = t->link.next;
      if (ready_head == nullptr) ready_tail = nullptr;
      --ready_len;
    }
    return t;
  }
  void signal_self() noexcept {
    std::lock_guard<std::mutex> lock(shared->mu);
    shared->signal_locked();
  }
  void adopt(TaskHeader* t) noexcept;
  // Makes room in the cross-thread queue for `blocks` tasks (the slab, when
  // it adds a chunk). Loop thread; may throw std::bad_alloc.
  void reserve_remote(std::size_t blocks);
  void finish(TaskHeader* t);
  void cancel(TaskHeader* t);
  std::size_t turn();
  enum class Mode { Run, UntilStalled, UntilFinished };
  template <Mode kMode>
  Option<TimePoint> drive(TaskHeader* root);
  void fire_timers();
  void require_virtual(const char* what) const {
    if (!driver->is_virtual()) report_needs_virtual_clock(what, id);
  }
  void shutdown() noexcept;
  // Collects I/O readiness without sleeping (wakes the tasks waiting on it).
  void poll_io_now() noexcept {
    io_busy_turns = 0;
    poller->wait(0);
  }
  // Registers / unregisters with the poller and the loop's list
  // (io_driver.cpp); attach returns 0 or an errno.
  int io_attach(IoRegistration* r);
  void io_detach(IoRegistration* r) noexcept;
  // At teardown, after the tasks: the registrations still alive (held
  // outside any task) forget the loop; their AsyncFd closes the fd later.
  void io_orphan_all() noexcept;

  // Marks the wakes in its scope as the timers' (for the trace).
  struct FiringTimers {
    explicit FiringTimers(LoopCore& c) noexcept : core(c), previous(c.firing_timers) {
      c.firing_timers = true;
    }
    ~FiringTimers() { core.firing_timers = previous; }
    FiringTimers(const FiringTimers&) = delete;
    FiringTimers& operator=(const FiringTimers&) = delete;
    LoopCore& core;
    bool previous;
  };

  // --- watching (loop_watch.cpp) ---------------------------------------------
  void update_instrumented() noexcept {
    watching = trace != nullptr || observer != nullptr;
    instrumented = watching || slow_threshold_ns > 0;
  }
  POLLEN_SLOW_PATH void trace_spawn(const TaskHeader* t);
  // A wake of `t` on the loop's thread, during a turn (or advance()).
  POLLEN_SLOW_PATH void watch_local_wake(const TaskHeader* t);
  // A wake of `t` taken from the cross-thread queue.
  POLLEN_SLOW_PATH void watch_remote_wake(const TaskHeader* t, bool from_loop_thread);
  POLLEN_SLOW_PATH void watch_finish(const TaskHeader* t, bool cancelled);
  // Before a poll, when instrumented: returns the clock (kNoClock when
  // neither tracing nor the detector needed it).
  POLLEN_SLOW_PATH std::int64_t probe_begin(TaskHeader* t);
  // After the poll; when the task finishes, inside finish_polled().
  POLLEN_SLOW_PATH void probe_end(TaskHeader* t, std::int64_t begin, PollOutcome outcome);
  // When instrumented, the task's last poll ended (Ready or Threw): finishes
  // it before the poll's probe_end(), so that the wakes its finishing causes
  // (its JoinHandle's, those of its output's destructor) fall inside that
  // poll; records Complete after the PollEnd, as for any task.
  POLLEN_SLOW_PATH void finish_polled(TaskHeader* t, std::int64_t begin, PollOutcome outcome);
#if POLLEN_HAS_EXCEPTIONS
  void report_unhandled(const char* name, const std::exception_ptr& e);
#endif

 private:
  template <bool kProbed>
  std::size_t poll_round(std::size_t round);
#if POLLEN_HAS_EXCEPTIONS
  void poll_threw(TaskHeader* t, std::exception_ptr e, bool probed, std::int64_t begin_ns);
#endif
  void drain_remote() noexcept;
  void intake_first(TaskHeader* queued_before) noexcept;
  std::uint64_t next_random() noexcept;
  void shuffle_front(std::size_t n);
};

// What pollen::io reaches through EventLoop's friendship.
struct LoopAccess {
  static LoopCore& core(EventLoop& loop) noexcept { return *loop.core_; }
};

// probe_begin(): the clock was not read.
constexpr std::int64_t kNoClock = INT64_MIN;

// The loop of a task block: the header of its slab chunk.
inline LoopShared* task_shared(const TaskHeader* t) noexcept { return chunk_of(t)->shared; }
// The loop's thread token (fixed: readable from any thread).
inline std::uint32_t task_thread_token(const TaskHeader* t) noexcept {
  return chunk_of(t)->thread_token;
}

#if POLLEN_HAS_EXCEPTIONS
// Moves the exception of a failed task out of its slot (stage Error -> Empty).
inline std::exception_ptr take_task_error(TaskHeader* t) noexcept {
  std::exception_ptr* slot = static_cast<std::exception_ptr*>(t->vtable->slot(t));
  std::exception_ptr e = std::move(*slot);
  slot->~exception_ptr();
  t->stage = TaskStage::Empty;
  return e;
}
#endif
// Destroys what a finished task's slot holds (its output, or its exception).
inline void drop_task_result(TaskHeader* t) noexcept {
#if POLLEN_HAS_EXCEPTIONS
  if (t->stage == TaskStage::Error) {
    (void)take_task_error(t);
    return;
  }
#endif
  t->vtable->drop_output(t);
}

}  // namespace detail
POLLEN_NAMESPACE_END
