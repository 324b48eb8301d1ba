// Must not compile: stream::map() of a value, not of a stream. The stream
// combinators and futures built on the result add no error of their own.
#include <pollen/pollen.hpp>
#include <pollen/stream.hpp>

#include <vector>

int main() {
  auto s = pollen::stream::map(42, [](int x) { return x * 2; });
  auto all = pollen::stream::collect(pollen::stream::take(std::move(s), 3));
  std::vector<int> v = pollen::block_on(std::move(all));
  return v.size() == 3 ? 0 : 1;
}
