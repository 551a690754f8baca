// Detection verdicts as JSON; field names are documented in man vt106-detect.
#include "vt106/output/verdict_json.hpp"

namespace vt106::output {

void write_verdict_fields(JsonWriter& w, const detect::Verdict& v) {
  w.key("status").string(detect::to_string(v.status));
  w.key("protocol").string(v.protocol);
  w.key("category").string(detect::to_string(v.category));
  w.key("confidence").number(v.confidence);
  if (v.device_id) {
    const auto& id = *v.device_id;
    w.key("device_id").begin_object();
    w.key("value").string(id.value);
    w.key("encoding").string(detect::to_string(id.encoding));
    if (!id.raw.empty()) w.key("raw").string(id.raw);
    if (!id.imei.empty()) w.key("imei").string(id.imei);
    w.key("luhn").string(detect::to_string(id.luhn));
    if (!id.variants.empty()) {
      w.key("variants").begin_array();
      for (const auto& s : id.variants) w.string(s);
      w.end_array();
    }
    w.end_object();
  }
  w.key("evidence").begin_array();
  for (const auto& e : v.evidence) w.string(e);
  w.end_array();
  w.key("alternatives").begin_array();
  for (const auto& a : v.alternatives) {
    w.begin_object();
    w.key("protocol").string(a.protocol);
    w.key("confidence").number(a.confidence);
    if (a.need_more) w.key("need_more").boolean(true);
    if (!a.evidence.empty()) w.key("evidence").string(a.evidence);
    w.end_object();
  }
  w.end_array();
  w.key("bytes_seen").number(static_cast<std::uint64_t>(v.bytes_seen));
  w.key("bytes_used").number(static_cast<std::uint64_t>(v.bytes_used));
  if (v.bytes_wanted) w.key("bytes_wanted").number(static_cast<std::uint64_t>(v.bytes_wanted));
  if (v.proxy) {
    const auto& p = *v.proxy;
    w.key("proxy").begin_object();
    w.key("version").number(p.version);
    if (p.local) w.key("local").boolean(true);
    w.key("family").string(p.family);
    if (!p.src.empty()) w.key("src").string(p.src);
    if (!p.dst.empty()) w.key("dst").string(p.dst);
    w.key("length").number(static_cast<std::uint64_t>(p.length));
    w.end_object();
  }
}

void append_verdict_json(std::string& out, const detect::Verdict& v) {
  JsonWriter w(out);
  w.begin_object();
  write_verdict_fields(w, v);
  w.end_object();
}

}  // namespace vt106::output
