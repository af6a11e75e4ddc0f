#include "apps/every_thread.hpp"

#include <dirent.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace actorwire::apps {

namespace {

// One broadcast at a time (the mutex); the handler reads the step and reports through these.
std::atomic<ThreadStep> g_step{nullptr};
std::atomic<int> g_failure{0};
// The threads that have run the step in this round: at most kMaxAnswers, more would only
// make the caller wait for its timeout and report them.
constexpr int kMaxAnswers = 4096;
std::atomic<pid_t> g_answered[kMaxAnswers];
std::atomic<int> g_answers{0};

void on_step_signal(int) {
  const int saved_errno = errno;
  const ThreadStep step = g_step.load();
  if (step == nullptr) {  // a late signal, after its round ended
    errno = saved_errno;
    return;
  }
  const int result = step();
  if (result != 0) g_failure.store(result);
  const int slot = g_answers.fetch_add(1);
  if (slot < kMaxAnswers) g_answered[slot].store(static_cast<pid_t>(::syscall(SYS_gettid)));
  errno = saved_errno;
}

std::vector<pid_t> list_threads() {
  std::vector<pid_t> threads;
  DIR* dir = ::opendir("/proc/self/task");
  if (dir == nullptr) return threads;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    threads.push_back(static_cast<pid_t>(std::strtol(entry->d_name, nullptr, 10)));
  }
  ::closedir(dir);
  return threads;
}

bool thread_exists(pid_t tid) {
  return ::access(("/proc/self/task/" + std::to_string(tid)).c_str(), F_OK) == 0;
}

bool answered(pid_t tid) {
  const int count = std::min(g_answers.load(), kMaxAnswers);
  for (int i = 0; i < count; ++i) {
    if (g_answered[i].load() == tid) return true;
  }
  return false;
}

}  // namespace

bool run_on_every_thread(ThreadStep step, std::string& error, int timeout_ms) {
  static std::mutex one_at_a_time;
  const std::lock_guard lock(one_at_a_time);
  // A real-time signal glibc leaves to applications; SA_RESTART so that the threads' own
  // system calls carry on (those that cannot restart see EINTR, which poll loops retry).
  const int signal_number = SIGRTMIN + 5;
  struct sigaction action {};
  action.sa_handler = on_step_signal;
  action.sa_flags = SA_RESTART;
  sigemptyset(&action.sa_mask);
  if (::sigaction(signal_number, &action, nullptr) != 0) {
    error = std::string("sigaction: ") + std::strerror(errno);
    return false;
  }
  g_step.store(step);
  g_failure.store(0);
  g_answers.store(0);
  const pid_t self = static_cast<pid_t>(::syscall(SYS_gettid));
  std::set<pid_t> done{self};
  bool ok = true;
  if (const int result = step(); result != 0) {
    error = std::string("on the calling thread: ") + std::strerror(result);
    ok = false;
  }
  while (ok) {
    std::vector<pid_t> sent;
    for (const pid_t tid : list_threads()) {
      if (done.count(tid) != 0) continue;
      if (::syscall(SYS_tgkill, ::getpid(), tid, signal_number) == 0) sent.push_back(tid);
      done.insert(tid);  // sent, or gone (ESRCH) before it could be
    }
    if (sent.empty()) break;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (const pid_t tid : sent) {
      while (!answered(tid) && thread_exists(tid) && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
      if (!answered(tid) && thread_exists(tid)) {
        error = "thread " + std::to_string(tid) + " did not answer within " +
                std::to_string(timeout_ms) + " ms (it blocks signal " +
                std::to_string(signal_number) + ")";
        ok = false;
        break;
      }
    }
    if (ok && g_failure.load() != 0) {
      error = std::string("on another thread: ") + std::strerror(g_failure.load());
      ok = false;
    }
  }
  // The handler stays: a thread that blocked the signal may still take it later, and the
  // default action of a real-time signal would end the process. With no step it does nothing.
  g_step.store(nullptr);
  return ok;
}

}  // namespace actorwire::apps
