import json
import unittest

import support
from aio_course import markers, starters
from aio_course.repo import chapters

EXPECTED_STARTER = """\
#include "aio/not_implemented.hpp"

int next_row(int id) {
  // EXERCISE 1.1: return the next row id
  // The task in words: the starter keeps these lines.
  throw aio::NotImplemented{"1.1"};
  // END EXERCISE
}

// region: outside
int twice(int x) { return 2 * x; }
// endregion

struct Cursor {
  // EXERCISE 1.2 (members): the state of the cursor
  // END EXERCISE
};

Generator<int> count() {
  // EXERCISE 1.3 (generator): yield 1, 2, 3
  throw aio::NotImplemented{"1.3"};
  co_return;
  // END EXERCISE
}

Task<int> compute() {
    // EXERCISE 1.4 (coroutine): add after a sleep
    co_await aio::not_implemented("1.4");
    // END EXERCISE
}
"""


class Starters(unittest.TestCase):
    def setUp(self):
        self.repo = support.FakeRepo()
        self.repo.write("solutions/01-gen/src/x.cpp", support.SOLUTION)
        self.repo.write("solutions/01-gen/include/aio/plain.hpp", "#pragma once\nint plain();\n")
        self.repo.write("solutions/01-gen/include/aio/notes.txt", "not code: not copied\n")
        self.chapter = chapters(self.repo.root)[0]

    def tearDown(self):
        self.repo.cleanup()

    def test_stubs_every_kind(self):
        self.assertEqual(starters.generate_chapter(self.chapter)["src/x.cpp"], EXPECTED_STARTER)

    def test_files_without_regions_are_copied_verbatim(self):
        generated = starters.generate_chapter(self.chapter)
        self.assertEqual(generated["include/aio/plain.hpp"], "#pragma once\nint plain();\n")
        self.assertNotIn("include/aio/notes.txt", generated)

    def test_sync_writes_manifest_and_is_idempotent(self):
        first = starters.sync_chapter(self.chapter)
        self.assertEqual(sorted(first.written), ["include/aio/plain.hpp", "src/x.cpp"])
        manifest = json.loads(self.repo.read("chapters/01-gen/.starter-manifest"))
        self.assertEqual(manifest["src/x.cpp"], starters.sha256(EXPECTED_STARTER))
        before = self.repo.read("chapters/01-gen/.starter-manifest")
        second = starters.sync_chapter(self.chapter)
        self.assertEqual((second.written, second.kept_edited, second.unchanged), ([], [], 2))
        self.assertEqual(self.repo.read("chapters/01-gen/.starter-manifest"), before)
        self.assertEqual(starters.differences(self.chapter), [])

    def test_a_students_edit_is_kept_unless_forced(self):
        starters.sync_chapter(self.chapter)
        self.repo.write("chapters/01-gen/src/x.cpp", "my work\n")
        self.repo.write("solutions/01-gen/src/x.cpp", support.SOLUTION + "// more\n")
        result = starters.sync_chapter(self.chapter)
        self.assertEqual(result.kept_edited, ["src/x.cpp"])
        self.assertEqual(self.repo.read("chapters/01-gen/src/x.cpp"), "my work\n")
        forced = starters.sync_chapter(self.chapter, force=True)
        self.assertEqual(forced.written, ["src/x.cpp"])
        self.assertTrue(self.repo.read("chapters/01-gen/src/x.cpp").endswith("// more\n"))

    def test_a_missing_starter_is_written_again(self):
        starters.sync_chapter(self.chapter)
        (self.repo.root / "chapters/01-gen/src/x.cpp").unlink()
        self.assertEqual(starters.sync_chapter(self.chapter).written, ["src/x.cpp"])

    def test_unedited_starter_follows_its_solution(self):
        starters.sync_chapter(self.chapter)
        self.repo.write("solutions/01-gen/include/aio/plain.hpp", "#pragma once\nint plain2();\n")
        self.assertIn("differs", starters.differences(self.chapter)[0])
        self.assertEqual(starters.sync_chapter(self.chapter).written, ["include/aio/plain.hpp"])

    def test_starter_of_a_deleted_solution_file_is_removed(self):
        starters.sync_chapter(self.chapter)
        (self.repo.root / "solutions/01-gen/include/aio/plain.hpp").unlink()
        self.assertEqual(starters.sync_chapter(self.chapter).removed, ["include/aio/plain.hpp"])
        self.assertFalse((self.repo.root / "chapters/01-gen/include/aio/plain.hpp").exists())

    def test_malformed_marker_stops_generation_with_file_and_line(self):
        self.repo.write("solutions/01-gen/src/bad.cpp", "// EXERCISE 1.9: open\n")
        with self.assertRaisesRegex(markers.MarkerError, r"^solutions/01-gen/src/bad.cpp:1: "):
            starters.generate_chapter(self.chapter)

    def test_generate_all_into_another_root(self):
        out = self.repo.root / "elsewhere"
        self.repo.write("elsewhere/01-gen/src/stale.cpp", "old")
        starters.generate_all_into(out, self.repo.root)
        self.assertEqual((out / "01-gen/src/x.cpp").read_text(), EXPECTED_STARTER)
        self.assertFalse((out / "01-gen/src/stale.cpp").exists())
        self.assertFalse((self.repo.root / "chapters").exists())


if __name__ == "__main__":
    unittest.main()
