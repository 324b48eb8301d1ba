// Unbounded channel throughput: 1 and 4 sender threads, one receiving task
// on an EventLoop (stream::for_each over the Receiver). 4,000,000 messages
// per run in total; the receiver checks the count and the sum (a loss or a
// duplicate aborts). Reported: messages per second (items_per_second).
#include <pollen/runtime/event_loop.hpp>
#include <pollen/stream/for_each.hpp>
#include <pollen/sync/unbounded.hpp>

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <utility>
#include <vector>

namespace {

constexpr std::uint64_t kMessages = 4000000;

void BM_UnboundedThroughput(benchmark::State& state) {
  const int senders = static_cast<int>(state.range(0));
  const std::uint64_t per_sender = kMessages / static_cast<std::uint64_t>(senders);
  const std::uint64_t total = per_sender * static_cast<std::uint64_t>(senders);
  for (auto _ : state) {
    pollen::EventLoop loop;
    auto ch = pollen::unbounded_channel<std::uint64_t>();
    std::vector<std::thread> threads;
    for (int t = 0; t < senders; ++t) {
      threads.emplace_back([tx = ch.first, per_sender] {
        for (std::uint64_t i = 1; i <= per_sender; ++i) {
          if (!tx.send(i).is_sent()) std::abort();
        }
      });
    }
    ch.first = pollen::UnboundedSender<std::uint64_t>();  // the threads hold the only senders
    std::uint64_t count = 0, sum = 0;
    loop.block_on(pollen::stream::for_each(std::move(ch.second), [&](std::uint64_t v) {
      ++count;
      sum += v;
    }));
    for (std::thread& th : threads) th.join();
    if (count != total || sum != static_cast<std::uint64_t>(senders) * per_sender * (per_sender + 1) / 2) {
      std::fprintf(stderr, "throughput: received %llu of %llu messages (or a wrong sum)\n",
                   static_cast<unsigned long long>(count), static_cast<unsigned long long>(total));
      std::abort();
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * total));
}

}  // namespace

BENCHMARK(BM_UnboundedThroughput)->Arg(1)->Arg(4)->Iterations(3)->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK_MAIN();
