// Signals: deliveries reach every listening stream, through the loop's
// poller; the previous action comes back with the last listener; misuse.
#include <pollen/io.hpp>
#include <pollen/pollen.hpp>

#include "contract.hpp"

#include <gtest/gtest.h>

#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <thread>

using pollen::EventLoop;
using pollen::io::Signals;

namespace {

std::atomic<int> g_previous_handler_calls{0};
extern "C" void previous_handler(int) { g_previous_handler_calls.fetch_add(1); }

// Installs previous_handler for the test and restores the default after.
struct PreviousAction {
  int signo;
  explicit PreviousAction(int s) : signo(s) {
    struct sigaction a;
    std::memset(&a, 0, sizeof a);
    a.sa_handler = previous_handler;
    sigemptyset(&a.sa_mask);
    ::sigaction(signo, &a, nullptr);
    g_previous_handler_calls = 0;
  }
  ~PreviousAction() { ::signal(signo, SIG_DFL); }
};

TEST(Signals, ARaisedSignalIsTheStreamsNextItem) {
  PreviousAction prev(SIGUSR1);
  EventLoop loop;
  Signals sigs = pollen::io::signals(loop, {SIGUSR1, SIGUSR2}).value();
  auto h = loop.spawn(pollen::stream::next(sigs));
  loop.run_until_stalled();
  EXPECT_FALSE(h.is_finished());
  ::raise(SIGUSR1);
  loop.run_until_stalled();
  ASSERT_TRUE(h.is_finished());
  EXPECT_EQ(*loop.block_on(std::move(h)).value(), SIGUSR1);
  EXPECT_EQ(g_previous_handler_calls.load(), 0);  // ours, not the previous one
  ::raise(SIGUSR2);
  ::raise(SIGUSR1);
  EXPECT_EQ(*loop.block_on(pollen::stream::next(sigs)), SIGUSR2);
  EXPECT_EQ(*loop.block_on(pollen::stream::next(sigs)), SIGUSR1);
}

TEST(Signals, ASignalFromAnotherThreadWakesASleepingLoop) {
  PreviousAction prev(SIGUSR1);
  EventLoop loop;
  Signals sigs = pollen::io::signals(loop, {SIGUSR1}).value();
  std::thread killer([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ::kill(::getpid(), SIGUSR1);
  });
  pollen::Option<int> got = loop.block_on(pollen::stream::next(sigs));
  killer.join();
  EXPECT_EQ(*got, SIGUSR1);
}

TEST(Signals, EveryListeningStreamGetsEachDelivery) {
  PreviousAction prev(SIGUSR2);
  EventLoop a;
  EventLoop b;
  Signals sa = pollen::io::signals(a, {SIGUSR2}).value();
  Signals sb = pollen::io::signals(b, {SIGUSR2}).value();
  ::raise(SIGUSR2);
  EXPECT_EQ(*a.block_on(pollen::stream::next(sa)), SIGUSR2);
  EXPECT_EQ(*b.block_on(pollen::stream::next(sb)), SIGUSR2);
}

TEST(Signals, ThePreviousActionComesBackWithTheLastListener) {
  PreviousAction prev(SIGUSR1);
  EventLoop loop;
  {
    Signals one = pollen::io::signals(loop, {SIGUSR1}).value();
    {
      Signals two = pollen::io::signals(loop, {SIGUSR1}).value();
    }
    ::raise(SIGUSR1);  // `one` still listens
    EXPECT_EQ(g_previous_handler_calls.load(), 0);
    EXPECT_EQ(*loop.block_on(pollen::stream::next(one)), SIGUSR1);
  }
  ::raise(SIGUSR1);
  EXPECT_EQ(g_previous_handler_calls.load(), 1);
}

TEST(Signals, DescribeNamesTheNumbers) {
  EventLoop loop;
  Signals sigs = pollen::io::signals(loop, {SIGUSR1, SIGUSR2}).value();
  EXPECT_EQ(pollen::describe(sigs).find("io::Signals [listening for " + std::to_string(SIGUSR1) +
                                        ", " + std::to_string(SIGUSR2) + "]"),
            0u)
      << pollen::describe(sigs);
}

TEST(Signals, UncatchableOrBadNumbersAreContractErrors) {
  EventLoop loop;
  EXPECT_CONTRACT_ERROR((void)pollen::io::signals(loop, {SIGKILL}), "cannot be caught");
  EXPECT_CONTRACT_ERROR((void)pollen::io::signals(loop, {0}), "is not a signal number");
  EXPECT_CONTRACT_ERROR((void)pollen::io::signals(loop, {}), "listens for no signal");
}

}  // namespace
