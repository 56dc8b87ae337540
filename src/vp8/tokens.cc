// Coefficient token reading (§13.2-13.3): the token tree with its zero-run shortcut, extra bits of
// the dct_cat tokens, bands, and the three-way context of each block's first coefficient.
#include "vp8/tokens.hh"

#include "vp8/bool_decoder.hh"
#include "vp8/tables.hh"

namespace xc::vp8 {

namespace {

// Reads one block starting at scan position `first`. Returns the token end (see MacroblockCoeffs).
int read_block(BoolDecoder& bd, const std::array<std::array<std::array<uint8_t, kNumEntropyNodes>,
                                                            kNumPrevCoeffContexts>, kNumCoeffBands>& probs,
               int first, int context, std::array<int16_t, 16>& out) {
  const uint8_t* p = probs[kCoeffBands[first]][context].data();
  if (!bd.read(p[0])) return first;  // EOB at once
  int n = first;
  while (true) {
    // Here the previous token was not EOB (or this is the first): read "zero or not".
    if (!bd.read(p[1])) {
      // DCT_0: next token cannot be EOB, so the tree is entered past the EOB node.
      ++n;
      if (n == 16) return 16;
      p = probs[kCoeffBands[n]][0].data();
      continue;
    }
    int v;
    int next_ctx;
    if (!bd.read(p[2])) {
      v = 1;
      next_ctx = 1;
    } else {
      next_ctx = 2;
      if (!bd.read(p[3])) {
        if (!bd.read(p[4])) {
          v = 2;
        } else {
          v = 3 + bd.read(p[5]);
        }
      } else if (!bd.read(p[6])) {
        if (!bd.read(p[7])) {
          v = kDctCatBase[0] + bd.read(kDctCatProbs[0].probs[0]);  // dct_cat1: 5-6
        } else {
          v = kDctCatBase[1];  // dct_cat2: 7-10
          v += 2 * bd.read(kDctCatProbs[1].probs[0]);
          v += bd.read(kDctCatProbs[1].probs[1]);
        }
      } else {
        const int bit1 = bd.read(p[8]);
        const int bit0 = bd.read(p[9 + bit1]);
        const int cat = 2 + 2 * bit1 + bit0;  // dct_cat3 .. dct_cat6
        int extra = 0;
        for (int i = 0; i < kDctCatProbs[cat].num_bits; ++i) extra = (extra << 1) | bd.read(kDctCatProbs[cat].probs[i]);
        v = kDctCatBase[cat] + extra;
      }
    }
    out[kZigzag[n]] = int16_t(bd.read_bit() ? -v : v);
    ++n;
    if (n == 16) return 16;
    p = probs[kCoeffBands[n]][next_ctx].data();
    if (!bd.read(p[0])) return n;  // EOB
  }
}

}  // namespace

void parse_macroblock_tokens(BoolDecoder& bd, const ProbabilityTables::CoeffProbs& probs, bool has_y2,
                             TokenContext& above, TokenContext& left, MacroblockCoeffs& out) {
  bool any = false;
  int first = 0;
  int luma_type = kBlockYWithDc;
  if (has_y2) {
    const int end = read_block(bd, probs[kBlockY2], 0, above[8] + left[8], out.coeffs[kY2Block]);
    out.token_end[kY2Block] = uint8_t(end);
    above[8] = left[8] = end > 0;
    any |= end > 0;
    first = 1;
    luma_type = kBlockYAfterY2;
  }
  for (int b = 0; b < 16; ++b) {
    uint8_t& a = above[b & 3];
    uint8_t& l = left[b >> 2];
    const int end = read_block(bd, probs[luma_type], first, a + l, out.coeffs[b]);
    out.token_end[b] = uint8_t(end);
    a = l = end > first;
    any |= end > first;
  }
  for (int b = 16; b < 24; ++b) {
    // U blocks use contexts 4-5, V blocks 6-7; within a plane: column (b & 1), row ((b - 16) >> 1 & 1).
    const int base = b < 20 ? 4 : 6;
    uint8_t& a = above[base + (b & 1)];
    uint8_t& l = left[base + (((b - 16) >> 1) & 1)];
    const int end = read_block(bd, probs[kBlockUV], 0, a + l, out.coeffs[b]);
    out.token_end[b] = uint8_t(end);
    a = l = end > 0;
    any |= end > 0;
  }
  out.all_eob = !any;
}

void reset_token_context(bool has_y2, TokenContext& above, TokenContext& left) {
  for (int i = 0; i < 8; ++i) above[i] = left[i] = 0;
  if (has_y2) above[8] = left[8] = 0;
}

}  // namespace xc::vp8
