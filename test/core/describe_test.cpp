#include <pollen/core/describe.hpp>
#include <pollen/core/poll_observer.hpp>
#include <pollen/core/ready.hpp>

#include <gtest/gtest.h>

#include <string>

namespace {
struct Leaf {
  std::string label;
  void describe(pollen::Describer& d) const { d.node("Leaf", label); }
};
struct Pair {
  Leaf a, b;
  void describe(pollen::Describer& d) const {
    d.node("Pair", "state: Both");
    d.child(a);
    d.child(b);
  }
};
struct Tree {
  Pair left;
  Leaf right;
  void describe(pollen::Describer& d) const {
    d.node("Tree");
    d.child(left);
    d.child(right);
  }
};
struct Undescribed {
  int x = 0;
  double y = 0;
};
}  // namespace

// " 32 B": what follows a node of type T.
template <class T>
std::string size_of() {
  return " " + std::to_string(sizeof(T)) + " B";
}

TEST(Describe, RendersALeafOnOneLineWithItsSize) {
  EXPECT_EQ(pollen::describe(Leaf{"x"}), "Leaf [x]" + size_of<Leaf>() + "\n");
  EXPECT_EQ(pollen::describe(Leaf{""}), "Leaf" + size_of<Leaf>() + "\n");
  EXPECT_EQ(pollen::describe_states(Leaf{"x"}), "Leaf [x]\n");
}

TEST(Describe, RendersEveryNodeWithItsSize) {
  Tree t{Pair{Leaf{"a"}, Leaf{"b"}}, Leaf{"c"}};
  EXPECT_EQ(pollen::describe(t), "Tree" + size_of<Tree>() + "\n" +
                                     "\u251c\u2500 Pair [state: Both]" + size_of<Pair>() + "\n" +
                                     "\u2502  \u251c\u2500 Leaf [a]" + size_of<Leaf>() + "\n" +
                                     "\u2502  \u2514\u2500 Leaf [b]" + size_of<Leaf>() + "\n" +
                                     "\u2514\u2500 Leaf [c]" + size_of<Leaf>() + "\n");
}

TEST(Describe, RendersOnOneLine) {
  Tree t{Pair{Leaf{"a"}, Leaf{"b"}}, Leaf{"c"}};
  EXPECT_EQ(pollen::describe_line(t), "Tree(Pair[state: Both](Leaf[a], Leaf[b]), Leaf[c])");
  EXPECT_EQ(pollen::describe_line(Leaf{""}), "Leaf");
}

TEST(Describe, StatesOnlyRendersNestedChildrenWithTreeLines) {
  Tree t{Pair{Leaf{"a"}, Leaf{"b"}}, Leaf{"c"}};
  EXPECT_EQ(pollen::describe_states(t),
            "Tree\n"
            "\u251c\u2500 Pair [state: Both]\n"
            "\u2502  \u251c\u2500 Leaf [a]\n"
            "\u2502  \u2514\u2500 Leaf [b]\n"
            "\u2514\u2500 Leaf [c]\n");
}

TEST(Describe, TreeRecordsNamesDetailsAndSizes) {
  Pair p{Leaf{"a"}, Leaf{"b"}};
  pollen::DescribeNode root = pollen::describe_tree(p);
  EXPECT_EQ(root.name, "Pair");
  EXPECT_EQ(root.detail, "state: Both");
  EXPECT_EQ(root.size, sizeof(Pair));
  ASSERT_EQ(root.children.size(), 2u);
  EXPECT_EQ(root.children[1].detail, "b");
  EXPECT_EQ(root.children[1].size, sizeof(Leaf));
}

TEST(Describe, TypeWithoutDescribeShowsAPlaceholderWithItsTypeName) {
  pollen::DescribeNode root = pollen::describe_tree(Undescribed{});
  EXPECT_NE(root.name.find("Undescribed"), std::string::npos) << root.name;
  EXPECT_EQ(root.detail, "no describe()");
  EXPECT_EQ(root.size, sizeof(Undescribed));
}

TEST(Describe, LeafAddsAChildThatIsNotAFuture) {
  struct WithLeaf {
    void describe(pollen::Describer& d) const {
      d.node("WithLeaf");
      d.leaf("value", "42");
    }
  };
  // A leaf is not a future: no size, no counts.
  EXPECT_EQ(pollen::describe(WithLeaf{}), "WithLeaf" + size_of<WithLeaf>() + "\n\u2514\u2500 value [42]\n");
  pollen::PollObserver obs;
  EXPECT_EQ(pollen::describe(WithLeaf{}, obs),
            "WithLeaf" + size_of<WithLeaf>() + ", 0 polls\n\u2514\u2500 value [42]\n");
}

TEST(Describe, WithAnObserverEachNodeCarriesItsCounts) {
  Pair p{Leaf{"a"}, Leaf{"b"}};
  pollen::PollObserver obs;
  obs.begin_task_poll(0);
  obs.on_poll(&p, pollen::detail::type_key<Pair>());
  obs.on_poll(&p.b, pollen::detail::type_key<Leaf>());
  obs.begin_task_poll(0);
  obs.on_poll(&p.b, pollen::detail::type_key<Leaf>());
  pollen::DescribeNode root = pollen::describe_tree(p, &obs);
  EXPECT_TRUE(root.observed);
  EXPECT_EQ(root.polls, 1u);
  EXPECT_EQ(root.spurious, 0u);
  // p.a shares p's address, but is another type: not polled.
  EXPECT_EQ(root.children[0].polls, 0u);
  EXPECT_EQ(root.children[1].polls, 2u);
  EXPECT_EQ(root.children[1].spurious, 1u);
  EXPECT_FALSE(pollen::describe_tree(p).observed);
  EXPECT_EQ(pollen::describe(p, obs),
            "Pair [state: Both]" + size_of<Pair>() + ", 1 poll\n" +
                "\u251c\u2500 Leaf [a]" + size_of<Leaf>() + ", 0 polls\n" +
                "\u2514\u2500 Leaf [b]" + size_of<Leaf>() + ", 2 polls, 1 spurious (!)\n");
  pollen::RenderOptions no_sizes;
  no_sizes.sizes = false;
  EXPECT_EQ(pollen::render(root, no_sizes),
            "Pair [state: Both] 1 poll\n"
            "\u251c\u2500 Leaf [a] 0 polls\n"
            "\u2514\u2500 Leaf [b] 2 polls, 1 spurious (!)\n");
}

TEST(TypeName, ParsesGccAndClangSignatures) {
  EXPECT_EQ(pollen::detail::type_name_from_signature(
                "std::string pollen::detail::type_name() [with T = Foo<int, Bar>; std::string = x]"),
            "Foo<int, Bar>");
  EXPECT_EQ(pollen::detail::type_name_from_signature(
                "std::string pollen::detail::type_name() [T = ns::Foo<int[3]>]"),
            "ns::Foo<int[3]>");
  EXPECT_EQ(pollen::detail::type_name_from_signature("nothing here"), "?");
  EXPECT_EQ(pollen::detail::type_name<int>(), "int");
}
