// pollen/sync/sender_closed.hpp: SenderClosed<T>, the future of an mpsc
// sender's closed() (Sender<T>::closed(), UnboundedSender<T>::closed()):
// Ready once the channel's receiver is closed or destroyed.
//
// Example:
//
//   auto ch = pollen::channel<int>(8);
//   auto gone = ch.first.closed();   // Pending while the receiver is open
//   ch.second.close();               // or: the receiver is destroyed
//   pollen::block_on(std::move(gone));  // Ready(Unit)
//
// States:   Init --receiver closed or gone-----------> Done
//             |  --open: link its node, keep the waker--> Waiting
//           Waiting --receiver closed or gone--> Done
//             |  ^
//             +--+ still open: keep the newest waker, Pending
//
//   State::Init     holds the channel; not linked (it links at its first poll)
//   State::Waiting  holds the channel and its node in the channel's list of
//                   closed() futures (or, once the receiver closed, in the
//                   closer's list until its waker is taken)
//   State::Done     holds the channel (released when it is destroyed), or
//                   nothing when moved from
//
// What it does: lets a producer stop work nobody will receive (tokio's
// Sender::closed()). It holds a reference to the channel's state but is not
// a sender: a pending closed() does not keep the receiver's stream from
// ending, and it may outlive the sender it came from.
//
// Output: Unit.
//
// Cancellation: cancel safe: it carries nothing. Destroying a Waiting future
// unlinks its node and drops its waker at once: nothing stays registered.
//
// Threads: like the sender, it may be polled on any thread; the receiver may
// close on another. Its node is linked, moved and unlinked under the
// channel's lock, and the close wakes it after releasing the lock
// (chan_shared.hpp).
//
// Contract errors: polling it after Ready, or a moved-from one.
//
// Polling order: no children. A Ready poll spends one unit of the
// cooperative budget; with the budget spent it returns Pending (woken).
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/unit.hpp>
#include <pollen/core/waker.hpp>
#include <pollen/future/future_ext.hpp>
#include <pollen/sync/chan_shared.hpp>
#include <pollen/sync/shared.hpp>
#include <pollen/sync/waiter_list.hpp>

#include <mutex>  // std::lock_guard
#include <utility>

POLLEN_NAMESPACE_BEGIN

template <class T>
class POLLEN_NODISCARD_TYPE SenderClosed : public FutureExt<SenderClosed<T>> {
 public:
  using Output = Unit;
  static constexpr bool is_cancel_safe = true;
  enum class State { Init, Waiting, Done };

  explicit SenderClosed(detail::SharedRef<detail::ChanShared<T>> s) noexcept
      : shared_(std::move(s)) {}
  // Moving a Waiting future moves its place in the channel's list.
  SenderClosed(SenderClosed&& o) noexcept : shared_(std::move(o.shared_)), state_(o.state_) {
    if (state_ == State::Waiting) {
      std::lock_guard<detail::ParkingLock> lock(shared_->mu);
      node_.replace(o.node_);
      node_.waker = std::move(o.node_.waker);
    }
    o.state_ = State::Done;
  }
  SenderClosed& operator=(SenderClosed&&) = delete;
  ~SenderClosed() {
    if (state_ == State::Waiting) leave();
  }

  Poll<Unit> poll(Context& cx) {
    detail::observe_poll(cx, this);
    if (state_ == State::Done) finished();
    if (detail::out_of_budget(cx)) return pending;
    Waker to_drop;  // a replaced or spent waker, dropped after the lock is released
    {
      std::lock_guard<detail::ParkingLock> lock(shared_->mu);
      if (!shared_->rx_closed) {
        if (state_ == State::Init) {
          node_.waker = cx.waker();
          shared_->closed_waiters.push_back(node_);
          state_ = State::Waiting;
        } else {
          detail::replace_waker(node_.waker, cx.waker(), to_drop);
        }
        return pending;
      }
      node_.unlink();  // still in the closer's list if its batch is not out yet
      to_drop = std::move(node_.waker);
      state_ = State::Done;
    }
    detail::spend_budget(cx);
    return Unit{};
  }

  State state() const noexcept { return state_; }

  // "SenderClosed [state: Waiting]".
  void describe(Describer& d) const {
    d.node("SenderClosed", state_ == State::Init      ? "state: Init"
                           : state_ == State::Waiting ? "state: Waiting"
                                                      : "state: Done");
  }

 private:
  [[noreturn]] void finished() const {
    if (!shared_) {
      detail::contract_violation(
          "SenderClosed polled after it was moved from: poll the future it was moved into");
    }
    detail::polled_after_ready("SenderClosed");
  }

  // The future is going: unlink its node and drop its waker.
  void leave() noexcept {
    Waker to_drop;
    {
      std::lock_guard<detail::ParkingLock> lock(shared_->mu);
      node_.unlink();
      to_drop = std::move(node_.waker);
    }
  }

  detail::SharedRef<detail::ChanShared<T>> shared_;  // empty only when moved from
  detail::ClosedWaiter node_;                        // linked in State::Waiting, until woken
  State state_ = State::Init;
};

POLLEN_NAMESPACE_END
