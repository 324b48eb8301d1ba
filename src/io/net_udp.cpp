// UdpSocket and its futures' steps.
#include <pollen/io/udp.hpp>

#include <pollen/runtime/event_loop.hpp>

#include "net_sys.hpp"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

POLLEN_NAMESPACE_BEGIN
namespace io {

Result<UdpSocket> UdpSocket::bind(EventLoop& loop, const SocketAddr& addr) {
  Result<int> s = detail::open_socket(addr.family(), SOCK_DGRAM);
  if (!s.ok()) return err(s.error());
  const int fd = s.value();
  if (::bind(fd, addr.as_sockaddr(), addr.sockaddr_len()) != 0) {
    std::error_code e = detail::last_error();
    ::close(fd);
    return err(e);
  }
  Result<AsyncFd> reg = detail::adopt_or_close(loop, fd);
  if (!reg.ok()) return err(reg.error());
  return ok(UdpSocket(std::move(reg).value()));
}

Result<UdpSocket> UdpSocket::bind(EventLoop& loop, const std::string& addr) {
  Result<SocketAddr> a = SocketAddr::parse(addr);
  if (!a.ok()) return err(a.error());
  return bind(loop, a.value());
}

AsyncFd& UdpSocket::checked(const char* op) {
  if (!fd_) detail::empty_socket("UdpSocket", op);
  return fd_;
}

UdpSendTo UdpSocket::send_to(const void* buf, std::size_t len, const SocketAddr& to) {
  checked("send_to");
  return UdpSendTo(*this, buf, len, to);
}

UdpRecvFrom UdpSocket::recv_from(void* buf, std::size_t len) {
  checked("recv_from");
  return UdpRecvFrom(*this, buf, len);
}

Poll<Result<std::size_t>> UdpSocket::poll_send_to(Context& cx, const void* buf, std::size_t len,
                                                  const SocketAddr& to, const void* claim) {
  AsyncFd& fd = checked("poll_send_to");
  const int f = fd.fd();
  const sockaddr* sa = to.as_sockaddr();
  const socklen_t sl = to.sockaddr_len();
  return detail::poll_syscall(fd, cx, Interest::Writable, claim,
                              [f, buf, len, sa, sl]() { return ::sendto(f, buf, len, MSG_NOSIGNAL, sa, sl); });
}

Poll<Result<std::pair<std::size_t, SocketAddr>>> UdpSocket::poll_recv_from(Context& cx, void* buf,
                                                                           std::size_t len,
                                                                           const void* claim) {
  using Out = Result<std::pair<std::size_t, SocketAddr>>;
  AsyncFd& fd = checked("poll_recv_from");
  const int f = fd.fd();
  sockaddr_storage ss{};
  socklen_t sl = sizeof ss;
  sockaddr* sa = reinterpret_cast<sockaddr*>(&ss);
  Poll<Result<std::size_t>> p = detail::poll_syscall(fd, cx, Interest::Readable, claim, [f, buf, len, sa, &sl]() {
    sl = sizeof(sockaddr_storage);
    return ::recvfrom(f, buf, len, 0, sa, &sl);
  });
  if (p.is_pending()) return pending;
  Result<std::size_t> r = std::move(p).value();
  if (!r.ok()) return Out(err(r.error()));
  return Out(ok(std::make_pair(r.value(), SocketAddr::from_sockaddr(sa, sl))));
}

Result<SocketAddr> UdpSocket::local_addr() const {
  if (!fd_) detail::empty_socket("UdpSocket", "local_addr");
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(fd_.fd(), reinterpret_cast<sockaddr*>(&ss), &len) != 0) return err(detail::last_error());
  return ok(SocketAddr::from_sockaddr(reinterpret_cast<sockaddr*>(&ss), len));
}

void UdpSendTo::describe(Describer& d) const {
  d.node("udp::send_to(fd " + std::to_string(socket_->fd()) + ", " + std::to_string(len_) + " bytes to " +
             to_.to_string() + ")",
         state_ == State::Waiting ? "state: Waiting" : state_ == State::Done ? "state: Done" : "state: Poisoned");
}

void UdpRecvFrom::describe(Describer& d) const {
  d.node("udp::recv_from(fd " + std::to_string(socket_->fd()) + ", " + std::to_string(len_) + " bytes)",
         state_ == State::Waiting ? "state: Waiting" : state_ == State::Done ? "state: Done" : "state: Poisoned");
}

}  // namespace io
POLLEN_NAMESPACE_END
