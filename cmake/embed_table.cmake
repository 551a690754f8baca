# Writes OUTPUT, a C++ source holding every *.table file of DIR (the protocol table), in name
# order, as vt106::detect::table::builtin_text(). Each file starts with a line "@file NAME" so
# that errors name the file and line. One string literal per file keeps each literal well under
# the 64 KB compilers are required to support.
file(GLOB VT106_TABLE_FILES ${DIR}/*.table)
list(SORT VT106_TABLE_FILES)
set(VT106_TABLE_PARTS "")
foreach(f ${VT106_TABLE_FILES})
  get_filename_component(name ${f} NAME)
  file(READ ${f} content)
  string(FIND "${content}" ")vt106table\"" VT106_BAD)
  if(NOT VT106_BAD EQUAL -1)
    message(FATAL_ERROR "${f} holds the raw-string delimiter )vt106table\"")
  endif()
  string(LENGTH "${content}" VT106_LEN)
  if(VT106_LEN GREATER 60000)
    message(FATAL_ERROR "${f} is over 60000 bytes: split it (one literal per file must stay under 64 KB)")
  endif()
  string(APPEND VT106_TABLE_PARTS "    R\"vt106table(@file ${name}\n${content})vt106table\",\n")
endforeach()
file(WRITE ${OUTPUT}.tmp "// Generated from lib/vt106/detect/protocols/*.table by cmake/embed_table.cmake: do not edit.\n"
  "#include <string>\n\n"
  "#include \"vt106/detect/table.hpp\"\n\n"
  "namespace vt106::detect::table {\n\n"
  "std::string_view builtin_text() {\n"
  "  static constexpr std::string_view parts[] = {\n${VT106_TABLE_PARTS}  };\n"
  "  static const std::string text = [] {\n"
  "    std::string all;\n"
  "    for (const auto part : parts) all += part;\n"
  "    return all;\n"
  "  }();\n"
  "  return text;\n}\n\n}  // namespace vt106::detect::table\n")
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUTPUT}.tmp)
