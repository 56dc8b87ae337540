// xc-quality: per-frame and average SSIM and PSNR of a Y4M or a VP8 IVF against a reference Y4M,
// computed with libyuv; IVFs are decoded with this toolkit's decoder (RFC 6386 §5, shown frames only).
#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "util/file.hh"
#include "util/image.hh"
#include "util/ivf.hh"
#include "util/quality.hh"
#include "util/tool.hh"
#include "util/y4m.hh"
#include "vp8/decoder.hh"
#include "vp8/picture.hh"
#include "vp8/stream_check.hh"

using namespace xc;

namespace {

using FrameQuality = util::PictureQuality;
using util::ssim_db;

// The pictures to measure, one at a time: a Y4M's frames, or an IVF's shown frames decoded in order.
class PictureSource {
 public:
  virtual ~PictureSource() = default;
  // The next picture, or nothing at the end.
  virtual std::optional<util::Image> next() = 0;
  virtual const char* format() const = 0;
};

class Y4mSource : public PictureSource {
 public:
  explicit Y4mSource(const std::string& path) : reader_(path) {}
  std::optional<util::Image> next() override {
    if (index_ == reader_.frame_count()) return std::nullopt;
    return reader_.frame(index_++);
  }
  const char* format() const override { return "y4m"; }

 private:
  util::Y4mReader reader_;
  size_t index_ = 0;
};

class IvfSource : public PictureSource {
 public:
  explicit IvfSource(const std::string& path) : reader_(path) {
    vp8::check_stream_state(reader_, state_, "a fresh decoder");
  }
  std::optional<util::Image> next() override {
    while (index_ < reader_.frame_count()) {
      const size_t i = index_++;
      vp8::DecodedFrame d;
      try {
        d = vp8::decode_frame(state_, reader_.frame(i).data, vp8::dsp::best_dsp(), &pool_);
      } catch (const util::Error& e) {
        throw util::InvalidBitstream(fmt::format("{}: frame {}: {}", reader_.path(), i, e.what()));
      }
      state_ = std::move(d.state);
      if (d.shown) return vp8::to_image(*d.picture);
    }
    return std::nullopt;
  }
  const char* format() const override { return "ivf"; }

 private:
  util::IvfReader reader_;
  vp8::DecoderState state_;
  vp8::RasterPool pool_;  // the frames' pictures, reused
  size_t index_ = 0;
};

// Chooses the reader from the file's first bytes, never from its name.
std::unique_ptr<PictureSource> open_source(const std::string& path) {
  const util::MappedFile file(path);
  const auto bytes = file.bytes();
  auto starts_with = [&](const char* magic) {
    const size_t n = std::strlen(magic);
    return bytes.size() >= n && std::memcmp(bytes.data(), magic, n) == 0;
  };
  if (starts_with("DKIF")) return std::make_unique<IvfSource>(path);
  if (starts_with("YUV4MPEG2")) return std::make_unique<Y4mSource>(path);
  throw util::InvalidBitstream(path + ": neither an IVF (\"DKIF\") nor a Y4M (\"YUV4MPEG2\") file");
}

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (const unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c < 0x20) {
      out += fmt::format("\\u{:04x}", c);
    } else {
      out += char(c);
    }
  }
  return out + "\"";
}

// The figures of one frame or of the average, as JSON members; 17 significant digits keep a double exact.
std::string json_figures(const FrameQuality& q) {
  return fmt::format(
      "\"ssim\": {:.17g}, \"ssim_db\": {:.17g}, \"ssim_y\": {:.17g}, \"ssim_y_db\": {:.17g}, \"psnr\": {:.17g}, "
      "\"psnr_y\": {:.17g}",
      q.ssim, ssim_db(q.ssim), q.ssim_y, ssim_db(q.ssim_y), q.psnr, q.psnr_y);
}

std::string text_figures(const FrameQuality& q) {
  return fmt::format("SSIM {:.6f} ({:6.3f} dB)  SSIM-Y {:.6f} ({:6.3f} dB)  PSNR {:7.3f} dB  PSNR-Y {:7.3f} dB", q.ssim,
                     ssim_db(q.ssim), q.ssim_y, ssim_db(q.ssim_y), q.psnr, q.psnr_y);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Measure a distorted video against a reference Y4M: per-frame and average SSIM (also in dB,\n"
      "-10*log10(1-SSIM)) and PSNR, overall (Y, U and V) and for luma alone, computed with libyuv.\n"
      "The distorted video is a Y4M, or a VP8 IVF decoded from a fresh decoder (its shown frames are\n"
      "matched to the reference's frames in order); the format is read from the file's first bytes.\n"
      "SSIM is libyuv's (8x8 windows; Y weighs 0.8, U and V 0.1 each). Identical pictures read 128 dB.\n"
      "The average SSIM and PSNR are means over frames; the global PSNR comes from the clip's total\n"
      "squared error.\n\n"
      "Example: xc-quality --json source.y4m output.ivf",
      "xc-quality"};
  std::string reference, distorted;
  bool json = false;
  app.add_option("reference", reference, "the reference Y4M")->required();
  app.add_option("distorted", distorted, "the Y4M or IVF to measure")->required();
  app.add_flag("--json", json, "print one JSON object instead of text");
  app.set_version_flag("--version", XC_VERSION);

  return util::run_tool("xc-quality", app, argc, argv, [&] {
    const util::Y4mReader ref(reference);
    const auto dist = open_source(distorted);
    const int w = ref.header().width, h = ref.header().height;
    if (w < util::kMinSsimSize || h < util::kMinSsimSize) {
      throw util::Unsupported(fmt::format("{}: pictures of {}x{} are too small for SSIM (at least {}x{})", reference,
                                          w, h, util::kMinSsimSize, util::kMinSsimSize));
    }
    std::vector<FrameQuality> frames;
    size_t shown = 0;
    while (const std::optional<util::Image> picture = dist->next()) {
      if (shown < ref.frame_count()) {
        if (picture->width != w || picture->height != h) {
          throw util::InvalidBitstream(fmt::format("{}: frame {} is {}x{}, but the reference {} is {}x{}", distorted,
                                                   shown, picture->width, picture->height, reference, w, h));
        }
        frames.push_back(util::measure_quality(ref.frame(shown), *picture));
      }
      ++shown;
    }
    if (shown != ref.frame_count()) {
      throw util::InvalidBitstream(fmt::format("{}: {} shown frames, but the reference {} has {}", distorted, shown,
                                               reference, ref.frame_count()));
    }
    if (frames.empty()) throw util::InvalidBitstream(reference + ": the reference has no frames");

    FrameQuality average;
    uint64_t sse = 0;
    for (const FrameQuality& q : frames) {
      average.ssim += q.ssim;
      average.ssim_y += q.ssim_y;
      average.psnr += q.psnr;
      average.psnr_y += q.psnr_y;
      sse += q.sse;
    }
    for (double* mean : {&average.ssim, &average.ssim_y, &average.psnr, &average.psnr_y}) *mean /= double(frames.size());
    const uint64_t samples =
        frames.size() * (uint64_t(w) * h + 2 * uint64_t((w + 1) / 2) * uint64_t((h + 1) / 2));
    const double global_psnr = util::psnr_of(sse, samples);

    std::string out;
    if (json) {
      out += fmt::format("{{\n  \"reference\": {},\n  \"distorted\": {},\n  \"format\": \"{}\",\n", json_string(reference),
                         json_string(distorted), dist->format());
      out += fmt::format("  \"width\": {},\n  \"height\": {},\n  \"fps\": {:.17g},\n  \"frame_count\": {},\n",
                         w, h, double(ref.header().fps_num) / ref.header().fps_den, frames.size());
      out += "  \"frames\": [\n";
      for (size_t i = 0; i < frames.size(); ++i) {
        out += fmt::format("    {{\"frame\": {}, {}}}{}\n", i, json_figures(frames[i]), i + 1 < frames.size() ? "," : "");
      }
      out += fmt::format("  ],\n  \"average\": {{{}, \"psnr_global\": {:.17g}}}\n}}\n", json_figures(average),
                         global_psnr);
    } else {
      out += fmt::format("{} ({}) against {}: {} frames of {}x{}\n", distorted, dist->format(), reference,
                         frames.size(), w, h);
      for (size_t i = 0; i < frames.size(); ++i) out += fmt::format("frame {:5}  {}\n", i, text_figures(frames[i]));
      out += fmt::format("average      {}  global PSNR {:7.3f} dB\n", text_figures(average), global_psnr);
    }
    std::fputs(out.c_str(), stdout);
    return 0;
  });
}
