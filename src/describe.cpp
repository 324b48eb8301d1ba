// Rendering described state trees, and type names without RTTI.
#include <pollen/core/describe.hpp>

#include <cstring>

POLLEN_NAMESPACE_BEGIN
namespace detail {

// gcc:   "std::string pollen::...::type_name() [with T = Foo; std::string = ...]"
// clang: "std::string pollen::...::type_name() [T = Foo]"
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
void render_into(std::string& out, const DescribeNode& node, const std::string& prefix,
                 bool is_root, bool is_last) {
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
  out += "\n";
  for (std::size_t i = 0; i < node.children.size(); ++i) {
    render_into(out, node.children[i], child_prefix, false, i + 1 == node.children.size());
  }
}
}  // namespace

}  // namespace detail

std::string render(const DescribeNode& root) {
  std::string out;
  detail::render_into(out, root, std::string(), true, true);
  return out;
}

POLLEN_NAMESPACE_END
