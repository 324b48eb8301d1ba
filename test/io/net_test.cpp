// Tests of pollen/io/net.hpp over TCP on loopback: addresses, accept and
// echo, half-close, reset, refused, many connections, a slow reader, a
// cancelled read, fd reuse under load, and the loop's destruction.
#include <pollen/core/cancel_safe.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/poll_fn.hpp>
#include <pollen/future/select.hpp>
#include <pollen/io/net.hpp>
#include <pollen/runtime/event_loop.hpp>
#include <pollen/runtime/join_handle.hpp>

#include "alloc_counter.hpp"
#include "contract.hpp"
#include "net_support.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace {

using pollen::EventLoop;
using pollen::Result;
using pollen::io::NetError;
using pollen::io::SocketAddr;
using pollen::io::TcpConnect;
using pollen::io::TcpListener;
using pollen::io::TcpStream;
using testing::HasSubstr;

using Echo = nt::EchoServer<TcpListener, TcpStream>;
using Client = nt::EchoClient<TcpConnect, TcpStream>;

std::error_code sys(int e) { return std::error_code(e, std::system_category()); }

TcpListener bind_loopback(EventLoop& loop, const char* addr = "127.0.0.1:0") {
  Result<TcpListener> l = TcpListener::bind(loop, addr);
  EXPECT_TRUE(l.ok()) << (l.ok() ? "" : l.error().message());
  return std::move(l).value();
}

// A connected pair on `loop`: (client, server side).
std::pair<TcpStream, TcpStream> connected_pair(EventLoop& loop, const char* addr = "127.0.0.1:0") {
  TcpListener l = bind_loopback(loop, addr);
  SocketAddr where = l.local_addr().value();
  auto accept = loop.spawn(l.accept());
  Result<TcpStream> c = loop.block_on(TcpStream::connect(loop, where));
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message());
  auto a = nt::join(loop, accept);
  EXPECT_TRUE(a.ok());
  return std::make_pair(std::move(c).value(), std::move(a).value().first);
}

// ---- addresses -------------------------------------------------------------

TEST(SocketAddr, ParsesIpv4AndIpv6WithPorts) {
  Result<SocketAddr> a = SocketAddr::parse("127.0.0.1:8080");
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a.value().is_v4());
  EXPECT_EQ(a.value().port(), 8080);
  EXPECT_EQ(a.value().to_string(), "127.0.0.1:8080");
  EXPECT_EQ(a.value(), SocketAddr::loopback_v4(8080));

  Result<SocketAddr> b = SocketAddr::parse("[::1]:0");
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b.value().is_v6());
  EXPECT_EQ(b.value().port(), 0);
  EXPECT_EQ(b.value().to_string(), "[::1]:0");
  EXPECT_EQ(b.value(), SocketAddr::loopback_v6(0));

  EXPECT_EQ(SocketAddr::parse("[fe80::1:2]:65535").value().to_string(), "[fe80::1:2]:65535");
  EXPECT_EQ(SocketAddr::parse("0.0.0.0:1").value().ip_string(), "0.0.0.0");
}

TEST(SocketAddr, ABadStringIsAnErrorValueThatSaysWhatIsExpected) {
  struct Case {
    const char* text;
    NetError error;
  };
  const Case cases[] = {
      {"", NetError::bad_address},           {"localhost:80", NetError::bad_address},
      {"127.0.0.1", NetError::missing_port}, {"127.0.0.1:", NetError::bad_port},
      {"127.0.0.1:65536", NetError::bad_port}, {"127.0.0.1:-1", NetError::bad_port},
      {"127.0.0.1:8o", NetError::bad_port},  {"::1:80", NetError::bad_address},
      {"[::1]", NetError::missing_port},     {"[::1]80", NetError::bad_address},
      {"[::1:80", NetError::bad_address},    {"256.0.0.1:80", NetError::bad_address},
      {"[127.0.0.1]:80", NetError::bad_address},
  };
  for (const Case& c : cases) {
    Result<SocketAddr> r = SocketAddr::parse(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.error(), pollen::io::make_error_code(c.error)) << c.text;
    EXPECT_EQ(r.error(), std::errc::invalid_argument) << c.text;
  }
  Result<SocketAddr> r = SocketAddr::parse("localhost:80");
  EXPECT_EQ(std::string(r.error().category().name()), "pollen.net");
  EXPECT_THAT(r.error().message(), HasSubstr("127.0.0.1:8080"));
  EXPECT_THAT(r.error().message(), HasSubstr("[::1]:8080"));
  EXPECT_THAT(SocketAddr::parse("1.2.3.4").error().message(), HasSubstr("no port"));
}

TEST(SocketAddr, DefaultIsUnspecified) {
  SocketAddr a;
  EXPECT_FALSE(a.is_v4());
  EXPECT_FALSE(a.is_v6());
  EXPECT_EQ(a.port(), 0);
  EXPECT_EQ(a.to_string(), "<unspecified>");
  EXPECT_TRUE(std::is_trivially_copyable<SocketAddr>::value);
}

TEST(Tcp, BindAndConnectReportABadAddressStringAsAValue) {
  EventLoop loop;
  Result<TcpListener> l = TcpListener::bind(loop, "not an address");
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.error(), pollen::io::make_error_code(NetError::bad_address));
  Result<TcpStream> c = loop.block_on(TcpStream::connect(loop, std::string("10.0.0.1")));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error(), pollen::io::make_error_code(NetError::missing_port));
}

// ---- one connection --------------------------------------------------------

TEST(Tcp, AcceptsAndEchoes) {
  EventLoop loop;
  TcpListener l = bind_loopback(loop);
  SocketAddr where = l.local_addr().value();
  EXPECT_TRUE(where.is_v4());
  EXPECT_NE(where.port(), 0);
  auto server = loop.spawn(Echo{&l, &loop, 1});
  nt::ClientResult r = loop.block_on(Client{TcpStream::connect(loop, where), 0, 10, 100});
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.echoed, 10u);
  EXPECT_EQ(nt::join(loop, server), 1u);
}

TEST(Tcp, AcceptsAndEchoesOverIpv6) {
  EventLoop loop;
  Result<TcpListener> l = TcpListener::bind(loop, "[::1]:0");
  if (!l.ok() && (l.error() == std::errc::address_not_available ||
                  l.error() == std::errc::address_family_not_supported)) {
    GTEST_SKIP() << "no IPv6 loopback here: " << l.error().message();
  }
  ASSERT_TRUE(l.ok());
  SocketAddr where = l.value().local_addr().value();
  EXPECT_TRUE(where.is_v6());
  auto server = loop.spawn(Echo{&l.value(), &loop, 1});
  nt::ClientResult r =
      loop.block_on(Client{TcpStream::connect(loop, "[::1]:" + std::to_string(where.port())), 0, 3, 1000});
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(nt::join(loop, server), 1u);
}

TEST(Tcp, AcceptGivesThePeerAddressAndTheStreamKnowsBothEnds) {
  EventLoop loop;
  TcpListener l = bind_loopback(loop);
  auto accept = loop.spawn(l.accept());
  TcpStream c = loop.block_on(TcpStream::connect(loop, l.local_addr().value())).value();
  auto a = nt::join(loop, accept);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a.value().second, c.local_addr().value());
  EXPECT_EQ(a.value().first.peer_addr().value(), c.local_addr().value());
  EXPECT_EQ(c.peer_addr().value(), l.local_addr().value());
  EXPECT_TRUE(c.set_nodelay(true).ok());
  EXPECT_TRUE(c.nodelay().value());
  EXPECT_TRUE(c.set_nodelay(false).ok());
  EXPECT_FALSE(c.nodelay().value());
}

TEST(Tcp, ReadExactAndWriteAllMoveEveryByte) {
  EventLoop loop;
  auto ends = connected_pair(loop);
  std::string out = nt::message(1, 2, 300000);  // more than one socket buffer
  std::string in(out.size(), '\0');
  auto writer = loop.spawn(ends.first.write_all(out.data(), out.size()));
  Result<std::size_t> r = loop.block_on(ends.second.read_exact(&in[0], in.size()));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), out.size());
  EXPECT_EQ(nt::join(loop, writer).value(), out.size());
  EXPECT_TRUE(in == out);
}

TEST(Tcp, HalfCloseLetsThePeerReadEndOfStreamAndStillAnswer) {
  EventLoop loop;
  auto ends = connected_pair(loop);
  TcpStream& client = ends.first;
  TcpStream& server = ends.second;
  ASSERT_TRUE(loop.block_on(client.write_all("ping", 4)).ok());
  ASSERT_TRUE(client.shutdown(pollen::io::Shutdown::Write).ok());

  char buf[16];
  std::string got;
  for (;;) {
    Result<std::size_t> r = loop.block_on(server.read(buf, sizeof buf));
    ASSERT_TRUE(r.ok());
    if (r.value() == 0) break;  // end of stream: the client's FIN
    got.append(buf, r.value());
  }
  EXPECT_EQ(got, "ping");
  // The other direction is still open.
  ASSERT_TRUE(loop.block_on(server.write_all("pong", 4)).ok());
  server = TcpStream();  // close
  char back[4];
  ASSERT_TRUE(loop.block_on(client.read_exact(back, 4)).ok());
  EXPECT_EQ(std::string(back, 4), "pong");
  EXPECT_EQ(loop.block_on(client.read(buf, sizeof buf)).value(), 0u);
  // read_exact at end of stream: an error value.
  Result<std::size_t> eof = loop.block_on(client.read_exact(buf, 1));
  ASSERT_FALSE(eof.ok());
  EXPECT_EQ(eof.error(), pollen::io::make_error_code(NetError::unexpected_eof));
}

TEST(Tcp, APeerResetIsEconnresetAsAValue) {
  EventLoop loop;
  auto ends = connected_pair(loop);
  linger lg{1, 0};  // close() sends RST
  ASSERT_EQ(::setsockopt(ends.second.fd(), SOL_SOCKET, SO_LINGER, &lg, sizeof lg), 0);
  ends.second = TcpStream();
  char buf[8];
  Result<std::size_t> r = loop.block_on(ends.first.read(buf, sizeof buf));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), sys(ECONNRESET));
}

TEST(Tcp, WritingToAResetConnectionIsAnErrorNotSigpipe) {
  EventLoop loop;
  auto ends = connected_pair(loop);
  linger lg{1, 0};
  ASSERT_EQ(::setsockopt(ends.second.fd(), SOL_SOCKET, SO_LINGER, &lg, sizeof lg), 0);
  ends.second = TcpStream();
  std::string data(1 << 16, 'x');
  Result<std::size_t> r = loop.block_on(ends.first.write_all(data.data(), data.size()));
  for (int i = 0; i < 3 && r.ok(); ++i) r = loop.block_on(ends.first.write_all(data.data(), data.size()));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error() == sys(ECONNRESET) || r.error() == sys(EPIPE)) << r.error().message();
}

TEST(Tcp, ConnectingToAClosedPortIsEconnrefusedAsAValue) {
  EventLoop loop;
  SocketAddr where;
  {
    TcpListener l = bind_loopback(loop);
    where = l.local_addr().value();
  }  // closed: nothing listens there now
  Result<TcpStream> r = loop.block_on(TcpStream::connect(loop, where));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), sys(ECONNREFUSED));
}

TEST(Tcp, BindingAPortInUseIsEaddrinuseAsAValue) {
  EventLoop loop;
  TcpListener l = bind_loopback(loop);
  Result<TcpListener> again = TcpListener::bind(loop, l.local_addr().value());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error(), sys(EADDRINUSE));
}

// ---- the futures: describe, cancel safety, misuse ----------------------------

static_assert(pollen::is_cancel_safe<pollen::io::SocketRead>::value, "read is cancel safe");
static_assert(pollen::is_cancel_safe<pollen::io::SocketWrite>::value, "write is cancel safe");
static_assert(pollen::is_cancel_safe<pollen::io::TcpAccept>::value, "accept is cancel safe");
static_assert(pollen::is_cancel_safe<pollen::io::TcpConnect>::value, "connect is cancel safe");
static_assert(!pollen::is_cancel_safe<pollen::io::SocketReadExact>::value, "read_exact is not");
static_assert(!pollen::is_cancel_safe<pollen::io::SocketWriteAll>::value, "write_all is not");

TEST(Tcp, FuturesDescribeTheirFdAndState) {
  EventLoop loop;
  auto ends = connected_pair(loop);
  char buf[64];
  const std::string fd = std::to_string(ends.first.fd());
  auto rd = ends.first.read(buf, 64);
  EXPECT_THAT(pollen::describe(rd), HasSubstr("tcp::read(fd " + fd + ", 64 bytes) [state: Waiting]"));
  auto wa = ends.first.write_all(buf, 64);
  EXPECT_THAT(pollen::describe(wa), HasSubstr("tcp::write_all(fd " + fd + ", 0 of 64 bytes) [state: Writing]"));
  auto re = ends.first.read_exact(buf, 10);
  EXPECT_THAT(pollen::describe(re), HasSubstr("tcp::read_exact(fd " + fd + ", 0 of 10 bytes) [state: Reading]"));
  auto c = TcpStream::connect(loop, SocketAddr::loopback_v4(9));
  EXPECT_THAT(pollen::describe(c), HasSubstr("tcp::connect(127.0.0.1:9) [state: Start]"));
}

TEST(Tcp, PollingAFinishedReadIsAContractError) {
  EventLoop loop;
  auto ends = connected_pair(loop);
  ASSERT_TRUE(loop.block_on(ends.second.write_all("x", 1)).ok());
  char buf[4];
  auto rd = ends.first.read(buf, sizeof buf);
  auto both = pollen::poll_fn([&](pollen::Context& cx) -> pollen::Poll<int> {
    auto p = rd.poll(cx);
    if (p.is_pending()) return pollen::pending;
    EXPECT_EQ(std::move(p).value().value(), 1u);
    EXPECT_CONTRACT_ERROR((void)rd.poll(cx), "tcp::read polled after");
    return 0;
  });
  loop.block_on(std::move(both));
}

TEST(Tcp, AnEmptyStreamIsAContractErrorNamingTheCall) {
  TcpStream s;
  char buf[4];
  EXPECT_FALSE(static_cast<bool>(s));
  EXPECT_CONTRACT_ERROR(auto f = s.read(buf, 4); (void)f, "TcpStream::read called on an empty socket");
  EXPECT_CONTRACT_ERROR((void)s.shutdown(pollen::io::Shutdown::Write), "TcpStream::shutdown");
  TcpListener l;
  EXPECT_CONTRACT_ERROR(auto f = l.accept(); (void)f, "TcpListener::accept called on an empty socket");
}

// Two futures reading one stream at once would steal each other's wakeups:
// the second is a ContractError naming the fd. Dropping the first releases
// its claim, and a new read is then fine.
TEST(Tcp, TwoReadsWaitingOnOneStreamAreAContractError) {
  EventLoop loop;
  auto ends = connected_pair(loop);
  char a[4], b[4];
  auto first = pollen::Option<pollen::io::SocketRead>(ends.first.read(a, sizeof a));
  auto second = ends.first.read(b, sizeof b);
  loop.block_on(pollen::poll_fn([&](pollen::Context& cx) -> pollen::Poll<int> {
    EXPECT_TRUE(first.value().poll(cx).is_pending());
    EXPECT_CONTRACT_ERROR((void)second.poll(cx),
                          "two waiters to read fd " + std::to_string(ends.first.fd()) + " at once");
    first = pollen::Option<pollen::io::SocketRead>();  // cancelled: the claim goes with it
    return 0;
  }));
  ASSERT_EQ(::send(ends.second.fd(), "ok", 2, MSG_NOSIGNAL), 2);
  EXPECT_EQ(loop.block_on(ends.first.read(b, sizeof b)).value(), 2u);
}

TEST(Tcp, TwoAcceptsWaitingOnOneListenerAreAContractError) {
  EventLoop loop;
  TcpListener l = bind_loopback(loop);
  auto first = l.accept();
  auto second = l.accept();
  loop.block_on(pollen::poll_fn([&](pollen::Context& cx) -> pollen::Poll<int> {
    EXPECT_TRUE(first.poll(cx).is_pending());
    EXPECT_CONTRACT_ERROR((void)second.poll(cx), "two waiters to read fd");
    return 0;
  }));
}

// A read raced by select and cancelled while Pending: the bytes that arrive
// afterwards are all there for the next read.
TEST(Tcp, ACancelledReadLosesNoBytes) {
  EventLoop loop;
  auto ends = connected_pair(loop);
  char buf[16];
  int polls_of_other = 0;
  // The other arm: Pending once (waking itself), then Ready. The read is
  // polled (Pending: nothing was sent yet) and then destroyed by select.
  auto other = pollen::poll_fn([&](pollen::Context& cx) -> pollen::Poll<int> {
    if (polls_of_other++ == 0) {
      cx.waker().wake();
      return pollen::pending;
    }
    return 7;
  });
  auto raced = loop.block_on(pollen::select_biased(ends.first.read(buf, sizeof buf), std::move(other)));
  EXPECT_EQ(raced.index(), 1u);
  EXPECT_EQ(polls_of_other, 2);
  // Now the peer sends; the cancelled read consumed nothing.
  ASSERT_EQ(::send(ends.second.fd(), "abcdef", 6, MSG_NOSIGNAL), 6);
  Result<std::size_t> r = loop.block_on(ends.first.read_exact(buf, 6));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::string(buf, 6), "abcdef");
}

// The same with the data already there when the race is decided: select
// polls the read first (biased); the read wins and nothing is dropped; or,
// when the other arm is polled first and wins, the read never ran.
TEST(Tcp, AReadThatLosesARaceAfterDataArrivedKeepsTheData) {
  EventLoop loop;
  auto ends = connected_pair(loop);
  ASSERT_EQ(::send(ends.second.fd(), "xyz", 3, MSG_NOSIGNAL), 3);
  char buf[16];
  auto raced = loop.block_on(pollen::select_biased(pollen::poll_fn([](pollen::Context&) -> pollen::Poll<int> {
                                                     return 1;
                                                   }),
                                                   ends.first.read(buf, sizeof buf)));
  EXPECT_EQ(raced.index(), 0u);
  Result<std::size_t> r = loop.block_on(ends.first.read_exact(buf, 3));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::string(buf, 3), "xyz");
}

// ---- load --------------------------------------------------------------------

TEST(Tcp, AThousandConnectionsOfAHundredMessagesEachThroughOneEchoServer) {
  nt::raise_fd_limit();
  const std::size_t fds_before = nt::fd_count();
  {
    EventLoop loop;
    TcpListener l = bind_loopback(loop);
    SocketAddr where = l.local_addr().value();
    const std::size_t conns = 1000;
    auto server = loop.spawn(Echo{&l, &loop, conns});
    std::vector<pollen::JoinHandle<nt::ClientResult>> clients;
    for (std::size_t c = 0; c < conns; ++c) {
      clients.push_back(loop.spawn(Client{TcpStream::connect(loop, where), c, 100, 64}));
    }
    std::size_t echoed = 0;
    for (auto& h : clients) {
      nt::ClientResult r = nt::join(loop, h);
      EXPECT_EQ(r.error, "");
      echoed += r.echoed;
    }
    EXPECT_EQ(echoed, conns * 100);
    EXPECT_EQ(nt::join(loop, server), conns);
  }
  EXPECT_EQ(nt::fd_count(), fds_before);
}

// Connections opened and closed again and again while others carry load:
// the kernel hands the closed fd numbers to the new sockets at once. Every
// exchange still completes with its own bytes: no readiness meant for a
// closed socket reaches the new owner of its number (which would show as a
// hang, a lost wake or wrong bytes), and no fd is left behind.
TEST(Tcp, ClosingAndReopeningSocketsUnderLoadKeepsEveryExchangeApart) {
  nt::raise_fd_limit();
  const std::size_t fds_before = nt::fd_count();
  {
    EventLoop loop;
    TcpListener l = bind_loopback(loop);
    SocketAddr where = l.local_addr().value();
    auto server = loop.spawn(Echo{&l, &loop, 0});
    // 20 long-lived connections keep traffic going...
    std::vector<pollen::JoinHandle<nt::ClientResult>> steady;
    for (std::size_t c = 0; c < 20; ++c) {
      steady.push_back(loop.spawn(Client{TcpStream::connect(loop, where), c, 400, 512}));
    }
    // ... while 40 tasks each open, use and close 25 short connections.
    struct Churn {
      using Output = std::string;
      EventLoop* loop;
      SocketAddr where;
      std::size_t id;
      std::size_t rounds;
      std::size_t round = 0;
      pollen::Option<Client> current{};
      pollen::Poll<std::string> poll(pollen::Context& cx) {
        for (;;) {
          if (!current.has_value()) {
            if (round == rounds) return std::string();
            current = Client{TcpStream::connect(*loop, where), id * 1000 + round, 3, 100};
          }
          auto p = current.value().poll(cx);
          if (p.is_pending()) return pollen::pending;
          nt::ClientResult r = std::move(p).value();
          current = pollen::Option<Client>();  // closes the connection
          if (!r.error.empty()) return r.error;
          ++round;
        }
      }
    };
    std::vector<pollen::JoinHandle<std::string>> churn;
    for (std::size_t c = 0; c < 40; ++c) churn.push_back(loop.spawn(Churn{&loop, where, 100 + c, 25, 0, {}}));
    for (auto& h : churn) EXPECT_EQ(nt::join(loop, h), "");
    for (auto& h : steady) EXPECT_EQ(nt::join(loop, h).error, "");
    server.abort();
  }
  EXPECT_EQ(nt::fd_count(), fds_before);
}

// A writer whose peer does not read: write_all goes Pending once the kernel's
// buffers are full, holding only the caller's buffer (no allocation, nothing
// copied); the reader then takes every byte, in order.
TEST(Tcp, ASlowReaderMakesWriteAllWaitInsteadOfBuffering) {
  EventLoop loop;
  auto ends = connected_pair(loop);
  const std::size_t total = 64u << 20;  // far more than the socket buffers hold
  std::string out = nt::message(3, 4, total);
  auto wa = ends.first.write_all(out.data(), out.size());
  std::size_t allocations_while_pending = 0;
  // Poll write_all until it is Pending with the socket really full (not
  // writable): then the kernel holds all it will take.
  std::size_t written = loop.block_on(pollen::poll_fn([&](pollen::Context& cx) -> pollen::Poll<std::size_t> {
    pollen::test::AllocCounter count;
    auto p = wa.poll(cx);
    allocations_while_pending += count.allocations();
    EXPECT_TRUE(p.is_pending()) << "write_all finished with nobody reading";
    pollfd pfd{ends.first.fd(), POLLOUT, 0};
    if (::poll(&pfd, 1, 0) == 0) return wa.written();
    return pollen::pending;  // the AsyncFd wakes us when writable again
  }));
  EXPECT_GT(written, 0u);
  EXPECT_LT(written, 16u << 20) << "more than the kernel's buffers can hold";
  EXPECT_EQ(allocations_while_pending, 0u);
  // Now read it all; the writer finishes.
  auto writer = loop.spawn(std::move(wa));
  std::string in(total, '\0');
  ASSERT_TRUE(loop.block_on(ends.second.read_exact(&in[0], in.size())).ok());
  EXPECT_EQ(nt::join(loop, writer).value(), total);
  EXPECT_TRUE(in == out);
}

// ---- split -------------------------------------------------------------------

TEST(Tcp, SplitHalvesReadAndWriteFromTwoTasksAtOnce) {
  EventLoop loop;
  TcpListener l = bind_loopback(loop);
  auto server = loop.spawn(Echo{&l, &loop, 1});
  TcpStream s = loop.block_on(TcpStream::connect(loop, l.local_addr().value())).value();
  auto halves = std::move(s).into_split();
  EXPECT_FALSE(static_cast<bool>(s));
  const std::size_t total = 4u << 20;  // both tasks wait on the socket at times
  std::string out = nt::message(5, 6, total);
  auto wh = std::make_shared<pollen::io::SocketWriteHalf>(std::move(halves.second));
  auto rh = std::make_shared<pollen::io::SocketReadHalf>(std::move(halves.first));
  std::string in(total, '\0');
  std::size_t got = 0;
  auto reader = loop.spawn(pollen::poll_fn([&, rh](pollen::Context& cx) -> pollen::Poll<bool> {
    for (;;) {
      char buf[8192];
      auto p = rh->poll_read(cx, buf, sizeof buf);
      if (p.is_pending()) return pollen::pending;
      auto r = std::move(p).value();
      if (!r.ok() || r.value() == 0) return got == total;
      std::memcpy(&in[got], buf, r.value());
      got += r.value();
    }
  }));
  auto writer = loop.spawn(wh->write_all(out.data(), out.size()));
  EXPECT_EQ(nt::join(loop, writer).value(), total);
  wh.reset();  // shuts the write side down: the server sees EOF, closes, reader sees EOF
  EXPECT_TRUE(nt::join(loop, reader));
  EXPECT_TRUE(in == out);
  EXPECT_EQ(nt::join(loop, server), 1u);
}

// ---- the loop's end ------------------------------------------------------------

TEST(Tcp, DestroyingTheLoopWithOpenSocketsLeaksNoFd) {
  const std::size_t fds_before = nt::fd_count();
  {
    EventLoop loop;
    TcpListener l = bind_loopback(loop);
    auto server = loop.spawn(Echo{&l, &loop, 10});
    // Clients that connect and then wait for a reply that never comes.
    std::vector<pollen::JoinHandle<int>> waiting;
    std::size_t connected = 0;
    for (int i = 0; i < 10; ++i) {
      struct Waiter {
        using Output = int;
        TcpConnect c;
        std::size_t* connected;
        TcpStream s{};
        char buf[4] = {0, 0, 0, 0};
        pollen::Poll<int> poll(pollen::Context& cx) {
          if (!s) {
            auto p = c.poll(cx);
            if (p.is_pending()) return pollen::pending;
            s = std::move(p).value().value();
            ++*connected;
          }
          auto p = s.poll_read(cx, buf, sizeof buf);
          if (p.is_pending()) return pollen::pending;
          return 1;
        }
      };
      waiting.push_back(loop.spawn(Waiter{TcpStream::connect(loop, l.local_addr().value()), &connected, TcpStream(), {0, 0, 0, 0}}));
    }
    loop.block_on(pollen::poll_fn([&](pollen::Context& cx) -> pollen::Poll<int> {
      if (connected == 10 && server.is_finished()) return 0;
      cx.waker().wake();
      return pollen::pending;
    }));
    EXPECT_GE(nt::fd_count(), fds_before + 21);
  }  // the loop goes with 20 sockets open in its tasks (and the listener)
  EXPECT_EQ(nt::fd_count(), fds_before);
}

}  // namespace
