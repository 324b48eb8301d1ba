// echo_rr: 64 TCP connections over loopback, each a 64-byte request /
// response ping-pong, n round trips in all (n / 64 per connection): the
// client and the echo server run on one thread, as pollen (one EventLoop;
// hand-written futures on TcpStream::poll_read / poll_write) and as handsm
// (one edge-triggered epoll set and a state per fd, the classic C server).
//
// Both read into a 4 KiB buffer and take a short read as "drained" (wait for
// the next edge rather than read until EAGAIN: pollen's AsyncFd keeps a
// hangup ready, so that is safe there), so each round trip costs four I/O
// syscalls in either: the client's send and read, the server's read and
// send; epoll_wait is shared by all the connections ready at once.
// `strace -c -f` counts them (docs/performance.md).
#include "common.hpp"

#include <pollen/io/net.hpp>
#include <pollen/runtime/event_loop.hpp>
#include <pollen/runtime/join_handle.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

namespace workloads {

namespace {

constexpr std::uint64_t kConns = kEchoRrConnections;
constexpr std::size_t kMsg = kEchoRrMessageBytes;

// The request of round r: 64 bytes that change with every round.
void fill_request(char* buf, std::uint64_t conn, std::uint64_t r) {
  for (std::size_t i = 0; i < kMsg; ++i) buf[i] = static_cast<char>((conn * 31 + r * 7 + i) & 0xff);
}

std::uint64_t rounds_per_conn(std::uint64_t n) {
  check(n % kConns == 0 && n > 0, "echo_rr: n must be a positive multiple of 64 (the connections)");
  return n / kConns;
}

// ---- pollen --------------------------------------------------------------------

// The server side of one connection: read what is there, write it back.
class PollenEcho {
 public:
  using Output = pollen::Unit;
  explicit PollenEcho(pollen::io::TcpStream s) : s_(std::move(s)) {}

  pollen::Poll<pollen::Unit> poll(pollen::Context& cx) {
    for (;;) {
      if (sent_ < have_) {
        auto p = s_.poll_write(cx, buf_ + sent_, have_ - sent_);
        if (p.is_pending()) return pollen::pending;
        auto r = std::move(p).value();
        if (!r.ok()) fail("echo_rr pollen: server write failed");
        sent_ += r.value();
        continue;
      }
      auto p = s_.poll_read(cx, buf_, sizeof buf_);
      if (p.is_pending()) return pollen::pending;
      auto r = std::move(p).value();
      if (!r.ok()) fail("echo_rr pollen: server read failed");
      if (r.value() == 0) return pollen::Unit{};  // the client is done
      have_ = r.value();
      sent_ = 0;
    }
  }

 private:
  pollen::io::TcpStream s_;
  char buf_[4096];
  std::size_t have_ = 0, sent_ = 0;
};

class PollenAcceptor {
 public:
  using Output = pollen::Unit;
  PollenAcceptor(pollen::EventLoop& loop, pollen::io::TcpListener& l) : loop_(&loop), l_(&l) {}
  pollen::Poll<pollen::Unit> poll(pollen::Context& cx) {
    while (accepted_ < kConns) {
      auto p = l_->poll_accept(cx);
      if (p.is_pending()) return pollen::pending;
      auto r = std::move(p).value();
      if (!r.ok()) fail("echo_rr pollen: accept failed");
      (void)r.value().first.set_nodelay(true);
      loop_->spawn(PollenEcho(std::move(r.value().first))).detach();
      ++accepted_;
    }
    return pollen::Unit{};
  }

 private:
  pollen::EventLoop* loop_;
  pollen::io::TcpListener* l_;
  std::uint64_t accepted_ = 0;
};

// One client connection: connect, then `rounds` times write 64 bytes and
// read the 64 back.
class PollenClient {
 public:
  using Output = std::uint64_t;  // round trips done
  enum class State { Connecting, Writing, Reading };

  PollenClient(pollen::io::TcpConnect c, std::uint64_t id, std::uint64_t rounds)
      : connect_(std::move(c)), id_(id), rounds_(rounds) {}

  pollen::Poll<std::uint64_t> poll(pollen::Context& cx) {
    for (;;) {
      switch (state_) {
        case State::Connecting: {
          auto p = connect_.poll(cx);
          if (p.is_pending()) return pollen::pending;
          auto r = std::move(p).value();
          if (!r.ok()) fail("echo_rr pollen: connect failed");
          s_ = std::move(r).value();
          (void)s_.set_nodelay(true);
          fill_request(out_, id_, 0);
          state_ = State::Writing;
          break;
        }
        case State::Writing: {
          auto p = s_.poll_write(cx, out_ + done_, kMsg - done_);
          if (p.is_pending()) return pollen::pending;
          auto r = std::move(p).value();
          if (!r.ok()) fail("echo_rr pollen: client write failed");
          done_ += r.value();
          if (done_ == kMsg) {
            done_ = 0;
            state_ = State::Reading;
          }
          break;
        }
        case State::Reading: {
          auto p = s_.poll_read(cx, in_ + done_, sizeof in_ - done_);
          if (p.is_pending()) return pollen::pending;
          auto r = std::move(p).value();
          if (!r.ok() || r.value() == 0) fail("echo_rr pollen: client read failed");
          done_ += r.value();
          if (done_ < kMsg) break;
          check(done_ == kMsg && std::memcmp(in_, out_, kMsg) == 0, "echo_rr pollen: wrong echo");
          done_ = 0;
          if (++round_ == rounds_) {
            s_ = pollen::io::TcpStream();  // the server's session ends
            return round_;
          }
          fill_request(out_, id_, round_);
          state_ = State::Writing;
          break;
        }
      }
    }
  }

 private:
  pollen::io::TcpConnect connect_;
  pollen::io::TcpStream s_;
  std::uint64_t id_, rounds_, round_ = 0;
  State state_ = State::Connecting;
  char out_[kMsg];
  char in_[4096];
  std::size_t done_ = 0;
};

// ---- handsm --------------------------------------------------------------------

struct HandConn {
  int fd = -1;
  bool client = false;
  std::uint64_t id = 0;
  std::uint64_t round = 0;
  std::size_t done = 0;  // client: bytes of the echo read so far
  char out[kMsg];
  char in[4096];         // client: the echo (a 4 KiB read, as the server's)
};

void set_nonblocking_nodelay(int fd) {
  check(::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK) == 0, "echo_rr handsm: fcntl");
  int one = 1;
  check(::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0, "echo_rr handsm: nodelay");
}

void send_all_or_fail(int fd, const char* buf, std::size_t len) {
  // 64 bytes into an empty socket buffer: sent whole, or the run is wrong.
  check(::send(fd, buf, len, MSG_NOSIGNAL) == static_cast<ssize_t>(len), "echo_rr handsm: short send");
}

}  // namespace

void pollen_echo_rr(std::uint64_t n) {
  const std::uint64_t rounds = rounds_per_conn(n);
  Run run("echo_rr", "pollen", n, n);
  run.start();
  {
    pollen::EventLoop loop;
    pollen::io::TcpListener l = pollen::io::TcpListener::bind(loop, "127.0.0.1:0").value();
    const pollen::io::SocketAddr where = l.local_addr().value();
    auto acceptor = loop.spawn(PollenAcceptor(loop, l));
    std::vector<pollen::JoinHandle<std::uint64_t>> clients;
    for (std::uint64_t c = 0; c < kConns; ++c) {
      clients.push_back(loop.spawn(PollenClient(pollen::io::TcpStream::connect(loop, where), c, rounds)));
    }
    std::uint64_t total = 0;
    for (auto& h : clients) total += loop.block_on(std::move(h)).value();
    loop.block_on(std::move(acceptor)).value();
    loop.run();  // the server sessions see end of stream and finish
    check(total == n, "echo_rr pollen: round trips");
  }
  run.stop();
  run.print();
}

void handsm_echo_rr(std::uint64_t n) {
  const std::uint64_t rounds = rounds_per_conn(n);
  Run run("echo_rr", "handsm", n, n);
  run.start();
  {
    // Set up 64 connected pairs (blocking calls: loopback connects at once).
    int lfd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof a;
    check(lfd >= 0 && ::bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && ::listen(lfd, 128) == 0 &&
              ::getsockname(lfd, reinterpret_cast<sockaddr*>(&a), &alen) == 0,
          "echo_rr handsm: listen");
    int ep = ::epoll_create1(EPOLL_CLOEXEC);
    std::vector<std::unique_ptr<HandConn>> conns;
    for (std::uint64_t c = 0; c < kConns; ++c) {
      int cfd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      check(::connect(cfd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0, "echo_rr handsm: connect");
      int sfd = ::accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
      check(sfd >= 0, "echo_rr handsm: accept");
      for (int fd : {cfd, sfd}) {
        set_nonblocking_nodelay(fd);
        std::unique_ptr<HandConn> hc(new HandConn());
        hc->fd = fd;
        hc->client = fd == cfd;
        hc->id = c;
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
        ev.data.ptr = hc.get();
        check(::epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0, "echo_rr handsm: epoll_ctl");
        conns.push_back(std::move(hc));
      }
    }
    // Every client sends its first request.
    for (auto& hc : conns) {
      if (!hc->client) continue;
      fill_request(hc->out, hc->id, 0);
      send_all_or_fail(hc->fd, hc->out, kMsg);
    }
    std::uint64_t finished = 0, total = 0;
    char buf[4096];
    epoll_event evs[256];
    while (finished < kConns) {
      int k = ::epoll_wait(ep, evs, 256, -1);
      check(k >= 0 || errno == EINTR, "echo_rr handsm: epoll_wait");
      for (int i = 0; i < k; ++i) {
        HandConn* hc = static_cast<HandConn*>(evs[i].data.ptr);
        if (!(evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) || hc->fd < 0) continue;
        // Read until a short read (the buffer drained: the next edge brings
        // more) or EAGAIN. Correct here because no FIN comes with data: the
        // clients close only after their last echo.
        for (;;) {
          const std::size_t want = hc->client ? sizeof hc->in - hc->done : sizeof buf;
          ssize_t r = ::read(hc->fd, hc->client ? hc->in + hc->done : buf, want);
          if (r < 0) {
            check(errno == EAGAIN || errno == EWOULDBLOCK, "echo_rr handsm: read failed");
            break;
          }
          if (r == 0) {  // the client closed: the server side closes too
            check(!hc->client, "echo_rr handsm: the server closed");
            ::close(hc->fd);
            hc->fd = -1;
            break;
          }
          const std::size_t got = static_cast<std::size_t>(r);
          const bool drained = got < want;
          if (!hc->client) {
            send_all_or_fail(hc->fd, buf, got);
          } else {
            hc->done += got;
            check(hc->done <= kMsg, "echo_rr handsm: more than the echo");
            if (hc->done == kMsg) {
              check(std::memcmp(hc->in, hc->out, kMsg) == 0, "echo_rr handsm: wrong echo");
              hc->done = 0;
              ++total;
              if (++hc->round == rounds) {
                ++finished;
                ::close(hc->fd);
                hc->fd = -1;
                break;
              }
              fill_request(hc->out, hc->id, hc->round);
              send_all_or_fail(hc->fd, hc->out, kMsg);
            }
          }
          if (drained) break;
        }
      }
    }
    // The server sides still open see end of stream; close them.
    for (auto& hc : conns) {
      if (hc->fd >= 0) ::close(hc->fd);
    }
    ::close(ep);
    ::close(lfd);
    check(total == n, "echo_rr handsm: round trips");
  }
  run.stop();
  run.print();
}

}  // namespace workloads
