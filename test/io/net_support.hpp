// test/io/net_support.hpp: helpers for the socket tests.
//
// * fd_count(): the entries of /proc/self/fd (the test's open descriptors).
// * EchoConn<Stream>: echoes every byte back until EOF or an error.
// * EchoServer<Listener>: accepts `limit` connections (0: without end) and
//   spawns an EchoConn for each.
// * EchoClient<Connect, Stream>: connects, then sends `messages` messages of
//   `size` bytes one at a time, reading each back and checking every byte.
//
// They are futures written by hand, on the sockets' poll_accept / poll_read
// / poll_write steps, so they hold no borrowing future and may move freely.
#pragma once

#include <pollen/io/net.hpp>
#include <pollen/runtime/event_loop.hpp>

#include <dirent.h>
#include <sys/resource.h>

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace nt {

inline std::size_t fd_count() {
  std::size_t n = 0;
  DIR* d = ::opendir("/proc/self/fd");
  if (d == nullptr) return 0;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  ::closedir(d);
  return n - 1;  // the DIR's own descriptor
}

// The soft limit up to the hard one: the big tests hold 2,000 sockets.
inline void raise_fd_limit() {
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &r);
  }
}

inline pollen::io::TcpStream take_stream(std::pair<pollen::io::TcpStream, pollen::io::SocketAddr>&& p) {
  return std::move(p.first);
}
template <class S>
S take_stream(S&& s) {
  return std::move(s);
}

template <class Stream>
struct EchoConn {
  using Output = pollen::Unit;
  Stream s;
  std::vector<char> buf = std::vector<char>(4096);
  std::size_t have = 0;  // bytes in buf
  std::size_t sent = 0;  // of them, written back

  pollen::Poll<pollen::Unit> poll(pollen::Context& cx) {
    for (;;) {
      if (sent < have) {
        auto p = s.poll_write(cx, buf.data() + sent, have - sent);
        if (p.is_pending()) return pollen::pending;
        auto r = std::move(p).value();
        if (!r.ok()) return pollen::Unit{};
        sent += r.value();
        continue;
      }
      have = sent = 0;
      auto p = s.poll_read(cx, buf.data(), buf.size());
      if (p.is_pending()) return pollen::pending;
      auto r = std::move(p).value();
      if (!r.ok() || r.value() == 0) return pollen::Unit{};
      have = r.value();
    }
  }
};

// Awaits a JoinHandle on `loop` and unwraps the task's output.
template <class H>
auto join(pollen::EventLoop& loop, H& h) -> decltype(loop.block_on(std::move(h)).value()) {
  return loop.block_on(std::move(h)).value();
}

template <class Listener, class Stream>
struct EchoServer {
  using Output = std::size_t;  // connections accepted
  Listener* l;
  pollen::EventLoop* loop;
  std::size_t limit;  // 0: accept without end
  std::size_t accepted = 0;
  std::size_t errors = 0;

  pollen::Poll<std::size_t> poll(pollen::Context& cx) {
    for (;;) {
      if (limit != 0 && accepted == limit) return accepted;
      auto p = l->poll_accept(cx);
      if (p.is_pending()) return pollen::pending;
      auto r = std::move(p).value();
      if (!r.ok()) {
        ++errors;
        continue;
      }
      ++accepted;
      loop->spawn(EchoConn<Stream>{take_stream(std::move(r).value())}).detach();
    }
  }
};

// Message m of connection c: `size` bytes that differ between connections
// and messages.
inline std::string message(std::size_t c, std::size_t m, std::size_t size) {
  std::string s(size, '\0');
  for (std::size_t i = 0; i < size; ++i) s[i] = static_cast<char>((c * 131 + m * 7 + i) & 0xff);
  return s;
}

struct ClientResult {
  std::string error;       // empty: every byte came back in order
  std::size_t echoed = 0;  // messages that came back intact
};

template <class Connect, class Stream>
struct EchoClient {
  using Output = ClientResult;
  enum class State { Connecting, Writing, Reading };
  EchoClient(Connect c, std::size_t id_, std::size_t messages_, std::size_t size_)
      : connect(std::move(c)), id(id_), messages(messages_), size(size_) {}
  Connect connect;
  std::size_t id;
  std::size_t messages;
  std::size_t size;
  Stream s{};
  State state = State::Connecting;
  std::size_t m = 0;     // the message in flight
  std::size_t done = 0;  // its bytes written (Writing) or read back (Reading)
  std::string out, in;
  ClientResult result;

  pollen::Poll<ClientResult> fail(const std::string& what) {
    result.error = "connection " + std::to_string(id) + ", message " + std::to_string(m) + ": " + what;
    return result;
  }

  pollen::Poll<ClientResult> poll(pollen::Context& cx) {
    for (;;) {
      switch (state) {
        case State::Connecting: {
          auto p = connect.poll(cx);
          if (p.is_pending()) return pollen::pending;
          auto r = std::move(p).value();
          if (!r.ok()) return fail("connect: " + r.error().message());
          s = std::move(r).value();
          state = State::Writing;
          out = message(id, m, size);
          in.assign(size, '\0');
          break;
        }
        case State::Writing: {
          auto p = s.poll_write(cx, out.data() + done, size - done);
          if (p.is_pending()) return pollen::pending;
          auto r = std::move(p).value();
          if (!r.ok()) return fail("write: " + r.error().message());
          done += r.value();
          if (done == size) {
            state = State::Reading;
            done = 0;
          }
          break;
        }
        case State::Reading: {
          auto p = s.poll_read(cx, &in[done], size - done);
          if (p.is_pending()) return pollen::pending;
          auto r = std::move(p).value();
          if (!r.ok()) return fail("read: " + r.error().message());
          if (r.value() == 0) return fail("end of stream");
          done += r.value();
          if (done < size) break;
          if (in != out) return fail("the echo differs");
          ++result.echoed;
          if (++m == messages) return result;
          out = message(id, m, size);
          done = 0;
          state = State::Writing;
          break;
        }
      }
    }
  }
};

}  // namespace nt
