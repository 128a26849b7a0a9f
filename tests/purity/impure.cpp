// Deliberately impure code, never linked into anything: tests/purity/expect_impure.sh runs
// scripts/check-core-purity on the static library built from this file and requires that it
// fails and names every call below. A purity check that cannot fail guards nothing.
#include "sys/socket.h"  // quoted on purpose: the include check must see "" as well as <>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <mutex>
#include <random>
#include <regex>
#include <string>
#include <thread>

extern "C" int uv_run(void* loop, int mode);  // libuv, declared so that no header is needed
extern "C" int unheard_of(int);                // on no list: refused until someone vouches for it

namespace impure {

long clocks() {
  const auto steady = std::chrono::steady_clock::now().time_since_epoch().count();
  const auto wall = std::chrono::system_clock::now().time_since_epoch().count();
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<long>(steady + wall) + ts.tv_nsec;
}

long environment() {
  const char* home = std::getenv("HOME");
  return home ? static_cast<long>(home[0]) : 0;
}

long randomness() {
  std::random_device device;
  return static_cast<long>(device()) + std::rand();
}

long files() {
  std::FILE* f = std::fopen("/etc/hostname", "r");
  if (!f) return 0;
  std::fclose(f);
  std::cout << "hello\n";
  return 1;
}

long network() {
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  char byte = 0;
  return static_cast<long>(sendto(fd, &byte, 1, 0, nullptr, 0) + recv(fd, &byte, 1, 0));
}

// Allowed only to the ASSERT and fmt failure reports: any other user must be named.
void log_line(const char* text) { std::fprintf(stderr, "%s\n", text); }

long threads() {
  static std::mutex lock;
  thread_local long calls = 0;
  const std::lock_guard<std::mutex> guard(lock);
  std::thread worker([] {});
  worker.join();
  return ++calls;
}

long event_loop() { return uv_run(nullptr, 0) + unheard_of(1); }

bool backtracking(const std::string& pattern, const std::string& value) {
  return std::regex_search(value, std::regex(pattern));
}

}  // namespace impure
