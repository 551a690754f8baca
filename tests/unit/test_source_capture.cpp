// CaptureReader: pcap in both byte orders and precisions, pcapng sections/interfaces/blocks,
// damaged files (each with its problem code, packets before the damage kept), pipes.
#include <doctest/doctest.h>
#include <unistd.h>

#include <thread>

#include "pcap_builder.hpp"
#include "vt106/source/capture_file.hpp"

using namespace vt106::testing;
using vt106::source::CaptureFormat;
using vt106::source::CaptureLimits;
using vt106::source::CaptureProblem;
using vt106::source::CaptureReader;

namespace {

struct Copy {
  std::int64_t ts_ns = 0;
  std::uint32_t linktype = 0;
  std::uint32_t interface = 0;
  std::uint32_t orig_len = 0;
  std::string data;
  std::uint64_t number = 0;
  std::uint64_t file_offset = 0;
};

struct ReadAll {
  std::vector<Copy> packets;
  std::vector<CaptureProblem> problems;
  CaptureFormat format = CaptureFormat::unknown;
  bool stopped = false;

  std::vector<std::string> codes() const {
    std::vector<std::string> out;
    for (const auto& p : problems) out.emplace_back(p.code);
    return out;
  }
};

ReadAll drain(CaptureReader& reader) {
  ReadAll out;
  while (auto p = reader.next()) {
    while (auto pr = reader.take_problem()) out.problems.push_back(*pr);
    out.packets.push_back(Copy{p->ts_ns, p->linktype, p->interface, p->orig_len, text_of(p->data), p->number,
                               p->file_offset});
  }
  while (auto pr = reader.take_problem()) out.problems.push_back(*pr);
  out.format = reader.format();
  out.stopped = reader.stopped_by_problem();
  return out;
}

ReadAll read_all(const Bytes& image, CaptureLimits limits = {}, bool use_fmemopen = false) {
  MemFile f(image, use_fmemopen);
  CaptureReader reader(f.get(), {}, limits);
  return drain(reader);
}

Bytes payload(std::size_t n, char c) { return bytes_of(std::string(n, c)); }

const std::int64_t t0 = 1'700'000'000'123'456'789;

}  // namespace

TEST_SUITE("source.capture") {
  TEST_CASE("pcap in both byte orders, micro- and nanosecond") {
    for (const bool big : {false, true}) {
      for (const bool nano : {false, true}) {
        CAPTURE(big);
        CAPTURE(nano);
        PcapOptions o;
        o.big = big;
        o.nano = nano;
        o.linktype = 101;
        const auto image = pcap_file({Record{t0, payload(10, 'a'), {}, {}}, Record{t0 + 5, payload(3, 'b'), 1500, {}}}, o);
        const auto r = read_all(image);
        CHECK(r.problems.empty());
        CHECK(r.format == CaptureFormat::pcap);
        REQUIRE(r.packets.size() == 2);
        CHECK(r.packets[0].ts_ns == (nano ? t0 : t0 - 789));
        CHECK(r.packets[1].ts_ns == (nano ? t0 + 5 : t0 - 789));
        CHECK(r.packets[0].linktype == 101);
        CHECK(r.packets[0].data == "aaaaaaaaaa");
        CHECK(r.packets[1].data == "bbb");
        CHECK(r.packets[1].orig_len == 1500);
        CHECK(r.packets[0].number == 1);
        CHECK(r.packets[1].number == 2);
        CHECK(r.packets[0].file_offset == 24);
        CHECK(r.packets[1].file_offset == 24 + 16 + 10);
      }
    }
  }

  TEST_CASE("pcap link type keeps only its low bits (FCS length in the upper bits)") {
    PcapOptions o;
    o.linktype = 0x14000001;
    const auto r = read_all(pcap_file({Record{t0, payload(4, 'x'), {}, {}}}, o));
    REQUIRE(r.packets.size() == 1);
    CHECK(r.packets[0].linktype == 1);
  }

  TEST_CASE("zero-length records are packets like any other") {
    const auto r = read_all(pcap_file({Record{t0, {}, 60, {}}, Record{t0, payload(2, 'z'), {}, {}}}));
    CHECK(r.problems.empty());
    REQUIRE(r.packets.size() == 2);
    CHECK(r.packets[0].data.empty());
    CHECK(r.packets[0].orig_len == 60);
    CHECK(r.packets[1].data == "zz");
  }

  TEST_CASE("magic sniffing") {
    const auto sniff = [](const Bytes& b) { return CaptureReader::looks_like_capture(text_of(b)); };
    for (const bool big : {false, true}) {
      for (const bool nano : {false, true}) CHECK(sniff(pcap_header(PcapOptions{big, nano, 1, 65535, 2})));
    }
    CHECK(sniff(PcapngBuilder(false).shb().bytes()));
    CHECK(sniff(PcapngBuilder(true).shb().bytes()));
    CHECK_FALSE(CaptureReader::looks_like_capture("#353327020412763,CMD-X#"));
    CHECK_FALSE(CaptureReader::looks_like_capture("\xd4\xc3"));
    CHECK_FALSE(CaptureReader::looks_like_capture(std::string_view("\x0a\x0d\x0d\x0a\x1c\x00\x00\x00XXXX", 12)));
  }

  TEST_CASE("pcapng: interfaces with different link types and resolutions, EPB/SPB/OPB, unknown blocks") {
    for (const bool big : {false, true}) {
      CAPTURE(big);
      PcapngBuilder b(big);
      b.shb();
      b.idb(1);                   // Ethernet, microseconds by default
      b.idb(101, 9);              // raw IP, nanoseconds
      b.block(0x00000bad, payload(7, '?'));  // unknown: skipped by length
      b.epb(0, 1'700'000'000'000'001ULL, payload(5, 'e'));
      b.block(4, payload(12, 'n'));  // name resolution: skipped
      b.epb(1, 1'700'000'000'000'000'007ULL, payload(3, 'r'), 99);
      b.spb(payload(6, 's'));
      b.opb(1, 1'700'000'000'000'000'009ULL, payload(2, 'o'));
      const auto r = read_all(b.bytes());
      CHECK(r.problems.empty());
      CHECK(r.format == CaptureFormat::pcapng);
      REQUIRE(r.packets.size() == 4);
      CHECK(r.packets[0].linktype == 1);
      CHECK(r.packets[0].interface == 0);
      CHECK(r.packets[0].ts_ns == 1'700'000'000'000'001'000);
      CHECK(r.packets[0].data == "eeeee");
      CHECK(r.packets[1].linktype == 101);
      CHECK(r.packets[1].interface == 1);
      CHECK(r.packets[1].ts_ns == 1'700'000'000'000'000'007);
      CHECK(r.packets[1].orig_len == 99);
      CHECK(r.packets[2].linktype == 1);  // SPB: interface 0, time of the previous packet
      CHECK(r.packets[2].data == "ssssss");
      CHECK(r.packets[2].ts_ns == 1'700'000'000'000'000'007);
      CHECK(r.packets[3].linktype == 101);
      CHECK(r.packets[3].data == "oo");
      CHECK(r.packets[3].ts_ns == 1'700'000'000'000'000'009);
      for (std::size_t i = 0; i < r.packets.size(); ++i) CHECK(r.packets[i].number == i + 1);
    }
  }

  TEST_CASE("pcapng: several sections, byte order changing, interfaces restarting") {
    PcapngBuilder b(false);
    b.shb().idb(1).epb(0, 1'000'000, payload(1, 'a'));
    b.shb(true).idb(113, 0x80 | 10).epb(0, 5 * 1024 + 512, payload(1, 'b'));  // 2^-10 s units
    b.shb(false).idb(276, 3, 0, 100).epb(0, 2500, payload(1, 'c'));           // ms units, +100 s offset
    const auto r = read_all(b.bytes());
    CHECK(r.problems.empty());
    REQUIRE(r.packets.size() == 3);
    CHECK(r.packets[0].linktype == 1);
    CHECK(r.packets[0].ts_ns == 1'000'000'000);
    CHECK(r.packets[1].linktype == 113);
    CHECK(r.packets[1].ts_ns == 5'500'000'000);
    CHECK(r.packets[2].linktype == 276);
    CHECK(r.packets[2].ts_ns == 102'500'000'000);
  }

  TEST_CASE("pcapng: packet on an undescribed interface is skipped with a problem, reading goes on") {
    PcapngBuilder b;
    b.shb().idb(1).epb(3, 0, payload(1, 'x')).epb(0, 0, payload(1, 'y'));
    const auto r = read_all(b.bytes());
    REQUIRE(r.packets.size() == 1);
    CHECK(r.packets[0].data == "y");
    CHECK(r.packets[0].number == 2);
    REQUIRE(r.problems.size() == 1);
    CHECK(r.problems[0].code == "bad_capture");
    CHECK_FALSE(r.problems[0].fatal);
    CHECK(r.problems[0].message.find("interface 3") != std::string::npos);
  }

  TEST_CASE("pcapng: caplen larger than the block is skipped with a problem") {
    PcapngBuilder b;
    b.shb().idb(1).epb(0, 0, payload(4, 'x'), {}, 400).epb(0, 0, payload(1, 'y'));
    const auto r = read_all(b.bytes());
    REQUIRE(r.packets.size() == 1);
    CHECK(r.packets[0].data == "y");
    CHECK(r.codes() == std::vector<std::string>{"bad_capture"});
  }

  TEST_CASE("damaged pcap files") {
    const auto good = pcap_file({Record{t0, payload(20, 'a'), {}, {}}, Record{t0, payload(30, 'b'), {}, {}}});
    const std::uint64_t third_at = good.size();

    SUBCASE("empty input") {
      const auto r = read_all({});
      CHECK(r.packets.empty());
      CHECK(r.codes() == std::vector<std::string>{"truncated_capture"});
      CHECK(r.stopped);
    }
    SUBCASE("truncated file header") {
      Bytes image = pcap_header({});
      image.resize(10);
      const auto r = read_all(image);
      CHECK(r.packets.empty());
      REQUIRE(r.codes() == std::vector<std::string>{"truncated_capture"});
      CHECK(r.problems[0].file_offset == 0);
      CHECK(r.problems[0].fatal);
    }
    SUBCASE("bad magic") {
      const auto r = read_all(bytes_of("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
      CHECK(r.packets.empty());
      REQUIRE(r.codes() == std::vector<std::string>{"bad_capture"});
      CHECK(r.problems[0].message.find("not a pcap or pcapng file") != std::string::npos);
    }
    SUBCASE("unsupported version") {
      PcapOptions o;
      o.major = 3;
      const auto r = read_all(pcap_file({Record{t0, payload(2, 'a'), {}, {}}}, o));
      CHECK(r.packets.empty());
      CHECK(r.codes() == std::vector<std::string>{"bad_capture"});
    }
    SUBCASE("truncated record header") {
      Bytes image = good;
      const Bytes rec = pcap_record(Record{t0, payload(5, 'c'), {}, {}}, {});
      image.insert(image.end(), rec.begin(), rec.begin() + 9);
      const auto r = read_all(image);
      REQUIRE(r.packets.size() == 2);
      REQUIRE(r.codes() == std::vector<std::string>{"truncated_capture"});
      CHECK(r.problems[0].file_offset == third_at);
      CHECK(r.problems[0].record == 3);
      CHECK(r.problems[0].message.find("record header (9 of 16 bytes)") != std::string::npos);
    }
    SUBCASE("truncated record data") {
      Bytes image = good;
      const Bytes rec = pcap_record(Record{t0, payload(100, 'c'), {}, {}}, {});
      image.insert(image.end(), rec.begin(), rec.begin() + 16 + 50);
      const auto r = read_all(image);
      REQUIRE(r.packets.size() == 2);
      CHECK(r.packets[1].data == std::string(30, 'b'));
      REQUIRE(r.codes() == std::vector<std::string>{"truncated_capture"});
      CHECK(r.problems[0].message.find("50 of 100 bytes") != std::string::npos);
    }
    SUBCASE("caplen above a small snaplen: reported, record kept") {
      PcapOptions o;
      o.snaplen = 100;
      const auto r = read_all(
          pcap_file({Record{t0, payload(150, 'c'), {}, {}}, Record{t0, payload(10, 'd'), {}, {}}}, o));
      REQUIRE(r.packets.size() == 2);
      CHECK(r.packets[0].data.size() == 150);
      REQUIRE(r.codes() == std::vector<std::string>{"bad_capture"});
      CHECK_FALSE(r.problems[0].fatal);
      CHECK(r.problems[0].message.find("caplen 150 exceeds snaplen 100") != std::string::npos);
    }
    SUBCASE("absurd caplen stops reading without allocating it") {
      Bytes image = good;
      const Bytes rec = pcap_record(Record{t0, payload(40, 'c'), {}, 0xffffffffU}, {});
      image.insert(image.end(), rec.begin(), rec.end());
      const auto r = read_all(image);
      REQUIRE(r.packets.size() == 2);
      REQUIRE(r.codes() == std::vector<std::string>{"bad_capture"});
      CHECK(r.problems[0].fatal);
      CHECK(r.problems[0].file_offset == third_at);
      CHECK(r.problems[0].message.rfind(
                "record 3 at byte " + std::to_string(third_at) + ": caplen 4294967295 exceeds snaplen 65535", 0) == 0);
    }
  }

  TEST_CASE("damaged pcapng files") {
    PcapngBuilder b;
    b.shb().idb(1).epb(0, 0, payload(8, 'a')).epb(0, 0, payload(8, 'b'));
    const Bytes good = b.bytes();

    SUBCASE("block length not a multiple of 4") {
      PcapngBuilder d = b;
      d.block(6, payload(32, 'x'), 45);
      const auto r = read_all(d.bytes());
      CHECK(r.packets.size() == 2);
      REQUIRE(r.codes() == std::vector<std::string>{"bad_capture"});
      CHECK(r.problems[0].file_offset == good.size());
      CHECK(r.problems[0].message.find("bad block length 45") != std::string::npos);
    }
    SUBCASE("block length below 12") {
      PcapngBuilder d = b;
      d.block(6, payload(32, 'x'), 8);
      const auto r = read_all(d.bytes());
      CHECK(r.packets.size() == 2);
      CHECK(r.codes() == std::vector<std::string>{"bad_capture"});
    }
    SUBCASE("trailing length differs") {
      PcapngBuilder d = b;
      d.epb(0, 0, payload(4, 'c'));
      d.block(6, payload(32, 'x'), {}, 1234);
      const auto r = read_all(d.bytes());
      CHECK(r.packets.size() == 3);
      REQUIRE(r.codes() == std::vector<std::string>{"bad_capture"});
      CHECK(r.problems[0].message.find("trailing block length 1234") != std::string::npos);
    }
    SUBCASE("absurd block length") {
      PcapngBuilder d = b;
      d.block(6, payload(32, 'x'), 0x7ffffff0U);
      const auto r = read_all(d.bytes());
      CHECK(r.packets.size() == 2);
      CHECK(r.codes() == std::vector<std::string>{"bad_capture"});
    }
    SUBCASE("file ends inside a block") {
      PcapngBuilder d = b;
      d.epb(0, 0, payload(64, 'c'));
      Bytes image = d.bytes();
      image.resize(image.size() - 20);
      const auto r = read_all(image);
      CHECK(r.packets.size() == 2);
      REQUIRE(r.codes() == std::vector<std::string>{"truncated_capture"});
      CHECK(r.problems[0].record == 3);
    }
    SUBCASE("file ends inside a skipped block") {
      PcapngBuilder d = b;
      d.block(0xbad, payload(64, 'c'));
      Bytes image = d.bytes();
      image.resize(image.size() - 30);
      const auto r = read_all(image);
      CHECK(r.packets.size() == 2);
      CHECK(r.codes() == std::vector<std::string>{"truncated_capture"});
    }
    SUBCASE("file ends inside a block header") {
      Bytes image = good;
      image.insert(image.end(), {std::byte{6}, std::byte{0}, std::byte{0}});
      const auto r = read_all(image);
      CHECK(r.packets.size() == 2);
      CHECK(r.codes() == std::vector<std::string>{"truncated_capture"});
    }
    SUBCASE("bad byte-order magic in a later section") {
      Bytes image = good;
      const Bytes shb = PcapngBuilder().shb().bytes();
      Bytes bad = shb;
      bad[8] = std::byte{0x99};
      image.insert(image.end(), bad.begin(), bad.end());
      const auto r = read_all(image);
      CHECK(r.packets.size() == 2);
      CHECK(r.codes() == std::vector<std::string>{"bad_capture"});
    }
  }

  TEST_CASE("pipes: fd and FILE*, records larger than the buffer, prefix already read") {
    std::vector<Record> recs;
    for (int i = 0; i < 400; ++i) {
      recs.push_back(Record{t0 + i, payload(static_cast<std::size_t>(1 + (i * 7919) % 5000), static_cast<char>('a' + i % 26)), {}, {}});
    }
    const Bytes image = pcap_file(recs);
    CHECK(image.size() > 64 * 1024);  // more than a pipe holds: the writer must run alongside

    for (const int mode : {0, 1, 2}) {
      CAPTURE(mode);
      int fds[2];
      REQUIRE(::pipe(fds) == 0);
      std::thread writer([&] {
        std::size_t done = 0;
        while (done < image.size()) {
          const auto n = ::write(fds[1], image.data() + done, std::min<std::size_t>(4093, image.size() - done));
          if (n <= 0) break;
          done += static_cast<std::size_t>(n);
        }
        ::close(fds[1]);
      });
      CaptureLimits small;
      small.buffer_bytes = 1000;  // smaller than many records: the buffer has to grow and compact
      ReadAll r;
      if (mode == 0) {
        CaptureReader reader(fds[0], {}, small);
        r = drain(reader);
        ::close(fds[0]);
      } else {
        std::FILE* f = ::fdopen(fds[0], "rb");
        REQUIRE(f != nullptr);
        std::string prefix;
        if (mode == 2) {  // the caller sniffed the first bytes itself
          prefix.resize(6);
          REQUIRE(std::fread(prefix.data(), 1, prefix.size(), f) == prefix.size());
          CHECK(CaptureReader::looks_like_capture(prefix));
        }
        CaptureReader reader(f, prefix, small);
        r = drain(reader);
        std::fclose(f);
      }
      writer.join();
      CHECK(r.problems.empty());
      REQUIRE(r.packets.size() == recs.size());
      for (std::size_t i = 0; i < recs.size(); ++i) {
        if (r.packets[i].data != text_of(recs[i].data) || r.packets[i].ts_ns != recs[i].ts_ns - recs[i].ts_ns % 1000) {
          FAIL("packet " << i << " differs");
        }
      }
    }
  }

  TEST_CASE("fmemopen FILE* without a file descriptor") {
    const auto image = pcap_file({Record{t0, payload(3, 'q'), {}, {}}});
    const auto r = read_all(image, {}, true);
    CHECK(r.problems.empty());
    REQUIRE(r.packets.size() == 1);
    CHECK(r.packets[0].data == "qqq");
  }
}
