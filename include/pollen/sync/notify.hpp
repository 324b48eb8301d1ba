// pollen/sync/notify.hpp: Notify, wake one task or all waiting tasks, with
// no value attached (tokio's Notify, an async condition variable without
// the mutex).
//
//   pollen::Notify ready;
//   // a task:                          // anywhere, any thread:
//   <await ready.notified()>;           ready.notify_one();
//
// * notified() is a future that is Ready once this Notify notifies it.
// * notify_one() wakes the first waiting notified() future (first come,
//   first served). When none is waiting, it stores ONE permit instead: the
//   next notified() takes it and is Ready at once, so a notification sent
//   before the wait is never lost. Permits do not add up: two notify_one()
//   calls with nobody waiting store one.
// * notify_waiters() wakes every notified() future waiting now and stores
//   nothing: a future that starts waiting afterwards waits for the next
//   notification.
//
// "Waiting" means polled and Pending: a notified() future joins the queue
// at its first poll, not when it is created (create it and poll it before
// the event it waits for can happen, or rely on notify_one()'s permit).
//
// Threads. A Notify is thread-safe: notify_one(), notify_waiters() and the
// notified() futures may be used from any thread (a task on a loop waits,
// another thread notifies); wakes go through the tasks' wakers, which are
// thread-safe. The Notify is neither copyable nor movable (its waiters point
// to it): share it by reference, or in a std::shared_ptr.
//
// Ground rules
// * Every field is guarded by `mu_`, a SpinLock: its critical sections are a
//   few pointer writes. Wakers are woken and dropped only after `mu_` is
//   released (moved into locals declared before the lock first).
// * `permit_` is the stored notify_one(); it is set only while no future
//   waits, and taken by the next notified() future's first poll.
// * Waiters are their futures' nodes in `waiters_` (waiter_list.hpp), in
//   arrival order. A notifier unlinks a node, marks it (`how`: One for
//   notify_one, All for notify_waiters) and wakes its waker; the future sees
//   the mark on its next poll. A waiter found marked or linked when its
//   future goes is dealt with under `mu_` by the future's destructor: it is
//   unlinked, and a notify_one() it received but never reported passes on to
//   the next waiter (or becomes the stored permit). A notify_waiters() it
//   received is not passed on: it was meant for the waiters of that moment.
// * notify_waiters() moves the whole queue to a list on its own stack, marks
//   every node All, and then wakes them in batches of 32 wakers, taking
//   `mu_` again for each batch; a future destroyed meanwhile unlinks itself
//   from that list as it would from the queue.
//
// Contract errors: polling a notified() future after Ready, or a moved-from
// one; destroying a Notify while futures wait on it (the process ends, as a
// destructor cannot throw: drop or complete the futures first).
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/unit.hpp>
#include <pollen/core/waker.hpp>
#include <pollen/future/future_ext.hpp>
#include <pollen/sync/shared.hpp>
#include <pollen/sync/spin_lock.hpp>
#include <pollen/sync/waiter_list.hpp>

#include <cstddef>
#include <mutex>  // std::lock_guard
#include <string>
#include <utility>

POLLEN_NAMESPACE_BEGIN

class Notified;

class Notify {
 public:
  Notify() noexcept = default;
  Notify(const Notify&) = delete;
  Notify& operator=(const Notify&) = delete;
  ~Notify() {
    bool waiting;
    {
      std::lock_guard<detail::SpinLock> lock(mu_);
      waiting = !waiters_.empty();
    }
    if (waiting) {
      detail::contract_violation(
          "Notify destroyed while notified() futures wait on it: keep the Notify alive until its "
          "futures are Ready or dropped");
    }
  }

  // A future that is Ready once this Notify notifies it (see the top of
  // this header). The Notify must outlive it.
  POLLEN_NODISCARD inline Notified notified() noexcept;

  // Wakes the first waiting future, or stores the permit when none waits.
  void notify_one() noexcept {
    Waker to_wake;
    {
      std::lock_guard<detail::SpinLock> lock(mu_);
      notify_one_locked(to_wake);
    }
    std::move(to_wake).wake();
  }

  // Wakes every future waiting now; stores nothing.
  void notify_waiters() noexcept;

  // True while a notify_one() permit is stored (nobody has taken it yet).
  bool has_permit() const noexcept {
    std::lock_guard<detail::SpinLock> lock(mu_);
    return permit_;
  }

  // How many notified() futures wait now.
  std::size_t waiters() const noexcept {
    std::lock_guard<detail::SpinLock> lock(mu_);
    return waiters_.size();
  }

  // "Notify [2 waiting]", "Notify [permit stored]" or "Notify [idle]".
  void describe(Describer& d) const {
    std::size_t n;
    bool permit;
    {
      std::lock_guard<detail::SpinLock> lock(mu_);
      n = waiters_.size();
      permit = permit_;
    }
    d.node("Notify", n != 0  ? std::to_string(n) + " waiting"
                     : permit ? std::string("permit stored")
                              : std::string("idle"));
  }

 private:
  friend class Notified;

  // How a waiter was notified; guarded by mu_.
  enum class How { None, One, All };

  struct Waiter : detail::WaiterLink {
    Waker waker;         // the waiting task; taken by the notifier
    How how = How::None;  // set when a notifier unlinks it
  };

  static Waiter& as_waiter(detail::WaiterLink* l) noexcept { return *static_cast<Waiter*>(l); }

  // notify_one() with mu_ held: the first waiter's waker goes to `to_wake`.
  void notify_one_locked(Waker& to_wake) noexcept {
    detail::WaiterLink* l = waiters_.pop_front();
    if (l == nullptr) {
      permit_ = true;
      return;
    }
    Waiter& w = as_waiter(l);
    w.how = How::One;
    to_wake = std::move(w.waker);
  }

  mutable detail::SpinLock mu_;
  bool permit_ = false;        // guarded by mu_: a stored notify_one()
  detail::WaiterList waiters_;  // guarded by mu_: Waiting notified() futures, FIFO
};

// notify.notified(): Ready once the Notify notifies it.
//
// States:   Init --permit stored: take it----------------------> Done
//             |  --no permit: join the queue--> Waiting
//           Waiting --notify_one() / notify_waiters() reached it--> Done
//             |  ^
//             +--+ not yet: keep the newest waker, Pending
//
//   State::Init     holds the Notify; not queued (it joins at its first poll)
//   State::Waiting  holds the Notify and its node in the queue (or, once
//                   notified, its node unlinked and marked)
//   State::Done     holds nothing that matters (also a moved-from future)
//
// Output: Unit.
// Cancellation: cancel safe. Destroying a Waiting future unlinks it; if a
//   notify_one() had already chosen it and it never reported Ready, that
//   notification passes to the next waiter, or is stored as the permit, so
//   it is not lost. (A notify_waiters() it received is not passed on.)
// Contract errors: polling it after Ready, or a moved-from one.
// Polling order: no children. A Ready poll spends one unit of the
//   cooperative budget; with the budget spent it returns Pending (woken)
//   without taking anything.
// Example: see the top of this header.
class POLLEN_NODISCARD_TYPE Notified : public FutureExt<Notified> {
 public:
  using Output = Unit;
  static constexpr bool is_cancel_safe = true;
  enum class State { Init, Waiting, Done };

  explicit Notified(Notify& n) noexcept : notify_(&n) {}
  // Moving a Waiting future moves its place in the queue.
  Notified(Notified&& o) noexcept : notify_(o.notify_), state_(o.state_) {
    if (state_ == State::Waiting) {
      std::lock_guard<detail::SpinLock> lock(notify_->mu_);
      node_.replace(o.node_);
      node_.waker = std::move(o.node_.waker);
      node_.how = o.node_.how;
    }
    o.notify_ = nullptr;
    o.state_ = State::Done;
  }
  Notified& operator=(Notified&&) = delete;
  ~Notified() {
    if (state_ == State::Waiting) leave();
  }

  Poll<Unit> poll(Context& cx) {
    detail::observe_poll(cx, this);
    if (state_ == State::Done) finished();
    if (detail::out_of_budget(cx)) return pending;
    Waker to_drop;  // a replaced waker, dropped after the lock is released
    {
      std::lock_guard<detail::SpinLock> lock(notify_->mu_);
      if (state_ == State::Init) {
        if (!notify_->permit_) {
          node_.waker = cx.waker();
          notify_->waiters_.push_back(node_);
          state_ = State::Waiting;
          return pending;
        }
        notify_->permit_ = false;
      } else if (node_.how == Notify::How::None) {
        detail::replace_waker(node_.waker, cx.waker(), to_drop);
        return pending;
      } else {
        node_.unlink();  // still in notify_waiters()'s list if its batch is not out yet
        to_drop = std::move(node_.waker);
      }
      state_ = State::Done;
    }
    detail::spend_budget(cx);
    return Unit{};
  }

  State state() const noexcept { return state_; }

  void describe(Describer& d) const {
    d.node("Notified", state_ == State::Init      ? "state: Init"
                       : state_ == State::Waiting ? "state: Waiting"
                                                  : "state: Done");
  }

 private:
  [[noreturn]] void finished() const {
    if (notify_ == nullptr) {
      detail::contract_violation(
          "Notified polled after it was moved from (or after Ready): poll the future it was "
          "moved into");
    }
    detail::polled_after_ready("Notified");
  }

  // Leaves the queue for good (the future is going); passes on a
  // notify_one() that reached it unreported.
  void leave() noexcept {
    Waker to_wake;
    Waker to_drop;
    {
      std::lock_guard<detail::SpinLock> lock(notify_->mu_);
      node_.unlink();
      to_drop = std::move(node_.waker);
      if (node_.how == Notify::How::One) notify_->notify_one_locked(to_wake);
    }
    std::move(to_wake).wake();
  }

  Notify* notify_;                 // null once moved from
  Notify::Waiter node_;            // linked in State::Waiting until notified
  State state_ = State::Init;
};

inline Notified Notify::notified() noexcept { return Notified(*this); }

inline void Notify::notify_waiters() noexcept {
  detail::WaiterList woken;  // the waiters of this moment, until their wakers are out
  {
    std::lock_guard<detail::SpinLock> lock(mu_);
    waiters_.splice_all_into(woken);
    woken.for_each([](detail::WaiterLink& l) { as_waiter(&l).how = How::All; });
  }
  detail::wake_list_in_batches(woken, mu_,
                               [](detail::WaiterLink* l) -> Waker& { return as_waiter(l).waker; });
}

POLLEN_NAMESPACE_END
