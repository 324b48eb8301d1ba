// The poll timeline (EventLoop::trace_to and the three sinks) and the
// slow-poll detector. Every test counts events; none depends on timing (the
// slow-poll tests use a 1 ns threshold and a poll that spins for several
// microseconds).
#include <pollen/core/lazy.hpp>
#include <pollen/core/poll_fn.hpp>
#include <pollen/runtime/event_loop.hpp>
#include <pollen/runtime/trace.hpp>
#include <pollen/sync/oneshot.hpp>
#include <pollen/time/sleep.hpp>

#include "alloc_counter.hpp"
#include "runtime_support.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using pollen::Context;
using pollen::EventLoop;
using pollen::Poll;
using pollen::TraceEvent;
using pollen::TraceKind;
using pollen::Unit;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

namespace {

// Keeps every event as one short line: "poll-end #1 Pending", "wake #1 by task #2".
class RecordingSink final : public pollen::TraceSink {
 public:
  std::vector<std::string> lines;
  std::vector<TraceEvent> events;
  int finishes = 0;
  void record(const TraceEvent& e) override {
    events.push_back(e);
    std::string s = std::string(pollen::to_string(e.kind)) + " #" + std::to_string(e.task);
    switch (e.kind) {
      case TraceKind::Spawn:
        if (e.task_name[0] != '\0') s += std::string(" ") + e.task_name;
        break;
      case TraceKind::PollEnd: s += std::string(" ") + pollen::to_string(e.outcome); break;
      case TraceKind::Wake:
        s += std::string(" by ") + pollen::to_string(e.source);
        if (e.source == pollen::WakeSource::Task) s += " #" + std::to_string(e.source_task);
        break;
      default: break;
    }
    lines.push_back(s);
  }
  void finish() override { ++finishes; }
};

// Opens a gate (waking its task) and is Ready.
struct Opener {
  using Output = Unit;
  std::shared_ptr<rt::GateState> gate;
  Poll<Unit> poll(Context&) {
    gate->open_and_wake();
    return Unit{};
  }
};

// Spins for `spin` in each poll; Pending on the first poll (woken at once),
// Ready on the second.
struct Busy {
  using Output = Unit;
  std::chrono::microseconds spin;
  int step = 0;
  Poll<Unit> poll(Context& cx) {
    const auto until = std::chrono::steady_clock::now() + spin;
    while (std::chrono::steady_clock::now() < until) {
    }
    if (++step == 2) return Unit{};
    cx.waker().wake();
    return pollen::pending;
  }
  void describe(pollen::Describer& d) const { d.node("Busy", "step " + std::to_string(step)); }
};

// A ping-pong of `rounds` round trips between two gates' tasks, as a workload
// whose events are all polls and wakes between tasks.
struct PingPongSlot {
  bool full = false;
  pollen::Waker waiter;
};
struct Player {
  using Output = Unit;
  PingPongSlot* in;
  PingPongSlot* out;
  int rounds;    // receives before it is Ready
  bool serve;    // send before the next receive
  bool replies;  // answers every receive (pong), or serves only while rounds remain (ping)
  int received = 0;
  Poll<Unit> poll(Context& cx) {
    for (;;) {
      if (serve) {
        serve = false;
        out->full = true;
        out->waiter.wake();
      }
      if (received == rounds) return Unit{};
      if (!in->full) {
        if (!in->waiter.will_wake(cx.waker())) in->waiter = cx.waker();
        return pollen::pending;
      }
      in->full = false;
      ++received;
      serve = replies || received < rounds;
    }
  }
};
void ping_pong(EventLoop& loop, int rounds) {
  PingPongSlot ab, ba;
  loop.spawn("ping", Player{&ba, &ab, rounds, true, false}).detach();
  loop.spawn("pong", Player{&ab, &ba, rounds, false, true}).detach();
  loop.run();
}

// Gives every event to two sinks.
class TeeSink final : public pollen::TraceSink {
 public:
  TeeSink(pollen::TraceSink& a, pollen::TraceSink& b) : a_(a), b_(b) {}
  void record(const TraceEvent& e) override {
    a_.record(e);
    b_.record(e);
  }
  void finish() override {
    a_.finish();
    b_.finish();
  }

 private:
  pollen::TraceSink& a_;
  pollen::TraceSink& b_;
};

// Wakes between tasks of both kinds: #2 awaits #1's JoinHandle (woken when
// #1 completes, in #1's last poll), #3 awaits a oneshot that #4 sends on
// (woken during #4's poll). #1 yields once first, so #2 waits for it.
void wakes_between_tasks(EventLoop& loop) {
  auto worker = loop.spawn("worker", Busy{std::chrono::microseconds(0)});  // #1
  loop.spawn("awaiter", std::move(worker)).detach();                       // #2
  auto ch = pollen::oneshot<int>();
  loop.spawn("receiver", std::move(ch.second)).detach();  // #3
  loop.spawn("sender", pollen::lazy([tx = std::move(ch.first)]() mutable {
              (void)tx.send(7);
              return Unit{};
            }))
      .detach();  // #4
  loop.run();
}

// One event of a Chrome trace (the sink writes one per line).
struct ChromeEvent {
  std::string ph;
  long long tid = -1;
  long long ts_ns = -1;   // "ts" in ns (the sink writes microseconds with 3 decimals)
  long long dur_ns = -1;  // "X" only
  long long id = -1;      // flows only
};
// The raw value of "key": in a one-line JSON object.
std::string json_field(const std::string& line, const std::string& key) {
  const std::string tag = "\"" + key + "\":";
  const std::size_t at = line.find(tag);
  if (at == std::string::npos) return std::string();
  std::size_t begin = at + tag.size(), end = begin;
  if (line[begin] == '"') {
    ++begin;
    end = line.find('"', begin);
  } else {
    end = line.find_first_of(",}", begin);
  }
  return line.substr(begin, end - begin);
}
long long micros_to_ns(const std::string& v) {
  if (v.empty()) return -1;
  std::string digits;
  for (char c : v) {
    if (c != '.') digits += c;
  }
  return std::atoll(digits.c_str());
}
std::vector<ChromeEvent> chrome_events(const std::string& json) {
  std::vector<ChromeEvent> out;
  std::size_t start = 0;
  while (start < json.size()) {
    std::size_t end = json.find('\n', start);
    if (end == std::string::npos) end = json.size();
    const std::string line = json.substr(start, end - start);
    start = end + 1;
    if (line.find("{\"ph\":") == std::string::npos) continue;
    ChromeEvent e;
    e.ph = json_field(line, "ph");
    const std::string tid = json_field(line, "tid"), id = json_field(line, "id");
    if (!tid.empty()) e.tid = std::atoll(tid.c_str());
    if (!id.empty()) e.id = std::atoll(id.c_str());
    e.ts_ns = micros_to_ns(json_field(line, "ts"));
    e.dur_ns = micros_to_ns(json_field(line, "dur"));
    out.push_back(e);
  }
  return out;
}

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

// A minimal JSON validator: true when `s` is exactly one JSON value.
class JsonChecker {
 public:
  explicit JsonChecker(const std::string& s) : s_(s) {}
  bool valid() {
    ws();
    if (!value()) return false;
    ws();
    return i_ == s_.size();
  }

 private:
  bool value() {
    if (i_ >= s_.size()) return false;
    const char c = s_[i_];
    if (c == '{') return object();
    if (c == '[') return array();
    if (c == '"') return string();
    if (c == '-' || (c >= '0' && c <= '9')) return number();
    return literal("true") || literal("false") || literal("null");
  }
  bool object() {
    ++i_;
    ws();
    if (peek('}')) return ++i_, true;
    for (;;) {
      ws();
      if (!string()) return false;
      ws();
      if (!peek(':')) return false;
      ++i_;
      ws();
      if (!value()) return false;
      ws();
      if (peek('}')) return ++i_, true;
      if (!peek(',')) return false;
      ++i_;
    }
  }
  bool array() {
    ++i_;
    ws();
    if (peek(']')) return ++i_, true;
    for (;;) {
      ws();
      if (!value()) return false;
      ws();
      if (peek(']')) return ++i_, true;
      if (!peek(',')) return false;
      ++i_;
    }
  }
  bool string() {
    if (!peek('"')) return false;
    for (++i_; i_ < s_.size(); ++i_) {
      const unsigned char c = static_cast<unsigned char>(s_[i_]);
      if (c < 0x20) return false;
      if (c == '\\') {
        ++i_;
        if (i_ >= s_.size()) return false;
        if (s_[i_] == 'u') {
          if (i_ + 4 >= s_.size()) return false;
          i_ += 4;
        } else if (std::string("\"\\/bfnrt").find(s_[i_]) == std::string::npos) {
          return false;
        }
      } else if (c == '"') {
        ++i_;
        return true;
      }
    }
    return false;
  }
  bool number() {
    const std::size_t start = i_;
    if (peek('-')) ++i_;
    while (i_ < s_.size() && std::string("0123456789.eE+-").find(s_[i_]) != std::string::npos) ++i_;
    return i_ > start && s_[i_ - 1] >= '0' && s_[i_ - 1] <= '9';
  }
  bool literal(const char* word) {
    const std::string w(word);
    if (s_.compare(i_, w.size(), w) != 0) return false;
    i_ += w.size();
    return true;
  }
  bool peek(char c) const { return i_ < s_.size() && s_[i_] == c; }
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r'))
      ++i_;
  }
  const std::string& s_;
  std::size_t i_ = 0;
};

// ---- The event sequence ------------------------------------------------------

TEST(Trace, RecordsSpawnPollsAWakeByAnotherTaskAndCompletion) {
  EventLoop loop;
  RecordingSink sink;
  loop.trace_to(&sink);
  auto g = rt::gate(7);
  loop.spawn("waiter", std::move(g.second)).detach();  // #1
  loop.spawn("opener", Opener{g.first}).detach();      // #2
  loop.run();
  EXPECT_THAT(sink.lines, ElementsAre("spawn #1 waiter", "spawn #2 opener",    //
                                      "poll-begin #1", "poll-end #1 Pending",  //
                                      "poll-begin #2", "wake #1 by task #2",   //
                                      "poll-end #2 Ready", "complete #2",      //
                                      "poll-begin #1", "poll-end #1 Ready", "complete #1"));
  // Names, and time that never goes back.
  ASSERT_EQ(sink.events.size(), 11u);
  for (std::size_t i = 1; i < sink.events.size(); ++i) {
    EXPECT_GE(sink.events[i].time_ns, sink.events[i - 1].time_ns);
  }
  EXPECT_EQ(sink.events[0].time_ns >= 0, true);
  EXPECT_EQ(sink.finishes, 0);  // the loop never finishes a sink it still has
}

// A wake by another task is recorded during the poll of the task that caused
// it, also when that task's completion causes it (its JoinHandle's wake):
// before the poll's PollEnd, so the Chrome trace's flow binds to that poll.
TEST(Trace, EveryWakeByAnotherTaskFallsInsideThePollThatCausedIt) {
  EventLoop loop;
  RecordingSink sink;
  loop.trace_to(&sink);
  wakes_between_tasks(loop);
  EXPECT_THAT(sink.lines,
              ElementsAre("spawn #1 worker", "spawn #2 awaiter", "spawn #3 receiver",
                          "spawn #4 sender",                                            //
                          "poll-begin #1", "wake #1 by task #1", "poll-end #1 Pending",  //
                          "poll-begin #2", "poll-end #2 Pending",                        //
                          "poll-begin #3", "poll-end #3 Pending",                        //
                          "poll-begin #4", "wake #3 by task #4", "poll-end #4 Ready",    //
                          "complete #4",                                                 //
                          "poll-begin #1", "wake #2 by task #1", "poll-end #1 Ready",    //
                          "complete #1",                                                 //
                          "poll-begin #3", "poll-end #3 Ready", "complete #3",           //
                          "poll-begin #2", "poll-end #2 Ready", "complete #2"));
}

TEST(Trace, AbortIsRecordedAsCancel) {
  EventLoop loop;
  RecordingSink sink;
  loop.trace_to(&sink);
  auto g = rt::gate();
  auto h = loop.spawn(std::move(g.second));
  loop.run_until_stalled();
  h.abort();
  loop.run_until_stalled();
  EXPECT_THAT(sink.lines,
              ElementsAre("spawn #1", "poll-begin #1", "poll-end #1 Pending", "cancel #1"));
}

TEST(Trace, ATimerWakeOnAVirtualClockComesFromTheTimer) {
  EventLoop loop(pollen::ClockKind::Virtual);
  RecordingSink sink;
  loop.trace_to(&sink);
  loop.spawn("sleeper", pollen::sleep(loop.timer_driver(), std::chrono::milliseconds(10))).detach();
  loop.run_until_stalled();
  EXPECT_EQ(loop.advance(std::chrono::milliseconds(10)), 1u);
  loop.run_until_stalled();
  EXPECT_THAT(sink.lines,
              ElementsAre("spawn #1 sleeper", "poll-begin #1", "poll-end #1 Pending",
                          "wake #1 by timer", "poll-begin #1", "poll-end #1 Ready", "complete #1"));
}

TEST(Trace, WakesFromAnotherThreadAndFromTheLoopThreadBetweenTurns) {
  EventLoop loop;
  RecordingSink sink;
  loop.trace_to(&sink);
  auto g = rt::gate();
  loop.spawn(std::move(g.second)).detach();
  loop.run_until_stalled();
  std::thread t([s = g.first] { s->waker.wake(); });
  t.join();
  loop.run_until_stalled();  // recorded here, when the loop takes the wake
  g.first->open_and_wake();  // this thread, outside any turn
  loop.run_until_stalled();
  EXPECT_THAT(sink.lines,
              ElementsAre("spawn #1", "poll-begin #1", "poll-end #1 Pending",
                          "wake #1 by other-thread", "poll-begin #1", "poll-end #1 Pending",
                          "wake #1 by loop", "poll-begin #1", "poll-end #1 Ready", "complete #1"));
}

TEST(Trace, ASelfWakeNamesTheTaskItself) {
  EventLoop loop;
  RecordingSink sink;
  loop.trace_to(&sink);
  loop.spawn(Busy{std::chrono::microseconds(0)}).detach();
  loop.run();
  EXPECT_THAT(sink.lines,
              ElementsAre("spawn #1", "poll-begin #1", "wake #1 by task #1", "poll-end #1 Pending",
                          "poll-begin #1", "poll-end #1 Ready", "complete #1"));
}

#if POLLEN_HAS_EXCEPTIONS
TEST(Trace, APollThatThrowsEndsWithThrew) {
  EventLoop loop;
  loop.set_unhandled_exception_handler([](const char*, std::exception_ptr) {});
  RecordingSink sink;
  loop.trace_to(&sink);
  loop.spawn("fragile", pollen::lazy([]() -> int { throw std::runtime_error("boom"); })).detach();
  loop.run();
  EXPECT_THAT(sink.lines,
              ElementsAre("spawn #1 fragile", "poll-begin #1", "poll-end #1 Threw", "complete #1"));
}
#endif

TEST(Trace, OffRecordsNothingAndLiveTasksAppearFromTheirNextEvent) {
  EventLoop loop;
  RecordingSink sink;
  auto g = rt::gate();
  loop.spawn("early", std::move(g.second)).detach();
  loop.run_until_stalled();  // before tracing: nothing
  loop.trace_to(&sink);
  g.first->open_and_wake();
  loop.run_until_stalled();
  EXPECT_THAT(sink.lines,
              ElementsAre("wake #1 by loop", "poll-begin #1", "poll-end #1 Ready", "complete #1"));
  loop.trace_to(nullptr);
  EXPECT_EQ(sink.finishes, 1);  // the replaced sink is finished
  EXPECT_EQ(loop.trace_sink(), nullptr);
  ping_pong(loop, 10);
  EXPECT_EQ(sink.lines.size(), 4u);  // off: no more events
}

TEST(Trace, TheLoopsDestructorRecordsNothing) {
  RecordingSink sink;
  {
    EventLoop loop;
    loop.trace_to(&sink);
    auto g = rt::gate();
    loop.spawn(std::move(g.second)).detach();
    loop.run_until_stalled();
  }  // cancels the task: not recorded (the sink could be gone)
  EXPECT_THAT(sink.lines, ElementsAre("spawn #1", "poll-begin #1", "poll-end #1 Pending"));
  EXPECT_EQ(sink.finishes, 0);
}

// ---- Sinks -------------------------------------------------------------------

TEST(TextTraceSink, WritesOneReadableLinePerEvent) {
  EventLoop loop;
  std::string text;
  pollen::TextTraceSink sink(&text);
  loop.trace_to(&sink);
  auto g = rt::gate(7);
  loop.spawn("waiter", std::move(g.second)).detach();
  loop.spawn("opener", Opener{g.first}).detach();
  loop.run();
  EXPECT_EQ(count(text, "\n"), 11u) << text;
  EXPECT_THAT(text, HasSubstr(" ms  #1 waiter       spawn\n"));
  EXPECT_THAT(text, HasSubstr("#1 waiter       poll -> Pending  ("));
  EXPECT_THAT(text, HasSubstr("#1 waiter       woken by task #2\n"));
  EXPECT_THAT(text, HasSubstr("#2 opener       complete\n"));
}

TEST(TextTraceSink, WritingToAFileAllocatesNothingPerEvent) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  std::fputs("warm-up: stdio allocates its buffer at the first write\n", f);
  EventLoop loop;
  pollen::TextTraceSink sink(f);
  ping_pong(loop, 3);  // warm-up (first spawns, growth of the loop's lists)

  pollen::test::AllocCounter untraced;
  ping_pong(loop, 200);
  const std::size_t without = untraced.allocations();

  loop.trace_to(&sink);
  const long before = std::ftell(f);
  pollen::test::AllocCounter traced;
  ping_pong(loop, 200);
  const std::size_t with = traced.allocations();
  loop.trace_to(nullptr);
  EXPECT_GT(std::ftell(f), before + 200 * 4 * 20);  // ~800 events were written
  EXPECT_EQ(with, without);  // the two spawns' blocks only: nothing per event
  std::fclose(f);
}

TEST(ChromeTraceSink, WritesWellFormedJsonWithALanePerTask) {
  std::string json;
  {
    EventLoop loop;
    pollen::ChromeTraceSink sink(&json);
    loop.trace_to(&sink);
    auto g = rt::gate(7);
    loop.spawn("say \"hi\"\\n", std::move(g.second)).detach();  // a name to escape
    loop.spawn("opener", Opener{g.first}).detach();
    loop.spawn(Busy{std::chrono::microseconds(0)}).detach();
    loop.run();
    EXPECT_EQ(loop.stats().polls, 5u);
    EXPECT_TRUE(json.empty() || json.back() != '\n');  // not closed yet
    loop.trace_to(nullptr);                            // finish(): closes it
  }
  EXPECT_TRUE(JsonChecker(json).valid()) << json;
  EXPECT_THAT(json, HasSubstr(R"({"name":"#1 say \"hi\"\\n"})"));
  EXPECT_THAT(json, HasSubstr(R"("tid":2,"name":"thread_name","args":{"name":"#2 opener"})"));
  EXPECT_THAT(json, HasSubstr(R"("tid":3,"name":"thread_name","args":{"name":"#3"})"));
  EXPECT_EQ(count(json, R"("ph":"X")"), 5u);  // a slice per poll
  EXPECT_EQ(count(json, R"("name":"poll: Ready")"), 3u);
  EXPECT_EQ(count(json, R"("ph":"s")"), 1u);  // the flow of the wake by #2 (not the self-wake)
  EXPECT_EQ(count(json, R"("ph":"f")"), 1u);
  EXPECT_EQ(count(json, R"("name":"complete")"), 3u);
}

// Each wake by another task is a flow: "s" on the waker's lane inside the
// slice of the poll that woke (Perfetto binds it to the enclosing slice) and
// "f" with the same id on the woken lane, before its next slice (it binds to
// that next slice). Both kinds: a JoinHandle's completion wake and a send.
TEST(ChromeTraceSink, EveryWakeByAnotherTaskIsAFlowFromInsideTheWakersSlice) {
  std::string json;
  RecordingSink recorded;
  {
    EventLoop loop;
    pollen::ChromeTraceSink chrome(&json);
    TeeSink tee(recorded, chrome);
    loop.trace_to(&tee);
    wakes_between_tasks(loop);
    loop.trace_to(nullptr);
  }
  ASSERT_TRUE(JsonChecker(json).valid()) << json;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> wakes;  // (waker, woken)
  for (const TraceEvent& e : recorded.events) {
    if (e.kind == TraceKind::Wake && e.source == pollen::WakeSource::Task &&
        e.source_task != e.task) {
      wakes.emplace_back(e.source_task, e.task);
    }
  }
  ASSERT_EQ(wakes.size(), 2u);  // #3 by #4 (the send), #2 by #1 (the JoinHandle)
  const std::vector<ChromeEvent> events = chrome_events(json);
  std::size_t starts = 0;
  for (const ChromeEvent& s : events) {
    if (s.ph != "s") continue;
    ++starts;
    SCOPED_TRACE("flow " + std::to_string(s.id) + " from #" + std::to_string(s.tid));
    bool in_slice = false;
    for (const ChromeEvent& x : events) {
      if (x.ph == "X" && x.tid == s.tid && x.ts_ns <= s.ts_ns && s.ts_ns <= x.ts_ns + x.dur_ns) {
        in_slice = true;
      }
    }
    EXPECT_TRUE(in_slice) << "the flow starts outside every poll of its lane:\n" << json;
    const ChromeEvent* f = nullptr;
    for (const ChromeEvent& e : events) {
      if (e.ph == "f" && e.id == s.id) f = &e;
    }
    ASSERT_NE(f, nullptr);
    bool waker_and_woken = false;
    for (const auto& w : wakes) {
      if (static_cast<long long>(w.first) == s.tid && static_cast<long long>(w.second) == f->tid) {
        waker_and_woken = true;
      }
    }
    EXPECT_TRUE(waker_and_woken);
    bool next_slice = false;
    for (const ChromeEvent& x : events) {
      if (x.ph == "X" && x.tid == f->tid && x.ts_ns >= f->ts_ns) next_slice = true;
    }
    EXPECT_TRUE(next_slice) << "no poll of the woken lane after the flow's end";
  }
  EXPECT_EQ(starts, wakes.size());
  EXPECT_EQ(count(json, R"("ph":"f")"), wakes.size());
}

TEST(ChromeTraceSink, WritesAFileAndAllocatesOnlyPerTask) {
  const std::string path = ::testing::TempDir() + "pollen_trace_test.json";
  EventLoop loop;
  ping_pong(loop, 3);  // warm-up
  {
    pollen::ChromeTraceSink sink(path);
    ASSERT_TRUE(sink.ok());
    pollen::test::AllocCounter untraced;
    ping_pong(loop, 300);
    const std::size_t without = untraced.allocations();
    loop.trace_to(&sink);
    pollen::test::AllocCounter traced;
    ping_pong(loop, 300);
    const std::size_t with = traced.allocations();
    loop.trace_to(nullptr);
    EXPECT_LE(with, without + 2);  // lanes, open polls: per task, not per event
  }
  std::FILE* f = std::fopen(path.c_str(), "rb");
  ASSERT_NE(f, nullptr);
  std::string json;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) json.append(buf, n);
  std::fclose(f);
  std::remove(path.c_str());
  EXPECT_TRUE(JsonChecker(json).valid());
  EXPECT_GE(count(json, R"("ph":"X")"), 600u);
}

TEST(SvgTraceSink, DrawsALanePerTaskAndABoxPerPoll) {
  std::string svg;
  {
    EventLoop loop(pollen::ClockKind::Virtual);
    pollen::SvgTraceSink sink(&svg);
    loop.trace_to(&sink);
    auto g = rt::gate(7);
    loop.spawn("waiter <1>", std::move(g.second)).detach();
    loop.spawn("opener", Opener{g.first}).detach();
    loop.spawn("sleeper", pollen::sleep(loop.timer_driver(), std::chrono::milliseconds(1)))
        .detach();
    auto aborted = loop.spawn("aborted", rt::gate().second);
    loop.run_until_stalled();
    aborted.abort();
    loop.advance(std::chrono::milliseconds(1));
    loop.run_until_stalled();
    EXPECT_EQ(loop.stats().polls, 6u);
  }  // the sink's destructor draws it
  EXPECT_EQ(svg.compare(0, 4, "<svg"), 0);
  EXPECT_THAT(svg, ::testing::EndsWith("</svg>\n"));
  EXPECT_EQ(count(svg, "<g class=\"lane\">"), 4u);
  EXPECT_EQ(count(svg, "class=\"poll "), 6u);
  EXPECT_EQ(count(svg, "class=\"poll ready\""), 3u);
  EXPECT_EQ(count(svg, "class=\"wake task\""), 1u);
  EXPECT_EQ(count(svg, "class=\"wake-arrow\""), 1u);
  EXPECT_EQ(count(svg, "class=\"wake timer\""), 1u);
  EXPECT_EQ(count(svg, "class=\"cancel\""), 1u);
  EXPECT_THAT(svg, HasSubstr("#1 waiter &lt;1&gt;"));
  EXPECT_EQ(count(svg, "<"), count(svg, ">"));
}

// The numeric attribute `name` of an SVG element's text, or `fallback`.
double svg_attr(const std::string& element, const std::string& name, double fallback = 0) {
  const std::string tag = " " + name + "=\"";
  const std::size_t at = element.find(tag);
  if (at == std::string::npos) return fallback;
  return std::atof(element.c_str() + at + tag.size());
}
// The characters of an SVG text's content (an entity such as &gt; is one).
std::size_t svg_text_length(const std::string& element) {
  const std::size_t open = element.find('>'), close = element.find("</text>");
  std::size_t n = 0;
  for (std::size_t i = open + 1; i < close; ++i) {
    if (element[i] == '&') i = element.find(';', i);
    ++n;
  }
  return n;
}
// The horizontal extent [min, max] of one drawn SVG element (<rect>,
// <circle>, <line>, <path> with M/m/l/h/v/z commands, <text>: left-anchored,
// or centred with text-anchor="middle", 0.6 em per character of the 12 px
// monospace font).
std::pair<double, double> svg_x_extent(const std::string& element) {
  const std::string kind = element.substr(1, element.find_first_of(" >") - 1);
  if (kind == "rect") {
    const double x = svg_attr(element, "x");
    return {x, x + svg_attr(element, "width")};
  }
  if (kind == "circle") {
    const double cx = svg_attr(element, "cx"), r = svg_attr(element, "r");
    return {cx - r, cx + r};
  }
  if (kind == "line") {
    const double x1 = svg_attr(element, "x1"), x2 = svg_attr(element, "x2");
    const double half = svg_attr(element, "stroke-width", 1) / 2;
    return {std::min(x1, x2) - half, std::max(x1, x2) + half};
  }
  if (kind == "text") {
    const double w = 7.2 * static_cast<double>(svg_text_length(element));
    const double x = svg_attr(element, "x");
    if (element.find("text-anchor=\"middle\"") != std::string::npos) return {x - w / 2, x + w / 2};
    return {x, x + w};
  }
  EXPECT_EQ(kind, "path") << element;
  const std::size_t d = element.find(" d=\"") + 4;
  const std::string path = element.substr(d, element.find('"', d) - d);
  double x = 0, lo = 1e9, hi = -1e9;
  const char* p = path.c_str();
  while (*p != '\0') {
    const char cmd = *p++;
    char* end = nullptr;
    switch (cmd) {
      case 'M':
      case 'm':
      case 'l': {
        const double dx = std::strtod(p, &end);
        p = end + 1;  // past the comma
        (void)std::strtod(p, &end);
        p = end;
        x = cmd == 'M' ? dx : x + dx;
        break;
      }
      case 'h':
        x += std::strtod(p, &end);
        p = end;
        break;
      case 'v':
        (void)std::strtod(p, &end);
        p = end;
        break;
      default: break;  // z, spaces
    }
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }
  return {lo, hi};
}
// The elements (<rect .../>, <text ...>...</text>, ...) in `svg` between
// `from` and `to`, without <g> and <title>.
std::vector<std::string> svg_elements(const std::string& svg, std::size_t from, std::size_t to) {
  std::vector<std::string> out;
  for (std::size_t at = svg.find('<', from); at < to; at = svg.find('<', at + 1)) {
    const std::string head = svg.substr(at, 8);
    if (head.compare(0, 2, "</") == 0 || head.compare(0, 3, "<g ") == 0 ||
        head.compare(0, 3, "<g>") == 0 || head.compare(0, 7, "<title>") == 0) {
      continue;
    }
    std::size_t end = svg.find('>', at) + 1;
    if (head.compare(0, 5, "<text") == 0) end = svg.find("</text>", at) + 7;
    out.push_back(svg.substr(at, end - at));  // a <title> inside is skipped next
  }
  return out;
}

// The picture's geometry, on events with known times, marks of every kind
// at the first and the last instant: the axis caption has a row of its own
// (not the tick labels'), the legend's keys (one per kind of mark, spawn and
// completion included) do not overlap, and every mark stays inside the lanes.
TEST(SvgTraceSink, NothingOverlapsAndEveryMarkStaysInsideTheLanes) {
  pollen::SvgTraceSink sink(static_cast<std::string*>(nullptr));
  auto ev = [](TraceKind k, std::uint64_t task, std::int64_t ns, pollen::WakeSource src,
               std::uint64_t from, pollen::PollOutcome o) {
    TraceEvent e;
    e.kind = k;
    e.task = task;
    e.task_name = task == 1 ? "first" : "second";
    e.time_ns = ns;
    e.outcome = o;
    e.source = src;
    e.source_task = from;
    return e;
  };
  using pollen::PollOutcome;
  using pollen::WakeSource;
  const TraceEvent events[] = {
      ev(TraceKind::Spawn, 1, 0, WakeSource::Loop, 0, PollOutcome::Pending),
      ev(TraceKind::Wake, 2, 0, WakeSource::Timer, 0, PollOutcome::Pending),
      ev(TraceKind::PollBegin, 1, 0, WakeSource::Loop, 0, PollOutcome::Pending),
      ev(TraceKind::PollEnd, 1, 1000, WakeSource::Loop, 0, PollOutcome::Pending),
      ev(TraceKind::PollBegin, 2, 60000, WakeSource::Loop, 0, PollOutcome::Pending),
      ev(TraceKind::Wake, 1, 60500, WakeSource::Task, 2, PollOutcome::Pending),
      ev(TraceKind::PollEnd, 2, 61000, WakeSource::Loop, 0, PollOutcome::Threw),
      ev(TraceKind::Cancel, 2, 100000, WakeSource::Loop, 0, PollOutcome::Pending),
      ev(TraceKind::Wake, 1, 100000, WakeSource::OtherThread, 0, PollOutcome::Pending),
      ev(TraceKind::Wake, 1, 100000, WakeSource::Loop, 0, PollOutcome::Pending),
      ev(TraceKind::PollBegin, 1, 100000, WakeSource::Loop, 0, PollOutcome::Pending),
      ev(TraceKind::PollEnd, 1, 100000, WakeSource::Loop, 0, PollOutcome::Ready),
      ev(TraceKind::Complete, 1, 100000, WakeSource::Loop, 0, PollOutcome::Pending),
  };
  for (const TraceEvent& e : events) sink.record(e);
  const std::string svg = sink.render();
  const double width = svg_attr(svg, "width");
  ASSERT_GT(width, 0);

  // Marks: between the last lane and the axis.
  const std::size_t marks_from = svg.rfind("<g class=\"lane\">");
  const std::size_t axis_at = svg.find("<g class=\"axis\">");
  const std::size_t legend_at = svg.find("<g class=\"legend\">");
  ASSERT_NE(marks_from, std::string::npos);
  ASSERT_NE(axis_at, std::string::npos);
  ASSERT_NE(legend_at, std::string::npos);
  const std::string lane_rect = svg_elements(svg, marks_from, axis_at).front();
  const std::pair<double, double> lane = svg_x_extent(lane_rect);
  const std::vector<std::string> marks =
      svg_elements(svg, svg.find('\n', marks_from), axis_at);
  EXPECT_GE(marks.size(), 10u);
  for (const std::string& m : marks) {
    const std::pair<double, double> x = svg_x_extent(m);
    EXPECT_GE(x.first, lane.first) << m;
    EXPECT_LE(x.second, lane.second) << m;  // inside the lane, so inside the picture
  }

  // The axis: tick labels on one baseline, the caption on another, at
  // least a line (12 px) away.
  std::vector<double> tick_y;
  double caption_y = -1;
  for (const std::string& e : svg_elements(svg, axis_at, legend_at)) {
    if (e.compare(0, 5, "<text") != 0) continue;
    EXPECT_LE(svg_x_extent(e).second, width) << e;
    if (e.find("text-anchor=\"middle\"") != std::string::npos) {
      tick_y.push_back(svg_attr(e, "y"));
    } else {
      caption_y = svg_attr(e, "y");
    }
  }
  ASSERT_FALSE(tick_y.empty());
  ASSERT_GT(caption_y, 0);
  for (double y : tick_y) EXPECT_GE(std::abs(caption_y - y), 12.0);

  // The legend: a key per kind of mark, none overlapping another of its row.
  struct KeyBox {
    double lo, hi, y;
    std::string label;
  };
  std::vector<KeyBox> keys;
  for (std::size_t at = svg.find("<g class=\"key\">", legend_at); at != std::string::npos;
       at = svg.find("<g class=\"key\">", at + 1)) {
    const std::size_t end = svg.find("</g>", at);
    KeyBox k{1e9, -1e9, 0, std::string()};
    for (const std::string& e : svg_elements(svg, at, end)) {
      const std::pair<double, double> x = svg_x_extent(e);
      k.lo = std::min(k.lo, x.first);
      k.hi = std::max(k.hi, x.second);
      if (e.compare(0, 5, "<text") == 0) {
        k.y = svg_attr(e, "y");
        k.label = e.substr(e.find('>') + 1, e.find("</text>") - e.find('>') - 1);
      }
    }
    EXPECT_LE(k.hi, width) << k.label;
    EXPECT_GT(k.y, caption_y) << k.label;
    keys.push_back(k);
  }
  std::vector<std::string> labels;
  for (const KeyBox& k : keys) labels.push_back(k.label);
  EXPECT_THAT(labels, ElementsAre("poll -&gt; Pending", "poll -&gt; Ready", "poll -&gt; Threw",
                                  "spawn", "complete", "cancelled", "woken by a task",
                                  "by a timer", "by another thread", "by the loop"));
  for (std::size_t i = 0; i < keys.size(); ++i) {
    for (std::size_t j = i + 1; j < keys.size(); ++j) {
      if (keys[i].y != keys[j].y) continue;
      EXPECT_TRUE(keys[i].hi <= keys[j].lo || keys[j].hi <= keys[i].lo)
          << keys[i].label << " overlaps " << keys[j].label;
    }
  }
  EXPECT_LE(keys.back().y, svg_attr(svg, "height"));
}

// ---- Slow polls --------------------------------------------------------------

TEST(SlowPoll, ReportsEveryPollLongerThanTheThresholdWithItsTree) {
  EventLoop loop;
  std::vector<pollen::SlowPoll> reports;
  loop.set_slow_poll_threshold(std::chrono::nanoseconds(1));
  loop.set_slow_poll_handler([&](const pollen::SlowPoll& s) { reports.push_back(s); });
  loop.spawn("blocker", Busy{std::chrono::microseconds(20)}).detach();
  loop.run();
  ASSERT_EQ(reports.size(), 2u);  // both polls spun for 20 us
  EXPECT_EQ(reports[0].task, 1u);
  EXPECT_EQ(reports[0].name, "blocker");
  EXPECT_GE(reports[0].duration, std::chrono::microseconds(20));
  EXPECT_THAT(reports[0].tree, HasSubstr("Busy [step 1]"));  // where the Pending poll left it
  EXPECT_THAT(reports[1].tree, HasSubstr("finished"));
}

TEST(SlowPoll, ThresholdZeroIsOff) {
  EventLoop loop;
  int reports = 0;
  loop.set_slow_poll_handler([&](const pollen::SlowPoll&) { ++reports; });
  loop.spawn(Busy{std::chrono::microseconds(20)}).detach();
  loop.run();
  loop.set_slow_poll_threshold(std::chrono::nanoseconds(1));
  loop.set_slow_poll_threshold(std::chrono::nanoseconds(0));
  EXPECT_EQ(loop.slow_poll_threshold(), std::chrono::nanoseconds(0));
  loop.spawn(Busy{std::chrono::microseconds(20)}).detach();
  loop.run();
  EXPECT_EQ(reports, 0);
}

TEST(SlowPoll, TheDefaultHandlerPrintsTheTaskAndItsTreeToStderr) {
  EventLoop loop;
  loop.set_slow_poll_threshold(std::chrono::nanoseconds(1));
  loop.spawn("blocker", Busy{std::chrono::microseconds(5)}).detach();
  ::testing::internal::CaptureStderr();
  loop.tick();  // the first poll only
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(err, HasSubstr("pollen: slow poll: task #1 \"blocker\""));
  EXPECT_THAT(err, HasSubstr("spawn_blocking()"));
  EXPECT_THAT(err, HasSubstr(":\n    Busy [step 1]"));
  loop.set_slow_poll_handler([](const pollen::SlowPoll&) {});
  loop.run();
}

TEST(SlowPoll, WorksTogetherWithTracing) {
  EventLoop loop;
  RecordingSink sink;
  int reports = 0;
  loop.trace_to(&sink);
  loop.set_slow_poll_threshold(std::chrono::nanoseconds(1));
  loop.set_slow_poll_handler([&](const pollen::SlowPoll&) { ++reports; });
  loop.spawn(Busy{std::chrono::microseconds(5)}).detach();
  loop.run();
  EXPECT_EQ(reports, 2);
  EXPECT_EQ(sink.lines.size(), 7u);
}

// ---- Introspection (the loop's PollObserver) ----------------------------------

struct Pollable {
  int polls = 0;
  bool open = false;
  pollen::Waker waker;
};
// A library future (PollFn records its polls) waiting for `s->open`.
auto waiting_poll_fn(std::shared_ptr<Pollable> s) {
  return pollen::poll_fn([s](Context& cx) -> Poll<int> {
    ++s->polls;
    if (s->open) return 1;
    s->waker = cx.waker();
    return pollen::pending;
  });
}

TEST(Introspection, DumpShowsPollsPerNodeAndFinishedTasksAreForgotten) {
  EventLoop loop;
  EXPECT_FALSE(loop.introspection());
  EXPECT_EQ(loop.poll_observer(), nullptr);
  loop.set_introspection(true);
  ASSERT_NE(loop.poll_observer(), nullptr);
  auto s = std::make_shared<Pollable>();
  loop.spawn("watched", waiting_poll_fn(s)).detach();
  loop.run_until_stalled();
  s->waker.wake();
  loop.run_until_stalled();
  EXPECT_EQ(s->polls, 2);
  const std::string dump = loop.dump_tasks_text();
  EXPECT_THAT(dump, HasSubstr("task #1 \"watched\""));
  EXPECT_THAT(dump, HasSubstr("PollFn [state: Polling]"));
  EXPECT_THAT(dump, HasSubstr("2 polls"));
  ASSERT_EQ(loop.dump_tasks().size(), 1u);
  EXPECT_EQ(loop.dump_tasks()[0].tree.polls, 2u);
  EXPECT_EQ(loop.poll_observer()->tracked_nodes(), 1u);
  s->open = true;
  s->waker.wake();
  loop.run();
  EXPECT_EQ(loop.poll_observer()->total_polls(), 3u);
  EXPECT_EQ(loop.poll_observer()->tracked_nodes(), 0u);  // forgotten when it finished
  loop.set_introspection(false);
  EXPECT_EQ(loop.poll_observer(), nullptr);
}

TEST(Introspection, OffRecordsNothingAndTheSlowPollReportShowsTheCounts) {
  EventLoop loop;
  auto s = std::make_shared<Pollable>();
  loop.spawn(waiting_poll_fn(s)).detach();
  loop.run_until_stalled();
  EXPECT_THAT(loop.dump_tasks_text(), ::testing::Not(HasSubstr("poll")));  // no counts when off
  loop.set_introspection(true);
  std::vector<std::string> trees;
  loop.set_slow_poll_threshold(std::chrono::nanoseconds(1));
  loop.set_slow_poll_handler([&](const pollen::SlowPoll& p) { trees.push_back(p.tree); });
  loop.spawn(pollen::poll_fn([](Context&) -> Poll<int> {
        const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(5);
        while (std::chrono::steady_clock::now() < until) {
        }
        return pollen::pending;
      }))
      .detach();
  loop.run_until_stalled();
  ASSERT_EQ(trees.size(), 1u);
  EXPECT_THAT(trees[0], HasSubstr("PollFn [state: Polling]"));
  EXPECT_THAT(trees[0], HasSubstr("1 poll"));
}

}  // namespace
