// SvgTraceSink: the timeline drawn as one self-contained SVG image.
//
// record() only stores the events (the picture's scale depends on the last
// one); render() lays them out:
//
//   #1 main     | [==]      [=]          [====] |    one lane per task, in the
//   #2 worker   |     v[=]     v[===]x          |    order tasks first appear;
//               +-----+-----+-----+-----+-------+    a box per poll; marks for
//               0    20    40    60    80 us         wakes, spawns, ends; a
//               time since the first event           time axis and its caption;
//   [] poll -> Pending  [] poll -> Ready ...  | spawn  | complete  x cancelled
//   v woken by a task  o by a timer ...              and a legend, a key per mark.
//
// Layout rules: time runs kPlotPad inside the lanes at both ends, so a mark
// at the first or last instant stays in its lane; the caption has a row of
// its own under the tick labels; each key of the legend is as wide as its
// label (kCharWidth per character of the monospace font) plus a gap, and a
// key that would pass the right edge starts a new row.
//
// Each box and mark carries a <title>, which browsers show on hover. Class
// names ("lane", "poll pending", "wake timer", "key", ...) make the file easy
// to test and to restyle.
#include <pollen/runtime/trace.hpp>

#include "trace_format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

POLLEN_NAMESPACE_BEGIN

namespace {
const double kLabelWidth = 170;
const double kPlotWidth = 800;
// Time runs from kLabelWidth + kPlotPad to kLabelWidth + kPlotWidth -
// kPlotPad: a mark centred on the first or last instant (at most 4.5 px
// each side) stays inside its lane.
const double kPlotPad = 8;
const double kRightMargin = 30;
const double kTop = 36;
const double kLaneHeight = 26;
const double kBoxHeight = 14;
// The legend's text runs 18 px right of its key's left edge; a monospace
// character of the 12 px font is 0.6 em (7.2 px; 7.3 leaves room for fonts a
// little wider); keys are kKeyGap apart, in rows kKeyRow apart.
const double kKeyText = 18;
const double kCharWidth = 7.3;
const double kKeyGap = 20;
const double kKeyRow = 20;
// The colours of the marks drawn in the lanes and again in the legend's keys.
const char kSpawnColour[] = "#5cb85c";
const char kCompleteColour[] = "#222222";
const char kCancelColour[] = "#d9534f";

const char* outcome_class(PollOutcome o) {
  switch (o) {
    case PollOutcome::Pending: return "pending";
    case PollOutcome::Ready: return "ready";
    case PollOutcome::Threw: return "threw";
  }
  return "pending";
}
const char* outcome_colour(PollOutcome o) {
  switch (o) {
    case PollOutcome::Pending: return "#6f9fd8";
    case PollOutcome::Ready: return "#5cb85c";
    case PollOutcome::Threw: return "#d9534f";
  }
  return "#999";
}
const char* source_colour(WakeSource s) {
  switch (s) {
    case WakeSource::Task: return "#333333";
    case WakeSource::Timer: return "#e8912d";
    case WakeSource::OtherThread: return "#8e44ad";
    case WakeSource::Loop: return "#888888";
  }
  return "#888888";
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string duration_text(double ns) {
  if (ns >= 1e6) return detail::format("{:.3g} ms", ns / 1e6);
  if (ns >= 1e3) return detail::format("{:.3g} us", ns / 1e3);
  return detail::format("{:.3g} ns", ns);
}

// A round tick step (1, 2 or 5 times a power of ten) giving about 8 ticks.
double tick_step(double span) {
  const double raw = span / 8;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double r = raw / mag;
  return (r < 1.5 ? 1 : r < 3.5 ? 2 : r < 7.5 ? 5 : 10) * mag;
}

// The glyph of a wake source, centred on (x, y).
std::string wake_glyph(WakeSource s, double x, double y) {
  const char* c = source_colour(s);
  switch (s) {
    case WakeSource::Task:
      return detail::format("<path d=\"M{:.1f},{:.1f} l-4,-6 h8 z\" fill=\"{}\"/>", x, y + 3, c);
    case WakeSource::Timer:
      return detail::format(
          "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"4\" fill=\"white\" stroke=\"{}\" "
          "stroke-width=\"1.5\"/><path d=\"M{:.1f},{:.1f} v-3 M{:.1f},{:.1f} h2.5\" "
          "stroke=\"{}\" stroke-width=\"1.2\"/>",
          x, y, c, x, y, x, y, c);
    case WakeSource::OtherThread:
      return detail::format("<path d=\"M{:.1f},{:.1f} l4,4 l-4,4 l-4,-4 z\" fill=\"{}\"/>", x,
                            y - 4, c);
    case WakeSource::Loop:
      return detail::format(
          "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"7\" height=\"7\" fill=\"{}\"/>", x - 3.5,
          y - 3.5, c);
  }
  return std::string();
}

// One key of the legend: what it shows, and its label.
struct Key {
  enum class Mark { Poll, Wake, Spawn, Complete, Cancel } mark;
  PollOutcome outcome;
  WakeSource source;
  const char* label;
  bool new_row;  // starts a row of the legend
};

std::vector<Key> legend_keys() {
  const PollOutcome p = PollOutcome::Pending;
  const WakeSource w = WakeSource::Task;
  return {
      {Key::Mark::Poll, PollOutcome::Pending, w, "poll -> Pending", false},
      {Key::Mark::Poll, PollOutcome::Ready, w, "poll -> Ready", false},
      {Key::Mark::Poll, PollOutcome::Threw, w, "poll -> Threw", false},
      {Key::Mark::Spawn, p, w, "spawn", false},
      {Key::Mark::Complete, p, w, "complete", false},
      {Key::Mark::Cancel, p, w, "cancelled", false},
      {Key::Mark::Wake, p, WakeSource::Task, "woken by a task", true},
      {Key::Mark::Wake, p, WakeSource::Timer, "by a timer", false},
      {Key::Mark::Wake, p, WakeSource::OtherThread, "by another thread", false},
      {Key::Mark::Wake, p, WakeSource::Loop, "by the loop", false},
  };
}

// The mark of a key whose left edge is x, on the text baseline y; drawn
// as in the lanes, within [x, x + 14].
std::string key_mark(const Key& k, double x, double y) {
  switch (k.mark) {
    case Key::Mark::Poll:
      return detail::format(
          "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"14\" height=\"10\" fill=\"{}\"/>", x, y - 9,
          outcome_colour(k.outcome));
    case Key::Mark::Wake:
      return wake_glyph(k.source, x + 5, y - 4);
    case Key::Mark::Spawn:
      return detail::format(
          "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" "
          "stroke-width=\"2\"/>",
          x + 6, y - 11, x + 6, y + 2, kSpawnColour);
    case Key::Mark::Complete:
      return detail::format(
          "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"3\" height=\"12\" fill=\"{}\"/>", x + 5,
          y - 10, kCompleteColour);
    case Key::Mark::Cancel:
      return detail::format(
          "<path d=\"M{:.1f},{:.1f} l8,8 m0,-8 l-8,8\" stroke=\"{}\" stroke-width=\"2\"/>",
          x + 2, y - 8, kCancelColour);
  }
  return std::string();
}
}  // namespace

SvgTraceSink::SvgTraceSink(const std::string& path) : path_(path) {}
SvgTraceSink::SvgTraceSink(std::string* out) : str_(out) {}
SvgTraceSink::~SvgTraceSink() { finish(); }

void SvgTraceSink::record(const TraceEvent& e) {
  if (finished_) return;
  bool known = false;
  for (const auto& lane : lanes_) {
    if (lane.first == e.task) {
      known = true;
      break;
    }
  }
  if (!known) lanes_.emplace_back(e.task, e.task_name != nullptr ? e.task_name : "");
  events_.push_back(Stored{e.kind, e.outcome, e.source, e.task, e.source_task, e.time_ns});
}

void SvgTraceSink::finish() {
  if (finished_) return;
  finished_ = true;
  const std::string svg = render();
  if (str_ != nullptr) {
    str_->append(svg);
  } else if (!path_.empty()) {
    if (std::FILE* f = std::fopen(path_.c_str(), "wb")) {
      std::fwrite(svg.data(), 1, svg.size(), f);
      std::fclose(f);
    }
  }
}

std::string SvgTraceSink::render() const {
  const std::size_t lanes = lanes_.size();
  auto lane_of = [&](std::uint64_t task) -> long {
    for (std::size_t i = 0; i < lanes; ++i) {
      if (lanes_[i].first == task) return static_cast<long>(i);
    }
    return -1;
  };
  std::int64_t t0 = 0, t1 = 1;
  if (!events_.empty()) {
    t0 = events_.front().time_ns;
    t1 = events_.back().time_ns;
    for (const Stored& e : events_) {
      t0 = std::min(t0, e.time_ns);
      t1 = std::max(t1, e.time_ns);
    }
  }
  const double span = static_cast<double>(t1 > t0 ? t1 - t0 : 1);
  const double scale = (kPlotWidth - 2 * kPlotPad) / span;  // px per ns
  auto x_of = [&](std::int64_t t) {
    return kLabelWidth + kPlotPad + static_cast<double>(t - t0) * scale;
  };
  auto lane_y = [&](long i) { return kTop + static_cast<double>(i) * kLaneHeight; };

  // Below the lanes: the axis with its tick labels (baseline axis_y + 18),
  // its caption on a row of its own (axis_y + 36), then the legend's rows.
  const double axis_y = kTop + static_cast<double>(lanes) * kLaneHeight + 8;
  const double width = kLabelWidth + kPlotWidth + kRightMargin;
  const std::vector<Key> keys = legend_keys();
  std::vector<std::pair<double, double>> key_at;  // (x, baseline) of each key
  {
    double lx = 10, ly = axis_y + 62;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      const double w = kKeyText + kCharWidth * static_cast<double>(std::strlen(keys[i].label));
      if ((keys[i].new_row && i > 0) || lx + w > width - 10) {
        lx = 10;
        ly += kKeyRow;
      }
      key_at.emplace_back(lx, ly);
      lx += w + kKeyGap;
    }
  }
  const double height = (key_at.empty() ? axis_y + 40 : key_at.back().second) + 14;

  std::string out;
  detail::format_to(
      out,
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0f}\" height=\"{:.0f}\" "
      "viewBox=\"0 0 {:.0f} {:.0f}\" font-family=\"monospace\" font-size=\"12\">\n"
      "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
      "markerWidth=\"6\" markerHeight=\"6\" orient=\"auto-start-reverse\"><path d=\"M0,0 "
      "L10,5 L0,10 z\" fill=\"#333333\"/></marker></defs>\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">pollen poll "
      "timeline: {} task{}, {}</text>\n",
      width, height, width, height, lanes, lanes == 1 ? "" : "s", duration_text(span));

  // Lanes.
  for (std::size_t i = 0; i < lanes; ++i) {
    const double y = lane_y(static_cast<long>(i));
    std::string label = detail::format("#{}", lanes_[i].first);
    if (!lanes_[i].second.empty()) label += " " + lanes_[i].second;
    if (label.size() > 22) label = label.substr(0, 21) + "~";
    detail::format_to(out,
                      "<g class=\"lane\"><rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" "
                      "height=\"{:.1f}\" fill=\"{}\"/><text x=\"10\" y=\"{:.1f}\">{}</text></g>\n",
                      kLabelWidth, y, kPlotWidth, kLaneHeight, i % 2 == 0 ? "#f4f4f4" : "#fbfbfb",
                      y + kLaneHeight / 2 + 4, xml_escape(label));
  }

  // Polls: a box from PollBegin to PollEnd (polls of one loop never nest).
  detail::OpenPolls open;
  for (const Stored& e : events_) {
    if (e.kind == TraceKind::PollBegin) {
      open.emplace_back(e.task, e.time_ns);
      continue;
    }
    if (e.kind != TraceKind::PollEnd) continue;
    const std::int64_t begin = detail::close_poll(open, e.task, e.time_ns);
    const long lane = lane_of(e.task);
    const double x = x_of(begin);
    const double bw = std::max(x_of(e.time_ns) - x, 1.5);
    detail::format_to(
        out,
        "<rect class=\"poll {}\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" "
        "height=\"{:.1f}\" fill=\"{}\" stroke=\"#00000033\"><title>task #{}: poll -&gt; "
        "{}, {}</title></rect>\n",
        outcome_class(e.outcome), x, lane_y(lane) + (kLaneHeight - kBoxHeight) / 2, bw, kBoxHeight,
        outcome_colour(e.outcome), e.task, to_string(e.outcome),
        duration_text(static_cast<double>(e.time_ns - begin)));
  }

  // Wakes, spawns, ends.
  for (const Stored& e : events_) {
    const long lane = lane_of(e.task);
    const double x = x_of(e.time_ns);
    const double top = lane_y(lane) + 4;
    switch (e.kind) {
      case TraceKind::Wake: {
        std::string title;
        if (e.source == WakeSource::Task) {
          title = detail::format("task #{} woken by task #{}", e.task, e.source_task);
          const long from = lane_of(e.source_task);
          if (from >= 0 && from != lane) {
            const double from_y = lane_y(from) + kLaneHeight / 2;
            const double to_y = from < lane ? lane_y(lane) + 2 : lane_y(lane) + kLaneHeight - 2;
            detail::format_to(out,
                              "<line class=\"wake-arrow\" x1=\"{:.1f}\" y1=\"{:.1f}\" "
                              "x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#333333\" stroke-width=\"1\" "
                              "marker-end=\"url(#arrow)\"/>\n",
                              x, from_y, x, to_y);
          }
        } else {
          title = detail::format("task #{} woken by {}", e.task,
                                 e.source == WakeSource::Timer         ? "a timer"
                                 : e.source == WakeSource::OtherThread ? "another thread"
                                                                       : "the loop");
        }
        detail::format_to(out, "<g class=\"wake {}\"><title>{}</title>{}</g>\n",
                          to_string(e.source), title, wake_glyph(e.source, x, top));
        break;
      }
      case TraceKind::Spawn:
        detail::format_to(out,
                          "<line class=\"spawn\" x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" "
                          "y2=\"{:.1f}\" stroke=\"{}\" stroke-width=\"2\"><title>task #{} "
                          "spawned</title></line>\n",
                          x, lane_y(lane) + 2, x, lane_y(lane) + kLaneHeight - 2, kSpawnColour,
                          e.task);
        break;
      case TraceKind::Complete:
        detail::format_to(
            out,
            "<rect class=\"complete\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"3\" "
            "height=\"{:.1f}\" fill=\"{}\"><title>task #{} complete</title></rect>\n",
            x, lane_y(lane) + 3, kLaneHeight - 6, kCompleteColour, e.task);
        break;
      case TraceKind::Cancel:
        detail::format_to(out,
                          "<path class=\"cancel\" d=\"M{:.1f},{:.1f} l8,8 m0,-8 l-8,8\" "
                          "stroke=\"{}\" stroke-width=\"2\"><title>task #{} "
                          "cancelled</title></path>\n",
                          x - 4, lane_y(lane) + kLaneHeight / 2 - 4, kCancelColour, e.task);
        break;
      case TraceKind::PollBegin:
      case TraceKind::PollEnd: break;
    }
  }

  // The time axis, since the first event.
  detail::format_to(
      out,
      "<g class=\"axis\"><line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" "
      "stroke=\"#444444\"/>\n",
      kLabelWidth, axis_y, kLabelWidth + kPlotWidth, axis_y);
  const double step = tick_step(span);
  for (double t = 0; t <= span * 1.0001; t += step) {
    const double x = kLabelWidth + kPlotPad + t * scale;
    detail::format_to(out,
                      "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" "
                      "stroke=\"#444444\"/><text x=\"{:.1f}\" y=\"{:.1f}\" "
                      "text-anchor=\"middle\">{}</text>\n",
                      x, axis_y, x, axis_y + 5, x, axis_y + 18,
                      t == 0 ? std::string("0") : duration_text(t));
  }
  detail::format_to(out,
                    "<text class=\"caption\" x=\"{:.1f}\" y=\"{:.1f}\">time since the first "
                    "event</text></g>\n",
                    kLabelWidth, axis_y + 36);

  // The legend: a key (a mark and its label) per kind of mark.
  detail::format_to(out, "<g class=\"legend\">\n");
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const double lx = key_at[i].first, ly = key_at[i].second;
    detail::format_to(out, "<g class=\"key\">{}<text x=\"{:.1f}\" y=\"{:.1f}\">{}</text></g>\n",
                      key_mark(keys[i], lx, ly), lx + kKeyText, ly, xml_escape(keys[i].label));
  }
  detail::format_to(out, "</g>\n</svg>\n");
  return out;
}

POLLEN_NAMESPACE_END
