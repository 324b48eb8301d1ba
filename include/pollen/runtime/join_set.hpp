// pollen/runtime/join_set.hpp: JoinSet<T>, a set of spawned tasks that it
// owns: their outputs come out in the order the tasks finish, and whatever
// still runs when the set is destroyed is aborted (tokio's JoinSet).
//
//   pollen::JoinSet<int> set;
//   for (int i = 0; i < 10; ++i) set.spawn(loop, fetch(i));
//   ... inside a task, until it yields none:
//   pollen::Option<pollen::JoinResult<int>> r = <await set.join_next()>;
//
//   JoinSet<T>                                 JoinNext<T> (join_next())
//
//     spawn(loop, f) ──► len() + 1               ┌──────────┐ set empty
//     a task finishes ──► ready queue            │   Init   │────────────► Done: none
//     join_next() takes the first of the queue   └────┬─────┘
//       ──► len() - 1                                 │ queue empty
//     abort_all(): every task is aborted              ▼
//       (its result: cancelled)                  ┌──────────┐ a task finishes
//     ~JoinSet: abort_all() and let go           │ Waiting  │────────────► Done: its result
//                                                └──────────┘
//
// Output of join_next(): Option<JoinResult<T>>: none when the set is empty
// (nothing was spawned, or every result has been taken); else the result of
// the task that finished first among those not yet taken: its output, or
// "cancelled" (it was aborted, or its event loop was destroyed before it
// finished), as the task's JoinHandle would yield it.
// Exceptions: an exception that escaped a task's poll is rethrown from the
// join_next() poll that takes that task (once; the task leaves the set).
// Order: completion order. The set registers the waker of each task's
// JoinHandle when it spawns it, so the loop wakes the set's per-task wakers
// in the order the tasks finish, and join_next() takes them in that order.
// Cost: spawn() is EventLoop::spawn plus one registration (a slot of the
// set's table, reused after its result is taken: no allocation in steady
// state). Each finished task costs one wake and one JoinHandle poll: no poll
// of the tasks that are still running, whatever the size of the set.
// Cancellation:
//   * abort_all() aborts every task of the set: each future is destroyed at
//     its loop's next turn (it is never polled again) and its result becomes
//     cancelled (a task that has already finished keeps its output). The
//     tasks stay in the set until join_next() takes their results.
//   * Destroying the set aborts every task still in it (structured
//     concurrency: no task outlives its set) and drops the results nobody
//     took. The futures are destroyed at their loop's next turn, as for
//     JoinHandle::abort(); or at once by the loop's destructor.
//   * join_next() is cancel safe: dropping it while it waits loses nothing
//     (a result stays in the set until a join_next() returns it).
// Contract errors: polling a join_next() future after Ready, or after its
// set was destroyed; polling a second join_next() future of the same set
// while another one waits (await them one at a time); spawning a future
// whose output is not T (a compile error); and everything a JoinHandle
// refuses: using the set on a thread other than the one of its tasks'
// loops (spawn(), join_next(), abort_all() raise ContractError there).
// Threads: a JoinSet belongs to one thread, like the JoinHandles it holds;
// its tasks may run on several loops of that thread. The set's wakers are
// woken only by those loops (on that thread): no lock, no atomic operation
// but the reference count of its shared block.
//
// Ground rules
// * The set's state is one heap block, detail::JoinSetState<T>, reference
//   counted: the set holds a reference, each join_next() future one, and
//   each waker of a slot one (a clone kept by a loop while the slot's task
//   runs). A join_next() future outliving its set finds the block closed.
// * Slot i holds the JoinHandle of one task (live) or is on the free list.
//   Slots live in a std::deque: their addresses never change, so a slot's
//   waker points straight at it.
// * A live slot's handle has been polled once at spawn with the slot's
//   waker, so the loop holds a clone of it and wakes it when the task
//   finishes. The wake appends i to `ready` (once: `queued`) and wakes the
//   waker of the most recent join_next() poll when `ready` was empty.
// * join_next() takes indices from the front of `ready` and polls their
//   handles; a Ready result frees the slot (the handle lets go of the task
//   and of the slot's waker).
// * Closed (the set is gone): every handle has been aborted and dropped,
//   `ready` is empty and stays so, and a wake does nothing.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/context.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/option.hpp>
#include <pollen/core/poll.hpp>
#include <pollen/core/poll_observer.hpp>
#include <pollen/core/ref_count.hpp>
#include <pollen/core/waker.hpp>
#include <pollen/future/future_ext.hpp>
#include <pollen/runtime/event_loop.hpp>
#include <pollen/runtime/join_handle.hpp>
#include <pollen/sync/shared.hpp>  // out_of_budget, spend_budget

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

template <class T>
class JoinNext;

namespace detail {

template <class T>
class JoinSetState {
 public:
  // One slot per task of the set; `owner` and `index` never change.
  struct Slot {
    JoinSetState* owner;
    std::uint32_t index;
    std::uint32_t next_free = 0;  // valid while not live: the next free slot
    bool live = false;            // holds a task's handle
    bool queued = false;          // its index is in `ready`
    JoinHandle<T> handle;         // valid while live
  };

  JoinSetState() = default;
  JoinSetState(const JoinSetState&) = delete;
  JoinSetState& operator=(const JoinSetState&) = delete;

  void retain() noexcept { refs_.retain(); }
  void release() noexcept {
    if (refs_.release()) delete this;
  }

  // A free slot (not live), made or taken from the free list.
  std::uint32_t take_free_slot() {
    if (free_head_ != kNone) {
      const std::uint32_t i = free_head_;
      free_head_ = slots_[i].next_free;
      return i;
    }
    POLLEN_REQUIRE(slots_.size() < kNone, "JoinSet::spawn: more than 2^32 - 1 tasks in one set");
    const std::uint32_t i = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
    slots_.back().owner = this;
    slots_.back().index = i;
    return i;
  }
  // spawn() failed after the slot was taken: the task (if any) is aborted
  // and the slot freed.
  void abandon(std::uint32_t i) noexcept {
    abort_noexcept(slots_[i].handle);
    free_slot(i);
  }
  // Slot i is free again: its handle lets go of the task (and of the slot's
  // waker, which the loop drops).
  void free_slot(std::uint32_t i) noexcept {
    Slot& s = slots_[i];
    if (s.live) {
      s.live = false;
      --live_;
    }
    s.handle.detach();
    s.next_free = free_head_;
    free_head_ = i;
  }

  // Slot i now holds `h` (a task that has not been polled yet): registers
  // the slot's waker with it.
  void adopt(std::uint32_t i, JoinHandle<T> h) {
    Slot& s = slots_[i];
    s.handle = std::move(h);
    s.live = true;
    s.queued = false;
    ++live_;
    Waker w(borrowed_raw(s));
    Context cx(w);
    Poll<JoinResult<T>> p = s.handle.poll(cx);  // registers w's clone with the loop
    POLLEN_ASSERT(p.is_pending(), "JoinSet: a task was finished before its first poll");
  }

  // The waker of the most recent join_next() poll.
  void set_parent(const Waker& w) {
    if (!parent_.will_wake(w)) parent_ = w;
  }
  void clear_parent() noexcept { parent_ = Waker(); }

  // Marks the set gone: aborts and drops every handle.
  void close() noexcept {
    closed_ = true;
    for (Slot& s : slots_) {
      if (!s.live) continue;
      // abort() checks the thread (the handle's own rule): the set is used
      // on its tasks' thread, as its spawn() and join_next() were.
      abort_noexcept(s.handle);
      s.live = false;
      s.handle.detach();
    }
    live_ = 0;
    ready_.clear();
    clear_parent();
  }

  void abort_all() {
    for (Slot& s : slots_) {
      if (s.live) s.handle.abort();
    }
  }

  std::size_t live() const noexcept { return live_; }
  std::size_t ready_count() const noexcept { return ready_.size(); }
  bool closed() const noexcept { return closed_; }
  std::size_t ref_count() const noexcept { return refs_.count(); }

  // join_next()'s poll, after its own checks: the next result, or Pending.
  Poll<Option<JoinResult<T>>> poll_next(Context& cx) {
    while (!ready_.empty()) {
      const std::uint32_t i = ready_.front();
      ready_.pop_front();
      Slot& s = slots_[i];
      s.queued = false;
      if (!s.live) continue;
      Waker w(borrowed_raw(s));
      Context child(w, cx);
      // The slot is freed whatever the poll does unless it is Pending, also
      // when it rethrows the task's exception.
      struct Reclaim {
        JoinSetState* set;
        std::uint32_t i;
        bool armed;
        ~Reclaim() {
          if (armed) set->free_slot(i);
        }
      } reclaim{this, i, true};
      Poll<JoinResult<T>> p = s.handle.poll(child);
      if (p.is_pending()) {  // a wake that was not the finish: wait for the next
        reclaim.armed = false;
        continue;
      }
      return Option<JoinResult<T>>(std::move(p).value());
    }
    return pending;
  }

  // The active join_next() future (the one that returned Pending last), or
  // nullptr.
  const void* active = nullptr;

 private:
  static constexpr std::uint32_t kNone = 0xffffffffu;

  ~JoinSetState() = default;

  static void abort_noexcept(JoinHandle<T>& h) noexcept {
#if POLLEN_HAS_EXCEPTIONS
    try {
      h.abort();
    } catch (...) {
      // Another thread: detach() below prints the handle's message and ends
      // the process.
    }
#else
    h.abort();
#endif
  }

  // Wakes of slot i: on the thread of its task's loop, from that loop.
  void wake(Slot& s) noexcept {
    if (closed_ || !s.live || s.queued) return;
    s.queued = true;
    const bool first = ready_.empty();
    ready_.push_back(s.index);
    if (first) parent_.wake_by_ref();
  }

  static RawWaker shared_raw(Slot& s) noexcept {
    s.owner->retain();
    return RawWaker{&s, &shared_vtable()};
  }
  static RawWaker borrowed_raw(Slot& s) noexcept { return RawWaker{&s, &borrowed_vtable()}; }
  static Slot& slot_of(const void* data) noexcept {
    return *const_cast<Slot*>(static_cast<const Slot*>(data));
  }
  static const WakerVTable& shared_vtable() noexcept {
    static const WakerVTable vt = {
        [](const void* data) noexcept -> RawWaker { return shared_raw(slot_of(data)); },
        [](const void* data) noexcept {
          Slot& s = slot_of(data);
          JoinSetState* owner = s.owner;
          owner->wake(s);
          owner->release();
        },
        [](const void* data) noexcept { slot_of(data).owner->wake(slot_of(data)); },
        [](const void* data) noexcept { slot_of(data).owner->release(); },
    };
    return vt;
  }
  // Lent for the poll of a handle: no reference (the poller holds one).
  static const WakerVTable& borrowed_vtable() noexcept {
    static const WakerVTable vt = {
        [](const void* data) noexcept -> RawWaker { return shared_raw(slot_of(data)); },
        [](const void* data) noexcept { slot_of(data).owner->wake(slot_of(data)); },
        [](const void* data) noexcept { slot_of(data).owner->wake(slot_of(data)); },
        [](const void*) noexcept {},
    };
    return vt;
  }

  RefCount refs_;                     // starts at 1: the set's reference
  std::deque<Slot> slots_;            // addresses never change; only grows
  std::uint32_t free_head_ = kNone;   // first free slot, or kNone
  std::size_t live_ = 0;              // live slots: the set's len()
  std::deque<std::uint32_t> ready_;   // slots whose task finished, in finish order
  Waker parent_;                      // the most recent join_next() poll's waker
  bool closed_ = false;               // the set is gone; never unset
};

}  // namespace detail

template <class T>
class JoinSet {
 public:
  JoinSet() : state_(new detail::JoinSetState<T>()) {}
  JoinSet(const JoinSet&) = delete;
  JoinSet& operator=(const JoinSet&) = delete;
  // Moving keeps the tasks, and the join_next() futures keep working (they
  // refer to the shared block, not to the set object). The moved-from set
  // is empty and refuses everything but destruction.
  JoinSet(JoinSet&& o) noexcept : state_(o.state_) { o.state_ = nullptr; }
  JoinSet& operator=(JoinSet&& o) noexcept {
    if (this != &o) {
      close();
      state_ = o.state_;
      o.state_ = nullptr;
    }
    return *this;
  }
  // Aborts every task still in the set (their futures are destroyed at
  // their loop's next turn) and drops the results nobody took.
  ~JoinSet() { close(); }

  // Spawns `f` on `loop` (EventLoop::spawn) as a task of this set. If it
  // throws (another thread, out of memory), nothing was added and nothing
  // runs.
  template <class F>
  void spawn(EventLoop& loop, F f) {
    check_output<F>();
    const std::uint32_t i = state().take_free_slot();
    Undo undo{state_, i};
    state_->adopt(i, loop.spawn(std::move(f)));
    undo.i = kDone;
  }
  template <class F>
  void spawn(EventLoop& loop, const char* name, F f) {
    check_output<F>();
    const std::uint32_t i = state().take_free_slot();
    Undo undo{state_, i};
    state_->adopt(i, loop.spawn(name, std::move(f)));
    undo.i = kDone;
  }
  template <class F>
  void spawn(EventLoop& loop, const std::string& name, F f) {
    spawn(loop, name.c_str(), std::move(f));
  }

  // A future of the next result (see the top of this header). The set must
  // not be polled from two join_next() futures at once.
  JoinNext<T> join_next() { return JoinNext<T>(&state()); }

  // Aborts every task in the set; their results (cancelled, or the output
  // of a task that had finished) stay in the set for join_next().
  void abort_all() { state().abort_all(); }

  // Tasks in the set: spawned and whose result join_next() has not taken.
  std::size_t len() const noexcept { return state_ == nullptr ? 0 : state_->live(); }
  bool is_empty() const noexcept { return len() == 0; }

  void describe(Describer& d) const {
    if (state_ == nullptr) {
      d.node("JoinSet", "moved from");
      return;
    }
    d.node("JoinSet", std::to_string(state_->live()) + " tasks, " +
                          std::to_string(state_->ready_count()) + " finished");
  }

 private:
  static constexpr std::uint32_t kDone = 0xffffffffu;
  // When spawn() throws (the loop's spawn, or registering the slot's
  // waker): the task, if it was spawned, is aborted before its first poll,
  // and the slot is freed.
  struct Undo {
    detail::JoinSetState<T>* s;
    std::uint32_t i;
    ~Undo() {
      if (i != kDone) s->abandon(i);
    }
  };

  template <class F>
  static void check_output() {
    POLLEN_REQUIRE_FUTURE(F);
    static_assert(std::is_same<output_t<F>, T>::value,
                  "JoinSet<T>::spawn: the future's Output must be T (map() it to T first)");
  }

  detail::JoinSetState<T>& state() const {
    POLLEN_REQUIRE(state_ != nullptr,
                   "JoinSet used after it was moved from: use the set it was moved into");
    return *state_;
  }
  void close() noexcept {
    if (state_ == nullptr) return;
    state_->close();
    state_->release();
    state_ = nullptr;
  }

  detail::JoinSetState<T>* state_;  // null once moved from
};

// join_next()'s future.
// Output: Option<JoinResult<T>> (see the top of this header).
// Cancellation: cancel safe: dropping it while it waits takes nothing out of
//   the set.
// Contract errors: polling it after Ready, after it was moved from, or after
//   its set was destroyed; polling it while another join_next() future of
//   the same set waits.
// Polling order: the set's finished tasks, first finished first; only
//   those (the others are not polled). A Ready poll spends one unit of the
//   cooperative budget; with the budget spent it returns Pending (woken)
//   without taking anything.
template <class T>
class POLLEN_NODISCARD_TYPE JoinNext : public FutureExt<JoinNext<T>> {
 public:
  using Output = Option<JoinResult<T>>;
  static constexpr bool is_cancel_safe = true;
  enum class State { Init, Waiting, Done };

  explicit JoinNext(detail::JoinSetState<T>* s) noexcept : set_(s) { set_->retain(); }
  JoinNext(JoinNext&& o) noexcept : set_(o.set_), state_(o.state_) {
    if (set_ != nullptr && set_->active == &o) set_->active = this;
    o.set_ = nullptr;
    o.state_ = State::Done;
    o.moved_ = true;
  }
  JoinNext& operator=(JoinNext&&) = delete;
  ~JoinNext() { let_go(); }

  Poll<Output> poll(Context& cx) {
    detail::observe_poll(cx, this);
    if (state_ == State::Done) finished();
    POLLEN_REQUIRE(!set_->closed(),
                   "JoinNext polled after its JoinSet was destroyed: keep the set alive while "
                   "you await join_next()");
    POLLEN_REQUIRE(set_->active == nullptr || set_->active == this,
                   "JoinNext polled while another join_next() future of the same JoinSet is "
                   "waiting: await one join_next() at a time (drop the other first)");
    if (set_->live() == 0) {
      let_go();
      return Output();
    }
    if (detail::out_of_budget(cx)) return pending;
    set_->set_parent(cx.waker());
    set_->active = this;  // before the poll: a rethrow leaves it Waiting
    state_ = State::Waiting;
    Poll<Output> p = set_->poll_next(cx);
    if (p.is_pending()) return pending;
    let_go();
    detail::spend_budget(cx);
    return p;
  }

  State state() const noexcept { return state_; }

  void describe(Describer& d) const {
    d.node("JoinNext", state_ == State::Init      ? "state: Init"
                       : state_ == State::Waiting ? "state: Waiting"
                                                  : "state: Done");
  }

 private:
  [[noreturn]] void finished() const {
    if (set_ == nullptr && moved_) {
      detail::contract_violation(
          "JoinNext polled after it was moved from: poll the future it was moved into");
    }
    detail::polled_after_ready("JoinNext");
  }
  // Done: gives back the set's reference (and its place as the waiter).
  void let_go() noexcept {
    state_ = State::Done;
    if (set_ == nullptr) return;
    if (set_->active == this) {
      set_->active = nullptr;
      set_->clear_parent();
    }
    set_->release();
    set_ = nullptr;
  }

  detail::JoinSetState<T>* set_;  // holds a reference; null once Done or moved from
  State state_ = State::Init;
  bool moved_ = false;
};

POLLEN_NAMESPACE_END
