// test/fuzz/generate.cpp: the seeded generator of trees.
//
// A tree is generated top-down: each node picks a kind (a combinator while
// depth and node budget allow, a leaf otherwise), then its children. The
// weights below are the whole policy; a node that needs a resource (a
// channel's receiver, a task's JoinHandle) is only picked while one is free.
#include "generate.hpp"

#include <algorithm>

namespace fuzz {

namespace {

const int kMaxDepth = 4;
const int kMaxNodesPerTree = 24;

struct Choice {
  Kind kind;
  std::uint32_t weight;
};

class Gen {
 public:
  Gen(World& w, Source& src, int task) : w_(w), src_(src), task_(task) {}

  // The deeper, the likelier a leaf; a root is always a combinator.
  int tree(int depth) {
    const bool leaf = depth >= kMaxDepth || budget_ <= 1 ||
                      src_.below(kMaxDepth + 1) < static_cast<std::uint32_t>(depth);
    return leaf ? make_leaf() : make_combinator(depth);
  }

 private:
  int add(Kind k) {
    Node n;
    n.spec.kind = k;
    n.spec.task = task_;
    w_.nodes.push_back(n);
    mine_.push_back(static_cast<int>(w_.nodes.size() - 1));
    --budget_;
    return static_cast<int>(w_.nodes.size() - 1);
  }
  Spec& spec(int id) { return w_.node(id).spec; }
  // A few durations around a handful of milliseconds, some of them equal,
  // some a nanosecond apart: deadlines collide and order both ways.
  std::int64_t duration() {
    static const std::int64_t ms = 1000000;
    switch (src_.below(6)) {
      case 0: return 0;
      case 1: return 1 * ms;
      case 2: return 2 * ms;
      case 3: return 2 * ms + 1;
      case 4: return 5 * ms;
      default: return static_cast<std::int64_t>(src_.below(8)) * ms;
    }
  }

  int make_leaf() {
    std::vector<Choice> cs{{Kind::Leaf, 24}, {Kind::Value, 3}, {Kind::Sleep, 6}};
    if (free_channel() >= 0) cs.push_back({Kind::Recv, 5});
    const int send_to = send_channel();
    if (send_to >= 0) cs.push_back({Kind::Send, 5});
    if (free_oneshot() >= 0) cs.push_back({Kind::OneshotRecv, 3});
    if (free_closed_waiter() >= 0) cs.push_back({Kind::OneshotClosed, 1});
    if (free_handle() >= 0) cs.push_back({Kind::AwaitTask, 3});
    const Kind k = pick(cs);
    const int id = add(k);
    switch (k) {
      case Kind::Leaf: {
        w_.leaves.emplace_back(new LeafCtl);
        w_.leaves.back()->node = id;
        spec(id).res = static_cast<int>(w_.leaves.size() - 1);
        break;
      }
      case Kind::Value: spec(id).k = src_.next64(); break;
      case Kind::Sleep:
        spec(id).d_ns = duration();
        spec(id).k = src_.next64();
        break;
      case Kind::Recv: {
        const int c = free_channel();
        w_.chans[static_cast<std::size_t>(c)]->consumer =
            id;  // claimed (the node sets it again when built)
        spec(id).res = c;
        spec(id).n = 1 + static_cast<int>(src_.below(4));
        break;
      }
      case Kind::Send: {
        const int c = send_to;
        spec(id).res = c;
        spec(id).token = w_.new_token(c, 1000 + id, 0);
        break;
      }
      case Kind::OneshotRecv: {
        const int o = free_oneshot();
        w_.oneshots[static_cast<std::size_t>(o)]->consumer = id;
        spec(id).res = o;
        break;
      }
      case Kind::OneshotClosed: {
        const int o = free_closed_waiter();
        w_.oneshots[static_cast<std::size_t>(o)]->closed_waiter = true;
        spec(id).res = o;
        break;
      }
      case Kind::AwaitTask: {
        const int t = free_handle();
        w_.tasks[static_cast<std::size_t>(t)].handle_claimed = true;
        spec(id).res = t;
        break;
      }
      default: break;
    }
    return id;
  }

  int make_combinator(int depth) {
    std::vector<Choice> cs{
        {Kind::Map, 10},      {Kind::Then, 10},        {Kind::Join, 8},      {Kind::JoinAll, 5},
        {Kind::Select, 8},    {Kind::SelectBiased, 3}, {Kind::SelectAll, 4}, {Kind::Fuse, 4},
        {Kind::LoopFn, 4},    {Kind::Boxed, 3},        {Kind::PollFn, 3},    {Kind::Timeout, 6},
        {Kind::Droppable, 4}, {Kind::DropHook, 2},
    };
    if (w_.opt.exceptions) cs.push_back({Kind::Repoll, 3});
    const Kind k = pick(cs);
    const int id = add(k);
    std::vector<int> kids;
    auto child = [&]() { kids.push_back(tree(depth + 1)); };
    switch (k) {
      case Kind::Map:
        spec(id).k = src_.next64();
        child();
        break;
      case Kind::Then:  // kids[0]: the first future; kids[1]: what the function builds
        spec(id).n = src_.chance(50) ? 1 : 0;  // 1: polls its second itself (no adoption)
        // fall through
      case Kind::Fuse:
      case Kind::Boxed:
      case Kind::PollFn:
      case Kind::Repoll:
        child();
        if (k == Kind::Then) child();
        break;
      case Kind::Join:
      case Kind::Select:
        child();
        child();
        if (src_.chance(30)) child();
        break;
      case Kind::SelectBiased:
        child();
        child();
        break;
      case Kind::JoinAll:
      case Kind::SelectAll: {
        const int n = static_cast<int>(src_.below(5));  // join_all of nothing is Ready at once
        for (int i = 0; i < std::max(n, k == Kind::SelectAll ? 1 : 0); ++i) child();
        break;
      }
      case Kind::LoopFn: {
        const int n = 1 + static_cast<int>(src_.below(3));
        for (int i = 0; i < n; ++i) child();
        break;
      }
      case Kind::Timeout:
        spec(id).d_ns = duration();
        child();
        break;
      case Kind::Droppable:
        w_.drops.emplace_back();
        w_.drops.back().node = id;
        spec(id).res = static_cast<int>(w_.drops.size() - 1);
        child();
        break;
      case Kind::DropHook: {
        const int victim = free_handle();
        if (victim >= 0 && src_.chance(50)) {
          spec(id).n = 0;  // aborts the victim when destroyed
          spec(id).res = victim;
          w_.tasks[static_cast<std::size_t>(victim)].handle_claimed = true;
        } else {
          const int spawned = reserve_task(w_, src_, "h");  // adds nodes: no reference held across
          spec(id).n = 1;                                   // spawns a small task when destroyed
          spec(id).res = spawned;
        }
        child();
        break;
      }
      default: break;
    }
    spec(id).kids = kids;
    return id;
  }

  Kind pick(const std::vector<Choice>& cs) {
    std::vector<std::uint32_t> ws;
    ws.reserve(cs.size());
    for (const Choice& c : cs) ws.push_back(c.weight);
    return cs[src_.weighted(ws)].kind;
  }

  // --avoid self-wake-on-drop: no two nodes in one task of which the
  // destruction of one wakes the other (a channel's receiver and its
  // senders, a oneshot's receiver and its closed() waiter).
  bool keep_apart() const { return w_.opt.avoid.has(Avoid::SelfWakeOnDrop); }
  bool task_uses(Kind k, int res) const {
    for (int id : mine_) {
      const Spec& s = w_.node(id).spec;
      if (s.kind == k && s.res == res) return true;
    }
    return false;
  }
  int free_channel() const {
    for (std::size_t c = 0; c < w_.chans.size(); ++c) {
      if (keep_apart() && task_uses(Kind::Send, static_cast<int>(c))) continue;
      if (w_.chans[c]->consumer < 0 && w_.chans[c]->rx) return static_cast<int>(c);
    }
    return -1;
  }
  int send_channel() {
    std::vector<int> cs;
    for (std::size_t c = 0; c < w_.chans.size(); ++c) {
      const int ci = static_cast<int>(c);
      if (keep_apart() && (task_uses(Kind::Recv, ci) || task_uses(Kind::Send, ci))) continue;
      cs.push_back(ci);
    }
    return cs.empty() ? -1 : cs[src_.below(static_cast<std::uint32_t>(cs.size()))];
  }
  int free_oneshot() const {
    for (std::size_t o = 0; o < w_.oneshots.size(); ++o) {
      if (keep_apart() && task_uses(Kind::OneshotClosed, static_cast<int>(o))) continue;
      if (w_.oneshots[o]->consumer < 0 && w_.oneshots[o]->rx.has_value())
        return static_cast<int>(o);
    }
    return -1;
  }
  int free_closed_waiter() const {
    for (std::size_t o = 0; o < w_.oneshots.size(); ++o) {
      if (keep_apart() && task_uses(Kind::OneshotRecv, static_cast<int>(o))) continue;
      if (!w_.oneshots[o]->closed_waiter && w_.oneshots[o]->tx.has_value())
        return static_cast<int>(o);
    }
    return -1;
  }
  // A task (not this one) whose JoinHandle the driver holds and no node claimed.
  int free_handle() const {
    for (std::size_t t = 0; t < w_.tasks.size(); ++t) {
      const TaskCtl& c = w_.tasks[t];
      if (static_cast<int>(t) != task_ && c.spawned && c.handle.has_value() && !c.handle_claimed) {
        return static_cast<int>(t);
      }
    }
    return -1;
  }

  World& w_;
  Source& src_;
  int task_;
  int budget_ = kMaxNodesPerTree;
  std::vector<int> mine_;  // the nodes of this task's tree
};

// The children of select_biased and timeout (and, through a Then that
// forwards to it, its second future) note what they could give at each
// poll: the model judges those combinators by it.
void mark_snapshots(World& w, int id, bool wanted) {
  Spec& s = w.node(id).spec;
  s.snapshot = wanted;
  const bool kids_wanted = s.kind == Kind::SelectBiased || s.kind == Kind::Timeout;
  for (std::size_t i = 0; i < s.kids.size(); ++i) {
    const bool forwarded_to = s.kind == Kind::Then && i == 1 && wanted;
    mark_snapshots(w, w.node(id).spec.kids[i], kids_wanted || forwarded_to);
  }
}

}  // namespace

int reserve_task(World& w, Source& src, const char* prefix) {
  const int t = static_cast<int>(w.tasks.size());
  w.tasks.emplace_back();
  w.tasks.back().name = prefix + std::to_string(t);
  Gen g(w, src, t);
  // A hook's task is small: a leaf at most one combinator deep.
  const int root = g.tree(prefix[0] == 'h' ? kMaxDepth - 1 : 0);
  w.tasks[static_cast<std::size_t>(t)].root = root;
  mark_snapshots(w, root, false);
  return t;
}

}  // namespace fuzz
