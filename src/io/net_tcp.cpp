// TcpListener, TcpStream, and the accept and connect futures' steps.
#include <pollen/io/tcp.hpp>

#include <pollen/runtime/event_loop.hpp>

#include "net_sys.hpp"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

POLLEN_NAMESPACE_BEGIN
namespace io {

namespace {

Result<SocketAddr> sock_name(int fd, bool peer) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  sockaddr* sa = reinterpret_cast<sockaddr*>(&ss);
  int rc = peer ? ::getpeername(fd, sa, &len) : ::getsockname(fd, sa, &len);
  if (rc != 0) return err(detail::last_error());
  return ok(SocketAddr::from_sockaddr(sa, len));
}

int shutdown_how(Shutdown how) noexcept {
  return how == Shutdown::Read ? SHUT_RD : how == Shutdown::Write ? SHUT_WR : SHUT_RDWR;
}

}  // namespace

// ---- TcpStream -------------------------------------------------------------

TcpConnect TcpStream::connect(EventLoop& loop, const SocketAddr& addr) { return TcpConnect(loop, addr); }

TcpConnect TcpStream::connect(EventLoop& loop, const std::string& addr) {
  Result<SocketAddr> a = SocketAddr::parse(addr);
  if (!a.ok()) return TcpConnect(loop, a.error());
  return TcpConnect(loop, a.value());
}

Result<TcpStream> TcpStream::from_fd(EventLoop& loop, int fd) {
  Result<AsyncFd> r = AsyncFd::adopt(loop, fd, Interest::ReadWrite);
  if (!r.ok()) return err(r.error());
  return ok(TcpStream(std::move(r).value()));
}

Result<Unit> TcpStream::shutdown(Shutdown how) {
  if (::shutdown(checked("shutdown").fd(), shutdown_how(how)) != 0) return err(detail::last_error());
  return ok();
}

Result<Unit> TcpStream::set_nodelay(bool on) {
  int v = on ? 1 : 0;
  if (::setsockopt(checked("set_nodelay").fd(), IPPROTO_TCP, TCP_NODELAY, &v, sizeof v) != 0) {
    return err(detail::last_error());
  }
  return ok();
}

Result<bool> TcpStream::nodelay() const {
  int v = 0;
  socklen_t n = sizeof v;
  if (::getsockopt(checked("nodelay").fd(), IPPROTO_TCP, TCP_NODELAY, &v, &n) != 0) {
    return err(detail::last_error());
  }
  return ok(v != 0);
}

Result<SocketAddr> TcpStream::local_addr() const { return sock_name(checked("local_addr").fd(), false); }
Result<SocketAddr> TcpStream::peer_addr() const { return sock_name(checked("peer_addr").fd(), true); }

std::pair<SocketReadHalf, SocketWriteHalf> TcpStream::into_split() && {
  std::shared_ptr<AsyncFd> shared = std::make_shared<AsyncFd>(std::move(checked("into_split")));
  return std::pair<SocketReadHalf, SocketWriteHalf>(SocketReadHalf(shared, "tcp"),
                                                    SocketWriteHalf(shared, "tcp"));
}

// ---- TcpListener -----------------------------------------------------------

Result<TcpListener> TcpListener::bind(EventLoop& loop, const SocketAddr& addr, int backlog) {
  Result<int> s = detail::open_socket(addr.family(), SOCK_STREAM);
  if (!s.ok()) return err(s.error());
  const int fd = s.value();
  int one = 1;
  if (::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      ::bind(fd, addr.as_sockaddr(), addr.sockaddr_len()) != 0 || ::listen(fd, backlog) != 0) {
    std::error_code e = detail::last_error();
    ::close(fd);
    return err(e);
  }
  Result<AsyncFd> reg = detail::adopt_or_close(loop, fd);
  if (!reg.ok()) return err(reg.error());
  return ok(TcpListener(loop, std::move(reg).value()));
}

Result<TcpListener> TcpListener::bind(EventLoop& loop, const std::string& addr, int backlog) {
  Result<SocketAddr> a = SocketAddr::parse(addr);
  if (!a.ok()) return err(a.error());
  return bind(loop, a.value(), backlog);
}

TcpAccept TcpListener::accept() {
  if (!fd_) detail::empty_socket("TcpListener", "accept");
  return TcpAccept(*this);
}

Poll<Result<std::pair<TcpStream, SocketAddr>>> TcpListener::poll_accept(Context& cx, const void* claim) {
  using Out = Result<std::pair<TcpStream, SocketAddr>>;
  if (!fd_) detail::empty_socket("TcpListener", "poll_accept");
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  sockaddr* sa = reinterpret_cast<sockaddr*>(&ss);
  const int lfd = fd_.fd();
  Poll<Result<std::size_t>> p = detail::poll_syscall(fd_, cx, Interest::Readable, claim, [lfd, sa, &len]() {
    len = sizeof(sockaddr_storage);
    return ::accept4(lfd, sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
  });
  if (p.is_pending()) return pending;
  Result<std::size_t> r = std::move(p).value();
  if (!r.ok()) return Out(err(r.error()));
  Result<AsyncFd> reg = detail::adopt_or_close(*loop_, static_cast<int>(r.value()));
  if (!reg.ok()) return Out(err(reg.error()));
  return Out(ok(std::make_pair(TcpStream(std::move(reg).value()), SocketAddr::from_sockaddr(sa, len))));
}

Result<SocketAddr> TcpListener::local_addr() const {
  if (!fd_) detail::empty_socket("TcpListener", "local_addr");
  return sock_name(fd_.fd(), false);
}

// ---- futures -----------------------------------------------------------------

void TcpAccept::describe(Describer& d) const {
  d.node("tcp::accept(fd " + std::to_string(listener_->fd()) + ")",
         state_ == State::Waiting ? "state: Waiting" : state_ == State::Done ? "state: Done" : "state: Poisoned");
}

Poll<Result<TcpStream>> TcpConnect::step(Context& cx, State was) {
  if (was == State::Start && error_) {
    state_ = State::Done;
    return Output(err(error_));
  }
  Poll<Result<AsyncFd>> p =
      detail::poll_connect(cx, *loop_, addr_.family(), addr_.as_sockaddr(), addr_.sockaddr_len(), pending_);
  if (p.is_pending()) {
    state_ = State::Connecting;
    return pending;
  }
  state_ = State::Done;
  Result<AsyncFd> r = std::move(p).value();
  if (!r.ok()) return Output(err(r.error()));
  return Output(ok(TcpStream(std::move(r).value())));
}

void TcpConnect::describe(Describer& d) const {
  d.node("tcp::connect(" + (error_ ? std::string("bad address") : addr_.to_string()) + ")",
         state_ == State::Start        ? "state: Start"
         : state_ == State::Connecting ? "state: Connecting, fd " + std::to_string(pending_.fd())
         : state_ == State::Done       ? "state: Done"
                                       : "state: Poisoned");
}

}  // namespace io
POLLEN_NAMESPACE_END
