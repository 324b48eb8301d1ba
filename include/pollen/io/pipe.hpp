// pollen/io/pipe.hpp: pipes, and any byte-stream fd adopted from the host
// (stdin, stdout, a FIFO, a pty), as readers and writers on the event loop.
//
//   pollen::io::Pipe p = pollen::io::pipe(loop).value();
//   // in one task:  await p.writer.write_all(buf, n)
//   // in another:   await p.reader.read(buf, sizeof buf)   -> 0 at EOF
//
// Example:
//
//   // stdin as a stream: it must be non-blocking first (see below)
//   ::fcntl(0, F_SETFL, ::fcntl(0, F_GETFL) | O_NONBLOCK);
//   pollen::io::PipeReader in = pollen::io::PipeReader::borrow_fd(loop, 0).value();
//
// A PipeReader reads, a PipeWriter writes; both are registered with one
// loop (an io::AsyncFd) and give the same futures as the sockets
// (<pollen/io/socket_io.hpp>): read (cancel-safe), read_exact, write
// (cancel-safe), write_all (not cancel-safe), with describe() names
// "pipe::read(fd 5, 64 bytes)".
//
// The writer's end: dropping (or reset()) the last PipeWriter closes the
// write end and the reader sees end of stream (read gives 0). Writing when
// the read end is closed is EPIPE as an error value if the program ignores
// SIGPIPE (signal(SIGPIPE, SIG_IGN), as most servers do); otherwise the
// kernel sends SIGPIPE, whose default kills the process: pipes have no
// per-call MSG_NOSIGNAL as sockets do.
//
// Adopting a host's fd. from_fd() takes ownership (closes it when dropped);
// borrow_fd() never closes it (stdin, stdout). The fd must be non-blocking:
// AsyncFd checks O_NONBLOCK and does not set it, because the flag belongs to
// the open file description, which a terminal shares with the shell and
// other processes; set it yourself, and put it back at exit if you care. A
// regular file redirected to stdin cannot be watched by epoll (EPERM, an
// error value of from_fd / borrow_fd): read it with fs::read_file or on
// spawn_blocking.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/context.hpp>
#include <pollen/core/poll.hpp>
#include <pollen/core/result.hpp>
#include <pollen/io/async_fd.hpp>
#include <pollen/io/socket_io.hpp>

#include <cstddef>

POLLEN_NAMESPACE_BEGIN
namespace io {

class PipeReader {
 public:
  PipeReader() noexcept = default;  // empty: every operation but the destructor is a ContractError
  PipeReader(PipeReader&&) noexcept = default;
  PipeReader& operator=(PipeReader&&) noexcept = default;

  // Registers a non-blocking fd open for reading: from_fd closes it when
  // dropped, borrow_fd never does.
  static Result<PipeReader> from_fd(EventLoop& loop, int fd);
  static Result<PipeReader> borrow_fd(EventLoop& loop, int fd);

  POLLEN_NODISCARD SocketRead read(void* buf, std::size_t len) {
    return SocketRead(checked("read"), buf, len, "pipe");
  }
  POLLEN_NODISCARD SocketReadExact read_exact(void* buf, std::size_t len) {
    return SocketReadExact(checked("read_exact"), buf, len, "pipe");
  }
  // One read(2) when ready, for futures written by hand.
  Poll<Result<std::size_t>> poll_read(Context& cx, void* buf, std::size_t len) {
    return detail::poll_read_some(checked("poll_read"), cx, buf, len);
  }

  int fd() const noexcept { return fd_.fd(); }
  AsyncFd& async_fd() noexcept { return fd_; }
  explicit operator bool() const noexcept { return static_cast<bool>(fd_); }
  void reset() noexcept { fd_.reset(); }

 private:
  explicit PipeReader(AsyncFd fd) noexcept : fd_(std::move(fd)) {}
  AsyncFd& checked(const char* op);
  friend struct PipeAccess;
  AsyncFd fd_;
};

class PipeWriter {
 public:
  PipeWriter() noexcept = default;  // empty: every operation but the destructor is a ContractError
  PipeWriter(PipeWriter&&) noexcept = default;
  PipeWriter& operator=(PipeWriter&&) noexcept = default;

  // Registers a non-blocking fd open for writing: from_fd closes it when
  // dropped, borrow_fd never does.
  static Result<PipeWriter> from_fd(EventLoop& loop, int fd);
  static Result<PipeWriter> borrow_fd(EventLoop& loop, int fd);

  POLLEN_NODISCARD SocketWrite write(const void* buf, std::size_t len) {
    return SocketWrite(checked("write"), buf, len, "pipe");
  }
  POLLEN_NODISCARD SocketWriteAll write_all(const void* buf, std::size_t len) {
    return SocketWriteAll(checked("write_all"), buf, len, "pipe");
  }
  // One write(2) when ready, for futures written by hand.
  Poll<Result<std::size_t>> poll_write(Context& cx, const void* buf, std::size_t len) {
    return detail::poll_write_some(checked("poll_write"), cx, buf, len, nullptr, false);
  }

  int fd() const noexcept { return fd_.fd(); }
  AsyncFd& async_fd() noexcept { return fd_; }
  explicit operator bool() const noexcept { return static_cast<bool>(fd_); }
  // Closes the write end (an adopted one): the reader sees end of stream.
  void reset() noexcept { fd_.reset(); }

 private:
  explicit PipeWriter(AsyncFd fd) noexcept : fd_(std::move(fd)) {}
  AsyncFd& checked(const char* op);
  friend struct PipeAccess;
  AsyncFd fd_;
};

// A new pipe, both ends non-blocking and close-on-exec, on `loop`.
struct Pipe {
  PipeReader reader;
  PipeWriter writer;
};
Result<Pipe> pipe(EventLoop& loop);

}  // namespace io
POLLEN_NAMESPACE_END
