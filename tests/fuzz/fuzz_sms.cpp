// Fuzz target: SMS texts, through the SMS input reader (blank-line separated, "\n" escapes,
// the length cap) and through Parser::parse_sms directly. Input: the text as typed.
#include "fuzz_support.hpp"
#include "vt106/decode/text_decode.hpp"
#include "vt106/source/text_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace vt106;
  const std::string_view text(reinterpret_cast<const char*>(data), data == nullptr ? 0 : size);

  fuzz::CheckedSink sink;
  gotop::Parser parser;
  decode::TextDecoder dec(parser, sink);
  auto reader = decode::string_reader(std::string(text));
  const decode::InputStatus status = dec.sms(reader, "fuzz");
  fuzz::check(status.usable, "an SMS text in memory was refused as a whole", status.problem);
  fuzz::check(dec.counters().messages == sink.messages && dec.counters().errors == sink.errors,
              "the decoder's counters differ from the records it wrote");

  // One SMS, as given and with its escapes resolved.
  fuzz::CheckedSink direct;
  gotop::Message msg;
  gotop::DecodeError err;
  bool ok = parser.parse_sms(text, msg, err);
  fuzz::record_parse(direct, ok, msg, err, text);
  const std::string unescaped = source::unescape_newlines(text);
  ok = parser.parse_sms(unescaped, msg, err);
  fuzz::record_parse(direct, ok, msg, err, unescaped);
  return 0;
}
