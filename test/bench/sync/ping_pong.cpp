// Ping-pong between two tasks on one EventLoop, through channels.
//
// * oneshot: the ping_pong workload. A sends Msg{i, reply sender} through the
//   oneshot sender it holds and awaits the reply on a fresh oneshot; B
//   answers Msg{v + 1, new sender} through the sender it received.
//   One round trip = 2 oneshot creations, 2 sends, 2 wakes, 2 task switches.
// * bounded(1) / unbounded: W2b. Two long-lived channels (A->B, B->A)
//   carrying a u64; A sends i, B replies i + 1. The bounded variant sends
//   through the Send future (it always finds room: one message in flight).
//
// The two tasks are hand-written futures (a state enum and a loop in
// poll()), spawned on a pollen::EventLoop and run to completion. Reported:
// ns per round trip (counter ns_per_round_trip), 1,000,000 round trips per
// run. A wrong reply aborts.
#include <pollen/runtime/event_loop.hpp>
#include <pollen/sync.hpp>

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <utility>

namespace {

constexpr std::uint64_t kRoundTrips = 1000000;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "ping_pong: %s\n", what);
  std::abort();
}

// --- oneshot -------------------------------------------------------------

struct Msg {
  std::uint64_t v;
  pollen::OneshotSender<Msg> reply;
};

class OneshotA {
 public:
  using Output = pollen::Unit;
  enum class State { Sending, Waiting };
  OneshotA(pollen::OneshotSender<Msg> to_b, std::uint64_t n) : to_b_(std::move(to_b)), n_(n) {}

  pollen::Poll<pollen::Unit> poll(pollen::Context& cx) {
    for (;;) {
      if (state_ == State::Sending) {
        if (i_ == n_) {
          to_b_ = pollen::OneshotSender<Msg>();  // B sees Closed and ends
          return pollen::Unit{};
        }
        auto ch = pollen::oneshot<Msg>();
        if (!to_b_.send(Msg{i_, std::move(ch.first)}).is_sent()) fail("A: B is gone");
        rx_ = std::move(ch.second);
        state_ = State::Waiting;
      }
      pollen::Poll<pollen::RecvResult<Msg>> p = rx_.poll(cx);
      if (p.is_pending()) return pollen::pending;
      pollen::RecvResult<Msg> r = std::move(p).value();
      if (!r.is_received() || r.value().v != i_ + 1) fail("A: wrong reply");
      to_b_ = std::move(r.value().reply);
      ++i_;
      state_ = State::Sending;
    }
  }

 private:
  pollen::OneshotSender<Msg> to_b_;   // valid in State::Sending
  pollen::OneshotReceiver<Msg> rx_;   // valid in State::Waiting
  std::uint64_t i_ = 0;
  std::uint64_t n_;
  State state_ = State::Sending;
};

class OneshotB {
 public:
  using Output = pollen::Unit;
  explicit OneshotB(pollen::OneshotReceiver<Msg> rx) : rx_(std::move(rx)) {}

  pollen::Poll<pollen::Unit> poll(pollen::Context& cx) {
    for (;;) {
      pollen::Poll<pollen::RecvResult<Msg>> p = rx_.poll(cx);
      if (p.is_pending()) return pollen::pending;
      pollen::RecvResult<Msg> r = std::move(p).value();
      if (r.is_closed()) return pollen::Unit{};
      Msg m = std::move(r).value();
      auto ch = pollen::oneshot<Msg>();
      if (!m.reply.send(Msg{m.v + 1, std::move(ch.first)}).is_sent()) fail("B: A is gone");
      rx_ = std::move(ch.second);
    }
  }

 private:
  pollen::OneshotReceiver<Msg> rx_;
};

void BM_PingPongOneshot(benchmark::State& state) {
  for (auto _ : state) {
    pollen::EventLoop loop;
    auto ch = pollen::oneshot<Msg>();
    auto a = loop.spawn(OneshotA(std::move(ch.first), kRoundTrips));
    auto b = loop.spawn(OneshotB(std::move(ch.second)));
    loop.run();
  }
  state.counters["ns_per_round_trip"] = benchmark::Counter(
      static_cast<double>(kRoundTrips), benchmark::Counter::kIsIterationInvariantRate |
                                            benchmark::Counter::kInvert);
}

// --- long-lived channels (W2b) --------------------------------------------

// How A and B send: through a bounded Send future, or an unbounded send.
struct BoundedChan {
  using Tx = pollen::Sender<std::uint64_t>;
  static std::pair<Tx, pollen::Receiver<std::uint64_t>> make() {
    return pollen::channel<std::uint64_t>(1);
  }
  // Drives a send to completion inside the task's poll (it is always ready:
  // one message in flight per channel).
  static void send(const Tx& tx, std::uint64_t v, pollen::Context& cx) {
    pollen::Send<std::uint64_t> s = tx.send(v);
    pollen::Poll<pollen::SendResult<std::uint64_t>> p = s.poll(cx);
    if (!p.is_ready() || !p.value().is_sent()) fail("bounded send did not complete at once");
  }
};
struct UnboundedChan {
  using Tx = pollen::UnboundedSender<std::uint64_t>;
  static std::pair<Tx, pollen::Receiver<std::uint64_t>> make() {
    return pollen::unbounded_channel<std::uint64_t>();
  }
  static void send(const Tx& tx, std::uint64_t v, pollen::Context&) {
    if (!tx.send(v).is_sent()) fail("unbounded send failed");
  }
};

template <class Chan>
class ChanA {
 public:
  using Output = pollen::Unit;
  enum class State { Sending, Waiting };
  ChanA(typename Chan::Tx tx, pollen::Receiver<std::uint64_t> rx, std::uint64_t n)
      : tx_(std::move(tx)), rx_(std::move(rx)), n_(n) {}

  pollen::Poll<pollen::Unit> poll(pollen::Context& cx) {
    for (;;) {
      if (state_ == State::Sending) {
        if (i_ == n_) {
          tx_ = typename Chan::Tx();  // B's stream ends
          return pollen::Unit{};
        }
        Chan::send(tx_, i_, cx);
        state_ = State::Waiting;
      }
      pollen::Poll<pollen::Option<std::uint64_t>> p = rx_.poll_next(cx);
      if (p.is_pending()) return pollen::pending;
      pollen::Option<std::uint64_t> v = std::move(p).value();
      if (!v.has_value() || *v != i_ + 1) fail("A: wrong reply");
      ++i_;
      state_ = State::Sending;
    }
  }

 private:
  typename Chan::Tx tx_;
  pollen::Receiver<std::uint64_t> rx_;
  std::uint64_t i_ = 0;
  std::uint64_t n_;
  State state_ = State::Sending;
};

template <class Chan>
class ChanB {
 public:
  using Output = pollen::Unit;
  ChanB(typename Chan::Tx tx, pollen::Receiver<std::uint64_t> rx)
      : tx_(std::move(tx)), rx_(std::move(rx)) {}

  pollen::Poll<pollen::Unit> poll(pollen::Context& cx) {
    for (;;) {
      pollen::Poll<pollen::Option<std::uint64_t>> p = rx_.poll_next(cx);
      if (p.is_pending()) return pollen::pending;
      pollen::Option<std::uint64_t> v = std::move(p).value();
      if (!v.has_value()) return pollen::Unit{};
      Chan::send(tx_, *v + 1, cx);
    }
  }

 private:
  typename Chan::Tx tx_;
  pollen::Receiver<std::uint64_t> rx_;
};

template <class Chan>
void BM_PingPongChannel(benchmark::State& state) {
  for (auto _ : state) {
    pollen::EventLoop loop;
    auto ab = Chan::make();
    auto ba = Chan::make();
    auto a = loop.spawn(ChanA<Chan>(std::move(ab.first), std::move(ba.second), kRoundTrips));
    auto b = loop.spawn(ChanB<Chan>(std::move(ba.first), std::move(ab.second)));
    loop.run();
  }
  state.counters["ns_per_round_trip"] = benchmark::Counter(
      static_cast<double>(kRoundTrips), benchmark::Counter::kIsIterationInvariantRate |
                                            benchmark::Counter::kInvert);
}

}  // namespace

BENCHMARK(BM_PingPongOneshot)->Iterations(3)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_PingPongChannel, BoundedChan)->Name("BM_PingPongBounded1")->Iterations(3)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_PingPongChannel, UnboundedChan)->Name("BM_PingPongUnbounded")->Iterations(3)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
