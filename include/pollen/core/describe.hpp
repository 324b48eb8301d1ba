// pollen/core/describe.hpp: introspection. Every library future can say what
// it is, which state it is in, and which futures it holds.
//
// Example:
//
//   void describe(pollen::Describer& d) const {
//     d.node("Then", "state: First");   // name and detail of this node
//     d.child(first_);                  // each child, in order
//   }
//
// pollen::describe(f) renders the tree, each node with its sizeof:
//
//   Then [state: First] 24 B
//   └─ Join [1 of 2 ready] 16 B
//      ├─ Ready [taken] 8 B
//      └─ Sleep [deadline in 4.8 ms] 16 B
//
// pollen::describe(f, observer) adds what a PollObserver (poll_observer.hpp)
// recorded for each node: its polls, and its spurious polls (polls with no
// wake since the previous one, marked "(!)"):
//
//   Then [state: First] 24 B, 3 polls, 1 spurious (!)
//   └─ Join [1 of 2 ready] 16 B, 3 polls, 1 spurious (!)
//      ├─ Ready [taken] 8 B, 1 poll
//      └─ Sleep [deadline in 4.8 ms] 16 B, 3 polls, 1 spurious (!)
//
// A node never polled shows "0 polls", and so does a user future that does
// not record its polls (see pollen::observe_poll in context.hpp). Leaves that are not futures
// (Describer::leaf) show neither size nor polls.
//
// Other renderings: describe_states(f) is the tree without sizes or counts
// (what state-machine tests compare: it does not depend on the ABI), and
// describe_line(f) is one line, `Then[state: First](Join[1 of 2 ready](...))`.
//
// describe() is optional for user futures: a type without one shows as a
// placeholder node with its type name and size. Describing never changes a
// future and is not meant for hot paths (it builds strings).
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/describer.hpp>
#include <pollen/core/poll_observer.hpp>
#include <pollen/core/type_traits.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

POLLEN_NAMESPACE_BEGIN

// One node of a described tree.
struct DescribeNode {
  std::string name;    // e.g. "Then"
  std::string detail;  // e.g. "state: First"; may be empty
  std::size_t size = 0;  // sizeof the described object; 0 for a leaf
  // What a PollObserver recorded; meaningful only when `observed` is true
  // (the tree was described with an observer and the node is a future).
  bool observed = false;
  std::uint64_t polls = 0;
  std::uint64_t spurious = 0;
  std::vector<DescribeNode> children;
};

// What render() shows besides names, details and the tree shape.
struct RenderOptions {
  bool sizes = true;      // "24 B" after each future
  bool stats = true;      // "3 polls, 1 spurious (!)" where observed
  bool one_line = false;  // Name[detail](child, child) on one line, no sizes
};

namespace detail {
std::string type_name_from_signature(const char* pretty_function);

// The name of T as the compiler spells it, without RTTI ("?" where the
// compiler gives no signature to read it from: type_signature<T>()).
template <class T>
std::string type_name() {
  return type_name_from_signature(type_signature<T>());
}

}  // namespace detail

// Renders a tree as indented text, one node per line (or as one line, see
// RenderOptions::one_line). Ends with a newline, except on one line.
std::string render(const DescribeNode& root, const RenderOptions& options = RenderOptions());

// The state tree of `f` as a data structure; with an observer, each node
// also carries its poll counts.
template <class F>
DescribeNode describe_tree(const F& f, const PollObserver* observer = nullptr) {
  DescribeNode root;
  Describer d(root, observer);
  d.describe_here(f);
  return root;
}

// The state tree of `f`, rendered with the size of each node.
template <class F>
std::string describe(const F& f) {
  return render(describe_tree(f));
}

// The state tree of `f` with sizes and what `observer` counted for each node.
template <class F>
std::string describe(const F& f, const PollObserver& observer) {
  return render(describe_tree(f, &observer));
}

// A future (or stream) and an observer, for <pollen/fmt.hpp>.
//
// Example:
//
//   fmt::print("{}", pollen::with_stats(f, observer));
template <class F>
struct WithStats {
  const F* future;
  const PollObserver* observer;
};
template <class F>
WithStats<F> with_stats(const F& f, const PollObserver& observer) noexcept {
  return WithStats<F>{&f, &observer};
}

// The state tree of `f` with names and states only (no sizes, no counts).
template <class F>
std::string describe_states(const F& f) {
  RenderOptions o;
  o.sizes = false;
  o.stats = false;
  return render(describe_tree(f), o);
}

// The state tree of `f` on one line: `Then[state: First](Ready[taken])`.
template <class F>
std::string describe_line(const F& f) {
  RenderOptions o;
  o.one_line = true;
  return render(describe_tree(f), o);
}

POLLEN_NAMESPACE_END
