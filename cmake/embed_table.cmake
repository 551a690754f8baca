# Writes OUTPUT, a C++ source holding every *.table file of DIR (the protocol table), in name
# order, as vt106::detect::table::builtin_text(). Each file starts with a line "@file NAME" so
# that errors name the file and line.
file(GLOB VT106_TABLE_FILES ${DIR}/*.table)
list(SORT VT106_TABLE_FILES)
set(VT106_TABLE_TEXT "")
foreach(f ${VT106_TABLE_FILES})
  get_filename_component(name ${f} NAME)
  file(READ ${f} content)
  string(APPEND VT106_TABLE_TEXT "@file ${name}\n${content}")
endforeach()
string(FIND "${VT106_TABLE_TEXT}" ")vt106table\"" VT106_BAD)
if(NOT VT106_BAD EQUAL -1)
  message(FATAL_ERROR "${DIR} holds the raw-string delimiter )vt106table\"")
endif()
file(WRITE ${OUTPUT}.tmp "// Generated from lib/vt106/detect/protocols/*.table by cmake/embed_table.cmake: do not edit.\n"
  "#include \"vt106/detect/table.hpp\"\n\n"
  "namespace vt106::detect::table {\n\n"
  "std::string_view builtin_text() {\n"
  "  static constexpr const char text[] = R\"vt106table(${VT106_TABLE_TEXT})vt106table\";\n"
  "  return {text, sizeof(text) - 1};\n}\n\n}  // namespace vt106::detect::table\n")
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUTPUT}.tmp)
