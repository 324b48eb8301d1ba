#include <pollen/core/describe.hpp>
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

TEST(Describe, RendersALeafOnOneLine) {
  EXPECT_EQ(pollen::describe(Leaf{"x"}), "Leaf [x]\n");
  EXPECT_EQ(pollen::describe(Leaf{""}), "Leaf\n");
}

TEST(Describe, RendersNestedChildrenWithTreeLines) {
  Tree t{Pair{Leaf{"a"}, Leaf{"b"}}, Leaf{"c"}};
  EXPECT_EQ(pollen::describe(t),
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
  EXPECT_EQ(pollen::describe(WithLeaf{}), "WithLeaf\n\u2514\u2500 value [42]\n");
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
