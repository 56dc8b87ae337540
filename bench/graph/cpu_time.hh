// CPU time of the calling thread: what one single-threaded job costs, whatever else the machine runs.
#pragma once

#include <ctime>

namespace xc::bench {

inline double thread_cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

// The thread CPU seconds `work` takes.
template <typename Work>
double cpu_seconds(Work&& work) {
  const double t0 = thread_cpu_seconds();
  work();
  return thread_cpu_seconds() - t0;
}

}  // namespace xc::bench
