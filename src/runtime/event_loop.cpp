// The event loop's core: turns, polling, finishing, spawn and teardown. The
// other rooms: task_waker.cpp (wakers, references, the cross-thread queue),
// join_handle.cpp (the JoinHandle's half), loop_watch.cpp (tracing, slow
// polls, introspection, the dump, messages), task_state.hpp (the state word).
//
// Ground rules
// ============
// Who owns a task. A task is one heap block (TaskHeader + future + name,
// see <pollen/runtime/task.hpp>) with an atomic reference count:
//   * the owner reference, shared by the loop (state bit kLive: until the
//     task finishes) and its JoinHandle (kHandle: until the handle is
//     dropped, detached, or has yielded); it is dropped when both let go;
//   * one per Waker made from the task (clone), so a waker is always safe;
//   * one while the task sits in the cross-thread queue.
// The future lives in the block until the task finishes: it is destroyed on
// the loop's thread when it returns Ready (its output takes its place), when
// its poll throws, when it is aborted, or when the loop is destroyed.
// Nothing but the loop's thread touches a future, an output, the state word
// or the ready queue's links; other threads touch only the reference count,
// the `remote_queued` flag, and `next_remote` under the queue mutex.
//
// The state word (task_state.hpp) changes only through named transitions,
// one load and one store around each.
//
// When a task is polled. Only when it is in the ready queue, and it is put
// there only by spawn, by a wake, or by abort():
//   * a wake of a task that is already queued does nothing (two wakes before
//     a poll cause one poll);
//   * a wake of a task that is being polled marks it: when that poll returns
//     Pending the task goes to the BACK of the queue, so a wake during a poll
//     causes exactly one more poll, never a recursive one;
//   * a wake of a finished (or finishing) task does nothing;
//   * a task nobody wakes is never polled again.
//
// Turns. Every way of driving the loop (block_on, run, run_until_stalled,
// tick) runs the same turn(): take the cross-thread wakes, fire the due
// timers, then poll the tasks that are in the ready queue at that moment, at
// most LoopOptions::max_polls_per_tick of them, from its front. A task woken
// during those polls is pushed behind them and waits for the next turn, which
// first takes in timers and cross-thread wakes again, and polls that intake
// BEFORE the tasks woken during the previous turn (intake_first()). The order
// of a turn's set: the tasks the previous turn carried over (over the cap;
// `carried_tail` is the last), then this turn's intake (cross-thread wakes,
// then timers), then the tasks woken since the previous turn began polling,
// each part in wake order. So a task whose timer is due is polled in the turn
// after the one during which its deadline passed, before the busy tasks
// (while at most max_polls_per_tick tasks are ready). LoopOptions::
// schedule_seed permutes each turn's set (shuffle_front()); off, one branch.
//
// Finishing. A task finishes once: Ready (its future destroyed inside the
// poll), a throw, abort(), or the loop's destructor. In the last three
// kComplete is set before the future is destroyed, so a wake or an abort()
// from its destructor finds the task complete and queues nothing. Hence: a
// finished task is never in the ready queue, a task in the ready queue is
// alive, and finish() runs once per task.
//
// Teardown. ~EventLoop closes the cross-thread queue, then cancels the live
// tasks one at a time until none is left, emptying the ready queue before
// each cancel (every task in it is alive), so no cancelled task stays linked
// in it. The destructors it runs may spawn (cancelled in a later round),
// abort, drop or detach JoinHandles; they may not drive the loop.
//
// JoinHandles and threads. A JoinHandle may only be used on the thread of
// its loop. Each thread that creates a loop gets a token (never reused); a
// task records its loop's token at spawn, and every JoinHandle operation
// compares it with the calling thread's first (the token never changes, so
// reading it is not a race), also after the loop is gone.
//
// Time. The loop owns a TimerDriver from construction and makes it
// TimerDriver::current() during its turns. Each turn fires the due timers
// (only when some are pending) with this loop as t_running, so the woken
// tasks are queued directly. Before a kernel wait the driver bounds the
// timeout; a virtual clock never does: block_on/run jump to the next
// deadline when auto-advance is on, else wait only for cross-thread wakes.
//
// What a wake does, by where it comes from.
//   * From the loop's own thread during one of its turns (t_running is this
//     loop's LoopShared): the task is queued directly. No atomic operation.
//   * From anywhere else: the task goes on the cross-thread queue (a mutex
//     and an intrusive list; `remote_queued` makes repeated wakes coalesce
//     without the mutex) and the loop's Poller is signalled once per batch.
//     The next turn moves the batch to the ready queue.
//   * After the loop is destroyed: the cross-thread queue is closed, so the
//     wake does nothing. The LoopShared outlives the loop while a task block
//     that might still be woken exists: a task that finishes while wakers of
//     it are alive takes a reference to it (kHoldsShared); one that finishes
//     with no waker alive cannot be woken any more and takes none.
//
// Watching (loop_watch.cpp): tracing, the slow-poll detector and
// introspection. Off, each site that could record tests one flag: adopt
// (`trace`), the wake sites and finish() (`watching`), and the poll, which
// tests `instrumented` once and runs the plain or the instrumented copy of
// its code (a template on a bool).
#include <pollen/core/block_on.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/runtime/event_loop.hpp>

#include "loop_core.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include <time.h>

POLLEN_NAMESPACE_BEGIN
namespace detail {

thread_local LoopShared* t_running POLLEN_TLS_FAST = nullptr;
thread_local std::uint32_t t_thread_token POLLEN_TLS_FAST = 0;

namespace {
std::atomic<std::uint64_t> g_next_loop_id{1};
std::atomic<std::uint32_t> g_next_thread_token{1};

std::uint32_t this_thread_token() noexcept {
  if (t_thread_token == 0) t_thread_token = g_next_thread_token.fetch_add(1);
  return t_thread_token;
}

std::unique_ptr<TimerDriver> make_driver(const LoopOptions& o) {
  if (o.clock == ClockKind::Virtual && o.virtual_start.has_value()) {
    return std::unique_ptr<TimerDriver>(new TimerDriver(ClockKind::Virtual, *o.virtual_start));
  }
  return std::unique_ptr<TimerDriver>(new TimerDriver(o.clock));
}

// The waker every poll of a turn lends its task: built once per turn and
// pointed at each task in turn. No reference is taken or dropped (the union
// keeps the Waker's destructor, which would drop one, from running).
struct BorrowedWaker {
  BorrowedWaker() noexcept : u(RawWaker{nullptr, &kTaskWakerVTable}) {}
  void point_at(TaskHeader* t) noexcept { ::new (&u.waker) Waker(RawWaker{t, &kTaskWakerVTable}); }
  union U {
    explicit U(RawWaker r) noexcept : waker(r) {}
    ~U() {}
    Waker waker;
  } u;
};
}  // namespace

// The clock of "waiting since" and dump_tasks(): read once per few turns, so
// it must be cheap. On Linux the coarse monotonic clock (a few ms
// resolution, no hardware read: about 10x cheaper than steady_clock in a VM).
std::int64_t coarse_now_ns() noexcept {
#if defined(__linux__) && defined(CLOCK_MONOTONIC_COARSE)
  struct timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
#else
  return precise_now_ns();
#endif
}
std::int64_t precise_now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

namespace {
// The options, checked before the loop allocates anything: a refused loop
// leaves nothing behind.
const LoopOptions& checked(const LoopOptions& opts) {
  POLLEN_REQUIRE(!opts.auto_advance || opts.clock == ClockKind::Virtual,
                 "LoopOptions::auto_advance is set for a loop on the steady clock; auto-advance "
                 "jumps a virtual clock to the next timer, the real clock moves by itself. Set "
                 "LoopOptions::clock = ClockKind::Virtual, or leave auto_advance off");
  POLLEN_REQUIRE(opts.max_polls_per_tick > 0,
                 "LoopOptions::max_polls_per_tick is 0: a tick would never poll a task; use at "
                 "least 1 (the default is 128)");
  return opts;
}
}  // namespace

LoopCore::LoopCore(EventLoop* o, const LoopOptions& opts)
    : options(checked(opts)),
      owner(o),
      id(g_next_loop_id.fetch_add(1)),
      thread_token(this_thread_token()),
      shared(new LoopShared()),
      driver(make_driver(opts)),
      auto_advance(opts.auto_advance),
      slab(shared, this, thread_token),
      turn_time_ns(coarse_now_ns()),
      shuffle(opts.schedule_seed.has_value()),
      rng_state(opts.schedule_seed.has_value() ? *opts.schedule_seed : 0) {
  poller = Poller::create(opts.poller);
  shared->poller = poller.get();
  shared->core = this;
  shared->thread_token = thread_token;
  // Room in the cross-thread queue for the slab's first chunk: the first
  // spawn allocates only that chunk.
  reserve_remote(TaskSlab::kMaxBlocksPerChunk);
}

void LoopCore::adopt(TaskHeader* t) noexcept {
  t->id |= next_task_id++;
  t->state = TaskState::spawned().bits();
  ++stats.tasks_alive;
  ++stats.tasks_spawned;
  if (POLLEN_UNLIKELY(trace != nullptr)) trace_spawn(t);
  push_ready(t);
}

void LoopCore::reserve_remote(std::size_t blocks) {
  if (blocks <= remote_reserved) return;
  const std::size_t n = blocks < 2 * remote_reserved ? 2 * remote_reserved : blocks;
  remote_batch.reserve(n);
  {
    std::lock_guard<std::mutex> lock(shared->mu);
    shared->queue.reserve(n);
  }
  remote_reserved = n;
}

// --- the cross-thread queue ---------------------------------------------------
// Moves the cross-thread batch to the ready queue.
POLLEN_SLOW_PATH void LoopCore::drain_remote() noexcept {
  {
    std::lock_guard<std::mutex> lock(shared->mu);
    remote_batch.swap(shared->queue);  // both have the reserved room
    if (shared->signaled.load(std::memory_order_relaxed)) {
      shared->signaled.store(false, std::memory_order_relaxed);
      poller->clear();  // under the mutex: a push after this signals again
    }
  }
  for (std::uintptr_t entry : remote_batch) {
    TaskHeader* t = reinterpret_cast<TaskHeader*>(entry & ~std::uintptr_t{1});
    if (POLLEN_UNLIKELY(watching)) watch_remote_wake(t, (entry & 1) != 0);
    // acq_rel: whatever a waker did before a wake that found the flag set
    // happens before the poll this causes.
    t->remote.exchange(false, std::memory_order_acq_rel);
    schedule(t);
    task_release(t);  // the queue's reference
  }
  remote_batch.clear();
}

// --- finishing a task ---------------------------------------------------------
// The task has finished (Ready, threw, or cancelled); the future is gone.
// Once per task; never while it sits in the ready queue (see "Finishing").
void LoopCore::finish(TaskHeader* t) {
  TaskState s(t->state);
  POLLEN_ASSERT(s.is_live(), "a task was finished twice");
  const TaskState::Finish f = s.transition_to_finished();
  const bool join_waker = s.take_join_waker();
  t->state = s.bits();
  if (POLLEN_UNLIKELY(watching)) watch_finish(t, s.is_cancelled());
  --stats.tasks_alive;
  switch (f) {
    case TaskState::Finish::NotifyHandle:
      if (join_waker) handle_wakers.take(t).wake();
      return;
    case TaskState::Finish::ReleaseOwner:
      break;
  }
#if POLLEN_HAS_EXCEPTIONS
  if (t->stage == TaskStage::Error) {
    std::exception_ptr unhandled = take_task_error(t);
    std::string name = t->name();
    task_release(t);  // the owner reference: nobody holds it any more
    report_unhandled(name.c_str(), unhandled);
    return;
  }
#endif
  t->vtable->drop_output(t);
  task_release(t);  // the owner reference: nobody holds it any more
}

// Complete first: a wake or abort() from the future's destructor (of this
// very task too) then queues nothing.
void LoopCore::cancel(TaskHeader* t) {
  TaskState s(t->state);
  s.transition_to_cancelled();
  t->state = s.bits();
  t->vtable->drop_future(t);
  finish(t);
}

// --- polling ------------------------------------------------------------------
// One turn's polls: the Context, the borrowed waker and the budget are built
// once; the statistics are counted once, when the round ends (also when a
// poll's exception leaves it). The plain copy (kProbed false) has no probe
// code at all; the instrumented one reads the clock, records each poll and
// attaches the observer.
template <bool kProbed>
POLLEN_ALWAYS_INLINE std::size_t LoopCore::poll_round(std::size_t round) {
  Budget budget{0};
  BorrowedWaker w;
  Context cx(w.u.waker, &budget, kProbed ? observer : nullptr);
  struct Count {
    LoopCore& core;
    std::size_t polls;
    ~Count() {
      core.stats.polls += polls;
      core.running = nullptr;
    }
  } count{*this, 0};
  const unsigned per_poll = options.budget_per_poll;
  for (std::size_t n = 0; n < round; ++n) {
    TaskHeader* t = pop_ready();
    const TaskState popped(t->state);  // the poll's one load before it...
    if (POLLEN_UNLIKELY(popped.on_popped() == TaskState::Run::Cancel)) {
      running = nullptr;  // wakes from the teardown come from the loop
      cancel(t);
      continue;
    }
    ++count.polls;
    w.point_at(t);
    budget.remaining = per_poll;
    running = t;
    rewoken = false;
    std::int64_t begin_ns = 0;
    if (kProbed) begin_ns = probe_begin(t);
    TaskPoll r;
#if POLLEN_HAS_EXCEPTIONS
    try {
      r = t->vtable->poll(t, cx);
    } catch (...) {
      poll_threw(t, std::current_exception(), kProbed, begin_ns);
      continue;
    }
#else
    r = t->vtable->poll(t, cx);
#endif
    if (r == TaskPoll::Ready) {
      // The JoinHandle's wake in finish() comes from this task (`running`).
      if (kProbed) {
        finish_polled(t, begin_ns, PollOutcome::Ready);  // the wake inside the poll's slice
      } else {
        finish(t);
      }
      continue;
    }
    TaskState after(t->state);  // ... and its one store after (reloaded: the
                                // poll may have aborted or detached it)
    const TaskState::Idle idle = after.transition_to_idle(rewoken);
    t->state = after.bits();
    if (POLLEN_UNLIKELY(popped.self_woken_only())) ++stats.spurious_polls;
    if (idle == TaskState::Idle::Requeue) {
      push_ready(t);  // at the back: polled in the next turn
    } else {
      t->link.idle_since = turn_time_ns;  // `link` is free while it is not queued
    }
    if (kProbed) probe_end(t, begin_ns, PollOutcome::Pending);
  }
  return round;
}

#if POLLEN_HAS_EXCEPTIONS
// The poll threw: complete before the future is destroyed (as in cancel()),
// keep the exception in the slot, finish.
POLLEN_SLOW_PATH void LoopCore::poll_threw(TaskHeader* t, std::exception_ptr e, bool probed,
                                           std::int64_t begin_ns) {
  TaskState s(t->state);
  s.transition_to_failed();
  t->state = s.bits();
  t->vtable->drop_future(t);
  ::new (t->vtable->slot(t)) std::exception_ptr(std::move(e));
  t->stage = TaskStage::Error;
  if (probed) {
    finish_polled(t, begin_ns, PollOutcome::Threw);
  } else {
    finish(t);
  }
}
#endif

// Wakes the tasks whose timers are due. Called with t_running == shared
// (inside a turn, or from advance_to()): the wakes queue tasks directly.
POLLEN_ALWAYS_INLINE void LoopCore::fire_timers() {
  if (driver->pending_timers() != 0) {
    FiringTimers firing(*this);
    driver->fire_expired();
  }
}

// One turn (see "Turns"): cross-thread wakes, timers, then the tasks ready
// at that moment, at most max_polls_per_tick of them. A task woken by these
// polls is pushed behind them: it waits for the next turn, where the intake
// of that turn goes ahead of it.
POLLEN_ALWAYS_INLINE std::size_t LoopCore::turn() {
  // The clock for "waiting since" is sampled every 64 turns and after every
  // kernel wait: a stamp is at most 64 turns early (the clock is coarse
  // anyway: milliseconds).
  if ((stats.ticks++ & 63) == 0) turn_time_ns = coarse_now_ns();
  TaskHeader* const queued_before = ready_tail;
  if (shared->signaled.load(std::memory_order_relaxed)) drain_remote();
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
  // ahead of the next turn's intake. Set before polling, so that a poll that
  // throws out of the turn leaves it right (the set's last task stays queued).
  carried_tail = round < len ? ready_tail : nullptr;
  if (POLLEN_UNLIKELY(instrumented)) return poll_round<true>(round);
  return poll_round<false>(round);
}

// The queue is [carried over][woken since the last turn began polling]
// [this turn's intake], `queued_before` the last of the middle part: move the
// intake (cross-thread wakes, then timer wakes) ahead of the middle part.
void LoopCore::intake_first(TaskHeader* queued_before) noexcept {
  TaskHeader* intake_head = queued_before->link.next;
  TaskHeader* intake_tail = ready_tail;
  TaskHeader* woken_head = carried_tail != nullptr ? carried_tail->link.next : ready_head;
  queued_before->link.next = nullptr;
  intake_tail->link.next = woken_head;
  if (carried_tail != nullptr) {
    carried_tail->link.next = intake_head;
  } else {
    ready_head = intake_head;
  }
  ready_tail = queued_before;
}

// splitmix64: a fixed, portable sequence for a given seed.
std::uint64_t LoopCore::next_random() noexcept {
  std::uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
// Permutes the first `n` tasks of the ready queue (Fisher-Yates) in place:
// they stay in the queue, so a poll that throws out of the turn leaves the
// rest of them queued for the next one.
POLLEN_SLOW_PATH void LoopCore::shuffle_front(std::size_t n) {
  if (n < 2) return;
  shuffled.clear();
  for (std::size_t i = 0; i < n; ++i) shuffled.push_back(pop_ready());
  for (std::size_t i = n - 1; i > 0; --i) {
    const std::size_t j = static_cast<std::size_t>(next_random() % (i + 1));
    std::swap(shuffled[i], shuffled[j]);
  }
  TaskHeader* rest = ready_head;
  for (std::size_t i = 0; i + 1 < n; ++i) shuffled[i]->link.next = shuffled[i + 1];
  shuffled[n - 1]->link.next = rest;
  ready_head = shuffled[0];
  if (rest == nullptr) ready_tail = shuffled[n - 1];
  ready_len += n;
}

// Returns next_deadline() when it stops for UntilStalled. One copy per
// mode: the turn is inlined, and each mode tests only its own condition.
template <LoopCore::Mode kMode>
Option<TimePoint> LoopCore::drive(TaskHeader* root) {
  for (;;) {
    turn();
    if (kMode == Mode::UntilFinished && TaskState(root->state).is_complete()) return none;
    if (kMode == Mode::Run && stats.tasks_alive == 0) return none;
    if (ready_head != nullptr || shared->signaled.load(std::memory_order_relaxed)) {
      if (POLLEN_UNLIKELY(io_count != 0) && ++io_busy_turns >= kIoEveryTurns) poll_io_now();
      continue;
    }
    if (io_count != 0 && (kMode == Mode::UntilStalled || driver->is_virtual())) {
      // Before stalling or jumping a virtual clock: what the fds have (a
      // real wait below reports it anyway).
      poll_io_now();
      if (ready_head != nullptr) continue;
    }
    Option<TimePoint> deadline = driver->next_deadline();
    if (kMode == Mode::UntilStalled) return deadline;
    int timeout_ms = -1;  // no timer: wait for a cross-thread wake only
    if (deadline.has_value()) {
      if (driver->is_virtual()) {
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
    slab.reclaim();  // blocks other threads freed: before the loop sleeps
    io_busy_turns = 0;
    poller->wait(timeout_ms);
    turn_time_ns = coarse_now_ns();
  }
}

// Called by ~EventLoop, with the loop still whole (a future's destructor may
// still use it: spawn, abort, drop a JoinHandle).
void LoopCore::shutdown() noexcept {
  // The sink may be gone already (declared after the loop): record nothing.
  trace = nullptr;
  observer = nullptr;  // the tasks' nodes go with the loop
  update_instrumented();
  // Close the cross-thread queue first: from now on wakes do nothing.
  {
    std::lock_guard<std::mutex> lock(shared->mu);
    shared->closed = true;
    remote_batch.swap(shared->queue);
  }
  shutting_down = true;
  // Destroy every unfinished task, walking the slab until none is left (see
  // "Teardown"): the destructors may spawn (cancelled in a later round).
  while (stats.tasks_alive != 0) {
    slab.for_each_block([this](TaskHeader* t) {
      if (!TaskState(t->state).is_live()) return;
      while (TaskHeader* q = pop_ready()) {
        TaskState s(q->state);
        s.unqueue();
        q->state = s.bits();
      }
#if POLLEN_HAS_EXCEPTIONS
      try {
        cancel(t);
      } catch (...) {
        // An unhandled-exception handler threw: nothing can catch it here.
      }
#else
      cancel(t);
#endif
    });
  }
  POLLEN_ASSERT(ready_head == nullptr && ready_len == 0,
                "the ready queue holds a task after every task was destroyed");
  carried_tail = nullptr;
  for (std::uintptr_t entry : remote_batch) {
    // `remote` stays set: later wakes return at once.
    task_release(reinterpret_cast<TaskHeader*>(entry & ~std::uintptr_t{1}));
  }
  remote_batch.clear();
  io_orphan_all();
  slab.orphan();  // blocks still held by handles or wakers keep their chunks
  shared->core = nullptr;
  shared->release();
  shared = nullptr;
}

namespace {
// Marks this thread as running a turn of `core` (and inside an executor).
class TurnScope {
 public:
  TurnScope(LoopCore& core, const char* what) : guard_(what, core.id), previous_(t_running) {
    if (POLLEN_UNLIKELY(core.shutting_down)) report_driving_during_teardown(what, core.id);
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
  TimerDriver* previous_driver_;
};
}  // namespace

}  // namespace detail

// --- EventLoop ------------------------------------------------------------------
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

void* EventLoop::allocate_task(std::size_t size, std::size_t align) {
  core_->check_thread("EventLoop::spawn");
  return core_->slab.allocate(size, align);
}

void EventLoop::free_unadopted(void* mem) noexcept {
  detail::task_free(static_cast<detail::TaskHeader*>(mem));
}

void EventLoop::adopt(detail::TaskHeader* t) noexcept { core_->adopt(t); }

void EventLoop::check_can_block(const char* what) const {
  core_->check_thread(what);
  detail::EnterGuard::check(what, core_->id);
}

void EventLoop::drive_until_finished(detail::TaskHeader* root) {
  detail::TurnScope scope(*core_, "EventLoop::block_on");
  core_->drive<detail::LoopCore::Mode::UntilFinished>(root);
}

void EventLoop::run() {
  core_->check_thread("EventLoop::run");
  detail::TurnScope scope(*core_, "EventLoop::run");
  core_->drive<detail::LoopCore::Mode::Run>(nullptr);
}

Option<TimePoint> EventLoop::run_until_stalled() {
  core_->check_thread("EventLoop::run_until_stalled");
  detail::TurnScope scope(*core_, "EventLoop::run_until_stalled");
  return core_->drive<detail::LoopCore::Mode::UntilStalled>(nullptr);
}

std::size_t EventLoop::tick() {
  core_->check_thread("EventLoop::tick");
  std::size_t n;
  {
    detail::TurnScope scope(*core_, "EventLoop::tick");
    if (core_->io_count != 0) core_->poll_io_now();
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

Option<LoopTimePoint> EventLoop::next_deadline() const { return core_->driver->next_deadline(); }

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

#if POLLEN_HAS_EXCEPTIONS
void EventLoop::set_unhandled_exception_handler(UnhandledExceptionHandler handler) {
  core_->on_unhandled = std::move(handler);
}
#endif

EventLoop* EventLoop::current() noexcept {
  detail::LoopShared* s = detail::t_running;
  return s != nullptr ? s->core->owner : nullptr;
}

std::uint64_t EventLoop::id() const noexcept { return core_->id; }

// --- time -----------------------------------------------------------------------
TimerDriver& EventLoop::timer_driver() noexcept { return *core_->driver; }
const TimerDriver& EventLoop::timer_driver() const noexcept { return *core_->driver; }
TimePoint EventLoop::now() const noexcept { return core_->driver->now(); }
bool EventLoop::is_virtual_clock() const noexcept { return core_->driver->is_virtual(); }

std::size_t EventLoop::advance_to(TimePoint t) {
  core_->check_thread("EventLoop::advance_to");
  core_->require_virtual("EventLoop::advance / advance_to");
  detail::LoopCore& core = *core_;
  const bool inside = detail::t_running == core.shared;
  std::size_t fired;
  {
    // As if inside a turn of the loop (the woken tasks are queued directly).
    struct Restore {
      detail::LoopShared* previous;
      ~Restore() { detail::t_running = previous; }
    } restore{detail::t_running};
    detail::t_running = core.shared;
    detail::LoopCore::FiringTimers firing(core);
    fired = core.driver->advance_to(t);
  }
  // From a host's main loop: make native_handle() readable for the woken.
  if (!inside && core.embedded && core.ready_head != nullptr) core.signal_self();
  return fired;
}

bool EventLoop::advance_to_next_timer() {
  core_->check_thread("EventLoop::advance_to_next_timer");
  core_->require_virtual("EventLoop::advance_to_next_timer");
  Option<TimePoint> next = core_->driver->next_deadline();
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
