// Tests of pollen/io/unix.hpp: Unix domain stream sockets in a temporary
// directory, and socketpair streams.
#include <pollen/core/describe.hpp>
#include <pollen/io/net.hpp>
#include <pollen/runtime/event_loop.hpp>
#include <pollen/runtime/join_handle.hpp>

#include "contract.hpp"
#include "net_support.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>
#include <vector>

namespace {

using pollen::EventLoop;
using pollen::Result;
using pollen::io::UnixConnect;
using pollen::io::UnixListener;
using pollen::io::UnixStream;
using testing::HasSubstr;

using Echo = nt::EchoServer<UnixListener, UnixStream>;
using Client = nt::EchoClient<UnixConnect, UnixStream>;

std::error_code sys(int e) { return std::error_code(e, std::system_category()); }

// A fresh directory, removed with what the test left in it.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/pollen-net-XXXXXX";
    const char* d = ::mkdtemp(tmpl);
    EXPECT_NE(d, nullptr);
    path_ = d ? d : "/tmp";
  }
  ~TempDir() {
    for (const std::string& f : files_) ::unlink(f.c_str());
    ::rmdir(path_.c_str());
  }
  std::string file(const std::string& name) {
    files_.push_back(path_ + "/" + name);
    return files_.back();
  }

 private:
  std::string path_;
  std::vector<std::string> files_;
};

TEST(Unix, AcceptsAndEchoesThroughASocketFile) {
  TempDir dir;
  EventLoop loop;
  Result<UnixListener> l = UnixListener::bind(loop, dir.file("echo.sock"));
  ASSERT_TRUE(l.ok()) << l.error().message();
  auto server = loop.spawn(Echo{&l.value(), &loop, 1});
  nt::ClientResult r = loop.block_on(Client(UnixStream::connect(loop, l.value().path()), 0, 20, 3000));
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.echoed, 20u);
  EXPECT_EQ(nt::join(loop, server), 1u);
}

TEST(Unix, TwoHundredConnectionsLeaveNoFdBehind) {
  TempDir dir;
  const std::size_t fds_before = nt::fd_count();
  {
    EventLoop loop;
    UnixListener l = UnixListener::bind(loop, dir.file("many.sock")).value();
    auto server = loop.spawn(Echo{&l, &loop, 200});
    std::vector<pollen::JoinHandle<nt::ClientResult>> clients;
    for (std::size_t c = 0; c < 200; ++c) {
      clients.push_back(loop.spawn(Client(UnixStream::connect(loop, l.path()), c, 20, 64)));
    }
    for (auto& h : clients) EXPECT_EQ(nt::join(loop, h).error, "");
    EXPECT_EQ(nt::join(loop, server), 200u);
  }
  EXPECT_EQ(nt::fd_count(), fds_before);
}

TEST(Unix, APairHalfClosesLikeTcp) {
  EventLoop loop;
  auto ends = UnixStream::pair(loop).value();
  ASSERT_TRUE(loop.block_on(ends.first.write_all("hello", 5)).ok());
  ASSERT_TRUE(ends.first.shutdown(pollen::io::Shutdown::Write).ok());
  char buf[8];
  ASSERT_TRUE(loop.block_on(ends.second.read_exact(buf, 5)).ok());
  EXPECT_EQ(std::string(buf, 5), "hello");
  EXPECT_EQ(loop.block_on(ends.second.read(buf, sizeof buf)).value(), 0u);  // end of stream
  ASSERT_TRUE(loop.block_on(ends.second.write_all("back", 4)).ok());
  ASSERT_TRUE(loop.block_on(ends.first.read_exact(buf, 4)).ok());
  EXPECT_EQ(std::string(buf, 4), "back");
}

TEST(Unix, ConnectErrorsAreValues) {
  TempDir dir;
  EventLoop loop;
  Result<UnixStream> missing = loop.block_on(UnixStream::connect(loop, dir.file("nobody.sock")));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error(), sys(ENOENT));

  std::string path = dir.file("gone.sock");
  { UnixListener l = UnixListener::bind(loop, path).value(); }  // the file stays, nobody listens
  Result<UnixStream> refused = loop.block_on(UnixStream::connect(loop, path));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error(), sys(ECONNREFUSED));

  Result<UnixListener> again = UnixListener::bind(loop, path);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error(), sys(EADDRINUSE));

  std::string long_path(200, 'x');
  Result<UnixListener> too_long = UnixListener::bind(loop, long_path);
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error(), pollen::io::make_error_code(pollen::io::NetError::unix_path_too_long));
  Result<UnixStream> too_long_c = loop.block_on(UnixStream::connect(loop, long_path));
  ASSERT_FALSE(too_long_c.ok());
  EXPECT_EQ(too_long_c.error(), std::errc::filename_too_long);
}

TEST(Unix, SplitHalvesWorkFromTwoTasks) {
  EventLoop loop;
  auto ends = UnixStream::pair(loop).value();
  auto halves = std::move(ends.first).into_split();
  const std::size_t total = 1u << 20;
  std::string out = nt::message(7, 8, total);
  std::string in(total, '\0');
  // The peer echoes.
  auto echo = loop.spawn(nt::EchoConn<UnixStream>{std::move(ends.second)});
  auto writer = loop.spawn(halves.second.write_all(out.data(), out.size()));
  auto reader = loop.spawn(halves.first.read_exact(&in[0], in.size()));
  EXPECT_EQ(nt::join(loop, writer).value(), total);
  EXPECT_EQ(nt::join(loop, reader).value(), total);
  EXPECT_TRUE(in == out);
  halves.second = pollen::io::SocketWriteHalf();  // shuts down: the echo ends
  nt::join(loop, echo);
}

TEST(Unix, FuturesSayUnixInDescribeAndMessages) {
  EventLoop loop;
  auto ends = UnixStream::pair(loop).value();
  char buf[32];
  auto rd = ends.first.read(buf, 32);
  EXPECT_THAT(pollen::describe(rd), HasSubstr("unix::read(fd " + std::to_string(ends.first.fd()) + ", 32 bytes)"));
  auto c = UnixStream::connect(loop, "/nonexistent/x.sock");
  EXPECT_THAT(pollen::describe(c), HasSubstr("unix::connect(/nonexistent/x.sock) [state: Start]"));
  UnixStream empty;
  EXPECT_CONTRACT_ERROR(auto f = empty.write(buf, 1); (void)f, "UnixStream::write called on an empty socket");
}

}  // namespace
