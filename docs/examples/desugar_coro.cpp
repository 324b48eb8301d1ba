// docs/desugaring.md, section 5: the blog post's some_task as a C++20
// coroutine (pollen::Coro), to read beside the hand-written SomeTask of
// section 1.
//
// The body reads like the async function; the compiler writes the state
// machine. This program polls it one step at a time, as desugar_some_task
// polls the machine written by hand, playing the disk between polls, and
// checks the steps, the state trees and the result.
//
// Built everywhere, run as a test everywhere: without C++20 coroutines
// (C++14 and C++17 builds) it says so and exits with 77, which meson counts
// as a skipped test.
#include <pollen/future/coro.hpp>
#include <pollen/future/from_callback.hpp>

#include <cstdio>

#if POLLEN_HAS_COROUTINES

#include <pollen/core/describe.hpp>

#include <string>
#include <utility>
#include <vector>

namespace {

// The stand-in for the I/O: each operation is a callback-style one, wrapped
// with from_callback. This program plays the other side: it calls the
// completers between polls.
struct CallbackIo {
  pollen::Completer<std::string> file_done;
  pollen::Completer<int> other_done;
  std::vector<std::string> log;  // what the task did, in order

  pollen::FromCallback<std::string> read_file(const std::string& name) {
    log.push_back("read_file(" + name + ") started");
    return pollen::from_callback<std::string>(
        [this](pollen::Completer<std::string> done) { file_done = std::move(done); });
  }
  pollen::FromCallback<int> something_else() {
    log.push_back("something_else() started");
    return pollen::from_callback<int>(
        [this](pollen::Completer<int> done) { other_done = std::move(done); });
  }
};

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

// some_task as a coroutine: one line per line of the async function. The
// locals that live across a co_await (greeting, words) live in the frame.
pollen::Coro<std::size_t> some_task(CallbackIo& io) {
  std::string greeting = "hello";  // Step1: runs at the first poll
  io.log.push_back("step 1: did some work");
  std::string text = (co_await io.read_file("notes.txt")).value();  // await #1
  std::size_t words = count_words(greeting + " " + text);
  io.log.push_back("step 2: counted " + std::to_string(words) + " words");
  int extra = (co_await io.something_else()).value();  // await #2
  io.log.push_back("done");
  co_return words + static_cast<std::size_t>(extra);
}

bool expect_tree(const char* when, const std::string& tree, const char* expected) {
  std::printf("  %s:\n%s", when, tree.c_str());
  if (tree == expected) return true;
  std::printf("  UNEXPECTED, wanted:\n%s", expected);
  return false;
}

}  // namespace

int main() {
  CallbackIo io;
  pollen::Coro<std::size_t> task = some_task(io);  // allocates the frame, runs nothing
  pollen::Waker waker;                             // a no-op waker: this driver knows when to poll
  pollen::Context cx(waker);
  bool ok = expect_tree("before the first poll", pollen::describe_states(task),
                        "Coro [state: Created, frame on the heap]\n");

  ok = task.poll(cx).is_pending() && ok;
  ok = expect_tree("suspended at await #1", pollen::describe_states(task),
                   "Coro [state: Awaiting, frame on the heap]\n"
                   "└─ FromCallback [state: Waiting, callback not called yet]\n") &&
       ok;
  (void)io.file_done("async desugars into state machines");  // the disk answers

  ok = task.poll(cx).is_pending() && ok;
  ok = expect_tree("suspended at await #2", pollen::describe_states(task),
                   "Coro [state: Awaiting, frame on the heap]\n"
                   "└─ FromCallback [state: Waiting, callback not called yet]\n") &&
       ok;
  (void)io.other_done(100);  // something else answers

  pollen::Poll<std::size_t> p = task.poll(cx);
  std::size_t out = p.is_ready() ? std::move(p).value() : 0;
  std::printf("  poll 3 -> Ready(%zu)\n", out);
  for (const std::string& line : io.log) std::printf("    log: %s\n", line.c_str());

  // The same work in the same order as the hand-written SomeTask.
  const std::vector<std::string> steps = {"step 1: did some work", "read_file(notes.txt) started",
                                          "step 2: counted 6 words", "something_else() started",
                                          "done"};
  ok = ok && out == 106 && io.log == steps;
  std::printf("same steps and result as the hand-written machine: %s\n", ok ? "yes" : "NO");
  return ok ? 0 : 1;
}

#else  // !POLLEN_HAS_COROUTINES

int main() {
  std::printf("desugar_coro: built without C++20 coroutines; nothing to run\n");
  return 77;  // skipped
}

#endif
