// Helpers for tests that start a command as its own process group (as a terminal does), wait for a
// condition while it runs, and kill the whole group.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>

namespace xc::test {

// Starts /bin/sh -c `command` in `dir` as the leader of a new process group (so that the group can be
// killed as a terminal would), with no standard input; returns its pid, which is also the group's id.
inline pid_t spawn_group(const std::string& command, const std::string& dir) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    const int null = ::open("/dev/null", O_RDONLY);
    if (null < 0 || ::dup2(null, 0) < 0 || ::chdir(dir.c_str()) != 0) ::_exit(127);
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  if (pid > 0) ::setpgid(pid, pid);  // also from here, so the group exists before any kill
  return pid;
}

// Polls every 2 ms until `ready()` holds (returns true) or the process ends first or a minute passes
// (returns false; `finished` tells which).
inline bool wait_until(pid_t pid, const std::function<bool()>& ready, bool& finished, int& status) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  finished = false;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ready()) return true;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      finished = true;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

// SIGKILL to the whole group, then waits for the leader and (briefly) for the rest to be gone.
inline void kill_group(pid_t pid) {
  ::kill(-pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (::kill(-pid, 0) == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace xc::test
