# Writes version.hpp with the version and the git revision of the source tree ("-dirty" when it
# has changes), at every build but only when the text changes, so --version never shows the
# revision of an older build and an unchanged revision recompiles nothing.
# cmake -DSOURCE_DIR=... -DPROJECT_VERSION=... -DINPUT=version.hpp.in -DOUTPUT=version.hpp -P version.cmake
execute_process(COMMAND git rev-parse --short HEAD
  WORKING_DIRECTORY ${SOURCE_DIR} OUTPUT_VARIABLE VT106_GIT_REV RESULT_VARIABLE no_git
  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(no_git)
  set(VT106_GIT_REV "")  # a source tree without git: the version alone
else()
  execute_process(COMMAND git diff --quiet HEAD --
    WORKING_DIRECTORY ${SOURCE_DIR} RESULT_VARIABLE changed ERROR_QUIET)
  if(changed)
    string(APPEND VT106_GIT_REV "-dirty")
  endif()
endif()
configure_file(${INPUT} ${OUTPUT} @ONLY)
