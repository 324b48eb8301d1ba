// http_handsm: the hand-written baseline of docs/examples/http_hello.cpp for
// the wrk benchmark (scripts/dev bench --http): one thread, one
// edge-triggered epoll loop, a state per connection; the same fixed
// response, keep-alive and pipelining (one response per "\r\n\r\n").
//
//   http_handsm [PORT]     serves http://127.0.0.1:PORT/ (8081) until killed
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

const char kResponse[] =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Length: 14\r\n"
    "\r\n"
    "Hello, world!\n";
constexpr std::size_t kResponseLen = sizeof kResponse - 1;

struct Conn {
  int fd = -1;
  std::string in;   // bytes of requests not yet answered
  std::string out;  // responses not yet written
  std::size_t out_off = 0;
};

[[noreturn]] void die(const char* what) {
  std::perror(what);
  std::exit(1);
}

// Writes what is queued; false when the connection is broken.
bool flush(Conn& c) {
  while (c.out_off < c.out.size()) {
    ssize_t w = ::send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return true;  // EPOLLOUT resumes it
      if (errno == EINTR) continue;
      return false;
    }
    c.out_off += static_cast<std::size_t>(w);
  }
  c.out.clear();
  c.out_off = 0;
  return true;
}

// Reads what is there and queues one response per complete request head;
// false at end of stream or on an error.
bool serve(Conn& c, bool hangup) {
  char buf[16384];
  for (;;) {
    ssize_t got = ::recv(c.fd, buf, sizeof buf, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return false;
    }
    if (got == 0) return false;
    c.in.append(buf, static_cast<std::size_t>(got));
    if (static_cast<std::size_t>(got) < sizeof buf && !hangup) break;  // drained
  }
  std::size_t pos;
  while ((pos = c.in.find("\r\n\r\n")) != std::string::npos) {
    c.in.erase(0, pos + 4);
    c.out.append(kResponse, kResponseLen);
  }
  if (c.in.size() > 16384) return false;  // a head too large: drop it
  return flush(c);
}

}  // namespace

int main(int argc, char** argv) {
  const int port = argc > 1 ? std::atoi(argv[1]) : 8081;
  int lfd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (lfd < 0) die("socket");
  int one = 1;
  ::setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr;
  std::memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) die("bind");
  if (::listen(lfd, 1024) != 0) die("listen");
  int ep = ::epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) die("epoll_create1");
  epoll_event ev;
  std::memset(&ev, 0, sizeof ev);
  ev.events = EPOLLIN | EPOLLET;
  ev.data.u64 = ~std::uint64_t{0};
  if (::epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) != 0) die("epoll_ctl");
  std::printf("serving http://127.0.0.1:%d/\n", port);
  std::fflush(stdout);
  std::vector<Conn*> conns;  // by fd
  epoll_event events[256];
  for (;;) {
    int r = ::epoll_wait(ep, events, 256, -1);
    if (r < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    for (int e = 0; e < r; ++e) {
      if (events[e].data.u64 == ~std::uint64_t{0}) {
        for (;;) {
          int fd = ::accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (fd < 0) break;  // EAGAIN: all accepted
          ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          if (static_cast<std::size_t>(fd) >= conns.size()) conns.resize(static_cast<std::size_t>(fd) + 1);
          Conn* c = new Conn();
          c->fd = fd;
          conns[static_cast<std::size_t>(fd)] = c;
          epoll_event cev;
          std::memset(&cev, 0, sizeof cev);
          cev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
          cev.data.u64 = static_cast<std::uint64_t>(fd);
          if (::epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev) != 0) die("epoll_ctl");
        }
        continue;
      }
      Conn* c = conns[events[e].data.u64];
      if (c == nullptr) continue;
      bool ok = true;
      if ((events[e].events & EPOLLOUT) != 0 && !c->out.empty()) ok = flush(*c);
      if (ok && (events[e].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0) {
        ok = serve(*c, (events[e].events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0);
      }
      if (!ok) {
        ::epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, &ev);
        ::close(c->fd);
        conns[events[e].data.u64] = nullptr;
        delete c;
      }
    }
  }
}
