// The second example of README.md, compiled and run so that it stays true:
// a task folds a stream fed through a channel by another task after a sleep.
#include <pollen/pollen.hpp>

#include <chrono>
#include <cstdio>
#include <utility>

int main() {
  pollen::EventLoop loop;                                 // single-threaded
  auto tx_rx = pollen::unbounded_channel<int>();          // mpsc, thread-safe senders
  auto worker = loop.spawn("worker", pollen::stream::fold(std::move(tx_rx.second), 0,
                                                          [](int sum, int v) { return sum + v; }));
  auto producer = pollen::sleep(loop.timer_driver(), std::chrono::milliseconds(1))
                      .map([tx = std::move(tx_rx.first)](pollen::Unit) mutable {
                        for (int i = 1; i <= 3; ++i) (void)tx.send(i);  
                        tx = decltype(tx)();              // drop it: the stream ends
                      });
  loop.block_on(std::move(producer));
  int sum = loop.block_on(std::move(worker)).value();     // 6
  std::printf("sum = %d\n", sum);
  return sum == 6 ? 0 : 1;
}
