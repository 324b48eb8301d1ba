// pollen/sync/mutex.hpp: Mutex<T>, a value that tasks take turns to use,
// holding it across awaits; first come, first served.
//
//   pollen::Mutex<std::vector<int>> log;
//   // in a task:
//   pollen::MutexGuard<std::vector<int>> g = <await log.lock()>;
//   g->push_back(1);           // *g and g-> reach the value
//   <await something>;         // still held: other lock()s wait
//   // the guard's destruction unlocks, handing the lock to the next waiter
//
// * lock() is a future of a MutexGuard<T>. Waiters are served in arrival
//   order (the order of their first polls): unlocking hands the lock
//   straight to the first waiter, so neither a later lock() nor try_lock()
//   can take it in between (no barging, no starvation).
// * try_lock(): a guard now, or none while the mutex is locked or has
//   waiters.
// * A lock() future dropped while it waits leaves the queue and never gets
//   the lock; one that was handed the lock but dropped before it reported
//   Ready hands it on to the next waiter.
//
// Threads. A Mutex is for the tasks of ONE event loop (one thread): it
// takes no lock and uses no atomics; its fields are plain. Every use of a
// Mutex, its lock() futures and its guards must happen on one thread at a
// time, with no handover between threads that is not otherwise
// synchronized. To share state between loops on different threads, use
// std::mutex around short sections, or a channel to the loop that owns it.
// (Its waiters are woken through their wakers as usual.) The Mutex is
// neither copyable nor movable (its waiters and guards point to it): keep
// it alive until its futures and guards are gone.
//
// Ground rules
// * `locked_` is true while a guard exists or a waiter has been handed the
//   lock and not yet polled; it goes false only when the lock is released
//   with nobody waiting.
// * Waiters are their futures' nodes in `waiters_` (waiter_list.hpp), in
//   arrival order. Unlocking with waiters unlinks the first, marks it
//   `granted` (locked_ stays true) and wakes it; its next poll turns the
//   grant into a guard.
// * A waiter's future going away: still linked, it is unlinked; granted but
//   unreported, it unlocks (handing the lock to the next waiter).
//
// Element requirements: none beyond being constructible from what
// Mutex(...) is given, and a destructor that does not throw.
//
// Contract errors: polling a lock() future after Ready or a moved-from one;
// using a moved-from guard; destroying a Mutex that is locked or has
// waiters (the process ends, as a destructor cannot throw).
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/option.hpp>
#include <pollen/core/waker.hpp>
#include <pollen/future/future_ext.hpp>
#include <pollen/sync/shared.hpp>
#include <pollen/sync/waiter_list.hpp>

#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

template <class T>
class MutexGuard;
template <class T>
class MutexLock;

template <class T>
class Mutex {
  static_assert(std::is_nothrow_destructible<T>::value,
                "a Mutex's value type must have a destructor that does not throw");

 public:
  // The value, made from `args` (T's default constructor without any).
  template <class... Args>
  explicit Mutex(Args&&... args) : value_(std::forward<Args>(args)...) {}
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;
  ~Mutex() {
    if (locked_ || !waiters_.empty()) {
      detail::contract_violation(
          "Mutex destroyed while it is locked or lock() futures wait on it: drop the guards and "
          "the futures first");
    }
  }

  // A future of a guard (see MutexLock). The Mutex must outlive it.
  POLLEN_NODISCARD MutexLock<T> lock() noexcept { return MutexLock<T>(*this); }

  // A guard now, or none while the mutex is locked or has waiters.
  Option<MutexGuard<T>> try_lock() noexcept {
    if (!try_take()) return none;
    return Option<MutexGuard<T>>(MutexGuard<T>(*this));
  }

  bool is_locked() const noexcept { return locked_; }
  // How many lock() futures wait now.
  std::size_t waiters() const noexcept { return waiters_.size(); }

  // "Mutex [unlocked]" or "Mutex [locked, 2 waiting]".
  void describe(Describer& d) const {
    d.node("Mutex", !locked_ ? std::string("unlocked")
                             : "locked, " + std::to_string(waiters_.size()) + " waiting");
  }

 private:
  friend class MutexGuard<T>;
  friend class MutexLock<T>;

  struct Waiter : detail::WaiterLink {
    Waker waker;           // the waiting task; taken when it is handed the lock
    bool granted = false;  // handed the lock (unlinked)
  };

  // Takes the lock if it is free and nobody waits.
  bool try_take() noexcept {
    if (locked_ || !waiters_.empty()) return false;
    locked_ = true;
    return true;
  }

  // Hands the lock to the first waiter, or releases it.
  void unlock() noexcept {
    detail::WaiterLink* l = waiters_.pop_front();
    if (l == nullptr) {
      locked_ = false;
      return;
    }
    Waiter& w = *static_cast<Waiter*>(l);
    w.granted = true;
    Waker to_wake = std::move(w.waker);
    std::move(to_wake).wake();
  }

  bool locked_ = false;         // see the ground rules
  detail::WaiterList waiters_;  // Waiting lock() futures, FIFO
  T value_;
};

// Access to a locked Mutex's value; unlocks when destroyed. Move-only.
template <class T>
class MutexGuard {
 public:
  MutexGuard(MutexGuard&& o) noexcept : m_(o.m_) { o.m_ = nullptr; }
  MutexGuard& operator=(MutexGuard&& o) noexcept {
    if (this != &o) {
      if (m_ != nullptr) m_->unlock();
      m_ = o.m_;
      o.m_ = nullptr;
    }
    return *this;
  }
  MutexGuard(const MutexGuard&) = delete;
  MutexGuard& operator=(const MutexGuard&) = delete;
  ~MutexGuard() {
    if (m_ != nullptr) m_->unlock();
  }

  T& operator*() const { return check()->value_; }
  T* operator->() const { return &check()->value_; }

  // False for a moved-from guard.
  bool is_valid() const noexcept { return m_ != nullptr; }

  void describe(Describer& d) const { d.node("MutexGuard", m_ != nullptr ? "held" : "moved from"); }

 private:
  friend class Mutex<T>;
  friend class MutexLock<T>;
  explicit MutexGuard(Mutex<T>& m) noexcept : m_(&m) {}

  Mutex<T>* check() const {
    if (m_ == nullptr) {
      detail::contract_violation(
          "MutexGuard used after it was moved from: use the guard it was moved into");
    }
    return m_;
  }

  Mutex<T>* m_;  // null once moved from
};

// mutex.lock(): a guard, first come first served.
//
// States:   Init --unlocked and nobody waiting: take it--> Done (guard)
//             +--otherwise: join the queue--> Waiting
//           Waiting --handed the lock by an unlock--> Done (guard)
//             |  ^
//             +--+ not yet: keep the newest waker, Pending
//
//   State::Init     holds the Mutex; not queued (it joins at its first poll)
//   State::Waiting  holds its node: queued, or unlinked and granted (the
//                   lock is its own, not yet reported)
//   State::Done     holds nothing that matters (also a moved-from future)
//
// Output: MutexGuard<T>.
// Cancellation: cancel safe. Dropping a Waiting future unlinks it: it never
//   gets the lock, and nobody behind it waits longer. If it had been handed
//   the lock but never reported Ready, it hands the lock to the next waiter
//   (or releases it).
// Contract errors: polling it after Ready, or a moved-from one.
// Polling order: no children. A Ready poll spends one unit of the
//   cooperative budget; with the budget spent it returns Pending (woken)
//   without taking the lock (a granted lock stays its own).
template <class T>
class POLLEN_NODISCARD_TYPE MutexLock : public FutureExt<MutexLock<T>> {
 public:
  using Output = MutexGuard<T>;
  static constexpr bool is_cancel_safe = true;
  enum class State { Init, Waiting, Done };

  explicit MutexLock(Mutex<T>& m) noexcept : m_(&m) {}
  // Moving a Waiting future moves its place in the queue.
  MutexLock(MutexLock&& o) noexcept : m_(o.m_), state_(o.state_) {
    if (state_ == State::Waiting) {
      node_.replace(o.node_);
      node_.waker = std::move(o.node_.waker);
      node_.granted = o.node_.granted;
    }
    o.m_ = nullptr;
    o.state_ = State::Done;
  }
  MutexLock& operator=(MutexLock&&) = delete;
  ~MutexLock() {
    if (state_ != State::Waiting) return;
    if (node_.granted) {
      m_->unlock();  // the lock was ours: hand it on
    } else {
      node_.unlink();
    }
  }

  Poll<MutexGuard<T>> poll(Context& cx) {
    detail::observe_poll(cx, this);
    if (state_ == State::Done) finished();
    if (detail::out_of_budget(cx)) return pending;
    if (state_ == State::Init) {
      if (!m_->try_take()) {
        // In Init the node's waker is the no-op one: a clone swapped in
        // costs less than the assignment (which compares and may drop).
        Waker mine(cx.waker());
        node_.waker.swap(mine);
        m_->waiters_.push_back(node_);
        state_ = State::Waiting;
        return pending;
      }
    } else if (!node_.granted) {
      if (!node_.waker.will_wake(cx.waker())) node_.waker = cx.waker();
      return pending;
    }
    state_ = State::Done;
    detail::spend_budget(cx);
    return MutexGuard<T>(*m_);
  }

  State state() const noexcept { return state_; }

  void describe(Describer& d) const {
    d.node("MutexLock", state_ == State::Init      ? "state: Init"
                        : state_ == State::Waiting ? (node_.granted ? "state: Waiting (granted)"
                                                                    : "state: Waiting")
                                                   : "state: Done");
  }

 private:
  [[noreturn]] void finished() const {
    if (m_ == nullptr) {
      detail::contract_violation(
          "MutexLock polled after it was moved from (or after Ready): poll the future it was "
          "moved into");
    }
    detail::polled_after_ready("MutexLock");
  }

  Mutex<T>* m_;                     // null once moved from
  typename Mutex<T>::Waiter node_;  // linked in State::Waiting until granted
  State state_ = State::Init;
};

POLLEN_NAMESPACE_END
