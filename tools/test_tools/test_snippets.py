import unittest

import support
from aio_course import snippets

SOURCE = """\
namespace aio {
// region: outer
struct A {
  // region: inner
  int f() {
    // EXERCISE 1.1: f
    return 1;
    // END EXERCISE
  }
  // endregion
};
// endregion
// region: free
int g() { return 2; }
// endregion
}
"""

LESSON = """\
# Lesson

<!-- snippet: {path}#free -->
```cpp
stale
```
<!-- /snippet -->

````markdown
<!-- snippet: not/a/real/file.hpp#shown-as-syntax -->
````
"""


class Regions(unittest.TestCase):
    def test_marker_lines_are_left_out_and_text_dedented(self):
        regions = snippets.parse_regions(SOURCE, "x.hpp")
        self.assertEqual(regions["inner"].text, "int f() {\n  return 1;\n}")
        self.assertEqual(regions["outer"].text.splitlines()[0], "struct A {")
        self.assertEqual((regions["free"].start, regions["free"].end), (13, 15))

    def test_unbalanced_regions(self):
        with self.assertRaisesRegex(snippets.SnippetError, r"x.hpp:1: region 'a' has no endregion"):
            snippets.parse_regions("// region: a\n", "x.hpp")
        with self.assertRaisesRegex(snippets.SnippetError, r"x.hpp:1: endregion without"):
            snippets.parse_regions("// endregion\n", "x.hpp")

    def test_fence_language_follows_the_extension(self):
        self.assertEqual(snippets.fence_language("a/b.hpp"), "cpp")
        self.assertEqual(snippets.fence_language("CMakeLists.txt"), "cmake")
        self.assertEqual(snippets.fence_language("x.py"), "python")


class CheckAndWrite(unittest.TestCase):
    def setUp(self):
        self.repo = support.FakeRepo()
        self.repo.write("solutions/01-gen/include/aio/a.hpp", SOURCE)
        self.repo.write("chapters/01-gen/include/aio/a.hpp", SOURCE)

    def tearDown(self):
        self.repo.cleanup()

    def lesson(self, path="solutions/01-gen/include/aio/a.hpp", name="free"):
        text = LESSON.format(path=path).replace("#free", f"#{name}")
        self.repo.write("chapters/01-gen/README.md", text)

    def test_stale_quote_is_reported_then_written(self):
        self.lesson()
        problems = snippets.check(self.repo.root)
        self.assertEqual(len(problems), 1)
        self.assertRegex(problems[0], r"README.md:3: the quote of .*#free differs")
        self.assertEqual(len(snippets.write(self.repo.root)), 1)
        self.assertEqual(snippets.check(self.repo.root), [])
        self.assertIn("```cpp\nint g() { return 2; }\n```", self.repo.read("chapters/01-gen/README.md"))
        self.assertEqual(snippets.write(self.repo.root), [])  # idempotent

    def test_missing_file_and_region(self):
        self.lesson(path="solutions/01-gen/include/aio/gone.hpp")
        self.assertRegex(snippets.check(self.repo.root)[0], r":3: snippet names .*gone.hpp, which does not exist")
        self.lesson(name="nope")
        self.assertRegex(snippets.check(self.repo.root)[0], r"has no region 'nope' \(its regions: free, inner, outer\)")

    def test_solution_region_overlapping_an_exercise_is_refused(self):
        self.lesson(name="inner")
        self.assertRegex(snippets.check(self.repo.root)[0], r"overlaps exercise 1.1")
        with self.assertRaises(snippets.SnippetError):
            snippets.write(self.repo.root)

    def test_the_starters_copy_may_be_quoted(self):
        self.lesson(path="chapters/01-gen/include/aio/a.hpp", name="inner")
        snippets.write(self.repo.root)
        self.assertEqual(snippets.check(self.repo.root), [])

    def test_unclosed_snippet(self):
        self.repo.write("slides/01-gen.md", "<!-- snippet: a.hpp#x -->\n")
        self.assertRegex(snippets.check(self.repo.root)[0], r"01-gen.md:1: snippet has no <!-- /snippet -->")


if __name__ == "__main__":
    unittest.main()
