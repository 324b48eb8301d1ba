// pollen/io/fs.hpp: fs::read_file(path) and fs::write_file(path, data),
// whole-file I/O that does not stall the event loop.
//
// Example:
//
//   pollen::fs::ReadFile r = pollen::fs::read_file("notes.txt");
//   // a future of Result<std::string>: the file's bytes, or the errno of
//   // the open() or read() that failed (ENOENT, EACCES, EISDIR, ...)
//   pollen::fs::WriteFile w = pollen::fs::write_file("out.txt", std::move(text));
//   // a future of Result<Unit>: every byte written and the file closed, or
//   // the errno of the call that failed (ENOSPC, EACCES, ...)
//
// Why a thread: epoll (and poll(2)) report a regular file as always ready,
// and a read() of it blocks in the kernel until the disk answers, so there
// is no readiness to wait for. Like tokio::fs, both functions run the
// blocking calls on the blocking pool of spawn_blocking()
// (runtime/spawn_blocking.hpp) and wake the task when they return.
//
// No loop argument: the blocking pool is one per process, not per loop, and
// the future reaches its task through the waker in the Context of each poll,
// like every pollen future. So read_file works on any EventLoop, under
// block_on(), or polled by hand.
//
// State diagram (both futures):
//
//   Submitted --first poll--> Waiting --poll, the thread is done--> Done
//      |  (always Pending: woken      |  (Pending until the thread
//      |   at once if the thread was  |   returns and wakes the task)
//      |   already done)              |
//      +-------------- drop ----------+--> the thread runs on; its result
//                                          is destroyed on that thread
//
// The blocking job is submitted when read_file() / write_file() is called,
// not at the first poll (as with spawn_blocking). The first poll always
// returns Pending (waking the task at once when the thread has already
// finished), so a task that reads a file always yields to its loop once and
// the number of polls does not depend on the thread's speed: exactly two
// polls and one wake per operation.
//
// Output:
//   read_file:  Result<std::string>, the whole file (any file that read()
//               can read to its end: regular files, /proc files, pipes).
//   write_file: Result<Unit>. The file is created (mode 0666 less the umask)
//               or truncated, then written in full: a short write is retried,
//               so success means every byte was written; the bytes written
//               are data.size(), which is why no count is returned. Not
//               atomic: a reader may see a partial file, and an error may
//               leave one (write to a temporary name and rename(2) for that).
// Errors: values (std::error_code, std::generic_category, the errno), never
// exceptions: all of this works with -fno-exceptions. A directory gives
// EISDIR. Running out of memory is not an error value (it aborts, or throws
// std::bad_alloc from the poll when exceptions are on).
// Cancellation: the system calls cannot be interrupted. Dropping the future
// while it is Pending lets the thread finish the open/read/write/close; the
// result is then discarded on that thread.
//   read_file is cancel safe (is_cancel_safe is true): it consumes nothing,
//   and reading the file again gives the same bytes.
//   write_file is not (is_cancel_safe is false): the file is still written,
//   after the drop, and whether that worked (or which error it met) is lost
//   with the future. select() warns when it drops one that had started.
// Contract errors: polling after Ready.
// Threads: the future may be polled from any one thread at a time.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/context.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/poll.hpp>
#include <pollen/core/poll_observer.hpp>
#include <pollen/core/result.hpp>
#include <pollen/core/unit.hpp>
#include <pollen/future/future_ext.hpp>
#include <pollen/runtime/spawn_blocking.hpp>

#include <string>
#include <utility>

POLLEN_NAMESPACE_BEGIN
namespace fs {
namespace detail {

// The blocking halves (src/io/fs.cpp), run on a blocking-pool thread.
Result<std::string> read_file_blocking(const std::string& path);
Result<Unit> write_file_blocking(const std::string& path, const std::string& data);

struct ReadFileCall {
  std::string path;
  Result<std::string> operator()() const { return read_file_blocking(path); }
  static const char* name() noexcept { return "fs::read_file"; }
  static constexpr bool cancel_safe = true;  // nothing is consumed
};
struct WriteFileCall {
  std::string path;
  std::string data;
  Result<Unit> operator()() const { return write_file_blocking(path, data); }
  static const char* name() noexcept { return "fs::write_file"; }
  static constexpr bool cancel_safe = false;  // the outcome is lost with the future
};

}  // namespace detail

// The future of read_file() (Call = ReadFileCall) and write_file()
// (Call = WriteFileCall). It holds its own copy of the path, for describe().
template <class Call>
class POLLEN_NODISCARD_TYPE FileOp : public FutureExt<FileOp<Call>> {
  using Job = pollen::detail::BlockingJobImpl<Call>;

 public:
  using Output = typename Job::T;
  // read_file: true; write_file: false (see the header comment).
  static constexpr bool is_cancel_safe = Call::cancel_safe;
  enum class State { Submitted, Waiting, Done };

  FileOp(std::string path, Call call) : path_(std::move(path)), job_(new Job(std::move(call))) {
    pollen::detail::submit_blocking(job_);
  }
  FileOp(FileOp&& o) noexcept : path_(std::move(o.path_)), job_(o.job_), state_(o.state_) {
    o.job_ = nullptr;
    o.state_ = State::Done;
  }
  FileOp& operator=(FileOp&&) = delete;
  ~FileOp() {
    if (job_ != nullptr) job_->release();  // the thread keeps its own reference
  }

  Poll<Output> poll(Context& cx) {
    pollen::detail::observe_poll(cx, this);
    if (state_ == State::Done || job_ == nullptr) pollen::detail::polled_after_ready(Call::name());
    bool done = job_->poll_done(cx.waker());
    if (state_ == State::Submitted) {
      state_ = State::Waiting;
      if (done) cx.waker().wake_by_ref();  // the thread will not wake us: it is done
      return pending;
    }
    if (!done) return pending;
    state_ = State::Done;
    Job* job = job_;
    job_ = nullptr;
    struct Release {
      Job* j;
      ~Release() { j->release(); }
    } release{job};
    return job->take();
  }

  // fs::read_file("notes.txt") [state: Running (on a worker thread)]
  void describe(Describer& d) const {
    d.node(std::string(Call::name()) + "(\"" + path_ + "\")",
           state_ == State::Done ? "state: Done" : "state: Running (on a worker thread)");
  }

 private:
  std::string path_;
  Job* job_;  // null once Done
  State state_ = State::Submitted;
};

using ReadFile = FileOp<detail::ReadFileCall>;
using WriteFile = FileOp<detail::WriteFileCall>;

// Reads the whole file at `path` on the blocking pool: a future of
// Result<std::string>.
POLLEN_NODISCARD inline ReadFile read_file(std::string path) {
  detail::ReadFileCall call{path};
  return ReadFile(std::move(path), std::move(call));
}

// Creates or truncates the file at `path` and writes `data` to it, on the
// blocking pool: a future of Result<Unit>.
POLLEN_NODISCARD inline WriteFile write_file(std::string path, std::string data) {
  detail::WriteFileCall call{path, std::move(data)};
  return WriteFile(std::move(path), std::move(call));
}

}  // namespace fs
POLLEN_NAMESPACE_END
