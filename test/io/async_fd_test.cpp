// AsyncFd on both pollers: readiness wakes the waiting task, EAGAIN clears
// it, a report between the failed read and the clear is not lost, hangups,
// the fd's lifetime around the loop's, and every misuse.
#include <pollen/io.hpp>
#include <pollen/pollen.hpp>

#include "contract.hpp"

#include <gtest/gtest.h>

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <memory>
#include <string>
#include <thread>

using pollen::Context;
using pollen::EventLoop;
using pollen::Poll;
using pollen::PollerKind;
using pollen::io::AsyncFd;
using pollen::io::ReadyEvent;
using pollen::io::ReadyGuard;

namespace {

struct Pipe {
  int rd = -1;
  int wr = -1;
  explicit Pipe(bool nonblocking = true) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | (nonblocking ? O_NONBLOCK : 0)) != 0) std::abort();
    rd = fds[0];
    wr = fds[1];
  }
  ~Pipe() {
    close_rd();
    close_wr();
  }
  void close_rd() {
    if (rd >= 0) ::close(rd);
    rd = -1;
  }
  void close_wr() {
    if (wr >= 0) ::close(wr);
    wr = -1;
  }
  void put(const std::string& s) const {
    ASSERT_EQ(::write(wr, s.data(), s.size()), static_cast<ssize_t>(s.size()));
  }
};

bool fd_open(int fd) { return ::fcntl(fd, F_GETFD) != -1; }

std::size_t open_fds() {
  std::size_t n = 0;
  DIR* d = ::opendir("/proc/self/fd");
  if (d == nullptr) return 0;
  while (::readdir(d) != nullptr) ++n;
  ::closedir(d);
  return n;
}

pollen::LoopOptions options(PollerKind kind) {
  pollen::LoopOptions o;
  o.poller = kind;
  return o;
}

// A task that reads everything it is given through poll_read_io and counts
// its polls; ends at EOF.
struct Reader {
  AsyncFd* fd;
  std::string* got;
  int* polls;
  Poll<pollen::Unit> operator()(Context& cx) {
    ++*polls;
    for (;;) {
      char buf[64];
      Poll<pollen::Result<std::size_t>> r =
          fd->poll_read_io(cx, [&] { return ::read(fd->fd(), buf, sizeof buf); });
      if (r.is_pending()) return pollen::pending;
      EXPECT_TRUE(r.value().ok());
      if (r.value().value() == 0) return pollen::Unit{};
      got->append(buf, r.value().value());
    }
  }
};

class AsyncFdTest : public ::testing::TestWithParam<PollerKind> {};

TEST_P(AsyncFdTest, DataWakesTheWaitingTaskAndEagainPutsItBackToSleep) {
  EventLoop loop(options(GetParam()));
  Pipe p;
  AsyncFd rd = AsyncFd::borrow(loop, p.rd, pollen::io::Interest::Readable).value();
  std::string got;
  int polls = 0;
  auto h = loop.spawn(pollen::poll_fn(Reader{&rd, &got, &polls}));
  loop.run_until_stalled();
  EXPECT_EQ(polls, 1);  // nothing to read: Pending, waker stored
  loop.run_until_stalled();
  EXPECT_EQ(polls, 1);  // not woken without data
  p.put("hello");
  loop.run_until_stalled();
  EXPECT_EQ(polls, 2);
  EXPECT_EQ(got, "hello");
  p.put(" world");
  loop.run_until_stalled();
  EXPECT_EQ(polls, 3);
  EXPECT_EQ(got, "hello world");
  p.close_wr();  // EOF ends the reader
  loop.run_until_stalled();
  EXPECT_TRUE(h.is_finished());
  EXPECT_EQ(polls, 4);
}

// The writer waits before it writes, to let the loop fall asleep; if the
// machine stalls the loop longer than that, the data is there first and the
// attempt is repeated with a longer wait (the first, 5 ms, nearly always
// suffices).
TEST_P(AsyncFdTest, BlockOnWaitsInTheKernelForDataFromAnotherThread) {
  for (std::chrono::milliseconds delay(5);; delay *= 5) {
    EventLoop loop(options(GetParam()));
    Pipe p;
    AsyncFd rd = AsyncFd::borrow(loop, p.rd).value();
    std::string got;
    int polls = 0;
    std::thread writer([&] {
      std::this_thread::sleep_for(delay);
      p.put("abc");
      p.close_wr();
    });
    loop.block_on(pollen::poll_fn(Reader{&rd, &got, &polls}));
    writer.join();
    EXPECT_EQ(got, "abc");
    if (loop.stats().sleeps >= 1u) break;
    ASSERT_LT(delay, std::chrono::seconds(1)) << "the loop never waited in the kernel";
  }
}

// The lost-wakeup case: the reader saw readiness (tick t), drained the pipe
// to EAGAIN, and data arrives and is reported (tick t + 1) before it clears
// with the event of tick t. The clear must keep the new report, or the
// edge-triggered poller never reports the data again and the task hangs.
TEST_P(AsyncFdTest, AReportBetweenTheFailedReadAndTheClearIsNotLost) {
  EventLoop loop(options(GetParam()));
  Pipe p;
  AsyncFd rd = AsyncFd::borrow(loop, p.rd, pollen::io::Interest::Readable).value();
  p.put("first");
  int step = 0;
  std::string got;
  ReadyEvent seen;
  auto h = loop.spawn(pollen::poll_fn([&](Context& cx) -> Poll<pollen::Unit> {
    char buf[64];
    if (step == 0) {
      Poll<ReadyEvent> r = rd.poll_read_ready(cx);
      if (r.is_pending()) return pollen::pending;
      seen = r.value();
      ssize_t n = ::read(p.rd, buf, sizeof buf);
      got.append(buf, static_cast<std::size_t>(n));
      EXPECT_EQ(::read(p.rd, buf, sizeof buf), -1);  // EAGAIN: drained
      EXPECT_EQ(errno, EAGAIN);
      step = 1;
      cx.waker().wake_by_ref();  // come back next turn, the clear still owed
      return pollen::pending;
    }
    if (step == 1) {
      rd.clear_ready(seen);  // stale: a report came in between
      step = 2;
    }
    Poll<ReadyEvent> r = rd.poll_read_ready(cx);
    if (r.is_pending()) return pollen::pending;
    ssize_t n = ::read(p.rd, buf, sizeof buf);
    if (n > 0) got.append(buf, static_cast<std::size_t>(n));
    return pollen::Unit{};
  }));
  loop.tick();  // step 0: reads "first", leaves the clear for later
  ASSERT_EQ(step, 1);
  p.put("second");
  loop.tick();  // takes the report (tick + 1), then step 1 clears with the old event
  loop.run_until_stalled();
  EXPECT_TRUE(h.is_finished());
  EXPECT_EQ(got, "firstsecond");
}

// With a current event the clear does forget the readiness, and the task
// waits for the next report.
TEST_P(AsyncFdTest, ClearWithTheCurrentEventWaitsForTheNextReport) {
  EventLoop loop(options(GetParam()));
  Pipe p;
  AsyncFd rd = AsyncFd::borrow(loop, p.rd).value();
  p.put("x");
  int ready_polls = 0;
  bool cleared = false;
  auto h = loop.spawn(pollen::poll_fn([&](Context& cx) -> Poll<pollen::Unit> {
    Poll<ReadyEvent> r = rd.poll_read_ready(cx);
    if (r.is_pending()) return pollen::pending;
    ++ready_polls;
    char buf[8];
    while (::read(p.rd, buf, sizeof buf) > 0) {
    }
    if (!cleared) {
      rd.clear_ready(r.value());
      cleared = true;
      return rd.poll_read_ready(cx).is_pending() ? Poll<pollen::Unit>(pollen::pending)
                                                  : Poll<pollen::Unit>(pollen::Unit{});
    }
    return pollen::Unit{};
  }));
  loop.run_until_stalled();
  EXPECT_EQ(ready_polls, 1);
  EXPECT_FALSE(h.is_finished());
  p.put("y");
  loop.run_until_stalled();
  EXPECT_TRUE(h.is_finished());
  EXPECT_EQ(ready_polls, 2);
}

TEST_P(AsyncFdTest, ReadableFutureGivesAGuardWhoseTryIoClearsOnEagain) {
  EventLoop loop(options(GetParam()));
  Pipe p;
  AsyncFd rd = AsyncFd::borrow(loop, p.rd).value();
  p.put("data");
  std::string got;
  int rounds = 0;
  auto task = pollen::loop_fn(0, [&](int) {
    return rd.readable().map([&](ReadyGuard g) -> pollen::Loop<int, pollen::Unit> {
      ++rounds;
      char buf[16];
      pollen::Option<pollen::Result<std::size_t>> r =
          g.try_io([&] { return ::read(g.fd(), buf, sizeof buf); });
      if (!r.has_value()) return pollen::loop_continue(0);  // would block: wait again
      EXPECT_TRUE(r->ok());
      if (r->value() == 0) return pollen::loop_break(pollen::Unit{});
      got.append(buf, r->value());
      return pollen::loop_continue(0);
    });
  });
  auto h = loop.spawn(std::move(task));
  loop.run_until_stalled();
  EXPECT_EQ(got, "data");
  EXPECT_FALSE(h.is_finished());
  p.close_wr();
  loop.run_until_stalled();
  EXPECT_TRUE(h.is_finished());
}

TEST_P(AsyncFdTest, APipeIsWritableUntilFullThenWhenTheReaderDrainsIt) {
  EventLoop loop(options(GetParam()));
  Pipe p;
  AsyncFd wr = AsyncFd::borrow(loop, p.wr, pollen::io::Interest::Writable).value();
  std::size_t written = 0;
  int polls = 0;
  auto h = loop.spawn(pollen::poll_fn([&](Context& cx) -> Poll<pollen::Unit> {
    ++polls;
    static const char chunk[4096] = {};
    while (written < (1u << 20)) {
      Poll<pollen::Result<std::size_t>> r =
          wr.poll_write_io(cx, [&] { return ::write(p.wr, chunk, sizeof chunk); });
      if (r.is_pending()) return pollen::pending;
      written += r.value().value();
    }
    return pollen::Unit{};
  }));
  loop.run_until_stalled();
  // Poll 1: a new registration is not ready until the poller reports it;
  // poll 2: writes until the pipe is full, then Pending, not buffering.
  EXPECT_EQ(polls, 2);
  EXPECT_LT(written, 1u << 20);
  const std::size_t first = written;
  std::size_t drained = 0;
  char buf[65536];
  while (!h.is_finished()) {
    ssize_t n = ::read(p.rd, buf, sizeof buf);
    if (n > 0) drained += static_cast<std::size_t>(n);
    loop.run_until_stalled();
  }
  EXPECT_GT(polls, 1);
  EXPECT_GT(written, first);
  EXPECT_EQ(written, 1u << 20);
  EXPECT_LE(drained, written);
}

TEST_P(AsyncFdTest, AHangupMakesTheReaderReadyAndReadSaysEof) {
  EventLoop loop(options(GetParam()));
  Pipe p;
  AsyncFd rd = AsyncFd::borrow(loop, p.rd).value();
  bool eof = false;
  auto h = loop.spawn(pollen::poll_fn([&](Context& cx) -> Poll<pollen::Unit> {
    char buf[8];
    Poll<pollen::Result<std::size_t>> r =
        rd.poll_read_io(cx, [&] { return ::read(p.rd, buf, sizeof buf); });
    if (r.is_pending()) return pollen::pending;
    eof = r.value().ok() && r.value().value() == 0;
    return pollen::Unit{};
  }));
  loop.run_until_stalled();
  EXPECT_FALSE(h.is_finished());
  p.close_wr();
  loop.run_until_stalled();
  EXPECT_TRUE(h.is_finished());
  EXPECT_TRUE(eof);
}

// The last bytes and the hangup often come in one report; a reader that
// clears after its short read must still find the end of stream.
TEST_P(AsyncFdTest, AHangupStaysReadyAfterAClear) {
  EventLoop loop(options(GetParam()));
  Pipe p;
  AsyncFd rd = AsyncFd::borrow(loop, p.rd).value();
  p.put("abc");
  p.close_wr();
  std::string got;
  bool eof = false;
  auto h = loop.spawn(pollen::poll_fn([&](Context& cx) -> Poll<pollen::Unit> {
    for (;;) {
      Poll<ReadyEvent> r = rd.poll_read_ready(cx);
      if (r.is_pending()) return pollen::pending;
      char buf[64];
      ssize_t n = ::read(p.rd, buf, sizeof buf);
      if (n == 0) {
        eof = true;
        return pollen::Unit{};
      }
      got.append(buf, static_cast<std::size_t>(n));
      rd.clear_ready(r.value());  // a short read: drained
    }
  }));
  loop.run_until_stalled();
  EXPECT_TRUE(h.is_finished());
  EXPECT_EQ(got, "abc");
  EXPECT_TRUE(eof);
}

TEST_P(AsyncFdTest, AnErrorOfTheSyscallIsAValue) {
  EventLoop loop(options(GetParam()));
  Pipe p;
  AsyncFd wr = AsyncFd::borrow(loop, p.wr).value();
  p.close_rd();  // writing now fails with EPIPE (SIGPIPE ignored below)
  struct sigaction old, ign;
  std::memset(&ign, 0, sizeof ign);
  ign.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ign, &old);
  std::error_code ec;
  loop.block_on(pollen::poll_fn([&](Context& cx) -> Poll<pollen::Unit> {
    Poll<pollen::Result<std::size_t>> r =
        wr.poll_write_io(cx, [&] { return ::write(p.wr, "x", 1); });
    if (r.is_pending()) return pollen::pending;
    ec = r.value().error();
    return pollen::Unit{};
  }));
  ::sigaction(SIGPIPE, &old, nullptr);
  EXPECT_TRUE(ec == std::errc::broken_pipe) << ec.message();
}

// A task that yields forever keeps the ready queue full; the reader must
// still hear about its data (the loop looks at the fds every few busy turns).
TEST_P(AsyncFdTest, BusyTasksDoNotStarveIo) {
  EventLoop loop(options(GetParam()));
  Pipe p;
  AsyncFd rd = AsyncFd::borrow(loop, p.rd).value();
  bool stop = false;
  auto spinner = loop.spawn(pollen::poll_fn([&](Context& cx) -> Poll<pollen::Unit> {
    if (stop) return pollen::Unit{};
    cx.waker().wake_by_ref();
    return pollen::pending;
  }));
  std::string got;
  int polls = 0;
  auto reader = loop.spawn(pollen::poll_fn(Reader{&rd, &got, &polls}));
  p.put("z");
  p.close_wr();
  for (int i = 0; i < 200 && !reader.is_finished(); ++i) loop.tick();
  EXPECT_TRUE(reader.is_finished());
  EXPECT_EQ(got, "z");
  stop = true;
  loop.run_until_stalled();
}

TEST_P(AsyncFdTest, DroppingDeregistersBeforeCloseSoARecycledNumberGetsNoOldEvent) {
  EventLoop loop(options(GetParam()));
  auto old_pipe = std::unique_ptr<Pipe>(new Pipe());
  const int number = old_pipe->rd;
  {
    AsyncFd old = AsyncFd::adopt(loop, old_pipe->rd).value();
    old_pipe->rd = -1;  // the AsyncFd closes it
    old_pipe->put("pending event");
    old_pipe->close_wr();
  }  // dropped with an unreported event
  EXPECT_FALSE(fd_open(number));
  Pipe fresh;  // the lowest free number: the old one
  ASSERT_EQ(fresh.rd, number);
  AsyncFd rd = AsyncFd::borrow(loop, fresh.rd).value();
  std::string got;
  int polls = 0;
  auto h = loop.spawn(pollen::poll_fn(Reader{&rd, &got, &polls}));
  loop.run_until_stalled();
  loop.run_until_stalled();
  EXPECT_EQ(polls, 1);  // never woken by the old pipe's data or hangup
  EXPECT_FALSE(h.is_finished());
  fresh.put("new");
  loop.run_until_stalled();
  EXPECT_EQ(got, "new");
}

TEST_P(AsyncFdTest, TheLoopClosesTheFdsOfItsTasksAndAnOutsideAsyncFdOutlivesIt) {
  const std::size_t before = open_fds();
  Pipe outside_pipe;
  AsyncFd outside;
  {
    EventLoop loop(options(GetParam()));
    outside = AsyncFd::adopt(loop, outside_pipe.rd).value();
    outside_pipe.rd = -1;
    for (int i = 0; i < 10; ++i) {
      int fds[2];
      ASSERT_EQ(::pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
      auto fd = std::make_shared<AsyncFd>(AsyncFd::adopt(loop, fds[0]).value());
      ::close(fds[1]);  // hung up: the reader sees EOF... but stays parked
      loop.spawn(pollen::poll_fn([fd](Context& cx) -> Poll<pollen::Unit> {
        (void)fd->poll_read_ready(cx);
        return pollen::pending;  // never finishes: destroyed with the loop
      })).detach();
    }
    loop.run_until_stalled();
  }  // the tasks go, and with them their AsyncFds (closed)
  EXPECT_TRUE(static_cast<bool>(outside));
  EXPECT_TRUE(fd_open(outside.fd()));
  const int n = outside.fd();
  outside.reset();  // closes without a loop
  EXPECT_FALSE(fd_open(n));
  outside_pipe.close_wr();
  EXPECT_EQ(open_fds(), before);  // the 10 pipes and the outside one: all closed
}

TEST_P(AsyncFdTest, ReleaseHandsTheFdBackOpen) {
  EventLoop loop(options(GetParam()));
  Pipe p;
  AsyncFd rd = AsyncFd::adopt(loop, p.rd).value();
  const int fd = rd.release();
  EXPECT_EQ(fd, p.rd);
  EXPECT_FALSE(static_cast<bool>(rd));
  EXPECT_TRUE(fd_open(fd));
  // Free again: another AsyncFd may take it.
  AsyncFd again = AsyncFd::borrow(loop, fd).value();
  EXPECT_EQ(again.fd(), fd);
}

TEST_P(AsyncFdTest, DescribeShowsTheFdAndItsReadiness) {
  EventLoop loop(options(GetParam()));
  Pipe p;
  AsyncFd rd = AsyncFd::borrow(loop, p.rd).value();
  auto f = rd.readable();
  const std::string fd = std::to_string(p.rd);
  EXPECT_EQ(pollen::describe(f).find("io::readable [fd " + fd + ", state: Waiting]"), 0u)
      << pollen::describe(f);
  EXPECT_EQ(pollen::describe(rd).find("AsyncFd [fd " + fd + ", not ready]"), 0u)
      << pollen::describe(rd);
  EXPECT_TRUE(pollen::is_cancel_safe<decltype(f)>::value);
}

// --- misuse --------------------------------------------------------------------

TEST_P(AsyncFdTest, ABlockingFdIsAContractError) {
  EventLoop loop(options(GetParam()));
  Pipe p(false);
  EXPECT_CONTRACT_ERROR((void)AsyncFd::borrow(loop, p.rd), "is in blocking mode");
  EXPECT_CONTRACT_ERROR((void)AsyncFd::borrow(loop, -1), "is not a file descriptor");
}

TEST_P(AsyncFdTest, AClosedFdIsAnErrorValue) {
  EventLoop loop(options(GetParam()));
  int fd;
  {
    Pipe p;
    fd = p.rd;
  }
  pollen::Result<AsyncFd> r = AsyncFd::borrow(loop, fd);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error() == std::errc::bad_file_descriptor) << r.error().message();
}

TEST_P(AsyncFdTest, OneFdOnTwoLoopsOrTwiceOnOneIsAContractError) {
  EventLoop a(options(GetParam()));
  EventLoop b(options(GetParam()));
  Pipe p;
  AsyncFd first = AsyncFd::borrow(a, p.rd).value();
  EXPECT_CONTRACT_ERROR((void)AsyncFd::borrow(b, p.rd), "is already registered with event loop #");
  EXPECT_CONTRACT_ERROR((void)AsyncFd::borrow(a, p.rd), "(this one)");
}

TEST_P(AsyncFdTest, TwoWaitersToReadAtOnceIsAContractErrorButAReaderAndAWriterAreFine) {
  EventLoop loop(options(GetParam()));
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
  AsyncFd a = AsyncFd::adopt(loop, sv[0]).value();
  AsyncFd b = AsyncFd::adopt(loop, sv[1]).value();
  auto first = loop.spawn(a.readable().map([](ReadyGuard) { return 1; }));
  loop.run_until_stalled();
  EXPECT_FALSE(first.is_finished());
  EXPECT_CONTRACT_ERROR(loop.block_on(a.readable().map([](ReadyGuard) { return 2; })),
                        "two waiters to read fd");
  // A writer beside the waiting reader: a socket is writable at once.
  ReadyGuard g = loop.block_on(a.writable());
  EXPECT_EQ(g.direction(), pollen::io::Interest::Writable);
  ASSERT_EQ(::write(b.fd(), "!", 1), 1);
  EXPECT_EQ(loop.block_on(std::move(first)).value(), 1);
}

TEST_P(AsyncFdTest, ADroppedWaiterGivesItsClaimBack) {
  EventLoop loop(options(GetParam()));
  Pipe p;
  AsyncFd rd = AsyncFd::borrow(loop, p.rd).value();
  {
    auto first = loop.spawn(rd.readable().map([](ReadyGuard) { return 1; }));
    loop.run_until_stalled();
    first.abort();
    loop.run_until_stalled();
  }
  p.put("x");
  ReadyGuard g = loop.block_on(rd.readable());  // no "two waiters" error
  EXPECT_EQ(g.fd(), p.rd);
}

// Pending futures can be moved (boxed() adopts one that way): the claim and
// the stored waker must go with it, or the task is never woken.
TEST_P(AsyncFdTest, AWaitingFutureMovedElsewhereIsStillWokenAndKeepsItsClaim) {
  EventLoop loop(options(GetParam()));
  Pipe p;
  AsyncFd rd = AsyncFd::borrow(loop, p.rd).value();
  pollen::io::Readiness first = rd.readable();
  std::unique_ptr<pollen::io::Readiness> moved;
  int polls = 0;
  auto h = loop.spawn(pollen::poll_fn([&](Context& cx) -> Poll<pollen::Unit> {
    ++polls;
    if (!moved) {
      if (first.poll(cx).is_ready()) return pollen::Unit{};
      moved.reset(new pollen::io::Readiness(std::move(first)));
      return pollen::pending;
    }
    if (moved->poll(cx).is_pending()) return pollen::pending;
    return pollen::Unit{};
  }));
  loop.run_until_stalled();
  ASSERT_EQ(polls, 1);
  // The moved future holds the claim: a second reader is still refused.
  EXPECT_CONTRACT_ERROR(loop.block_on(rd.readable().map([](ReadyGuard) { return 2; })),
                        "two waiters to read fd");
  p.put("x");
  loop.run_until_stalled();
  EXPECT_TRUE(h.is_finished());
  EXPECT_EQ(polls, 2);
}

TEST_P(AsyncFdTest, PollingAReadinessFutureAfterReadyIsAContractError) {
  EventLoop loop(options(GetParam()));
  Pipe p;
  AsyncFd rd = AsyncFd::borrow(loop, p.rd).value();
  p.put("x");
  auto f = rd.readable();
  EXPECT_CONTRACT_ERROR(loop.block_on(pollen::poll_fn([&](Context& cx) -> Poll<int> {
                          if (f.poll(cx).is_pending()) return pollen::pending;
                          (void)f.poll(cx);  // again, after Ready
                          return 0;
                        })),
                        "polled after");
}

TEST_P(AsyncFdTest, PollingOutsideTheLoopOrFromAnotherLoopIsAContractError) {
  EventLoop loop(options(GetParam()));
  EventLoop other(options(GetParam()));
  Pipe p;
  AsyncFd rd = AsyncFd::borrow(loop, p.rd).value();
  EXPECT_CONTRACT_ERROR((void)pollen::block_on(rd.readable()), "outside its event loop");
  EXPECT_CONTRACT_ERROR((void)other.block_on(rd.readable()), "from a task of event loop #");
}

TEST_P(AsyncFdTest, UsingItAfterItsLoopIsGoneIsAContractError) {
  Pipe p;
  AsyncFd rd;
  {
    EventLoop loop(options(GetParam()));
    rd = AsyncFd::borrow(loop, p.rd).value();
  }
  EventLoop next(options(GetParam()));
  EXPECT_CONTRACT_ERROR((void)next.block_on(rd.readable()), "is gone");
}

TEST_P(AsyncFdTest, WaitingInADirectionNotRegisteredIsAContractError) {
  EventLoop loop(options(GetParam()));
  Pipe p;
  AsyncFd rd = AsyncFd::borrow(loop, p.rd, pollen::io::Interest::Readable).value();
  EXPECT_CONTRACT_ERROR((void)loop.block_on(rd.writable()), "registered without that interest");
}

TEST_P(AsyncFdTest, TheEpollHandleOfAnEmbeddedLoopCoversItsFds) {
  EventLoop loop(options(GetParam()));
  Pipe p;
  if (GetParam() == PollerKind::Poll) {
    AsyncFd early = AsyncFd::borrow(loop, p.rd).value();
    (void)loop.native_handle();
    EXPECT_CONTRACT_ERROR((void)loop.block_on(early.readable()), "poll(2) poller");
    early.reset();
    EXPECT_CONTRACT_ERROR((void)AsyncFd::borrow(loop, p.rd), "poll(2) poller");
    return;
  }
  const int handle = loop.native_handle();
  AsyncFd rd = AsyncFd::borrow(loop, p.rd).value();
  std::string got;
  int polls = 0;
  auto h = loop.spawn(pollen::poll_fn(Reader{&rd, &got, &polls}));
  while (loop.has_ready_tasks()) loop.tick();
  EXPECT_EQ(polls, 1);
  struct pollfd w;
  w.fd = handle;
  w.events = POLLIN;
  w.revents = 0;
  EXPECT_EQ(::poll(&w, 1, 0), 0);  // idle: the host sleeps
  p.put("host");
  p.close_wr();
  w.revents = 0;
  EXPECT_EQ(::poll(&w, 1, 1000), 1);  // the data makes the handle readable
  loop.tick();
  EXPECT_TRUE(h.is_finished());
  EXPECT_EQ(got, "host");
}

}  // namespace

INSTANTIATE_TEST_SUITE_P(Pollers, AsyncFdTest,
                         ::testing::Values(PollerKind::Epoll, PollerKind::Poll));
