// The event loop: tasks, wakers, the ready queue, the cross-thread queue,
// join handles, stats and the task dump.
//
// Ground rules
// ============
// Who owns a task. A task is one heap block (TaskHeader + future + name,
// see <pollen/runtime/task.hpp>) with an atomic reference count:
//   * the owner reference, shared by the loop (flag kLive: until the task
//     finishes) and its JoinHandle (flag kHandle: until the handle is
//     dropped, detached, or has yielded); it is dropped when both let go;
//   * one per Waker made from the task (clone), so a waker is always safe;
//   * one while the task sits in the cross-thread queue.
// The future lives in the block until the task finishes: it is destroyed on
// the loop's thread when it returns Ready (its output takes its place), when
// its poll throws, when it is aborted, or when the loop is destroyed.
// Nothing but the loop's thread ever touches a future, an output, the flags,
// or the queues' links, except `next_remote` under the queue mutex.
//
// When a task is polled. Only when it is in the ready queue, and it is put
// there only by spawn, by a wake, or by abort():
//   * a wake of a task that is already queued does nothing (two wakes before
//     a poll cause one poll);
//   * a wake of a task that is being polled sets kWokenWhileRunning: when
//     that poll returns Pending the task goes to the BACK of the queue, so a
//     wake during a poll causes exactly one more poll, never a recursive one;
//   * a wake of a finished (or finishing) task does nothing;
//   * a task nobody wakes is never polled again.
//
// Turns. Every way of driving the loop (block_on, run, run_until_stalled,
// tick) runs the same turn(): take the cross-thread wakes, fire the due
// timers, then poll the tasks that are in the ready queue at that moment, at
// most LoopOptions::max_polls_per_tick of them, from its front. A task woken
// during those polls (by another task, by itself, by yield_now(), by a spent
// budget) is pushed behind them and waits for the next turn, which first
// takes in timers and cross-thread wakes again, and polls that intake
// BEFORE the tasks woken during the previous turn (intake_first(); tokio
// defers a yielding task behind its driver the same way). The order of a
// turn's set is thus: the tasks the previous turn carried over (over the
// cap, `carried_tail` is the last), then this turn's intake (cross-thread
// wakes, then timers), then the tasks woken since the previous turn began
// polling, each part in wake order. So a task whose timer is due is polled
// in the turn after the one during which its deadline passed, before the
// busy tasks, whatever they do (while at most max_polls_per_tick tasks are
// ready; with more, the carried-over ones come first, so it waits
// ceil(ready / max) turns). With LoopOptions::schedule_seed the turn's set
// is permuted first, pseudo-randomly from the seed (shuffle_front()); off,
// that costs one branch per turn.
//
// Finishing. A task finishes once: Ready (its future destroyed inside the
// poll, while kRunning), a throw, abort(), or the loop's destructor. In the
// last three kComplete is set before the future is destroyed, so a wake or
// an abort() from its destructor (a granted bounded send passing its room to
// a sibling send of the same task does exactly that) finds the task complete
// and queues nothing. Hence: a finished task is never in the ready queue, a
// task in the ready queue is alive, and finish() runs once per task (it
// checks: kLive set, kQueued clear).
//
// Teardown. ~EventLoop closes the cross-thread queue, then cancels the live
// tasks one at a time until none is left. Before each cancel it empties the
// ready queue (every task in it is alive, see Finishing), so no cancelled
// task is left linked in it and no push ever writes into a freed block. The
// destructors it runs may spawn (the new task is live: cancelled in a later
// round), abort (the task is queued: unqueued before the next cancel), drop
// or detach JoinHandles (a cancelled task is freed then); they may not drive
// the loop (ContractError).
//
// JoinHandles and threads. A JoinHandle may only be used on the thread of
// its loop. Each thread that creates a loop gets a number (its token, never
// reused); a task records its loop's token at spawn, and every JoinHandle
// operation on a task compares it with the calling thread's before touching
// anything else (reading the token is not a race: it never changes). The
// rule holds after the loop is gone too: the handle cannot tell without a
// race (or a reference to the loop's shared state per task) whether its loop
// still exists.
//
// Time. The loop owns a TimerDriver (`driver`) from construction and makes
// it TimerDriver::current() during its turns, so pollen::sleep(d) in a task
// finds it. Each turn fires the due timers (only when some are pending: an
// idle wheel costs no clock read) with this loop as t_running, so the woken
// tasks are queued directly. Before a kernel wait the driver bounds the
// timeout (wait_timeout_ms(): rounded up to whole ms, never an early wake
// and a spin). A virtual clock never bounds the wait: block_on/run jump to
// the next deadline instead when auto-advance is on, and otherwise wait only
// for cross-thread wakes. The calls are direct (no virtual call per turn).
//
// What a wake does, by where it comes from.
//   * From the loop's own thread during one of its turns (t_running is this
//     loop's LoopShared): the task is queued directly. No atomic operation.
//   * From anywhere else (another thread, the same thread between turns, a
//     destructor): the task is pushed on the cross-thread queue (a mutex and
//     an intrusive list; `remote_queued` makes repeated wakes coalesce
//     without the mutex) and the loop's Poller is signalled once per batch,
//     which ends the kernel wait of a sleeping loop. The next turn moves the
//     batch to the ready queue.
//   * After the loop is destroyed: the cross-thread queue is closed, so the
//     wake does nothing. The LoopShared (queue, mutex) outlives the loop for
//     as long as a task block that might still be woken exists: a task that
//     finishes while wakers of it are alive takes a reference to it
//     (kHoldsShared). A task that finishes with no waker alive cannot be
//     woken any more and takes none, so spawning and completing a task costs
//     no atomic read-modify-write at all.
//
// Tracing and slow polls (<pollen/runtime/trace.hpp>). `trace` is the sink
// or nullptr; every place that can record an event tests one pointer or
// flag: adopt (spawn), a local wake and drain_remote (`watching`), finish
// (`watching`), and poll_task, which tests `instrumented` (a sink, a
// slow-poll threshold or introspection) once per poll and runs the plain or
// the instrumented copy of its code (a template on a bool). Only the
// instrumented copy reads the clock and remembers the task it polls
// (`polling`), which is how a wake on the loop's thread knows its
// source: `firing_timers` (set while the timers fire) wins, then `polling`,
// else the loop itself. A wake that goes through the cross-thread queue is
// recorded when the loop takes it; the waking thread notes in the task
// (under the queue mutex) whether it was the loop's own thread. Sinks are
// called on the loop's thread only. The destructor turns tracing off before
// it cancels the tasks: the sink may already be destroyed.
//
// Introspection (set_introspection). The loop owns one PollObserver and
// passes `observer` (nullptr when off) in every task poll's Context. The
// observer needs each task's wake count; TaskHeader has no room for it (its
// size is a benchmark target), so the counts live in a side table,
// `task_wakes`, filled only while introspection is on: a wake on the loop's
// thread counts one, a batch entry of the cross-thread queue counts one (so
// do several foreign wakes that coalesced). `watching` (a sink or
// introspection) is what the wake sites and finish() test; finish() then
// also forgets the task's nodes and its wake count.
#include <pollen/core/block_on.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/runtime/event_loop.hpp>

#include "trace_format.hpp"

#include <fmt/core.h>
#include <fmt/format.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <time.h>

POLLEN_NAMESPACE_BEGIN
namespace detail {

namespace {
// The clock of "waiting since" and dump_tasks(): read once per turn, so it
// must be cheap. On Linux the coarse monotonic clock (a few ms resolution,
// no hardware read: about 10x cheaper than steady_clock in a VM) is plenty
// to say how long a task has been waiting.
std::int64_t steady_now_ns() noexcept {
#if defined(__linux__) && defined(CLOCK_MONOTONIC_COARSE)
  struct timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
#else
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
#endif
}
// The clock of the trace and of the slow-poll detector: precise.
std::int64_t precise_now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
std::atomic<std::uint64_t> g_next_loop_id{1};
std::atomic<std::uint32_t> g_next_thread_token{1};
// probe_begin(): the clock was not read.
const std::int64_t kNoClock = std::numeric_limits<std::int64_t>::min();

// "12.3 ms", "45.6 us", "789 ns".
std::string format_duration(std::int64_t ns) {
  fmt::memory_buffer buf;
  append_duration(buf, ns);
  return fmt::to_string(buf);
}
std::string indent(const std::string& text, const char* prefix) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out += prefix + text.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return out;
}
}  // namespace

#if defined(__GNUC__) || defined(__clang__)
#define POLLEN_SLOW_PATH __attribute__((noinline, cold))
#define POLLEN_INLINE_TURN inline __attribute__((always_inline))
#else
#define POLLEN_SLOW_PATH
#define POLLEN_INLINE_TURN inline
#endif

// What wakers reach: outlives the loop while a wakeable task block exists.
class LoopShared {
 public:
  std::atomic<std::uint32_t> refs{1};  // the loop's, plus one per kHoldsShared block
  std::atomic<std::size_t> remote_wakes{0};

  std::mutex mu;
  TaskHeader* head = nullptr;  // the cross-thread queue, guarded by mu
  TaskHeader* tail = nullptr;
  bool closed = false;         // guarded by mu; set once, by the loop's destructor
  // Written under mu; read without it as a hint ("maybe something queued").
  // True from the first push (or self-signal) until the loop takes the batch;
  // the Poller is signalled exactly when it goes from false to true.
  std::atomic<bool> signaled{false};
  Poller* poller = nullptr;    // valid while !closed
  LoopCore* core = nullptr;    // valid while !closed; used on the loop's thread only
  std::thread::id loop_thread; // set before any task exists, never changes

  void retain() noexcept { refs.fetch_add(1, std::memory_order_relaxed); }
  void release() noexcept {
    if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }
  // Makes the poller readable unless it already is. Any thread.
  void signal_locked() noexcept {
    if (!signaled.load(std::memory_order_relaxed)) {
      signaled.store(true, std::memory_order_relaxed);
      poller->signal();
    }
  }
};

namespace {
// The loop whose turn runs on this thread: wakes of its tasks go straight to
// its ready queue. initial-exec: read on every wake, it must not go through
// __tls_get_addr.
#if defined(__GNUC__) || defined(__clang__)
__attribute__((tls_model("initial-exec")))
#endif
thread_local LoopShared* t_running = nullptr;

// This thread's token (see "JoinHandles and threads"): 0 until the thread
// creates its first loop.
#if defined(__GNUC__) || defined(__clang__)
__attribute__((tls_model("initial-exec")))
#endif
thread_local std::uint32_t t_thread_token = 0;

std::uint32_t this_thread_token() noexcept {
  if (t_thread_token == 0) t_thread_token = g_next_thread_token.fetch_add(1);
  return t_thread_token;
}

void task_wake_by_ref(const void* data);
void task_wake(const void* data);
void task_drop(const void* data);
RawWaker task_clone(const void* data);
const WakerVTable kTaskWakerVTable = {task_clone, task_wake, task_wake_by_ref, task_drop};

TaskHeader* header(const void* data) { return static_cast<TaskHeader*>(const_cast<void*>(data)); }
}  // namespace

class LoopCore {
 public:
  LoopCore(EventLoop* owner, const LoopOptions& opts)
      : options(opts),
        owner(owner),
        id(g_next_loop_id.fetch_add(1)),
        thread(std::this_thread::get_id()),
        thread_token(this_thread_token()),
        driver(make_driver(opts)),
        auto_advance(opts.auto_advance),
        shuffle(opts.schedule_seed.has_value()),
        rng_state(opts.schedule_seed.has_value() ? *opts.schedule_seed : 0) {
    POLLEN_REQUIRE(!opts.auto_advance || opts.clock == ClockKind::Virtual,
                   "LoopOptions::auto_advance is set for a loop on the steady clock; auto-advance "
                   "jumps a virtual clock to the next timer, the real clock moves by itself. Set "
                   "LoopOptions::clock = ClockKind::Virtual, or leave auto_advance off");
    POLLEN_REQUIRE(opts.max_polls_per_tick > 0,
                   "LoopOptions::max_polls_per_tick is 0: a tick would never poll a task; use at "
                   "least 1 (the default is 128)");
    poller = Poller::create(opts.poller);
    shared = new LoopShared();
    shared->poller = poller.get();
    shared->core = this;
    shared->loop_thread = thread;
  }

  LoopOptions options;
  EventLoop* owner;
  std::uint64_t id;
  std::thread::id thread;
  std::uint32_t thread_token;          // this_thread_token() of `thread`
  std::unique_ptr<Poller> poller;
  LoopShared* shared = nullptr;
  // The loop's clock and timer wheel. Declared before the tasks' lists:
  // shutdown() destroys the tasks (cancelling their timers) while it lives.
  std::unique_ptr<TimerDriver> driver;
  bool auto_advance;                   // virtual clock: jump when idle
#if POLLEN_HAS_EXCEPTIONS
  UnhandledExceptionHandler on_unhandled;
#endif

  TaskHeader* ready_head = nullptr;  // the ready queue (FIFO through next_ready)
  TaskHeader* ready_tail = nullptr;
  std::size_t ready_len = 0;
  // The last task of the previous turn's set that it did not poll (over the
  // cap), still queued; nullptr when that turn polled its whole set.
  TaskHeader* carried_tail = nullptr;
  TaskHeader* live_head = nullptr;   // every unfinished task (through prev/next_live)
  TaskHeader* live_tail = nullptr;
  LoopStats stats;
  std::uint64_t next_task_id = 1;
  std::int64_t turn_time_ns = steady_now_ns();  // the clock, sampled (see turn())
  bool embedded = false;             // native_handle() was asked for
  bool shutting_down = false;        // ~EventLoop is cancelling the tasks
  // --- schedule exploration (LoopOptions::schedule_seed) ---------------------
  const bool shuffle;                // a seed was given
  std::uint64_t rng_state;           // splitmix64 state, from the seed
  std::vector<TaskHeader*> shuffled; // shuffle_front()'s scratch (kept: no allocation per turn)

  // --- tracing and slow polls (see the ground rules) -----------------------
  TraceSink* trace = nullptr;        // not owned; nullptr: off
  std::int64_t trace_start_ns = 0;   // precise clock at trace_to()
  std::int64_t slow_threshold_ns = 0;  // 0: off
  SlowPollHandler on_slow_poll;      // empty: print to stderr
  bool watching = false;             // trace || observer: what wake sites and finish() test
  bool instrumented = false;         // watching || slow_threshold_ns: poll_task's one test
  bool firing_timers = false;        // the timers are firing (wakes come from them)
  TaskHeader* polling = nullptr;     // the task being polled, set only when instrumented
  // --- introspection -------------------------------------------------------
  std::unique_ptr<PollObserver> observer_storage;  // created by the first set_introspection(true)
  PollObserver* observer = nullptr;  // observer_storage.get() while on, else nullptr
  std::unordered_map<const TaskHeader*, std::uint64_t> task_wakes;  // while on

  void update_instrumented() noexcept {
    watching = trace != nullptr || observer != nullptr;
    instrumented = watching || slow_threshold_ns > 0;
  }

  void emit(TraceKind kind, const TaskHeader* t, std::int64_t now,
            PollOutcome outcome = PollOutcome::Pending, WakeSource source = WakeSource::Loop,
            std::uint64_t source_task = 0) {
    TraceEvent e;
    e.kind = kind;
    e.task = t->id;
    e.task_name = t->name;
    e.time_ns = now - trace_start_ns;
    e.outcome = outcome;
    e.source = source;
    e.source_task = source_task;
    trace->record(e);
  }
  POLLEN_SLOW_PATH void trace_simple(TraceKind kind, const TaskHeader* t) {
    emit(kind, t, precise_now_ns());
  }
  // A wake of `t` on the loop's thread, during a turn (or advance()).
  POLLEN_SLOW_PATH void watch_local_wake(const TaskHeader* t) {
    if (t->flags & kComplete) return;
    if (observer != nullptr) ++task_wakes[t];
    if (trace == nullptr) return;
    if (firing_timers) {
      emit(TraceKind::Wake, t, precise_now_ns(), PollOutcome::Pending, WakeSource::Timer);
    } else if (polling != nullptr) {
      emit(TraceKind::Wake, t, precise_now_ns(), PollOutcome::Pending, WakeSource::Task,
           polling->id);
    } else {
      emit(TraceKind::Wake, t, precise_now_ns(), PollOutcome::Pending, WakeSource::Loop);
    }
  }
  // Before a poll, when instrumented: returns the clock (kNoClock when
  // neither tracing nor the detector needed it).
  POLLEN_SLOW_PATH std::int64_t probe_begin(TaskHeader* t) {
    polling = t;
    if (observer != nullptr) {
      auto it = task_wakes.find(t);
      observer->begin_task_poll(it != task_wakes.end() ? it->second : 0);
    }
    if (trace == nullptr && slow_threshold_ns <= 0) return kNoClock;
    const std::int64_t now = precise_now_ns();
    if (trace != nullptr) emit(TraceKind::PollBegin, t, now);
    return now;
  }
  // After the poll, before the task finishes (if it does).
  POLLEN_SLOW_PATH void probe_end(TaskHeader* t, std::int64_t begin, PollOutcome outcome) {
    if (trace == nullptr && slow_threshold_ns <= 0) return;
    const std::int64_t now = precise_now_ns();
    if (trace != nullptr) emit(TraceKind::PollEnd, t, now, outcome);
    if (slow_threshold_ns > 0 && begin != kNoClock && now - begin > slow_threshold_ns) {
      report_slow_poll(t, now - begin);
    }
  }
  void report_slow_poll(const TaskHeader* t, std::int64_t ns) {
    SlowPoll sp;
    sp.task = t->id;
    sp.name = t->name;
    sp.duration = std::chrono::nanoseconds(ns);
    DescribeNode root;
    {
      Describer d(root, observer);
      t->vtable->describe(t, d);
    }
    sp.tree = render(root);
    if (on_slow_poll) {
      on_slow_poll(sp);
      return;
    }
    std::string who = fmt::format("task #{}", sp.task);
    if (!sp.name.empty()) who += fmt::format(" \"{}\"", sp.name);
    std::string msg = fmt::format(
        "pollen: slow poll: {} ran for {} in one poll (event loop #{}, threshold {}).\n"
        "  Every other task waited meanwhile: move blocking work to spawn_blocking(),\n"
        "  or split long work with yield_now(). Its state after the poll:\n{}",
        who, format_duration(ns), id, format_duration(slow_threshold_ns), indent(sp.tree, "    "));
    std::fwrite(msg.data(), 1, msg.size(), stderr);
  }

  static std::unique_ptr<TimerDriver> make_driver(const LoopOptions& o) {
    if (o.clock == ClockKind::Virtual && o.virtual_start.has_value()) {
      return std::unique_ptr<TimerDriver>(new TimerDriver(ClockKind::Virtual, *o.virtual_start));
    }
    return std::unique_ptr<TimerDriver>(new TimerDriver(o.clock));
  }

  void check_thread(const char* what) const {
    if (POLLEN_UNLIKELY(std::this_thread::get_id() != thread)) {
      contract_violation(fmt::format(
          "{} called on event loop #{} from a thread other than the one that created it; a loop "
          "belongs to one thread (only its tasks' wakers may be used from others). Create one "
          "loop per thread, or wake a task of this loop from the other thread instead",
          what, id));
    }
  }

  // --- the ready queue ---------------------------------------------------
  void push_ready(TaskHeader* t) noexcept {
    t->next_ready = nullptr;
    if (ready_tail != nullptr) {
      ready_tail->next_ready = t;
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
      ready_head = t->next_ready;
      if (ready_head == nullptr) ready_tail = nullptr;
      --ready_len;
    }
    return t;
  }
  void signal_self() noexcept {
    std::lock_guard<std::mutex> lock(shared->mu);
    shared->signal_locked();
  }

  // Queues `t` unless it is queued, running (then: once more after the poll)
  // or finished. `self_woken` marks a requeue by a wake during its own poll.
  void schedule(TaskHeader* t) noexcept {
    std::uint16_t f = t->flags;
    if (f & kComplete) return;
    if (f & kRunning) {
      t->flags = static_cast<std::uint16_t>(f | kWokenWhileRunning);
      return;
    }
    if (f & kQueued) {
      t->flags = static_cast<std::uint16_t>(f & ~kSelfWokenOnly);  // a real wake since
      return;
    }
    t->flags = static_cast<std::uint16_t>((f | kQueued) & ~kSelfWokenOnly);
    push_ready(t);
  }

  // --- the live list -----------------------------------------------------
  void link_live(TaskHeader* t) noexcept {
    t->prev_live = live_tail;
    t->next_live = nullptr;
    if (live_tail != nullptr) {
      live_tail->next_live = t;
    } else {
      live_head = t;
    }
    live_tail = t;
  }
  void unlink_live(TaskHeader* t) noexcept {
    if (t->prev_live != nullptr) {
      t->prev_live->next_live = t->next_live;
    } else {
      live_head = t->next_live;
    }
    if (t->next_live != nullptr) {
      t->next_live->prev_live = t->prev_live;
    } else {
      live_tail = t->prev_live;
    }
  }

  // --- the cross-thread queue --------------------------------------------
  // Moves the cross-thread batch to the ready queue.
  void drain_remote() noexcept {
    if (!shared->signaled.load(std::memory_order_relaxed)) return;
    TaskHeader* list;
    {
      std::lock_guard<std::mutex> lock(shared->mu);
      list = shared->head;
      shared->head = shared->tail = nullptr;
      if (shared->signaled.load(std::memory_order_relaxed)) {
        shared->signaled.store(false, std::memory_order_relaxed);
        poller->clear();  // under the mutex: a push after this signals again
      }
    }
    while (list != nullptr) {
      TaskHeader* t = list;
      list = t->next_remote;
      if (POLLEN_UNLIKELY(watching)) watch_remote_wake(t);
      // acq_rel: whatever a waker did before a wake that found the flag set
      // happens before the poll this causes.
      t->remote_queued.exchange(false, std::memory_order_acq_rel);
      schedule(t);
      task_release(t);  // the queue's reference
    }
  }

  POLLEN_SLOW_PATH void watch_remote_wake(const TaskHeader* t) {
    if (t->flags & kComplete) return;
    if (observer != nullptr) ++task_wakes[t];
    if (trace == nullptr) return;
    emit(TraceKind::Wake, t, precise_now_ns(), PollOutcome::Pending,
         t->remote_wake_from_loop_thread ? WakeSource::Loop : WakeSource::OtherThread);
  }

  POLLEN_SLOW_PATH void watch_finish(const TaskHeader* t, bool cancelled) {
    if (trace != nullptr)
      emit(cancelled ? TraceKind::Cancel : TraceKind::Complete, t, precise_now_ns());
    if (observer != nullptr) {
      observer->forget_range(t, t->vtable->block_size);
      task_wakes.erase(t);
    }
  }

  // --- finishing a task --------------------------------------------------
  // The task has finished (Ready, threw, or cancelled); the future is gone.
  // Once per task; never while it is queued (see "Finishing").
  void finish(TaskHeader* t) {
    POLLEN_ASSERT((t->flags & (kLive | kQueued)) == kLive,
                  "a task was finished twice, or while it sat in the ready queue");
    std::uint16_t f = static_cast<std::uint16_t>(t->flags | kComplete);
    f = static_cast<std::uint16_t>(f & ~(kLive | kQueued | kWokenWhileRunning | kSelfWokenOnly));
    if (POLLEN_UNLIKELY(watching)) watch_finish(t, (f & kCancelled) != 0);
    unlink_live(t);
    --stats.tasks_alive;
    // Wakers still alive may wake this block after the loop is gone: then it
    // must keep the shared queue alive. With no waker alive (the common
    // case) nobody can make a new one, so no reference is needed.
    if (t->refs.load(std::memory_order_acquire) > 1) {
      shared->retain();
      f = static_cast<std::uint16_t>(f | kHoldsShared);
    }
    t->flags = f;
#if POLLEN_HAS_EXCEPTIONS
    std::exception_ptr unhandled;
    std::string unhandled_name;
#endif
    if (f & kHandle) {
      Waker w = std::move(t->join_waker);
      std::move(w).wake();
    } else {
      t->vtable->drop_output(t);
#if POLLEN_HAS_EXCEPTIONS
      if (f & kFailed) {
        unhandled = t->error;
        unhandled_name = t->name;
        t->flags = static_cast<std::uint16_t>(t->flags | kErrorObserved);
      }
#endif
      task_release(t);  // the owner reference: nobody holds it any more
    }
#if POLLEN_HAS_EXCEPTIONS
    if (unhandled) report_unhandled(unhandled_name.c_str(), unhandled);
#endif
  }

  // Complete first: a wake or abort() from the future's destructor (of this
  // very task too) then queues nothing.
  void cancel(TaskHeader* t) {
    t->flags = static_cast<std::uint16_t>(t->flags | kComplete | kCancelled);
    t->vtable->drop_future(t);
    finish(t);
  }

#if POLLEN_HAS_EXCEPTIONS
  void report_unhandled(const char* name, const std::exception_ptr& e) {
    if (on_unhandled) {
      on_unhandled(name, e);
      return;
    }
    std::string what = "an exception not derived from std::exception";
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      what = ex.what();
    } catch (...) {
    }
    std::fprintf(stderr,
                 "pollen: task \"%s\" on event loop #%llu ended with an unhandled exception: %s "
                 "(its JoinHandle was dropped or detached; set_unhandled_exception_handler() "
                 "changes what happens)\n",
                 name, static_cast<unsigned long long>(id), what.c_str());
  }
#endif

  // --- polling -------------------------------------------------------------
  // A waker borrowed for one poll: no reference is taken or dropped (the
  // union keeps the Waker's destructor, which would drop one, from running).
  struct BorrowedWaker {
    explicit BorrowedWaker(TaskHeader* t) noexcept : u(RawWaker{t, &kTaskWakerVTable}) {}
    union U {
      explicit U(RawWaker r) noexcept : waker(r) {}
      ~U() {}
      Waker waker;
    } u;
  };

  // One test per poll picks the plain or the instrumented (tracing, slow
  // polls, introspection) copy of the same code.
  void poll_task(TaskHeader* t) {
    if (POLLEN_UNLIKELY(instrumented)) {
      poll_task_impl<true>(t);
    } else {
      poll_task_impl<false>(t);
    }
  }

  template <bool kProbed>
  void poll_task_impl(TaskHeader* t) {
    std::uint16_t f = t->flags;
    const bool self_woken_only = (f & kSelfWokenOnly) != 0;
    f = static_cast<std::uint16_t>(f & ~(kQueued | kSelfWokenOnly | kWokenWhileRunning));
    t->flags = f;
    if (f & kAbortRequested) {
      cancel(t);
      return;
    }
    t->flags = static_cast<std::uint16_t>(f | kRunning);
    ++stats.polls;
    const bool probed = kProbed;  // a constant: the plain copy has no probe code
    std::int64_t begin_ns = 0;
    if (probed) begin_ns = probe_begin(t);
    Budget budget{options.budget_per_poll};
    TaskPoll r;
    {
      BorrowedWaker w(t);
      Context cx(w.u.waker, &budget, probed ? observer : nullptr);
#if POLLEN_HAS_EXCEPTIONS
      try {
        r = t->vtable->poll(t, cx);
      } catch (...) {
        // Complete before the future is destroyed, as in cancel().
        t->error = std::current_exception();
        t->flags = static_cast<std::uint16_t>((t->flags & ~(kRunning | kWokenWhileRunning)) |
                                              kComplete | kFailed);
        t->vtable->drop_future(t);
        if (probed) probe_end(t, begin_ns, PollOutcome::Threw);
        finish(t);
        polling = nullptr;
        return;
      }
#else
      r = t->vtable->poll(t, cx);
#endif
    }
    f = static_cast<std::uint16_t>(t->flags & ~kRunning);
    if (r == TaskPoll::Ready) {
      t->flags = f;
      if (probed) {
        probe_end(t, begin_ns, PollOutcome::Ready);
        finish(t);  // the JoinHandle's wake in here comes from this task
        polling = nullptr;
        return;
      }
      finish(t);
      return;
    }
    if (self_woken_only) ++stats.spurious_polls;
    t->waiting_since_ns = turn_time_ns;
    if (f & kWokenWhileRunning) {
      f = static_cast<std::uint16_t>((f & ~kWokenWhileRunning) | kQueued | kSelfWokenOnly);
      t->flags = f;
      push_ready(t);
    } else {
      t->flags = f;
    }
    if (probed) {
      probe_end(t, begin_ns, PollOutcome::Pending);
      polling = nullptr;
    }
  }

  // One turn (see "Turns"): cross-thread wakes, timers, then the tasks ready
  // at that moment, at most max_polls_per_tick of them. A task woken by
  // these polls is pushed behind them: it waits for the next turn, where the
  // intake of that turn goes ahead of it. Inlined into drive(): a turn can
  // be as short as one poll.
  POLLEN_INLINE_TURN std::size_t turn() {
    // The clock for "waiting since" is sampled every 8 turns and after every
    // kernel wait: a stamp is at most 8 turns early.
    if ((stats.ticks++ & 7) == 0) turn_time_ns = steady_now_ns();
    TaskHeader* const queued_before = ready_tail;
    drain_remote();
    fire_timers();
    if (POLLEN_UNLIKELY(ready_tail != queued_before) && queued_before != nullptr &&
        queued_before != carried_tail) {
      intake_first(queued_before);
    }
    const std::size_t len = ready_len;
    const std::size_t max = options.max_polls_per_tick;
    const std::size_t round = len < max ? len : max;
    if (POLLEN_UNLIKELY(shuffle)) shuffle_front(round);
    // Over the cap: the rest of this turn's set is carried over, and stays
    // ahead of the next turn's intake. Set before polling, so that a poll
    // that throws out of the turn leaves it right (the set's last task stays
    // queued).
    carried_tail = round < len ? ready_tail : nullptr;
    std::size_t n = 0;
    for (; n < round; ++n) poll_task(pop_ready());
    return n;
  }

  // The queue is [carried over][woken since the last turn began polling]
  // [this turn's intake], `queued_before` the last of the middle part: move
  // the intake (cross-thread wakes, then timer wakes) ahead of the middle
  // part, so that a task that yielded (or spent its budget, or was woken by
  // another task) runs after the timers that fell due meanwhile.
  void intake_first(TaskHeader* queued_before) noexcept {
    TaskHeader* intake_head = queued_before->next_ready;
    TaskHeader* intake_tail = ready_tail;
    TaskHeader* woken_head = carried_tail != nullptr ? carried_tail->next_ready : ready_head;
    queued_before->next_ready = nullptr;
    intake_tail->next_ready = woken_head;
    if (carried_tail != nullptr) {
      carried_tail->next_ready = intake_head;
    } else {
      ready_head = intake_head;
    }
    ready_tail = queued_before;
  }

  // --- schedule exploration ------------------------------------------------
  // splitmix64: a fixed, portable sequence for a given seed.
  std::uint64_t next_random() noexcept {
    std::uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Permutes the first `n` tasks of the ready queue (Fisher-Yates) in place:
  // they stay in the queue, so a poll that throws out of the turn leaves the
  // rest of them queued for the next one.
  POLLEN_SLOW_PATH void shuffle_front(std::size_t n) {
    if (n < 2) return;
    shuffled.clear();
    for (std::size_t i = 0; i < n; ++i) shuffled.push_back(pop_ready());
    for (std::size_t i = n - 1; i > 0; --i) {
      const std::size_t j = static_cast<std::size_t>(next_random() % (i + 1));
      std::swap(shuffled[i], shuffled[j]);
    }
    TaskHeader* rest = ready_head;
    for (std::size_t i = 0; i + 1 < n; ++i) shuffled[i]->next_ready = shuffled[i + 1];
    shuffled[n - 1]->next_ready = rest;
    ready_head = shuffled[0];
    if (rest == nullptr) ready_tail = shuffled[n - 1];
    ready_len += n;
  }

  // --- time ----------------------------------------------------------------
  // Wakes the tasks whose timers are due. Called with t_running == shared
  // (inside a turn, or from advance_to()): the wakes queue tasks directly.
  void fire_timers() {
    if (driver->pending_timers() != 0) {
      FiringTimers firing(*this);
      driver->fire_expired();
    }
  }
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
  Option<TimePoint> next_deadline() const { return driver->next_deadline(); }
  bool clock_is_virtual() const { return driver->is_virtual(); }

  enum class Mode { Run, UntilStalled, UntilFinished };

  // Returns next_deadline() when it stops for UntilStalled.
  Option<TimePoint> drive(Mode mode, TaskHeader* root) {
    for (;;) {
      turn();
      if (root != nullptr && (root->flags & kComplete)) return none;
      if (mode == Mode::Run && stats.tasks_alive == 0) return none;
      if (ready_head != nullptr || shared->signaled.load(std::memory_order_relaxed)) continue;
      Option<TimePoint> deadline = next_deadline();
      if (mode == Mode::UntilStalled) return deadline;
      int timeout_ms = -1;  // no timer: wait for a cross-thread wake only
      if (deadline.has_value()) {
        if (clock_is_virtual()) {
          if (auto_advance) {
            // Virtual time, opted in: jump instead of sleeping.
            FiringTimers firing(*this);
            driver->advance_to(*deadline);
            continue;
          }
          // Virtual time without auto-advance: waiting does not move the
          // clock, so wait for a cross-thread wake only (documented).
        } else {
          timeout_ms = driver->wait_timeout_ms();
          if (timeout_ms == 0) continue;  // passed since the turn fired: fire it now
        }
      }
      ++stats.sleeps;
      poller->wait(timeout_ms);
      turn_time_ns = steady_now_ns();
    }
  }

  void require_virtual(const char* what) const {
    if (!clock_is_virtual()) {
      contract_violation(fmt::format(
          "{} needs a virtual clock, and event loop #{} runs on the real steady clock; make the "
          "loop with a virtual clock (pollen::EventLoop loop(pollen::ClockKind::Virtual), or "
          "LoopOptions::clock) to control time",
          what, id));
    }
  }

  void adopt(TaskHeader* t) noexcept {
    t->shared = shared;
    t->thread_token = thread_token;
    t->id = next_task_id++;
    t->flags = static_cast<std::uint16_t>(kLive | kHandle | kQueued);
    t->waiting_since_ns = turn_time_ns;
    link_live(t);
    ++stats.tasks_alive;
    ++stats.tasks_spawned;
    if (POLLEN_UNLIKELY(trace != nullptr)) trace_simple(TraceKind::Spawn, t);
    push_ready(t);
  }

  // Called by ~EventLoop, with the loop still whole (a future's destructor
  // may still use it: spawn, abort, drop a JoinHandle).
  void shutdown() noexcept {
    // The sink may be gone already (declared after the loop): record nothing.
    trace = nullptr;
    polling = nullptr;
    observer = nullptr;  // the tasks' nodes go with the loop
    update_instrumented();
    // Close the cross-thread queue first: from now on wakes do nothing.
    TaskHeader* remote;
    {
      std::lock_guard<std::mutex> lock(shared->mu);
      shared->closed = true;
      remote = shared->head;
      shared->head = shared->tail = nullptr;
    }
    shutting_down = true;
    // Destroy every unfinished task, one at a time until none is left (see
    // "Teardown"): a destructor may spawn tasks (live: destroyed in a later
    // round), abort others (queued), or let go of finished ones (freed).
    while (live_head != nullptr) {
      // Nothing stays linked in the ready queue while a task is cancelled:
      // every task in it is alive now, and none will be freed while queued.
      while (TaskHeader* q = pop_ready()) q->flags = static_cast<std::uint16_t>(q->flags & ~kQueued);
      TaskHeader* t = live_head;
#if POLLEN_HAS_EXCEPTIONS
      try {
        cancel(t);
      } catch (...) {
        // An unhandled-exception handler threw: nothing can catch it here.
      }
#else
      cancel(t);
#endif
    }
    // A push is always of a live task, and none is left.
    POLLEN_ASSERT(ready_head == nullptr && ready_len == 0,
                  "the ready queue holds a task after every task was destroyed");
    carried_tail = nullptr;
    while (remote != nullptr) {
      TaskHeader* t = remote;
      remote = t->next_remote;
      task_release(t);  // remote_queued stays set: later wakes return at once
    }
    shared->core = nullptr;
    shared->release();
    shared = nullptr;
  }
};

namespace {
void task_wake_by_ref(const void* data) {
  TaskHeader* t = header(data);
  LoopShared* s = t->shared;
  if (s == t_running) {
    LoopCore* core = s->core;
    ++core->stats.wakes;
    if (POLLEN_UNLIKELY(core->watching)) core->watch_local_wake(t);
    core->schedule(t);
    return;
  }
  s->remote_wakes.fetch_add(1, std::memory_order_relaxed);
  if (t->remote_queued.exchange(true, std::memory_order_acq_rel)) return;  // already queued
  t->refs.fetch_add(1, std::memory_order_relaxed);                        // the queue's
  {
    std::lock_guard<std::mutex> lock(s->mu);
    if (!s->closed) {
      t->remote_wake_from_loop_thread = std::this_thread::get_id() == s->loop_thread;
      t->next_remote = nullptr;
      if (s->tail != nullptr) {
        s->tail->next_remote = t;
      } else {
        s->head = t;
      }
      s->tail = t;
      s->signal_locked();
      return;
    }
  }
  task_release(t);  // the loop is gone: nothing to do
}
void task_wake(const void* data) {
  task_wake_by_ref(data);
  task_release(header(data));
}
void task_drop(const void* data) { task_release(header(data)); }
RawWaker task_clone(const void* data) {
  header(data)->refs.fetch_add(1, std::memory_order_relaxed);
  return RawWaker{data, &kTaskWakerVTable};
}
}  // namespace

void task_release(TaskHeader* t) noexcept {
  // Holding the only reference, nobody can take another: free without an
  // atomic read-modify-write.
  if (t->refs.load(std::memory_order_acquire) != 1 &&
      t->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) {
    return;
  }
  LoopShared* s = (t->flags & kHoldsShared) ? t->shared : nullptr;
  t->vtable->deallocate(t);
  if (s != nullptr) s->release();
}

// --- JoinHandle's half ------------------------------------------------------
namespace {
std::string task_label(const TaskHeader* t) {
  if (t->name[0] != '\0') return fmt::format("task #{} \"{}\"", t->id, t->name);
  return fmt::format("task #{}", t->id);
}
const char kHandleThreadAdvice[] =
    "a JoinHandle belongs to the thread of its event loop (the thread that created the loop), "
    "for its whole life, also after the loop is gone: poll, abort, detach and drop it on that "
    "thread. To hand a task's result to another thread, send it from a task through a channel "
    "(pollen::oneshot)";

// id and name never change after spawn: reading them here is not a race.
[[noreturn]] POLLEN_SLOW_PATH void handle_on_wrong_thread(const TaskHeader* t, const char* what) {
  contract_violation(fmt::format("{} of {} called on a thread other than its event loop's; {}",
                                 what, task_label(t), kHandleThreadAdvice));
}
// The same, from a noexcept function: the message, then abort (as for
// ~EventLoop misused).
[[noreturn]] POLLEN_SLOW_PATH void handle_on_wrong_thread_noexcept(const TaskHeader* t,
                                                                  const char* what,
                                                                  const char* done) noexcept {
  std::string msg = fmt::format(
      "pollen: {} {} {} on a thread other than its event loop's; {} (ContractError; aborting)\n",
      what, task_label(t), done, kHandleThreadAdvice);
  std::fwrite(msg.data(), 1, msg.size(), stderr);
  std::fflush(stderr);
  std::abort();
}

inline void check_handle_thread(const TaskHeader* t, const char* what) {
  if (POLLEN_UNLIKELY(t->thread_token != t_thread_token)) handle_on_wrong_thread(t, what);
}
}  // namespace

JoinPoll join_poll(TaskHeader* t, Context& cx) {
  check_handle_thread(t, "JoinHandle::poll");
  const std::uint16_t f = t->flags;
  if (f & kComplete) {
#if POLLEN_HAS_EXCEPTIONS
    if (f & kFailed) return JoinPoll::Failed;
#endif
    if (f & kCancelled) return JoinPoll::Cancelled;
    POLLEN_ASSERT(t->stage == TaskStage::Output, "a finished task's output was taken twice");
    return JoinPoll::Output;
  }
  if (!t->join_waker.will_wake(cx.waker())) t->join_waker = cx.waker();
  return JoinPoll::Pending;
}

void join_rethrow(TaskHeader* t) {
#if POLLEN_HAS_EXCEPTIONS
  t->flags = static_cast<std::uint16_t>(t->flags | kErrorObserved);
  std::rethrow_exception(t->error);
#else
  (void)t;
  POLLEN_ASSERT(false, "a task failed in a build without exceptions");
  std::abort();
#endif
}

void join_release(TaskHeader* t) noexcept {
  if (POLLEN_UNLIKELY(t->thread_token != t_thread_token)) {
    handle_on_wrong_thread_noexcept(t, "JoinHandle of", "dropped or detached");
  }
  t->flags = static_cast<std::uint16_t>(t->flags & ~kHandle);
  t->join_waker = Waker();
  if (t->flags & kComplete) t->vtable->drop_output(t);
  if (!(t->flags & kLive)) task_release(t);
}

void join_abort(TaskHeader* t) {
  check_handle_thread(t, "JoinHandle::abort");
  if (t->flags & (kComplete | kAbortRequested)) return;  // finished or finishing: a no-op
  t->flags = static_cast<std::uint16_t>(t->flags | kAbortRequested);
  t->shared->core->schedule(t);
}

bool task_finished(const TaskHeader* t) noexcept {
  if (POLLEN_UNLIKELY(t->thread_token != t_thread_token)) {
    handle_on_wrong_thread_noexcept(t, "JoinHandle::is_finished of", "called");
  }
  return (t->flags & kComplete) != 0;
}

std::string join_describe(const TaskHeader* t) {
  check_handle_thread(t, "JoinHandle::describe");
  const char* state = (t->flags & kCancelled) ? "cancelled"
                      : (t->flags & kFailed)  ? "threw"
                      : (t->flags & kComplete) ? "finished"
                                               : "running";
  return fmt::format("{}: {}", task_label(t), state);
}

// Marks this thread as running a turn of `core` (and inside an executor).
class TurnScope {
 public:
  TurnScope(LoopCore& core, const char* what) : guard_(what, core.id), previous_(t_running) {
    if (POLLEN_UNLIKELY(core.shutting_down)) {
      contract_violation(fmt::format(
          "{} of event loop #{} called while the loop is being destroyed (from a destructor "
          "that its teardown ran); the tasks are being cancelled and cannot be polled. Do not "
          "drive a loop from the destructor of one of its tasks' futures",
          what, core.id));
    }
    previous_driver_ = TimerDriver::exchange_current(core.driver.get());
    t_running = core.shared;
  }
  ~TurnScope() {
    t_running = previous_;
    TimerDriver::exchange_current(previous_driver_);
  }
  TurnScope(const TurnScope&) = delete;
  TurnScope& operator=(const TurnScope&) = delete;

 private:
  EnterGuard guard_;
  LoopShared* previous_;
  TimerDriver* previous_driver_ = nullptr;
};

}  // namespace detail

// --- EventLoop ----------------------------------------------------------------
EventLoop::EventLoop() : EventLoop(LoopOptions()) {}
EventLoop::EventLoop(const LoopOptions& options) : core_(new detail::LoopCore(this, options)) {}
EventLoop::EventLoop(ClockKind clock) : EventLoop([clock] {
  LoopOptions o;
  o.clock = clock;
  return o;
}()) {}

EventLoop::~EventLoop() {
  if (detail::t_running == core_->shared) {
    // A destructor cannot throw: say what happened, then abort.
    std::fprintf(stderr,
                 "pollen: event loop #%llu destroyed from inside one of its own turns (by one of "
                 "its tasks); it would free the task being polled. Destroy the loop after "
                 "run()/block_on()/tick() returned (ContractError; aborting)\n",
                 static_cast<unsigned long long>(core_->id));
    std::fflush(stderr);
    std::abort();
  }
  core_->shutdown();
}

void EventLoop::check_spawn() const { core_->check_thread("EventLoop::spawn"); }

void EventLoop::adopt(detail::TaskHeader* t) noexcept { core_->adopt(t); }

void EventLoop::check_can_block(const char* what) const {
  core_->check_thread(what);
  detail::EnterGuard::check(what, core_->id);
}

void EventLoop::drive_until_finished(detail::TaskHeader* root) {
  detail::TurnScope scope(*core_, "EventLoop::block_on");
  core_->drive(detail::LoopCore::Mode::UntilFinished, root);
}

void EventLoop::run() {
  core_->check_thread("EventLoop::run");
  detail::TurnScope scope(*core_, "EventLoop::run");
  core_->drive(detail::LoopCore::Mode::Run, nullptr);
}

Option<TimePoint> EventLoop::run_until_stalled() {
  core_->check_thread("EventLoop::run_until_stalled");
  detail::TurnScope scope(*core_, "EventLoop::run_until_stalled");
  return core_->drive(detail::LoopCore::Mode::UntilStalled, nullptr);
}

std::size_t EventLoop::tick() {
  core_->check_thread("EventLoop::tick");
  std::size_t n;
  {
    detail::TurnScope scope(*core_, "EventLoop::tick");
    n = core_->turn();
  }
  // Work left: keep native_handle() readable so the host ticks again.
  if (core_->embedded && core_->ready_head != nullptr) core_->signal_self();
  return n;
}

int EventLoop::native_handle() const noexcept {
  core_->embedded = true;
  if (core_->ready_head != nullptr) core_->signal_self();
  return core_->poller->fd();
}

Option<LoopTimePoint> EventLoop::next_deadline() const { return core_->next_deadline(); }

bool EventLoop::has_ready_tasks() const noexcept {
  return core_->ready_head != nullptr ||
         core_->shared->signaled.load(std::memory_order_relaxed);
}

LoopStats EventLoop::stats() const noexcept {
  LoopStats s = core_->stats;
  s.remote_wakes = core_->shared->remote_wakes.load(std::memory_order_relaxed);
  s.wakes += s.remote_wakes;
  return s;
}

std::vector<TaskSnapshot> EventLoop::dump_tasks() const {
  std::vector<TaskSnapshot> out;
  const std::int64_t now = detail::steady_now_ns();
  for (const detail::TaskHeader* t = core_->live_head; t != nullptr; t = t->next_live) {
    TaskSnapshot s;
    s.id = t->id;
    s.name = t->name;
    if (t->flags & detail::kRunning) {
      s.state = "running";
      s.tree.name = "(being polled)";
    } else {
      s.state = (t->flags & detail::kQueued) ? "ready" : "waiting";
      if (!(t->flags & detail::kQueued) && now > t->waiting_since_ns) {
        s.waiting = std::chrono::nanoseconds(now - t->waiting_since_ns);
      }
      Describer d(s.tree, core_->observer);
      t->vtable->describe(t, d);
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::string EventLoop::dump_tasks_text() const {
  std::string out;
  for (const TaskSnapshot& s : dump_tasks()) {
    std::string head = fmt::format("task #{}", s.id);
    if (!s.name.empty()) head += fmt::format(" \"{}\"", s.name);
    head += fmt::format(" [{}", s.state);
    if (std::string(s.state) == "waiting") {
      head += fmt::format(" for {:.1f} ms", static_cast<double>(s.waiting.count()) / 1e6);
    }
    out += head + "]\n";
    std::string tree = render(s.tree);
    std::size_t start = 0;
    while (start < tree.size()) {
      std::size_t end = tree.find('\n', start);
      if (end == std::string::npos) end = tree.size();
      out += "  " + tree.substr(start, end - start) + "\n";
      start = end + 1;
    }
  }
  return out;
}

#if POLLEN_HAS_EXCEPTIONS
void EventLoop::set_unhandled_exception_handler(UnhandledExceptionHandler handler) {
  core_->on_unhandled = std::move(handler);
}
#endif

void EventLoop::trace_to(TraceSink* sink) {
  core_->check_thread("EventLoop::trace_to");
  TraceSink* previous = core_->trace;
  if (sink != previous) core_->trace_start_ns = detail::precise_now_ns();
  core_->trace = sink;
  core_->update_instrumented();
  if (previous != nullptr && previous != sink) previous->finish();
}

TraceSink* EventLoop::trace_sink() const noexcept { return core_->trace; }

void EventLoop::set_slow_poll_threshold(std::chrono::nanoseconds d) {
  core_->check_thread("EventLoop::set_slow_poll_threshold");
  core_->slow_threshold_ns = d.count() > 0 ? static_cast<std::int64_t>(d.count()) : 0;
  core_->update_instrumented();
}

std::chrono::nanoseconds EventLoop::slow_poll_threshold() const noexcept {
  return std::chrono::nanoseconds(core_->slow_threshold_ns);
}

void EventLoop::set_slow_poll_handler(SlowPollHandler handler) {
  core_->check_thread("EventLoop::set_slow_poll_handler");
  core_->on_slow_poll = std::move(handler);
}

void EventLoop::set_introspection(bool on) {
  core_->check_thread("EventLoop::set_introspection");
  detail::LoopCore& core = *core_;
  if (on == (core.observer != nullptr)) return;
  if (on) {
    if (!core.observer_storage) core.observer_storage.reset(new PollObserver());
    core.observer = core.observer_storage.get();
  } else {
    // Kept (cleared), not freed: a poll running now may still hold it.
    core.observer = nullptr;
    core.observer_storage->clear();
    core.task_wakes.clear();
  }
  core.update_instrumented();
}

bool EventLoop::introspection() const noexcept { return core_->observer != nullptr; }

const PollObserver* EventLoop::poll_observer() const noexcept { return core_->observer; }

EventLoop* EventLoop::current() noexcept {
  detail::LoopShared* s = detail::t_running;
  return s != nullptr ? s->core->owner : nullptr;
}

std::uint64_t EventLoop::id() const noexcept { return core_->id; }

TimerDriver& EventLoop::timer_driver() noexcept { return *core_->driver; }
const TimerDriver& EventLoop::timer_driver() const noexcept { return *core_->driver; }

TimePoint EventLoop::now() const noexcept { return core_->driver->now(); }

bool EventLoop::is_virtual_clock() const noexcept { return core_->clock_is_virtual(); }

namespace {
// Runs `fn` as if inside a turn of `core` (wakes queue tasks directly), for
// advancing the clock from outside a turn. Inside one of the loop's own
// turns it simply runs `fn`.
template <class Fn>
auto with_loop_running(detail::LoopCore& core, Fn fn) -> decltype(fn()) {
  struct Restore {
    detail::LoopShared* previous;
    ~Restore() { detail::t_running = previous; }
  } restore{detail::t_running};
  detail::t_running = core.shared;
  return fn();
}
}  // namespace

std::size_t EventLoop::advance_to(TimePoint t) {
  core_->check_thread("EventLoop::advance_to");
  core_->require_virtual("EventLoop::advance / advance_to");
  const bool inside = detail::t_running == core_->shared;
  detail::LoopCore& core = *core_;
  const std::size_t fired = with_loop_running(core, [&] {
    detail::LoopCore::FiringTimers firing(core);
    return core.driver->advance_to(t);
  });
  // From a host's main loop: make native_handle() readable for the woken.
  if (!inside && core_->embedded && core_->ready_head != nullptr) core_->signal_self();
  return fired;
}

bool EventLoop::advance_to_next_timer() {
  core_->check_thread("EventLoop::advance_to_next_timer");
  core_->require_virtual("EventLoop::advance_to_next_timer");
  Option<TimePoint> next = core_->next_deadline();
  if (!next.has_value()) return false;
  advance_to(*next);
  return true;
}

void EventLoop::set_auto_advance(bool on) {
  core_->check_thread("EventLoop::set_auto_advance");
  if (on) core_->require_virtual("EventLoop::set_auto_advance(true)");
  core_->auto_advance = on;
}

bool EventLoop::auto_advance() const noexcept { return core_->auto_advance; }

POLLEN_NAMESPACE_END
