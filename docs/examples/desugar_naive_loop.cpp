// docs/desugaring.md, section 2: the naive runtime loop, and why wakers exist.
//
// The same program (a producer, a consumer and eight tasks that wait for the
// consumer to finish; desugar_naive.hpp) runs twice: under a ten-line
// executor that polls every task over and over, and under pollen::EventLoop,
// which polls a task only after its waker was woken. The program prints how
// many polls each needed per completed task, and how many of those polls
// found nothing to do, and checks that the real loop needs fewer.
#include <pollen/pollen.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "desugar_naive.hpp"

int main() {
  const int messages = 20, waiters = 8;
  std::vector<std::string> names;
  pollen::PollObserver observer;
  std::vector<example::Task> tasks;
  tasks = example::make_program(messages, waiters, names, [&] {
    std::printf("under the naive loop, a waiter just before the consumer finishes:\n%s\n",
                pollen::describe(tasks[2], observer).c_str());
  });
  example::Counts naive = example::naive_run(tasks, observer);
  pollen::LoopStats real = example::real_run(messages, waiters, [](const pollen::EventLoop& loop) {
    std::printf("under the event loop, the same waiter at the same moment:\n%s\n",
                example::task_tree(loop, "waiter 0").c_str());
  });

  double n = static_cast<double>(tasks.size());
  std::printf("the same program: %zu tasks, %d messages through a channel of 1\n", tasks.size(),
              messages);
  std::printf("%-12s %7s %16s %16s\n", "executor", "polls", "polls per task", "spurious polls");
  std::printf("%-12s %7zu %16.1f %16zu\n", "naive loop", naive.polls,
              static_cast<double>(naive.polls) / n, naive.spurious);
  std::printf("%-12s %7zu %16.1f %16zu\n", "EventLoop", real.polls,
              static_cast<double>(real.polls) / n, real.spurious_polls);
  bool ok = real.polls < naive.polls && real.tasks_spawned == tasks.size();
  std::printf("the event loop polls %s\n", ok ? "less: only the tasks that were woken" : "MORE?!");
  return ok ? 0 : 1;
}
