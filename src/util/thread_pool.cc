// The thread pool: workers sleep on a condition variable between jobs; a job is the generation
// counter moving on, and it ends when every worker with a part in it has reported back.
#include "util/thread_pool.hh"

#include <stdexcept>
#include <utility>

namespace xc::util {

ThreadPool::ThreadPool(int threads) {
  if (threads < 1) throw std::invalid_argument("a thread pool needs at least one thread");
  workers_.reserve(size_t(threads - 1));
  for (int i = 1; i < threads; ++i) workers_.emplace_back([this, i] { worker(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  start_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::record(std::exception_ptr e) {
  std::lock_guard lock(mutex_);
  if (!error_) error_ = std::move(e);
}

void ThreadPool::run(int count, const std::function<void(int)>& work) {
  if (count < 1 || count > size()) throw std::invalid_argument("thread pool job larger than the pool");
  {
    std::lock_guard lock(mutex_);
    work_ = &work;
    count_ = count;
    running_ = count - 1;
    error_ = nullptr;
    ++generation_;
  }
  if (count > 1) start_.notify_all();
  try {
    work(0);
  } catch (...) {
    record(std::current_exception());
  }
  std::unique_lock lock(mutex_);
  finished_.wait(lock, [&] { return running_ == 0; });
  work_ = nullptr;
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
}

void ThreadPool::worker(int index) {
  uint64_t seen = 0;
  while (true) {
    const std::function<void(int)>* work = nullptr;
    {
      std::unique_lock lock(mutex_);
      start_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
      if (index >= count_) continue;
      work = work_;
    }
    try {
      (*work)(index);
    } catch (...) {
      record(std::current_exception());
    }
    {
      std::lock_guard lock(mutex_);
      --running_;
    }
    finished_.notify_one();
  }
}

}  // namespace xc::util
