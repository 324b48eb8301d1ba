// pollen/core/describer.hpp: Describer, what a future's describe() writes its
// node to (see describe.hpp for the tree it builds and how it is rendered).
//
// Example:
//
//   void describe(pollen::Describer& d) const {
//     d.node("Then", "state: First");   // name and detail of this node
//     d.child(first_);                  // each child, in order
//   }
//
// Names and details are C strings or std::strings (anything with data() and
// size()); the Describer copies them. This header is light on purpose (no
// <string>, no <vector>): every future's header includes it, while only code
// that renders trees includes describe.hpp.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/type_key.hpp>
#include <pollen/core/type_traits.hpp>

#include <cstddef>
#include <cstring>
#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

class Describer;
class PollObserver;
struct DescribeNode;  // describe.hpp

namespace detail {

template <class F, class = void>
struct has_describe : std::false_type {};
template <class F>
struct has_describe<F, void_t<decltype(std::declval<const F&>().describe(
                           std::declval<Describer&>()))>> : std::true_type {};

// A name or detail given to a Describer: a view of a C string or of a
// std::string, valid for the call (the Describer copies it).
class DescribeText {
 public:
  DescribeText() noexcept : data_(""), size_(0) {}
  DescribeText(const char* s) noexcept : data_(s), size_(std::strlen(s)) {}
  template <class S, class = decltype(std::declval<const S&>().data()),
            class = decltype(std::declval<const S&>().size())>
  DescribeText(const S& s) noexcept : data_(s.data()), size_(s.size()) {}

  const char* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }

 private:
  const char* data_;
  std::size_t size_;
};

// __PRETTY_FUNCTION__ of an instance of this template, which names T (parsed
// by describe.cpp, without RTTI).
template <class T>
const char* type_signature() noexcept {
#if defined(__GNUC__) || defined(__clang__)
  return __PRETTY_FUNCTION__;
#else
  return "";
#endif
}

}  // namespace detail

class Describer {
 public:
  explicit Describer(DescribeNode& root) noexcept : current_(&root), observer_(nullptr) {}
  // Also fills each node's polls and spurious polls from `observer`.
  Describer(DescribeNode& root, const PollObserver* observer) noexcept
      : current_(&root), observer_(observer) {}
  Describer(const Describer&) = delete;
  Describer& operator=(const Describer&) = delete;

  // Names the node being described; `detail` is shown in brackets.
  void node(detail::DescribeText name, detail::DescribeText detail = detail::DescribeText());
  // Overrides the recorded size (type-erased wrappers know the real one).
  void set_size(std::size_t size) noexcept;

  // Describes `f` as the next child of the current node.
  template <class F>
  void child(const F& f) {
    DescribeNode* parent = current_;
    current_ = push_child();
    describe_here(f);
    current_ = parent;
  }

  // Adds a leaf child that is not a future (a waiting value, a label).
  void leaf(detail::DescribeText name, detail::DescribeText detail = detail::DescribeText());

  // Describes `f` into the current node (used for the root).
  template <class F>
  void describe_here(const F& f) {
    // A wrapper that describes itself as its inner future (describe_here
    // again, as MaybeDone does) shows the inner future's counts if it records
    // any, else its own (the inner one is a user future that does not call
    // observe_poll).
    begin_node(sizeof(F), &f, detail::type_key<F>());
    describe_dispatch(f, detail::has_describe<F>());
  }

  // The observer given at construction, or nullptr.
  const PollObserver* observer() const noexcept { return observer_; }

 private:
  template <class F>
  void describe_dispatch(const F& f, std::true_type) {
    f.describe(*this);
  }
  template <class F>
  void describe_dispatch(const F&, std::false_type) {
    node_without_describe(detail::type_signature<F>());
  }

  // Appends an empty child to the current node and returns it.
  DescribeNode* push_child();
  // Records the size and, with an observer, the counts of `f` in the current node.
  void begin_node(std::size_t size, const void* f, const void* type_key) noexcept;
  // The placeholder node of a type without describe(): its name, "no describe()".
  void node_without_describe(const char* signature);

  DescribeNode* current_;          // the node that node() and child() write to
  const PollObserver* observer_;  // nullptr: no statistics
};

POLLEN_NAMESPACE_END
