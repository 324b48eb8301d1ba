// Tests of pollen/io/udp.hpp on loopback.
#include <pollen/core/cancel_safe.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/poll_fn.hpp>
#include <pollen/future/select.hpp>
#include <pollen/io/net.hpp>
#include <pollen/runtime/event_loop.hpp>
#include <pollen/runtime/join_handle.hpp>

#include "contract.hpp"
#include "net_support.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace {

using pollen::EventLoop;
using pollen::Result;
using pollen::io::SocketAddr;
using pollen::io::UdpSocket;
using testing::HasSubstr;

static_assert(pollen::is_cancel_safe<pollen::io::UdpSendTo>::value, "send_to is cancel safe");
static_assert(pollen::is_cancel_safe<pollen::io::UdpRecvFrom>::value, "recv_from is cancel safe");

TEST(Udp, SendsAndReceivesDatagramsWithTheSendersAddress) {
  EventLoop loop;
  UdpSocket a = UdpSocket::bind(loop, "127.0.0.1:0").value();
  UdpSocket b = UdpSocket::bind(loop, "127.0.0.1:0").value();
  SocketAddr a_addr = a.local_addr().value();
  SocketAddr b_addr = b.local_addr().value();
  char buf[64];
  auto recv = loop.spawn(b.recv_from(buf, sizeof buf));
  ASSERT_EQ(loop.block_on(a.send_to("datagram", 8, b_addr)).value(), 8u);
  auto got = nt::join(loop, recv);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got.value().first, 8u);
  EXPECT_EQ(got.value().second, a_addr);
  EXPECT_EQ(std::string(buf, 8), "datagram");
  // And back, to the address it came from.
  ASSERT_EQ(loop.block_on(b.send_to("reply", 5, got.value().second)).value(), 5u);
  auto back = loop.block_on(a.recv_from(buf, sizeof buf));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(std::string(buf, back.value().first), "reply");
  EXPECT_EQ(back.value().second, b_addr);
}

TEST(Udp, ALongDatagramIsTruncatedToTheBuffer) {
  EventLoop loop;
  UdpSocket a = UdpSocket::bind(loop, "127.0.0.1:0").value();
  UdpSocket b = UdpSocket::bind(loop, "127.0.0.1:0").value();
  ASSERT_TRUE(loop.block_on(a.send_to("0123456789", 10, b.local_addr().value())).ok());
  ASSERT_TRUE(loop.block_on(a.send_to("ab", 2, b.local_addr().value())).ok());
  char buf[4];
  EXPECT_EQ(loop.block_on(b.recv_from(buf, sizeof buf)).value().first, 4u);
  EXPECT_EQ(std::string(buf, 4), "0123");
  EXPECT_EQ(loop.block_on(b.recv_from(buf, sizeof buf)).value().first, 2u);  // the next datagram
  EXPECT_EQ(std::string(buf, 2), "ab");
}

TEST(Udp, ACancelledRecvLosesNoDatagram) {
  EventLoop loop;
  UdpSocket a = UdpSocket::bind(loop, "127.0.0.1:0").value();
  UdpSocket b = UdpSocket::bind(loop, "127.0.0.1:0").value();
  char buf[16];
  int polls = 0;
  auto raced = loop.block_on(pollen::select_biased(
      b.recv_from(buf, sizeof buf), pollen::poll_fn([&](pollen::Context& cx) -> pollen::Poll<int> {
        if (polls++ == 0) {
          cx.waker().wake();
          return pollen::pending;
        }
        return 1;
      })));
  EXPECT_EQ(raced.index(), 1u);
  ASSERT_TRUE(loop.block_on(a.send_to("kept", 4, b.local_addr().value())).ok());
  auto r = loop.block_on(b.recv_from(buf, sizeof buf));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::string(buf, r.value().first), "kept");
}

TEST(Udp, IPv6Loopback) {
  EventLoop loop;
  Result<UdpSocket> a = UdpSocket::bind(loop, "[::1]:0");
  if (!a.ok()) GTEST_SKIP() << "no IPv6 loopback here: " << a.error().message();
  UdpSocket b = UdpSocket::bind(loop, "[::1]:0").value();
  char buf[8];
  ASSERT_TRUE(loop.block_on(a.value().send_to("v6", 2, b.local_addr().value())).ok());
  auto r = loop.block_on(b.recv_from(buf, sizeof buf));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.value().second.is_v6());
  EXPECT_EQ(r.value().second, a.value().local_addr().value());
}

TEST(Udp, BadAddressesAndMisuse) {
  EventLoop loop;
  Result<UdpSocket> bad = UdpSocket::bind(loop, "127.0.0.1");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), std::errc::invalid_argument);
  UdpSocket s = UdpSocket::bind(loop, "127.0.0.1:0").value();
  char buf[8];
  auto rf = s.recv_from(buf, 8);
  EXPECT_THAT(pollen::describe(rf), HasSubstr("udp::recv_from(fd " + std::to_string(s.fd()) + ", 8 bytes) [state: Waiting]"));
  UdpSocket empty;
  EXPECT_CONTRACT_ERROR(auto f = empty.recv_from(buf, 8); (void)f, "UdpSocket::recv_from called on an empty socket");
}

}  // namespace
