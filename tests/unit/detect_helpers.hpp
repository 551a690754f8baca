// Test helpers for protocol detection: run detect() on text or hex, load the shared samples.
#pragma once

#include <doctest/doctest.h>

#include <fstream>
#include <string>
#include <vector>

#include "vt106/detect/detect.hpp"
#include "vt106/source/byte_text.hpp"

namespace vt106::testing {

inline std::span<const std::byte> bytes_of(const std::string& s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

inline detect::Verdict detect_bytes(const std::string& client, detect::Hints hints = {},
                                    const std::string& server = {}) {
  return detect::detect(bytes_of(client), bytes_of(server), hints);
}

inline std::string from_hex(std::string_view hex) {
  std::string problem;
  auto b = source::hex_to_bytes(hex, problem);
  REQUIRE_MESSAGE(b, problem);
  return *b;
}

inline detect::Verdict detect_hex(std::string_view hex, detect::Hints hints = {}) {
  return detect_bytes(from_hex(hex), hints);
}

// One row of tests/data/detect-samples.tsv: the reference's columns plus the protocol vt106
// names and the device id it extracts ("-" for none).
struct DetectSample {
  std::string label, transport, encoding, sample, source, expected, device_id;
  int line = 0;
  std::string bytes() const {
    return encoding == "hex" ? from_hex(sample) : source::unescape_bytes(sample);
  }
  detect::Hints hints() const {
    detect::Hints h;
    if (transport == "udp") h.transport = detect::Transport::udp;
    return h;
  }
};

inline std::vector<DetectSample> load_detect_samples() {
  std::ifstream in(std::string(VT106_TEST_DATA) + "/detect-samples.tsv");
  REQUIRE(in);
  std::vector<DetectSample> out;
  std::string line;
  std::getline(in, line);  // header
  int n = 1;
  while (std::getline(in, line)) {
    ++n;
    std::vector<std::string> f;
    std::size_t start = 0;
    for (;;) {  // tab-separated, no quoting
      const auto tab = line.find('\t', start);
      f.push_back(line.substr(start, tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    REQUIRE_MESSAGE(f.size() == 7, "line " << n);
    out.push_back({f[0], f[1], f[2], f[3], f[4], f[5], f[6], n});
  }
  return out;
}

}  // namespace vt106::testing
