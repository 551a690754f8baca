// Fuzz target: what `vt106 replay` reads, as it reads it: the input (a capture when it starts
// like one, text otherwise) through its recording source and the scheduler, every pass, with
// options taken from the input's last byte (pace, passes, shard, IMEI rewriting, restamping).
// Invariants: a stream opens once, before its messages, and ends once, after them; nothing is
// due before the start; the schedule ends; a message is a whole frame; the first pass's totals
// count what it sent and, unsharded, every frame the source collects whole.
#include <cstdio>
#include <map>
#include <memory>
#include <set>

#include "fuzz_support.hpp"
#include "vt106/live/recording.hpp"
#include "vt106/live/schedule.hpp"
#include "vt106/source/capture_file.hpp"

namespace {

using namespace vt106;

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

std::unique_ptr<std::FILE, FileCloser> open_image(std::string& copy) {
  std::unique_ptr<std::FILE, FileCloser> f(copy.empty() ? std::tmpfile() : ::fmemopen(copy.data(), copy.size(), "rb"));
  fuzz::check(f != nullptr, "cannot open the input as a FILE*");
  return f;
}

std::unique_ptr<live::RecordingSource> source_of(std::FILE* f, bool capture) {
  std::string head(512, '\0');
  head.resize(std::fread(head.data(), 1, head.size(), f));
  if (capture) {
    net::CaptureOptions options;
    options.flows.max_flows = 16;
    return std::make_unique<live::CaptureRecordingSource>(f, std::move(head), options, 256);
  }
  return std::make_unique<live::TextRecordingSource>(f, std::move(head), net::Transport::tcp, 256);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view image(reinterpret_cast<const char*>(data), data == nullptr ? 0 : size);
  const bool capture = source::CaptureReader::looks_like_capture(image.substr(0, 512));
  const std::uint8_t knobs = size ? data[size - 1] : 0;

  live::ScheduleOptions o;
  o.pace = static_cast<live::Pace>(knobs % 3);
  o.speed = 0.5 + (knobs >> 6);
  o.rate = 100;
  o.loops = 1 + ((knobs >> 2) & 1);
  if (knobs & 0x08) o.shard = {1, 2};
  if (knobs & 0x10) o.imei_prefix = "35";
  if (knobs & 0x20) o.restamp = true;
  const bool sharded = o.shard.count > 1;

  std::string copy(image);
  auto file = open_image(copy);
  auto input = source_of(file.get(), capture);
  live::Scheduler sched(*input, o, 1'750'000'000'000'000'000);
  std::map<std::uint64_t, std::uint64_t> messages;  // stream → messages so far
  std::set<std::uint64_t> ended;
  std::uint64_t first_pass = 0, events = 0;
  live::ScheduledEvent e;
  while (sched.next(e)) {
    fuzz::check(++events < 10'000'000, "the schedule does not end");
    fuzz::check(e.due_ns >= 0, "an event due before the start");
    switch (e.kind) {
      case live::ScheduledEvent::Kind::open:
        fuzz::check(e.plan != nullptr && e.plan->id == e.stream, "an open without its plan");
        fuzz::check(messages.emplace(e.stream, 0).second, "a stream opened twice");
        break;
      case live::ScheduledEvent::Kind::message:
        fuzz::check(messages.count(e.stream) && !ended.count(e.stream), "a message outside its stream");
        fuzz::check(e.bytes.size() >= 3 && e.bytes.front() == '#' && e.bytes.back() == '#', "a message that is not a frame");
        ++messages[e.stream];
        if (sched.passes_begun() == 1) ++first_pass;
        break;
      case live::ScheduledEvent::Kind::end:
        fuzz::check(messages.count(e.stream) && ended.insert(e.stream).second, "a stream ended twice or unopened");
        break;
    }
  }
  fuzz::check(ended.size() == messages.size(), "a stream never ended");
  fuzz::check(sched.first_pass_read(), "the first pass was not read to its end");
  fuzz::check(sched.totals().messages == first_pass, "the first pass's totals are not what it sent");
  if (!sharded) {
    std::string again(image);
    auto file2 = open_image(again);
    auto whole = source_of(file2.get(), capture);
    const live::Recording r = live::collect(*whole);
    fuzz::check(r.counters.frames == sched.totals().messages, "the first pass is not every frame of the input");
  }
  return 0;
}
