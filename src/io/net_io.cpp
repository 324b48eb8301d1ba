// The syscalls behind pollen's sockets: reads and writes through an
// AsyncFd, a non-blocking connect, socket creation, and the split halves.
#include <pollen/io/socket_io.hpp>
#include <pollen/io/split.hpp>
#include <pollen/io/tcp.hpp>

#include <pollen/core/contract.hpp>
#include <pollen/runtime/event_loop.hpp>

#include "net_sys.hpp"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

POLLEN_NAMESPACE_BEGIN
namespace io {
namespace detail {

std::error_code last_error() noexcept { return std::error_code(errno, std::system_category()); }

// A write clears the writable readiness after a short transfer (fewer bytes
// than asked, but some): the send buffer was full at that moment, so the
// next send would only see EAGAIN, and the kernel reports an edge when room
// frees up (a report that races with the clear keeps the direction ready:
// the tick in ReadyEvent). This saves the EAGAIN syscall per full buffer.
//
// Reads do the same after a short read (fewer bytes than asked, but some:
// the receive buffer was drained), saving the read that would only say
// EAGAIN, once per message in a request/response protocol. A FIN that came
// with the last bytes is not lost by that clear: AsyncFd keeps a hangup
// ready for good (its closed bits), so the next read sees the end of stream
// (the half-close tests read "ping" and then end of stream this way).
Poll<Result<std::size_t>> poll_read_some(AsyncFd& fd, Context& cx, void* buf, std::size_t len,
                                         const void* claim) {
  const int f = fd.fd();
  return poll_syscall(
      fd, cx, Interest::Readable, claim, [f, buf, len]() { return ::read(f, buf, len); }, true, len);
}

bool is_socket_kind(const char* kind) noexcept { return ::strcmp(kind, "pipe") != 0; }

Poll<Result<std::size_t>> poll_write_some(AsyncFd& fd, Context& cx, const void* buf, std::size_t len,
                                          const void* claim, bool socket) {
  const int f = fd.fd();
  if (!socket) {
    // A pipe has no MSG_NOSIGNAL: write(2), and SIGPIPE unless it is
    // ignored (docs/io.md).
    return poll_syscall(
        fd, cx, Interest::Writable, claim, [f, buf, len]() { return ::write(f, buf, len); }, true, len);
  }
  // MSG_NOSIGNAL: writing to a reset connection is EPIPE, never SIGPIPE.
  return poll_syscall(
      fd, cx, Interest::Writable, claim, [f, buf, len]() { return ::send(f, buf, len, MSG_NOSIGNAL); },
      true, len);
}

std::string io_node_name(const char* kind, const char* op, int fd, std::size_t done, std::size_t len,
                         bool show_done) {
  std::string s = std::string(kind) + "::" + op + "(fd " + std::to_string(fd) + ", ";
  if (show_done) s += std::to_string(done) + " of ";
  return s + std::to_string(len) + " bytes)";
}

void io_polled_when_finished(const char* kind, const char* op, bool threw) {
  std::string name = std::string(kind) + "::" + op;
  if (threw) pollen::detail::polled_after_throw(name.c_str());
  pollen::detail::polled_after_ready(name.c_str());
}

void empty_socket(const char* type, const char* op) {
  pollen::detail::contract_violation(std::string(type) + "::" + op +
                                     " called on an empty socket (default-constructed, moved from, "
                                     "or split with into_split()); use the socket that bind(), "
                                     "connect() or accept() gave you");
}

Result<int> open_socket(int domain, int type) {
  int fd = ::socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return err(last_error());
  return ok(fd);
}

Result<AsyncFd> adopt_or_close(EventLoop& loop, int fd) {
  Result<AsyncFd> r = AsyncFd::adopt(loop, fd, Interest::ReadWrite);
  if (!r.ok()) ::close(fd);
  return r;
}

Poll<Result<AsyncFd>> poll_connect(Context& cx, EventLoop& loop, int domain, const sockaddr* addr,
                                   socklen_t len, AsyncFd& connecting) {
  if (!connecting) {
    Result<int> s = open_socket(domain, SOCK_STREAM);
    if (!s.ok()) return Result<AsyncFd>(err(s.error()));
    const int fd = s.value();
    const int rc = ::connect(fd, addr, len);
    if (rc != 0 && errno != EINPROGRESS) {
      std::error_code e = last_error();
      ::close(fd);
      return Result<AsyncFd>(err(e));
    }
    Result<AsyncFd> reg = adopt_or_close(loop, fd);
    if (!reg.ok() || rc == 0) return reg;
    connecting = std::move(reg).value();
  }
  // Connecting: writable (or hung up) once the kernel has an answer.
  Poll<ReadyEvent> ready = connecting.poll_write_ready(cx);
  if (ready.is_pending()) return pending;
  int so_error = 0;
  socklen_t n = sizeof so_error;
  if (::getsockopt(connecting.fd(), SOL_SOCKET, SO_ERROR, &so_error, &n) != 0) so_error = errno;
  if (so_error != 0) {
    connecting = AsyncFd();  // deregister and close
    return Result<AsyncFd>(err(std::error_code(so_error, std::system_category())));
  }
  return Result<AsyncFd>(ok(std::move(connecting)));
}

}  // namespace detail

// ---- split halves ----------------------------------------------------------

AsyncFd& SocketReadHalf::checked(const char* op) {
  if (!fd_) detail::empty_socket("SocketReadHalf", op);
  return *fd_;
}

SocketRead SocketReadHalf::read(void* buf, std::size_t len) {
  return SocketRead(checked("read"), buf, len, kind_);
}

SocketReadExact SocketReadHalf::read_exact(void* buf, std::size_t len) {
  return SocketReadExact(checked("read_exact"), buf, len, kind_);
}

SocketWriteHalf& SocketWriteHalf::operator=(SocketWriteHalf&& o) noexcept {
  if (this != &o) {
    if (fd_ && !shut_down_) shutdown_on_drop();
    fd_ = std::move(o.fd_);
    kind_ = o.kind_;
    shut_down_ = o.shut_down_;
  }
  return *this;
}

AsyncFd& SocketWriteHalf::checked(const char* op) {
  if (!fd_) detail::empty_socket("SocketWriteHalf", op);
  return *fd_;
}

SocketWrite SocketWriteHalf::write(const void* buf, std::size_t len) {
  return SocketWrite(checked("write"), buf, len, kind_);
}

SocketWriteAll SocketWriteHalf::write_all(const void* buf, std::size_t len) {
  return SocketWriteAll(checked("write_all"), buf, len, kind_);
}

Result<Unit> SocketWriteHalf::shutdown() {
  AsyncFd& fd = checked("shutdown");
  shut_down_ = true;
  if (::shutdown(fd.fd(), SHUT_WR) != 0) return err(detail::last_error());
  return ok();
}

void SocketWriteHalf::shutdown_on_drop() noexcept {
  // Only while the read half still holds the fd: when this is the last
  // owner, closing the fd ends the connection anyway.
  if (fd_.use_count() > 1) (void)::shutdown(fd_->fd(), SHUT_WR);
}

}  // namespace io
POLLEN_NAMESPACE_END
