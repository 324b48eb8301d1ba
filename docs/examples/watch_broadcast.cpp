// watch and broadcast: a thread publishes settings through a watch channel
// while a task follows the latest one; a broadcast ring hands every message
// to every receiver and tells a slow one how many it missed. Each step
// prints what happened; the program checks its own results.
#include <pollen/core/block_on.hpp>
#include <pollen/sync.hpp>

#include <fmt/core.h>

#include <string>
#include <thread>
#include <utility>

int main() {
  // 1. watch: the sender on another thread publishes 1..100 and goes (which
  //    closes the channel). The receiver sees some of the versions, always
  //    in order, always the latest one when it looks, and the last one
  //    before Closed.
  auto settings = pollen::watch<int>(0);
  pollen::WatchReceiver<int> rx = settings.second;
  std::thread publisher([tx = std::move(settings.first)]() mutable {
    for (int v = 1; v <= 100; ++v) tx.send(v);
  });
  int last = 0;
  int looks = 0;
  while (pollen::block_on(rx.changed()) == pollen::RecvStatus::Received) {
    last = *rx.borrow_and_update();
    ++looks;
  }
  publisher.join();
  fmt::print("watch: last value {} after {} look(s); then Closed\n", last, looks);

  // A receiver that was not looking sees only the latest value, once.
  pollen::WatchReceiver<int>& idle = settings.second;
  bool idle_changed = idle.has_changed();
  int idle_value = *idle.borrow_and_update();  // the WatchRef holds the lock: read and drop it
  fmt::print("watch: an idle receiver has a change: {}, value {}\n", idle_changed, idle_value);

  // 2. broadcast: a ring of 4. Two receivers; `slow` reads only after ten
  //    sends, so it missed six and is told so exactly.
  auto events = pollen::broadcast<std::string>(4);
  pollen::BroadcastReceiver<std::string> fast = events.first.subscribe();
  pollen::BroadcastReceiver<std::string>& slow = events.second;
  int fast_got = 0;
  for (int i = 0; i < 10; ++i) {
    events.first.send("event " + std::to_string(i));
    if (fast.try_recv().is_received()) ++fast_got;  // keeps up: sees every one
  }
  { pollen::BroadcastSender<std::string> gone = std::move(events.first); }  // closes
  std::string seen;
  pollen::BroadcastResult<std::string> r = pollen::block_on(slow.recv());
  fmt::print("broadcast: fast got {}; slow: {} ({} missed)\n", fast_got,
             pollen::to_string(r.status()), r.missed());
  for (;;) {
    r = slow.try_recv();
    if (!r.is_received()) break;
    seen += " [" + r.value() + "]";
  }
  fmt::print("broadcast: slow then got{}, then {}\n", seen, pollen::to_string(r.status()));

  bool ok = last == 100 && idle_changed && idle_value == 100 && fast_got == 10 && seen == " [event 6] [event 7] [event 8] [event 9]" &&
            r.is_closed();
  return ok ? 0 : 1;
}
