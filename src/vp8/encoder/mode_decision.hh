// Mode decision for a whole frame: for every macroblock, in raster order, the best intra 16x16
// prediction, B_PRED and the three best inter predictions (each by prediction error plus lambda
// times the bits of the mode and vectors), plus a hint when given, are coded against the
// reconstruction so far, and the one with the lowest reconstruction error plus lambda times its
// bits, tokens included, is kept.
#pragma once

#include <array>
#include <memory>
#include <vector>

#include "util/image.hh"
#include "vp8/decoder.hh"
#include "vp8/dsp/dsp.hh"
#include "vp8/encoder/quantize.hh"
#include "vp8/quant.hh"
#include "vp8/state.hh"

namespace xc::vp8::enc {

struct ModeDecisionOptions {
  bool allow_split = true;
  bool allow_b_pred = true;  // (a hint's B_PRED is coded either way)
  int search_range = 32;  // pixels
  // How coefficients are rounded to levels (also while choosing B_PRED subblock modes).
  QuantizerOptions quantizer = kDeadZoneQuantizer;
};

// What the decisions are made against: the frame's context (begin_frame: the begun state, the
// frame's working probabilities, mode context and dequantizers) and its header.
struct FrameSetup {
  const FrameContext* frame = nullptr;
  const FrameHeader* header = nullptr;
  int version = 0;
  bool key_frame = false;
};

struct CodedFrame {
  std::vector<MacroblockInfo> mbs;
  std::vector<MacroblockCoeffs> coeffs;
  std::shared_ptr<Raster> picture;  // the reconstruction before the loop filter
};

// Decides the modes of every macroblock and codes its residual. `segment_ids` gives each
// macroblock's segment (empty: all 0). The result's reconstruction equals what a decoder rebuilds.
// With `hints` (one record per macroblock, e.g. another encoder's choice for the same picture), each
// hint's prediction is one more candidate, coded in this frame's context (its vectors keep their
// values; the modes that code them are chosen anew) where that is possible.
CodedFrame decide_and_code(const dsp::Dsp& dsp, const FrameSetup& setup, const util::Image& source,
                           const std::vector<uint8_t>& segment_ids, const ModeDecisionOptions& options = {},
                           const std::vector<MacroblockInfo>* hints = nullptr);

}  // namespace xc::vp8::enc
