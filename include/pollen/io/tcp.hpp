// pollen/io/tcp.hpp: TCP over the event loop: TcpListener (bind, accept),
// TcpStream (connect, read, write, shutdown, split).
//
// Example:
//
//   pollen::Result<pollen::io::TcpListener> l = pollen::io::TcpListener::bind(loop, "127.0.0.1:0");
//   pollen::io::SocketAddr where = l.value().local_addr().value();
//   // in a task of `loop`:
//   //   accept():            Result<std::pair<TcpStream, SocketAddr>>
//   //   TcpStream::connect:  Result<TcpStream>
//   //   s.read(buf, n):      Result<std::size_t>, 0 = the peer closed
//
// The futures:
//
//   TcpAccept   Waiting --a connection, or an error--> Done
//   (accept)    Waiting --the poll threw--> Poisoned
//
//   TcpConnect  Start --connect(2) done or failed at once--> Done
//   (connect)   Start --EINPROGRESS: register the socket--> Connecting
//               Connecting --writable; SO_ERROR is 0: ok(stream)--> Done
//               Connecting --writable; SO_ERROR set: err(e)--> Done
//               Start --a bad address string given to connect()--> Done
//               any state --the poll threw--> Poisoned
//
// read / read_exact / write / write_all are the futures of
// io/socket_io.hpp; their diagrams and cancel safety are there.
//
// Sockets are created non-blocking and close-on-exec (SOCK_NONBLOCK |
// SOCK_CLOEXEC; accept4 for accepted ones), and registered with the loop
// given to bind()/connect() (the listener's loop for accepted streams) as
// an io::AsyncFd. Destroying a listener or a stream deregisters the fd from
// the loop's poller before closing it, so no event for a later socket that
// gets the same fd number can reach it.
//
// Errors: everything the kernel reports is a value (ECONNREFUSED from
// connect, ECONNRESET from read, EADDRINUSE from bind, EMFILE from accept, a
// bad address string as io::NetError); misuse is a ContractError (reading an
// empty or moved-from stream, two tasks reading one stream at once, polling
// a finished future).
//
// Cancellation: accept is cancel safe (Ready exactly when a connection was
// taken off the queue; a pending accept holds nothing). connect is cancel
// safe: dropping it while Connecting closes the half-open socket, and the
// caller had nothing in it. Dropping a TcpStream closes the connection.
//
// Listeners set SO_REUSEADDR (a restarted server can bind its port while old
// connections linger in TIME_WAIT), as tokio and most servers do.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/context.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future_ext.hpp>
#include <pollen/core/poll.hpp>
#include <pollen/core/poll_observer.hpp>
#include <pollen/core/result.hpp>
#include <pollen/core/unit.hpp>
#include <pollen/io/async_fd.hpp>
#include <pollen/io/socket_addr.hpp>
#include <pollen/io/socket_io.hpp>
#include <pollen/io/split.hpp>

#include <cstddef>
#include <string>
#include <system_error>
#include <utility>

POLLEN_NAMESPACE_BEGIN

class EventLoop;

namespace io {

class TcpStream;
class TcpListener;
class TcpConnect;
class TcpAccept;

namespace detail {
// Start or continue a non-blocking connect(2): with `connecting` empty, creates
// the socket (`domain`, SOCK_STREAM) and connects; Ready(ok) when connected,
// Ready(err) when it failed, Pending with the socket in `connecting` while the
// kernel connects. Later calls wait for writability and read SO_ERROR.
Poll<Result<AsyncFd>> poll_connect(Context& cx, EventLoop& loop, int domain, const sockaddr* addr,
                                   socklen_t len, AsyncFd& connecting);
// A new non-blocking, close-on-exec socket; errno as a value.
Result<int> open_socket(int domain, int type);
// Registers `fd` with `loop` (ReadWrite), closing it when that fails.
Result<AsyncFd> adopt_or_close(EventLoop& loop, int fd);
std::error_code last_error() noexcept;
[[noreturn]] void empty_socket(const char* type, const char* op);
}  // namespace detail

class TcpStream {
 public:
  // Empty: every operation but the destructor is a ContractError.
  TcpStream() noexcept = default;
  TcpStream(TcpStream&&) noexcept = default;
  TcpStream& operator=(TcpStream&&) noexcept = default;

  // Connects to `addr`; the future's Output is Result<TcpStream>.
  POLLEN_NODISCARD static TcpConnect connect(EventLoop& loop, const SocketAddr& addr);
  // The same with "host:port" (SocketAddr::parse); a bad string makes the
  // future Ready with that error at its first poll.
  POLLEN_NODISCARD static TcpConnect connect(EventLoop& loop, const std::string& addr);
  // Adopts a connected, non-blocking TCP socket (it is closed with the
  // stream). A blocking fd is a ContractError (AsyncFd checks O_NONBLOCK).
  static Result<TcpStream> from_fd(EventLoop& loop, int fd);

  POLLEN_NODISCARD SocketRead read(void* buf, std::size_t len) {
    return SocketRead(checked("read"), buf, len, "tcp");
  }
  POLLEN_NODISCARD SocketReadExact read_exact(void* buf, std::size_t len) {
    return SocketReadExact(checked("read_exact"), buf, len, "tcp");
  }
  POLLEN_NODISCARD SocketWrite write(const void* buf, std::size_t len) {
    return SocketWrite(checked("write"), buf, len, "tcp");
  }
  POLLEN_NODISCARD SocketWriteAll write_all(const void* buf, std::size_t len) {
    return SocketWriteAll(checked("write_all"), buf, len, "tcp");
  }
  // The steps of read() and write() for futures written by hand: one
  // read(2) / send(2) when ready, Pending (storing cx's waker) when not. No
  // budget is spent; the caller decides.
  Poll<Result<std::size_t>> poll_read(Context& cx, void* buf, std::size_t len) {
    return detail::poll_read_some(checked("poll_read"), cx, buf, len);
  }
  Poll<Result<std::size_t>> poll_write(Context& cx, const void* buf, std::size_t len) {
    return detail::poll_write_some(checked("poll_write"), cx, buf, len);
  }

  // shutdown(2): Write sends FIN (the peer reads end of stream; this side
  // can still read). Kernel errors (ENOTCONN) are values.
  Result<Unit> shutdown(Shutdown how);
  // TCP_NODELAY: send small writes at once (no Nagle delay).
  Result<Unit> set_nodelay(bool on);
  Result<bool> nodelay() const;
  Result<SocketAddr> local_addr() const;
  Result<SocketAddr> peer_addr() const;

  // The two halves, usable by two tasks at once (io/split.hpp). The stream
  // is moved into them.
  std::pair<SocketReadHalf, SocketWriteHalf> into_split() &&;

  int fd() const noexcept { return fd_.fd(); }
  AsyncFd& async_fd() noexcept { return fd_; }
  explicit operator bool() const noexcept { return static_cast<bool>(fd_); }

 private:
  friend class TcpListener;
  friend class TcpConnect;
  explicit TcpStream(AsyncFd fd) noexcept : fd_(std::move(fd)) {}
  AsyncFd& checked(const char* op) {
    if (!fd_) detail::empty_socket("TcpStream", op);
    return fd_;
  }
  const AsyncFd& checked(const char* op) const {
    if (!fd_) detail::empty_socket("TcpStream", op);
    return fd_;
  }

  AsyncFd fd_;  // the connected socket; empty in a default-constructed or moved-from stream
};

class TcpListener {
 public:
  TcpListener() noexcept = default;  // empty
  TcpListener(TcpListener&&) noexcept = default;
  TcpListener& operator=(TcpListener&&) noexcept = default;

  // socket + SO_REUSEADDR + bind + listen(backlog). Port 0 picks a free
  // port: local_addr() tells which. Errors are values (EADDRINUSE, a bad
  // string as NetError).
  static Result<TcpListener> bind(EventLoop& loop, const SocketAddr& addr, int backlog = 1024);
  static Result<TcpListener> bind(EventLoop& loop, const std::string& addr, int backlog = 1024);

  // The next connection: a future of Result<std::pair<TcpStream, SocketAddr>>
  // (the stream and its peer's address), cancel safe. The listener must
  // outlive it.
  POLLEN_NODISCARD TcpAccept accept();
  // The same step for futures written by hand: Pending stores cx's waker
  // (the last caller's only). `claim`: the future waiting (accept() passes
  // itself), so that two accept() futures waiting at once are a
  // ContractError rather than a lost wakeup.
  Poll<Result<std::pair<TcpStream, SocketAddr>>> poll_accept(Context& cx, const void* claim = nullptr);

  Result<SocketAddr> local_addr() const;
  int fd() const noexcept { return fd_.fd(); }
  AsyncFd& async_fd() noexcept { return fd_; }
  explicit operator bool() const noexcept { return static_cast<bool>(fd_); }

 private:
  TcpListener(EventLoop& loop, AsyncFd fd) noexcept : loop_(&loop), fd_(std::move(fd)) {}

  EventLoop* loop_ = nullptr;  // where accepted streams are registered
  AsyncFd fd_;                 // the listening socket; empty when the listener is
};

// listener.accept(): see the diagram at the top.
class POLLEN_NODISCARD_TYPE TcpAccept : public FutureExt<TcpAccept> {
 public:
  using Output = Result<std::pair<TcpStream, SocketAddr>>;
  static constexpr bool is_cancel_safe = true;
  enum class State { Waiting, Done, Poisoned };

  explicit TcpAccept(TcpListener& l) noexcept : listener_(&l) {}
  TcpAccept(TcpAccept&& o) noexcept : listener_(o.listener_), state_(o.state_),
        claim_(std::move(o.claim_)) {
    o.state_ = State::Done;
  }
  TcpAccept& operator=(TcpAccept&&) = delete;

  Poll<Output> poll(Context& cx) {
    pollen::detail::observe_poll(cx, this);
    if (state_ != State::Waiting) detail::io_polled_when_finished("tcp", "accept", state_ == State::Poisoned);
    if (!cx.consume_budget()) return pending;
    state_ = State::Poisoned;  // until the poll returns: a throw leaves it so
    Poll<Output> p = listener_->poll_accept(cx, claim_.id());
    claim_.update(listener_->async_fd(), Interest::Readable, p.is_pending());
    state_ = p.is_ready() ? State::Done : State::Waiting;
    return p;
  }

  State state() const noexcept { return state_; }
  void describe(Describer& d) const;

 private:

  TcpListener* listener_;  // borrowed: outlives this future
  State state_ = State::Waiting;
  ReadinessClaim claim_;  // the fd's claim while Pending
};

// TcpStream::connect(loop, addr): see the diagram at the top.
class POLLEN_NODISCARD_TYPE TcpConnect : public FutureExt<TcpConnect> {
 public:
  using Output = Result<TcpStream>;
  static constexpr bool is_cancel_safe = true;
  enum class State { Start, Connecting, Done, Poisoned };

  TcpConnect(EventLoop& loop, const SocketAddr& addr) noexcept : loop_(&loop), addr_(addr) {}
  // A connect that fails at its first poll with `error` (a bad address).
  TcpConnect(EventLoop& loop, std::error_code error) noexcept : loop_(&loop), error_(error) {}
  TcpConnect(TcpConnect&& o) noexcept
      : loop_(o.loop_), addr_(o.addr_), error_(o.error_), pending_(std::move(o.pending_)), state_(o.state_) {
    o.state_ = State::Done;
  }

  Poll<Output> poll(Context& cx) {
    pollen::detail::observe_poll(cx, this);
    if (state_ == State::Done || state_ == State::Poisoned) {
      detail::io_polled_when_finished("tcp", "connect", state_ == State::Poisoned);
    }
    State was = state_;
    state_ = State::Poisoned;  // until the poll returns: a throw leaves it so
    return step(cx, was);
  }

  State state() const noexcept { return state_; }
  void describe(Describer& d) const;

 private:
  // One step from `was` (Start or Connecting); sets state_.
  Poll<Output> step(Context& cx, State was);

  EventLoop* loop_;
  SocketAddr addr_;          // where to connect (valid in Start and Connecting)
  std::error_code error_;    // set: fail with it at the first poll (valid in Start)
  AsyncFd pending_;          // the connecting socket (valid in Connecting; else empty)
  State state_ = State::Start;
};

}  // namespace io
POLLEN_NAMESPACE_END
