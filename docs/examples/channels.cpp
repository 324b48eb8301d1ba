// Channels and streams: a worker thread feeds a channel, the main thread
// receives it as a stream, and a oneshot carries a reply back. Each step
// prints what happened; the program checks its own results.
#include <pollen/core/block_on.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/stream.hpp>
#include <pollen/sync.hpp>

#include <fmt/core.h>

#include <cstdlib>
#include <thread>
#include <utility>
#include <vector>

namespace stream = pollen::stream;

int main() {
  // 1. A bounded channel with room for 2: the sender on another thread waits
  //    (send() is a future; block_on drives it there) whenever it is full.
  auto ch = pollen::channel<int>(2);
  std::thread producer([tx = std::move(ch.first)] {
    for (int i = 1; i <= 10; ++i) {
      pollen::SendResult<int> r = pollen::block_on(tx.send(i));
      if (!r.is_sent()) std::abort();
    }
  });  // the sender goes with the thread: then the stream ends

  // 2. The receiver is a stream: keep the even numbers, square them, sum.
  auto squares = stream::map(stream::filter(std::move(ch.second), [](const int& x) { return x % 2 == 0; }),
                             [](int x) { return x * x; });
  auto sum = stream::fold(std::move(squares), 0, [](int acc, int x) { return acc + x; });
  fmt::print("before the first poll:\n{}\n", pollen::describe(sum));
  int total = pollen::block_on(std::move(sum));
  producer.join();
  fmt::print("sum of the even squares of 1..10: {}\n", total);  // 4+16+36+64+100 = 220

  // 3. A oneshot: one value, once. A send to a closed receiver hands the
  //    value back: nothing is lost silently.
  auto reply = pollen::oneshot<std::vector<int>>();
  std::thread worker([tx = std::move(reply.first)]() mutable {
    pollen::SendResult<std::vector<int>> r = tx.send(std::vector<int>{1, 2, 3});
    if (!r.is_sent()) std::abort();
  });
  pollen::RecvResult<std::vector<int>> got = pollen::block_on(std::move(reply.second));
  worker.join();
  fmt::print("oneshot delivered {} values\n", got.value().size());

  auto late = pollen::oneshot<int>();
  late.second.close();
  pollen::SendResult<int> back = late.first.send(42);
  fmt::print("send after close: {}, value handed back: {}\n", pollen::to_string(back.status()),
             back.take_back());

  // 4. Merging two streams alternates fairly between them.
  auto merged = stream::merge(stream::iter(std::vector<int>{1, 1, 1}), stream::iter(std::vector<int>{2, 2, 2}));
  std::vector<int> order = pollen::block_on(stream::collect(std::move(merged)));
  fmt::print("merge order:");
  for (int v : order) fmt::print(" {}", v);
  fmt::print("\n");

  return total == 220 && got.value().size() == 3 && order == std::vector<int>{1, 2, 1, 2, 1, 2} ? 0 : 1;
}
