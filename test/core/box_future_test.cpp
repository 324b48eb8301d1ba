#include <pollen/core/box_future.hpp>
#include <pollen/core/poll_fn.hpp>
#include <pollen/core/never.hpp>
#include <pollen/core/ready.hpp>
#include <pollen/future/map.hpp>
#include <pollen/future/then.hpp>

#include "adapters.hpp"
#include "alloc_counter.hpp"
#include "contract.hpp"
#include "test_task.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <pthread.h>

using pollen::BoxFuture;
using pollen::test::ProbeCounts;

static_assert(sizeof(BoxFuture<int>) == sizeof(void*), "a BoxFuture is one pointer");
static_assert(noexcept(std::declval<BoxFuture<int>&>().~BoxFuture()), "destroying a box does not throw");

namespace {
// Where on the stack the destructors of AddOne ran, and how many did.
struct DropStats {
  std::uintptr_t lowest = ~std::uintptr_t(0);
  std::uintptr_t highest = 0;
  long destroyed = 0;
  bool record = false;
  std::vector<std::uintptr_t> frames;  // of each destructor, when `record`
  std::uintptr_t spread() const { return highest - lowest; }
};
DropStats& drop_stats() {
  static DropStats s;
  return s;
}

// The function of each level of a chain: adds one. Its destructor (of the
// instance not moved from) records how deep in the stack it runs.
struct AddOne {
  bool live = true;
  AddOne() = default;
  AddOne(AddOne&& o) noexcept : live(o.live) { o.live = false; }
  ~AddOne() {
    if (!live) return;
    std::uintptr_t a = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
    DropStats& s = drop_stats();
    if (a < s.lowest) s.lowest = a;
    if (a > s.highest) s.highest = a;
    ++s.destroyed;
    if (s.record) s.frames.push_back(a);
  }
  long operator()(long x) const { return x + 1; }
};

// `levels` boxes, each holding a Map of the box below: every level's poll
// polls the box below from inside its own, so polling nests one level per box.
template <class Leaf>
BoxFuture<long> chain_of_boxes(long levels, Leaf leaf) {
  BoxFuture<long> f = pollen::boxed(std::move(leaf));
  for (long i = 0; i < levels; ++i) f = pollen::boxed(std::move(f).map(AddOne()));
  return f;
}

// The same nesting written as a recursion whose step is not its last action:
// sum_to(n) = n + sum_to(n - 1), each step boxed.
BoxFuture<long> sum_to(long n) {
  if (n == 0) return pollen::boxed(pollen::ready(0L));
  return pollen::boxed(pollen::then(pollen::ready(n), [](long k) {
    return sum_to(k - 1).map([k](long s) { return s + k; });
  }));
}

// Runs fn on a new thread whose stack is `bytes` long, and rethrows what it
// threw there.
template <class Fn>
void on_thread_with_stack(std::size_t bytes, Fn fn) {
  struct Run {
    Fn* fn;
    std::exception_ptr error;
  } run{&fn, nullptr};
  pthread_attr_t attr;
  ASSERT_EQ(pthread_attr_init(&attr), 0);
  ASSERT_EQ(pthread_attr_setstacksize(&attr, bytes), 0);
  pthread_t thread;
  auto body = [](void* p) -> void* {
    Run* r = static_cast<Run*>(p);
#if POLLEN_HAS_EXCEPTIONS
    try {
      (*r->fn)();
    } catch (...) {
      r->error = std::current_exception();
    }
#else
    (*r->fn)();
#endif
    return nullptr;
  };
  ASSERT_EQ(pthread_create(&thread, &attr, body, &run), 0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
  if (run.error) std::rethrow_exception(run.error);
}
}  // namespace

TEST(BoxFuture, IsItselfAFutureOfTheSameOutput) {
  EXPECT_TRUE(pollen::is_future<BoxFuture<int>>::value);
  auto t = pollen::test::test_task(pollen::boxed(pollen::ready(3)));
  EXPECT_READY_EQ(t, 3);
}

TEST(BoxFuture, BoxingAllocatesExactlyOnce) {
  pollen::test::AllocCounter allocs;
  BoxFuture<int> b = pollen::boxed(pollen::ready(1));
  EXPECT_EQ(allocs.allocations(), 1u);
  auto t = pollen::test::test_task(std::move(b));
  allocs.reset();
  EXPECT_READY_EQ(t, 1);
  EXPECT_EQ(allocs.allocations(), 0u);  // polling allocates nothing
}

TEST(BoxFuture, BoxingABoxReturnsItUnchanged) {
  BoxFuture<int> b = pollen::boxed(pollen::ready(1));
  pollen::test::AllocCounter allocs;
  BoxFuture<int> again = pollen::boxed(std::move(b));
  EXPECT_EQ(allocs.allocations(), 0u);
  EXPECT_TRUE(b.empty());  // NOLINT: moved from
  EXPECT_FALSE(again.empty());
}

TEST(BoxFuture, ForwardsPendingAndWakes) {
  auto t = pollen::test::test_task(pollen::boxed(pollen::test::pending_once(pollen::ready(9))));
  EXPECT_PENDING(t);
  EXPECT_TRUE(t.is_woken());
  EXPECT_READY_EQ(t, 9);
}

TEST(BoxFuture, DifferentFuturesShareOneType) {
  std::vector<BoxFuture<int>> v;
  v.push_back(pollen::boxed(pollen::ready(1)));
  v.push_back(pollen::boxed(pollen::test::pending_once(pollen::ready(2))));
  int sum = 0;
  for (auto& f : v) {
    auto t = pollen::test::test_task(std::move(f));
    while (true) {
      auto p = t.poll();
      if (p.is_ready()) {
        sum += p.value();
        break;
      }
    }
  }
  EXPECT_EQ(sum, 3);
}

TEST(BoxFuture, DestroyingTheBoxDestroysTheFutureOnce) {
  ProbeCounts c;
  {
    BoxFuture<int> b = pollen::boxed(pollen::test::probed(c, pollen::ready(1)));
    BoxFuture<int> moved = std::move(b);
  }
  EXPECT_EQ(c.live_destroyed, 1);
  EXPECT_EQ(c.alive(), 0);
}

TEST(BoxFuture, DescribesTheBoxedFutureAsItsChild) {
  BoxFuture<int> b = pollen::boxed(pollen::ready(1));
  EXPECT_EQ(pollen::describe_states(b), "BoxFuture\n\u2514\u2500 Ready [value waiting]\n");
  pollen::DescribeNode tree = pollen::describe_tree(b);
  ASSERT_EQ(tree.children.size(), 1u);
  EXPECT_EQ(tree.children[0].size, sizeof(pollen::Ready<int>));
  EXPECT_EQ(pollen::describe_states(BoxFuture<int>()), "BoxFuture [empty]\n");
}

TEST(BoxFuture, PollingAnEmptyBoxIsAContractError) {
  BoxFuture<int> empty;
  pollen::Waker w;
  pollen::Context cx(w);
  EXPECT_CONTRACT_ERROR((void)empty.poll(cx), "BoxFuture polled while empty");
  BoxFuture<int> b = pollen::boxed(pollen::ready(1));
  BoxFuture<int> taken = std::move(b);
  EXPECT_CONTRACT_ERROR((void)b.poll(cx), "default-constructed or moved from");  // NOLINT
}

// Destroying a box destroys the boxes inside it, and a million levels of
// them used to take a million nested destructor calls (a crash near 500,000).
// Beyond 16 nested levels they are destroyed one after the other instead.
TEST(BoxFuture, DestroyingAMillionNestedBoxesTakesConstantStack) {
  const long levels = 1000000;
  BoxFuture<long> f = chain_of_boxes(levels, pollen::never<long>());
  drop_stats() = DropStats();
  { BoxFuture<long> gone = std::move(f); }
  EXPECT_EQ(drop_stats().destroyed, levels);
  EXPECT_LT(drop_stats().spread(), 256u * 1024u) << "the destructors ran " << drop_stats().spread()
                                                 << " bytes apart on the stack";
  // The stack a thousand levels take, for comparison: the same.
  BoxFuture<long> small = chain_of_boxes(1000, pollen::never<long>());
  std::uintptr_t million_spread = drop_stats().spread();
  drop_stats() = DropStats();
  { BoxFuture<long> gone = std::move(small); }
  EXPECT_LE(million_spread, drop_stats().spread() + 4096u);
  std::printf("  destroying 10^6 nested boxes: destructors %zu bytes apart on the stack (10^3: %zu)\n",
              static_cast<std::size_t>(million_spread), static_cast<std::size_t>(drop_stats().spread()));
}

// Up to 16 levels, a box is destroyed inside the destructor of the box that
// holds it, as any member would be (each level's destructor runs deeper in the
// stack than the one before); the 17th level waits until the 16 above it are
// gone, and starts again near the top of the stack (one call below the
// first destruction: the loop that destroys the deferred boxes).
TEST(BoxFuture, BoxesAreDestroyedInsideTheirParentsDestructorUpToSixteenLevels) {
  BoxFuture<long> f = chain_of_boxes(40, pollen::never<long>());
  drop_stats() = DropStats();
  drop_stats().record = true;
  { BoxFuture<long> gone = std::move(f); }
  const std::vector<std::uintptr_t>& frames = drop_stats().frames;
  ASSERT_EQ(frames.size(), 40u);
  for (std::size_t i = 1; i < frames.size(); ++i) {
    if (i % 16 == 0) {
      // Deferred: back near the top, far above the 16 nested levels.
      const long below_top = static_cast<long>(frames[0]) - static_cast<long>(frames[i]);
      const long nested_span = static_cast<long>(frames[0]) - static_cast<long>(frames[i - 1]);
      EXPECT_GT(frames[i], frames[i - 1]) << "level " << i;
      EXPECT_LT(below_top, nested_span / 4) << "level " << i;
    } else {
      EXPECT_LT(frames[i], frames[i - 1]) << "level " << i;  // nested in its parent's destructor
    }
  }
}

TEST(BoxFuture, AChainOfBoxesThatFitsTheStackIsPolledAsUsual) {
  BoxFuture<long> f = chain_of_boxes(1000, pollen::ready(0L));
  auto t = pollen::test::test_task(std::move(f));
  EXPECT_READY_EQ(t, 1000L);
  auto r = pollen::test::test_task(sum_to(1000));
  EXPECT_READY_EQ(r, 500500L);
}

// Polling a chain of boxes deeper than the stack used to end in SIGSEGV with
// no message. The thread has a 1 MiB stack, far too small for 200,000 nested
// polls.
TEST(BoxFuture, PollingBoxesNestedDeeperThanTheStackIsAContractErrorThatNamesTheFix) {
  BoxFuture<long> f = chain_of_boxes(200000, pollen::ready(0L));
  EXPECT_CONTRACT_ERROR(on_thread_with_stack(1024 * 1024,
                                             [&f] {
                                               pollen::Waker w;
                                               pollen::Context cx(w);
                                               (void)f.poll(cx);
                                             }),
                        "boxes are nested so deeply that the next polls would overflow the stack");
#if POLLEN_HAS_EXCEPTIONS
  std::string message;
  try {
    on_thread_with_stack(1024 * 1024, [] {
      BoxFuture<long> g = chain_of_boxes(200000, pollen::ready(0L));
      pollen::Waker w;
      pollen::Context cx(w);
      (void)g.poll(cx);
    });
  } catch (const pollen::ContractError& e) {
    message = e.what();
  }
  EXPECT_NE(message.find("MiB of this thread's 1.00 MiB stack left"), std::string::npos) << message;
  EXPECT_NE(message.find("then() whose function returns the next BoxFuture"), std::string::npos) << message;
  EXPECT_NE(message.find("loop_fn()"), std::string::npos) << message;
  // Every level was poisoned on the way out; the chain is still safe to
  // destroy, and polling it again names the future that threw.
  pollen::Waker w;
  pollen::Context cx(w);
  EXPECT_CONTRACT_ERROR((void)f.poll(cx), "Map polled again after its poll threw");
#endif
}

TEST(BoxFuture, ARecursionThroughBoxesDeeperThanTheStackIsAContractError) {
  EXPECT_CONTRACT_ERROR(on_thread_with_stack(1024 * 1024,
                                             [] {
                                               auto t = pollen::test::test_task(sum_to(200000));
                                               (void)t.poll();
                                             }),
                        "boxes are nested so deeply");
}
