// pollen/sync/oneshot.hpp: oneshot<T>(), a channel for exactly one value.
//
//   std::pair<pollen::OneshotSender<int>, pollen::OneshotReceiver<int>> ch =
//       pollen::oneshot<int>();
//   ch.first.send(7);                                  // never blocks
//   pollen::RecvResult<int> r = pollen::block_on(std::move(ch.second));
//   // r.is_received(), r.value() == 7
//
// The receiver is itself a future: its Output is a RecvResult<T> that is
// Received with the value, or Closed when the sender was destroyed without
// sending. send() never waits; when the receiver is already closed or gone it
// hands the value back inside its SendResult (nothing is silently lost). The
// sender can ask whether the receiver is gone (is_closed()) and wait for that
// (closed(), a future).
//
// Ground rules (the shared state, OneshotShared<T>)
// * Owners: the sender, the receiver, and every closed() future hold one
//   reference each (an atomic count); the last one deletes the state.
// * Every field below is guarded by `mu`. A send from another thread takes
//   `mu`, stores the value, takes the receiver's waker out, releases `mu`,
//   then wakes that waker, which wakes the receiving task on its own loop.
//   Wakers are woken and dropped, and values are destroyed, only after `mu`
//   is released (they are moved into locals declared before the lock), so a
//   waker or a destructor may call back into the channel.
// * `sender_done` and `receiver_closed` are set once and never unset.
// * The value lives in the state from send() until the receiver takes it, or
//   until the receiver is destroyed (then it is destroyed at once).
//
// Misuse (ContractError): using a sender after send() or a default-made or
// moved-from sender or receiver; polling the receiver after it returned
// Ready.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/future/future_ext.hpp>
#include <pollen/core/option.hpp>
#include <pollen/core/unit.hpp>
#include <pollen/core/waker.hpp>
#include <pollen/sync/result.hpp>
#include <pollen/sync/shared.hpp>
#include <pollen/sync/spin_lock.hpp>

#include <mutex>  // std::lock_guard
#include <string>
#include <utility>

POLLEN_NAMESPACE_BEGIN

namespace detail {

template <class T>
class OneshotShared final : public RefCounted {
 public:
  mutable SpinLock mu;  // two parties, a few instructions each: see spin_lock.hpp
  Option<T> value;               // engaged from send() until received or the receiver is gone
  bool sender_done = false;      // sent, or the sender is gone; never unset
  bool receiver_closed = false;  // close() called or the receiver is gone; never unset
  Waker rx_waker;                // the task of the last Pending receive; woken by send/sender drop
  Waker tx_waker;                // the task of the last Pending closed(); woken by close/drop
};

inline void require_oneshot_handle(bool alive, const char* what) {
  if (!alive) {
    contract_violation(std::string(what) +
                       " used after it was spent: a oneshot sender can send once, and a "
                       "default-constructed or moved-from handle belongs to no channel");
  }
}

}  // namespace detail

template <class T>
class OneshotClosed;

// The sending half. Move-only: there is exactly one.
template <class T>
class OneshotSender {
 public:
  // A sender of no channel (for std::tie and for struct members); using it is
  // a ContractError.
  OneshotSender() noexcept = default;
  explicit OneshotSender(detail::SharedRef<detail::OneshotShared<T>> s) noexcept
      : shared_(std::move(s)) {}
  OneshotSender(OneshotSender&&) noexcept = default;
  OneshotSender& operator=(OneshotSender&& o) noexcept {
    if (this != &o) {
      release();
      shared_ = std::move(o.shared_);
    }
    return *this;
  }
  ~OneshotSender() { release(); }

  // Sends the value: Sent, or Closed with the value handed back when the
  // receiver was closed or destroyed first. Either way the sender is spent
  // afterwards (a second send is a ContractError). Never waits.
  SendResult<T> send(T value) {
    detail::require_oneshot_handle(static_cast<bool>(shared_), "OneshotSender::send()");
    Waker to_wake;
    bool delivered;
    {
      std::lock_guard<detail::SpinLock> lock(shared_->mu);
      shared_->sender_done = true;
      delivered = !shared_->receiver_closed;
      if (delivered) {
        shared_->value.emplace(std::move(value));
        to_wake = std::move(shared_->rx_waker);
      }
    }
    shared_.reset();
    if (!delivered) return SendResult<T>::closed(std::move(value));
    std::move(to_wake).wake();
    return SendResult<T>::sent();
  }

  // True when the receiver was closed or destroyed (a send would hand the
  // value back), and for a spent sender.
  bool is_closed() const {
    if (!shared_) return true;
    std::lock_guard<detail::SpinLock> lock(shared_->mu);
    return shared_->receiver_closed;
  }

  // True while this sender can still send.
  bool is_valid() const noexcept { return static_cast<bool>(shared_); }

  // "OneshotSender [receiver waiting]", "[receiver closed]" or "[spent]".
  void describe(Describer& d) const {
    if (!shared_) {
      d.node("OneshotSender", "spent");
      return;
    }
    d.node("OneshotSender", is_closed() ? "receiver closed" : "receiver waiting");
  }

  // A future that is Ready once the receiver is closed or destroyed.
  POLLEN_NODISCARD OneshotClosed<T> closed() const {
    detail::require_oneshot_handle(static_cast<bool>(shared_), "OneshotSender::closed()");
    return OneshotClosed<T>(shared_);
  }

 private:
  void release() noexcept {
    if (!shared_) return;
    Waker to_wake;
    {
      std::lock_guard<detail::SpinLock> lock(shared_->mu);
      shared_->sender_done = true;
      to_wake = std::move(shared_->rx_waker);
    }
    shared_.reset();
    std::move(to_wake).wake();
  }

  detail::SharedRef<detail::OneshotShared<T>> shared_;  // empty: spent, moved from, or default
};

template <class T>
class OneshotRecv;

// The receiving half, and a future of RecvResult<T>.
//
// States:   Waiting --value arrived--------------> Done   (Received)
//              |  ^  --sender gone without value--> Done   (Closed)
//              +--+ nothing yet: keep the waker, Pending
//
// Output: RecvResult<T>: Received with the value, or Closed.
// Cancellation: destroying the receiver closes the channel. A value that was
//   already sent and not yet received is destroyed at once; a later send hands
//   its value back to the sender. So the receiver itself is NOT cancel safe
//   (is_cancel_safe is false): to race a oneshot in a select without losing
//   its value, select on rx.recv() (a borrowed receive, cancel safe) and keep
//   the receiver.
// Contract errors: polling it after Ready; polling a default-constructed or
//   moved-from receiver.
// Polling order: no children. A ready receive spends one unit of the
//   cooperative budget.
// Example: see the top of this header.
template <class T>
class POLLEN_NODISCARD_TYPE OneshotReceiver : public FutureExt<OneshotReceiver<T>> {
 public:
  using Output = RecvResult<T>;
  static constexpr bool is_cancel_safe = false;
  enum class State { Waiting, Done };

  // A receiver of no channel; polling it is a ContractError.
  OneshotReceiver() noexcept : state_(State::Done) {}
  explicit OneshotReceiver(detail::SharedRef<detail::OneshotShared<T>> s) noexcept
      : shared_(std::move(s)) {}
  OneshotReceiver(OneshotReceiver&& o) noexcept : shared_(std::move(o.shared_)), state_(o.state_) {
    o.state_ = State::Done;
  }
  OneshotReceiver& operator=(OneshotReceiver&& o) noexcept {
    if (this != &o) {
      release();
      shared_ = std::move(o.shared_);
      state_ = o.state_;
      o.state_ = State::Done;
    }
    return *this;
  }
  ~OneshotReceiver() { release(); }

  Poll<Output> poll(Context& cx) {
    detail::observe_poll(cx, this);
    if (state_ == State::Done || !shared_) detail::polled_after_ready("OneshotReceiver");
    Poll<Output> p = poll_recv(cx);
    if (p.is_ready()) state_ = State::Done;
    return p;
  }

  // The receive step without the Done check: what poll() and recv() share.
  // Received or Closed: Ready; nothing yet: keeps cx's waker, Pending.
  Poll<Output> poll_recv(Context& cx) {
    detail::require_oneshot_handle(static_cast<bool>(shared_), "OneshotReceiver");
    if (detail::out_of_budget(cx)) return pending;
    Waker to_drop;  // a replaced waker, dropped after the lock is released
    std::lock_guard<detail::SpinLock> lock(shared_->mu);
    if (shared_->value.has_value()) {
      Option<T> v = shared_->value.take();
      detail::spend_budget(cx);
      return Output::received(std::move(*v));
    }
    if (shared_->sender_done || shared_->receiver_closed) return Output::closed();
    detail::replace_waker(shared_->rx_waker, cx.waker(), to_drop);
    return pending;
  }

  // A borrowed receive: a future of the same RecvResult that leaves the
  // value in this receiver when it is dropped early (cancel safe). The
  // receiver must outlive it and not move while it is alive.
  POLLEN_NODISCARD OneshotRecv<T> recv() noexcept { return OneshotRecv<T>(*this); }

  // Without waiting: Received, Empty (not sent yet), or Closed.
  RecvResult<T> try_recv() {
    detail::require_oneshot_handle(static_cast<bool>(shared_), "OneshotReceiver::try_recv()");
    std::lock_guard<detail::SpinLock> lock(shared_->mu);
    if (shared_->value.has_value()) {
      Option<T> v = shared_->value.take();
      return RecvResult<T>::received(std::move(*v));
    }
    if (shared_->sender_done || shared_->receiver_closed) return RecvResult<T>::closed();
    return RecvResult<T>::empty();
  }

  // Refuses any later send (it hands its value back) and wakes a closed()
  // waiter. A value sent before close() can still be received.
  void close() {
    detail::require_oneshot_handle(static_cast<bool>(shared_), "OneshotReceiver::close()");
    Waker to_wake;
    {
      std::lock_guard<detail::SpinLock> lock(shared_->mu);
      shared_->receiver_closed = true;
      to_wake = std::move(shared_->tx_waker);
    }
    std::move(to_wake).wake();
  }

  State state() const noexcept { return state_; }

  void describe(Describer& d) const {
    if (!shared_) {
      d.node("OneshotReceiver", "state: Done");
      return;
    }
    std::string detail = state_ == State::Done ? "state: Done" : "state: Waiting";
    {
      std::lock_guard<detail::SpinLock> lock(shared_->mu);
      if (shared_->value.has_value()) {
        detail += ", value sent";
      } else if (shared_->sender_done) {
        detail += ", sender gone";
      } else {
        detail += ", nothing sent yet";
      }
    }
    d.node("OneshotReceiver", detail);
  }

 private:
  void release() noexcept {
    if (!shared_) return;
    Option<T> dropped;  // destroyed after the lock is released
    Waker to_wake;
    {
      std::lock_guard<detail::SpinLock> lock(shared_->mu);
      shared_->receiver_closed = true;
      dropped = shared_->value.take();
      to_wake = std::move(shared_->tx_waker);
    }
    shared_.reset();
    std::move(to_wake).wake();
  }

  detail::SharedRef<detail::OneshotShared<T>> shared_;  // empty: moved from or default
  State state_ = State::Waiting;
};

// rx.recv(): a borrowed receive from a OneshotReceiver.
//
// States:   Waiting --Received or Closed--> Done
//
// Output: RecvResult<T>, as the receiver's own.
// Cancellation: cancel safe. Dropping it while Pending leaves the channel and
//   any value in the receiver, which can be polled or recv()-ed again.
// Contract errors: polling it after Ready.
// Polling order: polls the receiver's receive step; spends the budget when
//   ready.
template <class T>
class POLLEN_NODISCARD_TYPE OneshotRecv : public FutureExt<OneshotRecv<T>> {
 public:
  using Output = RecvResult<T>;
  static constexpr bool is_cancel_safe = true;
  enum class State { Waiting, Done };

  explicit OneshotRecv(OneshotReceiver<T>& rx) noexcept : rx_(&rx) {}
  OneshotRecv(OneshotRecv&& o) noexcept : rx_(o.rx_), state_(o.state_) { o.state_ = State::Done; }

  Poll<Output> poll(Context& cx) {
    detail::observe_poll(cx, this);
    if (state_ == State::Done) detail::polled_after_ready("OneshotRecv");
    Poll<Output> p = rx_->poll_recv(cx);
    if (p.is_ready()) state_ = State::Done;
    return p;
  }

  State state() const noexcept { return state_; }
  void describe(Describer& d) const {
    d.node("OneshotRecv", state_ == State::Done ? "state: Done" : "state: Waiting");
    d.child(*rx_);
  }

 private:
  OneshotReceiver<T>* rx_;  // borrowed; outlives this future
  State state_ = State::Waiting;
};

// sender.closed(): Ready once the receiver is closed or destroyed.
//
// States:   Waiting --receiver closed or gone--> Done
//
// Output: Unit.
// Cancellation: cancel safe (it carries nothing). Only the latest closed()
//   future's waker is kept.
// Contract errors: polling it after Ready.
// Polling order: no children; a spent or dropped sender does not affect it.
template <class T>
class POLLEN_NODISCARD_TYPE OneshotClosed : public FutureExt<OneshotClosed<T>> {
 public:
  using Output = Unit;
  static constexpr bool is_cancel_safe = true;
  enum class State { Waiting, Done };

  explicit OneshotClosed(detail::SharedRef<detail::OneshotShared<T>> s) noexcept
      : shared_(std::move(s)) {}
  OneshotClosed(OneshotClosed&& o) noexcept : shared_(std::move(o.shared_)), state_(o.state_) {
    o.state_ = State::Done;
  }

  Poll<Unit> poll(Context& cx) {
    detail::observe_poll(cx, this);
    if (state_ == State::Done) detail::polled_after_ready("OneshotClosed");
    Waker to_drop;  // a replaced waker, dropped after the lock is released
    std::lock_guard<detail::SpinLock> lock(shared_->mu);
    if (shared_->receiver_closed) {
      state_ = State::Done;
      return Unit{};
    }
    detail::replace_waker(shared_->tx_waker, cx.waker(), to_drop);
    return pending;
  }

  State state() const noexcept { return state_; }
  void describe(Describer& d) const {
    d.node("OneshotClosed", state_ == State::Done ? "state: Done" : "state: Waiting");
  }

 private:
  detail::SharedRef<detail::OneshotShared<T>> shared_;  // valid in State::Waiting
  State state_ = State::Waiting;
};

// A new oneshot channel: its sender and its receiver.
template <class T>
POLLEN_NODISCARD std::pair<OneshotSender<T>, OneshotReceiver<T>> oneshot() {
  detail::SharedRef<detail::OneshotShared<T>> s(new detail::OneshotShared<T>());
  OneshotSender<T> tx(s);  // before s is moved from (argument order is unspecified)
  return std::pair<OneshotSender<T>, OneshotReceiver<T>>(std::move(tx),
                                                         OneshotReceiver<T>(std::move(s)));
}

POLLEN_NAMESPACE_END
