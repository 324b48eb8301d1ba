// docs/desugaring.md, section 3: cooperative scheduling, and what one
// blocking call does to it.
//
// Two tickers want to tick every 5 ms. A third task has three slow jobs of
// 20 ms each. The program runs twice: first the jobs block inside poll()
// (std::this_thread::sleep_for stands for any blocking call), then they run
// through spawn_blocking. Each run prints its timeline (one row per task),
// how late the ticks were, and what the slow-poll detector reported.
//
// Usage:
//   desugar_blocking                 run both, print the timelines
//   desugar_blocking --svg DIR       also write DIR/blocking.svg and
//                                    DIR/spawn_blocking.svg (regenerates
//                                    docs/images: scripts/dev images)
//   desugar_blocking --check COMMITTED_DIR OUT_DIR
//                                    write the SVGs to OUT_DIR and check that
//                                    the structure of each (tasks, polls,
//                                    outcomes, wakes; not times) matches the
//                                    one recorded in COMMITTED_DIR
#include <pollen/pollen.hpp>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "desugar_timeline.hpp"

namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;
using L = pollen::Loop<int, pollen::Unit>;

// A ticker: three times, sleep 5 ms, then note how late the tick came.
auto ticker(std::vector<double>& late_ms) {
  return pollen::loop_fn(1, [&late_ms](int i) {
    Clock::time_point due = Clock::now() + milliseconds(5);
    return pollen::map(pollen::sleep(milliseconds(5)), [&late_ms, due, i](pollen::Unit) {
      late_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - due).count());
      return i == 3 ? L(pollen::loop_break(pollen::Unit{})) : L(pollen::loop_continue(i + 1));
    });
  });
}

// The mistake: each job blocks the thread inside poll().
auto blocking_jobs() {
  return pollen::loop_fn(1, [](int i) {
    std::this_thread::sleep_for(milliseconds(20));  // blocks the loop's thread
    return pollen::map(pollen::yield_now(), [i](pollen::Unit) {
      return i == 3 ? L(pollen::loop_break(pollen::Unit{})) : L(pollen::loop_continue(i + 1));
    });
  });
}

// The cure: each job runs on a worker thread; the task awaits it.
auto off_thread_jobs() {
  return pollen::loop_fn(1, [](int i) {
    auto job = pollen::spawn_blocking([] { std::this_thread::sleep_for(milliseconds(20)); });
    return pollen::map(std::move(job), [i](pollen::Unit) {
      return i == 3 ? L(pollen::loop_break(pollen::Unit{})) : L(pollen::loop_continue(i + 1));
    });
  });
}

// Runs the three tasks on a fresh loop, tracing into `timeline`.
template <class Jobs>
void run(const char* title, Jobs jobs, example::Timeline& timeline) {
  std::printf("== %s\n", title);
  std::vector<double> late_a, late_b;
  std::vector<std::string> slow;
  pollen::EventLoop loop;
  loop.set_slow_poll_threshold(milliseconds(10));
  loop.set_slow_poll_handler([&slow](const pollen::SlowPoll& p) {
    char line[120];
    std::snprintf(line, sizeof line, "  slow poll: %s took %.1f ms\n", p.name.c_str(),
                  std::chrono::duration<double, std::milli>(p.duration).count());
    slow.push_back(line);
  });
  loop.trace_to(&timeline);
  loop.spawn("jobs", std::move(jobs)).detach();
  loop.spawn("ticker a", ticker(late_a)).detach();
  loop.spawn("ticker b", ticker(late_b)).detach();
  loop.run();
  loop.trace_to(nullptr);

  std::printf("%s", timeline.draw().c_str());
  std::printf("  ticks late by (ms): a");
  for (double ms : late_a) std::printf(" %.1f", ms);
  std::printf(", b");
  for (double ms : late_b) std::printf(" %.1f", ms);
  std::printf("\n");
  for (const std::string& s : slow) std::printf("%s", s.c_str());
  if (slow.empty()) std::printf("  no slow poll\n");
}

// ---- the committed SVGs ----------------------------------------------------

const char* const kStructureTag = "<!-- pollen-structure\n";

std::string read_file(const std::string& path) {
  std::ifstream in(path.c_str(), std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The SVG, with the timeline's structure in a comment before </svg>.
bool write_svg(const std::string& path, const std::string& svg, const std::string& structure) {
  std::string out = svg;
  std::size_t end = out.rfind("</svg>");
  if (end == std::string::npos) return false;
  out.insert(end, kStructureTag + structure + "-->\n");
  std::ofstream f(path.c_str(), std::ios::binary);
  f << out;
  return static_cast<bool>(f);
}

std::string structure_in(const std::string& svg) {
  std::size_t a = svg.find(kStructureTag);
  if (a == std::string::npos) return "(no structure comment)\n";
  a += std::strlen(kStructureTag);
  std::size_t b = svg.find("-->", a);
  return svg.substr(a, b == std::string::npos ? std::string::npos : b - a);
}

struct Run {
  const char* file;
  std::string svg;
  std::string structure;
};

// Runs both timelines, printing them, and keeps their SVGs and structures.
void record(Run (&runs)[2]) {
  {
    example::Timeline timeline;
    runs[0].svg.clear();
    pollen::SvgTraceSink svg(&runs[0].svg);
    timeline.forward_to(&svg);
    run("blocking inside poll(): every other task waits", blocking_jobs(), timeline);
    runs[0].structure = timeline.structure();
  }
  std::printf("\n");
  {
    example::Timeline timeline;
    runs[1].svg.clear();
    pollen::SvgTraceSink svg(&runs[1].svg);
    timeline.forward_to(&svg);
    run("the same jobs through spawn_blocking: the tickers keep time", off_thread_jobs(), timeline);
    runs[1].structure = timeline.structure();
  }
}

bool matches(const std::string& committed_dir, const Run (&runs)[2]) {
  for (const Run& r : runs) {
    if (structure_in(read_file(committed_dir + "/" + r.file)) != r.structure) return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string svg_dir, committed_dir;
  if (argc == 3 && std::strcmp(argv[1], "--svg") == 0) {
    svg_dir = argv[2];
  } else if (argc == 4 && std::strcmp(argv[1], "--check") == 0) {
    committed_dir = argv[2];
    svg_dir = argv[3];
  } else if (argc != 1) {
    std::fprintf(stderr, "usage: %s [--svg DIR | --check COMMITTED_DIR OUT_DIR]\n", argv[0]);
    return 2;
  }

  Run runs[2] = {{"blocking.svg", {}, {}}, {"spawn_blocking.svg", {}, {}}};
  record(runs);
  // The structure depends on timing only when the machine stalls this thread
  // for several milliseconds (a loaded CI machine can): the check runs the
  // timelines again, up to three times in all, before it reports a drift.
  for (int attempt = 2; !committed_dir.empty() && attempt <= 3 && !matches(committed_dir, runs);
       ++attempt) {
    std::printf("\nthe structure differs from the committed one; run %d of 3\n\n", attempt);
    record(runs);
  }

  int status = 0;
  for (const Run& r : runs) {
    if (svg_dir.empty()) break;
    std::string path = svg_dir + "/" + r.file;
    if (!write_svg(path, r.svg, r.structure)) {
      std::fprintf(stderr, "could not write %s\n", path.c_str());
      return 1;
    }
    std::printf("wrote %s\n", path.c_str());
    if (committed_dir.empty()) continue;
    std::string committed = structure_in(read_file(committed_dir + "/" + r.file));
    if (committed != r.structure) {
      std::printf(
          "%s/%s is out of date.\ncommitted structure:\n%snew structure:\n%s"
          "regenerate it: scripts/dev images\n",
          committed_dir.c_str(), r.file, committed.c_str(), r.structure.c_str());
      status = 1;
    } else {
      std::printf("%s/%s matches the code\n", committed_dir.c_str(), r.file);
    }
  }
  return status;
}
