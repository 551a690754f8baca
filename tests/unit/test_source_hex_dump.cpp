// Hex dumps read line by line into units of bytes. The dumps are recorded output of the real
// programs (tests/data/dumps/README.md names the command behind each file); the bytes they must
// give are the original files', and for tcpdump the capture's packets, read by CaptureReader.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "vt106/source/capture_file.hpp"
#include "vt106/source/hex_dump.hpp"

using namespace vt106::source;
namespace fs = std::filesystem;

namespace {

const fs::path dumps = fs::path(VT106_TEST_DATA) / "dumps";
const fs::path captures = VT106_CAPTURES;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), p.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct Unit {
  DumpUnit info;
  std::string bytes;
};

// Keeps what the reader says and checks that units are properly nested.
struct Collector final : DumpSink {
  std::vector<Unit> units;
  std::vector<DumpProblem> problems;
  bool open = false;
  std::size_t largest_piece = 0;
  std::string events;  // 'b' begin, 'e' end, 'p' problem

  void unit_begin(const DumpUnit& u) override {
    CHECK_FALSE(open);
    open = true;
    units.push_back({u, {}});
    events += 'b';
  }
  void unit_bytes(std::string_view b) override {
    REQUIRE(open);
    units.back().bytes.append(b);
    largest_piece = std::max(largest_piece, b.size());
  }
  void unit_end() override {
    CHECK(open);
    open = false;
    events += 'e';
  }
  void problem(const DumpProblem& p) override {
    problems.push_back(p);
    events += 'p';
  }
};

// Feeds `text` line by line ('\n' ends a line; a "\r" before it is the reader's business).
Collector read_dump(std::string_view text, DumpOptions options = {}) {
  Collector c;
  HexDumpReader reader(c, options);
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    reader.line(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  reader.finish();
  CHECK_FALSE(c.open);
  return c;
}

Collector read_file(const std::string& name, DumpOptions options = {}) {
  return read_dump(slurp(dumps / name), options);
}

struct CapturedPacket {
  std::string data;
  std::int64_t ts_ns;
};

std::vector<CapturedPacket> packets_of(const std::string& name) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen((captures / name).c_str(), "rb"), &std::fclose);
  REQUIRE(f);
  CaptureReader reader(f.get());
  std::vector<CapturedPacket> out;
  while (auto p = reader.next())
    out.push_back({std::string(reinterpret_cast<const char*>(p->data.data()), p->data.size()), p->ts_ns});
  return out;
}

std::size_t recorded_count(const std::string& name) {
  return static_cast<std::size_t>(std::stoul(slurp(dumps / name)));
}

constexpr std::int64_t ns_per_day = 86'400'000'000'000;

void check_one_unit(const std::string& dump, const std::string& expected, DumpStyle style) {
  CAPTURE(dump);
  const Collector c = read_file(dump);
  CHECK(c.problems.empty());
  for (const auto& p : c.problems) MESSAGE(p.message);
  REQUIRE(c.units.size() == 1);
  CHECK(c.units[0].info.style == style);
  CHECK(c.units[0].info.number == 1);
  CHECK(c.units[0].info.line == 1);
  CHECK(c.units[0].bytes.size() == expected.size());
  CHECK(c.units[0].bytes == expected);
}

}  // namespace

TEST_SUITE("source.hex_dump") {
  TEST_CASE("xxd, hexdump and od dumps give back the file's bytes") {
    const std::string frames = slurp(fs::path(VT106_TEST_DATA) / "frames.txt");
    check_one_unit("frames.txt.xxd", frames, DumpStyle::xxd);
    check_one_unit("frames.txt.xxd-p", frames, DumpStyle::plain);
    check_one_unit("frames.txt.hexdump-C", frames, DumpStyle::hexdump_c);
    check_one_unit("frames.txt.hexdump", frames, DumpStyle::hexdump_c);  // little-endian words, padded end
    check_one_unit("frames.txt.od-Ax-tx1z-v", frames, DumpStyle::od);
    check_one_unit("frames.txt.od-Ad-tx1z", frames, DumpStyle::od);
    check_one_unit("frames.txt.od-Ao-tx1", frames, DumpStyle::od);
    check_one_unit("tcp-ipv4.pcap.xxd", slurp(captures / "tcp-ipv4.pcap"), DumpStyle::xxd);
  }

  TEST_CASE("'*' repeats the previous line up to the next offset") {
    const std::string pcap = slurp(captures / "tcp-ipv6.pcap");
    for (const char* dump : {"tcp-ipv6.pcap.hexdump-C", "tcp-ipv6.pcap.od-Ax-tx1z"})
      REQUIRE(slurp(dumps / dump).find("\n*\n") != std::string::npos);
    check_one_unit("tcp-ipv6.pcap.hexdump-C", pcap, DumpStyle::hexdump_c);
    check_one_unit("tcp-ipv6.pcap.od-Ax-tx1z", pcap, DumpStyle::od);
    check_one_unit("tcp-ipv6.pcap.hexdump", pcap, DumpStyle::hexdump_c);
    // od -x prints what hexdump prints, with octal offsets: told apart only by the offsets' radix
    check_one_unit("tcp-ipv6.pcap.od-x", pcap, DumpStyle::hexdump_c);
  }

  TEST_CASE("a repeat beyond the limit is reported, not written") {
    DumpOptions o;
    o.max_repeat = 1024;
    const Collector c = read_dump(
        "00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n*\n"
        "00100000  01                                                |.|\n00100001\n",
        o);
    REQUIRE(c.problems.size() == 1);
    CHECK(c.problems[0].code == "dump_offset");
    CHECK(c.problems[0].line == 3);
    REQUIRE(c.units.size() == 1);
    CHECK(c.units[0].bytes == std::string(16, '\0') + "\x01");
  }

  TEST_CASE("od's default octal words are reported, not misread as hex") {
    const Collector c = read_file("frames.txt.od");
    REQUIRE(c.problems.size() == 1);
    CHECK(c.problems[0].code == "bad_hex");
    CHECK(c.problems[0].line == 1);
    CHECK(c.problems[0].column == 9);
    for (const auto& u : c.units) CHECK(u.bytes.empty());
  }

  TEST_CASE("a tcpdump time out of the range of nanoseconds is no time, never an overflow") {
    // Found by the hexdump fuzz target: a -tttt date a millennium away, and -tt seconds of 12 digits.
    const std::string hex = "\t0x0000:  4500 0014 0000 0000 4006 0000 7f00 0001\n\t0x0010:  7f00 0001\n";
    for (const char* header : {"1014-01-01 10:00:00.000000 IP 127.0.0.1.1 > 127.0.0.1.2: Flags [S], length 0\n",
                               "999999999999.000000 IP 127.0.0.1.1 > 127.0.0.1.2: Flags [S], length 0\n"}) {
      const Collector c = read_dump(std::string(header) + hex);
      REQUIRE_FALSE(c.units.empty());  // the hex lines are still read
      for (const auto& u : c.units) CHECK_FALSE(u.info.ts_ns.has_value());
    }
  }

  TEST_CASE("xxd -i C array") {
    const Collector c = read_file("frames.txt.xxd-i");
    CHECK(c.problems.empty());
    REQUIRE(c.units.size() == 1);
    CHECK(c.units[0].info.style == DumpStyle::c_array);
    CHECK(c.units[0].info.header == "frames_txt");
    CHECK(c.units[0].bytes == slurp(fs::path(VT106_TEST_DATA) / "frames.txt"));
  }

  TEST_CASE("tcpdump -xx and -XX: one unit per packet from the link header") {
    const auto packets = packets_of("tcp-ipv4.pcap");
    REQUIRE(packets.size() == recorded_count("tcp-ipv4.pcap.packets"));
    for (const char* dump : {"tcp-ipv4.pcap.tcpdump-xx", "tcp-ipv4.pcap.tcpdump-XX"}) {
      CAPTURE(dump);
      const Collector c = read_file(dump);
      CHECK(c.problems.empty());
      REQUIRE(c.units.size() == packets.size());
      for (std::size_t i = 0; i < packets.size(); ++i) {
        CAPTURE(i);
        const Unit& u = c.units[i];
        CHECK(u.info.style == DumpStyle::tcpdump);
        CHECK(u.info.number == i + 1);
        CHECK(u.bytes == packets[i].data);
        CHECK_FALSE(u.info.date_known);
        REQUIRE(u.info.ts_ns);
        CHECK(*u.info.ts_ns == packets[i].ts_ns % ns_per_day);  // the dumps were made with TZ=UTC
      }
      CHECK(c.units[0].info.line == 1);
      CHECK(c.units[0].info.header.rfind("23:39:06.157096 IP 127.0.0.1.55160 > 127.0.0.1.8888: Flags [S]", 0) == 0);
    }
  }

  TEST_CASE("tcpdump -x and -X: one unit per packet from the IP header") {
    const auto packets = packets_of("tcp-ipv4.pcap");
    for (const char* dump : {"tcp-ipv4.pcap.tcpdump-x", "tcp-ipv4.pcap.tcpdump-X"}) {
      CAPTURE(dump);
      const Collector c = read_file(dump);
      CHECK(c.problems.empty());
      REQUIRE(c.units.size() == packets.size());
      for (std::size_t i = 0; i < packets.size(); ++i) {
        CAPTURE(i);
        REQUIRE(!c.units[i].bytes.empty());
        CHECK(c.units[i].bytes[0] == '\x45');
        CHECK(c.units[i].bytes == packets[i].data.substr(14));  // after the Ethernet header
      }
    }
  }

  TEST_CASE("tcpdump -tttt and -tt: times with their date") {
    const auto packets = packets_of("tcp-ipv4.pcap");
    for (const char* dump : {"tcp-ipv4.pcap.tcpdump-tttt-X", "tcp-ipv4.pcap.tcpdump-tt-XX"}) {
      CAPTURE(dump);
      const Collector c = read_file(dump);
      CHECK(c.problems.empty());
      REQUIRE(c.units.size() == packets.size());
      const std::size_t link = std::string_view(dump).ends_with("XX") ? 0 : 14;
      for (std::size_t i = 0; i < packets.size(); ++i) {
        CAPTURE(i);
        CHECK(c.units[i].info.date_known);
        CHECK(c.units[i].info.ts_ns == packets[i].ts_ns);
        CHECK(c.units[i].bytes == packets[i].data.substr(link));
      }
    }
    CHECK(read_file("tcp-ipv4.pcap.tcpdump-tttt-X").units[0].info.header.rfind("2026-11-24 23:39:06.157096 IP ", 0) == 0);
  }

  TEST_CASE("tcpdump times are local: the offset is subtracted, except from epoch seconds") {
    const auto packets = packets_of("tcp-ipv4.pcap");
    DumpOptions o;
    o.tz_offset_s = 3600;  // as if recorded at UTC+1
    const Collector tttt = read_file("tcp-ipv4.pcap.tcpdump-tttt-X", o);
    REQUIRE(!tttt.units.empty());
    CHECK(tttt.units[0].info.ts_ns == packets[0].ts_ns - 3'600'000'000'000);
    const Collector tt = read_file("tcp-ipv4.pcap.tcpdump-tt-XX", o);
    REQUIRE(!tt.units.empty());
    CHECK(tt.units[0].info.ts_ns == packets[0].ts_ns);
  }

  TEST_CASE("tcpdump IP6 and verbose output") {
    const auto v6 = packets_of("tcp-ipv6.pcap");
    const Collector c = read_file("tcp-ipv6.pcap.tcpdump-X");
    CHECK(c.problems.empty());
    REQUIRE(c.units.size() == recorded_count("tcp-ipv6.pcap.packets"));
    REQUIRE(c.units.size() == v6.size());
    for (std::size_t i = 0; i < v6.size(); ++i) CHECK(c.units[i].bytes == v6[i].data.substr(14));
    CHECK(c.units[0].bytes[0] == '\x60');
    CHECK(c.units[0].info.header.find(" IP6 ::1.52000 > ::1.5050: ") != std::string::npos);

    // -v: the header goes on over an indented line, which is skipped
    const auto v4 = packets_of("tcp-ipv4.pcap");
    const Collector v = read_file("tcp-ipv4.pcap.tcpdump-v-x");
    CHECK(v.problems.empty());
    REQUIRE(v.units.size() == 8);
    for (std::size_t i = 0; i < 8; ++i) {
      CHECK(v.units[i].bytes == v4[i].data.substr(14));
      CHECK(v.units[i].info.line == 1 + 6 * i);  // header, continuation, 4 hex lines (60-byte SYNs)...
      if (i > 1) break;
    }
  }

  TEST_CASE("tshark -x: 4-digit offsets, a blank line between packets") {
    const auto packets = packets_of("tcp-ipv4.pcap");
    const Collector c = read_file("tcp-ipv4.pcap.tshark-x");
    CHECK(c.problems.empty());
    REQUIRE(c.units.size() == 6);
    for (std::size_t i = 0; i < 6; ++i) CHECK(c.units[i].bytes == packets[i].data);
  }

  TEST_CASE("C arrays as Wireshark copies them: one unit per array, comments skipped") {
    // Wireshark's "Copy as C Arrays" layout, written from the capture's packets.
    const auto packets = packets_of("tcp-ipv4.pcap");
    std::string text;
    for (std::size_t i = 0; i < 3; ++i) {
      const std::string& d = packets[i].data;
      text += "/* Frame (" + std::to_string(d.size()) + " bytes) */\n";
      text += "static const unsigned char pkt" + std::to_string(i + 1) + "[" + std::to_string(d.size()) + "] = {\n";
      for (std::size_t k = 0; k < d.size(); ++k) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02x", static_cast<unsigned char>(d[k]));
        text += hex;
        if (k + 1 < d.size()) text += ", ";
        if (k % 8 == 7 || k + 1 == d.size()) text += " /* ..#.E.. */\n";
      }
      text += "};\n\n";
    }
    const Collector c = read_dump(text);
    CHECK(c.problems.empty());
    REQUIRE(c.units.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
      CHECK(c.units[i].info.style == DumpStyle::c_array);
      CHECK(c.units[i].info.header == "pkt" + std::to_string(i + 1));
      CHECK(c.units[i].info.line == 2 + (i == 0 ? 0 : i * (4 + (packets[0].data.size() + 7) / 8)));
      CHECK(c.units[i].bytes == packets[i].data);
    }
    // one array on one line, with a comment spanning lines inside
    const Collector one = read_dump("char peer0_0[] = { 0x23, /* a\nb */ 0x2a, 35 };\n");
    CHECK(one.problems.empty());
    REQUIRE(one.units.size() == 1);
    CHECK(one.units[0].bytes == "#*#");
  }

  TEST_CASE("several dumps in one input are several units") {
    const std::string frames = slurp(fs::path(VT106_TEST_DATA) / "frames.txt");
    const std::string xxd = slurp(dumps / "frames.txt.xxd");
    const std::string plain = slurp(dumps / "frames.txt.xxd-p");
    const std::string hexdump_c = slurp(dumps / "frames.txt.hexdump-C");
    const std::string tcpdump = slurp(dumps / "tcp-ipv4.pcap.tcpdump-X");
    const std::string xxd_i = slurp(dumps / "frames.txt.xxd-i");

    // offsets that restart at zero, the total line of hexdump, a blank line between plain dumps
    const Collector c = read_dump(xxd + xxd + hexdump_c + hexdump_c + plain + "\n" + plain + xxd_i + xxd_i);
    CHECK(c.problems.empty());
    REQUIRE(c.units.size() == 8);
    const DumpStyle styles[] = {DumpStyle::xxd,   DumpStyle::xxd,   DumpStyle::hexdump_c, DumpStyle::hexdump_c,
                                DumpStyle::plain, DumpStyle::plain, DumpStyle::c_array,   DumpStyle::c_array};
    for (std::size_t i = 0; i < 8; ++i) {
      CAPTURE(i);
      CHECK(c.units[i].info.style == styles[i]);
      CHECK(c.units[i].info.number == i + 1);
      CHECK(c.units[i].bytes == frames);
    }
    CHECK(c.units[1].info.line == 1 + static_cast<std::uint64_t>(std::count(xxd.begin(), xxd.end(), '\n')));

    // tcpdump then xxd then tcpdump again
    const Collector m = read_dump(tcpdump + xxd + tcpdump);
    CHECK(m.problems.empty());
    REQUIRE(m.units.size() == 58 * 2 + 1);
    CHECK(m.units[58].bytes == frames);
    CHECK(m.units[59].info.style == DumpStyle::tcpdump);
  }

  TEST_CASE("an odd digit count names the digit without a partner; the other units still come") {
    const Collector c = read_dump("2338\n36 3\n\n2339\n");
    REQUIRE(c.problems.size() == 1);
    CHECK(c.problems[0].code == "bad_hex");
    CHECK(c.problems[0].line == 2);
    CHECK(c.problems[0].column == 4);
    CHECK(c.problems[0].message.find("line 2, column 4") != std::string::npos);
    REQUIRE(c.units.size() == 2);
    CHECK(c.units[0].bytes == "#86");
    CHECK(c.units[1].bytes == "#9");
    CHECK(c.events == "bpebe");

    // an odd group in an xxd line
    std::string xxd = slurp(dumps / "frames.txt.xxd");
    const auto second = xxd.find('\n') + 1;
    xxd.erase(second + 10, 1);  // "2c43 ..." → "c43 ..."
    const Collector x = read_dump(xxd + slurp(dumps / "frames.txt.xxd"));
    REQUIRE(x.problems.size() == 1);
    CHECK(x.problems[0].line == 2);
    CHECK(x.problems[0].column == 13);
    CHECK(x.units.size() == 2);
  }

  TEST_CASE("a stray character is reported where it is, reading goes on") {
    const Collector c = read_dump("2338 3637\n23g8\n3435\n\n2a2a\n");
    REQUIRE(c.problems.size() == 1);
    CHECK(c.problems[0].code == "bad_hex");
    CHECK(c.problems[0].line == 2);
    CHECK(c.problems[0].column == 3);
    CHECK(c.problems[0].message.find("'g'") != std::string::npos);
    REQUIRE(c.units.size() == 2);
    CHECK(c.units[0].bytes == "#867#45");  // the digits before the stray character are kept
    CHECK(c.units[1].bytes == "**");

    std::string xxd = slurp(dumps / "frames.txt.xxd");
    xxd[10 + 2] = 'z';  // first line: "00000000: 23z8 ..."
    const Collector x = read_dump(xxd);
    REQUIRE(x.problems.size() == 1);
    CHECK(x.problems[0].line == 1);
    CHECK(x.problems[0].column == 13);
    REQUIRE(x.units.size() == 1);
    CHECK(x.units[0].bytes.size() == 411 - 16 + 1);
  }

  TEST_CASE("offsets that jump forward or go back are reported") {
    std::string xxd = slurp(dumps / "frames.txt.xxd");
    // drop the third line: the fourth line's offset jumps
    const auto l3 = xxd.find('\n', xxd.find('\n') + 1) + 1;
    const auto l4 = xxd.find('\n', l3) + 1;
    const std::string jumped = xxd.substr(0, l3) + xxd.substr(l4);
    const Collector j = read_dump(jumped);
    REQUIRE(j.problems.size() == 1);
    CHECK(j.problems[0].code == "dump_offset");
    CHECK(j.problems[0].line == 3);
    CHECK(j.problems[0].column == 1);
    REQUIRE(j.units.size() == 1);
    CHECK(j.units[0].bytes.size() == 411 - 16);

    // the second line repeated: the offset goes back
    const auto l2 = xxd.find('\n') + 1;
    const std::string back = xxd.substr(0, l3) + xxd.substr(l2, l3 - l2) + xxd.substr(l3);
    const Collector b = read_dump(back);
    REQUIRE(b.problems.size() == 1);
    CHECK(b.problems[0].code == "dump_offset");
    CHECK(b.problems[0].line == 3);
    CHECK(b.units.size() == 1);
  }

  TEST_CASE("CRLF line ends") {
    for (const char* dump : {"frames.txt.xxd", "frames.txt.hexdump-C", "tcp-ipv4.pcap.tcpdump-X", "frames.txt.xxd-i",
                             "frames.txt.xxd-p"}) {
      CAPTURE(dump);
      const std::string lf = slurp(dumps / dump);
      std::string crlf;
      for (char ch : lf) {
        if (ch == '\n') crlf += '\r';
        crlf += ch;
      }
      const Collector a = read_dump(lf), b = read_dump(crlf);
      CHECK(b.problems.empty());
      REQUIRE(a.units.size() == b.units.size());
      for (std::size_t i = 0; i < a.units.size(); ++i) {
        CHECK(a.units[i].bytes == b.units[i].bytes);
        if (a.units[i].info.style == DumpStyle::tcpdump) CHECK(a.units[i].info.header == b.units[i].info.header);
      }
    }
  }

  TEST_CASE("a line of several MB is read in one pass, passed on in small pieces") {
    std::string line;
    line.reserve(8 << 20);
    const char digits[] = "0123456789abcdef";
    for (std::size_t i = 0; i < (8u << 20); ++i) line += digits[(i * 7) % 16];
    Collector c;
    HexDumpReader reader(c);
    reader.line(line);
    reader.finish();
    CHECK(c.problems.empty());
    REQUIRE(c.units.size() == 1);
    CHECK(c.units[0].bytes.size() == (4u << 20));
    CHECK(c.largest_piece <= 4096);
    CHECK(static_cast<unsigned char>(c.units[0].bytes[0]) == 0x07);
  }

  TEST_CASE("Hex Stream and separated digits") {
    const Collector c = read_dump("0x23 0x2a:2a-23\n");
    CHECK(c.problems.empty());
    REQUIRE(c.units.size() == 1);
    CHECK(c.units[0].bytes == "#**#");
    CHECK(c.units[0].info.style == DumpStyle::plain);
  }

  TEST_CASE("looks_like_hex_dump: the first KiB of each style") {
    for (const auto& entry : fs::directory_iterator(dumps)) {
      const std::string name = entry.path().filename().string();
      if (name == "README.md" || name == "make.sh" || name.ends_with(".packets") || name == "frames.txt.od") continue;
      CAPTURE(name);
      const std::string text = slurp(entry.path());
      CHECK(looks_like_hex_dump(std::string_view(text).substr(0, 1024)));
      CHECK(looks_like_hex_dump(std::string_view(text).substr(0, 400)));  // cut mid-line
    }
    CHECK(looks_like_hex_dump("23383637\n"));
    CHECK(looks_like_hex_dump("2338363736"));  // cut mid-line
    CHECK(looks_like_hex_dump("static const unsigned char pkt1[3] = {\n0x23, 0x2a, 0x23 /* #*# */\n};\n"));
  }

  TEST_CASE("looks_like_hex_dump: not text frames, logs, SMS or captures") {
    CHECK_FALSE(looks_like_hex_dump(""));
    CHECK_FALSE(looks_like_hex_dump("#353327020412763,CMD-X#\n"));
    CHECK_FALSE(looks_like_hex_dump("353327020412763,CMD-X\n"));
    CHECK_FALSE(looks_like_hex_dump("2026-12-01 10:00:00  INFO: [T7c2d1e3f: gotop < 1.2.3.4] 2338363736\n"));
    CHECK_FALSE(looks_like_hex_dump("2026-12-01 10:00:00.123 INFO gotop: 2338363736\n"));
    CHECK_FALSE(looks_like_hex_dump("Lat:N23.1234,Lon:E113.1234,Course:0.00,Speed:0.00,DateTime:2026-12-01 10:00:00\n"));
    CHECK_FALSE(looks_like_hex_dump(slurp(fs::path(VT106_TEST_DATA) / "frames.txt")));
    const std::string pcap = slurp(captures / "tcp-ipv4.pcap");
    CHECK_FALSE(looks_like_hex_dump(std::string_view(pcap).substr(0, 1024)));
    CHECK_FALSE(looks_like_hex_dump("2338363\n"));  // odd digits on a whole line
  }
}
