// pollen/sync/result.hpp: what channel operations return.
//
// Nothing sent through a pollen channel is ever silently lost: an operation
// that cannot deliver a value hands it back inside its result.
//
//   SendResult<T>   Sent, or Full / Closed with the value handed back
//                   (send, try_send, Permit::send, oneshot send)
//   RecvResult<T>   Received with the value, or Empty / Closed
//                   (oneshot receive, try_recv)
//
//   pollen::SendResult<int> r = tx.try_send(7);
//   if (!r.is_sent()) { int back = r.take_back(); ... }
//
// Contract errors: take_back() on a Sent result, value() on a result that
// holds no value.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/option.hpp>

#include <utility>

POLLEN_NAMESPACE_BEGIN

namespace detail {
// A received value still in its channel slot. A RecvResult made from it
// moves the value out once, straight into its own storage (a Poll of a
// RecvResult made from it builds the RecvResult where the Poll keeps it, as
// far as Poll allows). If that move throws, the value stays in the slot.
template <class T>
struct MoveFromSlot {
  T* slot;
};
}  // namespace detail

enum class SendStatus {
  Sent,    // the value is in the channel
  Full,    // try_send only: no room now; the value is handed back
  Closed,  // the receiver is closed or gone; the value is handed back
};

enum class RecvStatus {
  Received,  // here is the value
  Empty,     // try_recv only: nothing now, but more may come
  Closed,    // nothing now and nothing ever again
};

inline const char* to_string(SendStatus s) noexcept {
  return s == SendStatus::Sent ? "Sent" : s == SendStatus::Full ? "Full" : "Closed";
}
inline const char* to_string(RecvStatus s) noexcept {
  return s == RecvStatus::Received ? "Received" : s == RecvStatus::Empty ? "Empty" : "Closed";
}

// The outcome of a send. Holds the value exactly when status() != Sent.
template <class T>
class SendResult {
 public:
  static SendResult sent() { return SendResult(SendStatus::Sent, Option<T>()); }
  static SendResult full(T back) { return SendResult(SendStatus::Full, Option<T>(std::move(back))); }
  static SendResult closed(T back) {
    return SendResult(SendStatus::Closed, Option<T>(std::move(back)));
  }

  SendStatus status() const noexcept { return status_; }
  bool is_sent() const noexcept { return status_ == SendStatus::Sent; }
  bool is_full() const noexcept { return status_ == SendStatus::Full; }
  bool is_closed() const noexcept { return status_ == SendStatus::Closed; }
  explicit operator bool() const noexcept { return is_sent(); }

  // True while the handed-back value is still inside (not yet taken).
  bool has_value_back() const noexcept { return back_.has_value(); }
  // Moves the handed-back value out. ContractError when the value was sent
  // or was already taken.
  T take_back() {
    POLLEN_REQUIRE(back_.has_value(),
                   "SendResult::take_back() on a result without a value: the value was sent (check "
                   "is_sent() first) or was already taken back");
    T v = std::move(*back_);
    back_.reset();
    return v;
  }

 private:
  SendResult(SendStatus s, Option<T> back) : status_(s), back_(std::move(back)) {}

  SendStatus status_;
  Option<T> back_;  // engaged when status_ != Sent, until take_back()
};

// The outcome of a receive. Holds the value exactly when status() == Received.
template <class T>
class RecvResult {
 public:
  static RecvResult received(T v) {
    return RecvResult(RecvStatus::Received, Option<T>(std::move(v)));
  }
  static RecvResult empty() { return RecvResult(RecvStatus::Empty, Option<T>()); }
  static RecvResult closed() { return RecvResult(RecvStatus::Closed, Option<T>()); }
  // Received, with the value moved out of a channel's slot (one move).
  explicit RecvResult(detail::MoveFromSlot<T> from)
      : status_(RecvStatus::Received), value_(std::move(*from.slot)) {}

  RecvStatus status() const noexcept { return status_; }
  bool is_received() const noexcept { return status_ == RecvStatus::Received; }
  bool is_empty() const noexcept { return status_ == RecvStatus::Empty; }
  bool is_closed() const noexcept { return status_ == RecvStatus::Closed; }
  explicit operator bool() const noexcept { return is_received(); }

  // The received value. ContractError when there is none (Empty, Closed).
  T& value() & {
    check();
    return *value_;
  }
  const T& value() const& {
    check();
    return *value_;
  }
  T value() && {
    check();
    return std::move(*value_);
  }
  // The value as an Option: none when Empty or Closed.
  Option<T> into_option() && { return value_.take(); }

  friend bool operator==(const RecvResult& a, const RecvResult& b) {
    return a.status_ == b.status_ && a.value_ == b.value_;
  }
  friend bool operator!=(const RecvResult& a, const RecvResult& b) { return !(a == b); }

 private:
  RecvResult(RecvStatus s, Option<T> v) : status_(s), value_(std::move(v)) {}
  void check() const {
    POLLEN_REQUIRE(value_.has_value(),
                   "RecvResult::value() on a result without a value (Empty or Closed); check "
                   "is_received() first");
  }

  RecvStatus status_;
  Option<T> value_;  // engaged exactly when status_ == Received
};

POLLEN_NAMESPACE_END
