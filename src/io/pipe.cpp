// pollen::io::pipe and the adopted byte-stream fds (see <pollen/io/pipe.hpp>).
#include <pollen/core/contract.hpp>
#include <pollen/io/pipe.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>

POLLEN_NAMESPACE_BEGIN
namespace io {

struct PipeAccess {
  static PipeReader reader(AsyncFd fd) noexcept { return PipeReader(std::move(fd)); }
  static PipeWriter writer(AsyncFd fd) noexcept { return PipeWriter(std::move(fd)); }
};

namespace {
[[noreturn]] void empty_pipe(const char* type, const char* op) {
  pollen::detail::contract_violation(std::string("io::") + type + "::" + op +
                                     " called on an empty one (default-made, moved from or "
                                     "reset); use the one that pipe(), from_fd() or borrow_fd() "
                                     "gave you");
}
}  // namespace

AsyncFd& PipeReader::checked(const char* op) {
  if (!fd_) empty_pipe("PipeReader", op);
  return fd_;
}

AsyncFd& PipeWriter::checked(const char* op) {
  if (!fd_) empty_pipe("PipeWriter", op);
  return fd_;
}

Result<PipeReader> PipeReader::from_fd(EventLoop& loop, int fd) {
  Result<AsyncFd> r = AsyncFd::adopt(loop, fd, Interest::Readable);
  if (!r.ok()) return err(r.error());
  return ok(PipeAccess::reader(std::move(r).value()));
}

Result<PipeReader> PipeReader::borrow_fd(EventLoop& loop, int fd) {
  Result<AsyncFd> r = AsyncFd::borrow(loop, fd, Interest::Readable);
  if (!r.ok()) return err(r.error());
  return ok(PipeAccess::reader(std::move(r).value()));
}

Result<PipeWriter> PipeWriter::from_fd(EventLoop& loop, int fd) {
  Result<AsyncFd> r = AsyncFd::adopt(loop, fd, Interest::Writable);
  if (!r.ok()) return err(r.error());
  return ok(PipeAccess::writer(std::move(r).value()));
}

Result<PipeWriter> PipeWriter::borrow_fd(EventLoop& loop, int fd) {
  Result<AsyncFd> r = AsyncFd::borrow(loop, fd, Interest::Writable);
  if (!r.ok()) return err(r.error());
  return ok(PipeAccess::writer(std::move(r).value()));
}

Result<Pipe> pipe(EventLoop& loop) {
  int fds[2];
  if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
    return err(std::error_code(errno, std::system_category()));
  }
  Result<PipeReader> rd = PipeReader::from_fd(loop, fds[0]);
  if (!rd.ok()) {
    ::close(fds[0]);
    ::close(fds[1]);
    return err(rd.error());
  }
  Result<PipeWriter> wr = PipeWriter::from_fd(loop, fds[1]);
  if (!wr.ok()) {
    ::close(fds[1]);  // the reader closes its end
    return err(wr.error());
  }
  Pipe p;
  p.reader = std::move(rd).value();
  p.writer = std::move(wr).value();
  return ok(std::move(p));
}

}  // namespace io
POLLEN_NAMESPACE_END
