// The ExCamera graph of gen_makefile.py run in process on one clip, each rule timed (thread CPU time),
// and the graph's critical path: what no number of workers shortens.
#pragma once

#include <array>
#include <string>
#include <vector>

namespace xc::bench {

// The rules of one chunk, in the order gen_makefile.py lists them.
enum class Stage { kVpxenc, kTerminate, kDump, kReencode, kRebase };
constexpr int kStages = 5;
const char* stage_name(Stage stage);

// CPU seconds of each rule of one chunk; negative for a rule the graph does not have (chunk 0 has
// no re-encode, chunks 0 and 1 no rebase).
struct ChunkTimes {
  std::array<double, kStages> seconds{-1, -1, -1, -1, -1};
  double& operator[](Stage s) { return seconds[size_t(s)]; }
  double operator[](Stage s) const { return seconds[size_t(s)]; }
  bool has(Stage s) const { return (*this)[s] >= 0; }
};

struct Rule {
  int chunk = 0;
  Stage stage = Stage::kVpxenc;
};

// The longest chain of rules, each waiting for the one before it, with unlimited workers:
//   vpxenc c -> terminate c -> dump c;  re-encode c needs terminate c and dump c-1;
//   rebase c needs re-encode c, dump c-1 and the state chunk c-1's last rule writes (its re-encode
//   for chunk 1, its rebase after that).
struct CriticalPath {
  double seconds = 0;
  std::vector<Rule> chain;  // first rule first
};
CriticalPath critical_path(const std::vector<ChunkTimes>& chunks);

// One run of the whole graph and, on the same frames, one vpxenc encode of them all.
struct GraphRun {
  std::vector<ChunkTimes> chunks;
  double whole_clip_vpxenc = 0;
};

struct GraphSetup {
  std::string clip;         // a Y4M file
  int chunks = 16;          // at most this many chunks (fewer if the clip is shorter)
  int frames_per_chunk = 6;
  int cq = 22;              // vpxenc --cq-level
};

// Splits the clip into chunks in a temporary folder and runs the graph there `runs` times, each rule
// through the libraries as its tool would (reading and writing the same files), in one batch as
// gen_makefile.py START END BATCH makes it with BATCH >= the chunk count. Throws util::Error naming
// the clip if it holds fewer frames than one chunk.
std::vector<GraphRun> run_graph(const GraphSetup& setup, int runs);

}  // namespace xc::bench
