// pollen/runtime/event_loop.hpp: EventLoop, the single-threaded executor.
//
// Example:
//
//   pollen::EventLoop loop;
//   pollen::JoinHandle<int> h = loop.spawn("worker", compute());
//   int v = loop.block_on(std::move(f));   // drives f and every task
//
// The loop keeps the spawned tasks and polls each one only when its waker
// says it can make progress; when nothing is ready it sleeps in the kernel
// (epoll, or poll(2)) until a waker from another thread, a timer, or an I/O
// event needs it. How it works, and the rules a task lives by, are written at
// the top of src/runtime/event_loop.cpp.
//
// Turns. The loop works in turns, whichever call drives it: a turn takes in
// the wakes from other threads, fires the due timers, then polls the tasks
// that are ready at that point (at most LoopOptions::max_polls_per_tick of
// them). A task woken during the turn (by another task, by itself, by
// yield_now(), by a spent budget) is polled in the NEXT turn, after the tasks
// that turn's timers and cross-thread wakes woke: a busy task cannot keep a
// due timer's task waiting for more than the turn that is running and the
// next one (while no more than max_polls_per_tick tasks are ready). Order
// within a turn: the tasks the previous turn left over (over the cap), then
// the turn's cross-thread and timer wakes, then the tasks woken since, each
// in wake order (or permuted: LoopOptions::schedule_seed).
//
// Driving it
// * block_on(f): turns until f is Ready; returns its output (rethrows its
//   exception).
// * run(): turns until no task is left.
// * run_until_stalled(): turns until no task is ready; never sleeps and never
//   moves a virtual clock. Returns the earliest pending timer deadline (none
//   without timers). A task that wakes itself forever keeps it running (use
//   tick() for bounded work).
// * tick(): ONE turn, for a foreign main loop; never blocks. Between ticks
//   the host sleeps on native_handle() (readable when the loop has work)
//   with a timeout from next_deadline().
//
// Contract errors
// * Calling block_on, run, run_until_stalled or tick from inside a poll that
//   a loop (this one or another) or pollen::block_on is driving on the same
//   thread: it would block the thread that drives the outer loop. Spawn the
//   future, or return it to be awaited.
// * Using the loop from another thread: a loop belongs to one thread (the
//   only thread-safe things are its tasks' wakers). spawn() checks it before
//   it allocates anything. A JoinHandle belongs to the same thread
//   (<pollen/runtime/join_handle.hpp>).
// * Driving the loop (block_on, run, run_until_stalled, tick) from a
//   destructor that its own destructor runs.
//
// Time
// * Every loop owns a TimerDriver (<pollen/time/timer_driver.hpp>) from its
//   construction: pollen::sleep(d), timeout(f, d) and interval(p) called in
//   any of its tasks use it. The clock is std::chrono::steady_clock unless
//   the loop is made with a virtual clock:
//     pollen::EventLoop loop(pollen::ClockKind::Virtual);
//   or LoopOptions::clock (and LoopOptions::virtual_start).
// * A virtual clock moves only when told to: loop.advance(d),
//   loop.advance_to(t), loop.advance_to_next_timer(), or, opted in with
//   set_auto_advance(true), block_on()/run() jumping to the next deadline
//   whenever no task is ready.
// * With a virtual clock and auto-advance off, block_on()/run() with no
//   ready task wait in the kernel, with no timeout, for a wake from another
//   thread (spawn_blocking, a waker sent away): waiting does not move a
//   virtual clock. They never spin. When no task waits for anything but
//   timers that wait would never end: call advance() from a task, use
//   run_until_stalled() + advance() from the test, or turn auto-advance on.
//
// Cooperative budget: each poll of a task gets a Budget of
// LoopOptions::budget_per_poll units (see <pollen/core/context.hpp>).
//
// Watching it (all off by default; off, one branch per event site)
// * trace_to(sink): the poll timeline (spawn, poll begin/end with the
//   outcome, wake with its source, complete, cancel) into a TraceSink: text,
//   Chrome Trace JSON or SVG (<pollen/runtime/trace.hpp>).
// * set_slow_poll_threshold(d): report every poll longer than d, with the
//   task's state tree (to stderr, or to set_slow_poll_handler()).
// * set_introspection(true): per-node poll and spurious-poll counts in
//   dump_tasks() and the slow-poll report (a loop-owned PollObserver).
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/option.hpp>
#include <pollen/core/poll_observer.hpp>
#include <pollen/core/unit.hpp>
#include <pollen/runtime/join_handle.hpp>
#include <pollen/runtime/poller.hpp>
#include <pollen/runtime/task.hpp>
#include <pollen/runtime/trace.hpp>
#include <pollen/time/clock.hpp>
#include <pollen/time/timer_driver.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#if POLLEN_HAS_EXCEPTIONS
#include <exception>
#endif

POLLEN_NAMESPACE_BEGIN

// The loop's time point (next_deadline()): pollen::TimePoint, steady clock
// nanoseconds.
using LoopTimePoint = TimePoint;

struct LoopOptions {
  // At most this many task polls per turn (tick(), or a turn of run(),
  // block_on(), run_until_stalled()) before the loop looks at cross-thread
  // wakes, timers and I/O again.
  unsigned max_polls_per_tick = 128;
  // Units of cooperative budget given to each poll of a task.
  unsigned budget_per_poll = 128;
  PollerKind poller = PollerKind::Default;
  // The loop's clock: the real steady clock, or a virtual clock that moves
  // only through advance()/advance_to()/advance_to_next_timer() (or
  // auto-advance).
  ClockKind clock = ClockKind::Steady;
  // Where a virtual clock starts (must not be before the clock's epoch);
  // none: the real steady clock's current time. Ignored for Steady.
  Option<TimePoint> virtual_start;
  // Virtual clock only: block_on()/run() jump to the next timer deadline
  // when no task is ready. Off by default (see set_auto_advance()).
  bool auto_advance = false;
  // Schedule exploration, for tests. None (the default): each turn polls its
  // ready tasks in the order they were woken. A seed: each turn polls them
  // in a pseudo-random order drawn from the seed: a permutation of the same
  // tasks (every one is still polled in that turn, none twice), so any
  // order the program may legally see. The same seed and the same program
  // give the same orders again (to replay a failure). Off, it costs one
  // predictable branch per turn.
  Option<std::uint64_t> schedule_seed;
};

// Counters, always on (plain increments on the loop's thread).
struct LoopStats {
  std::size_t tasks_alive = 0;     // spawned, not finished
  std::size_t tasks_spawned = 0;
  std::size_t polls = 0;           // task polls
  std::size_t wakes = 0;           // wake() calls on task wakers, coalesced ones included
  std::size_t remote_wakes = 0;    // ... of which from outside the loop's turns
  // Polls that returned Pending although nothing woke the task since its
  // previous poll returned Pending: it was polled again only because it
  // woke itself during that poll (busy-waiting, or a spent budget).
  std::size_t spurious_polls = 0;
  std::size_t ticks = 0;           // turns of the loop
  std::size_t sleeps = 0;          // kernel waits
};

// One live task, as dump_tasks() sees it.
struct TaskSnapshot {
  std::uint64_t id = 0;
  std::string name;                       // "" when spawned without a name
  const char* state = "";                 // "ready", "running" or "waiting"
  std::chrono::nanoseconds waiting{0};    // since its last poll returned Pending
  DescribeNode tree;                      // its future's state tree
};

// Called for each poll longer than the slow-poll threshold, on the loop's
// thread, right after the poll (see set_slow_poll_threshold()).
using SlowPollHandler = std::function<void(const SlowPoll&)>;

#if POLLEN_HAS_EXCEPTIONS
// Called with the name of a task whose JoinHandle is gone and the exception
// that escaped its poll. The default prints both to stderr; the loop goes
// on. An exception thrown by the handler propagates out of run()/tick().
using UnhandledExceptionHandler = std::function<void(const char* task_name, std::exception_ptr)>;
#endif

namespace detail {
class LoopCore;
struct LoopAccess;

// The check of EventLoop::spawn(f) and EventLoop::block_on(f): f must be a
// future. As with the factories (core/future.hpp), a failed check is the
// result type Rejected<errors>, so its static_assert is the first error, at
// the user's line, and using the result adds no error of its own.
template <class F, class Ok, bool Spawn>
struct loop_check {
  static constexpr bool future = is_future<F>::value;
  static constexpr bool function = !future && is_invocable<F&>::value;
  struct errors {
    static_assert(!function || !Spawn,
                  "pollen: this type is not a future but a function: EventLoop::spawn() runs a "
                  "future. Call the function and spawn the future it returns, or make it one: "
                  "pollen::lazy(fn) (calls fn on the first poll) or pollen::poll_fn(fn) (fn is "
                  "the poll)");
    static_assert(!function || Spawn,
                  "pollen: this type is not a future but a function: EventLoop::block_on() runs "
                  "a future. Call the function and pass the future it returns, or make it one: "
                  "pollen::lazy(fn) (calls fn on the first poll) or pollen::poll_fn(fn) (fn is "
                  "the poll)");
    static_assert(future || function,
                  "pollen: this type is not a future: a future is a movable type with `using "
                  "Output = T;` and `pollen::Poll<T> poll(pollen::Context&)`");
  };
  using type = typename std::conditional<future, Ok, Rejected<errors>>::type;
};
template <class F>
using spawn_result_t = typename loop_check<F, JoinHandle<output_t<F>>, true>::type;
template <class F>
using loop_block_on_result_t = typename loop_check<F, output_t<F>, false>::type;
}  // namespace detail

class EventLoop {
 public:
  EventLoop();
  explicit EventLoop(const LoopOptions& options);
  // A loop on the given clock, other options at their defaults:
  //   pollen::EventLoop loop(pollen::ClockKind::Virtual);
  explicit EventLoop(ClockKind clock);
  // Destroys every task that has not finished (their futures' destructors
  // run here; their JoinHandles then yield a cancelled result). Those
  // destructors may spawn tasks (cancelled in turn, until none is left),
  // abort tasks, and drop or detach JoinHandles. Wakers that outlive the
  // loop stay safe to call and do nothing.
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Starts running `f` as a task; it is first polled at the next turn. The
  // task (header, f, and a copy of the name) is one block of the loop's
  // task slab: spawning allocates only when the slab needs a new 64 KiB
  // chunk (or the block is larger than 8 KiB: a chunk of its own).
  // ContractError on another thread than the loop's (nothing is allocated
  // then). Allowed from a destructor that the loop's destructor runs: the
  // new task is cancelled in turn.
  template <class F>
  POLLEN_NODISCARD detail::spawn_result_t<F> spawn(F f) {
    return spawn_impl<detail::spawn_result_t<F>>(std::move(f), nullptr, 0, is_future<F>());
  }
  template <class F>
  POLLEN_NODISCARD detail::spawn_result_t<F> spawn(const char* name, F f) {
    return spawn_impl<detail::spawn_result_t<F>>(std::move(f), name, name ? std::strlen(name) : 0,
                                                 is_future<F>());
  }
  template <class F>
  POLLEN_NODISCARD detail::spawn_result_t<F> spawn(const std::string& name, F f) {
    return spawn_impl<detail::spawn_result_t<F>>(std::move(f), name.data(), name.size(), is_future<F>());
  }

  // Drives `f` (as a task named "block_on") and every other task until f is
  // Ready; returns its output, or rethrows the exception that escaped it.
  template <class F>
  detail::loop_block_on_result_t<F> block_on(F f) {
    return block_on_impl<detail::loop_block_on_result_t<F>>(f, is_future<F>());
  }

  void run();
  // Polls until no task is ready; returns next_deadline() then (the
  // earliest pending timer, none without one). Never sleeps, never moves a
  // virtual clock.
  Option<TimePoint> run_until_stalled();
  // One bounded, non-blocking turn; returns how many tasks it polled.
  std::size_t tick();

  // Readable when the loop has work (a task is ready, a wake came from
  // another thread, a registered pollen::io file descriptor is ready: the
  // epoll poller only). Owned by the loop: do not close it or read it.
  int native_handle() const noexcept;
  // When the loop next needs a tick for a timer (the earliest pending
  // timer's deadline; it may be <= now() until the next turn fires it); none
  // without timers.
  Option<LoopTimePoint> next_deadline() const;
  // True when some task is ready to be polled (a tick would poll it).
  bool has_ready_tasks() const noexcept;

  LoopStats stats() const noexcept;
  // Every live task: name, state tree, time waiting. Not for hot paths.
  std::vector<TaskSnapshot> dump_tasks() const;
  // dump_tasks(), rendered as text.
  std::string dump_tasks_text() const;

#if POLLEN_HAS_EXCEPTIONS
  void set_unhandled_exception_handler(UnhandledExceptionHandler handler);
#endif

  // ---- Tracing and slow polls (<pollen/runtime/trace.hpp>) -------------
  // Records the poll timeline into `sink` from now on (nullptr: off, the
  // default). The loop does not own the sink; the sink it replaces gets
  // finish(). Only events after the call are recorded, of every task
  // (already-live tasks from their next event on). Timestamps are steady
  // clock nanoseconds since this call, whatever the loop's clock. Wakes from
  // other threads are recorded on the loop's thread, when it takes them.
  // Off, each event site costs one pointer test.
  void trace_to(TraceSink* sink);
  TraceSink* trace_sink() const noexcept;
  // Reports every poll that takes longer than `d` to the slow-poll handler:
  // the task, the poll's duration and the task's state tree. 0 (the
  // default): off. On, each poll costs two steady clock reads.
  void set_slow_poll_threshold(std::chrono::nanoseconds d);
  std::chrono::nanoseconds slow_poll_threshold() const noexcept;
  // Replaces what a slow poll does. The default prints the task, the
  // duration and the state tree to stderr. An empty function restores the
  // default. The handler runs on the loop's thread, between two polls: it
  // may inspect the loop (dump_tasks()) but not drive it; an exception it
  // throws propagates out of run()/tick().
  void set_slow_poll_handler(SlowPollHandler handler);

  // ---- Per-node poll statistics (<pollen/core/poll_observer.hpp>) -------
  // On: the loop keeps one PollObserver, attaches it to the Context of every
  // task poll (every library future in the task's tree then counts its
  // polls and spurious polls), counts each task's wakes in a side table, and
  // forgets a task's nodes when it finishes. dump_tasks(), dump_tasks_text()
  // and the slow-poll report then show "3 polls, 1 spurious (!)" per node.
  // Off (the default) costs nothing per poll; turning it off forgets every
  // count. Independent of trace_to(). On, each poll of a node costs a hash
  // map lookup and a new node allocates: a teaching and debugging aid.
  void set_introspection(bool on);
  bool introspection() const noexcept;
  // The loop's observer while introspection is on, else nullptr (for
  // pollen::describe(f, *observer) on a future a task holds).
  const PollObserver* poll_observer() const noexcept;

  // The loop whose turn is running on this thread, or nullptr.
  static EventLoop* current() noexcept;
  // A number that names this loop in messages ("event loop #3").
  std::uint64_t id() const noexcept;

  // ---- Time ----------------------------------------------------------
  // The loop's timer driver (its clock and timer wheel).
  TimerDriver& timer_driver() noexcept;
  const TimerDriver& timer_driver() const noexcept;
  // The loop's clock: steady_clock::now(), or the virtual clock's time.
  TimePoint now() const noexcept;
  bool is_virtual_clock() const noexcept;
  // Virtual clock only (ContractError on the steady clock): move the clock
  // forward by d (saturating; d <= 0 moves nothing) or to t (a t in the
  // past moves nothing), and wake the tasks whose timers are then due; they
  // are polled at the loop's next turn. Returns how many timers fired. May
  // be called between turns or from one of the loop's own tasks.
  template <class Rep, class Period>
  std::size_t advance(std::chrono::duration<Rep, Period> d) {
    return advance_to(deadline_after(now(), d));
  }
  std::size_t advance_to(TimePoint t);
  // Virtual clock only: moves the clock to the earliest pending deadline
  // (if it is ahead) and fires what is due then. False (nothing moved) when
  // no timer is pending.
  bool advance_to_next_timer();
  // Virtual clock only (ContractError on the steady clock when turning it
  // on): let block_on()/run() jump to the next deadline when no task is
  // ready. Off by default.
  void set_auto_advance(bool on);
  bool auto_advance() const noexcept;

 private:
  friend struct detail::LoopAccess;  // pollen::io reaches the loop's poller

  template <class R, class F>
  R spawn_impl(F&& f, const char* name, std::size_t len, std::true_type) {
    // Checks the thread before anything is allocated.
    void* mem = allocate_task(detail::task_block_size<F>(len), alignof(detail::Task<F>));
    detail::TaskHeader* t;
#if POLLEN_HAS_EXCEPTIONS
    try {
      t = detail::construct_task<F>(mem, std::move(f), name, len);
    } catch (...) {
      free_unadopted(mem);
      throw;
    }
#else
    t = detail::construct_task<F>(mem, std::move(f), name, len);
#endif
    adopt(t);
    return JoinHandle<output_t<F>>(t);
  }
  template <class R, class F>
  R spawn_impl(F&&, const char*, std::size_t, std::false_type) {
    return R();
  }

  template <class R, class F>
  R block_on_impl(F& f, std::true_type) {
    check_can_block("EventLoop::block_on");  // before the root is spawned
    JoinHandle<output_t<F>> root = spawn("block_on", std::move(f));
    drive_until_finished(root.task_header_for_loop());
    return take_root(root);
  }
  template <class R, class F>
  R block_on_impl(F&, std::false_type) {
    return R();
  }
  template <class T>
  static T take_root(JoinHandle<T>& root) {
    Waker noop;
    Context cx(noop);
    Poll<JoinResult<T>> p = root.poll(cx);  // rethrows the root's exception
    return std::move(std::move(p).value()).value();
  }

  // Raises the nested-call ContractError when this thread is inside a poll.
  void check_can_block(const char* what) const;
  // A block of the loop's task slab (spawn() on the wrong thread raises
  // ContractError first), and giving back one whose task was never built.
  void* allocate_task(std::size_t size, std::size_t align);
  void free_unadopted(void* mem) noexcept;
  void adopt(detail::TaskHeader* t) noexcept;
  void drive_until_finished(detail::TaskHeader* root);

  std::unique_ptr<detail::LoopCore> core_;
};

POLLEN_NAMESPACE_END
