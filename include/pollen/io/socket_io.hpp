// pollen/io/socket_io.hpp: the read and write futures of pollen's stream
// sockets (TcpStream, UnixStream and their split halves, which all return
// these), driven by the socket's io::AsyncFd.
//
//   SocketRead       Waiting --bytes, EOF (0) or an error--> Done
//   (read)           Waiting --the poll threw--> Poisoned
//
//   SocketReadExact  Reading --the buffer is full--> Done              ok(len)
//   (read_exact)     Reading --EOF first: NetError::unexpected_eof--> Done
//                    Reading --an error--> Done                        err(e)
//                    Reading --the poll threw--> Poisoned
//
//   SocketWrite      Waiting --some bytes accepted, or an error--> Done
//   (write)          Waiting --the poll threw--> Poisoned
//
//   SocketWriteAll   Writing --every byte accepted--> Done             ok(len)
//   (write_all)      Writing --an error--> Done                        err(e)
//                    Writing --the poll threw--> Poisoned
//
// Each poll asks the AsyncFd: when the direction is ready, one syscall
// (read(2), or send(2) with MSG_NOSIGNAL so that a peer's reset is the error
// EPIPE and never the signal SIGPIPE); on EAGAIN the AsyncFd clears that
// readiness and the future stays Pending until the fd is ready again.
// read_exact and write_all repeat the syscall within one poll until the
// buffer is done or the kernel says EAGAIN.
//
// Output: Result<std::size_t>: the bytes moved (read: 0 means end of
//   stream, or a 0-byte buffer), or the kernel's error as a value
//   (std::system_category(): ECONNRESET, EPIPE, ...). read_exact and
//   write_all give the whole length, or an error.
// Cancellation:
//   read and write are cancel safe: they are Ready exactly when the syscall
//   moved bytes (or failed), so dropping a pending one loses nothing and the
//   bytes arrive on the next read.
//   read_exact and write_all are NOT cancel safe: dropping a pending one
//   loses the count of bytes already moved (read_exact: those bytes are in
//   the buffer, but no one knows how many; write_all: they were sent, and
//   the peer will see them). filled() / written() report that count while
//   the future is alive, for a caller that must know before it drops it.
//   A pending future claims its direction of the socket (AsyncFd's claim)
//   and stores its task's waker there; dropping it gives both back, so a
//   future dropped while Pending is not woken later. Keep the future
//   across polls; hand-written futures use the sockets' poll_read /
//   poll_write steps instead, which claim nothing.
// Contract errors: polling after Ready, or after the poll threw; a second
//   future waiting to read (or write) the same socket while one waits ("two
//   waiters to read fd 7 at once"; split the stream to read and write from
//   two tasks); everything AsyncFd checks (the socket's loop must be the
//   polling task's loop).
// Polling order: no children. A poll spends one unit of the task's budget
//   before its first syscall; when the budget is spent it returns Pending,
//   already re-woken, having moved nothing.
// Lifetimes: the futures borrow the socket and the buffer; both must outlive
//   the future (as with std::string_view). A moved-from future is Done.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/context.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future_ext.hpp>
#include <pollen/core/poll.hpp>
#include <pollen/core/poll_observer.hpp>
#include <pollen/core/result.hpp>
#include <pollen/io/async_fd.hpp>
#include <pollen/io/socket_addr.hpp>

#include <cstddef>
#include <string>

POLLEN_NAMESPACE_BEGIN
namespace io {

namespace detail {
// One read(2) / send(2) when `fd` is ready in that direction (write(2)
// instead of send(2) when `socket` is false: a pipe). While Pending the
// direction is claimed by `claim` (a future of this header: a second future
// waiting on the same direction is a ContractError naming the fd); with no
// claim, the last caller's waker is the one kept.
Poll<Result<std::size_t>> poll_read_some(AsyncFd& fd, Context& cx, void* buf, std::size_t len,
                                         const void* claim = nullptr);
Poll<Result<std::size_t>> poll_write_some(AsyncFd& fd, Context& cx, const void* buf, std::size_t len,
                                          const void* claim = nullptr, bool socket = true);
// The futures below serve sockets and pipes; `kind` says which ("pipe").
bool is_socket_kind(const char* kind) noexcept;
// "tcp::read(fd 7, 64 bytes)": the node name of the futures below.
std::string io_node_name(const char* kind, const char* op, int fd, std::size_t done, std::size_t len,
                         bool show_done);
// The ContractError of polling a finished future `kind::op`.
[[noreturn]] void io_polled_when_finished(const char* kind, const char* op, bool threw);
}  // namespace detail

// stream.read(buf, len): at most len bytes, as soon as any are there.
class POLLEN_NODISCARD_TYPE SocketRead : public FutureExt<SocketRead> {
 public:
  using Output = Result<std::size_t>;
  static constexpr bool is_cancel_safe = true;
  enum class State { Waiting, Done, Poisoned };

  SocketRead(AsyncFd& fd, void* buf, std::size_t len, const char* kind) noexcept
      : fd_(&fd), buf_(buf), len_(len), kind_(kind) {}
  SocketRead(SocketRead&& o) noexcept
      : fd_(o.fd_), buf_(o.buf_), len_(o.len_), kind_(o.kind_), state_(o.state_),
        claim_(std::move(o.claim_)) {
    o.state_ = State::Done;
  }
  SocketRead& operator=(SocketRead&&) = delete;

  Poll<Output> poll(Context& cx) {
    pollen::detail::observe_poll(cx, this);
    if (state_ != State::Waiting) detail::io_polled_when_finished(kind_, "read", state_ == State::Poisoned);
    if (!cx.consume_budget()) return pending;
    state_ = State::Poisoned;  // until the poll returns: a throw leaves it so
    Poll<Output> p = len_ == 0 ? Poll<Output>(Output(ok(std::size_t{0})))
                               : detail::poll_read_some(*fd_, cx, buf_, len_, claim_.id());
    claim_.update(*fd_, Interest::Readable, p.is_pending());
    state_ = p.is_ready() ? State::Done : State::Waiting;
    return p;
  }

  State state() const noexcept { return state_; }
  void describe(Describer& d) const {
    d.node(detail::io_node_name(kind_, "read", fd_->fd(), 0, len_, false),
           state_ == State::Waiting ? "state: Waiting" : state_ == State::Done ? "state: Done" : "state: Poisoned");
  }

 private:
  AsyncFd* fd_;     // borrowed: the socket outlives this future
  void* buf_;       // borrowed, len_ bytes
  std::size_t len_;
  const char* kind_;  // "tcp", "unix": for describe() and messages
  State state_ = State::Waiting;
  ReadinessClaim claim_;  // the fd's claim while Pending
};

// stream.read_exact(buf, len): exactly len bytes, or an error.
class POLLEN_NODISCARD_TYPE SocketReadExact : public FutureExt<SocketReadExact> {
 public:
  using Output = Result<std::size_t>;
  static constexpr bool is_cancel_safe = false;
  enum class State { Reading, Done, Poisoned };

  SocketReadExact(AsyncFd& fd, void* buf, std::size_t len, const char* kind) noexcept
      : fd_(&fd), buf_(static_cast<char*>(buf)), len_(len), kind_(kind) {}
  SocketReadExact(SocketReadExact&& o) noexcept
      : fd_(o.fd_), buf_(o.buf_), len_(o.len_), filled_(o.filled_), kind_(o.kind_), state_(o.state_),
        claim_(std::move(o.claim_)) {
    o.state_ = State::Done;
  }
  SocketReadExact& operator=(SocketReadExact&&) = delete;

  Poll<Output> poll(Context& cx) {
    pollen::detail::observe_poll(cx, this);
    if (state_ != State::Reading) {
      detail::io_polled_when_finished(kind_, "read_exact", state_ == State::Poisoned);
    }
    if (!cx.consume_budget()) return pending;
    state_ = State::Poisoned;  // until the poll returns: a throw leaves it so
    while (filled_ < len_) {
      Poll<Result<std::size_t>> p = detail::poll_read_some(*fd_, cx, buf_ + filled_, len_ - filled_, claim_.id());
      claim_.update(*fd_, Interest::Readable, p.is_pending());
      if (p.is_pending()) {
        state_ = State::Reading;
        return pending;
      }
      Result<std::size_t> r = std::move(p).value();
      if (!r.ok()) return finish(err(r.error()));
      if (r.value() == 0) return finish(err(make_error_code(NetError::unexpected_eof)));
      filled_ += r.value();
    }
    return finish(ok(len_));
  }

  // Bytes already in the buffer (valid while the future lives).
  std::size_t filled() const noexcept { return filled_; }
  State state() const noexcept { return state_; }
  void describe(Describer& d) const {
    d.node(detail::io_node_name(kind_, "read_exact", fd_->fd(), filled_, len_, true),
           state_ == State::Reading ? "state: Reading" : state_ == State::Done ? "state: Done" : "state: Poisoned");
  }

 private:
  Poll<Output> finish(Output r) {
    state_ = State::Done;
    return r;
  }

  AsyncFd* fd_;        // borrowed: the socket outlives this future
  char* buf_;          // borrowed, len_ bytes; [0, filled_) read so far
  std::size_t len_;
  std::size_t filled_ = 0;
  const char* kind_;
  State state_ = State::Reading;
  ReadinessClaim claim_;  // the fd's claim while Pending
};

// stream.write(buf, len): as many of the len bytes as the socket takes now
// (at least one, unless len is 0 or there is an error).
class POLLEN_NODISCARD_TYPE SocketWrite : public FutureExt<SocketWrite> {
 public:
  using Output = Result<std::size_t>;
  static constexpr bool is_cancel_safe = true;
  enum class State { Waiting, Done, Poisoned };

  SocketWrite(AsyncFd& fd, const void* buf, std::size_t len, const char* kind) noexcept
      : fd_(&fd), buf_(buf), len_(len), kind_(kind) {}
  SocketWrite(SocketWrite&& o) noexcept
      : fd_(o.fd_), buf_(o.buf_), len_(o.len_), kind_(o.kind_), state_(o.state_),
        claim_(std::move(o.claim_)) {
    o.state_ = State::Done;
  }
  SocketWrite& operator=(SocketWrite&&) = delete;

  Poll<Output> poll(Context& cx) {
    pollen::detail::observe_poll(cx, this);
    if (state_ != State::Waiting) detail::io_polled_when_finished(kind_, "write", state_ == State::Poisoned);
    if (!cx.consume_budget()) return pending;
    state_ = State::Poisoned;  // until the poll returns: a throw leaves it so
    Poll<Output> p = len_ == 0 ? Poll<Output>(Output(ok(std::size_t{0})))
                               : detail::poll_write_some(*fd_, cx, buf_, len_, claim_.id(),
                                                         detail::is_socket_kind(kind_));
    claim_.update(*fd_, Interest::Writable, p.is_pending());
    state_ = p.is_ready() ? State::Done : State::Waiting;
    return p;
  }

  State state() const noexcept { return state_; }
  void describe(Describer& d) const {
    d.node(detail::io_node_name(kind_, "write", fd_->fd(), 0, len_, false),
           state_ == State::Waiting ? "state: Waiting" : state_ == State::Done ? "state: Done" : "state: Poisoned");
  }

 private:
  AsyncFd* fd_;       // borrowed: the socket outlives this future
  const void* buf_;   // borrowed, len_ bytes
  std::size_t len_;
  const char* kind_;
  State state_ = State::Waiting;
  ReadinessClaim claim_;  // the fd's claim while Pending
};

// stream.write_all(buf, len): every one of the len bytes, or an error.
class POLLEN_NODISCARD_TYPE SocketWriteAll : public FutureExt<SocketWriteAll> {
 public:
  using Output = Result<std::size_t>;
  static constexpr bool is_cancel_safe = false;
  enum class State { Writing, Done, Poisoned };

  SocketWriteAll(AsyncFd& fd, const void* buf, std::size_t len, const char* kind) noexcept
      : fd_(&fd), buf_(static_cast<const char*>(buf)), len_(len), kind_(kind) {}
  SocketWriteAll(SocketWriteAll&& o) noexcept
      : fd_(o.fd_), buf_(o.buf_), len_(o.len_), written_(o.written_), kind_(o.kind_), state_(o.state_),
        claim_(std::move(o.claim_)) {
    o.state_ = State::Done;
  }
  SocketWriteAll& operator=(SocketWriteAll&&) = delete;

  Poll<Output> poll(Context& cx) {
    pollen::detail::observe_poll(cx, this);
    if (state_ != State::Writing) {
      detail::io_polled_when_finished(kind_, "write_all", state_ == State::Poisoned);
    }
    if (!cx.consume_budget()) return pending;
    state_ = State::Poisoned;  // until the poll returns: a throw leaves it so
    while (written_ < len_) {
      Poll<Result<std::size_t>> p =
          detail::poll_write_some(*fd_, cx, buf_ + written_, len_ - written_, claim_.id(),
                                  detail::is_socket_kind(kind_));
      claim_.update(*fd_, Interest::Writable, p.is_pending());
      if (p.is_pending()) {
        state_ = State::Writing;
        return pending;
      }
      Result<std::size_t> r = std::move(p).value();
      if (!r.ok()) return finish(err(r.error()));
      if (r.value() == 0) return finish(err(make_error_code(NetError::write_zero)));
      written_ += r.value();
    }
    return finish(ok(len_));
  }

  // Bytes already handed to the kernel (valid while the future lives).
  std::size_t written() const noexcept { return written_; }
  State state() const noexcept { return state_; }
  void describe(Describer& d) const {
    d.node(detail::io_node_name(kind_, "write_all", fd_->fd(), written_, len_, true),
           state_ == State::Writing ? "state: Writing" : state_ == State::Done ? "state: Done" : "state: Poisoned");
  }

 private:
  Poll<Output> finish(Output r) {
    state_ = State::Done;
    return r;
  }

  AsyncFd* fd_;         // borrowed: the socket outlives this future
  const char* buf_;     // borrowed, len_ bytes; [0, written_) sent so far
  std::size_t len_;
  std::size_t written_ = 0;
  const char* kind_;
  State state_ = State::Writing;
  ReadinessClaim claim_;  // the fd's claim while Pending
};

// Which directions shutdown() closes.
enum class Shutdown { Read, Write, Both };

}  // namespace io
POLLEN_NAMESPACE_END
