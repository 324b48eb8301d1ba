// Pipes and adopted stream fds: bytes through in order, EOF when the writer
// goes, a full pipe makes write_all wait, borrowed fds stay open, EPIPE.
#include <pollen/io.hpp>
#include <pollen/pollen.hpp>

#include "contract.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

using pollen::EventLoop;
using pollen::Result;
using pollen::io::Pipe;
using pollen::io::PipeReader;
using pollen::io::PipeWriter;

namespace {

TEST(Pipe, BytesGoThroughInOrderAndTheWritersDropIsEndOfStream) {
  EventLoop loop;
  Pipe p = pollen::io::pipe(loop).value();
  const std::string msg = "hello through a pipe";
  Result<std::size_t> w = loop.block_on(p.writer.write_all(msg.data(), msg.size()));
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w.value(), msg.size());
  p.writer.reset();
  std::string got;
  char buf[7];
  for (;;) {
    Result<std::size_t> r = loop.block_on(p.reader.read(buf, sizeof buf));
    ASSERT_TRUE(r.ok());
    if (r.value() == 0) break;
    got.append(buf, r.value());
  }
  EXPECT_EQ(got, msg);
}

// More than a pipe holds (64 KiB): write_all waits for the reader instead of
// buffering; both tasks on one loop, every byte through.
TEST(Pipe, AFullPipeMakesWriteAllWaitForTheReader) {
  EventLoop loop;
  Pipe p = pollen::io::pipe(loop).value();
  std::vector<unsigned char> data(1 << 20);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<unsigned char>(i * 13);
  auto writer = loop.spawn(p.writer.write_all(data.data(), data.size()));
  loop.run_until_stalled();
  EXPECT_FALSE(writer.is_finished());  // waiting: the pipe is full
  std::vector<unsigned char> got;
  std::vector<unsigned char> buf(4096);
  auto reader = loop.spawn(pollen::loop_fn(0, [&](int) {
    return p.reader.read_exact(buf.data(), buf.size())
        .map([&](Result<std::size_t> r) -> pollen::Loop<int, pollen::Unit> {
          EXPECT_TRUE(r.ok());
          got.insert(got.end(), buf.begin(), buf.end());
          if (got.size() == data.size()) return pollen::loop_break(pollen::Unit{});
          return pollen::loop_continue(0);
        });
  }));
  loop.run();
  EXPECT_TRUE(writer.is_finished());
  EXPECT_EQ(got, data);
}

TEST(Pipe, ABorrowedFdStaysOpenAndAnAdoptedOneIsClosed) {
  EventLoop loop;
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
  {
    PipeReader r = PipeReader::borrow_fd(loop, fds[0]).value();
    PipeWriter w = PipeWriter::from_fd(loop, fds[1]).value();
    EXPECT_EQ(r.fd(), fds[0]);
  }
  EXPECT_NE(::fcntl(fds[0], F_GETFD), -1);  // borrowed: open
  EXPECT_EQ(::fcntl(fds[1], F_GETFD), -1);  // adopted: closed
  ::close(fds[0]);
}

TEST(Pipe, WritingWithTheReadEndClosedIsEpipeWhenSigpipeIsIgnored) {
  struct sigaction ign, old;
  std::memset(&ign, 0, sizeof ign);
  ign.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ign, &old);
  EventLoop loop;
  Pipe p = pollen::io::pipe(loop).value();
  p.reader.reset();
  Result<std::size_t> w = loop.block_on(p.writer.write("x", 1));
  ::sigaction(SIGPIPE, &old, nullptr);
  ASSERT_FALSE(w.ok());
  EXPECT_TRUE(w.error() == std::errc::broken_pipe) << w.error().message();
}

// A pending read moved to another address (as boxed() does) is still woken.
TEST(Pipe, APendingReadMovedElsewhereIsStillWoken) {
  EventLoop loop;
  Pipe p = pollen::io::pipe(loop).value();
  char buf[8];
  auto first = p.reader.read(buf, sizeof buf);
  using Read = decltype(first);
  std::unique_ptr<Read> moved;
  pollen::Option<std::size_t> got;
  auto h = loop.spawn(pollen::poll_fn([&](pollen::Context& cx) -> pollen::Poll<pollen::Unit> {
    if (!moved) {
      if (first.poll(cx).is_ready()) return pollen::Unit{};
      moved.reset(new Read(std::move(first)));
      return pollen::pending;
    }
    pollen::Poll<Result<std::size_t>> r = moved->poll(cx);
    if (r.is_pending()) return pollen::pending;
    got = r.value().value();
    return pollen::Unit{};
  }));
  loop.run_until_stalled();
  EXPECT_FALSE(h.is_finished());
  ASSERT_TRUE(loop.block_on(p.writer.write_all("abc", 3)).ok());
  loop.run_until_stalled();
  EXPECT_TRUE(h.is_finished());
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, 3u);
}

TEST(Pipe, DescribeNamesThePipe) {
  EventLoop loop;
  Pipe p = pollen::io::pipe(loop).value();
  char buf[16];
  auto f = p.reader.read(buf, sizeof buf);
  EXPECT_EQ(pollen::describe(f).find("pipe::read(fd " + std::to_string(p.reader.fd()) + ", 16 bytes)"),
            0u)
      << pollen::describe(f);
  EXPECT_TRUE(pollen::is_cancel_safe<decltype(f)>::value);
  EXPECT_FALSE(pollen::is_cancel_safe<decltype(p.writer.write_all(buf, 1))>::value);
}

TEST(Pipe, MisuseIsAContractError) {
  EventLoop loop;
  PipeReader empty;
  char buf[4];
  auto read_empty = [&] {
    auto f = empty.read(buf, sizeof buf);
    (void)f;
  };
  EXPECT_CONTRACT_ERROR(read_empty(), "called on an empty one");
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);  // blocking
  EXPECT_CONTRACT_ERROR((void)PipeReader::borrow_fd(loop, fds[0]), "is in blocking mode");
  ::close(fds[0]);
  ::close(fds[1]);
}

// A regular file cannot be watched by epoll: an error value, not a hang.
TEST(Pipe, ARegularFileIsAnErrorValueOnEpoll) {
  EventLoop loop;
  char path[] = "/tmp/pollen_pipe_test_XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::unlink(path);
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  Result<PipeReader> r = PipeReader::borrow_fd(loop, fd);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error() == std::errc::operation_not_permitted) << r.error().message();
  ::close(fd);
}

}  // namespace
