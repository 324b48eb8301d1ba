// pollen/sync/receiver.hpp: Receiver<T>, the receiving half of an mpsc
// channel (bounded or unbounded), and its recv() future.
//
// Example:
//
//   auto ch = pollen::unbounded_channel<int>();
//   ch.first.send(1);
//   pollen::Option<int> v = pollen::block_on(ch.second.recv());  // 1
//
// The receiver is a Stream of T (see pollen/stream/stream.hpp): its items are
// the messages in the order they were sent (per sender; sends from different
// senders are ordered by when each took the channel's lock). The stream ends
// (poll_next returns none) when the buffer is empty and either every sender
// is gone or the receiver was closed. After the end it keeps returning none.
//
// Closing
// * close(): refuses every later send (the value is handed back to its
//   sender), wakes waiting bounded senders so that they get their value back
//   too, and keeps the messages already buffered: receive them until the
//   stream ends. Every value sent before close() is received; every value
//   sent after it is handed back.
// * Destroying the receiver closes the channel and destroys the buffered
//   messages at once (docs/design.md); later sends hand their value back.
//
// State at a glance: len() counts the messages queued now; is_closed() is
// true once no new message can arrive (closed, or every sender gone), while
// queued messages may remain. Senders can wait for the close with closed().
//
// The shared state and what a cross-thread send does: see chan_shared.hpp.
//
// Budget: a receive that is ready spends one unit of the cooperative budget;
// when the budget is spent it returns Pending (and the task is re-woken)
// even with messages buffered, so a flooded receiver cannot starve its loop.
//
// Throwing moves: a receive moves the message once, out of the channel
// straight into the Poll it returns (built in place, returned in place), so
// that move is the only one that can throw. If it does, the exception
// propagates and the message stays first in the channel, to be received
// next time (a recv() future whose poll threw is Poisoned; receive with a
// new one).
//
// Registration: the receiver keeps the waker of the task that last polled
// it and got Pending (through poll_next, recv() or stream::next). A send or
// the end wakes it once; it stays registered after that (a later Pending
// receive by the same task re-arms it without cloning it), until a poll by
// another task replaces it or the receiver is destroyed. So a task that
// receives from a channel is referenced by its waker for as long as the
// receiver lives (a finished task's block is freed when the receiver is).
// Dropping a pending recv() does not disarm it: the receiver may be polled
// again, by the same task or through another borrowed future, and only the
// receiver knows it is done with it. So a task that drops a pending recv()
// may get one spurious wake (harmless: it polls and finds nothing to do).
//
// Contract errors: using a default-constructed or moved-from receiver;
// polling a recv() future after it returned Ready or after its poll threw.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/future/future_ext.hpp>
#include <pollen/core/option.hpp>
#include <pollen/sync/chan_shared.hpp>
#include <pollen/sync/result.hpp>

#include <cstddef>
#include <string>
#include <utility>

POLLEN_NAMESPACE_BEGIN

template <class T>
class Recv;

template <class T>
class Receiver {
 public:
  using Item = T;

  // A receiver of no channel; using it is a ContractError.
  Receiver() noexcept = default;
  explicit Receiver(detail::SharedRef<detail::ChanShared<T>> s) noexcept : shared_(std::move(s)) {}
  Receiver(Receiver&&) noexcept = default;
  Receiver& operator=(Receiver&& o) noexcept {
    if (this != &o) {
      if (shared_) release();
      shared_ = std::move(o.shared_);
    }
    return *this;
  }
  // The moved-from test inline, closing the channel out of line.
  POLLEN_SYNC_INLINE ~Receiver() {
    if (shared_) release();
  }

  // The Stream step: Ready(some(message)), Ready(none) at the end, or
  // Pending (cx's waker is kept and woken by the next send or close).
  Poll<Option<T>> poll_next(Context& cx) {
    detail::observe_poll(cx, this);
    check("Receiver::poll_next()");
    return shared_->poll_next(cx);
  }

  // A future of the next message: some(message), or none at the end.
  POLLEN_NODISCARD Recv<T> recv() noexcept { return Recv<T>(*this); }

  // Without waiting: Received, Empty (more may come), or Closed (the end).
  RecvResult<T> try_recv() {
    check("Receiver::try_recv()");
    return shared_->try_recv();
  }

  // Refuses later sends; buffered messages stay receivable. Idempotent.
  void close() {
    check("Receiver::close()");
    shared_->close();
  }

  // Messages buffered now.
  std::size_t size() const {
    check("Receiver::size()");
    return shared_->size();
  }
  // The same, by tokio's name: the messages queued now (received next,
  // whether or not the channel is closed).
  std::size_t len() const {
    check("Receiver::len()");
    return shared_->size();
  }

  // True once no new message can arrive: close() was called, or every
  // sender (with every pending send and permit) is gone. Messages buffered
  // before that may still be waiting: the stream ends when is_closed() and
  // len() == 0. Never unset.
  bool is_closed() const {
    check("Receiver::is_closed()");
    return shared_->rx_is_closed();
  }

  bool is_valid() const noexcept { return static_cast<bool>(shared_); }

  void describe(Describer& d) const {
    if (!shared_) {
      d.node("Receiver", "no channel");
      return;
    }
    std::string detail;
    {
      std::lock_guard<detail::ParkingLock> lock(shared_->mu);
      detail = std::to_string(shared_->buffer.size()) + " buffered";
      if (shared_->capacity != detail::kUnbounded) {
        detail += " of " + std::to_string(shared_->capacity);
      }
      if (shared_->rx_closed) {
        detail += ", closed";
      } else if (shared_->senders_gone) {
        detail += ", senders gone";
      } else {
        detail += ", open";
      }
      if (!shared_->wait_queue.empty()) {
        detail += ", " + std::to_string(shared_->wait_queue.size()) + " senders waiting";
      }
    }
    d.node("Receiver", detail);
  }

 private:
  void check(const char* what) const {
    if (!shared_) {
      detail::contract_violation(std::string(what) +
                                 " on a Receiver of no channel (default-constructed or moved from)");
    }
  }
  // When every sender is gone already (the last reference), the buffered
  // messages and the registration go with the state.
  POLLEN_SYNC_NOINLINE void release() noexcept {
    if (!shared_->unique()) shared_->drop_receiver();
    shared_.reset();
  }

  detail::SharedRef<detail::ChanShared<T>> shared_;  // empty: default or moved from
};

// rx.recv(): the next message of a Receiver.
//
// States:   Waiting --message or end of stream--> Done
//              |  ^
//              +--+ nothing buffered: keep the waker, Pending
//           Waiting --the poll threw--> Poisoned
//
// Output: Option<T>: some(message), or none when the channel has ended
//   (every sender gone, or closed, and the buffer drained).
// Cancellation: cancel safe. A message is taken out of the channel only in
//   the poll that returns it, so dropping a pending recv() loses nothing.
// Exceptions: if moving the message out throws, poll() propagates it, the
//   message stays in the channel, and this recv() is Poisoned.
// Contract errors: polling it after Ready, or again after its poll threw.
// Polling order: borrows the receiver, which must outlive it and not move
//   while it is alive. A ready receive spends one unit of the budget.
// Example: `while (auto v = block_on(rx.recv())) use(v.value());`
template <class T>
class POLLEN_NODISCARD_TYPE Recv : public FutureExt<Recv<T>> {
 public:
  using Output = Option<T>;
  static constexpr bool is_cancel_safe = true;
  enum class State { Waiting, Done, Poisoned };

  explicit Recv(Receiver<T>& rx) noexcept : rx_(&rx) {}
  Recv(Recv&& o) noexcept : rx_(o.rx_), state_(o.state_) { o.state_ = State::Done; }

  Poll<Option<T>> poll(Context& cx) {
    detail::observe_poll(cx, this);
    if (state_ != State::Waiting) poll_finished();
    state_ = State::Poisoned;  // until the poll returns: a throw leaves it so
    Poll<Option<T>> p = rx_->poll_next(cx);
    state_ = p.is_ready() ? State::Done : State::Waiting;
    return p;
  }

  State state() const noexcept { return state_; }
  void describe(Describer& d) const {
    d.node("Recv", state_ == State::Waiting ? "state: Waiting"
                   : state_ == State::Done  ? "state: Done"
                                            : "state: Poisoned");
    d.child(*rx_);
  }

 private:
  [[noreturn]] void poll_finished() const {
    if (state_ == State::Done) detail::polled_after_ready("Recv");
    detail::polled_after_throw("Recv");
  }

  Receiver<T>* rx_;  // borrowed
  State state_ = State::Waiting;
};

// The receiver of an unbounded channel is the same type.
template <class T>
using UnboundedReceiver = Receiver<T>;

POLLEN_NAMESPACE_END
