// docs/desugaring.md, section 1: the blog post's some_task, two ways.
//
// * by hand: example::SomeTask (some_task.hpp), an enum state machine that
//   implements the poll protocol itself;
// * composed: the same steps chained with lazy / then / map, where the
//   library's combinators are the states.
//
// Both are polled one step at a time by this program. The file read is
// real (pollen::fs::read_file of a notes.txt in a temporary directory, on a
// blocking-pool thread): the program sleeps until that thread wakes the task,
// and completes the "something else" itself. It prints the state tree after
// each poll. Both must do the same work in the same order and produce the
// same number.
#include <pollen/pollen.hpp>

#include <cstdio>
#include <string>
#include <utility>

#include "some_task.hpp"

namespace {

std::size_t count_words(const std::string& s) {
  std::size_t n = 0;
  bool in_word = false;
  for (char c : s) {
    bool space = c == ' ' || c == '\n' || c == '\t';
    if (!space && !in_word) ++n;
    in_word = !space;
  }
  return n;
}

// some_task, composed: each closure is the code between two awaits.
auto some_task_composed(example::Io& io) {
  return pollen::lazy([&io] {  // Step1: runs at the first poll
           io.log.push_back("step 1: did some work");
           return std::string("hello");
         })
      .then([&io](std::string greeting) {  // await #1: the file read
        return pollen::map(io.read_file("notes.txt"), [greeting](pollen::Result<std::string> text) {
          return greeting + " " + text.value_or(std::string());  // greeting lives across the await
        });
      })
      .then([&io](std::string both) {  // Step2, then await #2
        std::size_t words = count_words(both);
        io.log.push_back("step 2: counted " + std::to_string(words) + " words");
        return pollen::map(io.something_else(), [&io, words](int extra) {
          io.log.push_back("done");
          return words + static_cast<std::size_t>(extra);
        });
      });
}

void print_tree(const char* label, const std::string& tree) {
  std::printf("%s\n", label);
  std::size_t start = 0;
  while (start < tree.size()) {
    std::size_t end = tree.find('\n', start);
    if (end == std::string::npos) end = tree.size();
    std::printf("    %s\n", tree.substr(start, end - start).c_str());
    start = end + 1;
  }
}

// Polls `task` to completion: sleeps until the read's thread wakes it, then
// completes "something else" itself.
template <class Task>
std::size_t drive(const char* title, Task& task, example::Io& io) {
  std::printf("== %s (sizeof %zu bytes)\n", title, sizeof(Task));
  pollen::ArcPtr<example::WakeFlag> woken = pollen::make_arc<example::WakeFlag>();
  pollen::Waker waker = woken->waker();
  pollen::Context cx(waker);
  print_tree("  before the first poll:", pollen::describe(task));
  pollen::Poll<std::size_t> p = task.poll(cx);
  std::printf("  poll 1 -> %s\n", p.is_ready() ? "Ready" : "Pending");
  print_tree("  suspended at await #1, the read in flight:",
             example::hide_dir(pollen::describe(task), io.dir));
  woken->wait();  // the blocking-pool thread read the file and woke the task
  std::printf("  woken by the thread that read the file\n");
  p = task.poll(cx);
  std::printf("  poll 2 -> %s\n", p.is_ready() ? "Ready" : "Pending");
  print_tree("  suspended at await #2:", pollen::describe(task));
  io.other->complete(100);  // something else answers
  p = task.poll(cx);
  std::size_t out = std::move(p).value();
  std::printf("  poll 3 -> Ready(%zu)\n", out);
  for (const std::string& line : io.log) std::printf("    log: %s\n", line.c_str());
  return out;
}

}  // namespace

int main() {
  // The file some_task reads, in a temporary directory (shown as an ellipsis).
  example::NotesDir dir("async desugars into state machines");
  example::Io io1(dir.path());
  example::SomeTask by_hand(io1);
  std::size_t a = drive("some_task written by hand", by_hand, io1);

  std::printf("\n");
  example::Io io2(dir.path());
  auto composed = some_task_composed(io2);
  std::size_t b = drive("some_task composed with then", composed, io2);

  bool same = a == b && io1.log == io2.log;
  std::printf("\nsame output, same steps: %s\n", same ? "yes" : "NO");
  return same ? 0 : 1;
}
