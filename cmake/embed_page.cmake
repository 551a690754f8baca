# Writes OUTPUT, a C++ source holding INPUT (the report page: HTML, CSS and script in one file) as
# vt106::report::page_template(), in literals of at most 16,000 bytes each.
file(READ ${INPUT} content)
string(FIND "${content}" ")vt106page\"" VT106_BAD)
if(NOT VT106_BAD EQUAL -1)
  message(FATAL_ERROR "${INPUT} holds the raw-string delimiter )vt106page\"")
endif()
string(LENGTH "${content}" VT106_LEN)
set(VT106_PARTS "")
set(VT106_AT 0)
while(VT106_AT LESS VT106_LEN)
  string(SUBSTRING "${content}" ${VT106_AT} 16000 VT106_PIECE)
  string(APPEND VT106_PARTS "    R\"vt106page(${VT106_PIECE})vt106page\",\n")
  math(EXPR VT106_AT "${VT106_AT} + 16000")
endwhile()
file(WRITE ${OUTPUT}.tmp "// Generated from lib/vt106/report/page.html by cmake/embed_page.cmake: do not edit.\n"
  "#include <string>\n#include <string_view>\n\n"
  "namespace vt106::report {\n\n"
  "std::string_view page_template() {\n"
  "  static constexpr std::string_view parts[] = {\n${VT106_PARTS}  };\n"
  "  static const std::string text = [] {\n"
  "    std::string all;\n"
  "    for (const auto part : parts) all += part;\n"
  "    return all;\n"
  "  }();\n"
  "  return text;\n}\n\n}  // namespace vt106::report\n")
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUTPUT}.tmp)
