// fs::read_file and fs::write_file (include/pollen/io/fs.hpp): whole-file
// I/O on the blocking pool, errors as values.
#include <pollen/core/block_on.hpp>
#include <pollen/core/cancel_safe.hpp>
#include <pollen/io/fs.hpp>
#include <pollen/runtime/event_loop.hpp>

#include "contract.hpp"
#include "test_task.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <utility>

namespace {

static_assert(std::is_same<pollen::output_t<pollen::fs::ReadFile>, pollen::Result<std::string>>::value,
              "read_file yields the file's bytes or an error");
static_assert(std::is_same<pollen::output_t<pollen::fs::WriteFile>, pollen::Result<pollen::Unit>>::value,
              "write_file yields Unit or an error");
static_assert(pollen::is_cancel_safe<pollen::fs::ReadFile>::value, "dropping a read loses nothing");
static_assert(!pollen::is_cancel_safe<pollen::fs::WriteFile>::value,
              "a dropped write goes on, and its outcome is lost");

// A fresh directory under $TMPDIR (or /tmp), removed with what the test
// left in it.
class Fs : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/pollen-fs-XXXXXX";
    ASSERT_NE(::mkdtemp(&tmpl[0]), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    for (const std::string& f : files_) ::unlink(f.c_str());
    ::rmdir((dir_ + "/sub").c_str());
    ::rmdir(dir_.c_str());
  }
  std::string path(const std::string& name) {
    files_.push_back(dir_ + "/" + name);
    return files_.back();
  }
  void put(const std::string& p, const std::string& data) {
    std::FILE* f = std::fopen(p.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(std::fwrite(data.data(), 1, data.size(), f), data.size());
    ASSERT_EQ(std::fclose(f), 0);
  }

  std::string dir_;
  std::vector<std::string> files_;
};

// Polls until Ready, waiting for the task's waker in between.
template <class F>
pollen::output_t<F> drive(pollen::test::TestTask<F>& t) {
  for (;;) {
    pollen::Poll<pollen::output_t<F>> p = t.poll();
    if (p.is_ready()) return std::move(p).value();
    while (!t.is_woken()) std::this_thread::yield();
  }
}

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  std::uint32_t x = 12345;
  for (char& c : s) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>(x >> 24);
  }
  return s;
}

TEST_F(Fs, ReadsARealFile) {
  std::string p = path("notes.txt");
  put(p, "async desugars into state machines\n");
  pollen::Result<std::string> r = pollen::block_on(pollen::fs::read_file(p));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), "async desugars into state machines\n");
}

TEST_F(Fs, ReadsAnEmptyFile) {
  std::string p = path("empty");
  put(p, "");
  pollen::Result<std::string> r = pollen::block_on(pollen::fs::read_file(p));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), "");
}

TEST_F(Fs, AMissingFileIsENOENTAsAValue) {
  pollen::Result<std::string> r = pollen::block_on(pollen::fs::read_file(dir_ + "/no-such-file"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), std::errc::no_such_file_or_directory);
  EXPECT_EQ(r.error().value(), ENOENT);
}

TEST_F(Fs, ADirectoryIsEISDIRAsAValue) {
  pollen::Result<std::string> r = pollen::block_on(pollen::fs::read_file(dir_));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), std::errc::is_a_directory);
  pollen::Result<pollen::Unit> w = pollen::block_on(pollen::fs::write_file(dir_, "x"));
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error(), std::errc::is_a_directory);
}

TEST_F(Fs, WritingIntoAMissingDirectoryIsENOENT) {
  pollen::Result<pollen::Unit> w = pollen::block_on(pollen::fs::write_file(dir_ + "/sub/f", "x"));
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error(), std::errc::no_such_file_or_directory);
}

TEST_F(Fs, WriteThenReadBack) {
  std::string p = path("out.txt");
  pollen::Result<pollen::Unit> w = pollen::block_on(pollen::fs::write_file(p, "first, longer contents"));
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(pollen::block_on(pollen::fs::read_file(p)).value(), "first, longer contents");
  // An existing file is truncated, not overwritten in place.
  ASSERT_TRUE(pollen::block_on(pollen::fs::write_file(p, "second")).ok());
  EXPECT_EQ(pollen::block_on(pollen::fs::read_file(p)).value(), "second");
}

TEST_F(Fs, AFewMegabytesComeBackByteForByte) {
  std::string p = path("big.bin");
  const std::string data = pattern(5 * 1024 * 1024 + 7);  // not a multiple of any buffer size
  ASSERT_TRUE(pollen::block_on(pollen::fs::write_file(p, data)).ok());
  struct stat st;
  ASSERT_EQ(::stat(p.c_str(), &st), 0);
  EXPECT_EQ(static_cast<std::size_t>(st.st_size), data.size());
  pollen::Result<std::string> r = pollen::block_on(pollen::fs::read_file(p));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.value() == data);  // not EXPECT_EQ: 5 MB in a failure message
}

TEST_F(Fs, ReadsAFileWhoseSizeIsNotKnownInAdvance) {
  // /proc files say st_size 0 and are read until read() returns 0.
  pollen::Result<std::string> r = pollen::block_on(pollen::fs::read_file("/proc/self/status"));
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r.value().find("Name:"), std::string::npos);
}

TEST_F(Fs, RunsOnAnEventLoopToo) {
  std::string p = path("loop.txt");
  pollen::EventLoop loop;
  ASSERT_TRUE(loop.block_on(pollen::fs::write_file(p, "on the loop")).ok());
  EXPECT_EQ(loop.block_on(pollen::fs::read_file(p)).value(), "on the loop");
}

TEST_F(Fs, TheFirstPollIsAlwaysPendingThenOneWakeAndReady) {
  std::string p = path("two_polls.txt");
  put(p, "abc");
  auto t = pollen::test::test_task(pollen::fs::read_file(p));
  // Even when the thread is already done, the first poll is Pending: two
  // polls and one wake, whatever the thread's speed.
  EXPECT_TRUE(t.poll().is_pending());
  while (!t.is_woken()) std::this_thread::yield();
  pollen::Poll<pollen::Result<std::string>> r = t.poll();
  ASSERT_TRUE(r.is_ready());
  EXPECT_EQ(r.value().value(), "abc");
  EXPECT_EQ(t.polls(), 2u);
  EXPECT_EQ(t.wake_count(), 1u);
}

TEST_F(Fs, DescribesTheOperationAndItsPath) {
  std::string p = path("described.txt");
  put(p, "x");
  auto t = pollen::test::test_task(pollen::fs::read_file(p));
  EXPECT_EQ(t.describe(), "fs::read_file(\"" + p + "\") [state: Running (on a worker thread)]\n");
  drive(t);
  EXPECT_EQ(t.describe(), "fs::read_file(\"" + p + "\") [state: Done]\n");
  auto w = pollen::test::test_task(pollen::fs::write_file(p, "y"));
  EXPECT_EQ(w.describe(), "fs::write_file(\"" + p + "\") [state: Running (on a worker thread)]\n");
  drive(w);
}

TEST_F(Fs, PollingAfterReadyIsAContractError) {
  std::string p = path("twice.txt");
  put(p, "x");
  auto t = pollen::test::test_task(pollen::fs::read_file(p));
  drive(t);
  EXPECT_CONTRACT_ERROR((void)t.poll(), "fs::read_file polled after it returned Ready");
}

TEST_F(Fs, DroppedAfterAPollTheThreadFinishesAndLetsGoOfTheWaker) {
  std::string p = path("dropped.bin");
  put(p, pattern(2 * 1024 * 1024));
  pollen::test::CountingWaker waker;
  const std::size_t refs = waker.ref_count();
  {
    pollen::fs::ReadFile f = pollen::fs::read_file(p);
    pollen::Context cx(waker.waker());
    EXPECT_TRUE(f.poll(cx).is_pending());
  }  // dropped mid-read: the thread reads on, then discards the bytes
  // The thread's wake consumes the clone it held; the result is freed there
  // (ASan reports a leak or a use after free otherwise).
  while (waker.ref_count() != refs) std::this_thread::yield();
  EXPECT_EQ(waker.wakes(), 1u);
}

TEST_F(Fs, ManyDroppedBeforeTheirFirstPollLoseNothingElse) {
  std::string p = path("many.bin");
  const std::string data = pattern(256 * 1024);
  put(p, data);
  for (int i = 0; i < 64; ++i) {
    pollen::fs::ReadFile f = pollen::fs::read_file(p);
    (void)f;
  }
  // Writes dropped before a poll still happen (the job was submitted).
  std::string q = path("written_after_drop.txt");
  { pollen::fs::WriteFile w = pollen::fs::write_file(q, "written"); }
  for (;;) {
    pollen::Result<std::string> w = pollen::block_on(pollen::fs::read_file(q));
    if (w.ok() && w.value() == "written") break;
    std::this_thread::yield();
  }
  pollen::Result<std::string> r = pollen::block_on(pollen::fs::read_file(p));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.value() == data);
}

TEST_F(Fs, AMovedFromFutureIsDone) {
  std::string p = path("moved.txt");
  put(p, "moved");
  pollen::fs::ReadFile a = pollen::fs::read_file(p);
  pollen::fs::ReadFile b(std::move(a));
  EXPECT_EQ(pollen::block_on(std::move(b)).value(), "moved");
}

}  // namespace
