// Coro<T>: a C++20 coroutine as a pollen future, co_await on pollen futures.
// Compiled as C++20 with coroutines only (CI's gcc-cxx20 configuration);
// elsewhere the program reports one skipped test.
#include <pollen/future/coro.hpp>

#include <gtest/gtest.h>

#if POLLEN_HAS_COROUTINES

#include <pollen/core/block_on.hpp>
#include <pollen/core/ready.hpp>
#include <pollen/future/map.hpp>
#include <pollen/runtime/event_loop.hpp>
#include <pollen/sync/channel.hpp>
#include <pollen/time/sleep.hpp>
#include <pollen/time/timeout.hpp>

#include "alloc_counter.hpp"
#include "contract.hpp"
#include "probe.hpp"
#include "test_task.hpp"

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

using pollen::Coro;
using pollen::Option;
using pollen::test::AllocCounter;
using pollen::test::Probe;
using pollen::test::ProbeCounts;
using pollen::test::TestTask;
using std::chrono::milliseconds;

namespace {

// A future that waits until the test opens it, and counts its polls and
// the destructions of a live instance.
struct GateState {
  bool open = false;
  int value = 0;
  int polls = 0;
  int destroyed = 0;
  bool throw_on_poll = false;
  pollen::Waker waker;
  void open_with(int v) {
    open = true;
    value = v;
    waker.wake();
  }
};

class Gate {
 public:
  using Output = int;
  explicit Gate(GateState& s) noexcept : s_(&s) {}
  Gate(Gate&& o) noexcept : s_(o.s_) { o.s_ = nullptr; }
  Gate& operator=(Gate&&) = delete;
  ~Gate() {
    if (s_ != nullptr) ++s_->destroyed;
  }
  pollen::Poll<int> poll(pollen::Context& cx) {
    ++s_->polls;
#if POLLEN_HAS_EXCEPTIONS
    if (s_->throw_on_poll) throw std::runtime_error("gate broke");
#endif
    if (s_->open) return s_->value;
    s_->waker = cx.waker();
    return pollen::pending;
  }
  void describe(pollen::Describer& d) const { d.node("Gate", s_->open ? "open" : "closed"); }

 private:
  GateState* s_;
};

Coro<int> add_ready(int a) {
  int b = co_await pollen::ready(a + 1);
  co_return a + b;
}

Coro<int> wait_gate(GateState* g, int add) {
  int v = co_await Gate(*g);
  co_return v + add;
}

Coro<int> outer(GateState* first, GateState* second) {
  int a = co_await wait_gate(first, 10);
  int b = co_await wait_gate(second, 100);
  co_return a + b;
}

Coro<void> hold_probe_and_wait(GateState* g, ProbeCounts* counts, bool* after) {
  Probe<int> local(*counts, 1);  // a local alive across the co_await
  (void)co_await Gate(*g);
  *after = true;
}

pollen::EventLoop virtual_loop() {
  pollen::LoopOptions o;
  o.clock = pollen::ClockKind::Virtual;
  o.auto_advance = true;
  return pollen::EventLoop(o);
}

}  // namespace

TEST(Coro, RunsNothingUntilItsFirstPoll) {
  GateState g;
  Coro<int> c = wait_gate(&g, 1);
  EXPECT_EQ(g.polls, 0);
  EXPECT_EQ(c.state(), Coro<int>::State::Created);
  EXPECT_EQ(pollen::describe_states(c), "Coro [state: Created, frame on the heap]\n");
}

TEST(Coro, AReadyFutureDoesNotSuspend) {
  TestTask<Coro<int>> t(add_ready(2));
  EXPECT_READY_EQ(t, 5);
  EXPECT_EQ(t.polls(), 1u);
  EXPECT_EQ(t.future().state(), Coro<int>::State::Done);
}

TEST(Coro, TheAwaitedFutureGetsTheTasksWakerAndIsPolledBeforeTheBodyResumes) {
  GateState g;
  TestTask<Coro<int>> t(wait_gate(&g, 1));
  EXPECT_PENDING(t);
  EXPECT_EQ(g.polls, 1);
  EXPECT_EQ(t.future().state(), Coro<int>::State::Awaiting);
  EXPECT_PENDING(t);  // a spurious poll polls the gate again, resumes nothing
  EXPECT_EQ(g.polls, 2);
  EXPECT_FALSE(t.is_woken());
  g.open_with(41);
  EXPECT_TRUE(t.is_woken());  // the gate kept the waker of the task's poll
  EXPECT_READY_EQ(t, 42);
  EXPECT_EQ(g.polls, 3);
}

TEST(Coro, NestedCoroutinesDescribeTheChainTheyAwait) {
  GateState first;
  GateState second;
  TestTask<Coro<int>> t(outer(&first, &second));
  EXPECT_PENDING(t);
  EXPECT_EQ(t.describe(),
            "Coro [state: Awaiting, frame on the heap]\n"
            "└─ Coro [state: Awaiting, frame on the heap]\n"
            "   └─ Gate [closed]\n");
  first.open_with(1);
  EXPECT_PENDING(t);
  EXPECT_EQ(first.destroyed, 1);  // the first inner coroutine and its gate are gone
  second.open_with(2);
  EXPECT_READY_EQ(t, 113);
  EXPECT_EQ(t.describe(), "Coro [state: Done]\n");
}

TEST(Coro, DroppingASuspendedCoroDestroysTheAwaitedFutureAndItsLocals) {
  GateState g;
  ProbeCounts counts;
  bool after = false;
  {
    TestTask<Coro<void>> t(hold_probe_and_wait(&g, &counts, &after));
    EXPECT_PENDING(t);
    EXPECT_EQ(g.destroyed, 0);
    EXPECT_EQ(counts.live_destroyed, 0);
  }
  EXPECT_EQ(g.destroyed, 1);            // the awaited future: once
  EXPECT_EQ(counts.live_destroyed, 1);  // the local: once
  EXPECT_EQ(counts.alive(), 0);
  EXPECT_FALSE(after);  // nothing after the co_await ran
}

TEST(Coro, DroppingANestedChainDestroysEveryLevel) {
  GateState first;
  GateState second;
  {
    TestTask<Coro<int>> t(outer(&first, &second));
    EXPECT_PENDING(t);
  }
  EXPECT_EQ(first.destroyed, 1);
  EXPECT_EQ(second.destroyed, 0);  // never created
}

TEST(Coro, AwaitsSleepsOnAVirtualClock) {
  pollen::EventLoop loop = virtual_loop();
  pollen::TimePoint start = loop.now();
  auto sleeper = [](int n) -> Coro<int> {  // captures nothing: no lifetime trap
    for (int i = 0; i < n; ++i) co_await pollen::sleep(milliseconds(10));
    co_return n;
  };
  EXPECT_EQ(loop.block_on(sleeper(3)), 3);
  EXPECT_EQ(loop.now() - start, milliseconds(30));
}

TEST(Coro, ATimeoutCancelsTheCoroutineByDestroyingIt) {
  pollen::EventLoop loop = virtual_loop();
  GateState g;
  ProbeCounts counts;
  bool after = false;
  Option<pollen::Unit> r =
      loop.block_on(pollen::timeout(hold_probe_and_wait(&g, &counts, &after), milliseconds(5)));
  EXPECT_FALSE(r.has_value());
  EXPECT_EQ(g.destroyed, 1);
  EXPECT_EQ(counts.live_destroyed, 1);
  EXPECT_FALSE(after);
}

namespace {
Coro<int> sum_two(pollen::Receiver<int> rx) {  // by value: the frame owns it
  Option<int> a = co_await rx.recv();
  Option<int> b = co_await rx.recv();
  co_return a.value() + b.value();
}
Coro<void> send_later(pollen::Sender<int> tx) {
  co_await pollen::sleep(milliseconds(1));
  (void)co_await tx.send(20);
  co_await pollen::sleep(milliseconds(1));
  (void)co_await tx.send(22);
}
}  // namespace

TEST(Coro, ReceivesFromAChannelThatAnotherCoroutineFills) {
  pollen::EventLoop loop = virtual_loop();
  auto ch = pollen::channel<int>(1);
  pollen::JoinHandle<pollen::Unit> h = loop.spawn(send_later(std::move(ch.first)));
  EXPECT_EQ(loop.block_on(sum_two(std::move(ch.second))), 42);
  (void)loop.block_on(std::move(h));
}

TEST(Coro, AnLvalueFutureIsBorrowedAndStaysWhereItIs) {
  GateState g;
  auto body = [](GateState* gs) -> Coro<int> {
    Gate gate(*gs);
    int v = co_await gate;  // polled in place
    co_return v;
  };
  TestTask<Coro<int>> t(body(&g));
  EXPECT_PENDING(t);
  g.open_with(7);
  EXPECT_READY_EQ(t, 7);
  EXPECT_EQ(g.destroyed, 1);
}

TEST(Coro, AFrameIsOneHeapAllocationAndAwaitingAllocatesNothing) {
  pollen::Waker w;  // polled by hand: block_on would count its own allocations
  pollen::Context cx(w);
  AllocCounter make;
  Coro<int> c = add_ready(1);
  std::size_t made = make.allocations();
  AllocCounter run;
  pollen::Poll<int> p = c.poll(cx);
  std::size_t ran = run.allocations();
  std::size_t freed = run.deallocations();
  EXPECT_EQ(made, 1u);   // the frame
  EXPECT_EQ(ran, 0u);    // co_await on a ready future and co_return allocate nothing
  EXPECT_EQ(freed, 1u);  // the frame, destroyed when the body ended
  EXPECT_EQ(p, pollen::Poll<int>(3));

  GateState first;
  GateState second;
  first.open = true;
  second.open = true;
  AllocCounter nested;
  Coro<int> o = outer(&first, &second);
  pollen::Poll<int> q = o.poll(cx);
  std::size_t nested_made = nested.allocations();
  std::size_t nested_freed = nested.deallocations();
  EXPECT_EQ(nested_made, 3u);  // one frame for each of the three calls
  EXPECT_EQ(nested_freed, 3u);
  EXPECT_EQ(q, pollen::Poll<int>(0 + 10 + 0 + 100));
}

TEST(Coro, ChainsLikeAnyLibraryFuture) {
  EXPECT_EQ(pollen::block_on(add_ready(1).map([](int v) { return v * 2; })), 6);
}

TEST(Coro, PollingAfterReadyIsAContractError) {
  Coro<int> c = add_ready(1);
  pollen::Waker w;
  pollen::Context cx(w);
  EXPECT_TRUE(c.poll(cx).is_ready());
  EXPECT_CONTRACT_ERROR((void)c.poll(cx), "Coro polled after it returned Ready");
  Coro<int> moved = std::move(c);
  EXPECT_CONTRACT_ERROR((void)moved.poll(cx), "Coro polled after it returned Ready");
}

#if POLLEN_HAS_EXCEPTIONS
TEST(Coro, AnExceptionFromTheAwaitedFutureComesOutOfTheCoAwait) {
  GateState g;
  auto body = [](GateState* gs) -> Coro<std::string> {
    try {
      (void)co_await Gate(*gs);
    } catch (const std::runtime_error& e) {
      co_return std::string("caught: ") + e.what();
    }
    co_return std::string("not thrown");
  };
  TestTask<Coro<std::string>> t(body(&g));
  EXPECT_PENDING(t);
  g.throw_on_poll = true;  // thrown by the poll of a resumed co_await
  EXPECT_READY_EQ(t, std::string("caught: gate broke"));
  EXPECT_EQ(g.destroyed, 1);
}

TEST(Coro, AnExceptionThatEscapesTheBodyIsRethrownByPollThenItIsPoisoned) {
  GateState g;
  g.throw_on_poll = true;
  Coro<int> c = wait_gate(&g, 1);
  pollen::Waker w;
  pollen::Context cx(w);
  EXPECT_THROW((void)c.poll(cx), std::runtime_error);
  EXPECT_EQ(c.state(), Coro<int>::State::Poisoned);
  EXPECT_EQ(g.destroyed, 1);  // the frame is gone
  EXPECT_CONTRACT_ERROR((void)c.poll(cx), "Coro polled again after its poll threw");
}
#endif  // POLLEN_HAS_EXCEPTIONS

#else  // !POLLEN_HAS_COROUTINES

TEST(Coro, NeedsCxx20Coroutines) {
  GTEST_SKIP() << "built without C++20 coroutines (__cpp_impl_coroutine): pollen/future/coro.hpp "
                  "declares nothing here";
}

#endif
