// from_callback<T>(start): a callback API wrapped as a future.
#include <pollen/core/block_on.hpp>
#include <pollen/future/from_callback.hpp>
#include <pollen/runtime/event_loop.hpp>
#include <pollen/runtime/spawn_blocking.hpp>

#include "alloc_counter.hpp"
#include "contract.hpp"
#include "probe.hpp"
#include "test_task.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using pollen::Completer;
using pollen::FromCallback;
using pollen::Option;
using pollen::test::AllocCounter;
using pollen::test::Probe;
using pollen::test::ProbeCounts;
using pollen::test::TestTask;

namespace {

// A callback API of the usual shape: start() remembers the callback, and
// whoever plays the other side calls finish() later (or never).
template <class T>
struct FakeApi {
  std::function<void(T)> callback;  // std::function: needs a copyable callable
  void start(std::function<void(T)> cb) { callback = std::move(cb); }
  void finish(T v) {
    std::function<void(T)> cb = std::move(callback);
    callback = nullptr;
    cb(std::move(v));
  }
};

}  // namespace

TEST(FromCallback, IsReadyWithTheValueTheCallbackGot) {
  FakeApi<int> api;
  TestTask<FromCallback<int>> t(pollen::from_callback<int>([&](Completer<int> done) {
    api.start([done](int v) { done(v); });
  }));
  EXPECT_TRUE(static_cast<bool>(api.callback));  // start ran inside from_callback()
  EXPECT_PENDING(t);
  EXPECT_FALSE(t.is_woken());
  api.finish(7);
  EXPECT_TRUE(t.is_woken());
  EXPECT_READY_EQ(t, Option<int>(7));
}

TEST(FromCallback, ACallbackCalledInsideStartIsReadyAtTheFirstPoll) {
  TestTask<FromCallback<std::string>> t(
      pollen::from_callback<std::string>([](Completer<std::string> done) { done("now"); }));
  EXPECT_READY_EQ(t, Option<std::string>(std::string("now")));
  EXPECT_EQ(t.polls(), 1u);
}

TEST(FromCallback, TheCompleterIsTheCallbackWhenTheSignatureFits) {
  FakeApi<int> api;
  auto f = pollen::from_callback<int>([&](Completer<int> done) { api.start(done); });
  api.finish(5);
  EXPECT_EQ(pollen::block_on(std::move(f)), Option<int>(5));
}

TEST(FromCallback, AMoveOnlyValueIsMovedThrough) {
  Completer<std::unique_ptr<int>> kept;
  auto f = pollen::from_callback<std::unique_ptr<int>>(
      [&](Completer<std::unique_ptr<int>> done) { kept = done; });
  EXPECT_TRUE(kept(std::unique_ptr<int>(new int(3))).is_sent());
  Option<std::unique_ptr<int>> r = pollen::block_on(std::move(f));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r.value(), 3);
}

TEST(FromCallback, AUnitFutureIsCompletedByACallWithoutArguments) {
  Completer<pollen::Unit> kept;
  auto f = pollen::from_callback<pollen::Unit>([&](Completer<pollen::Unit> done) { kept = done; });
  EXPECT_TRUE(kept().is_sent());
  EXPECT_TRUE(pollen::block_on(std::move(f)).has_value());
}

TEST(FromCallback, EveryCompleterDroppedWithoutACallResolvesToNone) {
  FakeApi<int> api;
  TestTask<FromCallback<int>> t(pollen::from_callback<int>([&](Completer<int> done) {
    Completer<int> copy = done;                 // two copies: the API's and this one
    api.start([done](int v) { done(v); });
    (void)copy;                                 // ... which goes here
  }));
  EXPECT_PENDING(t);
  EXPECT_EQ(t.describe(), "FromCallback [state: Waiting, callback not called yet]\n");
  api.callback = nullptr;  // the API drops its callback: the last copy goes
  EXPECT_TRUE(t.is_woken());
  EXPECT_EQ(t.describe(), "FromCallback [state: Waiting, completer dropped]\n");
  EXPECT_READY_EQ(t, Option<int>(pollen::none));
  EXPECT_EQ(t.describe(), "FromCallback [state: Done]\n");
}

TEST(FromCallback, AKeptCopyKeepsTheFutureWaiting) {
  Completer<int> kept;
  TestTask<FromCallback<int>> t(pollen::from_callback<int>([&](Completer<int> done) {
    kept = done;  // the argument goes at the end of start; this copy stays
  }));
  EXPECT_PENDING(t);
  EXPECT_FALSE(t.is_woken());
  EXPECT_TRUE(kept.is_waiting());
  EXPECT_TRUE(kept(9).is_sent());
  EXPECT_FALSE(kept.is_waiting());
  EXPECT_READY_EQ(t, Option<int>(9));
}

TEST(FromCallback, ASecondCallIsAContractErrorAndTheFirstValueStands) {
  Completer<int> kept;
  TestTask<FromCallback<int>> t(
      pollen::from_callback<int>([&](Completer<int> done) { kept = done; }));
  Completer<int> other = kept;
  EXPECT_TRUE(kept(1).is_sent());
  EXPECT_CONTRACT_ERROR((void)other(2), "Completer called a second time");
  EXPECT_CONTRACT_ERROR((void)kept(3), "Completer called a second time");
  EXPECT_READY_EQ(t, Option<int>(1));
}

TEST(FromCallback, ACallAfterTheFutureIsGoneHandsTheValueBack) {
  Completer<Probe<int>> kept;
  ProbeCounts counts;
  {
    auto f = pollen::from_callback<Probe<int>>([&](Completer<Probe<int>> done) { kept = done; });
    EXPECT_TRUE(kept.is_waiting());
  }
  EXPECT_FALSE(kept.is_waiting());  // a long operation can ask before it works
  pollen::SendResult<Probe<int>> r = kept(Probe<int>(counts, 4));
  ASSERT_TRUE(r.is_closed());
  Probe<int> back = r.take_back();
  EXPECT_EQ(back.value(), 4);
  EXPECT_EQ(counts.live_destroyed, 0);  // nothing destroyed: it came back
}

TEST(FromCallback, AValueThatArrivedIsDestroyedOnceWhenTheFutureIsDropped) {
  ProbeCounts counts;
  Completer<Probe<int>> kept;
  {
    auto f = pollen::from_callback<Probe<int>>([&](Completer<Probe<int>> done) { kept = done; });
    EXPECT_TRUE(kept(Probe<int>(counts, 4)).is_sent());
    EXPECT_EQ(counts.live_destroyed, 0);
  }
  EXPECT_EQ(counts.live_destroyed, 1);
  EXPECT_EQ(counts.alive(), 0);
}

TEST(FromCallback, PollingAfterReadyIsAContractError) {
  auto f = pollen::from_callback<int>([](Completer<int> done) { done(1); });
  pollen::Waker w;
  pollen::Context cx(w);
  EXPECT_TRUE(f.poll(cx).is_ready());
  EXPECT_CONTRACT_ERROR((void)f.poll(cx), "FromCallback");
  FromCallback<int> moved = std::move(f);
  (void)moved;
  EXPECT_CONTRACT_ERROR((void)f.poll(cx), "FromCallback");  // NOLINT: moved from on purpose
}

TEST(FromCallback, AnEmptyCompleterIsAContractError) {
  Completer<int> none;
  EXPECT_FALSE(none.is_waiting());
  EXPECT_CONTRACT_ERROR((void)none(1), "Completer used after it was moved from");
}

TEST(FromCallback, DescribesTheCompleterAndTheArrivedValue) {
  Completer<int> kept;
  auto f = pollen::from_callback<int>([&](Completer<int> done) { kept = done; });
  EXPECT_EQ(pollen::describe_states(kept), "Completer [future waiting]\n");
  (void)kept(2);
  EXPECT_EQ(pollen::describe_states(kept), "Completer [called]\n");
  EXPECT_EQ(pollen::describe_states(f), "FromCallback [state: Waiting, value arrived]\n");
  Completer<int> empty;
  EXPECT_EQ(pollen::describe_states(empty), "Completer [empty]\n");
  Completer<int> late;
  { auto g = pollen::from_callback<int>([&](Completer<int> done) { late = done; }); }
  EXPECT_EQ(pollen::describe_states(late), "Completer [future gone]\n");
}

TEST(FromCallback, TwoAllocationsToMakeNoneToCallCopyOrPoll) {
  Completer<int> kept;
  AllocCounter make;
  auto f = pollen::from_callback<int>([&](Completer<int> done) { kept = done; });
  EXPECT_EQ(make.allocations(), 2u);  // the oneshot's state and the completers' state
  AllocCounter use;
  Completer<int> copy = kept;
  pollen::Waker w;
  pollen::Context cx(w);
  EXPECT_TRUE(f.poll(cx).is_pending());
  EXPECT_TRUE(copy(6).is_sent());
  EXPECT_EQ(f.poll(cx), pollen::Poll<Option<int>>(Option<int>(6)));
  EXPECT_EQ(use.allocations(), 0u);
}

// The completer called from another thread wakes the loop, which sleeps in
// its poller meanwhile (run under TSan in CI's thread-sanitizer build).
TEST(FromCallback, ACompleterCalledFromAnotherThreadWakesTheLoop) {
  pollen::EventLoop loop;
  for (int i = 0; i < 200; ++i) {
    std::thread worker;
    auto f = pollen::from_callback<std::string>([&](Completer<std::string> done) {
      worker = std::thread([done, i] { (void)done("reply " + std::to_string(i)); });
    });
    Option<std::string> r = loop.block_on(std::move(f));
    worker.join();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r.value(), "reply " + std::to_string(i));
  }
}

// The last copy destroyed on another thread: the future resolves to none.
TEST(FromCallback, ACompleterDroppedOnAnotherThreadResolvesToNone) {
  pollen::EventLoop loop;
  for (int i = 0; i < 100; ++i) {
    std::thread worker;
    auto f = pollen::from_callback<int>([&](Completer<int> done) {
      worker = std::thread([done]() mutable { Completer<int> gone = std::move(done); });
    });
    Option<int> r = loop.block_on(std::move(f));
    worker.join();
    EXPECT_FALSE(r.has_value());
  }
}

// The std::future statement of docs/interop.md: a std::future can only be
// waited on by blocking, so the honest bridge blocks a spawn_blocking
// worker, never the loop.
TEST(FromCallback, AStdFutureIsAwaitedOnASpawnBlockingWorker) {
  std::promise<int> promise;
  std::future<int> fut = promise.get_future();
  pollen::EventLoop loop;
  auto f = pollen::spawn_blocking([fut = std::move(fut)]() mutable { return fut.get(); });
  std::thread producer([&promise] { promise.set_value(11); });
  EXPECT_EQ(loop.block_on(std::move(f)), 11);
  producer.join();
}
