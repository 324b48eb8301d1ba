// pollen/future/shared.hpp: shared(f), a copyable future whose output is
// delivered to every copy that awaits it (futures-rs `Shared`, KJ `fork()`).
//
//   auto config = pollen::shared(load_config());   // Output: Config (copyable)
//   auto a = config;  auto b = config;             // give a and b to two tasks
//   ... each task:  Config c = <await its copy>;
//
//                 a copy is polled and the inner
//                 future was woken (or never polled)
//   ┌─────────┐ ─────────────────────────────────► ┌─────────┐
//   │ Pending │                                    │ Polling │ (inside the
//   └─────────┘ ◄───────────────────────────────── └────┬────┘  inner poll)
//        │          the inner poll is Pending           │
//        │ every copy dropped                Ready │    │ threw
//        ▼                                         ▼    ▼
//   (inner future destroyed)                ┌───────┐ ┌────────┐
//                                           │ Ready │ │ Failed │
//                                           └───────┘ └────────┘
//   (states of the shared block; each copy is Init, Waiting or Done)
//
// Output: a copy of the inner future's output T, which must be copy
// constructible; every copy that is polled to Ready gets its own copy.
// Polling: the inner future is polled by whichever copy is polled, and only
//   when its waker was woken since its last poll (or before its first poll):
//   a copy polled at any other time registers its task's waker and returns
//   Pending without polling the inner future. When the inner future's waker
//   is woken, ONE waiting task is woken (the task of the copy polled most
//   recently) to poll it. When the inner future is Ready, every other
//   waiting task is woken exactly once. A copy made after Ready (from any
//   copy, a finished one included) is Ready at its first poll.
// Cancellation: destroying a copy takes its task off the waiting list (if
//   its task was the one woken to poll the inner future, another waiting
//   task is woken in its place). Destroying the LAST copy destroys the
//   inner future (or its output): dropping every copy cancels it. Cancel
//   safe: dropping a waiting copy loses nothing that the other copies or a
//   new copy could not still get.
// Exceptions: when the inner poll throws, the exception is stored: the copy
//   whose poll ran it rethrows it, and every other copy rethrows the same
//   exception object (std::exception_ptr) at its next poll (the waiting
//   ones are woken). The shared future is Failed for good: there is no
//   retry, and a copy made later rethrows too.
// Threads: a shared future belongs to the thread that made it: poll, copy
//   and destroy its copies there (the tasks of the loops of that thread, or
//   block_on there). poll() and copying on another thread raise
//   ContractError; destroying a copy elsewhere is not checked (don't). The
//   inner future's waker is thread-safe: the inner future may be woken from
//   any thread (a channel fed by another thread, say).
// Contract errors: polling a copy after Ready or after it was moved from;
//   polling a copy from inside the inner future's own poll (it would wait
//   for itself); polling or copying on another thread.
// Costs: shared(f) allocates the shared block (the inner future, the
//   output) and a one-child wake list (the inner future's waker,
//   <pollen/future/wake_list.hpp>); the waiting list grows to the largest
//   number of copies waiting at once. Copying a copy costs a plain
//   increment. It is a hand-written future, not a machine (future/
//   machine.hpp): its state is shared between copies, not owned by one.
//
// Ground rules
// * The block counts its copies (`copies_`, plain: one thread). The last
//   copy's destructor destroys the inner future, closes the wake list (a
//   late wake of the inner future's waker does nothing) and frees the block.
// * The inner future's waker is child 0 of `wakes_`, a WakeList: its wake
//   marks the child queued and wakes the list's parent waker, which is the
//   waker of the most recent copy poll that returned Pending (`designated_`
//   names that copy). A copy's poll drains the list: queued means "poll the
//   inner future now". The list starts queued (the first poll polls).
// * `waiters_[k]` holds the waker of copy k while it waits (key k, kept in
//   the copy); free entries are chained through `next_free`.
// * Ready or Failed: the inner future is gone, the wake list is closed, and
//   every waiting copy but the polling one has been woken once; each leaves
//   the list at its next poll. The output (or exception) stays until the
//   last copy goes.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/context.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/option.hpp>
#include <pollen/core/poll.hpp>
#include <pollen/core/poll_observer.hpp>
#include <pollen/core/waker.hpp>
#include <pollen/future/future_ext.hpp>
#include <pollen/future/wake_list.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#if POLLEN_HAS_EXCEPTIONS
#include <exception>
#endif

POLLEN_NAMESPACE_BEGIN

namespace detail {

template <class F>
class SharedBlock {
 public:
  using T = output_t<F>;
  enum class State { Pending, Polling, Ready, Failed };
  static constexpr std::uint32_t kNone = 0xffffffffu;

  explicit SharedBlock(F f)
      : inner_(std::move(f)), wakes_(WakeList::create(1, true)), owner_(std::this_thread::get_id()) {}
  SharedBlock(const SharedBlock&) = delete;
  SharedBlock& operator=(const SharedBlock&) = delete;
  ~SharedBlock() {
    wakes_->close();
    wakes_->release();
  }

  void check_thread(const char* what) const {
    POLLEN_REQUIRE(std::this_thread::get_id() == owner_,
                   std::string(what) +
                       " on another thread than the one that made the shared future: a shared "
                       "future belongs to one thread; send its output to other threads through "
                       "a channel");
  }

  void add_copy() noexcept { ++copies_; }
  // The last copy frees the block (and with it the inner future).
  void drop_copy() noexcept {
    if (--copies_ == 0) delete this;
  }

  State state() const noexcept { return state_; }
  std::size_t copies() const noexcept { return copies_; }
  std::size_t waiting() const noexcept { return waiting_; }
  const Option<T>& output() const noexcept { return output_; }

  // Copy `key` waits with `w` (registers it, or replaces its waker), and
  // its task is the one the inner future's wake reaches from now on.
  void wait(std::uint32_t& key, const Waker& w) {
    if (key == kNone) {
      if (free_head_ != kNone) {
        key = free_head_;
        free_head_ = waiters_[key].next_free;
      } else {
        waiters_.emplace_back();  // may throw: nothing changed then
        key = static_cast<std::uint32_t>(waiters_.size() - 1);
      }
      waiters_[key].next_free = kInUse;
      waiters_[key].waker = w;
      ++waiting_;
    } else if (!waiters_[key].waker.will_wake(w)) {
      waiters_[key].waker = w;
    }
    designated_ = key;
    wakes_->set_parent(w);
  }

  // Copy `key` stops waiting (it is Ready, or going). If its task was the
  // one the inner future's wake reaches, another waiting task takes that
  // role and is woken (the wake may have gone to the leaving one).
  void leave(std::uint32_t& key) noexcept {
    if (key == kNone) return;
    Waker old = std::move(waiters_[key].waker);
    waiters_[key].next_free = free_head_;
    free_head_ = key;
    --waiting_;
    const bool was_designated = designated_ == key;
    key = kNone;
    if (!was_designated || state_ != State::Pending) return;
    designated_ = kNone;
    for (std::uint32_t j = 0; j < waiters_.size(); ++j) {
      if (waiters_[j].next_free == kInUse) {
        designated_ = j;
        wakes_->set_parent(waiters_[j].waker);
        waiters_[j].waker.wake_by_ref();
        return;
      }
    }
    wakes_->set_parent(Waker());
  }

  // True (and cleared) when the inner future must be polled.
  bool take_inner_wake() {
    bool woken = false;
    wakes_->drain_each([&woken](std::uint32_t) { woken = true; });
    return woken;
  }

  // Polls the inner future (State::Pending, woken) for copy `key`. Ready or
  // Failed: the inner future is destroyed and every waiting copy but `key`
  // is woken.
  void poll_inner(Context& cx, std::uint32_t key) {
    state_ = State::Polling;
    Waker w(wakes_->borrowed_raw(0));
    Context inner_cx(w, cx);
#if POLLEN_HAS_EXCEPTIONS
    try {
      poll_inner_once(inner_cx, key);
    } catch (...) {
      error_ = std::current_exception();
      finish(State::Failed, key);
      throw;
    }
#else
    poll_inner_once(inner_cx, key);
#endif
  }

#if POLLEN_HAS_EXCEPTIONS
  [[noreturn]] void rethrow() const { std::rethrow_exception(error_); }
#endif

  void describe_inner(Describer& d) const {
    if (inner_.has_value()) d.child(*inner_);
  }

 private:
  static constexpr std::uint32_t kInUse = kNone - 1;
  struct Waiter {
    Waker waker;                    // valid while in use
    std::uint32_t next_free = kInUse;  // kInUse while a copy waits with it
  };

  void poll_inner_once(Context& cx, std::uint32_t key) {
    Poll<T> p = inner_->poll(cx);
    if (p.is_pending()) {
      state_ = State::Pending;
      return;
    }
    output_.emplace(std::move(p).value());
    finish(State::Ready, key);
  }

  // Ready or Failed: the inner future goes, and every waiting task but the
  // one of copy `self` (which is polling) is woken once. Each copy leaves
  // the list at its next poll (or when it is destroyed).
  void finish(State s, std::uint32_t self) noexcept {
    state_ = s;
    inner_.reset();
    wakes_->close();
    designated_ = kNone;
    for (std::uint32_t j = 0; j < waiters_.size(); ++j) {
      if (j != self && waiters_[j].next_free == kInUse) waiters_[j].waker.wake_by_ref();
    }
  }

  Option<F> inner_;                    // Pending and Polling only
  Option<T> output_;                   // Ready only
#if POLLEN_HAS_EXCEPTIONS
  std::exception_ptr error_;           // Failed only
#endif
  WakeList* wakes_;                    // the inner future's waker; holds one reference
  std::vector<Waiter> waiters_;        // one per waiting copy; entries are reused
  std::uint32_t free_head_ = kNone;    // first free entry of waiters_
  std::uint32_t designated_ = kNone;   // the copy whose task the inner wake reaches
  std::size_t waiting_ = 0;            // entries in use
  std::size_t copies_ = 1;             // copies alive (Shared objects holding the block)
  State state_ = State::Pending;
  std::thread::id owner_;              // the thread that made it; never changes
};

}  // namespace detail

// One copy of a shared future (see the top of this header).
// Output: output_t<F> (copy constructible), copied to each copy.
// Cancellation: cancel safe; the last copy destroyed destroys the inner
//   future.
// Contract errors: see the top of this header.
// Polling order: the inner future, only when woken; no other child.
template <class F>
class POLLEN_NODISCARD_TYPE Shared : public FutureExt<Shared<F>> {
  POLLEN_REQUIRE_FUTURE(F);

 public:
  using Output = output_t<F>;
  static_assert(std::is_copy_constructible<Output>::value,
                "shared(f): the output of f must be copy constructible (every copy gets one); "
                "share a std::shared_ptr to it instead");
  static constexpr bool is_cancel_safe = true;
  enum class State { Init, Waiting, Done };

  explicit Shared(F f) : block_(new detail::SharedBlock<F>(std::move(f))) {}
  // A new copy, Init: it gets the output too. ContractError on another
  // thread.
  Shared(const Shared& o) : block_(o.block_) {
    POLLEN_REQUIRE(block_ != nullptr,
                   "Shared copied after it was moved from: copy the future it was moved into");
    block_->check_thread("Shared copied");
    block_->add_copy();
  }
  Shared(Shared&& o) noexcept : block_(o.block_), key_(o.key_), state_(o.state_) {
    o.block_ = nullptr;
    o.key_ = kNone;
    o.state_ = State::Done;
  }
  Shared& operator=(const Shared&) = delete;
  Shared& operator=(Shared&&) = delete;
  ~Shared() {
    if (block_ == nullptr) return;
    block_->leave(key_);
    block_->drop_copy();
  }

  Poll<Output> poll(Context& cx) {
    detail::observe_poll(cx, this);
    if (state_ == State::Done) finished();
    block_->check_thread("Shared polled");
    using BS = typename detail::SharedBlock<F>::State;
    switch (block_->state()) {
      case BS::Polling:
        detail::contract_violation(
            "Shared polled from inside the poll of its own inner future: the future would wait "
            "for itself; do not await a copy of a shared future inside that future");
      case BS::Pending:
        block_->wait(key_, cx.waker());
        state_ = State::Waiting;
        if (!block_->take_inner_wake()) return pending;
#if POLLEN_HAS_EXCEPTIONS
        try {
          block_->poll_inner(cx, key_);
        } catch (...) {  // Failed: this copy is done; the others rethrow below
          block_->leave(key_);
          state_ = State::Done;
          throw;
        }
#else
        block_->poll_inner(cx, key_);
#endif
        if (block_->state() == BS::Pending) return pending;
        break;
      case BS::Ready:
      case BS::Failed:
        break;
    }
    block_->leave(key_);
    state_ = State::Done;
#if POLLEN_HAS_EXCEPTIONS
    if (block_->state() == BS::Failed) block_->rethrow();
#endif
    return Output(*block_->output());
  }

  State state() const noexcept { return state_; }
  // Copies alive (this one included); 0 for a moved-from one.
  std::size_t copies() const noexcept { return block_ == nullptr ? 0 : block_->copies(); }

  void describe(Describer& d) const {
    if (block_ == nullptr) {
      d.node("Shared", "moved from");
      return;
    }
    using BS = typename detail::SharedBlock<F>::State;
    const BS s = block_->state();
    d.node("Shared", std::string("state: ") +
                         (s == BS::Pending   ? "Pending"
                          : s == BS::Polling ? "Polling"
                          : s == BS::Ready   ? "Ready"
                                             : "Failed") +
                         ", " + std::to_string(block_->copies()) + " copies, " +
                         std::to_string(block_->waiting()) + " waiting");
    block_->describe_inner(d);
  }

 private:
  static constexpr std::uint32_t kNone = detail::SharedBlock<F>::kNone;

  [[noreturn]] void finished() const {
    if (block_ == nullptr) {
      detail::contract_violation(
          "Shared polled after it was moved from: poll the future it was moved into");
    }
    detail::polled_after_ready("Shared");
  }

  detail::SharedBlock<F>* block_;  // holds one copy count; null once moved from
  std::uint32_t key_ = kNone;      // its entry in the waiting list while Waiting
  State state_ = State::Init;
};

// A copyable future of f's output; see the top of this header.
template <class F>
POLLEN_NODISCARD Shared<typename std::decay<F>::type> shared(F&& f) {
  return Shared<typename std::decay<F>::type>(std::forward<F>(f));
}

POLLEN_NAMESPACE_END
