// UnixListener, UnixStream, and the accept and connect futures' steps.
#include <pollen/io/unix.hpp>

#include <pollen/runtime/event_loop.hpp>

#include "net_sys.hpp"

#include <errno.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <memory>

POLLEN_NAMESPACE_BEGIN
namespace io {

namespace {

// `path` as a sockaddr_un; false when it does not fit (with its NUL).
bool unix_addr(const std::string& path, sockaddr_un& a, socklen_t& len) noexcept {
  std::memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  if (path.size() + 1 > sizeof a.sun_path) return false;
  std::memcpy(a.sun_path, path.data(), path.size());
  len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
  return true;
}

}  // namespace

// ---- UnixStream ------------------------------------------------------------

UnixConnect UnixStream::connect(EventLoop& loop, const std::string& path) { return UnixConnect(loop, path); }

Result<std::pair<UnixStream, UnixStream>> UnixStream::pair(EventLoop& loop) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0) {
    return err(detail::last_error());
  }
  Result<AsyncFd> a = detail::adopt_or_close(loop, fds[0]);
  if (!a.ok()) {
    ::close(fds[1]);
    return err(a.error());
  }
  Result<AsyncFd> b = detail::adopt_or_close(loop, fds[1]);
  if (!b.ok()) return err(b.error());  // a closes its fd
  return ok(std::make_pair(UnixStream(std::move(a).value()), UnixStream(std::move(b).value())));
}

Result<UnixStream> UnixStream::from_fd(EventLoop& loop, int fd) {
  Result<AsyncFd> r = AsyncFd::adopt(loop, fd, Interest::ReadWrite);
  if (!r.ok()) return err(r.error());
  return ok(UnixStream(std::move(r).value()));
}

Result<Unit> UnixStream::shutdown(Shutdown how) {
  const int h = how == Shutdown::Read ? SHUT_RD : how == Shutdown::Write ? SHUT_WR : SHUT_RDWR;
  if (::shutdown(checked("shutdown").fd(), h) != 0) return err(detail::last_error());
  return ok();
}

std::pair<SocketReadHalf, SocketWriteHalf> UnixStream::into_split() && {
  std::shared_ptr<AsyncFd> shared = std::make_shared<AsyncFd>(std::move(checked("into_split")));
  return std::pair<SocketReadHalf, SocketWriteHalf>(SocketReadHalf(shared, "unix"),
                                                    SocketWriteHalf(shared, "unix"));
}

// ---- UnixListener ------------------------------------------------------------

Result<UnixListener> UnixListener::bind(EventLoop& loop, const std::string& path, int backlog) {
  sockaddr_un a;
  socklen_t len = 0;
  if (!unix_addr(path, a, len)) return err(make_error_code(NetError::unix_path_too_long));
  Result<int> s = detail::open_socket(AF_UNIX, SOCK_STREAM);
  if (!s.ok()) return err(s.error());
  const int fd = s.value();
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&a), len) != 0 || ::listen(fd, backlog) != 0) {
    std::error_code e = detail::last_error();
    ::close(fd);
    return err(e);
  }
  Result<AsyncFd> reg = detail::adopt_or_close(loop, fd);
  if (!reg.ok()) return err(reg.error());
  return ok(UnixListener(loop, std::move(reg).value(), path));
}

UnixAccept UnixListener::accept() {
  if (!fd_) detail::empty_socket("UnixListener", "accept");
  return UnixAccept(*this);
}

Poll<Result<UnixStream>> UnixListener::poll_accept(Context& cx, const void* claim) {
  using Out = Result<UnixStream>;
  if (!fd_) detail::empty_socket("UnixListener", "poll_accept");
  const int lfd = fd_.fd();
  Poll<Result<std::size_t>> p = detail::poll_syscall(fd_, cx, Interest::Readable, claim, [lfd]() {
    return ::accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  });
  if (p.is_pending()) return pending;
  Result<std::size_t> r = std::move(p).value();
  if (!r.ok()) return Out(err(r.error()));
  Result<AsyncFd> reg = detail::adopt_or_close(*loop_, static_cast<int>(r.value()));
  if (!reg.ok()) return Out(err(reg.error()));
  return Out(ok(UnixStream(std::move(reg).value())));
}

// ---- futures -------------------------------------------------------------------

void UnixAccept::describe(Describer& d) const {
  d.node("unix::accept(fd " + std::to_string(listener_->fd()) + ")",
         state_ == State::Waiting ? "state: Waiting" : state_ == State::Done ? "state: Done" : "state: Poisoned");
}

Poll<Result<UnixStream>> UnixConnect::step(Context& cx, State was) {
  (void)was;
  sockaddr_un a;
  socklen_t len = 0;
  if (!unix_addr(path_, a, len)) {
    state_ = State::Done;
    return Output(err(make_error_code(NetError::unix_path_too_long)));
  }
  Poll<Result<AsyncFd>> p =
      detail::poll_connect(cx, *loop_, AF_UNIX, reinterpret_cast<const sockaddr*>(&a), len, pending_);
  if (p.is_pending()) {
    state_ = State::Connecting;
    return pending;
  }
  state_ = State::Done;
  Result<AsyncFd> r = std::move(p).value();
  if (!r.ok()) return Output(err(r.error()));
  return Output(ok(UnixStream(std::move(r).value())));
}

void UnixConnect::describe(Describer& d) const {
  d.node("unix::connect(" + path_ + ")", state_ == State::Start        ? "state: Start"
                                         : state_ == State::Connecting ? "state: Connecting"
                                         : state_ == State::Done       ? "state: Done"
                                                                       : "state: Poisoned");
}

}  // namespace io
POLLEN_NAMESPACE_END
