// The thread pool: every index runs once per job on its own thread, jobs follow one another on the
// same threads, smaller jobs leave the other threads idle, and the first exception comes back.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "util/thread_pool.hh"

namespace xc::util {
namespace {

TEST(ThreadPool, RunsEachIndexOnceOnItsOwnThread) {
  ThreadPool pool(3);
  EXPECT_EQ(pool.size(), 3);
  for (int job = 0; job < 200; ++job) {
    const int count = 1 + job % 3;
    std::vector<int> runs(3, 0);
    std::vector<std::thread::id> ids(3);
    std::atomic<int> arrived{0};
    pool.run(count, [&](int i) {
      ++runs[size_t(i)];
      ids[size_t(i)] = std::this_thread::get_id();
      // Every index waits for all the others: this only ends if they run at the same time.
      arrived.fetch_add(1);
      while (arrived.load() < count) std::this_thread::yield();
    });
    for (int i = 0; i < 3; ++i) EXPECT_EQ(runs[size_t(i)], i < count ? 1 : 0) << "job " << job << " index " << i;
    EXPECT_EQ(ids[0], std::this_thread::get_id()) << "index 0 runs on the caller's thread";
    std::set<std::thread::id> distinct(ids.begin(), ids.begin() + count);
    EXPECT_EQ(int(distinct.size()), count) << "job " << job;
  }
}

TEST(ThreadPool, RethrowsTheFirstExceptionAfterEveryIndexReturned) {
  ThreadPool pool(2);
  std::atomic<int> finished{0};
  try {
    pool.run(2, [&](int i) {
      if (i == 1) throw std::runtime_error("worker failed");
      finished.fetch_add(1);
    });
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "worker failed");
  }
  EXPECT_EQ(finished.load(), 1);
  // The pool still works afterwards, and a failure on the caller's thread comes back too.
  EXPECT_THROW(pool.run(2, [](int i) {
    if (i == 0) throw std::logic_error("caller failed");
  }), std::logic_error);
  int sum = 0;
  pool.run(1, [&](int i) { sum += i + 1; });
  EXPECT_EQ(sum, 1);
}

TEST(ThreadPool, RejectsBadSizes) {
  EXPECT_THROW(ThreadPool(0), std::invalid_argument);
  ThreadPool one(1);
  EXPECT_EQ(one.size(), 1);
  EXPECT_THROW(one.run(2, [](int) {}), std::invalid_argument);
  EXPECT_THROW(one.run(0, [](int) {}), std::invalid_argument);
}

}  // namespace
}  // namespace xc::util
