// stream::buffer_unordered(s, n) and stream::buffered(s, n).
#include <pollen/core/block_on.hpp>
#include <pollen/core/cancel_safe.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/ready.hpp>
#include <pollen/stream.hpp>
#include <pollen/stream/buffered.hpp>
#include <pollen/sync/oneshot.hpp>

#include "alloc_counter.hpp"
#include "contract.hpp"
#include "test_task.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <thread>
#include <string>
#include <utility>
#include <vector>

namespace stream = pollen::stream;
using pollen::Option;
using pollen::Poll;

namespace {
// The futures of one test: gate i opens future i; each future counts its
// polls, and `live` counts the futures that exist (not moved from), so
// max_live is the most that were ever in flight at once.
struct Gates {
  explicit Gates(int n) : open(static_cast<std::size_t>(n), false), polls(static_cast<std::size_t>(n), 0),
                          wakers(static_cast<std::size_t>(n)) {}
  std::vector<bool> open;
  std::vector<int> polls;
  std::vector<pollen::Waker> wakers;  // the waker each future kept at its last poll
  int live = 0;
  int max_live = 0;
  int throw_at = -1;  // the future whose poll throws
  // Opens gate i and wakes the future behind it.
  void release(int i) {
    const std::size_t k = static_cast<std::size_t>(i);
    open[k] = true;
    pollen::Waker w = std::move(wakers[k]);
    std::move(w).wake();
  }
  int polls_of(int i) const { return polls[static_cast<std::size_t>(i)]; }
};

class GateFuture {
 public:
  using Output = int;
  GateFuture(Gates& g, int id) : g_(&g), id_(id) {
    if (++g_->live > g_->max_live) g_->max_live = g_->live;
  }
  GateFuture(GateFuture&& o) noexcept : g_(o.g_), id_(o.id_) { o.g_ = nullptr; }
  GateFuture& operator=(GateFuture&&) = delete;
  ~GateFuture() {
    if (g_ != nullptr) --g_->live;
  }
  Poll<int> poll(pollen::Context& cx) {
    const std::size_t k = static_cast<std::size_t>(id_);
    ++g_->polls[k];
#if POLLEN_HAS_EXCEPTIONS
    if (id_ == g_->throw_at) throw std::runtime_error("future threw");
#endif
    if (g_->open[k]) return Poll<int>(id_);
    g_->wakers[k] = cx.waker();  // a clone
    return pollen::pending;
  }

 private:
  Gates* g_;
  int id_;
};

std::vector<int> upto(int n) {
  std::vector<int> v;
  for (int i = 0; i < n; ++i) v.push_back(i);
  return v;
}

// The stream of futures 0 .. n-1 over `g`.
struct MakeGate {
  Gates* g;
  GateFuture operator()(int i) const { return GateFuture(*g, i); }
};
using GateStream = stream::Map<stream::Iter<std::vector<int>>, MakeGate>;
GateStream gate_stream(Gates& g, int n) { return stream::map(stream::iter(upto(n)), MakeGate{&g}); }

// Polls `s` once; the item, or -1 when Pending, or -2 at the end.
template <class S>
int step(S& s, pollen::test::CountingWaker& w) {
  pollen::Context cx(w.waker());
  Poll<Option<int>> p = s.poll_next(cx);
  if (p.is_pending()) return -1;
  return p.value().has_value() ? *p.value() : -2;
}

// Runs `s` to its end, opening gate order[k] whenever it is Pending; the
// items in the order yielded.
template <class S>
std::vector<int> drain(S& s, Gates& g, const std::vector<int>& order) {
  pollen::test::CountingWaker w;
  std::vector<int> out;
  std::size_t k = 0;
  for (;;) {
    const int x = step(s, w);
    if (x == -2) return out;
    if (x >= 0) {
      out.push_back(x);
      continue;
    }
    if (k == order.size()) {
      ADD_FAILURE() << "Pending with every gate open";
      return out;
    }
    g.release(order[k++]);
  }
}
}  // namespace

TEST(StreamBufferUnordered, NeverMoreThanNInFlightAndYieldsInCompletionOrder) {
  Gates g(10);
  auto s = stream::buffer_unordered(gate_stream(g, 10), 3);
  const std::vector<int> order = {2, 0, 1, 5, 3, 4, 8, 9, 6, 7};  // each gate of a future in flight
  std::vector<int> got = drain(s, g, order);
  EXPECT_EQ(got, order);
  EXPECT_EQ(g.max_live, 3);
  EXPECT_EQ(g.live, 0);
  pollen::test::CountingWaker w;
  EXPECT_EQ(step(s, w), -2);  // fused
  EXPECT_EQ(s.state(), stream::BufferUnordered<GateStream>::State::Ended);
}

TEST(StreamBuffered, NeverMoreThanNInFlightAndYieldsInSourceOrder) {
  Gates g(10);
  auto s = stream::buffered(gate_stream(g, 10), 3);
  std::vector<int> got = drain(s, g, {2, 1, 0, 5, 3, 4, 9, 8, 6, 7});
  EXPECT_EQ(got, upto(10));
  EXPECT_EQ(g.max_live, 3);  // a finished future's output counts as in flight until it is yielded
  EXPECT_EQ(g.live, 0);
  pollen::test::CountingWaker w;
  EXPECT_EQ(step(s, w), -2);
}

TEST(StreamBufferUnordered, AFinishedSlotIsRefilledAndOnlyTheWokenFutureIsPolled) {
  Gates g(5);
  auto s = stream::buffer_unordered(gate_stream(g, 5), 3);
  pollen::test::CountingWaker w;
  EXPECT_EQ(step(s, w), -1);
  EXPECT_EQ(s.in_flight(), 3u);
  EXPECT_EQ(g.polls, (std::vector<int>{1, 1, 1, 0, 0}));
  EXPECT_EQ(w.wakes(), 0u);
  g.release(1);
  EXPECT_EQ(w.wakes(), 1u);
  EXPECT_EQ(step(s, w), 1);
  EXPECT_EQ(g.polls, (std::vector<int>{1, 2, 1, 0, 0}));  // 0 and 2 were not woken
  EXPECT_EQ(s.in_flight(), 2u);
  EXPECT_EQ(step(s, w), -1);  // takes future 3 into the free slot
  EXPECT_EQ(g.polls, (std::vector<int>{1, 2, 1, 1, 0}));
  EXPECT_EQ(s.in_flight(), 3u);
  EXPECT_EQ(step(s, w), -1);  // nothing woken, no slot free: polls nothing
  EXPECT_EQ(g.polls, (std::vector<int>{1, 2, 1, 1, 0}));
  g.release(3);
  g.release(0);
  EXPECT_EQ(step(s, w), 3);  // in wake order
  EXPECT_EQ(step(s, w), 0);
  EXPECT_EQ(g.polls, (std::vector<int>{2, 2, 1, 2, 0}));
  EXPECT_EQ(g.max_live, 3);
}

// A slot woken while others taken by an earlier poll_next are still queued
// is visited after them: wake order holds across poll_next calls, and each
// queued slot is polled once.
TEST(StreamBufferUnordered, SlotsWokenWhileOthersAreQueuedComeAfterThem) {
  Gates g(4);
  auto s = stream::buffer_unordered(gate_stream(g, 4), 4);
  pollen::test::CountingWaker w;
  EXPECT_EQ(step(s, w), -1);
  g.release(2);
  g.release(0);
  EXPECT_EQ(w.wakes(), 1u);  // one wake for the batch
  EXPECT_EQ(step(s, w), 2);  // 0 stays queued
  g.release(3);
  g.release(1);
  EXPECT_EQ(step(s, w), 0);
  EXPECT_EQ(step(s, w), 3);
  EXPECT_EQ(step(s, w), 1);
  EXPECT_EQ(g.polls, (std::vector<int>{2, 2, 2, 2}));
  EXPECT_EQ(step(s, w), -2);
}

TEST(StreamBuffered, AnEarlyOutputWaitsForTheHeadAndOnlyWokenSlotsArePolled) {
  Gates g(4);
  auto s = stream::buffered(gate_stream(g, 4), 2);
  pollen::test::CountingWaker w;
  EXPECT_EQ(step(s, w), -1);
  g.release(1);
  EXPECT_EQ(step(s, w), -1);  // 1 is done, 0 is not: nothing to yield, no slot free
  EXPECT_EQ(g.polls, (std::vector<int>{1, 2, 0, 0}));
  EXPECT_EQ(s.in_flight(), 2u);
  g.release(0);
  EXPECT_EQ(step(s, w), 0);
  EXPECT_EQ(step(s, w), 1);  // already there: no poll
  EXPECT_EQ(g.polls, (std::vector<int>{2, 2, 0, 0}));
  g.release(2);
  g.release(3);
  EXPECT_EQ(step(s, w), 2);
  EXPECT_EQ(step(s, w), 3);
  EXPECT_EQ(step(s, w), -2);
  EXPECT_EQ(g.polls, (std::vector<int>{2, 2, 1, 1}));  // open when first polled
}

TEST(StreamBufferUnordered, TheSourceEndingLetsTheFuturesInFlightFinish) {
  Gates g(2);
  auto s = stream::buffer_unordered(gate_stream(g, 2), 8);
  pollen::test::CountingWaker w;
  EXPECT_EQ(step(s, w), -1);  // both taken, the source has ended
  EXPECT_NE(pollen::describe(s).find("2 of 8 in flight, source ended"), std::string::npos)
      << pollen::describe(s);
  g.release(1);
  EXPECT_EQ(step(s, w), 1);
  EXPECT_EQ(step(s, w), -1);
  g.release(0);
  EXPECT_EQ(step(s, w), 0);
  EXPECT_EQ(step(s, w), -2);
  EXPECT_EQ(step(s, w), -2);
}

TEST(StreamBuffered, AnEmptySourceEndsAtOnce) {
  Gates g(0);
  auto s = stream::buffered(gate_stream(g, 0), 4);
  pollen::test::CountingWaker w;
  EXPECT_EQ(step(s, w), -2);
  auto u = stream::buffer_unordered(gate_stream(g, 0), 4);
  EXPECT_EQ(step(u, w), -2);
}

TEST(StreamBufferUnordered, DroppingItDestroysEveryFutureInFlight) {
  Gates g(6);
  {
    auto s = stream::buffer_unordered(gate_stream(g, 6), 4);
    pollen::test::CountingWaker w;
    EXPECT_EQ(step(s, w), -1);
    EXPECT_EQ(g.live, 4);
  }
  EXPECT_EQ(g.live, 0);
  g.release(0);  // a waker kept by a destroyed future: waking it does nothing
  EXPECT_TRUE((pollen::is_cancel_safe<stream::BufferUnordered<GateStream>>::value));
  EXPECT_TRUE((pollen::is_cancel_safe<stream::Buffered<GateStream>>::value));
}

TEST(StreamBuffered, DroppingItDestroysTheFuturesAndTheOutputsNotYielded) {
  Gates g(3);
  {
    auto s = stream::buffered(gate_stream(g, 3), 3);
    pollen::test::CountingWaker w;
    EXPECT_EQ(step(s, w), -1);
    g.release(2);
    EXPECT_EQ(step(s, w), -1);
    EXPECT_EQ(g.live, 2);  // future 2 is done: its output waits in its slot
    EXPECT_EQ(s.in_flight(), 3u);
  }
  EXPECT_EQ(g.live, 0);
}

TEST(StreamBufferUnordered, ZeroAllocationsPerItemInSteadyState) {
  Gates g(1000);
  auto s = stream::buffer_unordered(gate_stream(g, 1000), 16);
  pollen::test::CountingWaker w;
  EXPECT_EQ(step(s, w), -1);  // fills the 16 slots
  pollen::test::AllocCounter allocs;
  int yielded = 0;
  for (int i = 0; i < 1000; ++i) {
    g.release(i);
    for (int x = step(s, w); x >= 0; x = step(s, w)) ++yielded;
  }
  EXPECT_EQ(yielded, 1000);
  // The futures' waker clones share the wake block; the Gates' waker vector
  // never grows. Nothing per item.
  EXPECT_EQ(allocs.allocations(), 0u);
  EXPECT_EQ(g.max_live, 16);
}

TEST(StreamBuffered, ZeroAllocationsPerItemInSteadyState) {
  Gates g(1000);
  auto s = stream::buffered(gate_stream(g, 1000), 16);
  pollen::test::CountingWaker w;
  EXPECT_EQ(step(s, w), -1);
  pollen::test::AllocCounter allocs;
  int yielded = 0;
  for (int i = 0; i < 1000; ++i) {
    g.release(i);
    for (int x = step(s, w); x >= 0; x = step(s, w)) ++yielded;
  }
  EXPECT_EQ(yielded, 1000);
  EXPECT_EQ(allocs.allocations(), 0u);
}

TEST(StreamBufferUnordered, StopsWhenTheBudgetIsSpentAndGoesOnNextPoll) {
  // 100 futures that are Ready at once from a stream that spends one unit
  // per item: with a budget of 4, one poll_next takes at most 4 of them.
  auto s = stream::buffer_unordered(
      stream::map(stream::iter(upto(100)), [](int i) { return pollen::ready(i); }), 8);
  pollen::test::CountingWaker w;
  std::vector<int> got;
  int polls = 0;
  for (;;) {
    pollen::Budget budget{4};
    pollen::Context cx(w.waker(), budget);
    ++polls;
    Poll<Option<int>> p = s.poll_next(cx);
    if (p.is_pending()) {
      ASSERT_EQ(budget.remaining, 0u);
      continue;
    }
    if (!p.value().has_value()) break;
    got.push_back(*p.value());
  }
  EXPECT_EQ(got, upto(100));
  EXPECT_EQ(static_cast<std::size_t>(polls - 101), w.wakes());  // every Pending re-woke the task
}

TEST(StreamBufferUnordered, NZeroIsAContractError) {
  Gates g(1);
  EXPECT_CONTRACT_ERROR(auto s = stream::buffer_unordered(gate_stream(g, 1), 0); (void)s,
                        "n == 0 would never run a future");
  EXPECT_CONTRACT_ERROR(auto s = stream::buffered(gate_stream(g, 1), 0); (void)s,
                        "n == 0 would never run a future");
}

TEST(StreamBuffered, AMovedFromBufferHasEndedAndTheMoveKeepsTheFutures) {
  Gates g(2);
  auto a = stream::buffered(gate_stream(g, 2), 2);
  pollen::test::CountingWaker w;
  EXPECT_EQ(step(a, w), -1);
  auto b = std::move(a);
  EXPECT_EQ(step(a, w), -2);  // NOLINT: moved from on purpose
  g.release(0);
  g.release(1);
  EXPECT_EQ(step(b, w), 0);
  EXPECT_EQ(step(b, w), 1);
  EXPECT_EQ(step(b, w), -2);
}

#if POLLEN_HAS_EXCEPTIONS
TEST(StreamBufferUnordered, AThrowingFuturePoisonsItAndDestroysTheRest) {
  Gates g(5);
  g.throw_at = 1;
  auto s = stream::buffer_unordered(gate_stream(g, 5), 3);
  pollen::test::CountingWaker w;
  pollen::Context cx(w.waker());
  EXPECT_THROW((void)s.poll_next(cx), std::runtime_error);
  EXPECT_EQ(s.state(), stream::BufferUnordered<GateStream>::State::Poisoned);
  EXPECT_EQ(g.live, 0);
  EXPECT_NE(pollen::describe(s).find("stream::BufferUnordered [state: Poisoned]"),
            std::string::npos)
      << pollen::describe(s);
  EXPECT_CONTRACT_ERROR((void)s.poll_next(cx),
                        "stream::BufferUnordered polled again after its poll threw");
}

TEST(StreamBuffered, AThrowingFuturePoisonsItAndDestroysTheRest) {
  Gates g(5);
  auto s = stream::buffered(gate_stream(g, 5), 3);
  pollen::test::CountingWaker w;
  pollen::Context cx(w.waker());
  EXPECT_TRUE(s.poll_next(cx).is_pending());
  g.throw_at = 2;
  g.release(2);
  EXPECT_THROW((void)s.poll_next(cx), std::runtime_error);
  EXPECT_EQ(g.live, 0);
  EXPECT_CONTRACT_ERROR((void)s.poll_next(cx), "stream::Buffered polled again after its poll threw");
}
#endif

TEST(StreamBufferUnordered, DescribeShowsTheSlotsInFlight) {
  Gates g(3);
  auto s = stream::buffer_unordered(gate_stream(g, 3), 2);
  pollen::test::CountingWaker w;
  EXPECT_EQ(step(s, w), -1);
  const std::string d = pollen::describe(s);
  EXPECT_NE(d.find("stream::BufferUnordered [state: Running, 2 of 2 in flight]"), std::string::npos)
      << d;
  EXPECT_NE(d.find("stream::Map"), std::string::npos) << d;
}

TEST(StreamBuffered, RunsUnderBlockOn) {
  auto s = stream::buffered(
      stream::map(stream::iter(upto(50)), [](int i) { return pollen::ready(i * 2); }), 4);
  std::vector<int> want;
  for (int i = 0; i < 50; ++i) want.push_back(2 * i);
  EXPECT_EQ(pollen::block_on(stream::collect(std::move(s))), want);
}

// The slots' wakers woken from another thread: every output arrives once.
TEST(StreamBufferUnordered, FuturesWokenFromAnotherThread) {
  const int n = 1000;
  std::vector<pollen::OneshotSender<int>> senders;
  std::vector<pollen::OneshotReceiver<int>> receivers;
  for (int i = 0; i < n; ++i) {
    auto ch = pollen::oneshot<int>();
    senders.push_back(std::move(ch.first));
    receivers.push_back(std::move(ch.second));
  }
  std::thread producer([&senders] {
    for (auto it = senders.rbegin(); it != senders.rend(); ++it) {
      const int v = static_cast<int>(senders.rend() - it) - 1;
      (void)it->send(v);
    }
  });
  auto s = stream::buffer_unordered(stream::iter(std::move(receivers)), 8);
  std::vector<int> got;
  for (;;) {
    Option<pollen::RecvResult<int>> r = pollen::block_on(stream::next(s));
    if (!r.has_value()) break;
    ASSERT_TRUE(r->is_received());
    got.push_back(r->value());
  }
  producer.join();
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, upto(n));
}
