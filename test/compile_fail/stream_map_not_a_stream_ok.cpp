// The twin of stream_map_not_a_stream.cpp: stream::map() of a stream.
#include <pollen/pollen.hpp>
#include <pollen/stream.hpp>

#include <vector>

int main() {
  auto s = pollen::stream::map(pollen::stream::iter(std::vector<int>{1, 2, 3, 4}),
                               [](int x) { return x * 2; });
  auto all = pollen::stream::collect(pollen::stream::take(std::move(s), 3));
  std::vector<int> v = pollen::block_on(std::move(all));
  return v.size() == 3 ? 0 : 1;
}
