// The blog post's some_task, written by hand as a future
// (docs/examples/some_task.hpp), driven one poll at a time. Its file read is
// real (fs::read_file on the blocking pool); "something else" is completed
// by the test.
#include "some_task.hpp"

#include "contract.hpp"
#include "test_task.hpp"

#include <gtest/gtest.h>

#include <thread>

using example::Io;
using example::NotesDir;
using example::SomeTask;
using State = SomeTask::State;

namespace {

// Waits (without polling) until the read's thread has woken the task.
template <class T>
void wait_for_wake(const T& t, std::size_t wakes) {
  while (t.wake_count() < wakes) std::this_thread::yield();
}

}  // namespace

TEST(SomeTask, WalksThroughEveryStateOneAwaitAtATime) {
  NotesDir dir("poll based futures");
  Io io(dir.path());
  auto t = pollen::test::test_task(SomeTask(io));
  EXPECT_EQ(t.future().state(), State::Step1);

  // Poll 1: step 1 runs, the file read starts (its first poll is always
  // Pending): suspended.
  EXPECT_PENDING(t);
  EXPECT_EQ(t.future().state(), State::FileIO);
  EXPECT_EQ(io.log, (std::vector<std::string>{"step 1: did some work",
                                              "read_file(notes.txt) started"}));

  // The thread reads the file and wakes the task, exactly once.
  wait_for_wake(t, 1);
  EXPECT_EQ(t.wake_count(), 1u);

  // Poll 2: step 2 runs and starts something else: suspended again.
  EXPECT_PENDING(t);
  EXPECT_EQ(t.future().state(), State::Step2);
  EXPECT_EQ(io.log.back(), "something_else() started");
  EXPECT_EQ(io.log[2], "step 2: counted 4 words");

  // A poll without a wake changes nothing (spurious poll).
  EXPECT_PENDING(t);
  EXPECT_EQ(t.future().state(), State::Step2);
  EXPECT_EQ(io.log.size(), 4u);

  io.other->complete(38);
  EXPECT_EQ(t.wake_count(), 2u);

  // Poll 4: done, with 4 words + 38.
  EXPECT_READY_EQ(t, 42u);
  EXPECT_EQ(t.future().state(), State::Done);
  EXPECT_EQ(t.polls(), 4u);
  EXPECT_EQ(io.log.back(), "done");
}

TEST(SomeTask, AFileThatCannotBeReadCountsAsEmpty) {
  NotesDir dir("unused");
  Io io(dir.path() + "/missing");  // no such directory: ENOENT
  io.other->value = 0;
  auto t = pollen::test::test_task(SomeTask(io));
  EXPECT_PENDING(t);
  wait_for_wake(t, 1);
  EXPECT_READY_EQ(t, 1u);  // "hello " alone
  EXPECT_EQ(io.log[2], "step 2: counted 1 words");
}

TEST(SomeTask, DescribesTheAwaitItIsSuspendedAt) {
  NotesDir dir("x");
  Io io(dir.path());
  auto t = pollen::test::test_task(SomeTask(io));
  EXPECT_EQ(t.describe(), "SomeTask [state: Step1]\n");
  (void)t.poll();
  EXPECT_EQ(example::hide_dir(t.describe(), dir.path()),
            "SomeTask [state: FileIO]\n"
            "\u2514\u2500 fs::read_file(\"\u2026/notes.txt\") [state: Running (on a worker thread)]\n");
  wait_for_wake(t, 1);
  (void)t.poll();
  EXPECT_EQ(t.describe(), "SomeTask [state: Step2]\n\u2514\u2500 IoFuture [waiting for I/O]\n");
}

TEST(SomeTask, PollingAfterDoneIsAContractError) {
  NotesDir dir("x");
  Io io(dir.path());
  io.other->value = 1;
  auto t = pollen::test::test_task(SomeTask(io));
  EXPECT_PENDING(t);
  wait_for_wake(t, 1);
  EXPECT_READY_EQ(t, 3u);
  EXPECT_CONTRACT_ERROR((void)t.poll(), "SomeTask polled after it returned Ready");
}

TEST(SomeTask, RunsToCompletionUnderBlockOn) {
  NotesDir dir("one two");
  Io io(dir.path());
  io.other->value = 5;
  EXPECT_EQ(pollen::block_on(SomeTask(io)), 8u);
}

TEST(SomeTask, RunsToCompletionOnAnEventLoop) {
  NotesDir dir("one two three");
  Io io(dir.path());
  io.other->value = 10;
  pollen::EventLoop loop;
  EXPECT_EQ(loop.block_on(SomeTask(io)), 14u);
}

TEST(SomeTask, DroppedAtTheReadItStopsThere) {
  NotesDir dir("never counted");
  Io io(dir.path());
  {
    auto t = pollen::test::test_task(SomeTask(io));
    EXPECT_PENDING(t);
  }  // the read's thread finishes on its own and discards the bytes
  EXPECT_EQ(io.log, (std::vector<std::string>{"step 1: did some work",
                                              "read_file(notes.txt) started"}));
}
