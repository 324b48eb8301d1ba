// pollen/sync/unbounded.hpp: unbounded_channel<T>(), a multi-producer,
// single-consumer channel without a bound: send() never waits.
//
// Example:
//
//   auto ch = pollen::unbounded_channel<int>();
//   pollen::UnboundedSender<int> tx = ch.first;   // copyable, any thread
//   tx.send(1);                                   // Sent, or Closed + value back
//   pollen::Option<int> v = pollen::block_on(ch.second.recv());  // some(1)
//
// The buffer is a ring of fixed-size blocks (block_queue.hpp) that gains a
// block when full and never gives one back, so once it has grown to the
// working size, sending and receiving allocate nothing (zero allocations per
// message in steady state). Growing never moves a buffered message. Nothing
// limits its growth: a receiver that cannot keep up makes it grow without
// bound; use channel(capacity) for backpressure.
//
// Element requirements: T must be move-constructible, and its destructor
// must not throw. Its move constructor may throw: send() then throws with
// nothing sent and the channel unchanged (the value is destroyed with the
// exception, never left half in the channel), and a receive that throws
// leaves the message first in the channel (chan_shared.hpp, "Throwing
// moves"). Running out of memory while the buffer grows is the same: send()
// throws std::bad_alloc and nothing was sent.
//
// Senders may live on other threads: a send takes the channel's lock,
// pushes, and wakes the receiver's waker if the receiver was waiting (ground
// rules in chan_shared.hpp). The receiver is Receiver<T> (alias
// UnboundedReceiver<T>, receiver.hpp); closing and buffered messages at
// close are described there.
//
// closed() is a future that is Ready once the receiver is closed or
// destroyed (sender_closed.hpp).
//
// Contract errors: using a default-constructed or moved-from sender.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/sync/chan_shared.hpp>
#include <pollen/sync/receiver.hpp>
#include <pollen/sync/result.hpp>
#include <pollen/sync/sender_closed.hpp>

#include <string>
#include <utility>

POLLEN_NAMESPACE_BEGIN

template <class T>
class UnboundedSender {
 public:
  // A sender of no channel; using it is a ContractError.
  UnboundedSender() noexcept = default;
  explicit UnboundedSender(detail::SharedRef<detail::ChanShared<T>> s) noexcept
      : shared_(std::move(s)) {}
  UnboundedSender(const UnboundedSender& o) noexcept : shared_(o.shared_) {
    if (shared_) shared_->add_sender();
  }
  UnboundedSender(UnboundedSender&&) noexcept = default;
  UnboundedSender& operator=(const UnboundedSender& o) noexcept {
    UnboundedSender copy(o);
    shared_.swap(copy.shared_);
    return *this;
  }
  UnboundedSender& operator=(UnboundedSender&& o) noexcept {
    if (this != &o) {
      if (shared_) release();
      shared_ = std::move(o.shared_);
    }
    return *this;
  }
  // The moved-from test inline, the release out of line.
  POLLEN_SYNC_INLINE ~UnboundedSender() {
    if (shared_) release();
  }

  // Sends without waiting: Sent, or Closed with the value handed back when
  // the receiver was closed or destroyed. Throws (nothing sent) if moving
  // the value into the channel throws or memory runs out.
  SendResult<T> send(T value) const {
    check("UnboundedSender::send()");
    return shared_->try_send(value);
  }

  // True once the receiver is closed or gone.
  bool is_closed() const {
    check("UnboundedSender::is_closed()");
    return shared_->is_closed();
  }

  // A future that is Ready once the receiver is closed or destroyed (see
  // sender_closed.hpp). Cancel safe; not itself a sender.
  POLLEN_NODISCARD SenderClosed<T> closed() const {
    check("UnboundedSender::closed()");
    return SenderClosed<T>(shared_);
  }

  bool is_valid() const noexcept { return static_cast<bool>(shared_); }

  // "UnboundedSender [open, 3 buffered]" or "[closed, ...]".
  void describe(Describer& d) const {
    if (!shared_) {
      d.node("UnboundedSender", "no channel");
      return;
    }
    d.node("UnboundedSender", std::string(shared_->is_closed() ? "closed, " : "open, ") +
                                  std::to_string(shared_->size()) + " buffered");
  }

 private:
  void check(const char* what) const {
    if (!shared_) {
      detail::contract_violation(std::string(what) +
                                 " on a sender of no channel (default-constructed or moved from)");
    }
  }
  // When the receiver is gone already (the last reference), there is no
  // one to tell that the senders are gone.
  POLLEN_SYNC_NOINLINE void release() noexcept {
    if (!shared_->unique()) shared_->drop_sender();
    shared_.reset();
  }

  detail::SharedRef<detail::ChanShared<T>> shared_;  // empty: default or moved from
};

// A new unbounded channel: a sender (copy it for more) and the receiver.
template <class T>
POLLEN_NODISCARD std::pair<UnboundedSender<T>, Receiver<T>> unbounded_channel() {
  detail::ChanShared<T>* s = new detail::ChanShared<T>(detail::kUnbounded);  // two references
  using Ref = detail::SharedRef<detail::ChanShared<T>>;
  return std::pair<UnboundedSender<T>, Receiver<T>>(UnboundedSender<T>(Ref(s)),
                                                    Receiver<T>(Ref(s)));
}

POLLEN_NAMESPACE_END
