// The twin of join_not_a_future.cpp: every argument is a future.
#include <pollen/future.hpp>
#include <pollen/pollen.hpp>

int main() {
  auto j = pollen::join(pollen::ready(1), pollen::ready(42));
  return std::get<1>(pollen::block_on(std::move(j))) == 42 ? 0 : 1;
}
