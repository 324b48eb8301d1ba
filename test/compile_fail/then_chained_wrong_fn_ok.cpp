// The twin of then_chained_wrong_fn.cpp: the function takes an int.
#include <pollen/future.hpp>
#include <pollen/pollen.hpp>

#include <string>

int main() {
  auto f = pollen::ready(1)
               .map([](int x) { return x + 1; })
               .then([](int x) { return pollen::ready(std::to_string(x)); })
               .map([](std::string s) { return s.size(); });
  std::size_t n = pollen::block_on(std::move(f));
  return n == 1 ? 0 : 1;
}
