// pollen/sync/oneshot.hpp: oneshot<T>(), a channel for exactly one value.
//
// Example:
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
// (closed(), a future). The receiver can ask, without receiving, whether a
// value is waiting (!is_empty()) and whether one can still come
// (!is_closed(): is_closed() is true exactly when try_recv() would report
// Closed: the sender is gone without sending, the receiver closed before a
// send, or the value was already taken).
//
// Ground rules (the shared state, OneshotShared<T>)
// * Owners: the sender, the receiver, and every closed() future hold one
//   reference each (an atomic count); the last one deletes the state.
// * Every field below is guarded by `mu` (`value` has one exception, below). A send from another thread takes
//   `mu`, stores the value, takes the receiver's waker out, releases `mu`,
//   then wakes that waker, which wakes the receiving task on its own loop.
//   Wakers are woken and dropped, and values are destroyed, only after `mu`
//   is released (they are moved into locals declared before the lock), so a
//   waker or a destructor may call back into the channel.
// * `sender_done` and `receiver_closed` are set once and never unset.
// * The value lives in the state from send() until the receiver takes it, or
//   until the receiver is destroyed (then it is destroyed at once). send()
//   writes `value` only while `receiver_closed` is unset, once, under `mu`.
//   So once the receiver has seen `value` engaged under `mu` (the sender is
//   spent), or has set `receiver_closed`, only the receiver touches `value`,
//   and it does so without the lock: a receive moves the value once, straight
//   into the result it returns, then destroys the moved-from shell; a
//   receiver being destroyed destroys a value left behind in place (no move:
//   nothing there can throw).
// * Registrations. `rx_waker` belongs to the receiver: whichever of its
//   polls (the receiver itself, or a borrowed recv()) returned Pending last
//   put it there, and it is dropped when a send or the sender's end takes
//   it, or when the receiver is destroyed. `tx_waker` is shared by the
//   pending closed() futures: it is the latest one's waker, and it stays
//   registered while a pending closed() future registered with it lives
//   (`tx_gen` numbers each new waker stored there, `tx_holders` counts the
//   futures registered with the current one); the last of them to go drops
//   it at once.
//
// Element requirements: T must be move-constructible and its destructor
// must not throw. If its move constructor throws, send() throws with
// nothing sent (the sender can still send), and a receive throws with the
// value left in the channel.
//
// Misuse (ContractError): using a sender after send() or a default-made or
// moved-from sender or receiver; polling the receiver after it returned
// Ready, after try_recv() or a recv() delivered its result, or after its
// poll threw.
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

#include <cstdint>
#include <mutex>  // std::lock_guard
#include <string>
#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

namespace detail {

template <class T>
class OneshotShared final : public RefCounted {
  static_assert(std::is_move_constructible<T>::value,
                "a oneshot's value type must be move-constructible (it is moved into the "
                "channel and out of it); it need not be copyable, and its move may throw");
  static_assert(std::is_nothrow_destructible<T>::value,
                "a oneshot's value type must have a destructor that does not throw");

 public:
  OneshotShared() noexcept : RefCounted(2) {}  // the sender's and the receiver's

  // The small fields first, packed together after the reference count.
  mutable SpinLock mu;  // two parties, a few instructions each: see spin_lock.hpp
  bool sender_done = false;      // sent, or the sender is gone; never unset
  bool receiver_closed = false;  // close() called or the receiver is gone; never unset
  // Pending closed() futures registered with tx_gen's waker. Saturates at
  // 255: from then on that waker stays until it is woken or replaced.
  std::uint8_t tx_holders = 0;
  std::uint32_t tx_gen = 0;      // numbers the wakers stored in tx_waker (0: none yet)
  Option<T> value;               // engaged from send() until received or the receiver is gone
  Waker rx_waker;                // the task of the last Pending receive; woken by send/sender drop
  Waker tx_waker;                // the task of the last Pending closed(); woken by close/drop
};

constexpr std::uint8_t kHoldersSaturated = 255;

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
      if (shared_) release();
      shared_ = std::move(o.shared_);
    }
    return *this;
  }
  // The moved-from (or spent) test inline, the release out of line.
  POLLEN_SYNC_INLINE ~OneshotSender() {
    if (shared_) release();
  }

  // Sends the value: Sent, or Closed with the value handed back when the
  // receiver was closed or destroyed first. Either way the sender is spent
  // afterwards (a second send is a ContractError). Never waits. If moving
  // the value into the channel throws, the exception propagates and nothing
  // changed: the receiver still waits and the sender can still send.
  SendResult<T> send(T value) {
    detail::require_oneshot_handle(static_cast<bool>(shared_), "OneshotSender::send()");
    Waker to_wake;
    bool delivered;
    {
      std::lock_guard<detail::SpinLock> lock(shared_->mu);
      delivered = !shared_->receiver_closed;
      if (delivered) {
        shared_->value.emplace(std::move(value));  // a throw leaves everything as it was
        to_wake = std::move(shared_->rx_waker);
      }
      shared_->sender_done = true;
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
  // The sender goes without sending: the receiver sees Closed. When the
  // receiver is gone already (the last reference), there is no one to tell.
  POLLEN_SYNC_NOINLINE void release() noexcept {
    if (shared_->unique()) {
      shared_.reset();
      return;
    }
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
//           Waiting --try_recv() or a recv() delivered Received/Closed--> Taken
//           Waiting --its poll threw (the value's move)--> Poisoned
//
//   Every state holds the channel (until the receiver is moved from). In
//   Done and Taken the result was delivered: the receiver is finished as a
//   future. In Poisoned the value (if any) is still in the channel:
//   try_recv() can take it.
//
// Output: RecvResult<T>: Received with the value, or Closed.
// Cancellation: destroying the receiver closes the channel and drops its
//   waker at once. A value that was already sent and not yet received is
//   destroyed at once; a later send hands its value back to the sender. So
//   the receiver itself is NOT cancel safe (is_cancel_safe is false): to
//   race a oneshot in a select without losing its value, select on
//   rx.recv() (a borrowed receive, cancel safe) and keep the receiver.
// Exceptions: if moving the value out throws, poll() propagates it, the
//   value stays in the channel, and the receiver is Poisoned.
// Contract errors: polling it after Ready, after try_recv() or a recv()
//   delivered its result, or after its poll threw; polling a
//   default-constructed or moved-from receiver. (try_recv() itself only
//   reports: Closed once the result was delivered.)
// Polling order: no children. A ready receive spends one unit of the
//   cooperative budget.
// Example: see the top of this header.
template <class T>
class POLLEN_NODISCARD_TYPE OneshotReceiver : public FutureExt<OneshotReceiver<T>> {
 public:
  using Output = RecvResult<T>;
  static constexpr bool is_cancel_safe = false;
  enum class State { Waiting, Done, Taken, Poisoned };

  // A receiver of no channel; polling it is a ContractError.
  OneshotReceiver() noexcept : state_(State::Done) {}
  explicit OneshotReceiver(detail::SharedRef<detail::OneshotShared<T>> s) noexcept
      : shared_(std::move(s)) {}
  OneshotReceiver(OneshotReceiver&& o) noexcept : shared_(std::move(o.shared_)), state_(o.state_) {
    o.state_ = State::Done;
  }
  OneshotReceiver& operator=(OneshotReceiver&& o) noexcept {
    if (this != &o) {
      if (shared_) release();
      shared_ = std::move(o.shared_);
      state_ = o.state_;
      o.state_ = State::Done;
    }
    return *this;
  }
  // The moved-from test inline, the release out of line (moved-from
  // receivers are the common case).
  POLLEN_SYNC_INLINE ~OneshotReceiver() {
    if (shared_) release();
  }

  Poll<Output> poll(Context& cx) {
    detail::observe_poll(cx, this);
    if (state_ != State::Waiting || !shared_) finished(false);
    state_ = State::Poisoned;  // until the poll returns: a throw leaves it so
    Poll<Output> p = receive(cx);
    state_ = p.is_ready() ? State::Done : State::Waiting;
    return p;
  }

  // A borrowed receive: a future of the same RecvResult that leaves the
  // value in this receiver when it is dropped early (cancel safe). The
  // receiver must outlive it and not move while it is alive.
  POLLEN_NODISCARD OneshotRecv<T> recv() noexcept { return OneshotRecv<T>(*this); }

  // Without waiting: Received, Empty (not sent yet), or Closed. A Received
  // or Closed result finishes the receiver as a future (Taken): polling it
  // afterwards is a ContractError, and try_recv() keeps reporting Closed.
  RecvResult<T> try_recv() {
    detail::require_oneshot_handle(static_cast<bool>(shared_), "OneshotReceiver::try_recv()");
    bool sent;
    bool ended;
    {
      std::lock_guard<detail::SpinLock> lock(shared_->mu);
      sent = shared_->value.has_value();
      ended = shared_->sender_done || shared_->receiver_closed;
    }
    if (sent) return take_sent<RecvResult<T>>(nullptr, State::Taken);
    if (!ended) return RecvResult<T>::empty();
    if (state_ == State::Waiting) state_ = State::Taken;
    return RecvResult<T>::closed();
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

  // True while no value is waiting to be received right now: nothing sent
  // yet, the sender gone without sending, or the value already taken (as
  // tokio's is_empty()). Says nothing about whether the receiver may still
  // be polled: see state().
  bool is_empty() const {
    detail::require_oneshot_handle(static_cast<bool>(shared_), "OneshotReceiver::is_empty()");
    std::lock_guard<detail::SpinLock> lock(shared_->mu);
    return !shared_->value.has_value();
  }

  // True once no value can be received any more, now or later: the sender
  // was destroyed without sending, close() was called before a send, or the
  // value was sent and already taken. Exactly when try_recv() would report
  // Closed. A value sent and not yet received keeps it false (after close()
  // too: that value is still receivable). Never unset.
  bool is_closed() const {
    detail::require_oneshot_handle(static_cast<bool>(shared_), "OneshotReceiver::is_closed()");
    std::lock_guard<detail::SpinLock> lock(shared_->mu);
    return !shared_->value.has_value() && (shared_->sender_done || shared_->receiver_closed);
  }

  State state() const noexcept { return state_; }

  void describe(Describer& d) const {
    if (!shared_) {
      d.node("OneshotReceiver", "state: Done");
      return;
    }
    std::string detail = state_ == State::Waiting ? "state: Waiting"
                         : state_ == State::Done  ? "state: Done"
                         : state_ == State::Taken ? "state: Taken"
                                                  : "state: Poisoned";
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
  friend class OneshotRecv<T>;

  // The step of a borrowed recv(): the receive, with the receiver's own
  // state checked and updated (Taken once it delivers).
  Poll<Output> poll_borrowed(Context& cx) {
    if (state_ != State::Waiting || !shared_) finished(true);
    Poll<Output> p = receive(cx);
    if (p.is_ready()) state_ = State::Taken;
    return p;
  }

  // Received or Closed: Ready; nothing yet: keeps cx's waker, Pending. If
  // the value's move throws, the value stays in the channel.
  Poll<Output> receive(Context& cx) {
    if (detail::out_of_budget(cx)) return pending;
    bool sent;
    {
      Waker to_drop;  // a replaced waker, dropped after the lock is released
      std::lock_guard<detail::SpinLock> lock(shared_->mu);
      sent = shared_->value.has_value();
      if (!sent && !shared_->sender_done && !shared_->receiver_closed) {
        detail::replace_waker(shared_->rx_waker, cx.waker(), to_drop);
        return pending;
      }
    }
    if (!sent) return Output::closed();
    return take_sent<Poll<Output>>(&cx, State::Waiting);
  }

  // The sent value, moved once, straight into a new R (the Poll a receive
  // returns, or try_recv()'s RecvResult); then the moved-from shell is
  // destroyed, one unit of cx's budget spent (if any; it cannot run out
  // here, receive() checked it) and, for try_recv(), the receiver marked
  // Taken. No lock: a sent value is the receiver's alone (ground rules). If
  // the move throws, the value stays in the channel and nothing changed.
  // One named return: R is built where the caller receives it.
  template <class R>
  R take_sent(const Context* cx, State taken) {
    R out(detail::MoveFromSlot<T>{&*shared_->value});
    shared_->value.reset();  // the moved-from shell
    if (cx != nullptr) detail::spend_budget(*cx);
    if (taken == State::Taken && state_ == State::Waiting) state_ = State::Taken;
    return out;
  }

  // The ContractError for a receive from a finished receiver: by its own
  // poll(), or (`borrowed`) by a recv() future.
  [[noreturn]] void finished(bool borrowed) const {
    if (!shared_) {
      if (borrowed) detail::require_oneshot_handle(false, "OneshotReceiver::recv()");
      detail::polled_after_ready("OneshotReceiver");
    }
    if (state_ == State::Poisoned) detail::polled_after_throw("OneshotReceiver");
    if (state_ == State::Done && !borrowed) detail::polled_after_ready("OneshotReceiver");
    detail::contract_violation(
        std::string(borrowed ? "OneshotReceiver::recv() polled" : "OneshotReceiver polled") +
        (state_ == State::Done ? " after the receiver returned Ready"
                               : " after try_recv() or recv() delivered its result") +
        ": a oneshot delivers one result (Received or Closed); use the one you got and do not "
        "receive from this receiver again (try_recv() keeps reporting Closed)");
  }

  // Closes the channel for good: the receiver is going. When the sender (and
  // every closed() future) is gone already, there is no one to tell: the
  // state, a value left in it and a registered waker go with the last
  // reference.
  POLLEN_SYNC_NOINLINE void release() noexcept {
    if (shared_->unique()) {
      shared_.reset();
      return;
    }
    Waker to_wake;
    Option<Waker> to_drop;  // an Option: nothing to drop (the common case) costs no call
    bool value_left;
    {
      std::lock_guard<detail::SpinLock> lock(shared_->mu);
      shared_->receiver_closed = true;
      value_left = shared_->value.has_value();
      to_wake.swap(shared_->tx_waker);
      // No task waits on this receiver any more: drop its registration now.
      if (!shared_->rx_waker.is_noop()) to_drop.emplace(std::move(shared_->rx_waker));
    }
    // Unlocked: with receiver_closed set, only this receiver touches `value`.
    if (value_left) shared_->value.reset();
    shared_.reset();
    std::move(to_wake).wake();
  }

  detail::SharedRef<detail::OneshotShared<T>> shared_;  // empty: moved from or default
  State state_ = State::Waiting;
};

// rx.recv(): a borrowed receive from a OneshotReceiver.
//
// States:   Waiting --Received or Closed--> Done
//           Waiting --the poll threw--> Poisoned
//
// Output: RecvResult<T>, as the receiver's own.
// Cancellation: cancel safe. Dropping it while Pending leaves the channel and
//   any value in the receiver, which can be polled or recv()-ed again; the
//   waker it registered stays with the receiver until a send, the sender's
//   end or the receiver's destruction drops it (see the ground rules).
// Exceptions: if moving the value out throws, poll() propagates it, the
//   value stays in the receiver, and this recv() is Poisoned.
// Contract errors: polling it after Ready or after its poll threw; polling
//   it when the receiver already delivered its result.
// Polling order: polls the receiver's receive step; spends the budget when
//   ready.
template <class T>
class POLLEN_NODISCARD_TYPE OneshotRecv : public FutureExt<OneshotRecv<T>> {
 public:
  using Output = RecvResult<T>;
  static constexpr bool is_cancel_safe = true;
  enum class State { Waiting, Done, Poisoned };

  explicit OneshotRecv(OneshotReceiver<T>& rx) noexcept : rx_(&rx) {}
  OneshotRecv(OneshotRecv&& o) noexcept : rx_(o.rx_), state_(o.state_) { o.state_ = State::Done; }

  Poll<Output> poll(Context& cx) {
    detail::observe_poll(cx, this);
    if (state_ == State::Done) detail::polled_after_ready("OneshotRecv");
    if (state_ == State::Poisoned) detail::polled_after_throw("OneshotRecv");
    state_ = State::Poisoned;  // until the poll returns: a throw leaves it so
    Poll<Output> p = rx_->poll_borrowed(cx);
    state_ = p.is_ready() ? State::Done : State::Waiting;
    return p;
  }

  State state() const noexcept { return state_; }
  void describe(Describer& d) const {
    d.node("OneshotRecv", state_ == State::Waiting ? "state: Waiting"
                          : state_ == State::Done  ? "state: Done"
                                                   : "state: Poisoned");
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
// Cancellation: cancel safe (it carries nothing). Dropping a pending one
//   drops its registration at once, unless another pending closed() future
//   of the same task shares it. Only the latest closed() future's waker is
//   kept: an earlier one polled by another task is not woken.
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
  OneshotClosed(OneshotClosed&& o) noexcept
      : shared_(std::move(o.shared_)), gen_(o.gen_), state_(o.state_) {
    o.gen_ = 0;
    o.state_ = State::Done;
  }
  // Registered (gen_ != 0) only while pending: the test inline.
  POLLEN_SYNC_INLINE ~OneshotClosed() {
    if (gen_ != 0) unregister();
  }

  Poll<Unit> poll(Context& cx) {
    detail::observe_poll(cx, this);
    if (state_ == State::Done) detail::polled_after_ready("OneshotClosed");
    Waker to_drop;  // a replaced waker, dropped after the lock is released
    std::lock_guard<detail::SpinLock> lock(shared_->mu);
    if (shared_->receiver_closed) {
      unregister_locked(to_drop);
      state_ = State::Done;
      return Unit{};
    }
    register_locked(cx.waker(), to_drop);
    return pending;
  }

  State state() const noexcept { return state_; }
  void describe(Describer& d) const {
    d.node("OneshotClosed", state_ == State::Done ? "state: Done" : "state: Waiting");
  }

 private:
  // Stores `w` as the sender's waker (a different task's waker replaces the
  // stored one: a new generation) and counts this future as registered
  // with it.
  void register_locked(const Waker& w, Waker& to_drop) noexcept {
    detail::OneshotShared<T>& s = *shared_;
    if (!s.tx_waker.will_wake(w)) {
      to_drop = std::move(s.tx_waker);
      s.tx_waker = w;
      if (++s.tx_gen == 0) s.tx_gen = 1;  // 0 means "not registered"
      s.tx_holders = 0;
    }
    if (gen_ != s.tx_gen) {
      gen_ = s.tx_gen;
      if (s.tx_holders != detail::kHoldersSaturated) ++s.tx_holders;
    }
  }

  POLLEN_SYNC_NOINLINE void unregister() noexcept {
    Waker to_drop;  // dropped after the lock is released
    std::lock_guard<detail::SpinLock> lock(shared_->mu);
    unregister_locked(to_drop);
  }

  // This future is done with its registration: the last future registered
  // with the stored waker drops it.
  void unregister_locked(Waker& to_drop) noexcept {
    detail::OneshotShared<T>& s = *shared_;
    if (gen_ != 0 && gen_ == s.tx_gen && s.tx_holders != detail::kHoldersSaturated &&
        --s.tx_holders == 0) {
      to_drop = std::move(s.tx_waker);
    }
    gen_ = 0;
  }

  detail::SharedRef<detail::OneshotShared<T>> shared_;  // valid until moved from
  std::uint32_t gen_ = 0;  // the tx_gen this future registered with; 0: none
  State state_ = State::Waiting;
};

// A new oneshot channel: its sender and its receiver.
template <class T>
POLLEN_NODISCARD std::pair<OneshotSender<T>, OneshotReceiver<T>> oneshot() {
  detail::OneshotShared<T>* s = new detail::OneshotShared<T>();  // two references
  using Ref = detail::SharedRef<detail::OneshotShared<T>>;
  return std::pair<OneshotSender<T>, OneshotReceiver<T>>(OneshotSender<T>(Ref(s)),
                                                         OneshotReceiver<T>(Ref(s)));
}

POLLEN_NAMESPACE_END
