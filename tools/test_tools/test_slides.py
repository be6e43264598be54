import unittest

import support
from aio_course import commands_slides

DECK = """\
---
marp: true
---

# Title slide

---

## Code

<!-- snippet: solutions/01-gen/src/a.cpp#a -->
```cpp
int a;
```
<!-- /snippet -->

```text
---   (a rule inside a code block is not a slide break)
```

---

<!-- snippet: solutions/01-gen/src/a.cpp#b -->
<!-- /snippet -->
"""

HTML = """\
<section id="1"><h1>Title slide</h1></section>
<section id="2"><h2>Code</h2><pre is="marp-pre"><code class="language-cpp">int a;</code></pre></section>
<section id="3"></section>
"""


class SlidesCheck(unittest.TestCase):
    def setUp(self):
        self.repo = support.FakeRepo()

    def tearDown(self):
        self.repo.cleanup()

    def test_slides_are_counted_after_the_front_matter_and_outside_code(self):
        deck = self.repo.write("slides/01-gen.md", DECK)
        self.assertEqual(commands_slides.snippet_slides(deck), {
            2: ["solutions/01-gen/src/a.cpp#a"], 3: ["solutions/01-gen/src/a.cpp#b"]})

    def test_a_code_slide_without_code_in_the_html_is_reported(self):
        deck = self.repo.write("slides/01-gen.md", DECK)
        html = self.repo.write("build/01-gen.html", HTML)
        problems = commands_slides.code_problems(deck, html)
        self.assertEqual(len(problems), 1)
        self.assertRegex(problems[0], r"^slides/01-gen.md: slide 3 quotes .*#b but shows no code")


if __name__ == "__main__":
    unittest.main()
