// Rendering described state trees, and type names without RTTI.
#include <pollen/core/describe.hpp>

#include <cstring>
#include <string>

POLLEN_NAMESPACE_BEGIN

// Describer's out-of-line members: its header stays without <string> and
// <vector> (core/describer.hpp).
void Describer::node(detail::DescribeText name, detail::DescribeText detail) {
  current_->name.assign(name.data(), name.size());
  current_->detail.assign(detail.data(), detail.size());
}

void Describer::set_size(std::size_t size) noexcept { current_->size = size; }

void Describer::leaf(detail::DescribeText name, detail::DescribeText detail) {
  current_->children.emplace_back();
  current_->children.back().name.assign(name.data(), name.size());
  current_->children.back().detail.assign(detail.data(), detail.size());
}

DescribeNode* Describer::push_child() {
  current_->children.emplace_back();
  return &current_->children.back();
}

void Describer::begin_node(std::size_t size, const void* f, const void* type_key) noexcept {
  current_->size = size;
  if (observer_ == nullptr) return;
  current_->observed = true;
  const PollStats* s = observer_->find(f, type_key);
  if (s != nullptr) {
    current_->polls = s->polls;
    current_->spurious = s->spurious;
  }
}

void Describer::node_without_describe(const char* signature) {
  node(detail::type_name_from_signature(signature), "no describe()");
}

namespace detail {

// gcc:   "const char* pollen::...::type_signature() [with T = Foo]"
// clang: "const char* pollen::...::type_signature() [T = Foo]"
// (and the same after any other function's "T = " and before "; " or "]").
std::string type_name_from_signature(const char* pretty) {
  const char* start = std::strstr(pretty, "T = ");
  if (start == nullptr) return "?";
  start += 4;
  // The type ends at the first ';' or the final ']' at nesting depth zero.
  int depth = 0;
  const char* p = start;
  for (; *p != '\0'; ++p) {
    char c = *p;
    if (c == '<' || c == '(' || c == '[') ++depth;
    if (c == '>' || c == ')') --depth;
    if (c == ']') {
      if (depth == 0) break;
      --depth;
    }
    if (c == ';' && depth == 0) break;
  }
  return std::string(start, p);
}

namespace {
// " 24 B, 3 polls, 1 spurious (!)": what follows a node's name and detail.
void append_numbers(std::string& out, const DescribeNode& node, const RenderOptions& options) {
  bool sized = options.sizes && node.size != 0;
  bool stats = options.stats && node.observed;
  if (!sized && !stats) return;
  out += ' ';
  if (sized) {
    out += std::to_string(node.size);
    out += " B";
  }
  if (stats) {
    if (sized) out += ", ";
    out += std::to_string(node.polls);
    out += node.polls == 1 ? " poll" : " polls";
    if (node.spurious != 0) {
      out += ", ";
      out += std::to_string(node.spurious);
      out += " spurious (!)";
    }
  }
}

void render_into(std::string& out, const DescribeNode& node, const std::string& prefix,
                 bool is_root, bool is_last, const RenderOptions& options) {
  std::string child_prefix = prefix;
  if (!is_root) {
    out += prefix;
    out += is_last ? "\u2514\u2500 " : "\u251c\u2500 ";
    child_prefix += is_last ? "   " : "\u2502  ";
  }
  out += node.name.empty() ? std::string("?") : node.name;
  if (!node.detail.empty()) {
    out += " [";
    out += node.detail;
    out += "]";
  }
  append_numbers(out, node, options);
  out += "\n";
  for (std::size_t i = 0; i < node.children.size(); ++i) {
    render_into(out, node.children[i], child_prefix, false, i + 1 == node.children.size(),
                options);
  }
}

// Name[detail](child, child), polls after a '@' when observed: Map[..]@3
void render_line(std::string& out, const DescribeNode& node, const RenderOptions& options) {
  out += node.name.empty() ? std::string("?") : node.name;
  if (!node.detail.empty()) {
    out += '[';
    out += node.detail;
    out += ']';
  }
  if (options.stats && node.observed) {
    out += '@';
    out += std::to_string(node.polls);
    if (node.spurious != 0) {
      out += '!';
      out += std::to_string(node.spurious);
    }
  }
  if (node.children.empty()) return;
  out += '(';
  for (std::size_t i = 0; i < node.children.size(); ++i) {
    if (i != 0) out += ", ";
    render_line(out, node.children[i], options);
  }
  out += ')';
}
}  // namespace

}  // namespace detail

std::string render(const DescribeNode& root, const RenderOptions& options) {
  std::string out;
  if (options.one_line) {
    detail::render_line(out, root, options);
  } else {
    detail::render_into(out, root, std::string(), true, true, options);
  }
  return out;
}

POLLEN_NAMESPACE_END
