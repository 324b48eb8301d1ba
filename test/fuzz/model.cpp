// test/fuzz/model.cpp: the reference model. What a node may output given
// what its children output (check_finished), what a node can still do given
// the driver's state (eval), what must have happened once the loop stalled
// (check_stalled), and what must hold at the very end (check_end). Read it
// as the semantics the fuzzer holds pollen to.
#include "futures.hpp"
#include "world.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace fuzz {

namespace {
World* g_world = nullptr;
}
World& world() { return *g_world; }
void set_world(World* w) { g_world = w; }

const char* kind_name(Kind k) noexcept {
  switch (k) {
    case Kind::Leaf: return "Leaf";
    case Kind::Value: return "Value";
    case Kind::Sleep: return "Sleep";
    case Kind::Recv: return "Recv";
    case Kind::Send: return "Send";
    case Kind::OneshotRecv: return "OneshotRecv";
    case Kind::OneshotClosed: return "OneshotClosed";
    case Kind::AwaitTask: return "AwaitTask";
    case Kind::Map: return "Map";
    case Kind::Then: return "Then";
    case Kind::Join: return "Join";
    case Kind::JoinAll: return "JoinAll";
    case Kind::Select: return "Select";
    case Kind::SelectBiased: return "SelectBiased";
    case Kind::SelectAll: return "SelectAll";
    case Kind::Fuse: return "Fuse";
    case Kind::LoopFn: return "LoopFn";
    case Kind::Boxed: return "Boxed";
    case Kind::PollFn: return "PollFn";
    case Kind::Timeout: return "Timeout";
    case Kind::Droppable: return "Droppable";
    case Kind::Repoll: return "Repoll";
    case Kind::DropHook: return "DropHook";
  }
  return "?";
}

const char* to_string(TokenStatus s) noexcept {
  switch (s) {
    case TokenStatus::Created: return "Created";
    case TokenStatus::Sending: return "Sending";
    case TokenStatus::Sent: return "Sent";
    case TokenStatus::Received: return "Received";
    case TokenStatus::HandedBack: return "HandedBack";
    case TokenStatus::DroppedInBuffer: return "DroppedInBuffer";
    case TokenStatus::SendDropped: return "SendDropped";
  }
  return "?";
}

std::string to_string(const Outcome& o) {
  switch (o.kind) {
    case Outcome::Kind::None: return "nothing";
    case Outcome::Kind::Value: return fmt::format("Ready({:#x})", o.v);
    case Outcome::Kind::Throw:
      if (o.v >= kMoveFaultCode) return fmt::format("threw MoveFault #{}", o.v - kMoveFaultCode);
      if (o.v == kUnexpectedCode) return "threw something unexpected";
      return fmt::format("threw LeafError(leaf {})", o.v);
  }
  return "?";
}

std::string World::describe_node(int id) const {
  const Spec& s = node(id).spec;
  return fmt::format("node #{} {} (task {})", id, kind_name(s.kind), s.task);
}

std::uint32_t World::new_token(int chan, int sender, std::uint64_t seq) {
  std::lock_guard<std::mutex> lock(token_mu);
  if (tokens.empty()) tokens.emplace_back();  // token 0 means "not a message"
  Token t;
  t.chan = chan;
  t.sender = sender;
  t.seq = seq;
  tokens.push_back(t);
  return static_cast<std::uint32_t>(tokens.size() - 1);
}

std::int64_t World::deadline_of(int id) const {
  const Node& n = node(id);
  const std::int64_t from = n.obs.created ? n.obs.created_at : now_ns;
  return from + n.spec.d_ns;
}

int World::resolve(int id) const {
  while (node(id).obs.forwarded) id = node(id).spec.kids[1];
  return id;
}

// ==== reports from the futures ==================================================

void World::on_created(int id) {
  NodeObs& o = node(id).obs;
  if (o.created) fail(describe_node(id) + " was built twice");
  o.created = true;
  o.created_at = now_ns;
  const Spec& s = node(id).spec;
  if (s.kind == Kind::Send && !o.stand_in) {
    ChanCtl& c = *chans[static_cast<std::size_t>(s.res)];
    std::lock_guard<std::mutex> lock(c.mu);
    ++c.sender_handles;  // the Send future holds a sender until it is done
  }
}

void World::on_polled(int id) {
  NodeObs& o = node(id).obs;
  ++o.polls;
  if (node(id).spec.snapshot) o.ready_at_poll = eval(id, true);
  const TaskCtl& t = tasks[static_cast<std::size_t>(node(id).spec.task)];
  if (t.abort_requested) {
    fail(describe_node(id) +
         " was polled after abort() was called on its task's JoinHandle (an "
         "aborted task's future is destroyed at the next turn, never polled)");
  }
}

void World::on_forwarded(int id) {
  node(id).obs.forwarded = true;
  NodeObs& o = node(id).obs;
  if (!o.then_called)
    fail(describe_node(id) + " handed over its second future before its function ran");
}

void World::on_finished(int id, const Outcome& out, bool budget_spent) {
  NodeObs& o = node(id).obs;
  if (o.completed) {
    fail(describe_node(id) + " finished twice (" + to_string(o.out) + ", then " + to_string(out) +
         ")");
    return;
  }
  o.completed = true;
  o.out = out;
  check_finished(id, out, budget_spent);
  const Spec& s = node(id).spec;
  if ((s.kind == Kind::Send) && !o.stand_in && out.is_value()) {
    ChanCtl& c = *chans[static_cast<std::size_t>(s.res)];
    std::lock_guard<std::mutex> lock(c.mu);
    --c.sender_handles;  // a finished send lets go of its sender
  }
  TaskCtl& t = tasks[static_cast<std::size_t>(s.task)];
  if (resolve(t.root) == id && !t.finished) {
    t.finished = true;
    t.out = out;
  }
}

void World::on_destroyed(int id) {
  NodeObs& o = node(id).obs;
  if (o.destroyed) {
    fail(describe_node(id) + " was destroyed twice");
    return;
  }
  if (!o.created) fail(describe_node(id) + " was destroyed but never built");
  o.destroyed = true;
  const Spec& s = node(id).spec;
  if (s.kind == Kind::Send && !o.stand_in && !(o.completed && o.out.is_value())) {
    ChanCtl& c = *chans[static_cast<std::size_t>(s.res)];
    std::lock_guard<std::mutex> lock(c.mu);
    --c.sender_handles;
  }
  if (s.kind == Kind::OneshotRecv && !o.stand_in) {
    OneshotCtl& c = *oneshots[static_cast<std::size_t>(s.res)];
    std::lock_guard<std::mutex> lock(c.mu);
    c.rx_gone = true;
    // A message sent and not received goes with the receiver (documented).
    std::lock_guard<std::mutex> tlock(token_mu);
    if (c.sent && tokens[c.token].status == TokenStatus::Sent)
      tokens[c.token].status = TokenStatus::DroppedInBuffer;
  }
  if (s.kind == Kind::AwaitTask && !o.stand_in && !o.completed) on_handle_dropped(s.res);
  if (o.forwarded || o.completed) return;
  TaskCtl& t = tasks[static_cast<std::size_t>(s.task)];
  if (resolve(t.root) == id && !t.finished) {
    t.finished = true;
    t.cancelled = true;
    if (!t.abort_requested && !loop_destroying) {
      fail(
          fmt::format("task {}'s future was destroyed before it finished, but the task was "
                      "neither aborted nor was its loop destroyed",
                      s.task));
    }
  }
}

void World::on_received(int id, const Val& v) {
  const Spec& s = node(id).spec;
  const std::uint64_t payload = v.get("a received message");
  const std::uint32_t token = v.token();
  const int chan = s.kind == Kind::Recv ? s.res : 1000 + s.res;
  node(id).obs.received.push_back(payload);
  if (s.kind == Kind::Recv) {
    ChanCtl& c = *chans[static_cast<std::size_t>(s.res)];
    std::lock_guard<std::mutex> lock(c.mu);
    ++c.taken;
  }
  std::lock_guard<std::mutex> lock(token_mu);
  if (token == 0 || token >= tokens.size()) {
    fail(describe_node(id) +
         fmt::format(" received a message that was never sent (token {})", token));
    return;
  }
  Token& t = tokens[token];
  if (payload != mix64(token))
    fail(describe_node(id) + fmt::format(" received token {} with a wrong payload", token));
  if (t.chan != chan)
    fail(describe_node(id) + fmt::format(" received token {} of another channel", token));
  if (t.received != 0) fail(describe_node(id) + fmt::format(" received token {} twice", token));
  const bool ok_status =
      t.status == TokenStatus::Sent || (opt.threads && t.status == TokenStatus::Sending);
  if (!ok_status) {
    fail(describe_node(id) +
         fmt::format(" received token {} whose send was {}, not Sent", token, to_string(t.status)));
  }
  // Messages of one sender arrive in the order they were sent.
  for (std::size_t k = 1; k < tokens.size(); ++k) {
    const Token& u = tokens[k];
    if (k != token && u.chan == t.chan && u.sender == t.sender && u.received != 0 &&
        u.seq > t.seq) {
      fail(describe_node(id) +
           fmt::format(" received token {} after token {}, which its sender sent later", token, k));
      break;
    }
  }
  ++t.received;
  t.status = TokenStatus::Received;
}

void World::on_send_result(int id, pollen::SendResult<Val>& r) {
  const Spec& s = node(id).spec;
  ChanCtl& c = *chans[static_cast<std::size_t>(s.res)];
  bool closed;
  {
    std::lock_guard<std::mutex> lock(c.mu);
    closed = c.rx_closed;
    if (r.is_sent()) ++c.sent;
  }
  if (r.is_sent()) {
    if (closed && !opt.threads)
      fail(describe_node(id) + " said Sent after the receiver was closed");
    std::lock_guard<std::mutex> lock(token_mu);
    Token& t = tokens[s.token];
    if (t.status != TokenStatus::Created) {
      fail(describe_node(id) +
           fmt::format(" said Sent for token {} whose state was {}", s.token, to_string(t.status)));
    }
    t.status = TokenStatus::Sent;
    return;
  }
  if (r.is_full()) fail(describe_node(id) + " (a waiting send) returned Full");
  if (!closed) fail(describe_node(id) + " handed its message back although the receiver was open");
  if (!r.has_value_back()) {
    fail(describe_node(id) + " said " + pollen::to_string(r.status()) +
         " without handing the message back");
    return;
  }
  Val back = r.take_back();
  if (back.token() != s.token || !back.live()) {
    fail(describe_node(id) + " handed back a different or moved-from message");
  }
  std::lock_guard<std::mutex> lock(token_mu);
  tokens[s.token].status = TokenStatus::HandedBack;
}

void World::on_token_event(std::uint32_t token, int delta) {
  std::lock_guard<std::mutex> lock(token_mu);
  if (token >= tokens.size()) {
    fail(fmt::format("a message with an unknown token {} was made", token));
    return;
  }
  Token& t = tokens[token];
  t.live += delta;
  if (t.live < 0)
    fail(fmt::format("message token {} was destroyed more often than it was made", token));
  if (delta > 0 || t.live != 0) return;
  // Its last live instance is gone: how the message ended must allow that.
  if (t.status == TokenStatus::Sent && t.chan < 1000 && !opt.threads) {
    if (!chans[static_cast<std::size_t>(t.chan)]->rx_dropped) {
      fail(
          fmt::format("message token {} was destroyed inside channel {} although its receiver was "
                      "still alive: a message the channel accepted was lost",
                      token, t.chan));
    }
  }
}

void World::on_receiver_dropped(int chan) {
  ChanCtl& c = *chans[static_cast<std::size_t>(chan)];
  std::lock_guard<std::mutex> lock(c.mu);
  c.closed_at_drop = c.rx_closed || c.sender_handles == 0;
  c.buffered_at_drop = c.buffered();
  c.rx_closed = true;
  c.rx_dropped = true;
  c.rx_in_node = nullptr;
  c.rx_waker_in_node = nullptr;
  c.taken = c.sent;
  std::lock_guard<std::mutex> tlock(token_mu);
  for (Token& t : tokens) {
    if (t.chan == chan && t.status == TokenStatus::Sent) t.status = TokenStatus::DroppedInBuffer;
  }
}

void World::on_abort(int task) {
  TaskCtl& t = tasks[static_cast<std::size_t>(task)];
  if (!t.finished) t.abort_requested = true;
}

void World::on_handle_dropped(int task) {
  TaskCtl& t = tasks[static_cast<std::size_t>(task)];
  if (!t.finished) t.handle_dropped_before_finish = true;
  if (t.handle_state == TaskCtl::Handle::Held) t.handle_state = TaskCtl::Handle::Dropped;
}

void World::spawn_from_hook(int task) {
  TaskCtl& t = tasks[static_cast<std::size_t>(task)];
  t.spawned = true;
  spawned_by_hooks.push_back(loop->spawn(t.name, build(t.root)));
  hook_tasks.push_back(task);
}

// ==== what a finished node may have output =======================================

const Outcome* World::child_outcome(int id, const char* what, int parent) {
  const NodeObs& o = node(resolve(id)).obs;
  if (!o.completed) {
    fail(describe_node(parent) + " finished, but its " + what + " (" + describe_node(id) +
         ") never did");
    return nullptr;
  }
  return &o.out;
}

void World::check_finished(int id, const Outcome& out, bool budget_spent) {
  const Spec& s = node(id).spec;
  const NodeObs& o = node(id).obs;
  auto bad = [&](const std::string& why) {
    fail(describe_node(id) + " output " + to_string(out) + ", but " + why);
  };
  auto same_as = [&](int kid, const char* what) {
    const Outcome* c = child_outcome(kid, what, id);
    if (c != nullptr && *c != out) bad(std::string("its ") + what + " output " + to_string(*c));
  };
  // A combinator that threw passes on the exception of one of its children.
  auto thrown_by_a_child = [&]() {
    for (int k : s.kids) {
      const NodeObs& c = node(resolve(k)).obs;
      if (c.completed && c.out == out) return;
    }
    bad("no child threw that");
  };
  if (out.is_throw() && out.v >= kMoveFaultCode) return;  // injected: anywhere goes
  if (o.stand_in) {
    if (out != Outcome::value(kStandIn)) bad("a stand-in is Ready(kStandIn)");
    return;
  }
  switch (s.kind) {
    case Kind::Leaf: {
      LeafCtl& c = *leaves[static_cast<std::size_t>(s.res)];
      std::lock_guard<std::mutex> lock(c.mu);
      if (c.state == LeafCtl::State::Open) bad("the driver had not completed the leaf");
      if (c.state == LeafCtl::State::Value && out != Outcome::value(c.value))
        bad("the driver completed it with another value");
      if (c.state == LeafCtl::State::Throw &&
          out != Outcome::thrown(static_cast<std::uint64_t>(s.res)))
        bad("the driver made it throw");
      return;
    }
    case Kind::Value:
      if (out != Outcome::value(s.k)) bad("ready(k) outputs k");
      return;
    case Kind::Sleep:
      if (out != Outcome::value(s.k)) bad("a Sleep outputs Unit (mapped to k)");
      if (now_ns < deadline_of(id))
        bad(fmt::format("its deadline ({} ns) had not passed (now {} ns)", deadline_of(id),
                        now_ns));
      return;
    case Kind::Map: {
      const Outcome* c = child_outcome(s.kids[0], "child", id);
      if (c == nullptr) return;
      if (c->is_throw() ? out != *c : out != Outcome::value(combine(c->v, s.k))) {
        bad("its child output " + to_string(*c));
      }
      return;
    }
    case Kind::Then: {
      const Outcome* first = child_outcome(s.kids[0], "first future", id);
      if (first == nullptr) return;
      if (first->is_throw()) {
        if (out != *first) bad("its first future " + to_string(*first));
        return;
      }
      if (!o.then_called || o.then_input != first->v)
        bad("its function did not get the first future's value");
      same_as(s.kids[1], "second future");
      return;
    }
    case Kind::Join:
    case Kind::JoinAll: {
      if (out.is_throw()) return thrown_by_a_child();
      std::uint64_t acc = 0;
      for (int k : s.kids) {
        const Outcome* c = child_outcome(k, "child", id);
        if (c == nullptr) return;
        if (!c->is_value()) return bad("a child threw");
        acc = combine(acc, c->v);
      }
      if (out.v != acc) bad("that is not the fold of its children's values");
      return;
    }
    case Kind::Select:
    case Kind::SelectBiased:
    case Kind::SelectAll: {
      if (out.is_throw()) return thrown_by_a_child();
      if (o.winner < 0 || o.winner >= static_cast<int>(s.kids.size()))
        return bad("its winner index is out of range");
      const Outcome* w = child_outcome(s.kids[static_cast<std::size_t>(o.winner)], "winner", id);
      if (w != nullptr && *w != out)
        bad(fmt::format("its winner (child {}) output {}", o.winner, to_string(*w)));
      for (std::size_t k = 0; k < s.kids.size(); ++k) {
        if (static_cast<int>(k) != o.winner && node(resolve(s.kids[k])).obs.completed) {
          bad(fmt::format("child {} finished too (a select stops at its first Ready child)", k));
        }
      }
      // select_biased polls in argument order: no earlier child could have been Ready.
      if (s.kind == Kind::SelectBiased && !budget_spent && !opt.threads) {
        for (int k = 0; k < o.winner; ++k) {
          const Eval e = node(resolve(s.kids[static_cast<std::size_t>(k)])).obs.ready_at_poll;
          if (e.certain() && !e.thrown)
            bad(fmt::format("child {} was Ready before the winner {} in argument order", k,
                            o.winner));
        }
      }
      return;
    }
    case Kind::Fuse:
    case Kind::Boxed:
    case Kind::PollFn:
    case Kind::Repoll:
    case Kind::DropHook: return same_as(s.kids[0], "child");
    case Kind::LoopFn: {
      std::uint64_t acc = 0;
      for (int k : s.kids) {
        const Outcome* c = child_outcome(k, "step", id);
        if (c == nullptr) return;
        if (c->is_throw()) {
          if (out != *c) bad("a step " + to_string(*c));
          return;
        }
        acc = combine(acc, c->v);
      }
      if (out != Outcome::value(acc)) bad("that is not the fold of its steps' values");
      return;
    }
    case Kind::Timeout: {
      if (!o.timed_out) return same_as(s.kids[0], "inner future");
      if (out != Outcome::value(kTimedOut)) bad("a timeout that elapsed outputs none");
      if (now_ns < deadline_of(id))
        bad(fmt::format("it gave none before its deadline ({} ns, now {} ns)", deadline_of(id),
                        now_ns));
      if (node(resolve(s.kids[0])).obs.completed) bad("its inner future had finished");
      // The inner future is polled first: if it could only be Ready, it wins.
      const Eval e = node(resolve(s.kids[0])).obs.ready_at_poll;
      if (!budget_spent && !opt.threads && e.certain() && e.value && !e.thrown) {
        bad("its inner future was Ready at the deadline, and the inner future wins then");
      }
      return;
    }
    case Kind::Recv: {
      if (out != Outcome::value(recv_fold(o.received, o.recv_ended)))
        bad("that is not the fold of what it received");
      if (!o.recv_ended && static_cast<int>(o.received.size()) != s.n)
        bad("it received fewer messages than it waits for");
      if (o.recv_ended && !opt.threads) {
        ChanCtl& c = *chans[static_cast<std::size_t>(s.res)];
        std::lock_guard<std::mutex> lock(c.mu);
        if (!c.ended()) bad("the stream ended while the channel was open and had senders");
        if (c.buffered() != 0)
          bad(fmt::format("the stream ended with {} messages still buffered", c.buffered()));
      }
      return;
    }
    case Kind::Send:
      if (out != Outcome::value(kSent) && out != Outcome::value(kHandedBack))
        bad("a send says Sent or Closed");
      return;
    case Kind::OneshotRecv: {
      OneshotCtl& c = *oneshots[static_cast<std::size_t>(s.res)];
      std::lock_guard<std::mutex> lock(c.mu);
      if (out == Outcome::value(kOneshotClosed)) {
        if (!c.sender_dropped) bad("its sender was not dropped without sending");
      } else if (!c.sent || out != Outcome::value(mix64(c.token))) {
        bad("that is not the message its sender sent");
      }
      return;
    }
    case Kind::OneshotClosed: {
      OneshotCtl& c = *oneshots[static_cast<std::size_t>(s.res)];
      std::lock_guard<std::mutex> lock(c.mu);
      if (out != Outcome::value(kRxGone)) bad("closed() outputs Unit");
      if (!c.rx_gone) bad("the receiver was still there");
      return;
    }
    case Kind::AwaitTask: {
      const TaskCtl& t = tasks[static_cast<std::size_t>(s.res)];
      if (!t.finished) return bad(fmt::format("task {} had not finished", s.res));
      if (o.join_cancelled) {
        if (out != Outcome::value(kCancelled)) bad("a cancelled JoinResult becomes kCancelled");
        if (!t.cancelled) bad(fmt::format("task {} was not cancelled", s.res));
      } else if (t.cancelled || out != t.out) {
        bad(fmt::format("task {} output {}", s.res,
                        t.cancelled ? "nothing (cancelled)" : to_string(t.out)));
      }
      return;
    }
    case Kind::Droppable:
      if (out == Outcome::value(kDropped) && drops[static_cast<std::size_t>(s.res)].dropped) return;
      return same_as(s.kids[0], "child");
  }
}

// ==== what a node can still do ==================================================

namespace {
// A leaf that waits for another task (a channel's other end, a oneshot's
// receiver going away) and is not ready: as far as this poll goes, Pending;
// as far as the future goes, the other task may or may not do it.
Eval other_tasks(bool ready_now) { return ready_now ? Eval::P() : Eval::maybe_v(); }

// a, then b (then, loop_fn): b runs only if a gives a value.
Eval seq(const Eval& a, const Eval& b) {
  return Eval{a.pending || (a.value && b.pending), a.value && b.value,
              a.thrown || (a.value && b.thrown)};
}
}  // namespace

Eval World::eval(int id, bool ready_now) const {
  id = resolve(id);
  const Node& n = node(id);
  const Spec& s = n.spec;
  const NodeObs& o = n.obs;
  if (o.completed) return o.out.is_value() ? Eval::V() : Eval::T();
  if (o.stand_in) return Eval::V();
  auto kid = [&](std::size_t i) { return eval(s.kids[i], ready_now); };
  switch (s.kind) {
    case Kind::Leaf: {
      LeafCtl& c = *leaves[static_cast<std::size_t>(s.res)];
      std::lock_guard<std::mutex> lock(c.mu);
      if (c.state == LeafCtl::State::Open) return Eval::P();
      return c.state == LeafCtl::State::Value ? Eval::V() : Eval::T();
    }
    case Kind::Value: return Eval::V();
    case Kind::Sleep: return now_ns >= deadline_of(id) ? Eval::V() : Eval::P();
    case Kind::Recv: {
      ChanCtl& c = *chans[static_cast<std::size_t>(s.res)];
      std::lock_guard<std::mutex> lock(c.mu);
      if (!o.created && !c.rx) return Eval::V();  // will be a stand-in
      const long got = static_cast<long>(o.received.size());
      if (o.destroyed) {  // judged as it was just before it went (timeout's check)
        return (got + c.buffered_at_drop >= s.n || c.closed_at_drop) ? Eval::V() : Eval::P();
      }
      if (got + c.buffered() >= s.n || c.ended()) return Eval::V();
      return other_tasks(ready_now);  // senders in other tasks may send, or go
    }
    case Kind::Send: {
      ChanCtl& c = *chans[static_cast<std::size_t>(s.res)];
      std::lock_guard<std::mutex> lock(c.mu);
      if (!o.created && !c.btx.has_value() && !c.utx.has_value())
        return Eval::V();  // will be a stand-in
      if (c.rx_closed || !c.bounded) return Eval::V();
      return c.buffered() < static_cast<long>(c.cap) ? Eval::maybe_v() : other_tasks(ready_now);
    }
    case Kind::OneshotRecv: {
      OneshotCtl& c = *oneshots[static_cast<std::size_t>(s.res)];
      std::lock_guard<std::mutex> lock(c.mu);
      if (!o.created && !c.rx.has_value()) return Eval::V();  // will be a stand-in
      return (c.sent || c.sender_dropped) ? Eval::V() : Eval::P();
    }
    case Kind::OneshotClosed: {
      OneshotCtl& c = *oneshots[static_cast<std::size_t>(s.res)];
      std::lock_guard<std::mutex> lock(c.mu);
      if (!o.created && (!c.tx.has_value() || !c.tx->is_valid()))
        return Eval::V();                                     // will be a stand-in
      return c.rx_gone ? Eval::V() : other_tasks(ready_now);  // the receiver's task may finish
    }
    case Kind::AwaitTask: {
      const TaskCtl& t = tasks[static_cast<std::size_t>(s.res)];
      if (!o.created && !t.handle.has_value()) return Eval::V();  // will be a stand-in
      if (t.finished) return t.cancelled || t.out.is_value() ? Eval::V() : Eval::T();
      if (ready_now) return Eval::P();
      if (t.abort_requested) return Eval::V();
      return eval(t.root);
    }
    case Kind::Map:
    case Kind::Fuse:
    case Kind::Boxed:
    case Kind::PollFn:
    case Kind::Repoll:
    case Kind::DropHook: return kid(0);
    case Kind::Then: return seq(kid(0), kid(1));
    case Kind::LoopFn: {
      Eval e = kid(0);
      for (std::size_t i = 1; i < s.kids.size(); ++i) e = seq(e, kid(i));
      return e;
    }
    case Kind::Join:
    case Kind::JoinAll: {
      // Every child must give a value; a child that can only throw makes
      // the join throw (it is woken and polled like any other).
      Eval e{false, true, false};
      bool certain_throw = false;
      for (std::size_t i = 0; i < s.kids.size(); ++i) {
        const Eval c = kid(i);
        e.pending = e.pending || c.pending;
        e.value = e.value && c.value;
        e.thrown = e.thrown || c.thrown;
        if (c.thrown && !c.pending && !c.value) certain_throw = true;
      }
      if (certain_throw) return Eval::T();
      return e;
    }
    case Kind::Select:
    case Kind::SelectBiased:
    case Kind::SelectAll: {
      // The first child that finishes decides; pending only if all can be.
      Eval e{true, false, false};
      for (std::size_t i = 0; i < s.kids.size(); ++i) {
        const Eval c = kid(i);
        e.pending = e.pending && c.pending;
        e.value = e.value || c.value;
        e.thrown = e.thrown || c.thrown;
      }
      return e;
    }
    case Kind::Timeout: {
      const Eval c = kid(0);
      if (now_ns < deadline_of(id)) return c;
      // Past the deadline: the next poll gives the inner future's result if
      // the inner future can give it right now, else none. (Whether an inner
      // future that waits for another task finishes first depends on the
      // order of that turn's polls: either.)
      const Eval now = ready_now ? c : eval(s.kids[0], true);
      if (now.certain()) return now;
      return Eval{false, true, c.thrown};
    }
    case Kind::Droppable:
      if (drops[static_cast<std::size_t>(s.res)].dropped) return Eval::V();
      return kid(0);
  }
  return Eval::P();
}

bool World::model_exact() const {
  for (const TaskCtl& t : tasks) {
    if (t.spawned && t.abort_requested && !t.finished) return false;
  }
  for (const Node& n : nodes) {
    if (n.spec.kind == Kind::DropHook && n.spec.n == 0 && n.obs.created && !n.obs.destroyed)
      return false;
  }
  return true;
}

// ==== after the loop stalled =====================================================

void World::check_stalled() {
  // Deepest nodes first (children have larger ids than their parents), so
  // the report names the node that was not woken rather than its ancestors.
  for (std::size_t i = nodes.size(); i-- > 0;) {
    const int id = static_cast<int>(i);
    const NodeObs& o = nodes[i].obs;
    if (!o.created || o.destroyed || o.completed || o.forwarded) continue;
    const Eval e = eval(id);
    if (e.certain()) {
      fail(describe_node(id) + " must be Ready (" + (e.thrown ? "or throw" : "with a value") +
           ") once the loop stalled, but was not polled to completion: a lost wake");
      return;
    }
  }
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    const TaskCtl& t = tasks[i];
    if (t.spawned && t.abort_requested && !t.finished) {
      fail(fmt::format("task {} was aborted, but its future was still alive after the loop stalled",
                       i));
    }
  }
  // A waiting send is granted a slot as soon as there is room.
  for (std::size_t c = 0; c < chans.size(); ++c) {
    ChanCtl& ch = *chans[c];
    if (!ch.bounded || ch.rx_closed || ch.buffered() >= static_cast<long>(ch.cap)) continue;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      const Node& n = nodes[i];
      if (n.spec.kind == Kind::Send && n.spec.res == static_cast<int>(c) && n.obs.created &&
          !n.obs.destroyed && !n.obs.completed && !n.obs.stand_in) {
        fail(
            fmt::format("channel {} had room ({} of {} buffered) after the loop stalled, but {} "
                        "was still waiting",
                        c, ch.buffered(), ch.cap, describe_node(static_cast<int>(i))));
        return;
      }
    }
  }
}

// ==== at the end =================================================================

void World::check_end() {
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const NodeObs& o = nodes[i].obs;
    if (o.created && !o.destroyed) {
      fail(describe_node(static_cast<int>(i)) + " was never destroyed (leaked)");
      break;
    }
  }
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    const TaskCtl& t = tasks[i];
    if (t.spawned && !t.finished)
      fail(fmt::format("task {} never finished, not even at the loop's destruction", i));
    if (t.spawned && t.finished && !t.cancelled && t.out.is_throw() && t.out.v < kMoveFaultCode &&
        t.handle_dropped_before_finish && t.unhandled_reports != 1) {
      fail(
          fmt::format("task {} threw with no JoinHandle, and the unhandled-exception handler was "
                      "called {} times (once expected)",
                      i, t.unhandled_reports));
    }
  }
  std::lock_guard<std::mutex> lock(token_mu);
  for (std::size_t k = 1; k < tokens.size(); ++k) {
    const Token& t = tokens[k];
    if (t.live != 0) {
      fail(fmt::format("message token {} ({}) still has {} live copies at the end", k,
                       to_string(t.status), t.live));
      break;
    }
    if (t.status == TokenStatus::Sent || t.status == TokenStatus::Sending) {
      fail(fmt::format(
          "message token {} was accepted by channel {} but never received nor destroyed "
          "with its receiver: lost",
          k, t.chan));
      break;
    }
  }
}

// ==== rendering ====================================================================

std::string World::render_tree(int root) const {
  std::string out;
  struct Frame {
    int id;
    int depth;
  };
  std::vector<Frame> stack{{root, 0}};
  while (!stack.empty()) {
    Frame f = stack.back();
    stack.pop_back();
    const Spec& s = node(f.id).spec;
    const NodeObs& o = node(f.id).obs;
    std::string detail;
    switch (s.kind) {
      case Kind::Leaf: detail = fmt::format(" leaf {}", s.res); break;
      case Kind::Value: detail = fmt::format(" {:#x}", s.k); break;
      case Kind::Sleep: detail = fmt::format(" {} ns", s.d_ns); break;
      case Kind::Timeout: detail = fmt::format(" {} ns", s.d_ns); break;
      case Kind::Recv: detail = fmt::format(" chan {} x{}", s.res, s.n); break;
      case Kind::Send: detail = fmt::format(" chan {} token {}", s.res, s.token); break;
      case Kind::OneshotRecv:
      case Kind::OneshotClosed: detail = fmt::format(" oneshot {}", s.res); break;
      case Kind::AwaitTask: detail = fmt::format(" task {}", s.res); break;
      case Kind::Droppable: detail = fmt::format(" drop point {}", s.res); break;
      case Kind::DropHook:
        detail = s.n == 0 ? fmt::format(" aborts task {}", s.res)
                          : fmt::format(" spawns task {}", s.res);
        break;
      default: break;
    }
    std::string state;
    if (o.completed)
      state = " = " + to_string(o.out);
    else if (o.forwarded)
      state = " (forwarded)";
    else if (o.destroyed)
      state = " (destroyed)";
    else if (o.created)
      state = " (pending)";
    out += std::string(static_cast<std::size_t>(2 * f.depth), ' ') +
           fmt::format("#{} {}{}{}\n", f.id, kind_name(s.kind), detail, state);
    for (std::size_t i = s.kids.size(); i-- > 0;) stack.push_back(Frame{s.kids[i], f.depth + 1});
  }
  return out;
}

}  // namespace fuzz
