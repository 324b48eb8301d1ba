// pollen/sync/semaphore.hpp: Semaphore, a count of permits that tasks wait
// for, first come first served: the way to limit concurrency.
//
//   pollen::Semaphore slots(4);                    // at most 4 at a time
//   // in a task:
//   pollen::Option<pollen::SemaphorePermit> p = <await slots.acquire()>;
//   if (!p) return;                                // none: the semaphore was closed
//   ... work while holding one permit ...          // dropping *p gives it back
//
// * acquire(n) is a future of Option<SemaphorePermit>: a permit guard for n
//   permits once they are available, or none once the semaphore is closed.
//   Waiters are served strictly in arrival order: a request for many
//   permits at the head of the queue holds back later small requests until
//   it is served (no starvation of large requests), and a new acquire() or
//   try_acquire() never overtakes a waiter, even when enough permits are
//   free for it.
// * try_acquire(n): a permit now, or none (no permits, waiters queued, or
//   closed: is_closed() tells which).
// * add_permits(n) adds permits (waking the waiters they satisfy).
// * close(): every waiter and every later acquire() gets none; permits
//   already held stay valid and still come back when dropped.
// * SemaphorePermit gives its permits back when destroyed; forget() keeps
//   them out for good (the semaphore has that many fewer).
//
// Threads. A Semaphore is thread-safe: acquire from tasks on any loop,
// add_permits(), close() and drop permits on any thread. Wakes go through
// the waiters' (thread-safe) wakers. It is neither copyable nor movable
// (its waiters and permits point to it): share it by reference or in a
// std::shared_ptr, and keep it alive until its futures and permits are gone.
//
// Ground rules
// * Every field is guarded by `mu_`, a SpinLock (short critical sections:
//   counters and pointer writes). Wakers are woken and dropped only after
//   `mu_` is released; a release that satisfies many waiters wakes them in
//   batches of 32, taking `mu_` again for each batch.
// * `permits_` is the number available, `total_` the number in existence
//   (available, held by permits, or granted to waiters not yet polled):
//   permits_ <= total_ <= max_permits. add_permits() grows both, forget()
//   shrinks total_.
// * Waiters are their futures' nodes in `waiters_`, in arrival order, each
//   asking for `wanted` permits. The head is served when permits_ >= its
//   `wanted`: permits_ shrinks by that much, the node is unlinked, marked
//   Granted and woken; its next poll turns the grant into a permit. Only the
//   head is ever served, so nobody overtakes it.
// * A waiter whose future goes: if still linked, it is unlinked (and if it
//   was the head, the next one may now be served); if it was Granted but
//   never reported Ready, its permits are released again (to the next
//   waiter). Either way nothing is lost and the dropped future gets nothing.
// * close() sets `closed_` (never unset), moves the queue to a list on its
//   stack, marks every node Closed and wakes them in batches.
//
// Contract errors: more than max_permits in existence (Semaphore(n),
// add_permits(n)); acquire(n) or try_acquire(n) with n > max_permits;
// polling an acquire() future after Ready or a moved-from one; destroying a
// Semaphore while acquire() futures wait on it (the process ends, as a
// destructor cannot throw).
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/option.hpp>
#include <pollen/core/waker.hpp>
#include <pollen/future/future_ext.hpp>
#include <pollen/sync/shared.hpp>
#include <pollen/sync/spin_lock.hpp>
#include <pollen/sync/waiter_list.hpp>

#include <cstddef>
#include <limits>
#include <mutex>  // std::lock_guard
#include <string>
#include <utility>

POLLEN_NAMESPACE_BEGIN

class SemaphorePermit;
class SemaphoreAcquire;

class Semaphore {
 public:
  // The most permits a semaphore can have in existence.
  static constexpr std::size_t max_permits = std::numeric_limits<std::size_t>::max() >> 2;

  explicit Semaphore(std::size_t permits) : permits_(permits), total_(permits) {
    check_count(permits, "Semaphore(n)");
  }
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;
  ~Semaphore() {
    bool waiting;
    {
      std::lock_guard<detail::SpinLock> lock(mu_);
      waiting = !waiters_.empty();
    }
    if (waiting) {
      detail::contract_violation(
          "Semaphore destroyed while acquire() futures wait on it: keep the Semaphore alive "
          "until its futures are Ready or dropped (close() wakes them all)");
    }
  }

  // A future of n permits (see SemaphoreAcquire). The semaphore must
  // outlive it and the permit it yields.
  POLLEN_NODISCARD inline SemaphoreAcquire acquire(std::size_t n = 1);

  // n permits now, or none: not enough available, waiters queued ahead, or
  // closed (is_closed() tells which).
  inline Option<SemaphorePermit> try_acquire(std::size_t n = 1);

  // Adds n permits and serves the waiters they satisfy, in order.
  void add_permits(std::size_t n) {
    {
      std::lock_guard<detail::SpinLock> lock(mu_);
      if (n > max_permits - total_) {
        detail::contract_violation(
            "Semaphore::add_permits(" + std::to_string(n) + ") would make more than max_permits (" +
            std::to_string(max_permits) + ") permits: add fewer");
      }
      total_ += n;
    }
    release(n);
  }

  std::size_t available_permits() const noexcept {
    std::lock_guard<detail::SpinLock> lock(mu_);
    return permits_;
  }

  // Ends the semaphore: waiters and later acquires get none. Permits held
  // stay valid; permits given back are counted again (available_permits()).
  void close() noexcept {
    detail::WaiterList closed;
    {
      std::lock_guard<detail::SpinLock> lock(mu_);
      closed_ = true;
      waiters_.splice_all_into(closed);
      closed.for_each([](detail::WaiterLink& l) { as_waiter(&l).grant = Grant::Closed; });
    }
    detail::wake_list_in_batches(closed, mu_,
                                 [](detail::WaiterLink* l) -> Waker& { return as_waiter(l).waker; });
  }

  bool is_closed() const noexcept {
    std::lock_guard<detail::SpinLock> lock(mu_);
    return closed_;
  }

  // How many acquire() futures wait now.
  std::size_t waiters() const noexcept {
    std::lock_guard<detail::SpinLock> lock(mu_);
    return waiters_.size();
  }

  // "Semaphore [2 available, 1 waiting]", with "closed, " in front once closed.
  void describe(Describer& d) const {
    std::string detail;
    {
      std::lock_guard<detail::SpinLock> lock(mu_);
      if (closed_) detail = "closed, ";
      detail += std::to_string(permits_) + " available, " + std::to_string(waiters_.size()) +
                " waiting";
    }
    d.node("Semaphore", detail);
  }

 private:
  friend class SemaphorePermit;
  friend class SemaphoreAcquire;

  // What a waiter was given; guarded by mu_.
  enum class Grant { None, Granted, Closed };

  struct Waiter : detail::WaiterLink {
    Waker waker;             // the waiting task; taken when it is served
    std::size_t wanted = 0;  // fixed when it queues up
    Grant grant = Grant::None;
  };

  static Waiter& as_waiter(detail::WaiterLink* l) noexcept { return *static_cast<Waiter*>(l); }

  static void check_count(std::size_t n, const char* what) {
    if (n > max_permits) {
      detail::contract_violation(std::string(what) + " with n = " + std::to_string(n) +
                                 ", more than max_permits (" + std::to_string(max_permits) +
                                 "): no semaphore can hold that many");
    }
  }

  // With mu_ held: takes n permits if nobody waits and enough are free.
  bool try_take_locked(std::size_t n) noexcept {
    if (closed_ || !waiters_.empty() || permits_ < n) return false;
    permits_ -= n;
    return true;
  }

  // With mu_ held: grants the head waiters whose requests the available
  // permits cover, their wakers into `batch`. True when the batch filled up
  // and more might be served.
  bool serve_locked(detail::WakeBatch& batch) noexcept {
    while (!batch.full()) {
      detail::WaiterLink* l = waiters_.front();
      if (l == nullptr) return false;
      Waiter& w = as_waiter(l);
      if (permits_ < w.wanted) return false;
      permits_ -= w.wanted;
      l->unlink();
      w.grant = Grant::Granted;
      batch.push(std::move(w.waker));
    }
    return true;
  }

  // Gives n permits back (n may be 0: serve the queue after its head left)
  // and wakes the waiters they satisfy.
  void release(std::size_t n) noexcept {
    detail::WakeBatch batch;
    bool more;
    {
      std::lock_guard<detail::SpinLock> lock(mu_);
      permits_ += n;
      more = serve_locked(batch);
    }
    batch.wake_all();
    while (more) {
      {
        std::lock_guard<detail::SpinLock> lock(mu_);
        more = serve_locked(batch);
      }
      batch.wake_all();
    }
  }

  // A permit forgotten: n permits leave the semaphore for good.
  void forget(std::size_t n) noexcept {
    std::lock_guard<detail::SpinLock> lock(mu_);
    total_ -= n;
  }

  mutable detail::SpinLock mu_;
  bool closed_ = false;         // guarded by mu_: set by close(), never unset
  std::size_t permits_;         // guarded by mu_: available now
  std::size_t total_;           // guarded by mu_: in existence (see the ground rules)
  detail::WaiterList waiters_;  // guarded by mu_: Waiting acquire() futures, FIFO
};

// Holds permits of a Semaphore; gives them back when destroyed. Move-only.
// A moved-from permit holds none (num_permits() == 0) and gives nothing back.
class SemaphorePermit {
 public:
  SemaphorePermit(SemaphorePermit&& o) noexcept : sem_(o.sem_), n_(o.n_) {
    o.sem_ = nullptr;
    o.n_ = 0;
  }
  SemaphorePermit& operator=(SemaphorePermit&& o) noexcept {
    if (this != &o) {
      give_back();
      sem_ = o.sem_;
      n_ = o.n_;
      o.sem_ = nullptr;
      o.n_ = 0;
    }
    return *this;
  }
  SemaphorePermit(const SemaphorePermit&) = delete;
  SemaphorePermit& operator=(const SemaphorePermit&) = delete;
  ~SemaphorePermit() { give_back(); }

  std::size_t num_permits() const noexcept { return n_; }

  // Keeps the permits out of the semaphore for good: it has that many
  // fewer from now on (available_permits() never counts them again).
  void forget() noexcept {
    if (sem_ != nullptr) sem_->forget(n_);
    sem_ = nullptr;
    n_ = 0;
  }

  // "SemaphorePermit [2 permits]" or "SemaphorePermit [none]".
  void describe(Describer& d) const {
    d.node("SemaphorePermit", sem_ == nullptr ? std::string("none")
                                              : std::to_string(n_) + (n_ == 1 ? " permit" : " permits"));
  }

 private:
  friend class Semaphore;
  friend class SemaphoreAcquire;
  SemaphorePermit(Semaphore& s, std::size_t n) noexcept : sem_(&s), n_(n) {}

  void give_back() noexcept {
    if (sem_ == nullptr) return;
    Semaphore* s = sem_;
    sem_ = nullptr;
    s->release(n_);
    n_ = 0;
  }

  Semaphore* sem_;  // null: moved from or forgotten
  std::size_t n_;   // permits held
};

// sem.acquire(n): n permits, first come first served.
//
// States:   Init --closed----------------------------------------> Done (none)
//             |  --nobody queued and n available: take them-----> Done (permit)
//             +--otherwise: join the queue--> Waiting
//           Waiting --served (at the head, n available)--> Done (permit)
//             |  ^  --close()---------------------------> Done (none)
//             +--+ not yet: keep the newest waker, Pending
//
//   State::Init     holds the semaphore and n; not queued (joins at its first poll)
//   State::Waiting  holds its node: queued, or unlinked and marked Granted
//                   (n permits set aside for it) or Closed
//   State::Done     holds nothing that matters (also a moved-from future)
//
// Output: Option<SemaphorePermit>: a permit for n permits, or none when the
//   semaphore was closed before this future was served.
// Cancellation: cancel safe. Dropping a Waiting future unlinks it (the
//   waiters behind it may then be served); if it had been served but never
//   reported Ready, its n permits go back to the semaphore (to the next
//   waiter). It never yields a permit after it is dropped.
// Contract errors: polling it after Ready, or a moved-from one.
// Polling order: no children. A Ready poll spends one unit of the
//   cooperative budget; with the budget spent it returns Pending (woken)
//   without taking anything.
class POLLEN_NODISCARD_TYPE SemaphoreAcquire : public FutureExt<SemaphoreAcquire> {
 public:
  using Output = Option<SemaphorePermit>;
  static constexpr bool is_cancel_safe = true;
  enum class State { Init, Waiting, Done };

  SemaphoreAcquire(Semaphore& s, std::size_t n) noexcept : sem_(&s) { node_.wanted = n; }
  // Moving a Waiting future moves its place in the queue.
  SemaphoreAcquire(SemaphoreAcquire&& o) noexcept : sem_(o.sem_), state_(o.state_) {
    node_.wanted = o.node_.wanted;
    if (state_ == State::Waiting) {
      std::lock_guard<detail::SpinLock> lock(sem_->mu_);
      node_.replace(o.node_);
      node_.waker = std::move(o.node_.waker);
      node_.grant = o.node_.grant;
    }
    o.sem_ = nullptr;
    o.state_ = State::Done;
  }
  SemaphoreAcquire& operator=(SemaphoreAcquire&&) = delete;
  ~SemaphoreAcquire() {
    if (state_ == State::Waiting) leave();
  }

  Poll<Output> poll(Context& cx) {
    detail::observe_poll(cx, this);
    if (state_ == State::Done) finished();
    if (detail::out_of_budget(cx)) return pending;
    Waker to_drop;  // a replaced or spent waker, dropped after the lock is released
    bool granted;
    {
      std::lock_guard<detail::SpinLock> lock(sem_->mu_);
      if (state_ == State::Init) {
        granted = sem_->try_take_locked(node_.wanted);
        if (!granted && !sem_->closed_) {
          node_.waker = cx.waker();
          sem_->waiters_.push_back(node_);
          state_ = State::Waiting;
          return pending;
        }
      } else if (node_.grant == Semaphore::Grant::None) {
        detail::replace_waker(node_.waker, cx.waker(), to_drop);
        return pending;
      } else {
        granted = node_.grant == Semaphore::Grant::Granted;
        node_.unlink();  // still in close()'s list if its batch is not out yet
        to_drop = std::move(node_.waker);
      }
      state_ = State::Done;
    }
    detail::spend_budget(cx);
    if (!granted) return Output();
    return Output(SemaphorePermit(*sem_, node_.wanted));
  }

  State state() const noexcept { return state_; }

  void describe(Describer& d) const {
    d.node("SemaphoreAcquire",
           state_ == State::Init      ? "state: Init, wants " + std::to_string(node_.wanted)
           : state_ == State::Waiting ? "state: Waiting, wants " + std::to_string(node_.wanted)
                                      : std::string("state: Done"));
  }

 private:
  [[noreturn]] void finished() const {
    if (sem_ == nullptr) {
      detail::contract_violation(
          "SemaphoreAcquire polled after it was moved from (or after Ready): poll the future it "
          "was moved into");
    }
    detail::polled_after_ready("SemaphoreAcquire");
  }

  // Leaves the queue for good (the future is going).
  void leave() noexcept {
    Waker to_drop;
    std::size_t give_back = 0;
    bool was_head = false;
    {
      std::lock_guard<detail::SpinLock> lock(sem_->mu_);
      if (node_.is_linked()) {
        was_head = sem_->waiters_.front() == &node_;
      } else if (node_.grant == Semaphore::Grant::Granted) {
        give_back = node_.wanted;
      }
      node_.unlink();
      to_drop = std::move(node_.waker);
    }
    if (was_head || give_back != 0) sem_->release(give_back);
  }

  Semaphore* sem_;           // null once moved from
  Semaphore::Waiter node_;   // `wanted` always; linked in State::Waiting until served
  State state_ = State::Init;
};

inline SemaphoreAcquire Semaphore::acquire(std::size_t n) {
  check_count(n, "Semaphore::acquire(n)");
  return SemaphoreAcquire(*this, n);
}

inline Option<SemaphorePermit> Semaphore::try_acquire(std::size_t n) {
  check_count(n, "Semaphore::try_acquire(n)");
  {
    std::lock_guard<detail::SpinLock> lock(mu_);
    if (!try_take_locked(n)) return none;
  }
  return Option<SemaphorePermit>(SemaphorePermit(*this, n));
}

POLLEN_NAMESPACE_END
