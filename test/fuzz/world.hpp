// test/fuzz/world.hpp: the scenario's state: the generated trees (Spec),
// what the driver controls (leaves, channels, oneshots, drop points, tasks,
// the virtual clock), what the futures were seen to do (NodeObs), and the
// reference model that judges it (model.cpp).
//
// How a scenario is checked
// =========================
// Every node of a generated tree is built as a future wrapped in a recorder
// (futures.hpp) that reports to the World when the node is created, when it
// is Ready (with its value), when its poll throws, and when it is destroyed.
// The model checks each report when it happens, against the reports of the
// node's children and the driver's state at that moment:
//   * a leaf is Ready only after the driver completed it, with its value;
//   * map(c, k) is combine(c, k); join's tuple is its children's values;
//     select's winner is a child that was Ready with that value (and for
//     select_biased no earlier child could have been Ready);
//   * timeout is none only when its deadline has passed and its child could
//     not be Ready then; a sleep is Ready only once its deadline passed;
//   * a receive gets only messages that were sent, each once, in order per
//     sender; the end of the stream only when the channel has ended;
//   * an aborted task's future is never polled again.
// After the loop stalls (run_until_stalled), the model evaluates every live
// node: one that must be Ready whatever happens next (Eval::certain()) and
// is not, was not woken: a lost wake. At the end, every object is destroyed
// exactly once and every message sent was received, handed back, or
// destroyed where the documentation says so.
//
// Threads: leaves (LeafCtl::mu), channel counts (ChanCtl::mu), oneshot
// sends (OneshotCtl::mu) and the token ledger (World::token_mu) may be
// touched by the cross-thread senders; everything else belongs to the loop's
// thread.
#pragma once

#include "avoid.hpp"
#include "support.hpp"

#include <pollen/pollen.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace fuzz {

// ---- the generated tree ------------------------------------------------------

enum class Kind : std::uint8_t {
  // Leaves (no children)
  Leaf,           // a controlled leaf: the driver completes it, makes it throw, or never
  Value,          // pollen::ready(k)
  Sleep,          // pollen::sleep(d) on the loop's virtual clock, then the value k
  Recv,           // receives up to n messages of channel `res` (owns its receiver)
  Send,           // sends one message (token) on channel `res`
  OneshotRecv,    // the receiver of oneshot `res` (itself a future)
  OneshotClosed,  // closed() of oneshot `res`'s sender: Ready once its receiver is gone
  AwaitTask,      // the JoinHandle of task `res`
  // Library combinators
  Map,           // map(child, combine(., k))
  Then,          // then(first, fn): fn builds kids[1] (returned boxed: adoption)
  Join,          // join(2 or 3 children)
  JoinAll,       // join_all(vector)
  Select,        // select(2 or 3 children)
  SelectBiased,  // select_biased(2 children)
  SelectAll,     // select_all(vector)
  Fuse,          // fuse(child)
  LoopFn,        // loop_fn over the steps kids[0..]: one step future per iteration
  Boxed,         // boxed(child) once more: a box in a box
  PollFn,        // poll_fn that polls the child
  Timeout,       // timeout(child, d)
  // The fuzzer's own wrappers
  Droppable,  // the driver may destroy its child at any time: Ready(kDropped)
  Repoll,     // polls its finished child once more: expects the ContractError
  DropHook,   // its destructor aborts task `res` (n == 0), or spawns task `res` (n == 1)
};
const char* kind_name(Kind k) noexcept;

struct Spec {
  Kind kind = Kind::Leaf;
  int task = -1;            // the task whose tree holds this node
  bool snapshot = false;    // note what a poll could give at each poll (see NodeObs::ready_at_poll)
  std::vector<int> kids;    // children, by node id
  std::uint64_t k = 0;      // Value, Sleep: the value; Map: the constant
  int res = -1;             // the leaf, channel, oneshot, task or drop point it uses
  int n = 0;                // Recv: how many messages; Then: 1 = no adoption;
                            // DropHook: 0 = aborts task res, 1 = spawns it
  std::int64_t d_ns = 0;    // Sleep, Timeout: the duration
  std::uint32_t token = 0;  // Send: the message
};

// Special values a node produces (64-bit constants: a generated value
// equals one of them with negligible probability).
const std::uint64_t kTimedOut = 0x7133d0a7c0ffee01ULL;       // timeout: none
const std::uint64_t kDropped = 0x7133d0a7c0ffee02ULL;        // Droppable: child destroyed
const std::uint64_t kCancelled = 0x7133d0a7c0ffee03ULL;      // AwaitTask: cancelled
const std::uint64_t kSent = 0x7133d0a7c0ffee04ULL;           // Send: Sent
const std::uint64_t kHandedBack = 0x7133d0a7c0ffee05ULL;     // Send: Closed, value back
const std::uint64_t kOneshotClosed = 0x7133d0a7c0ffee06ULL;  // OneshotRecv: Closed
const std::uint64_t kRxGone = 0x7133d0a7c0ffee07ULL;         // OneshotClosed: Ready
const std::uint64_t kStandIn = 0x7133d0a7c0ffee08ULL;        // a node whose resource was gone

// ---- what was seen -----------------------------------------------------------

struct Outcome {
  enum class Kind : std::uint8_t { None, Value, Throw };
  Kind kind = Kind::None;
  std::uint64_t v = 0;  // Value: the value; Throw: the code (leaf id, or kMoveFaultCode + n)
  static Outcome value(std::uint64_t v) { return Outcome{Kind::Value, v}; }
  static Outcome thrown(std::uint64_t code) { return Outcome{Kind::Throw, code}; }
  bool is_value() const noexcept { return kind == Kind::Value; }
  bool is_throw() const noexcept { return kind == Kind::Throw; }
  bool operator==(const Outcome& o) const noexcept { return kind == o.kind && v == o.v; }
  bool operator!=(const Outcome& o) const noexcept { return !(*this == o); }
};
std::string to_string(const Outcome& o);
const std::uint64_t kMoveFaultCode = 1ULL << 62;   // Throw code of an injected move fault
const std::uint64_t kUnexpectedCode = 1ULL << 61;  // an exception that is a failure itself

// What the model says a node can still do: a set of outcomes. certain():
// it cannot stay Pending, so after the loop stalled it must have finished.
struct Eval {
  bool pending = false;
  bool value = false;
  bool thrown = false;
  static Eval P() { return Eval{true, false, false}; }
  static Eval V() { return Eval{false, true, false}; }
  static Eval T() { return Eval{false, false, true}; }
  static Eval maybe_v() { return Eval{true, true, false}; }  // pending or value: unknown
  bool certain() const noexcept { return !pending; }
  Eval operator|(const Eval& o) const {
    return Eval{pending || o.pending, value || o.value, thrown || o.thrown};
  }
};

// What a repoll of a finished node did.
enum class Repolled : std::uint8_t { NotYet, ContractError, Pending, Ready, OtherThrow };

struct NodeObs {
  bool created = false;
  bool completed = false;  // Ready or threw (out says which)
  bool destroyed = false;
  bool forwarded = false;  // a Then that handed its second future to the box around it
  bool stand_in = false;   // built as Ready(kStandIn): its resource was gone
  // The node's own poll returned Ready, and a move in its recorder (the
  // conversion of the output) threw afterwards: `out` says thrown, but the
  // node itself finished normally (a Fuse is then Terminated, not Poisoned).
  bool threw_after_ready = false;
  Outcome out;
  std::int64_t created_at = 0;  // model clock (ns) at creation: Sleep and Timeout deadlines
  int polls = 0;
  // What the model said a poll could give, just before the node's last poll
  // (Spec::snapshot: children of select_biased and timeout, whose checks
  // need the state as it was when the child was polled, not after its
  // siblings ran).
  Eval ready_at_poll;
  // Recorded by the node's converter (futures.hpp):
  int winner = -1;                      // Select*, the index of the winner
  bool timed_out = false;               // Timeout: none
  bool join_cancelled = false;          // AwaitTask: the JoinResult was "cancelled"
  bool then_called = false;             // Then: fn ran ...
  std::uint64_t then_input = 0;         // ... with this value
  std::vector<std::uint64_t> received;  // Recv: payloads received, in order
  bool recv_ended = false;              // Recv: saw the end of the stream
  // Repoll probe (Repoll parent -> the recorder of this node)
  bool repoll_armed = false;
  Repolled repolled = Repolled::NotYet;
};

struct Node {
  Spec spec;
  NodeObs obs;
};

// ---- what the driver controls --------------------------------------------------

struct LeafCtl {
  enum class State : std::uint8_t { Open, Value, Throw };
  std::mutex mu;
  State state = State::Open;  // guarded by mu
  std::uint64_t value = 0;    // guarded by mu
  pollen::Waker waker;        // guarded by mu: the waker of the leaf's last Pending poll
  int node = -1;              // the Leaf node (never changes)
  bool alive = false;         // a Leaf future exists (loop thread)
};

// A message's life (see World::check_tokens_at_end for the allowed ends).
enum class TokenStatus : std::uint8_t {
  Created,          // in its sender's hands (a Send future, or the driver)
  Sending,          // offered from another thread, result not yet known
  Sent,             // in the channel (the send said Sent)
  Received,         // taken out by the receiver
  HandedBack,       // the send said Closed or Full and gave it back
  DroppedInBuffer,  // in the channel when the receiver was destroyed
  SendDropped,      // its pending Send future was destroyed (documented loss)
};
const char* to_string(TokenStatus s) noexcept;

struct Token {
  int chan = -1;
  int sender = 0;         // who sent it: the driver 0, a Send node 1000 + node, a thread < 0
  std::uint64_t seq = 0;  // order among the messages of one sender
  TokenStatus status = TokenStatus::Created;
  int live = 0;  // live instances (copies included); must end at 0
  int received = 0;
};

struct ChanCtl {
  bool bounded = false;
  std::size_t cap = 0;
  pollen::Option<pollen::Sender<Val>> btx;           // the driver's sender (bounded)
  pollen::Option<pollen::UnboundedSender<Val>> utx;  // ... (unbounded)
  std::unique_ptr<pollen::Receiver<Val>> rx;         // until the Recv node takes it
  pollen::Receiver<Val>* rx_in_node = nullptr;       // while the Recv node lives
  pollen::Waker* rx_waker_in_node = nullptr;         // ... and the waker of its last poll
  int consumer = -1;                                 // the Recv node, if any
  // The model of the channel (mu: cross-thread senders update the counts)
  std::mutex mu;
  bool rx_closed = false;       // close() called, or the receiver destroyed
  bool rx_dropped = false;      // the receiver destroyed
  bool closed_at_drop = false;  // ... rx_closed and buffered() just before (what the
  long buffered_at_drop = 0;    //     Recv node could have done before it was destroyed)
  int sender_handles = 1;       // live senders: the driver's, pending Send nodes, threads
  long sent = 0;                // messages the channel accepted
  long taken = 0;               // ... received, or destroyed with the receiver
  std::uint64_t next_seq = 1;   // the driver's next message order
  long buffered() const { return sent - taken; }
  bool ended() const { return rx_closed || sender_handles == 0; }
};

struct OneshotCtl {
  pollen::Option<pollen::OneshotSender<Val>> tx;    // the driver's
  pollen::Option<pollen::OneshotReceiver<Val>> rx;  // until the OneshotRecv node takes it
  int consumer = -1;
  std::mutex mu;
  bool sent = false;            // send() said Sent (mu)
  std::uint32_t token = 0;      // the message sent
  bool sender_dropped = false;  // the sender is gone without sending (mu)
  bool rx_gone = false;         // the receiver was destroyed
  bool closed_waiter = false;   // an OneshotClosed node exists (at most one)
};

struct DropSlot;  // futures.hpp
struct DropCtl {
  DropSlot* slot = nullptr;  // while the Droppable future lives
  int node = -1;
  bool dropped = false;
};

struct TaskCtl {
  int root = -1;
  std::string name;
  pollen::Option<pollen::JoinHandle<Val>> handle;  // held by the driver
  enum class Handle : std::uint8_t { Held, Dropped, InNode, Joined } handle_state = Handle::Held;
  bool spawned = false;
  bool abort_requested = false;  // abort() before it finished
  bool finished = false;         // the root is Ready, threw, or was destroyed
  bool cancelled = false;        // ... destroyed without finishing
  Outcome out;                   // Ready / threw: the root's outcome
  bool handle_dropped_before_finish = false;
  int unhandled_reports = 0;  // calls of the unhandled-exception handler
  std::uint64_t unhandled_code = 0;
  bool handle_claimed = false;  // generation: a node will take the handle
};

// ---- options ---------------------------------------------------------------------

struct Options {
  bool exceptions = POLLEN_HAS_EXCEPTIONS != 0;  // leaves may throw; ContractErrors are checked
  bool threads = false;                          // cross-thread senders and wakers
  AvoidSet avoid;
  bool verbose = false;  // print each action as it runs
};

// ---- the world -------------------------------------------------------------------

class World {
 public:
  explicit World(const Options& o) : opt(o) {}
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  Options opt;
  std::vector<Node> nodes;
  std::vector<std::unique_ptr<LeafCtl>> leaves;
  std::vector<std::unique_ptr<ChanCtl>> chans;
  std::vector<std::unique_ptr<OneshotCtl>> oneshots;
  std::vector<DropCtl> drops;
  std::vector<TaskCtl> tasks;
  std::mutex token_mu;
  std::vector<Token> tokens;  // tokens[0] unused (0 means "not a message")
  pollen::EventLoop* loop = nullptr;
  bool loop_destroying = false;  // inside ~EventLoop
  bool faults_fired = false;     // an injected move fault was thrown
  std::int64_t now_ns = 0;       // the model's clock (virtual time since the loop's start)
  pollen::TimePoint start;       // the loop's clock at the start
  long epoch = 0;                // actions so far
  std::vector<pollen::JoinHandle<Val>> spawned_by_hooks;  // handles the driver adopts
  std::vector<int> hook_tasks;                            // their task ids, in order

  // Builds node `id` as a future (futures.hpp / build.cpp).
  pollen::BoxFuture<Val> build(int id);

  // ---- reports from the futures (model.cpp) ----
  void on_created(int id);
  void on_polled(int id);
  // The node finished: checks its outcome. `budget_spent`: the poll's
  // cooperative budget was spent (a child may then have been Pending
  // although it could be Ready).
  void on_finished(int id, const Outcome& out, bool budget_spent);
  void on_destroyed(int id);
  void on_forwarded(int id);
  void on_received(int node, const Val& v);
  void on_send_result(int node, pollen::SendResult<Val>& r);  // takes a value handed back
  void on_token_event(std::uint32_t token, int delta);
  void on_receiver_dropped(int chan);
  void on_abort(int task);           // abort() called on the task's handle
  void on_handle_dropped(int task);  // the task's handle dropped or detached
  void spawn_from_hook(int task);    // a DropHook spawns the task

  // ---- the model ----
  // `ready_now`: what a poll right now would give (a task it awaits must
  // have finished already), rather than what it will do once every task
  // ran (the liveness check after a stall).
  Eval eval(int id, bool ready_now = false) const;
  // Follows a forwarded Then to the node whose box took its place.
  int resolve(int id) const;
  // False while something the model does not follow step by step is in
  // flight: an abort not yet carried out, a live DropHook that will abort a
  // task. Its `certain` is exact only when true (after a stall it is).
  bool model_exact() const;
  // After run_until_stalled: every node and task that must have finished did.
  void check_stalled();
  // At the very end (loop gone, handles gone): counts and message fates.
  void check_end();

  std::uint32_t new_token(int chan, int sender, std::uint64_t seq);
  std::int64_t deadline_of(int id) const;  // Sleep, Timeout (created)
  const Node& node(int id) const { return nodes[static_cast<std::size_t>(id)]; }
  Node& node(int id) { return nodes[static_cast<std::size_t>(id)]; }
  std::string describe_node(int id) const;  // "#12 Select"
  std::string render_tree(int root) const;  // an indented tree, with states

 private:
  void check_finished(int id, const Outcome& out, bool budget_spent);
  Eval eval_uncreated(int id) const;
  const Outcome* child_outcome(int id, const char* what, int parent);
};

// The world of the scenario running on this thread (the futures find it).
World& world();
void set_world(World* w);

}  // namespace fuzz
