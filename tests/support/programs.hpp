// aio::testing::run_command() and run_example(): run a program to its end, collect its output.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

namespace aio::testing {

// What a program left behind: a test of an example checks its exit status and its lines.
struct ProgramOutput {
  int exit_status = -1;  // the program's exit code; -1 if it did not exit normally
  std::string output;    // stdout and stderr together
  std::vector<std::string> lines;
};

// The lines of a text, without their '\n': tests look for a line, not for a byte offset.
inline std::vector<std::string> split_lines(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Runs a shell command (through popen, so pipes and redirections work) and waits for its end.
// stderr joins stdout: a failing test then shows the program's error message with its output.
inline ProgramOutput run_command(const std::string& command) {
  ProgramOutput run;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return run;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), static_cast<int>(buffer.size()), pipe) != nullptr) {
    run.output += buffer.data();
  }
  const int status = pclose(pipe);
  if (status != -1 && WIFEXITED(status)) run.exit_status = WEXITSTATUS(status);
  run.lines = split_lines(run.output);
  return run;
}

// Runs bin/<name> <args>. AIO_BIN_DIR is where the build puts the example programs: every test
// target is compiled with it (cmake/AioCourse.cmake), so a test runs from any folder.
inline ProgramOutput run_example(const std::string& name, const std::string& args = "") {
  return run_command(std::string(AIO_BIN_DIR) + "/" + name + " " + args);
}

}  // namespace aio::testing
