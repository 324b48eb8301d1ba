// pollen/io/udp.hpp: UdpSocket, datagrams over the event loop.
//
// Example:
//
//   auto s = pollen::io::UdpSocket::bind(loop, "127.0.0.1:0");
//   // in a task of `loop`:
//   //   s.send_to(buf, n, peer):  Result<std::size_t>
//   //   s.recv_from(buf, n):      Result<std::pair<std::size_t, SocketAddr>>
//
// The futures:
//
//   UdpSendTo    Waiting --the datagram sent, or an error--> Done
//   (send_to)    Waiting --the poll threw--> Poisoned
//
//   UdpRecvFrom  Waiting --a datagram, or an error--> Done
//   (recv_from)  Waiting --the poll threw--> Poisoned
//
// Output: send_to: the bytes sent (the whole datagram: UDP does not send
//   part of one); recv_from: the bytes received and the sender's address. A
//   datagram longer than the buffer is truncated to it (recvfrom(2)
//   semantics: the rest is discarded). Kernel errors are values
//   (ECONNREFUSED after an ICMP port-unreachable, EMSGSIZE, ...).
// Cancellation: both are cancel safe: a datagram is sent or received whole
//   within one poll, or not at all.
// Contract errors: polling after Ready; an empty socket; two tasks receiving
//   (or sending) on one socket at once (AsyncFd's one waiter per direction).
// Polling order: no children; a poll spends one unit of the task's budget
//   before its syscall.
// Lifetimes: the futures borrow the socket and the buffer.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/context.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future_ext.hpp>
#include <pollen/core/poll.hpp>
#include <pollen/core/poll_observer.hpp>
#include <pollen/core/result.hpp>
#include <pollen/io/async_fd.hpp>
#include <pollen/io/socket_addr.hpp>
#include <pollen/io/socket_io.hpp>
#include <pollen/io/tcp.hpp>

#include <cstddef>
#include <string>
#include <utility>

POLLEN_NAMESPACE_BEGIN

class EventLoop;

namespace io {

class UdpSendTo;
class UdpRecvFrom;

class UdpSocket {
 public:
  UdpSocket() noexcept = default;  // empty
  UdpSocket(UdpSocket&&) noexcept = default;
  UdpSocket& operator=(UdpSocket&&) noexcept = default;

  // socket + bind. Port 0 picks a free port (local_addr() tells which).
  static Result<UdpSocket> bind(EventLoop& loop, const SocketAddr& addr);
  static Result<UdpSocket> bind(EventLoop& loop, const std::string& addr);

  POLLEN_NODISCARD UdpSendTo send_to(const void* buf, std::size_t len, const SocketAddr& to);
  POLLEN_NODISCARD UdpRecvFrom recv_from(void* buf, std::size_t len);
  // The steps, for futures written by hand (no budget spent; Pending keeps
  // the last caller's waker). `claim`: the future waiting (send_to() and
  // recv_from() pass themselves), so that two of them waiting on one
  // direction at once are a ContractError rather than a lost wakeup.
  Poll<Result<std::size_t>> poll_send_to(Context& cx, const void* buf, std::size_t len, const SocketAddr& to,
                                         const void* claim = nullptr);
  Poll<Result<std::pair<std::size_t, SocketAddr>>> poll_recv_from(Context& cx, void* buf, std::size_t len,
                                                                  const void* claim = nullptr);

  Result<SocketAddr> local_addr() const;
  int fd() const noexcept { return fd_.fd(); }
  AsyncFd& async_fd() noexcept { return fd_; }
  explicit operator bool() const noexcept { return static_cast<bool>(fd_); }

 private:
  explicit UdpSocket(AsyncFd fd) noexcept : fd_(std::move(fd)) {}
  AsyncFd& checked(const char* op);

  AsyncFd fd_;  // empty in a default-constructed or moved-from socket
};

// socket.send_to(buf, len, to): see the diagram at the top.
class POLLEN_NODISCARD_TYPE UdpSendTo : public FutureExt<UdpSendTo> {
 public:
  using Output = Result<std::size_t>;
  static constexpr bool is_cancel_safe = true;
  enum class State { Waiting, Done, Poisoned };

  UdpSendTo(UdpSocket& s, const void* buf, std::size_t len, const SocketAddr& to) noexcept
      : socket_(&s), buf_(buf), len_(len), to_(to) {}
  UdpSendTo(UdpSendTo&& o) noexcept
      : socket_(o.socket_), buf_(o.buf_), len_(o.len_), to_(o.to_), state_(o.state_),
        claim_(std::move(o.claim_)) {
    o.state_ = State::Done;
  }
  UdpSendTo& operator=(UdpSendTo&&) = delete;

  Poll<Output> poll(Context& cx) {
    pollen::detail::observe_poll(cx, this);
    if (state_ != State::Waiting) detail::io_polled_when_finished("udp", "send_to", state_ == State::Poisoned);
    if (!cx.consume_budget()) return pending;
    state_ = State::Poisoned;  // until the poll returns: a throw leaves it so
    Poll<Output> p = socket_->poll_send_to(cx, buf_, len_, to_, claim_.id());
    claim_.update(socket_->async_fd(), Interest::Writable, p.is_pending());
    state_ = p.is_ready() ? State::Done : State::Waiting;
    return p;
  }

  State state() const noexcept { return state_; }
  void describe(Describer& d) const;

 private:

  UdpSocket* socket_;  // borrowed: outlives this future
  const void* buf_;    // borrowed, len_ bytes
  std::size_t len_;
  SocketAddr to_;
  State state_ = State::Waiting;
  ReadinessClaim claim_;  // the fd's claim while Pending
};

// socket.recv_from(buf, len): see the diagram at the top.
class POLLEN_NODISCARD_TYPE UdpRecvFrom : public FutureExt<UdpRecvFrom> {
 public:
  using Output = Result<std::pair<std::size_t, SocketAddr>>;
  static constexpr bool is_cancel_safe = true;
  enum class State { Waiting, Done, Poisoned };

  UdpRecvFrom(UdpSocket& s, void* buf, std::size_t len) noexcept : socket_(&s), buf_(buf), len_(len) {}
  UdpRecvFrom(UdpRecvFrom&& o) noexcept : socket_(o.socket_), buf_(o.buf_), len_(o.len_), state_(o.state_),
        claim_(std::move(o.claim_)) {
    o.state_ = State::Done;
  }
  UdpRecvFrom& operator=(UdpRecvFrom&&) = delete;

  Poll<Output> poll(Context& cx) {
    pollen::detail::observe_poll(cx, this);
    if (state_ != State::Waiting) detail::io_polled_when_finished("udp", "recv_from", state_ == State::Poisoned);
    if (!cx.consume_budget()) return pending;
    state_ = State::Poisoned;  // until the poll returns: a throw leaves it so
    Poll<Output> p = socket_->poll_recv_from(cx, buf_, len_, claim_.id());
    claim_.update(socket_->async_fd(), Interest::Readable, p.is_pending());
    state_ = p.is_ready() ? State::Done : State::Waiting;
    return p;
  }

  State state() const noexcept { return state_; }
  void describe(Describer& d) const;

 private:

  UdpSocket* socket_;  // borrowed: outlives this future
  void* buf_;          // borrowed, len_ bytes
  std::size_t len_;
  State state_ = State::Waiting;
  ReadinessClaim claim_;  // the fd's claim while Pending
};

}  // namespace io
POLLEN_NAMESPACE_END
