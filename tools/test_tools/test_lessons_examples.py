import unittest

import support
from aio_course import examples, lessons

HINTS = """\
# Hints

## Exercise 1.1

1. First hint.
2. Second hint,
   on two lines.
3. Third, with code:
   ```cpp
   1. not an item
   ```

## Exercise 1.2: with a title

1. Only one.

## Not hints

1. ignored
"""


class Lessons(unittest.TestCase):
    def setUp(self):
        self.repo = support.FakeRepo()

    def tearDown(self):
        self.repo.cleanup()

    def test_hints_are_numbered_items_under_their_heading(self):
        path = self.repo.write("hints.md", HINTS)
        hints = lessons.read_hints(path)
        self.assertEqual(list(hints), ["1.1", "1.2"])
        self.assertEqual(hints["1.1"][0], "First hint.")
        self.assertEqual(hints["1.1"][1], "Second hint,\non two lines.")
        self.assertIn("1. not an item", hints["1.1"][2])
        self.assertEqual(len(hints["1.1"]), 3)
        self.assertEqual(hints["1.2"], ["Only one."])

    def test_lesson_headings(self):
        path = self.repo.write("README.md", "### Exercise 1.1: resume\n### Exercise 1.2\n## Exercise 1.3\n")
        self.assertEqual(lessons.lesson_titles(path), {"1.1": "resume", "1.2": ""})


class Examples(unittest.TestCase):
    def setUp(self):
        self.repo = support.FakeRepo()
        self.repo.write("solutions/01-gen/include/aio/a.hpp", "")
        self.repo.write("solutions/02-loop/include/aio/b.hpp", "")

    def tearDown(self):
        self.repo.cleanup()

    def example(self, chapter, name, head):
        self.repo.write(f"chapters/{chapter}/examples/{name}.cpp", head + "\nint main() {}\n// Tour 9: late\n")

    def test_tour_order_caption_and_args(self):
        self.example("02-loop", "sleepy", "// Tour 1: a loop sleeps.")
        self.example("01-gen", "second", "// Tour 2: then this.\n// Tour args: --small 'two words'")
        self.example("01-gen", "first", "// A comment first.\n// Tour 1: this first.")
        self.example("01-gen", "not_in_tour", "// nothing")
        tour = examples.tour_examples(self.repo.root)
        self.assertEqual([e.name for e in tour], ["first", "second", "sleepy"])
        self.assertEqual(tour[1].tour_args, ["--small", "two words"])
        self.assertEqual(tour[0].caption, "this first.")
        # Every example above has a '// Tour 9' line after the code: a mistake check() names.
        problems = examples.check(self.repo.root)
        self.assertTrue(all("belong in the file's first comment lines" in p for p in problems))

    def test_malformed_tour_lines(self):
        self.repo.write("chapters/01-gen/examples/a.cpp", "// Tour args: -x\n// Tour: no number\nint main(){}\n")
        problems = examples.check(self.repo.root)
        self.assertRegex(problems[0], r"a.cpp:1: '// Tour args:' without")
        self.assertRegex(problems[1], r"a.cpp:2: malformed tour line")

    def test_duplicate_names_and_orders(self):
        self.repo.write("chapters/01-gen/examples/a.cpp", "// Tour 1: a\n")
        self.repo.write("chapters/01-gen/examples/b.cpp", "// Tour 1: b\n")
        self.repo.write("chapters/02-loop/examples/a.cpp", "int main(){}\n")
        problems = examples.check(self.repo.root)
        self.assertTrue(any("Tour 1 is also used by a" in p for p in problems))
        self.assertTrue(any("example name 'a' is also used" in p for p in problems))


if __name__ == "__main__":
    unittest.main()
