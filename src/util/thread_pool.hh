// A fixed set of threads that run one parallel job at a time (the decoder's macroblock-row
// wavefront), kept between jobs so that a job per frame costs no thread creation.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace xc::util {

class ThreadPool {
 public:
  // `threads` in all, the caller's included: threads - 1 workers are started (none for 1).
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return int(workers_.size()) + 1; }

  // Calls work(i) for i = 0 .. count - 1 (count <= size()), each on its own thread, the caller's
  // thread taking i = 0, and returns when all have returned. If any threw, rethrows the first
  // exception caught. The calls must not wait for work that only a later run would do.
  void run(int count, const std::function<void(int)>& work);

 private:
  void worker(int index);
  void record(std::exception_ptr e);

  std::mutex mutex_;
  std::condition_variable start_;     // a new job, or stopping
  std::condition_variable finished_;  // a worker finished its part of the job
  const std::function<void(int)>* work_ = nullptr;
  int count_ = 0;
  uint64_t generation_ = 0;  // jobs started so far
  int running_ = 0;          // workers still in the current job
  bool stopping_ = false;
  std::exception_ptr error_;
  std::vector<std::thread> workers_;
};

}  // namespace xc::util
