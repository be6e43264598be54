import unittest
from pathlib import Path

import support  # noqa: F401  (puts tools/ on the path)
from aio_course import markers


def parse(text, chapter=1):
    return markers.parse_regions(Path("x.cpp"), text, chapter, "solutions/01-x/src/x.cpp")


class ParseRegions(unittest.TestCase):
    def test_reads_id_kind_title_and_kept_comments(self):
        regions = parse(support.SOLUTION)
        self.assertEqual([r.exercise_id for r in regions], ["1.1", "1.2", "1.3", "1.4"])
        self.assertEqual([r.kind for r in regions], ["throw", "members", "generator", "coroutine"])
        self.assertEqual(regions[0].title, "return the next row id")
        self.assertEqual(regions[0].kept_comments,
                         ["  // The task in words: the starter keeps these lines."])
        self.assertEqual((regions[0].start, regions[0].end), (4, 7))
        self.assertEqual(regions[3].indent, "    ")

    def test_missing_end_names_the_opening_line(self):
        with self.assertRaisesRegex(markers.MarkerError, r"^solutions/01-x/src/x.cpp:2: .*no // END"):
            parse("int f() {\n  // EXERCISE 1.1: f\n  return 1;\n}\n")

    def test_nested_exercise_is_an_error(self):
        text = "// EXERCISE 1.1: a\n// EXERCISE 1.2: b\n// END EXERCISE\n// END EXERCISE\n"
        with self.assertRaisesRegex(markers.MarkerError, r":2: EXERCISE inside exercise 1.1"):
            parse(text)

    def test_id_of_another_chapter_is_an_error(self):
        with self.assertRaisesRegex(markers.MarkerError, r":1: exercise 2.1 is in chapter 1"):
            parse("// EXERCISE 2.1: a\n// END EXERCISE\n")

    def test_end_without_start(self):
        with self.assertRaisesRegex(markers.MarkerError, r":1: // END EXERCISE without"):
            parse("// END EXERCISE\n")

    def test_typo_in_a_marker_is_reported(self):
        with self.assertRaisesRegex(markers.MarkerError, r":1: malformed marker"):
            parse("// EXERCISE 1.1 no colon\n")

    def test_unknown_kind(self):
        with self.assertRaisesRegex(markers.MarkerError, r"unknown exercise kind '\(task\)'"):
            parse("// EXERCISE 1.1 (task): a\n// END EXERCISE\n")

    def test_region_marker_inside_the_removed_code(self):
        text = "// EXERCISE 1.1: a\nint x;\n// region: r\n// endregion\n// END EXERCISE\n"
        with self.assertRaisesRegex(markers.MarkerError, r":3: a snippet region marker inside"):
            parse(text)

    def test_leading_zero_in_id_is_normalised(self):
        self.assertEqual(parse("// EXERCISE 01.2: a\n// END EXERCISE\n")[0].exercise_id, "1.2")

    def test_sort_key_orders_numerically(self):
        self.assertEqual(sorted(["1.10", "1.9", "2.1"], key=markers.sort_key), ["1.9", "1.10", "2.1"])


if __name__ == "__main__":
    unittest.main()
