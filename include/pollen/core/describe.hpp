// pollen/core/describe.hpp: introspection. Every library future can say what
// it is, which state it is in, and which futures it holds:
//
//   void describe(pollen::Describer& d) const {
//     d.node("Then", "state: First");   // name and detail of this node
//     d.child(first_);                  // each child, in order
//   }
//
// pollen::describe(f) renders the tree:
//
//   Then [state: First]
//   └─ Join [1 of 2 ready]
//      ├─ Ready [taken]
//      └─ Sleep [deadline in 4.8 ms]
//
// describe() is optional for user futures: a type without one shows as a
// placeholder node with its type name and size. Describing never changes a
// future and is not meant for hot paths (it builds strings).
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/type_traits.hpp>

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

POLLEN_NAMESPACE_BEGIN

class Describer;

// One node of a described tree.
struct DescribeNode {
  std::string name;    // e.g. "Then"
  std::string detail;  // e.g. "state: First"; may be empty
  std::size_t size = 0;  // sizeof the described object
  std::vector<DescribeNode> children;
};

namespace detail {
std::string type_name_from_signature(const char* pretty_function);

// The name of T as the compiler spells it, without RTTI.
template <class T>
std::string type_name() {
#if defined(__GNUC__) || defined(__clang__)
  return type_name_from_signature(__PRETTY_FUNCTION__);
#else
  return "?";
#endif
}

template <class F, class = void>
struct has_describe : std::false_type {};
template <class F>
struct has_describe<F, void_t<decltype(std::declval<const F&>().describe(
                           std::declval<Describer&>()))>> : std::true_type {};
}  // namespace detail

class Describer {
 public:
  explicit Describer(DescribeNode& root) noexcept : current_(&root) {}
  Describer(const Describer&) = delete;
  Describer& operator=(const Describer&) = delete;

  // Names the node being described; `detail` is shown in brackets.
  void node(std::string name, std::string detail = std::string()) {
    current_->name = std::move(name);
    current_->detail = std::move(detail);
  }
  // Overrides the recorded size (type-erased wrappers know the real one).
  void set_size(std::size_t size) noexcept { current_->size = size; }

  // Describes `f` as the next child of the current node.
  template <class F>
  void child(const F& f) {
    current_->children.emplace_back();
    DescribeNode* parent = current_;
    current_ = &current_->children.back();
    describe_here(f);
    current_ = parent;
  }

  // Adds a leaf child that is not a future (a waiting value, a label).
  void leaf(std::string name, std::string detail = std::string()) {
    current_->children.emplace_back();
    current_->children.back().name = std::move(name);
    current_->children.back().detail = std::move(detail);
  }

  // Describes `f` into the current node (used for the root).
  template <class F>
  void describe_here(const F& f) {
    current_->size = sizeof(F);
    describe_dispatch(f, detail::has_describe<F>());
  }

 private:
  template <class F>
  void describe_dispatch(const F& f, std::true_type) {
    f.describe(*this);
  }
  template <class F>
  void describe_dispatch(const F&, std::false_type) {
    node(detail::type_name<F>(), "no describe()");
  }

  DescribeNode* current_;  // the node that node() and child() write to
};

// Renders a tree as indented text, one node per line.
std::string render(const DescribeNode& root);

// The state tree of `f` as a data structure.
template <class F>
DescribeNode describe_tree(const F& f) {
  DescribeNode root;
  Describer d(root);
  d.describe_here(f);
  return root;
}

// The state tree of `f`, rendered.
template <class F>
std::string describe(const F& f) {
  return render(describe_tree(f));
}

POLLEN_NAMESPACE_END
