// Detection speed: every first message of the test vectors (tests/data/detect/vectors-*.tsv and
// tests/data/detect-samples.tsv), judged over and over until N verdicts, as a shared-port
// platform judges new connections. Prints verdicts per second and how many of the verdicts
// were matches. --brief: verdicts without their sentences (detect::Detail::brief), as a
// platform routing connections needs them; otherwise full verdicts, as vt106 detect shows them.
//
// usage: vt106_detect_bench N [--brief] FILE.tsv...
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "vt106/detect/detect.hpp"
#include "vt106/source/byte_text.hpp"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s N [--brief] FILE.tsv...\n", argv[0]);
    return 2;
  }
  const long n = std::atol(argv[1]);
  int first_file = 2;
  auto detail = vt106::detect::Detail::evidence;
  if (std::string_view(argv[2]) == "--brief") {
    detail = vt106::detect::Detail::brief;
    ++first_file;
  }
  struct Sample {
    std::string bytes;
    vt106::detect::Hints hints;
  };
  std::vector<Sample> samples;
  for (int i = first_file; i < argc; ++i) {
    std::ifstream in(argv[i]);
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
      std::vector<std::string> f;
      std::size_t start = 0;
      for (;;) {
        const auto tab = line.find('\t', start);
        f.push_back(line.substr(start, tab - start));
        if (tab == std::string::npos) break;
        start = tab + 1;
      }
      if (f.size() < 4) continue;
      Sample s;
      std::string problem;
      if (f[2] == "hex") {
        auto b = vt106::source::hex_to_bytes(f[3], problem);
        if (!b) continue;
        s.bytes = *b;
      } else {
        s.bytes = vt106::source::unescape_bytes(f[3]);
      }
      s.hints.transport = f[1] == "udp" ? vt106::detect::Transport::udp : vt106::detect::Transport::tcp;
      samples.push_back(std::move(s));
    }
  }
  if (samples.empty()) {
    std::fprintf(stderr, "no samples\n");
    return 1;
  }
  long matches = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < n; ++i) {
    const Sample& s = samples[static_cast<std::size_t>(i) % samples.size()];
    const auto* p = reinterpret_cast<const std::byte*>(s.bytes.data());
    const auto v = vt106::detect::detect({p, s.bytes.size()}, {}, s.hints, detail);
    matches += v.status == vt106::detect::Status::match;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%ld %s verdicts over %zu distinct first messages in %.3f s: %.0f verdicts/s, %ld matches\n", n,
              detail == vt106::detect::Detail::brief ? "brief" : "full", samples.size(), secs, double(n) / secs,
              matches);
  return 0;
}
