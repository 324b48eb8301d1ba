// pollen/io/unix.hpp: Unix domain stream sockets over the event loop:
// UnixListener (bind to a path, accept), UnixStream (connect, pair, read,
// write, shutdown, split).
//
// Example:
//
//   auto l = pollen::io::UnixListener::bind(loop, dir + "/server.sock");
//   // in a task of `loop`:
//   //   l.value().accept():                 Result<UnixStream>
//   //   UnixStream::connect(loop, path):    Result<UnixStream>
//   auto ends = pollen::io::UnixStream::pair(loop);  // socketpair(2)
//
// The futures:
//
//   UnixAccept   Waiting --a connection, or an error--> Done
//   (accept)     Waiting --the poll threw--> Poisoned
//
//   UnixConnect  Start --connect(2) done or failed at once--> Done
//   (connect)    Start --EINPROGRESS: register the socket--> Connecting
//                Connecting --writable; SO_ERROR read--> Done
//                Start --the path does not fit a sockaddr_un--> Done
//                any state --the poll threw--> Poisoned
//
// read / read_exact / write / write_all are the futures of
// io/socket_io.hpp (their describe() says `unix::read(...)`), and the split
// halves those of io/split.hpp.
//
// Decisions, where Unix sockets differ from TCP:
// * accept() gives the stream only, not the peer's address: a connecting
//   Unix socket is almost always unnamed. (getpeername is there if needed.)
// * A listener does not remove its socket file when it is destroyed (nor
//   does the kernel): remove it yourself, or bind in a fresh temporary
//   directory. Binding to a path that exists is EADDRINUSE, as a value.
// * connect(2) on a Unix socket does not go EINPROGRESS: it succeeds at once,
//   or fails at once (ECONNREFUSED: nobody listens; ENOENT: no such file;
//   EAGAIN: the listener's backlog is full, which the caller may retry).
//   Paths are at most 107 bytes (NetError::unix_path_too_long).
// Cancellation, errors, contract errors and deregistration are as for TCP
// (io/tcp.hpp).
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
#include <pollen/io/socket_io.hpp>
#include <pollen/io/split.hpp>
#include <pollen/io/tcp.hpp>

#include <sys/un.h>

#include <cstddef>
#include <string>
#include <system_error>
#include <utility>

POLLEN_NAMESPACE_BEGIN

class EventLoop;

namespace io {

class UnixConnect;
class UnixAccept;

class UnixStream {
 public:
  UnixStream() noexcept = default;  // empty
  UnixStream(UnixStream&&) noexcept = default;
  UnixStream& operator=(UnixStream&&) noexcept = default;

  // Connects to the listener at `path`; Output Result<UnixStream>.
  POLLEN_NODISCARD static UnixConnect connect(EventLoop& loop, const std::string& path);
  // Two connected streams (socketpair(2)), both on `loop`.
  static Result<std::pair<UnixStream, UnixStream>> pair(EventLoop& loop);
  // Adopts a connected, non-blocking Unix stream socket.
  static Result<UnixStream> from_fd(EventLoop& loop, int fd);

  POLLEN_NODISCARD SocketRead read(void* buf, std::size_t len) {
    return SocketRead(checked("read"), buf, len, "unix");
  }
  POLLEN_NODISCARD SocketReadExact read_exact(void* buf, std::size_t len) {
    return SocketReadExact(checked("read_exact"), buf, len, "unix");
  }
  POLLEN_NODISCARD SocketWrite write(const void* buf, std::size_t len) {
    return SocketWrite(checked("write"), buf, len, "unix");
  }
  POLLEN_NODISCARD SocketWriteAll write_all(const void* buf, std::size_t len) {
    return SocketWriteAll(checked("write_all"), buf, len, "unix");
  }
  // The steps of read() and write() for futures written by hand (as
  // TcpStream's).
  Poll<Result<std::size_t>> poll_read(Context& cx, void* buf, std::size_t len) {
    return detail::poll_read_some(checked("poll_read"), cx, buf, len);
  }
  Poll<Result<std::size_t>> poll_write(Context& cx, const void* buf, std::size_t len) {
    return detail::poll_write_some(checked("poll_write"), cx, buf, len);
  }

  Result<Unit> shutdown(Shutdown how);
  std::pair<SocketReadHalf, SocketWriteHalf> into_split() &&;

  int fd() const noexcept { return fd_.fd(); }
  AsyncFd& async_fd() noexcept { return fd_; }
  explicit operator bool() const noexcept { return static_cast<bool>(fd_); }

 private:
  friend class UnixListener;
  friend class UnixConnect;
  explicit UnixStream(AsyncFd fd) noexcept : fd_(std::move(fd)) {}
  AsyncFd& checked(const char* op) {
    if (!fd_) detail::empty_socket("UnixStream", op);
    return fd_;
  }

  AsyncFd fd_;  // the connected socket; empty in a default-constructed or moved-from stream
};

class UnixListener {
 public:
  UnixListener() noexcept = default;  // empty
  UnixListener(UnixListener&&) noexcept = default;
  UnixListener& operator=(UnixListener&&) noexcept = default;

  // socket + bind(path) + listen(backlog). Errors are values (EADDRINUSE
  // when the path exists, ENOENT when its directory does not,
  // NetError::unix_path_too_long).
  static Result<UnixListener> bind(EventLoop& loop, const std::string& path, int backlog = 1024);

  // The next connection: a future of Result<UnixStream>, cancel safe. The
  // listener must outlive it.
  POLLEN_NODISCARD UnixAccept accept();
  // The step, for futures written by hand (`claim`: as TcpListener's).
  Poll<Result<UnixStream>> poll_accept(Context& cx, const void* claim = nullptr);

  const std::string& path() const noexcept { return path_; }
  int fd() const noexcept { return fd_.fd(); }
  AsyncFd& async_fd() noexcept { return fd_; }
  explicit operator bool() const noexcept { return static_cast<bool>(fd_); }

 private:
  UnixListener(EventLoop& loop, AsyncFd fd, std::string path) noexcept
      : loop_(&loop), fd_(std::move(fd)), path_(std::move(path)) {}

  EventLoop* loop_ = nullptr;  // where accepted streams are registered
  AsyncFd fd_;                 // the listening socket
  std::string path_;           // what it was bound to
};

// listener.accept(): see the diagram at the top.
class POLLEN_NODISCARD_TYPE UnixAccept : public FutureExt<UnixAccept> {
 public:
  using Output = Result<UnixStream>;
  static constexpr bool is_cancel_safe = true;
  enum class State { Waiting, Done, Poisoned };

  explicit UnixAccept(UnixListener& l) noexcept : listener_(&l) {}
  UnixAccept(UnixAccept&& o) noexcept : listener_(o.listener_), state_(o.state_),
        claim_(std::move(o.claim_)) {
    o.state_ = State::Done;
  }
  UnixAccept& operator=(UnixAccept&&) = delete;

  Poll<Output> poll(Context& cx) {
    pollen::detail::observe_poll(cx, this);
    if (state_ != State::Waiting) detail::io_polled_when_finished("unix", "accept", state_ == State::Poisoned);
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

  UnixListener* listener_;  // borrowed: outlives this future
  State state_ = State::Waiting;
  ReadinessClaim claim_;  // the fd's claim while Pending
};

// UnixStream::connect(loop, path): see the diagram at the top.
class POLLEN_NODISCARD_TYPE UnixConnect : public FutureExt<UnixConnect> {
 public:
  using Output = Result<UnixStream>;
  static constexpr bool is_cancel_safe = true;
  enum class State { Start, Connecting, Done, Poisoned };

  UnixConnect(EventLoop& loop, std::string path) : loop_(&loop), path_(std::move(path)) {}
  UnixConnect(UnixConnect&& o) noexcept
      : loop_(o.loop_), path_(std::move(o.path_)), pending_(std::move(o.pending_)), state_(o.state_) {
    o.state_ = State::Done;
  }

  Poll<Output> poll(Context& cx) {
    pollen::detail::observe_poll(cx, this);
    if (state_ == State::Done || state_ == State::Poisoned) {
      detail::io_polled_when_finished("unix", "connect", state_ == State::Poisoned);
    }
    State was = state_;
    state_ = State::Poisoned;  // until the poll returns: a throw leaves it so
    return step(cx, was);
  }

  State state() const noexcept { return state_; }
  void describe(Describer& d) const;

 private:
  Poll<Output> step(Context& cx, State was);

  EventLoop* loop_;
  std::string path_;  // where to connect
  AsyncFd pending_;   // the connecting socket (valid in Connecting; else empty)
  State state_ = State::Start;
};

}  // namespace io
POLLEN_NAMESPACE_END
