// The blog post's some_task, written by hand as a future
// (docs/examples/some_task.hpp), driven one poll at a time.
#include "some_task.hpp"

#include "contract.hpp"
#include "test_task.hpp"

#include <gtest/gtest.h>

using example::FakeIo;
using example::SomeTask;
using State = SomeTask::State;

TEST(SomeTask, WalksThroughEveryStateOneAwaitAtATime) {
  FakeIo io;
  auto t = pollen::test::test_task(SomeTask(io));
  EXPECT_EQ(t.future().state(), State::Step1);

  // Poll 1: step 1 runs, the file read starts and is not done: suspended.
  EXPECT_PENDING(t);
  EXPECT_EQ(t.future().state(), State::FileIO);
  EXPECT_FALSE(t.is_woken());
  EXPECT_EQ(io.log, (std::vector<std::string>{"step 1: did some work",
                                              "read_file(notes.txt) started"}));

  // A poll without a wake changes nothing (spurious poll).
  EXPECT_PENDING(t);
  EXPECT_EQ(t.future().state(), State::FileIO);
  EXPECT_EQ(io.log.size(), 2u);

  // The disk completes the read: the task's waker fires, exactly once.
  io.file->complete("poll based futures");
  EXPECT_EQ(t.wake_count(), 1u);

  // Poll 2: step 2 runs and starts something else: suspended again.
  EXPECT_PENDING(t);
  EXPECT_EQ(t.future().state(), State::Step2);
  EXPECT_EQ(io.log.back(), "something_else() started");
  EXPECT_EQ(io.log[2], "step 2: counted 4 words");

  io.other->complete(38);
  EXPECT_EQ(t.wake_count(), 2u);

  // Poll 3: done, with 4 words + 38.
  EXPECT_READY_EQ(t, 42u);
  EXPECT_EQ(t.future().state(), State::Done);
  EXPECT_EQ(t.polls(), 4u);
  EXPECT_EQ(io.log.back(), "done");
}

TEST(SomeTask, RunsStraightThroughWhenTheIoIsAlreadyDone) {
  FakeIo io;
  io.file->value = std::string("a b c");
  io.other->value = 0;
  auto t = pollen::test::test_task(SomeTask(io));
  EXPECT_READY_EQ(t, 4u);  // "hello a b c"
  EXPECT_EQ(t.polls(), 1u);
}

TEST(SomeTask, DescribesTheAwaitItIsSuspendedAt) {
  FakeIo io;
  auto t = pollen::test::test_task(SomeTask(io));
  EXPECT_EQ(t.describe(), "SomeTask [state: Step1]\n");
  (void)t.poll();
  EXPECT_EQ(t.describe(), "SomeTask [state: FileIO]\n\u2514\u2500 IoFuture [waiting for I/O]\n");
}

TEST(SomeTask, PollingAfterDoneIsAContractError) {
  FakeIo io;
  io.file->value = std::string("x");
  io.other->value = 1;
  auto t = pollen::test::test_task(SomeTask(io));
  EXPECT_READY_EQ(t, 3u);
  EXPECT_CONTRACT_ERROR((void)t.poll(), "SomeTask polled after it returned Ready");
}

TEST(SomeTask, RunsToCompletionUnderBlockOn) {
  FakeIo io;
  io.file->value = std::string("one two");
  io.other->value = 5;
  EXPECT_EQ(pollen::block_on(SomeTask(io)), 8u);
}
