// The I/O workloads with pollen (see io_common.hpp): one EventLoop, one task
// per socket, written with the combinators a user would reach for.
#include "common.hpp"
#include "io_common.hpp"

#include <pollen/io.hpp>
#include <pollen/pollen.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <memory>

namespace workloads {

namespace {

using pollen::Result;
using pollen::io::TcpStream;

struct EchoClient {
  TcpStream stream;
  std::size_t conn = 0;
  std::uint64_t rounds = 0;
  unsigned char request[kEchoMessage];
  unsigned char reply[4096];
  std::size_t got = 0;
  std::uint64_t* done = nullptr;
};

struct EchoServer {
  TcpStream stream;
  unsigned char buf[4096];
};

// Reads one reply: reads into a large buffer until kEchoMessage bytes came
// (a read is short when it drains the socket, which spares the read that
// would only say EAGAIN).
auto read_reply(EchoClient* c) {
  c->got = 0;
  return pollen::loop_fn(0, [c](int) {
    return c->stream.read(c->reply + c->got, sizeof c->reply - c->got)
        .map([c](Result<std::size_t> r) -> pollen::Loop<int, pollen::Unit> {
          check(r.ok() && r.value() > 0, "echo_rr: client read failed");
          c->got += r.value();
          if (c->got < kEchoMessage) return pollen::loop_continue(0);
          return pollen::loop_break(pollen::Unit{});
        });
  });
}

auto echo_client(EchoClient* c) {
  return pollen::loop_fn(std::uint64_t{0}, [c](std::uint64_t round) {
    fill_request(c->request, c->conn, round);
    return c->stream.write_all(c->request, kEchoMessage)
        .then([c](Result<std::size_t> w) {
          check(w.ok(), "echo_rr: client write failed");
          return read_reply(c);
        })
        .map([c, round](pollen::Unit) -> pollen::Loop<std::uint64_t, pollen::Unit> {
          check(c->got == kEchoMessage && std::memcmp(c->reply, c->request, kEchoMessage) == 0,
                "echo_rr: a reply is not its request");
          ++*c->done;
          if (round + 1 < c->rounds) return pollen::loop_continue(round + 1);
          return pollen::loop_break(pollen::Unit{});
        });
  });
}

// Echoes until the client closes.
auto echo_server(EchoServer* s) {
  return pollen::loop_fn(0, [s](int) {
    return s->stream.read(s->buf, sizeof s->buf)
        .then([s](Result<std::size_t> r) {
          check(r.ok(), "echo_rr: server read failed");
          return s->stream.write_all(s->buf, r.value());
        })
        .map([](Result<std::size_t> w) -> pollen::Loop<int, pollen::Unit> {
          check(w.ok(), "echo_rr: server write failed");
          if (w.value() == 0) return pollen::loop_break(pollen::Unit{});  // EOF
          return pollen::loop_continue(0);
        });
  });
}

}  // namespace

void pollen_echo_rr(std::uint64_t n) {
  check(n % kEchoConnections == 0, "echo_rr: n must be a multiple of 64");
  std::vector<std::pair<int, int>> pairs = tcp_pairs(kEchoConnections);
  Run run("echo_rr", "pollen", n, n);
  std::uint64_t done = 0;
  run.start();
  {
    pollen::EventLoop loop;
    std::vector<std::unique_ptr<EchoClient>> clients;
    std::vector<std::unique_ptr<EchoServer>> servers;
    for (std::size_t i = 0; i < kEchoConnections; ++i) {
      std::unique_ptr<EchoClient> c(new EchoClient());
      c->stream = TcpStream::from_fd(loop, pairs[i].first).value();
      c->conn = i;
      c->rounds = n / kEchoConnections;
      c->done = &done;
      std::unique_ptr<EchoServer> s(new EchoServer());
      s->stream = TcpStream::from_fd(loop, pairs[i].second).value();
      loop.spawn(echo_client(c.get()).map([c = c.get()](pollen::Unit) {
            (void)c->stream.shutdown(pollen::io::Shutdown::Write);  // the server sees EOF
            return pollen::Unit{};
          }))
          .detach();
      loop.spawn(echo_server(s.get())).detach();
      clients.push_back(std::move(c));
      servers.push_back(std::move(s));
    }
    loop.run();
  }  // the streams close their fds
  run.stop();
  check(done == n, "echo_rr: round trips");
  run.print();
}

void pollen_stream_bulk(std::uint64_t n) {
  std::vector<std::pair<int, int>> pairs = tcp_pairs(1);
  Run run("stream_bulk", "pollen", n, n);
  std::uint64_t received = 0;
  std::uint64_t sum = 0;
  run.start();
  {
    pollen::EventLoop loop;
    TcpStream writer = TcpStream::from_fd(loop, pairs[0].first).value();
    TcpStream reader = TcpStream::from_fd(loop, pairs[0].second).value();
    std::vector<unsigned char> chunk(kBulkChunk);
    fill_chunk(chunk.data());
    std::vector<unsigned char> in(kBulkChunk);
    auto write_side = pollen::loop_fn(n, [&](std::uint64_t left) {
      return writer.write_all(chunk.data(), kBulkChunk)
          .map([&, left](Result<std::size_t> w) -> pollen::Loop<std::uint64_t, pollen::Unit> {
            check(w.ok(), "stream_bulk: write failed");
            if (left > 1) return pollen::loop_continue(left - 1);
            (void)writer.shutdown(pollen::io::Shutdown::Write);
            return pollen::loop_break(pollen::Unit{});
          });
    });
    auto read_side = pollen::loop_fn(0, [&](int) {
      return reader.read(in.data(), in.size())
          .map([&](Result<std::size_t> r) -> pollen::Loop<int, pollen::Unit> {
            check(r.ok(), "stream_bulk: read failed");
            if (r.value() == 0) return pollen::loop_break(pollen::Unit{});
            sum += bulk_sample(in.data(), r.value(), received);
            received += r.value();
            return pollen::loop_continue(0);
          });
    });
    loop.block_on(pollen::join(std::move(write_side), std::move(read_side)));
  }
  run.stop();
  check(received == n * kBulkChunk, "stream_bulk: byte count");
  check(sum == bulk_expected_sum(n), "stream_bulk: the data is not what was sent");
  run.print();
}

}  // namespace workloads
