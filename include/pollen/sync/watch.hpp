// pollen/sync/watch.hpp: watch<T>(initial), one value that many receivers
// watch: the sender publishes the latest value, each receiver waits for a
// version it has not seen yet and reads the value then.
//
//   auto ch = pollen::watch<Config>(Config{});
//   pollen::WatchReceiver<Config> rx = ch.second;       // receivers copy
//   // a task:
//   while (<await rx.changed()> == pollen::RecvStatus::Received) {
//     apply(*rx.borrow_and_update());                   // the latest value
//   }                                                   // Closed: the sender is gone
//   // anywhere, any thread:
//   ch.first.send(new_config);
//
// * Every send() stores the value and bumps the channel's version. Each
//   receiver remembers the version it has seen. changed() is a future of
//   RecvStatus: Received as soon as the channel holds a version this
//   receiver has not seen (at once if one is already there), and that
//   version is then marked seen; a receiver that missed several versions
//   sees only the latest (one Received, then the value of the last send).
//   Closed once the sender is gone and every version was seen.
// * borrow() reads the current value (a WatchRef, which holds the lock);
//   borrow_and_update() also marks it seen; has_changed() asks without
//   waiting; mark_seen() marks the current version seen without reading it.
// * send(v) with no receiver left hands v back (SendResult Closed);
//   send_replace(v) stores v even then (a later subscribe() sees it) and
//   returns the old value. Receivers come from the channel, from copies of a
//   receiver (the copy has seen what the original has seen) and from
//   sender.subscribe() (it has seen the current version).
// * The sender's destruction closes the channel: pending changed() futures
//   are woken and report Closed (after a version they had not seen yet, if
//   any: the last value is never skipped). Values stay readable through
//   borrow().
//
// Threads. A watch channel is thread-safe: the sender and each receiver may
// live on different threads (each handle used by one thread at a time), and
// sends wake the waiting tasks through their (thread-safe) wakers. The
// state is one reference-counted block guarded by a ParkingLock
// (parking_lock.hpp), like the mpsc channels: a WatchRef holds that lock
// while it lives, so read what you need and drop it. Never hold a WatchRef
// across an await, and do not send, poll changed() or destroy a handle of
// the same channel on the thread that holds one: that is a ContractError
// (the thread would wait for itself).
//
// Ground rules (the shared state, WatchShared<T>)
// * Owners: the sender, every receiver and every live WatchRef hold one
//   reference each (an atomic count); the last one deletes the state.
// * Every field is guarded by `mu`. `version` only grows (one per send);
//   `closed` is set once, by the sender's destruction, and never unset.
//   `receivers` counts the live receivers (a send with none hands its value
//   back).
// * Wakers are woken and dropped, and replaced values destroyed, only after
//   `mu` is released (a send swaps the new value in under the lock and
//   destroys the old one afterwards).
// * Waiters are the pending changed() futures' nodes in `waiters`
//   (waiter_list.hpp). A send or the sender's end moves the whole list to
//   one on its own stack and wakes it in batches of 32; a future destroyed
//   meanwhile unlinks itself under `mu`, from whichever list holds it. A
//   changed() future decides what it reports from `version` and `closed`
//   alone, under `mu`, at each poll: a wake only asks it to look.
// * A receiver's seen version is a plain field of the receiver (one thread
//   at a time), written by borrow_and_update(), mark_seen() and a changed()
//   future's Ready poll.
// * `holder` is the token of the thread that holds a WatchRef (0: none).
//   Written only by that thread, under `mu`; every lock taken for a handle
//   first compares it with its own thread's token, so the one thread that
//   would deadlock is told so instead.
//
// Element requirements: T is nothrow-move-constructible and
// nothrow-move-assignable (a send swaps values under the lock, which a
// throwing move would leave half done), and its destructor does not throw.
//
// Contract errors: using a moved-from handle; destroying or moving a
// receiver while one of its changed() futures is alive; polling a changed()
// future after Ready or a moved-from one; locking the channel (send, borrow,
// changed(), a handle's destruction) on a thread that holds a WatchRef of it.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/waker.hpp>
#include <pollen/future/future_ext.hpp>
#include <pollen/sync/parking_lock.hpp>
#include <pollen/sync/result.hpp>
#include <pollen/sync/shared.hpp>
#include <pollen/sync/waiter_list.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

namespace detail {

// A number that is this thread's alone while it lives (never 0).
inline std::uintptr_t watch_thread_token() noexcept {
  static thread_local char token;
  return reinterpret_cast<std::uintptr_t>(&token);
}

struct WatchWaiter : WaiterLink {
  Waker waker;  // the pending changed() future's task; taken by a send or the close
};

template <class T>
class WatchShared final : public RefCounted {
  static_assert(std::is_nothrow_move_constructible<T>::value &&
                    std::is_nothrow_move_assignable<T>::value,
                "a watch value must be nothrow-move-constructible and nothrow-move-assignable: a "
                "send swaps the new value in under the channel's lock");
  static_assert(std::is_nothrow_destructible<T>::value,
                "a watch value must have a destructor that does not throw");

 public:
  template <class... Args>
  explicit WatchShared(Args&&... args) : RefCounted(2), value(std::forward<Args>(args)...) {}
  ~WatchShared() = default;

  // Takes `mu`; a ContractError if this thread holds a WatchRef of the channel.
  void lock(const char* what) {
    if (holder.load(std::memory_order_relaxed) == watch_thread_token()) {
      contract_violation(std::string(what) +
                         " on a thread that holds a WatchRef (borrow()) of the same watch "
                         "channel: it would wait for itself; drop the WatchRef first");
    }
    mu.lock();
  }
  void unlock() noexcept { mu.unlock(); }

  // Wakes every pending changed() future (called unlocked).
  void wake_waiters(WaiterList& woken) noexcept {
    wake_list_in_batches(woken, mu, [](WaiterLink* l) -> Waker& {
      return static_cast<WatchWaiter*>(l)->waker;
    });
  }

  ParkingLock mu;
  std::atomic<std::uintptr_t> holder{0};  // the thread holding a WatchRef; see the ground rules
  T value;                                // guarded by mu
  std::uint64_t version = 0;              // guarded by mu: one per send, never goes down
  std::size_t receivers = 1;              // guarded by mu: live receivers
  bool closed = false;                    // guarded by mu: the sender is gone; never unset
  WaiterList waiters;                     // guarded by mu: pending changed() futures
};

// std::lock_guard for WatchShared::lock(what).
template <class T>
class WatchLock {
 public:
  WatchLock(WatchShared<T>& s, const char* what) : s_(s) { s_.lock(what); }
  WatchLock(const WatchLock&) = delete;
  WatchLock& operator=(const WatchLock&) = delete;
  ~WatchLock() { s_.unlock(); }

 private:
  WatchShared<T>& s_;
};

inline void require_watch_handle(bool alive, const char* what) {
  if (!alive) {
    contract_violation(std::string(what) +
                       " on a moved-from watch handle: it belongs to no channel; use the handle "
                       "it was moved into");
  }
}

}  // namespace detail

template <class T>
class WatchReceiver;
template <class T>
class WatchChanged;

// A read of a watch channel's current value: holds the channel's lock (so
// the value cannot change under it) until it is destroyed. Move-only. Read
// and drop it; never keep it across an await (see the top of this header).
template <class T>
class WatchRef {
 public:
  WatchRef(WatchRef&& o) noexcept : shared_(std::move(o.shared_)), changed_(o.changed_) {}
  WatchRef(const WatchRef&) = delete;
  WatchRef& operator=(const WatchRef&) = delete;
  WatchRef& operator=(WatchRef&&) = delete;
  ~WatchRef() {
    if (!shared_) return;
    shared_->holder.store(0, std::memory_order_relaxed);
    shared_->unlock();
  }

  const T& operator*() const { return get(); }
  const T* operator->() const { return &get(); }
  const T& get() const {
    detail::require_watch_handle(static_cast<bool>(shared_), "WatchRef::get()");
    return shared_->value;
  }
  // True when the receiver that made it had not seen this version (always
  // false for a sender's borrow()).
  bool has_changed() const noexcept { return changed_; }

 private:
  template <class U>
  friend class WatchSender;
  friend class WatchReceiver<T>;

  // Locks `s`, marks this thread the holder and takes a reference to it.
  WatchRef(detail::WatchShared<T>& s, const char* what) {
    s.lock(what);
    s.holder.store(detail::watch_thread_token(), std::memory_order_relaxed);
    s.retain();
    shared_ = detail::SharedRef<detail::WatchShared<T>>(&s);
  }

  detail::SharedRef<detail::WatchShared<T>> shared_;  // locked while engaged
  bool changed_ = false;
};

// The sending half. Move-only: there is one; its destruction closes the channel.
template <class T>
class WatchSender {
 public:
  explicit WatchSender(detail::SharedRef<detail::WatchShared<T>> s) noexcept
      : shared_(std::move(s)) {}
  WatchSender(WatchSender&&) noexcept = default;
  WatchSender& operator=(WatchSender&& o) noexcept {
    if (this != &o) {
      if (shared_) close();
      shared_ = std::move(o.shared_);
    }
    return *this;
  }
  WatchSender(const WatchSender&) = delete;
  WatchSender& operator=(const WatchSender&) = delete;
  ~WatchSender() {
    if (shared_) close();
  }

  // Stores the value as a new version and wakes every pending changed():
  // Sent; or, when no receiver is left, Closed with the value handed back
  // (nothing stored).
  SendResult<T> send(T value) {
    require("WatchSender::send()");
    detail::WaiterList woken;  // declared before the lock: emptied after it
    {
      detail::WatchLock<T> lock(*shared_, "WatchSender::send()");
      if (shared_->receivers == 0) return SendResult<T>::closed(std::move(value));
      store_locked(value, woken);
    }
    shared_->wake_waiters(woken);
    return SendResult<T>::sent();  // `value` (the old one) is destroyed here, unlocked
  }

  // Stores the value as a new version even when no receiver is left (a
  // later subscribe() sees it); returns the value it replaced.
  T send_replace(T value) {
    require("WatchSender::send_replace()");
    detail::WaiterList woken;
    {
      detail::WatchLock<T> lock(*shared_, "WatchSender::send_replace()");
      store_locked(value, woken);
    }
    shared_->wake_waiters(woken);
    return value;
  }

  // The current value (holds the channel's lock: see WatchRef).
  WatchRef<T> borrow() const {
    require("WatchSender::borrow()");
    return WatchRef<T>(*shared_, "WatchSender::borrow()");
  }

  // A new receiver that has seen the current version.
  WatchReceiver<T> subscribe() const;

  // How many receivers are alive.
  std::size_t receiver_count() const {
    require("WatchSender::receiver_count()");
    detail::WatchLock<T> lock(*shared_, "WatchSender::receiver_count()");
    return shared_->receivers;
  }
  // True when no receiver is left (send() would hand its value back).
  bool is_closed() const { return receiver_count() == 0; }

  // "WatchSender [version 3, 2 receivers]" or "WatchSender [moved from]".
  void describe(Describer& d) const {
    if (!shared_) {
      d.node("WatchSender", "moved from");
      return;
    }
    std::uint64_t v;
    std::size_t n;
    {
      detail::WatchLock<T> lock(*shared_, "WatchSender::describe()");
      v = shared_->version;
      n = shared_->receivers;
    }
    d.node("WatchSender", "version " + std::to_string(v) + ", " + std::to_string(n) +
                              (n == 1 ? " receiver" : " receivers"));
  }

 private:
  void require(const char* what) const {
    detail::require_watch_handle(static_cast<bool>(shared_), what);
  }

  // With mu held: swaps `value` in (the old value goes to `value`), bumps
  // the version and takes every waiter into `woken`.
  void store_locked(T& value, detail::WaiterList& woken) noexcept {
    using std::swap;
    swap(shared_->value, value);
    ++shared_->version;
    shared_->waiters.splice_all_into(woken);
  }

  // The sender goes: the channel is closed, every waiter woken.
  void close() noexcept {
    detail::WaiterList woken;
    {
      detail::WatchLock<T> lock(*shared_, "destroying a WatchSender");
      shared_->closed = true;
      shared_->waiters.splice_all_into(woken);
    }
    shared_->wake_waiters(woken);
    shared_.reset();
  }

  detail::SharedRef<detail::WatchShared<T>> shared_;  // empty: moved from
};

// A receiving half: copyable (each copy keeps its own seen version). A
// receiver and its changed() futures belong to one thread at a time.
template <class T>
class WatchReceiver {
 public:
  WatchReceiver(detail::SharedRef<detail::WatchShared<T>> s, std::uint64_t seen) noexcept
      : shared_(std::move(s)), seen_(seen) {}
  // A new receiver that has seen what `o` has seen.
  WatchReceiver(const WatchReceiver& o) : shared_(o.shared_), seen_(o.seen_) {
    if (!shared_) return;
    detail::WatchLock<T> lock(*shared_, "copying a WatchReceiver");
    ++shared_->receivers;
  }
  WatchReceiver(WatchReceiver&& o) : shared_(), seen_(o.seen_) {
    o.require_no_futures("moving a WatchReceiver");
    shared_ = std::move(o.shared_);
  }
  WatchReceiver& operator=(WatchReceiver o) {
    require_no_futures("assigning to a WatchReceiver");
    o.require_no_futures("assigning from a WatchReceiver");
    shared_.swap(o.shared_);
    std::swap(seen_, o.seen_);
    return *this;
  }
  ~WatchReceiver() {
    if (!shared_) return;
    require_no_futures("destroying a WatchReceiver");
    detail::WatchLock<T> lock(*shared_, "destroying a WatchReceiver");
    --shared_->receivers;
  }

  // A future of RecvStatus: Received once the channel holds a version this
  // receiver has not seen (and it is then marked seen), Closed once the
  // sender is gone and every version was seen. The receiver must outlive
  // it and must not move while it is alive.
  POLLEN_NODISCARD WatchChanged<T> changed() {
    require("WatchReceiver::changed()");
    return WatchChanged<T>(*this);
  }

  // The current value, without marking it seen (holds the lock: see WatchRef).
  WatchRef<T> borrow() const {
    require("WatchReceiver::borrow()");
    WatchRef<T> r(*shared_, "WatchReceiver::borrow()");
    r.changed_ = shared_->version != seen_;
    return r;
  }
  // The current value, marked seen.
  WatchRef<T> borrow_and_update() {
    require("WatchReceiver::borrow_and_update()");
    WatchRef<T> r(*shared_, "WatchReceiver::borrow_and_update()");
    r.changed_ = shared_->version != seen_;
    seen_ = shared_->version;
    return r;
  }

  // True when the channel holds a version this receiver has not seen.
  bool has_changed() const {
    require("WatchReceiver::has_changed()");
    detail::WatchLock<T> lock(*shared_, "WatchReceiver::has_changed()");
    return shared_->version != seen_;
  }
  // Marks the current version seen without reading it.
  void mark_seen() {
    require("WatchReceiver::mark_seen()");
    detail::WatchLock<T> lock(*shared_, "WatchReceiver::mark_seen()");
    seen_ = shared_->version;
  }
  // True once the sender is gone.
  bool is_closed() const {
    require("WatchReceiver::is_closed()");
    detail::WatchLock<T> lock(*shared_, "WatchReceiver::is_closed()");
    return shared_->closed;
  }
  // The version this receiver has seen (0: the initial value).
  std::uint64_t seen_version() const noexcept { return seen_; }

  // "WatchReceiver [seen 2 of 3]", ", sender gone" after it once closed.
  void describe(Describer& d) const {
    if (!shared_) {
      d.node("WatchReceiver", "moved from");
      return;
    }
    std::uint64_t v;
    bool closed;
    {
      detail::WatchLock<T> lock(*shared_, "WatchReceiver::describe()");
      v = shared_->version;
      closed = shared_->closed;
    }
    d.node("WatchReceiver", "seen " + std::to_string(seen_) + " of " + std::to_string(v) +
                                (closed ? ", sender gone" : ""));
  }

 private:
  friend class WatchChanged<T>;

  void require(const char* what) const {
    detail::require_watch_handle(static_cast<bool>(shared_), what);
  }
  void require_no_futures(const char* what) const {
    if (futures_ != 0) {
      detail::contract_violation(std::string(what) +
                                 " while a changed() future of it is alive: the future points to "
                                 "this receiver; drop or finish the future first");
    }
  }

  detail::SharedRef<detail::WatchShared<T>> shared_;  // empty: moved from
  std::uint64_t seen_;                                // the version this receiver has seen
  std::size_t futures_ = 0;                           // live changed() futures of this receiver
};

template <class T>
WatchReceiver<T> WatchSender<T>::subscribe() const {
  require("WatchSender::subscribe()");
  std::uint64_t v;
  {
    detail::WatchLock<T> lock(*shared_, "WatchSender::subscribe()");
    ++shared_->receivers;
    v = shared_->version;
  }
  return WatchReceiver<T>(shared_, v);
}

// rx.changed(): Ready when the channel holds a version rx has not seen, or
// is closed.
//
// States:   Init --unseen version: mark it seen---------------> Done (Received)
//             |  --sender gone, all seen----------------------> Done (Closed)
//             +--otherwise: join the waiters--> Waiting
//           Waiting --send (unseen version)--> Done (Received)
//             |  ^  --sender gone------------> Done (Closed)
//             +--+ not yet: keep the newest waker, Pending
//
//   State::Init     holds the receiver; not a waiter (it joins at its first poll)
//   State::Waiting  holds the receiver and its node: in the waiters, or
//                   unlinked by a send or the close (woken, not yet polled)
//   State::Done     holds nothing that matters (also a moved-from future)
//
// Output: RecvStatus: Received (read the value with rx.borrow()), or Closed.
//   An unseen version comes first: a channel closed after a send reports
//   Received once, then Closed.
// Cancellation: cancel safe. Dropping it marks nothing seen and unlinks its
//   node, dropping its waker at once (nothing stays registered); the next
//   changed() of the receiver sees the same versions.
// Contract errors: polling it after Ready, or a moved-from one; destroying
//   or moving its receiver while it is alive.
// Polling order: no children. A Ready poll spends one unit of the
//   cooperative budget; with the budget spent it returns Pending (woken)
//   without marking anything.
template <class T>
class POLLEN_NODISCARD_TYPE WatchChanged : public FutureExt<WatchChanged<T>> {
 public:
  using Output = RecvStatus;
  static constexpr bool is_cancel_safe = true;
  enum class State { Init, Waiting, Done };

  explicit WatchChanged(WatchReceiver<T>& rx) noexcept : rx_(&rx) { ++rx_->futures_; }
  // Moving a Waiting future moves its place among the waiters.
  WatchChanged(WatchChanged&& o) noexcept : rx_(o.rx_), state_(o.state_) {
    if (state_ == State::Waiting) {
      detail::WatchLock<T> lock(*rx_->shared_, "moving a WatchChanged");
      node_.replace(o.node_);
      node_.waker = std::move(o.node_.waker);
    }
    o.rx_ = nullptr;
    o.state_ = State::Done;
  }
  WatchChanged& operator=(WatchChanged&&) = delete;
  ~WatchChanged() {
    if (rx_ == nullptr) return;
    if (state_ == State::Waiting) leave();
    --rx_->futures_;
  }

  Poll<RecvStatus> poll(Context& cx) {
    detail::observe_poll(cx, this);
    if (state_ == State::Done) finished();
    if (detail::out_of_budget(cx)) return pending;
    detail::WatchShared<T>& s = *rx_->shared_;
    Waker to_drop;  // a replaced or spent waker, dropped after the lock is released
    RecvStatus out;
    {
      detail::WatchLock<T> lock(s, "polling WatchReceiver::changed()");
      if (s.version != rx_->seen_) {
        rx_->seen_ = s.version;
        out = RecvStatus::Received;
      } else if (s.closed) {
        out = RecvStatus::Closed;
      } else {
        if (node_.is_linked()) {
          detail::replace_waker(node_.waker, cx.waker(), to_drop);
        } else {
          to_drop = std::move(node_.waker);
          node_.waker = cx.waker();
          s.waiters.push_back(node_);
        }
        state_ = State::Waiting;
        return pending;
      }
      node_.unlink();  // still in a send's list if its batch is not out yet
      if (!node_.waker.is_noop()) to_drop = std::move(node_.waker);
      state_ = State::Done;
    }
    detail::spend_budget(cx);
    return out;
  }

  State state() const noexcept { return state_; }

  void describe(Describer& d) const {
    d.node("WatchChanged", state_ == State::Init      ? "state: Init"
                           : state_ == State::Waiting ? "state: Waiting"
                                                      : "state: Done");
  }

 private:
  [[noreturn]] void finished() const {
    if (rx_ == nullptr) {
      detail::contract_violation(
          "WatchChanged polled after it was moved from: poll the future it was moved into");
    }
    detail::polled_after_ready("WatchChanged");
  }

  // Leaves the waiters for good (the future is going).
  void leave() noexcept {
    Waker to_drop;
    detail::WatchLock<T> lock(*rx_->shared_, "dropping a WatchChanged");
    node_.unlink();
    to_drop = std::move(node_.waker);
  }

  WatchReceiver<T>* rx_;     // borrowed; null once moved from
  detail::WatchWaiter node_;  // linked in State::Waiting until a send or the close
  State state_ = State::Init;
};

// A new watch channel holding T(args...) as version 0: its sender and its
// first receiver (which has seen version 0).
template <class T, class... Args>
POLLEN_NODISCARD std::pair<WatchSender<T>, WatchReceiver<T>> watch(Args&&... initial) {
  detail::WatchShared<T>* s = new detail::WatchShared<T>(std::forward<Args>(initial)...);
  using Ref = detail::SharedRef<detail::WatchShared<T>>;
  return std::pair<WatchSender<T>, WatchReceiver<T>>(WatchSender<T>(Ref(s)),
                                                     WatchReceiver<T>(Ref(s), 0));
}

POLLEN_NAMESPACE_END
