// docs/examples/desugar_timeline.hpp: a TraceSink that keeps the poll
// timeline of a loop, passes every event on to other sinks (the SVG or the
// Chrome trace), and draws the timeline as text, one row per task:
//
//   blocker   ####################################.#############...
//   ticker a  ....................................#.........
//
// '#' the task is being polled; '.' it is ready (woken, or just spawned)
// but waits for the thread; ' ' it waits for something else.
//
// structure() is the same timeline without the times: per task, the
// sequence of its spawn, polls ("poll->Pending"; a wake that happens during
// the poll sits between: "poll wake:self->Pending"), wakes (with their
// source) and completion. Two runs of the same program have the same
// structure even though their times differ; desugar_blocking uses it to
// check that the committed SVG still matches the code.
#pragma once

#include <pollen/pollen.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace example {

class Timeline final : public pollen::TraceSink {
 public:
  // Every event is also given to `sink` (not owned; may be null).
  void forward_to(pollen::TraceSink* sink) {
    if (sink != nullptr) forward_.push_back(sink);
  }

  void record(const pollen::TraceEvent& ev) override {
    for (pollen::TraceSink* s : forward_) s->record(ev);
    pollen::TraceEvent e = ev;
    if (origin_ns_ < 0) origin_ns_ = e.time_ns;  // the drawing starts at the first event
    e.time_ns -= origin_ns_;
    Lane& lane = lane_of(e.task, e.task_name);
    end_ns_ = std::max(end_ns_, e.time_ns);
    switch (e.kind) {
      case pollen::TraceKind::Spawn:
        lane.ready_since = e.time_ns;
        lane.structure += " spawn";
        break;
      case pollen::TraceKind::PollBegin:
        if (lane.ready_since >= 0) lane.spans.push_back(Span{lane.ready_since, e.time_ns, '.'});
        lane.ready_since = -1;
        lane.poll_begin = e.time_ns;
        lane.structure += " poll";
        break;
      case pollen::TraceKind::PollEnd:
        lane.spans.push_back(Span{lane.poll_begin, e.time_ns, '#'});
        lane.structure += std::string("->") + pollen::to_string(e.outcome);
        break;
      case pollen::TraceKind::Wake:
        if (lane.ready_since < 0) lane.ready_since = e.time_ns;
        lane.structure +=
            std::string(" wake:") + (e.source == pollen::WakeSource::Task && e.source_task == e.task
                                         ? "self"
                                         : pollen::to_string(e.source));
        break;
      case pollen::TraceKind::Complete:
        lane.structure += " complete";
        break;
      case pollen::TraceKind::Cancel:
        lane.structure += " cancel";
        break;
    }
  }

  void finish() override {
    for (pollen::TraceSink* s : forward_) s->finish();
  }

  // The timeline in `width` columns (names included).
  std::string draw(std::size_t width = 78) const {
    const std::size_t label = 11;
    const std::size_t cols = width > label + 10 ? width - label : 10;
    const double ns_per_col =
        std::max(1.0, static_cast<double>(end_ns_) / static_cast<double>(cols));
    std::string out;
    for (const Lane& lane : lanes_) {
      std::string row(cols, ' ');
      for (const Span& s : lane.spans) {
        std::size_t a = col(s.begin, ns_per_col, cols);
        std::size_t b = std::max(a + 1, col(s.end, ns_per_col, cols));
        for (std::size_t i = a; i < b && i < cols; ++i) {
          if (s.mark == '#' || row[i] == ' ') row[i] = s.mark;
        }
      }
      row.erase(row.find_last_not_of(' ') + 1);
      std::string name = lane.name.substr(0, label - 2);
      out += "  " + name + std::string(label - 2 - name.size(), ' ') + row + "\n";
    }
    char scale[160];
    std::snprintf(scale, sizeof scale,
                  "  one column = %.1f ms; # polled, . ready but waiting for the thread\n",
                  ns_per_col / 1e6);
    return out + scale;
  }

  // Per task, in the order the tasks first appeared: "name: spawn poll:..."
  std::string structure() const {
    std::string out;
    for (const Lane& lane : lanes_) out += lane.name + ":" + lane.structure + "\n";
    return out;
  }

 private:
  struct Span {
    std::int64_t begin;
    std::int64_t end;
    char mark;
  };
  struct Lane {
    std::uint64_t task;
    std::string name;
    std::string structure;
    std::vector<Span> spans;
    std::int64_t ready_since = -1;  // >= 0: woken or spawned, not polled yet
    std::int64_t poll_begin = 0;
  };

  static std::size_t col(std::int64_t ns, double ns_per_col, std::size_t cols) {
    std::size_t c = static_cast<std::size_t>(static_cast<double>(ns) / ns_per_col);
    return std::min(c, cols);
  }

  Lane& lane_of(std::uint64_t task, const char* name) {
    for (Lane& l : lanes_) {
      if (l.task == task) return l;
    }
    lanes_.push_back(Lane());
    lanes_.back().task = task;
    lanes_.back().name = (name != nullptr && *name != '\0') ? name : "#" + std::to_string(task);
    return lanes_.back();
  }

  std::vector<pollen::TraceSink*> forward_;
  std::vector<Lane> lanes_;
  std::int64_t origin_ns_ = -1;  // time of the first event
  std::int64_t end_ns_ = 0;      // of the last event, since the first
};

}  // namespace example
