// The I/O workloads as one hand-written epoll loop each (see io_common.hpp):
// edge-triggered, a state per socket, reads into a large buffer so that a
// short read says "drained" (no read that only returns EAGAIN), writes
// retried on EPOLLOUT when the kernel takes part of them.
#include "common.hpp"
#include "io_common.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace workloads {

std::vector<std::pair<int, int>> tcp_pairs(std::size_t count) {
  int lfd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  check(lfd >= 0, "socket()");
  sockaddr_in addr;
  std::memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  check(::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0, "bind()");
  check(::listen(lfd, 1024) == 0, "listen()");
  socklen_t len = sizeof addr;
  check(::getsockname(lfd, reinterpret_cast<sockaddr*>(&addr), &len) == 0, "getsockname()");
  std::vector<std::pair<int, int>> pairs;
  for (std::size_t i = 0; i < count; ++i) {
    int c = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    check(c >= 0, "socket()");
    check(::connect(c, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0, "connect()");
    int s = ::accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
    check(s >= 0, "accept4()");
    for (int fd : {c, s}) {
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    }
    pairs.emplace_back(c, s);
  }
  ::close(lfd);
  return pairs;
}

void fill_request(unsigned char* buf, std::size_t conn, std::uint64_t round) {
  std::uint64_t x = (static_cast<std::uint64_t>(conn) << 40) ^ (round * 0x9E3779B97F4A7C15ull);
  for (std::size_t i = 0; i < kEchoMessage; ++i) {
    buf[i] = static_cast<unsigned char>(x >> ((i % 8) * 8)) ^ static_cast<unsigned char>(i);
  }
}

void fill_chunk(unsigned char* buf) {
  for (std::size_t i = 0; i < kBulkChunk; ++i) buf[i] = static_cast<unsigned char>(i * 7);
}

std::uint64_t bulk_sample(const unsigned char* buf, std::size_t len, std::uint64_t offset) {
  std::uint64_t sum = 0;
  std::uint64_t pos = (offset + 4095) / 4096 * 4096;
  for (; pos < offset + len; pos += 4096) sum += buf[pos - offset];
  return sum;
}

std::uint64_t bulk_expected_sum(std::uint64_t n) {
  std::uint64_t per_chunk = 0;
  for (std::size_t i = 0; i < kBulkChunk; i += 4096) per_chunk += static_cast<unsigned char>(i * 7);
  return per_chunk * n;
}

namespace {

// One socket of echo_rr: a client (sends requests, checks replies) or a
// server (echoes what it reads). `out` holds bytes the kernel did not take.
struct EchoSock {
  int fd = -1;
  bool client = false;
  std::size_t conn = 0;
  std::uint64_t rounds_left = 0;  // client: requests still to send after the current one
  std::uint64_t round = 0;        // client: the current request's round
  unsigned char in[4096];
  std::size_t got = 0;            // client: bytes of the current reply
  unsigned char out[4096];
  std::size_t out_len = 0;        // bytes in out not yet written
  std::size_t out_off = 0;
};

// Writes out[out_off..out_len); false on a broken connection.
bool flush(EchoSock& s) {
  while (s.out_off < s.out_len) {
    ssize_t w = ::send(s.fd, s.out + s.out_off, s.out_len - s.out_off, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return true;  // EPOLLOUT resumes it
      if (errno == EINTR) continue;
      return false;
    }
    s.out_off += static_cast<std::size_t>(w);
  }
  s.out_off = s.out_len = 0;
  return true;
}

void send_request(EchoSock& s) {
  fill_request(s.out, s.conn, s.round);
  s.out_len = kEchoMessage;
  s.out_off = 0;
  check(flush(s), "echo_rr: client send failed");
}

}  // namespace

void handsm_echo_rr(std::uint64_t n) {
  check(n % kEchoConnections == 0, "echo_rr: n must be a multiple of 64");
  std::vector<std::pair<int, int>> pairs = tcp_pairs(kEchoConnections);
  Run run("echo_rr", "handsm", n, n);
  run.start();
  int ep = ::epoll_create1(EPOLL_CLOEXEC);
  check(ep >= 0, "epoll_create1()");
  std::vector<EchoSock> socks(2 * kEchoConnections);
  for (std::size_t i = 0; i < kEchoConnections; ++i) {
    EchoSock& c = socks[2 * i];
    EchoSock& s = socks[2 * i + 1];
    c.fd = pairs[i].first;
    c.client = true;
    c.conn = i;
    c.rounds_left = n / kEchoConnections - 1;
    s.fd = pairs[i].second;
    s.conn = i;
    for (std::size_t k : {2 * i, 2 * i + 1}) {
      epoll_event ev;
      std::memset(&ev, 0, sizeof ev);
      ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
      ev.data.u64 = k;
      check(::epoll_ctl(ep, EPOLL_CTL_ADD, socks[k].fd, &ev) == 0, "epoll_ctl()");
    }
  }
  std::uint64_t done = 0;
  std::size_t clients_left = kEchoConnections;
  for (std::size_t i = 0; i < kEchoConnections; ++i) send_request(socks[2 * i]);
  epoll_event events[256];
  unsigned char expect[kEchoMessage];
  while (clients_left > 0) {
    int r = ::epoll_wait(ep, events, 256, -1);
    if (r < 0 && errno == EINTR) continue;
    check(r > 0, "epoll_wait()");
    for (int e = 0; e < r; ++e) {
      EchoSock& s = socks[events[e].data.u64];
      if ((events[e].events & EPOLLOUT) != 0 && s.out_len != 0) {
        check(flush(s), "echo_rr: send failed");
      }
      if ((events[e].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) == 0) continue;
      for (;;) {
        ssize_t got = ::recv(s.fd, s.in, sizeof s.in, 0);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        check(got > 0, "echo_rr: a connection ended early");
        const std::size_t k = static_cast<std::size_t>(got);
        if (s.client) {
          fill_request(expect, s.conn, s.round);
          check(s.got + k <= kEchoMessage &&
                    std::memcmp(expect + s.got, s.in, k) == 0,
                "echo_rr: a reply is not its request");
          s.got += k;
          if (s.got == kEchoMessage) {
            ++done;
            s.got = 0;
            if (s.rounds_left > 0) {
              --s.rounds_left;
              ++s.round;
              send_request(s);
            } else {
              --clients_left;
            }
          }
        } else {
          check(s.out_len + k <= sizeof s.out, "echo_rr: server backlog");
          std::memcpy(s.out + s.out_len, s.in, k);
          s.out_len += k;
          check(flush(s), "echo_rr: server send failed");
        }
        if (k < sizeof s.in) break;  // a short read: the socket is drained
      }
    }
  }
  ::close(ep);
  for (auto& p : pairs) {
    ::close(p.first);
    ::close(p.second);
  }
  run.stop();
  check(done == n, "echo_rr: round trips");
  run.print();
}

void handsm_stream_bulk(std::uint64_t n) {
  std::vector<std::pair<int, int>> pairs = tcp_pairs(1);
  const int wfd = pairs[0].first;
  const int rfd = pairs[0].second;
  Run run("stream_bulk", "handsm", n, n);
  run.start();
  int ep = ::epoll_create1(EPOLL_CLOEXEC);
  check(ep >= 0, "epoll_create1()");
  for (int k = 0; k < 2; ++k) {
    epoll_event ev;
    std::memset(&ev, 0, sizeof ev);
    ev.events = (k == 0 ? EPOLLOUT : EPOLLIN | EPOLLRDHUP) | EPOLLET;
    ev.data.u64 = static_cast<std::uint64_t>(k);
    check(::epoll_ctl(ep, EPOLL_CTL_ADD, k == 0 ? wfd : rfd, &ev) == 0, "epoll_ctl()");
  }
  std::vector<unsigned char> chunk(kBulkChunk);
  fill_chunk(chunk.data());
  std::vector<unsigned char> in(kBulkChunk);
  std::uint64_t chunks_left = n;
  std::size_t off = 0;  // into the chunk being written
  bool writer_open = true;
  std::uint64_t received = 0;
  std::uint64_t sum = 0;
  bool eof = false;
  epoll_event events[4];
  // The writer starts writing without waiting for a first report.
  bool can_write = true;
  while (!eof) {
    while (writer_open && can_write) {
      if (chunks_left == 0) {
        ::shutdown(wfd, SHUT_WR);
        writer_open = false;
        break;
      }
      ssize_t w = ::send(wfd, chunk.data() + off, kBulkChunk - off, MSG_NOSIGNAL);
      if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        can_write = false;
        break;
      }
      check(w > 0, "stream_bulk: send failed");
      off += static_cast<std::size_t>(w);
      if (off == kBulkChunk) {
        off = 0;
        --chunks_left;
      }
    }
    int r = ::epoll_wait(ep, events, 4, -1);
    if (r < 0 && errno == EINTR) continue;
    check(r > 0, "epoll_wait()");
    for (int e = 0; e < r; ++e) {
      if (events[e].data.u64 == 0) {
        can_write = true;
        continue;
      }
      for (;;) {
        ssize_t got = ::recv(rfd, in.data(), in.size(), 0);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        check(got >= 0, "stream_bulk: recv failed");
        if (got == 0) {
          eof = true;
          break;
        }
        sum += bulk_sample(in.data(), static_cast<std::size_t>(got), received);
        received += static_cast<std::uint64_t>(got);
        // A short read means drained, unless the FIN came in this report
        // (it is reported once): then read on to the end of stream.
        if (static_cast<std::size_t>(got) < in.size() && (events[e].events & EPOLLRDHUP) == 0) break;
      }
    }
  }
  ::close(ep);
  ::close(wfd);
  ::close(rfd);
  run.stop();
  check(received == n * kBulkChunk, "stream_bulk: byte count");
  check(sum == bulk_expected_sum(n), "stream_bulk: the data is not what was sent");
  run.print();
}

}  // namespace workloads
