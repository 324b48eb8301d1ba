// docs/examples/some_task.hpp: the blog post's `some_task`, desugared by hand.
//
// The async function it stands for:
//
//   async fn some_task(io) -> usize {
//       let greeting = do_some_work();             // Step1
//       let text = io.read_file("notes.txt").await; // FileIO: waits for the disk
//       let words = do_more_work(greeting, text);   // Step2 ...
//       let extra = io.something_else().await;      // ... waits for something else
//       words + extra                               // Done
//   }
//
// An async function becomes a state machine with one state per await point.
// The struct below is that machine written by hand: `state_` says where the
// function is suspended, and each state keeps only what it needs to go on
// (the future it is waiting for, the locals that live across the await).
//
// The file read is real: pollen::fs::read_file, which reads the file on a
// blocking-pool thread and wakes the task when it is done. "Something else"
// is a stand-in that the driver (a test, the tour) completes by hand.
#pragma once

#include <pollen/pollen.hpp>

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

namespace example {

// A stand-in for an I/O driver: an operation that completes when somebody
// calls complete(). Its future returns Pending (keeping the waker) until then.
template <class T>
struct IoSlot {
  pollen::Option<T> value;  // set by complete()
  pollen::Waker waker;      // the waker of the last poll
  void complete(T v) {
    value = std::move(v);
    waker.wake();
  }
};

template <class T>
class IoFuture {
 public:
  using Output = T;
  explicit IoFuture(std::shared_ptr<IoSlot<T>> slot) : slot_(std::move(slot)) {}
  pollen::Poll<T> poll(pollen::Context& cx) {
    if (slot_->value.has_value()) return std::move(slot_->value).value();
    slot_->waker = cx.waker();  // remember whom to wake
    return pollen::pending;
  }
  void describe(pollen::Describer& d) const {
    d.node("IoFuture", slot_->value.has_value() ? "completed" : "waiting for I/O");
  }

 private:
  std::shared_ptr<IoSlot<T>> slot_;
};

// The I/O the task uses: files under `dir`, read for real, and "something
// else", which the driver completes.
struct Io {
  std::string dir;  // where read_file() looks
  std::shared_ptr<IoSlot<int>> other = std::make_shared<IoSlot<int>>();
  std::vector<std::string> log;  // what the task did, in order

  explicit Io(std::string d) : dir(std::move(d)) {}

  pollen::fs::ReadFile read_file(const std::string& name) {
    log.push_back("read_file(" + name + ") started");
    return pollen::fs::read_file(dir + "/" + name);
  }
  IoFuture<int> something_else() {
    log.push_back("something_else() started");
    return IoFuture<int>(other);
  }
};

// A temporary directory holding notes.txt, removed when destroyed.
class NotesDir {
 public:
  explicit NotesDir(const std::string& notes) {
    const char* base = std::getenv("TMPDIR");
    path_ = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/pollen-notes-XXXXXX";
    if (::mkdtemp(&path_[0]) == nullptr) std::abort();
    std::FILE* f = std::fopen(file().c_str(), "w");
    if (f == nullptr || std::fwrite(notes.data(), 1, notes.size(), f) != notes.size()) std::abort();
    std::fclose(f);
  }
  NotesDir(const NotesDir&) = delete;
  NotesDir& operator=(const NotesDir&) = delete;
  ~NotesDir() {
    ::unlink(file().c_str());
    ::rmdir(path_.c_str());
  }
  const std::string& path() const { return path_; }
  std::string file() const { return path_ + "/notes.txt"; }

 private:
  std::string path_;
};

// A waker that lets a driver thread sleep until somebody wakes it (here: the
// blocking-pool thread that finished the read).
class WakeFlag final : public pollen::ArcWake {
 public:
  void on_wake() noexcept override {
    std::lock_guard<std::mutex> lock(mu_);
    woken_ = true;
    cv_.notify_all();
  }
  // Returns after the next wake (or at once if one came since the last wait).
  void wait() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return woken_; });
    woken_ = false;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool woken_ = false;
};

// `text` with every occurrence of `dir` shown as an ellipsis (temporary directories
// have random names; printed trees should not).
inline std::string hide_dir(std::string text, const std::string& dir) {
  for (std::size_t at = text.find(dir); at != std::string::npos; at = text.find(dir, at + 3)) {
    text.replace(at, dir.size(), "\u2026");
  }
  return text;
}

class SomeTask {
 public:
  using Output = std::size_t;
  enum class State { Step1, FileIO, Step2, Done };

  explicit SomeTask(Io& io) : io_(&io) {}

  pollen::Poll<std::size_t> poll(pollen::Context& cx) {
    for (;;) {
      switch (state_) {
        case State::Step1: {
          // Runs synchronously up to the first await.
          greeting_ = "hello";
          io_->log.push_back("step 1: did some work");
          file_io_.emplace(io_->read_file("notes.txt"));
          state_ = State::FileIO;
          break;  // and poll the read right away
        }
        case State::FileIO: {
          pollen::Poll<pollen::Result<std::string>> text = file_io_->poll(cx);
          if (text.is_pending()) return pollen::pending;  // suspended at await #1
          file_io_.reset();
          // A file that cannot be read (text.value().error()) counts as empty.
          words_ = count_words(greeting_ + " " + text.value().value_or(std::string()));
          io_->log.push_back("step 2: counted " + std::to_string(words_) + " words");
          other_.emplace(io_->something_else());
          state_ = State::Step2;
          break;
        }
        case State::Step2: {
          pollen::Poll<int> extra = other_->poll(cx);
          if (extra.is_pending()) return pollen::pending;  // suspended at await #2
          other_.reset();
          state_ = State::Done;
          io_->log.push_back("done");
          return words_ + static_cast<std::size_t>(extra.value());
        }
        case State::Done:
          pollen::detail::polled_after_ready("SomeTask");
      }
    }
  }

  State state() const { return state_; }

  void describe(pollen::Describer& d) const {
    static const char* const names[] = {"Step1", "FileIO", "Step2", "Done"};
    d.node("SomeTask", std::string("state: ") + names[static_cast<int>(state_)]);
    if (state_ == State::FileIO) d.child(*file_io_);
    if (state_ == State::Step2) d.child(*other_);
  }

 private:
  static std::size_t count_words(const std::string& s) {
    std::size_t n = 0;
    bool in_word = false;
    for (char c : s) {
      bool space = c == ' ' || c == '\n' || c == '\t';
      if (!space && !in_word) ++n;
      in_word = !space;
    }
    return n;
  }

  Io* io_;
  State state_ = State::Step1;
  std::string greeting_;                         // valid from Step1 to FileIO
  pollen::Option<pollen::fs::ReadFile> file_io_;  // valid in State::FileIO
  std::size_t words_ = 0;                        // valid in State::Step2
  pollen::Option<IoFuture<int>> other_;          // valid in State::Step2
};

}  // namespace example
