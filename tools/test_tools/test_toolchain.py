import io
import unittest
from contextlib import redirect_stdout
from unittest import mock

import support  # noqa: F401  (puts tools/ on the path)
from aio_course import toolchain, ui

MISSING = [toolchain.Package("cmake", lambda: False), toolchain.Package("g++", lambda: True),
           toolchain.Package("libfmt-dev", lambda: False)]


class Ensure(unittest.TestCase):
    def test_nothing_to_do_when_all_are_present(self):
        with mock.patch.object(toolchain, "install") as install:
            toolchain.ensure([toolchain.Package("g++", lambda: True)], "building")
        install.assert_not_called()

    def test_a_user_gets_the_exact_command(self):
        with mock.patch.object(toolchain, "is_root", return_value=False), \
             mock.patch.object(toolchain.shutil, "which", return_value="/usr/bin/apt-get"):
            with self.assertRaises(ui.CourseError) as raised:
                toolchain.ensure(MISSING, "building the course")
        self.assertEqual(str(raised.exception),
                         "building the course needs cmake, libfmt-dev; install with: "
                         "sudo apt-get update && sudo apt-get install -y cmake libfmt-dev")
        self.assertEqual(raised.exception.exit_code, 1)

    def test_root_is_told_then_installs(self):
        present = {"cmake": False, "libfmt-dev": False}
        packages = [toolchain.Package(name, lambda name=name: present[name]) for name in present]

        def install(names):
            present.update({name: True for name in names})

        out = io.StringIO()
        with mock.patch.object(toolchain, "is_root", return_value=True), \
             mock.patch.object(toolchain.shutil, "which", return_value="/usr/bin/apt-get"), \
             mock.patch.object(toolchain, "install", side_effect=install) as fake_install, \
             redirect_stdout(out):
            toolchain.ensure(packages, "building the course")
        fake_install.assert_called_once_with(["cmake", "libfmt-dev"])
        self.assertIn("installing them (apt-get install -y cmake libfmt-dev)", out.getvalue())


if __name__ == "__main__":
    unittest.main()
