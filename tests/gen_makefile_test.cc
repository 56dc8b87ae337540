// Tests of gen_makefile.py: the Makefile it prints has exactly the original ExCamera graph (targets,
// prerequisite sets, tool per rule, held below as data), every command reads only its prerequisites
// and writes only its targets, bad command lines exit 2, and GNU make runs each two-target rule once.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tool_test_support.hh"
#include "util_test_support.hh"

namespace {

namespace fs = std::filesystem;
using xc::test::run_command;
using xc::test::shell_quote;

using Names = std::set<std::string>;

// The original generator's graphs, one rule a line: "targets : prerequisites : tool". A batch's
// first chunk F is terminated straight to F.ivf; the second chunk's re-encode is final and writes
// its -1 state; the rebase chain runs from the third chunk on and the batch's last chunk writes no
// -1 state.
constexpr const char* kBatch0To15 = R"(
00000000-vpxenc.ivf : 00000000.y4m : vpxenc
00000000.ivf : 00000000-vpxenc.ivf : xc-terminate-chunk
00000000-0.state : 00000000.ivf : xc-dump
00000001-vpxenc.ivf : 00000001.y4m : vpxenc
00000001-0.ivf : 00000001-vpxenc.ivf : xc-terminate-chunk
00000001-0.state : 00000001-0.ivf : xc-dump
00000002-vpxenc.ivf : 00000002.y4m : vpxenc
00000002-0.ivf : 00000002-vpxenc.ivf : xc-terminate-chunk
00000002-0.state : 00000002-0.ivf : xc-dump
00000003-vpxenc.ivf : 00000003.y4m : vpxenc
00000003-0.ivf : 00000003-vpxenc.ivf : xc-terminate-chunk
00000003-0.state : 00000003-0.ivf : xc-dump
00000004-vpxenc.ivf : 00000004.y4m : vpxenc
00000004-0.ivf : 00000004-vpxenc.ivf : xc-terminate-chunk
00000004-0.state : 00000004-0.ivf : xc-dump
00000005-vpxenc.ivf : 00000005.y4m : vpxenc
00000005-0.ivf : 00000005-vpxenc.ivf : xc-terminate-chunk
00000005-0.state : 00000005-0.ivf : xc-dump
00000006-vpxenc.ivf : 00000006.y4m : vpxenc
00000006-0.ivf : 00000006-vpxenc.ivf : xc-terminate-chunk
00000006-0.state : 00000006-0.ivf : xc-dump
00000007-vpxenc.ivf : 00000007.y4m : vpxenc
00000007-0.ivf : 00000007-vpxenc.ivf : xc-terminate-chunk
00000007-0.state : 00000007-0.ivf : xc-dump
00000008-vpxenc.ivf : 00000008.y4m : vpxenc
00000008-0.ivf : 00000008-vpxenc.ivf : xc-terminate-chunk
00000008-0.state : 00000008-0.ivf : xc-dump
00000009-vpxenc.ivf : 00000009.y4m : vpxenc
00000009-0.ivf : 00000009-vpxenc.ivf : xc-terminate-chunk
00000009-0.state : 00000009-0.ivf : xc-dump
00000010-vpxenc.ivf : 00000010.y4m : vpxenc
00000010-0.ivf : 00000010-vpxenc.ivf : xc-terminate-chunk
00000010-0.state : 00000010-0.ivf : xc-dump
00000011-vpxenc.ivf : 00000011.y4m : vpxenc
00000011-0.ivf : 00000011-vpxenc.ivf : xc-terminate-chunk
00000011-0.state : 00000011-0.ivf : xc-dump
00000012-vpxenc.ivf : 00000012.y4m : vpxenc
00000012-0.ivf : 00000012-vpxenc.ivf : xc-terminate-chunk
00000012-0.state : 00000012-0.ivf : xc-dump
00000013-vpxenc.ivf : 00000013.y4m : vpxenc
00000013-0.ivf : 00000013-vpxenc.ivf : xc-terminate-chunk
00000013-0.state : 00000013-0.ivf : xc-dump
00000014-vpxenc.ivf : 00000014.y4m : vpxenc
00000014-0.ivf : 00000014-vpxenc.ivf : xc-terminate-chunk
00000014-0.state : 00000014-0.ivf : xc-dump
00000015-vpxenc.ivf : 00000015.y4m : vpxenc
00000015-0.ivf : 00000015-vpxenc.ivf : xc-terminate-chunk
00000015-0.state : 00000015-0.ivf : xc-dump
00000001.ivf 00000001-1.state : 00000001.y4m 00000001-0.ivf 00000000-0.state : xc-enc
00000002-1.ivf : 00000002.y4m 00000002-0.ivf 00000001-0.state : xc-enc
00000003-1.ivf : 00000003.y4m 00000003-0.ivf 00000002-0.state : xc-enc
00000004-1.ivf : 00000004.y4m 00000004-0.ivf 00000003-0.state : xc-enc
00000005-1.ivf : 00000005.y4m 00000005-0.ivf 00000004-0.state : xc-enc
00000006-1.ivf : 00000006.y4m 00000006-0.ivf 00000005-0.state : xc-enc
00000007-1.ivf : 00000007.y4m 00000007-0.ivf 00000006-0.state : xc-enc
00000008-1.ivf : 00000008.y4m 00000008-0.ivf 00000007-0.state : xc-enc
00000009-1.ivf : 00000009.y4m 00000009-0.ivf 00000008-0.state : xc-enc
00000010-1.ivf : 00000010.y4m 00000010-0.ivf 00000009-0.state : xc-enc
00000011-1.ivf : 00000011.y4m 00000011-0.ivf 00000010-0.state : xc-enc
00000012-1.ivf : 00000012.y4m 00000012-0.ivf 00000011-0.state : xc-enc
00000013-1.ivf : 00000013.y4m 00000013-0.ivf 00000012-0.state : xc-enc
00000014-1.ivf : 00000014.y4m 00000014-0.ivf 00000013-0.state : xc-enc
00000015-1.ivf : 00000015.y4m 00000015-0.ivf 00000014-0.state : xc-enc
00000002.ivf 00000002-1.state : 00000002.y4m 00000002-1.ivf 00000001-0.state 00000001-1.state : xc-enc
00000003.ivf 00000003-1.state : 00000003.y4m 00000003-1.ivf 00000002-0.state 00000002-1.state : xc-enc
00000004.ivf 00000004-1.state : 00000004.y4m 00000004-1.ivf 00000003-0.state 00000003-1.state : xc-enc
00000005.ivf 00000005-1.state : 00000005.y4m 00000005-1.ivf 00000004-0.state 00000004-1.state : xc-enc
00000006.ivf 00000006-1.state : 00000006.y4m 00000006-1.ivf 00000005-0.state 00000005-1.state : xc-enc
00000007.ivf 00000007-1.state : 00000007.y4m 00000007-1.ivf 00000006-0.state 00000006-1.state : xc-enc
00000008.ivf 00000008-1.state : 00000008.y4m 00000008-1.ivf 00000007-0.state 00000007-1.state : xc-enc
00000009.ivf 00000009-1.state : 00000009.y4m 00000009-1.ivf 00000008-0.state 00000008-1.state : xc-enc
00000010.ivf 00000010-1.state : 00000010.y4m 00000010-1.ivf 00000009-0.state 00000009-1.state : xc-enc
00000011.ivf 00000011-1.state : 00000011.y4m 00000011-1.ivf 00000010-0.state 00000010-1.state : xc-enc
00000012.ivf 00000012-1.state : 00000012.y4m 00000012-1.ivf 00000011-0.state 00000011-1.state : xc-enc
00000013.ivf 00000013-1.state : 00000013.y4m 00000013-1.ivf 00000012-0.state 00000012-1.state : xc-enc
00000014.ivf 00000014-1.state : 00000014.y4m 00000014-1.ivf 00000013-0.state 00000013-1.state : xc-enc
00000015.ivf : 00000015.y4m 00000015-1.ivf 00000014-0.state 00000014-1.state : xc-enc
)";

constexpr const char* kBatch16To31 = R"(
00000016-vpxenc.ivf : 00000016.y4m : vpxenc
00000016.ivf : 00000016-vpxenc.ivf : xc-terminate-chunk
00000016-0.state : 00000016.ivf : xc-dump
00000017-vpxenc.ivf : 00000017.y4m : vpxenc
00000017-0.ivf : 00000017-vpxenc.ivf : xc-terminate-chunk
00000017-0.state : 00000017-0.ivf : xc-dump
00000018-vpxenc.ivf : 00000018.y4m : vpxenc
00000018-0.ivf : 00000018-vpxenc.ivf : xc-terminate-chunk
00000018-0.state : 00000018-0.ivf : xc-dump
00000019-vpxenc.ivf : 00000019.y4m : vpxenc
00000019-0.ivf : 00000019-vpxenc.ivf : xc-terminate-chunk
00000019-0.state : 00000019-0.ivf : xc-dump
00000020-vpxenc.ivf : 00000020.y4m : vpxenc
00000020-0.ivf : 00000020-vpxenc.ivf : xc-terminate-chunk
00000020-0.state : 00000020-0.ivf : xc-dump
00000021-vpxenc.ivf : 00000021.y4m : vpxenc
00000021-0.ivf : 00000021-vpxenc.ivf : xc-terminate-chunk
00000021-0.state : 00000021-0.ivf : xc-dump
00000022-vpxenc.ivf : 00000022.y4m : vpxenc
00000022-0.ivf : 00000022-vpxenc.ivf : xc-terminate-chunk
00000022-0.state : 00000022-0.ivf : xc-dump
00000023-vpxenc.ivf : 00000023.y4m : vpxenc
00000023-0.ivf : 00000023-vpxenc.ivf : xc-terminate-chunk
00000023-0.state : 00000023-0.ivf : xc-dump
00000024-vpxenc.ivf : 00000024.y4m : vpxenc
00000024-0.ivf : 00000024-vpxenc.ivf : xc-terminate-chunk
00000024-0.state : 00000024-0.ivf : xc-dump
00000025-vpxenc.ivf : 00000025.y4m : vpxenc
00000025-0.ivf : 00000025-vpxenc.ivf : xc-terminate-chunk
00000025-0.state : 00000025-0.ivf : xc-dump
00000026-vpxenc.ivf : 00000026.y4m : vpxenc
00000026-0.ivf : 00000026-vpxenc.ivf : xc-terminate-chunk
00000026-0.state : 00000026-0.ivf : xc-dump
00000027-vpxenc.ivf : 00000027.y4m : vpxenc
00000027-0.ivf : 00000027-vpxenc.ivf : xc-terminate-chunk
00000027-0.state : 00000027-0.ivf : xc-dump
00000028-vpxenc.ivf : 00000028.y4m : vpxenc
00000028-0.ivf : 00000028-vpxenc.ivf : xc-terminate-chunk
00000028-0.state : 00000028-0.ivf : xc-dump
00000029-vpxenc.ivf : 00000029.y4m : vpxenc
00000029-0.ivf : 00000029-vpxenc.ivf : xc-terminate-chunk
00000029-0.state : 00000029-0.ivf : xc-dump
00000030-vpxenc.ivf : 00000030.y4m : vpxenc
00000030-0.ivf : 00000030-vpxenc.ivf : xc-terminate-chunk
00000030-0.state : 00000030-0.ivf : xc-dump
00000031-vpxenc.ivf : 00000031.y4m : vpxenc
00000031-0.ivf : 00000031-vpxenc.ivf : xc-terminate-chunk
00000031-0.state : 00000031-0.ivf : xc-dump
00000017.ivf 00000017-1.state : 00000017.y4m 00000017-0.ivf 00000016-0.state : xc-enc
00000018-1.ivf : 00000018.y4m 00000018-0.ivf 00000017-0.state : xc-enc
00000019-1.ivf : 00000019.y4m 00000019-0.ivf 00000018-0.state : xc-enc
00000020-1.ivf : 00000020.y4m 00000020-0.ivf 00000019-0.state : xc-enc
00000021-1.ivf : 00000021.y4m 00000021-0.ivf 00000020-0.state : xc-enc
00000022-1.ivf : 00000022.y4m 00000022-0.ivf 00000021-0.state : xc-enc
00000023-1.ivf : 00000023.y4m 00000023-0.ivf 00000022-0.state : xc-enc
00000024-1.ivf : 00000024.y4m 00000024-0.ivf 00000023-0.state : xc-enc
00000025-1.ivf : 00000025.y4m 00000025-0.ivf 00000024-0.state : xc-enc
00000026-1.ivf : 00000026.y4m 00000026-0.ivf 00000025-0.state : xc-enc
00000027-1.ivf : 00000027.y4m 00000027-0.ivf 00000026-0.state : xc-enc
00000028-1.ivf : 00000028.y4m 00000028-0.ivf 00000027-0.state : xc-enc
00000029-1.ivf : 00000029.y4m 00000029-0.ivf 00000028-0.state : xc-enc
00000030-1.ivf : 00000030.y4m 00000030-0.ivf 00000029-0.state : xc-enc
00000031-1.ivf : 00000031.y4m 00000031-0.ivf 00000030-0.state : xc-enc
00000018.ivf 00000018-1.state : 00000018.y4m 00000018-1.ivf 00000017-0.state 00000017-1.state : xc-enc
00000019.ivf 00000019-1.state : 00000019.y4m 00000019-1.ivf 00000018-0.state 00000018-1.state : xc-enc
00000020.ivf 00000020-1.state : 00000020.y4m 00000020-1.ivf 00000019-0.state 00000019-1.state : xc-enc
00000021.ivf 00000021-1.state : 00000021.y4m 00000021-1.ivf 00000020-0.state 00000020-1.state : xc-enc
00000022.ivf 00000022-1.state : 00000022.y4m 00000022-1.ivf 00000021-0.state 00000021-1.state : xc-enc
00000023.ivf 00000023-1.state : 00000023.y4m 00000023-1.ivf 00000022-0.state 00000022-1.state : xc-enc
00000024.ivf 00000024-1.state : 00000024.y4m 00000024-1.ivf 00000023-0.state 00000023-1.state : xc-enc
00000025.ivf 00000025-1.state : 00000025.y4m 00000025-1.ivf 00000024-0.state 00000024-1.state : xc-enc
00000026.ivf 00000026-1.state : 00000026.y4m 00000026-1.ivf 00000025-0.state 00000025-1.state : xc-enc
00000027.ivf 00000027-1.state : 00000027.y4m 00000027-1.ivf 00000026-0.state 00000026-1.state : xc-enc
00000028.ivf 00000028-1.state : 00000028.y4m 00000028-1.ivf 00000027-0.state 00000027-1.state : xc-enc
00000029.ivf 00000029-1.state : 00000029.y4m 00000029-1.ivf 00000028-0.state 00000028-1.state : xc-enc
00000030.ivf 00000030-1.state : 00000030.y4m 00000030-1.ivf 00000029-0.state 00000029-1.state : xc-enc
00000031.ivf : 00000031.y4m 00000031-1.ivf 00000030-0.state 00000030-1.state : xc-enc
)";

constexpr const char* kBatch32To40 = R"(
00000032-vpxenc.ivf : 00000032.y4m : vpxenc
00000032.ivf : 00000032-vpxenc.ivf : xc-terminate-chunk
00000032-0.state : 00000032.ivf : xc-dump
00000033-vpxenc.ivf : 00000033.y4m : vpxenc
00000033-0.ivf : 00000033-vpxenc.ivf : xc-terminate-chunk
00000033-0.state : 00000033-0.ivf : xc-dump
00000034-vpxenc.ivf : 00000034.y4m : vpxenc
00000034-0.ivf : 00000034-vpxenc.ivf : xc-terminate-chunk
00000034-0.state : 00000034-0.ivf : xc-dump
00000035-vpxenc.ivf : 00000035.y4m : vpxenc
00000035-0.ivf : 00000035-vpxenc.ivf : xc-terminate-chunk
00000035-0.state : 00000035-0.ivf : xc-dump
00000036-vpxenc.ivf : 00000036.y4m : vpxenc
00000036-0.ivf : 00000036-vpxenc.ivf : xc-terminate-chunk
00000036-0.state : 00000036-0.ivf : xc-dump
00000037-vpxenc.ivf : 00000037.y4m : vpxenc
00000037-0.ivf : 00000037-vpxenc.ivf : xc-terminate-chunk
00000037-0.state : 00000037-0.ivf : xc-dump
00000038-vpxenc.ivf : 00000038.y4m : vpxenc
00000038-0.ivf : 00000038-vpxenc.ivf : xc-terminate-chunk
00000038-0.state : 00000038-0.ivf : xc-dump
00000039-vpxenc.ivf : 00000039.y4m : vpxenc
00000039-0.ivf : 00000039-vpxenc.ivf : xc-terminate-chunk
00000039-0.state : 00000039-0.ivf : xc-dump
00000040-vpxenc.ivf : 00000040.y4m : vpxenc
00000040-0.ivf : 00000040-vpxenc.ivf : xc-terminate-chunk
00000040-0.state : 00000040-0.ivf : xc-dump
00000033.ivf 00000033-1.state : 00000033.y4m 00000033-0.ivf 00000032-0.state : xc-enc
00000034-1.ivf : 00000034.y4m 00000034-0.ivf 00000033-0.state : xc-enc
00000035-1.ivf : 00000035.y4m 00000035-0.ivf 00000034-0.state : xc-enc
00000036-1.ivf : 00000036.y4m 00000036-0.ivf 00000035-0.state : xc-enc
00000037-1.ivf : 00000037.y4m 00000037-0.ivf 00000036-0.state : xc-enc
00000038-1.ivf : 00000038.y4m 00000038-0.ivf 00000037-0.state : xc-enc
00000039-1.ivf : 00000039.y4m 00000039-0.ivf 00000038-0.state : xc-enc
00000040-1.ivf : 00000040.y4m 00000040-0.ivf 00000039-0.state : xc-enc
00000034.ivf 00000034-1.state : 00000034.y4m 00000034-1.ivf 00000033-0.state 00000033-1.state : xc-enc
00000035.ivf 00000035-1.state : 00000035.y4m 00000035-1.ivf 00000034-0.state 00000034-1.state : xc-enc
00000036.ivf 00000036-1.state : 00000036.y4m 00000036-1.ivf 00000035-0.state 00000035-1.state : xc-enc
00000037.ivf 00000037-1.state : 00000037.y4m 00000037-1.ivf 00000036-0.state 00000036-1.state : xc-enc
00000038.ivf 00000038-1.state : 00000038.y4m 00000038-1.ivf 00000037-0.state 00000037-1.state : xc-enc
00000039.ivf 00000039-1.state : 00000039.y4m 00000039-1.ivf 00000038-0.state 00000038-1.state : xc-enc
00000040.ivf : 00000040.y4m 00000040-1.ivf 00000039-0.state 00000039-1.state : xc-enc
)";

// "5 7 1 CQ": every chunk is a batch of its own, so every chunk is final after stage 1.
constexpr const char* kSingles5To7 = R"(
00000005-vpxenc.ivf : 00000005.y4m : vpxenc
00000005.ivf : 00000005-vpxenc.ivf : xc-terminate-chunk
00000005-0.state : 00000005.ivf : xc-dump
00000006-vpxenc.ivf : 00000006.y4m : vpxenc
00000006.ivf : 00000006-vpxenc.ivf : xc-terminate-chunk
00000006-0.state : 00000006.ivf : xc-dump
00000007-vpxenc.ivf : 00000007.y4m : vpxenc
00000007.ivf : 00000007-vpxenc.ivf : xc-terminate-chunk
00000007-0.state : 00000007.ivf : xc-dump
)";

// "0 3 2 CQ": two batches of two chunks; the second chunk of each is final after stage 2.
constexpr const char* kPairs0To3 = R"(
00000000-vpxenc.ivf : 00000000.y4m : vpxenc
00000000.ivf : 00000000-vpxenc.ivf : xc-terminate-chunk
00000000-0.state : 00000000.ivf : xc-dump
00000001-vpxenc.ivf : 00000001.y4m : vpxenc
00000001-0.ivf : 00000001-vpxenc.ivf : xc-terminate-chunk
00000001-0.state : 00000001-0.ivf : xc-dump
00000001.ivf 00000001-1.state : 00000001.y4m 00000001-0.ivf 00000000-0.state : xc-enc
00000002-vpxenc.ivf : 00000002.y4m : vpxenc
00000002.ivf : 00000002-vpxenc.ivf : xc-terminate-chunk
00000002-0.state : 00000002.ivf : xc-dump
00000003-vpxenc.ivf : 00000003.y4m : vpxenc
00000003-0.ivf : 00000003-vpxenc.ivf : xc-terminate-chunk
00000003-0.state : 00000003-0.ivf : xc-dump
00000003.ivf 00000003-1.state : 00000003.y4m 00000003-0.ivf 00000002-0.state : xc-enc
)";

struct ExpectedRule {
  Names prerequisites;
  std::string tool;
};

// Keyed by the rule's target set.
using Graph = std::map<Names, ExpectedRule>;

Names split_names(const std::string& text) {
  std::istringstream in(text);
  Names out;
  for (std::string word; in >> word;) out.insert(word);
  return out;
}

std::vector<std::string> split_words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

Graph expected_graph(const std::vector<const char*>& parts) {
  Graph graph;
  for (const char* part : parts) {
    std::istringstream in(part);
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      const size_t a = line.find(" : "), b = line.rfind(" : ");
      EXPECT_NE(a, b) << "bad data line: " << line;
      graph[split_names(line.substr(0, a))] = {split_names(line.substr(a + 3, b - a - 3)), line.substr(b + 3)};
    }
  }
  return graph;
}

// One rule as the Makefile spells it.
struct Rule {
  std::vector<std::string> targets;  // in the order written
  bool grouped = false;              // "&:"
  std::vector<std::string> prerequisites;
  std::vector<std::string> recipe;  // one command per line, leading tab removed
};

struct Makefile {
  std::string text;
  std::vector<std::string> variables;  // assignment lines
  std::vector<Rule> rules;             // "all", "clean", ".PHONY" etc. included
  std::set<std::string> special;       // .DELETE_ON_ERROR and other special targets
};

// A small reader for the subset of make syntax the generator prints: comments, blank lines,
// conditionals, "VAR ?= value", "targets: prerequisites" or "targets &: prerequisites", and recipe
// lines starting with a tab.
Makefile parse_makefile(const std::string& text) {
  Makefile out;
  out.text = text;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    if (line[0] == '\t') {
      EXPECT_FALSE(out.rules.empty()) << "recipe line before any rule: " << line;
      if (!out.rules.empty()) out.rules.back().recipe.push_back(line.substr(1));
      continue;
    }
    if (line.rfind("ifeq", 0) == 0 || line.rfind("endif", 0) == 0 || line.rfind("$(error", 0) == 0) continue;
    if (line.find('=') != std::string::npos && line.find(':') == std::string::npos) {
      out.variables.push_back(line);
      continue;
    }
    const size_t colon = line.find(':');
    EXPECT_NE(colon, std::string::npos) << "unexpected line: " << line;
    if (colon == std::string::npos) continue;
    Rule rule;
    std::string head = line.substr(0, colon);
    if (!head.empty() && head.back() == '&') {
      rule.grouped = true;
      head.pop_back();
    }
    rule.targets = split_words(head);
    rule.prerequisites = split_words(line.substr(colon + 1));
    if (rule.targets.size() == 1 && rule.targets[0][0] == '.') out.special.insert(rule.targets[0]);
    out.rules.push_back(rule);
  }
  return out;
}

std::string generator() { return xc::test::source_path("gen_makefile.py"); }

Makefile generate(const std::string& arguments) {
  const auto r = run_command("python3 " + shell_quote(generator()) + " " + arguments);
  EXPECT_EQ(r.exit_code, 0) << "gen_makefile.py " << arguments;
  return parse_makefile(r.output);
}

// The rules that build files (not all, clean or special targets).
std::vector<Rule> file_rules(const Makefile& makefile) {
  std::vector<Rule> out;
  for (const Rule& rule : makefile.rules) {
    const std::string& first = rule.targets.at(0);
    if (first == "all" || first == "clean" || first[0] == '.') continue;
    out.push_back(rule);
  }
  return out;
}

// Every command starts with the launcher hook and then the tool, taken from $(XC_BIN).
constexpr const char* kRunPrefix = "$(XC_RUN) ";
constexpr const char* kToolPrefix = "$(XC_BIN)";
const std::string kCommandPrefix = std::string(kRunPrefix) + kToolPrefix;

// The tool a recipe runs, without the prefixes; empty when the recipe is not one command starting with
// "$(XC_RUN) $(XC_BIN)".
std::string tool_of(const Rule& rule) {
  if (rule.recipe.size() != 1 || rule.recipe[0].rfind(kCommandPrefix, 0) != 0) return {};
  const auto words = split_words(rule.recipe[0].substr(kCommandPrefix.size()));
  return words.empty() ? std::string() : words[0];
}

void expect_graph(const Makefile& makefile, const Graph& expected, const std::string& what) {
  Graph got;
  for (const Rule& rule : file_rules(makefile)) {
    const Names targets(rule.targets.begin(), rule.targets.end());
    EXPECT_EQ(targets.size(), rule.targets.size()) << what << ": a target is repeated in " << rule.recipe.at(0);
    EXPECT_FALSE(got.count(targets)) << what << ": two rules for " << *targets.begin();
    got[targets] = {Names(rule.prerequisites.begin(), rule.prerequisites.end()), tool_of(rule)};
  }
  for (const auto& [targets, rule] : expected) {
    const auto it = got.find(targets);
    if (it == got.end()) {
      ADD_FAILURE() << what << ": no rule with exactly the targets of " << *targets.rbegin();
      continue;
    }
    EXPECT_EQ(it->second.prerequisites, rule.prerequisites) << what << ": prerequisites of " << *targets.begin();
    EXPECT_EQ(it->second.tool, rule.tool) << what << ": tool of " << *targets.begin();
  }
  for (const auto& [targets, rule] : got) {
    EXPECT_TRUE(expected.count(targets)) << what << ": unexpected rule for " << *targets.begin();
  }
  EXPECT_EQ(got.size(), expected.size()) << what;
}

// `all` names every chunk's final IVF, in order; clean and all are phony; failed commands leave no
// target behind.
void expect_entry_points(const Makefile& makefile, int start, int end) {
  std::vector<std::string> finals;
  for (int i = start; i <= end; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "%08d.ivf", i);
    finals.push_back(name);
  }
  ASSERT_FALSE(makefile.rules.empty());
  const Rule* all = nullptr;
  const Rule* clean = nullptr;
  const Rule* phony = nullptr;
  for (const Rule& rule : makefile.rules) {
    if (rule.targets[0] == "all") all = &rule;
    if (rule.targets[0] == "clean") clean = &rule;
    if (rule.targets[0] == ".PHONY") phony = &rule;
  }
  // The default goal is the first target not starting with '.'.
  const auto first = std::find_if(makefile.rules.begin(), makefile.rules.end(),
                                  [](const Rule& rule) { return rule.targets[0][0] != '.'; });
  ASSERT_NE(first, makefile.rules.end());
  EXPECT_EQ(first->targets[0], "all") << "make's default goal must be all";
  ASSERT_NE(all, nullptr);
  EXPECT_EQ(all->prerequisites, finals);
  ASSERT_NE(clean, nullptr);
  ASSERT_NE(phony, nullptr);
  EXPECT_EQ(Names(phony->prerequisites.begin(), phony->prerequisites.end()), (Names{"all", "clean"}));
  EXPECT_TRUE(makefile.special.count(".DELETE_ON_ERROR"));
  // clean removes exactly the generated files (never a user's other *.ivf).
  Names removed, generated;
  for (const std::string& line : clean->recipe) {
    auto words = split_words(line);
    ASSERT_GE(words.size(), 2u);
    EXPECT_EQ(words[0] + " " + words[1], "rm -f");
    removed.insert(words.begin() + 2, words.end());
  }
  for (const Rule& rule : file_rules(makefile)) generated.insert(rule.targets.begin(), rule.targets.end());
  EXPECT_EQ(removed, generated);
  EXPECT_NE(std::find(makefile.variables.begin(), makefile.variables.end(), "XC_BIN ?="), makefile.variables.end())
      << "the Makefile must let XC_BIN default to nothing (tools from PATH)";
  EXPECT_NE(std::find(makefile.variables.begin(), makefile.variables.end(), "XC_RUN ?="), makefile.variables.end())
      << "the Makefile must let XC_RUN default to nothing (commands run here)";
}

// The ExCamera vpxenc flags up to the cq-level, and after it.
constexpr const char* kVpxencFlagsHead =
    "--ivf --codec=vp8 --good --cpu-used=0 --end-usage=cq --min-q=0 --max-q=63 --cq-level=";
constexpr const char* kVpxencFlagsTail =
    "--buf-initial-sz=10000 --buf-optimal-sz=20000 --buf-sz=40000 --undershoot-pct=100 --passes=2 "
    "--auto-alt-ref=1 --threads=1 --token-parts=0 --tune=ssim --target-bitrate=4294967295";

// What a command line reads and writes, from the tools' documented arguments.
struct Io {
  std::vector<std::string> outputs;  // in command-line order
  std::vector<std::string> inputs;
};

Io command_io(const std::string& tool, const std::vector<std::string>& args, const std::string& where) {
  Io io;
  if (tool == "xc-terminate-chunk" || tool == "xc-dump") {
    EXPECT_EQ(args.size(), 2u) << where;
    if (args.size() == 2) io = {{args[1]}, {args[0]}};
    return io;
  }
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool has_value = i + 1 < args.size();
    if ((a == "-o" || a == "-O") && has_value) {
      io.outputs.push_back(args[++i]);
    } else if (tool == "xc-enc" && (a == "-I" || a == "-p" || a == "-S") && has_value) {
      io.inputs.push_back(args[++i]);
    } else if (tool == "xc-enc" && (a == "-w" || a == "-i") && has_value) {
      ++i;
    } else if (a[0] != '-') {
      io.inputs.push_back(a);
    }
  }
  return io;
}

// Every command reads exactly its prerequisites and writes exactly its targets (what gg's thunks
// and a worker's empty folder allow), with the first target as the first output, and uses the
// ExCamera flags.
void expect_commands(const Makefile& makefile, int cq) {
  const std::string vpxenc_flags = kVpxencFlagsHead + std::to_string(cq) + " " + kVpxencFlagsTail;
  for (const Rule& rule : file_rules(makefile)) {
    ASSERT_EQ(rule.recipe.size(), 1u) << rule.targets[0];
    const std::string& command = rule.recipe[0];
    const std::string tool = tool_of(rule);
    ASSERT_EQ(command.rfind(kCommandPrefix, 0), 0u) << "no launcher hook: " << command;
    auto words = split_words(command.substr(std::string(kRunPrefix).size()));
    const std::vector<std::string> args(words.begin() + 1, words.end());
    const Io io = command_io(tool, args, command);
    EXPECT_EQ(Names(io.outputs.begin(), io.outputs.end()), Names(rule.targets.begin(), rule.targets.end())) << command;
    EXPECT_EQ(Names(io.inputs.begin(), io.inputs.end()), Names(rule.prerequisites.begin(), rule.prerequisites.end()))
        << command;
    if (!io.outputs.empty()) {
      EXPECT_EQ(io.outputs[0], rule.targets[0]) << "first output first: " << command;
    }
    EXPECT_EQ(rule.grouped, rule.targets.size() > 1) << "multi-target rules must be grouped (&:): " << command;
    if (tool == "vpxenc") {
      EXPECT_EQ(command.rfind(kCommandPrefix + "vpxenc " + vpxenc_flags + " -o ", 0), 0u) << command;
    } else if (tool == "xc-enc") {
      // The original's flags, but without its first-frame weight (-w 0.75; gen_makefile.py says why).
      EXPECT_EQ(command.rfind(kCommandPrefix + "xc-enc -W -i y4m -o ", 0), 0u) << command;
      EXPECT_NE(command.find(" -r -I "), std::string::npos) << command;
    }
  }
}

TEST(GenMakefile, OneBatchOf16HasTheOriginalGraph) {
  const Makefile makefile = generate("0 15 16 22");
  expect_graph(makefile, expected_graph({kBatch0To15}), "0 15 16 22");
  expect_entry_points(makefile, 0, 15);
  expect_commands(makefile, 22);
}

TEST(GenMakefile, ThreeBatchesHaveTheOriginalGraph) {
  const Makefile makefile = generate("0 40 16 22");
  expect_graph(makefile, expected_graph({kBatch0To15, kBatch16To31, kBatch32To40}), "0 40 16 22");
  expect_entry_points(makefile, 0, 40);
  expect_commands(makefile, 22);
}

TEST(GenMakefile, BatchesOfOneAndTwo) {
  const Makefile singles = generate("5 7 1 10");
  expect_graph(singles, expected_graph({kSingles5To7}), "5 7 1 10");
  expect_entry_points(singles, 5, 7);
  expect_commands(singles, 10);
  const Makefile pairs = generate("0 3 2 63");
  expect_graph(pairs, expected_graph({kPairs0To3}), "0 3 2 63");
  expect_entry_points(pairs, 0, 3);
  expect_commands(pairs, 63);
}

// Runs gen_makefile.main on each argument string inside one Python process (starting Python once per
// case is slow on a loaded machine) and returns "exit-code stdout-bytes usage-printed" per case.
std::vector<std::string> usage_outcomes(const std::vector<std::string>& cases, const std::string& scratch) {
  constexpr const char* kDriver = R"(
import contextlib, io, shlex, sys
sys.path.insert(0, sys.argv[1])
import gen_makefile
for case in sys.argv[2:]:
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            gen_makefile.main(["gen_makefile.py"] + shlex.split(case))
        except SystemExit as e:
            code = e.code
    print(code, len(out.getvalue()), "usage: gen_makefile.py START END BATCH CQ" in err.getvalue())
)";
  std::string command = "python3 -B -c " + shell_quote(kDriver) + " " + shell_quote(XC_SOURCE_DIR);
  for (const std::string& c : cases) {
    command += ' ';
    command += shell_quote(c);
  }
  const auto r = run_command(command, scratch, true);
  EXPECT_EQ(r.exit_code, 0) << r.errors;
  std::vector<std::string> lines;
  std::istringstream in(r.output);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(GenMakefile, UsageErrorsExitTwo) {
  xc::test::TempDir dir;
  const std::vector<std::string> bad = {
      "",            "0 15 16",      "0 15 16 22 1", "16 15 16 22", "0 15 0 22",   "0 15 -1 22",
      "0 15 16 64",  "0 15 16 -1",   "a 15 16 22",   "0 1.5 16 22", "0 15 16 2x", "-1 15 16 22",
      "0 100000000 16 22", "0 15 16 ''", "0 15 +16 22"};
  const auto outcomes = usage_outcomes(bad, dir.path());
  ASSERT_EQ(outcomes.size(), bad.size());
  for (size_t i = 0; i < bad.size(); ++i) {
    EXPECT_EQ(outcomes[i], "2 0 True") << "gen_makefile.py " << bad[i] << ": want exit 2, no output, the usage";
  }
  // The limits themselves are accepted.
  const auto good = usage_outcomes({"7 7 1 0", "99999998 99999999 1 63"}, dir.path());
  ASSERT_EQ(good.size(), 2u);
  EXPECT_EQ(good[0].substr(0, 2), "0 ");
  EXPECT_EQ(good[1].substr(0, 2), "0 ");
  // And as a program: the exit status and the streams.
  const auto r = run_command("python3 " + shell_quote(generator()) + " 0 15 16 64", dir.path(), true);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.output, "");
  EXPECT_NE(r.errors.find("usage: gen_makefile.py START END BATCH CQ"), std::string::npos) << r.errors;
}

// A folder holding the Makefile and empty chunks, for make runs.
class GenMakefileMake : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!xc::test::have_program("make")) {
      if (xc::test::on_ci()) FAIL() << "make is missing, and CI=true requires this test";
      GTEST_SKIP() << "make is missing";
    }
    const auto version = run_command("make --version");
    if (version.output.rfind("GNU Make", 0) != 0) GTEST_SKIP() << "not GNU make: " << version.output;
    makefile_ = dir_.file("Makefile");
    ASSERT_EQ(run_command("python3 " + shell_quote(generator()) + " 0 20 8 22 >" + shell_quote(makefile_)).exit_code,
              0);
    for (int i = 0; i <= 20; ++i) {
      char name[32];
      std::snprintf(name, sizeof name, "%08d.y4m", i);
      xc::test::write_raw(dir_.file(name), "YUV4MPEG2 W16 H16\n");
    }
    rules_ = file_rules(parse_makefile(xc::test::read_text(makefile_)));
  }

  std::string make(const std::string& arguments) const {
    return "cd " + shell_quote(dir_.path()) + " && make --no-print-directory " + arguments;
  }

  xc::test::TempDir dir_;
  std::string makefile_;
  std::vector<Rule> rules_;
};

// Every command, with $(XC_BIN) expanded to `bin`, keyed by the command line.
std::map<std::string, int> command_counts(const std::string& log, const std::string& bin) {
  std::map<std::string, int> counts;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(bin, 0) == 0) ++counts[line];
  }
  return counts;
}

// The commands `make all` runs, once each, with $(XC_BIN) expanded to `bin`: those of the rules `all`
// needs. (As in the original, the -0 state of a batch's last chunk has a rule but nothing needs it.)
std::map<std::string, int> expected_commands(const std::vector<Rule>& rules, const std::string& bin) {
  std::map<std::string, const Rule*> by_target;
  for (const Rule& rule : rules) {
    for (const std::string& target : rule.targets) by_target[target] = &rule;
  }
  std::vector<std::string> pending;
  for (const auto& [target, rule] : by_target) {
    if (target.size() == 12 && target.ends_with(".ivf")) pending.push_back(target);  // NNNNNNNN.ivf
  }
  std::set<const Rule*> needed;
  while (!pending.empty()) {
    const std::string file = pending.back();
    pending.pop_back();
    const auto it = by_target.find(file);
    if (it == by_target.end() || !needed.insert(it->second).second) continue;
    pending.insert(pending.end(), it->second->prerequisites.begin(), it->second->prerequisites.end());
  }
  std::map<std::string, int> counts;
  for (const Rule* rule : needed) ++counts[bin + rule->recipe.at(0).substr(kCommandPrefix.size())];
  return counts;
}

TEST_F(GenMakefileMake, DryRunListsEveryCommandOnce) {
  const auto r = run_command(make("-n -f Makefile all"), dir_.path(), true);
  ASSERT_EQ(r.exit_code, 0) << r.errors;
  // With XC_BIN empty the tools are called by bare name.
  EXPECT_EQ(command_counts(r.output, ""), expected_commands(rules_, ""));
  const auto with_bin = run_command(make("-n XC_BIN=/opt/xc/bin/"), dir_.path(), true);
  ASSERT_EQ(with_bin.exit_code, 0) << with_bin.errors;
  EXPECT_EQ(command_counts(with_bin.output, "/opt/xc/bin/"), expected_commands(rules_, "/opt/xc/bin/"));
}

// A shell for make (SHELL=...) that records each command it is given, exactly, and runs nothing.
constexpr const char* kRecordingShell = R"(#!/bin/sh
printf '%s\n' "$2" >>"$SHELL_LOG"
)";

// The commands the shell receives from `make -j1 arguments` in `dir`, in order.
std::vector<std::string> shell_commands(const std::string& dir, const std::string& arguments) {
  const std::string shell = dir + "/recording-shell", log = dir + "/shell.log";
  xc::test::write_raw(shell, kRecordingShell);
  fs::permissions(shell, fs::perms::owner_all);
  fs::remove(log);
  const auto r = run_command("cd " + shell_quote(dir) + " && SHELL_LOG=" + shell_quote(log) +
                                 " make --no-print-directory -s -j1 SHELL=" + shell_quote(shell) + " " + arguments,
                             dir, true);
  EXPECT_EQ(r.exit_code, 0) << r.errors;
  std::vector<std::string> lines;
  std::istringstream in(fs::exists(log) ? xc::test::read_text(log) : "");
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// What the shell ran for "gen_makefile.py 5 7 1 10" before XC_RUN existed, byte for byte (make -j1 all).
constexpr const char* kOriginalSinglesCommands[] = {
    "vpxenc --ivf --codec=vp8 --good --cpu-used=0 --end-usage=cq --min-q=0 --max-q=63 --cq-level=10 "
    "--buf-initial-sz=10000 --buf-optimal-sz=20000 --buf-sz=40000 --undershoot-pct=100 --passes=2 --auto-alt-ref=1 "
    "--threads=1 --token-parts=0 --tune=ssim --target-bitrate=4294967295 -o 00000005-vpxenc.ivf 00000005.y4m",
    "xc-terminate-chunk 00000005-vpxenc.ivf 00000005.ivf",
    "vpxenc --ivf --codec=vp8 --good --cpu-used=0 --end-usage=cq --min-q=0 --max-q=63 --cq-level=10 "
    "--buf-initial-sz=10000 --buf-optimal-sz=20000 --buf-sz=40000 --undershoot-pct=100 --passes=2 --auto-alt-ref=1 "
    "--threads=1 --token-parts=0 --tune=ssim --target-bitrate=4294967295 -o 00000006-vpxenc.ivf 00000006.y4m",
    "xc-terminate-chunk 00000006-vpxenc.ivf 00000006.ivf",
    "vpxenc --ivf --codec=vp8 --good --cpu-used=0 --end-usage=cq --min-q=0 --max-q=63 --cq-level=10 "
    "--buf-initial-sz=10000 --buf-optimal-sz=20000 --buf-sz=40000 --undershoot-pct=100 --passes=2 --auto-alt-ref=1 "
    "--threads=1 --token-parts=0 --tune=ssim --target-bitrate=4294967295 -o 00000007-vpxenc.ivf 00000007.y4m",
    "xc-terminate-chunk 00000007-vpxenc.ivf 00000007.ivf",
};

// With XC_RUN empty, the shell gets the very commands it got before the hook existed (make drops the blank
// the empty hook leaves), so gg infer and logs see no change; with a launcher, each command is the launcher
// followed by that same command.
TEST_F(GenMakefileMake, LauncherHookLeavesCommandsUnchanged) {
  const std::string singles = dir_.file("singles");
  fs::create_directory(singles);
  ASSERT_EQ(run_command("python3 " + shell_quote(generator()) + " 5 7 1 10 >" + shell_quote(singles + "/Makefile"))
                .exit_code,
            0);
  for (const char* name : {"00000005.y4m", "00000006.y4m", "00000007.y4m"}) {
    xc::test::write_raw(singles + "/" + name, "YUV4MPEG2 W16 H16\n");
  }
  EXPECT_EQ(shell_commands(singles, "all"),
            std::vector<std::string>(std::begin(kOriginalSinglesCommands), std::end(kOriginalSinglesCommands)));

  std::map<std::string, int> plain, launched;
  for (const std::string& line : shell_commands(dir_.path(), "all")) ++plain[line];
  EXPECT_EQ(plain, expected_commands(rules_, ""));
  const std::string launcher = "/opt/launch --ntasks=1 'a b'";
  for (const std::string& line : shell_commands(dir_.path(), "XC_RUN=" + shell_quote(launcher) + " all")) {
    ++launched[line];
  }
  std::map<std::string, int> want;
  for (const auto& [command, count] : plain) want[launcher + " " + command] = count;
  EXPECT_EQ(launched, want);
}

// Stand-ins for the four tools: each logs its command line, fails unless its inputs exist, and
// writes its outputs slowly (so that two concurrent runs of one recipe would overlap).
constexpr const char* kFakeTool = R"(#!/bin/sh
tool=$(basename "$0")
echo "$0 $*" >>"$FAKE_LOG"
ins= outs=
case $tool in
  xc-terminate-chunk|xc-dump) ins=$1 outs=$2 ;;
  *) prev=
     for a in "$@"; do
       case $prev in -o|-O) outs="$outs $a" ;; -I|-p|-S) ins="$ins $a" ;; esac
       case $a in *.y4m) ins="$ins $a" ;; esac
       prev=$a
     done ;;
esac
for f in $ins; do [ -s "$f" ] || { echo "$tool: missing input $f" >&2; exit 1; }; done
sleep 0.02
for f in $outs; do echo "$tool" >"$f.part" && mv "$f.part" "$f"; done
)";

TEST_F(GenMakefileMake, ParallelRunRunsEachRecipeOnce) {
  const std::string bin = dir_.file("bin") + "/";
  fs::create_directory(bin);
  xc::test::write_raw(bin + "fake-tool", kFakeTool);
  fs::permissions(bin + "fake-tool", fs::perms::owner_all);
  for (const char* name : {"vpxenc", "xc-terminate-chunk", "xc-dump", "xc-enc"}) {
    fs::create_symlink("fake-tool", bin + name);
  }
  const std::string log = dir_.file("tools.log");
  const auto r = run_command(make("-j2 XC_BIN=" + shell_quote(bin) + " FAKE_LOG=" + shell_quote(log)), dir_.path(),
                             true);
  ASSERT_EQ(r.exit_code, 0) << r.errors;
  const auto ran = command_counts(xc::test::read_text(log), bin);
  EXPECT_EQ(ran, expected_commands(rules_, bin));
  EXPECT_EQ(ran.size(), 21u * 3 - 3 + 2 * (7 + 6) + 4 + 3) << "stage 1 (less three unneeded states), 2 and 3";
  for (int i = 0; i <= 20; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "%08d.ivf", i);
    EXPECT_TRUE(fs::exists(dir_.file(name))) << name;
  }
  // Everything is up to date now; clean removes the targets and nothing else.
  EXPECT_EQ(run_command(make("-q XC_BIN=" + shell_quote(bin))).exit_code, 0);
  ASSERT_EQ(run_command(make("clean") + " >/dev/null").exit_code, 0);
  for (const Rule& rule : rules_) {
    for (const std::string& target : rule.targets) EXPECT_FALSE(fs::exists(dir_.file(target))) << target;
  }
  EXPECT_TRUE(fs::exists(dir_.file("00000000.y4m")));
  EXPECT_TRUE(fs::exists(log));
}

}  // namespace
