// docs/examples/desugar_naive.hpp: the naive runtime loop of
// docs/desugaring.md (section 2), and the program it runs; shared by
// desugar_naive_loop.cpp and the tour.
#pragma once

#include <pollen/pollen.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace example {

using Task = pollen::BoxFuture<pollen::Unit>;

// The program: a producer sends 1..messages through a channel with room for
// one message; a consumer sums them, then tells `waiters` tasks that wait
// for it. `at_the_end` (may be empty) runs in the consumer just before that.
inline std::vector<Task> make_program(int messages, int waiters, std::vector<std::string>& names,
                                      std::function<void()> at_the_end) {
  auto ch = pollen::channel<int>(1);  // room for one message: the producer waits
  std::vector<Task> tasks;

  // producer: sends 1..messages, then drops its sender (the stream ends).
  using L = pollen::Loop<std::pair<int, pollen::Sender<int>>, pollen::Unit>;
  tasks.push_back(pollen::boxed(pollen::loop_fn(
      std::make_pair(1, std::move(ch.first)), [messages](std::pair<int, pollen::Sender<int>> s) {
        int i = s.first;
        pollen::Sender<int> tx = s.second;
        return pollen::map(tx.send(i), [messages, i, tx](pollen::SendResult<int>) {
          return i == messages ? L(pollen::loop_break(pollen::Unit{}))
                               : L(pollen::loop_continue(std::make_pair(i + 1, tx)));
        });
      })));
  names.push_back("producer");

  // consumer: sums every message, then tells every waiter.
  auto finished = std::make_shared<std::vector<pollen::OneshotSender<pollen::Unit>>>();
  tasks.push_back(pollen::boxed(pollen::map(
      pollen::stream::fold(std::move(ch.second), 0, [](int sum, int v) { return sum + v; }),
      [finished, at_the_end, messages](int sum) {
        if (at_the_end) at_the_end();
        POLLEN_ASSERT(sum == messages * (messages + 1) / 2, "lost a message");
        for (auto& tx : *finished) (void)tx.send(pollen::Unit{});
        return pollen::Unit{};
      })));
  names.push_back("consumer");

  // waiters: each waits for the consumer to say it is finished.
  for (int i = 0; i < waiters; ++i) {
    auto os = pollen::oneshot<pollen::Unit>();
    finished->push_back(std::move(os.first));
    tasks.push_back(pollen::boxed(pollen::map(
        std::move(os.second), [](pollen::RecvResult<pollen::Unit>) { return pollen::Unit{}; })));
    names.push_back("waiter " + std::to_string(i));
  }
  return tasks;
}

// A waker that only counts its wakes: the naive loop never waits for one.
struct CountingWake final : pollen::ArcWake {
  std::atomic<std::uint64_t> wakes{0};
  void on_wake() noexcept override { wakes.fetch_add(1, std::memory_order_relaxed); }
};

struct Counts {
  std::size_t polls = 0;
  std::size_t spurious = 0;  // Pending, and nothing had woken the task since its last poll
};

// The naive runtime loop: `for task in tasks: task.make_some_progress()`.
inline Counts naive_run(std::vector<Task>& tasks, pollen::PollObserver& observer) {
  std::vector<pollen::ArcPtr<CountingWake>> wake;  // one per task, never waited on
  for (std::size_t i = 0; i < tasks.size(); ++i) wake.emplace_back(new CountingWake);
  std::vector<std::uint64_t> seen(tasks.size(), 0);  // wakes at the previous poll
  std::vector<bool> done(tasks.size(), false);
  std::size_t left = tasks.size();
  Counts n;
  while (left > 0) {                                  // until every task is done:
    for (std::size_t i = 0; i < tasks.size(); ++i) {  //   for task in tasks:
      if (done[i]) continue;
      pollen::Waker waker = wake[i]->waker();
      pollen::Context cx(waker, observer);
      std::uint64_t wakes = wake[i]->wakes.load();
      observer.begin_task_poll(wakes);
      ++n.polls;
      if (tasks[i].poll(cx).is_ready()) {  //     task.make_some_progress()
        done[i] = true;
        --left;
      } else if (wakes == seen[i]) {  //     ... and nothing had woken it:
        ++n.spurious;                 //     a poll for nothing
      }
      seen[i] = wakes;
    }
  }
  return n;
}

// The state tree of the task named `name`, as the loop sees it.
inline std::string task_tree(const pollen::EventLoop& loop, const std::string& name) {
  for (const pollen::TaskSnapshot& t : loop.dump_tasks()) {
    if (t.name == name) return pollen::render(t.tree);
  }
  return "(no task " + name + ")\n";
}

// The same program under pollen::EventLoop, with per-node poll counts on;
// returns its counters. `at_the_end` (may be empty) runs where
// make_program's does, with the loop.
inline pollen::LoopStats real_run(int messages, int waiters,
                                  std::function<void(const pollen::EventLoop&)> at_the_end) {
  pollen::EventLoop loop;
  loop.set_introspection(true);
  std::vector<std::string> names;
  std::vector<Task> tasks = make_program(messages, waiters, names, [&loop, at_the_end] {
    if (at_the_end) at_the_end(loop);
  });
  for (std::size_t i = 0; i < tasks.size(); ++i) loop.spawn(names[i], std::move(tasks[i])).detach();
  loop.run();
  return loop.stats();
}

}  // namespace example
