// pollen/io/split.hpp: SocketReadHalf and SocketWriteHalf, a stream socket
// split in two so that two tasks can use it at once, one reading and one
// writing (TcpStream::into_split(), UnixStream::into_split(); tokio's
// into_split).
//
// Example:
//
//   auto halves = std::move(stream).into_split();
//   loop.spawn(reader(std::move(halves.first))).detach();   // only reads
//   loop.spawn(writer(std::move(halves.second))).detach();  // only writes
//
// Ground rules
// * The halves share the socket's AsyncFd (a std::shared_ptr): the fd is
//   deregistered and closed when the last half is destroyed.
// * The read half only reads and the write half only writes, so the two
//   directions' waiters never meet: the AsyncFd keeps one reader and one
//   writer waiting at a time, and a second task reading through the same
//   half while one waits is a ContractError (as with the whole stream).
// * Destroying the write half shuts the write direction down (shutdown(2)
//   with SHUT_WR, unless shutdown() was already called), so the peer reads
//   end of stream even while the read half lives on; this is what tokio's
//   OwnedWriteHalf does.
// * Both halves belong to the loop the stream was registered on; use them
//   from that loop's tasks only (AsyncFd checks it).
// * The futures borrow the half: it must outlive them.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/result.hpp>
#include <pollen/core/unit.hpp>
#include <pollen/io/async_fd.hpp>
#include <pollen/io/socket_io.hpp>

#include <cstddef>
#include <memory>

POLLEN_NAMESPACE_BEGIN
namespace io {

class SocketReadHalf {
 public:
  SocketReadHalf() noexcept = default;  // empty: reading it is a ContractError
  SocketReadHalf(std::shared_ptr<AsyncFd> fd, const char* kind) noexcept
      : fd_(std::move(fd)), kind_(kind) {}

  POLLEN_NODISCARD SocketRead read(void* buf, std::size_t len);
  POLLEN_NODISCARD SocketReadExact read_exact(void* buf, std::size_t len);
  // The step of read(), for futures written by hand (as TcpStream's).
  Poll<Result<std::size_t>> poll_read(Context& cx, void* buf, std::size_t len) {
    return detail::poll_read_some(checked("poll_read"), cx, buf, len);
  }

  int fd() const noexcept { return fd_ ? fd_->fd() : -1; }
  explicit operator bool() const noexcept { return fd_ != nullptr; }

 private:
  AsyncFd& checked(const char* op);

  std::shared_ptr<AsyncFd> fd_;  // shared with the write half; null when empty
  const char* kind_ = "socket";
};

class SocketWriteHalf {
 public:
  SocketWriteHalf() noexcept = default;  // empty: writing it is a ContractError
  SocketWriteHalf(std::shared_ptr<AsyncFd> fd, const char* kind) noexcept
      : fd_(std::move(fd)), kind_(kind) {}
  SocketWriteHalf(SocketWriteHalf&& o) noexcept
      : fd_(std::move(o.fd_)), kind_(o.kind_), shut_down_(o.shut_down_) {}
  SocketWriteHalf& operator=(SocketWriteHalf&& o) noexcept;
  // Shuts the write direction down, unless shutdown() did.
  ~SocketWriteHalf() {
    if (fd_ && !shut_down_) shutdown_on_drop();
  }

  POLLEN_NODISCARD SocketWrite write(const void* buf, std::size_t len);
  POLLEN_NODISCARD SocketWriteAll write_all(const void* buf, std::size_t len);
  // The step of write(), for futures written by hand (as TcpStream's).
  Poll<Result<std::size_t>> poll_write(Context& cx, const void* buf, std::size_t len) {
    return detail::poll_write_some(checked("poll_write"), cx, buf, len);
  }
  // shutdown(2) with SHUT_WR: the peer reads end of stream. A kernel error
  // (ENOTCONN) is a value.
  Result<Unit> shutdown();

  int fd() const noexcept { return fd_ ? fd_->fd() : -1; }
  explicit operator bool() const noexcept { return fd_ != nullptr; }

 private:
  AsyncFd& checked(const char* op);
  void shutdown_on_drop() noexcept;

  std::shared_ptr<AsyncFd> fd_;  // shared with the read half; null when empty
  const char* kind_ = "socket";
  bool shut_down_ = false;  // shutdown() was called: the destructor does not repeat it
};

}  // namespace io
POLLEN_NAMESPACE_END
