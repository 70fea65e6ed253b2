# cmake -DEXE=<faceatlas> -DVERSION=<x.y.z> -DOUT=<faceatlas.1> -P manpage.cmake
# Writes the man page from `faceatlas --help` and every (nested) subcommand's `--help`, so the
# page says exactly what the binary accepts.
cmake_policy(VERSION 3.25)
foreach(v EXE VERSION OUT)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "manpage.cmake: -D${v}=... is required")
  endif()
endforeach()

# roff: backslashes escaped, a line starting with . or ' must not read as a request.
function(to_roff text out)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

function(help_of args out)
  execute_process(COMMAND ${EXE} ${args} --help OUTPUT_VARIABLE text ERROR_VARIABLE err
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "`faceatlas ${args} --help` failed (${rc}): ${err}")
  endif()
  string(REPLACE "${EXE}" "faceatlas" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# Appends a section for `faceatlas <path>` and recurses into its subcommands.
function(document path)
  help_of("${path}" text)
  if(path)
    list(JOIN path " " title)
    to_roff("${text}" roff)
    file(APPEND ${OUT} ".SS \"faceatlas ${title}\"\n.nf\n${roff}.fi\n")
  endif()
  string(FIND "${text}" "\nSubcommands:\n" at)
  if(at LESS 0)
    return()
  endif()
  math(EXPR at "${at} + 14")
  string(SUBSTRING "${text}" ${at} -1 subs)
  string(REGEX REPLACE "\n\n.*" "" subs "${subs}")
  string(REPLACE "\n" ";" lines "${subs}")
  foreach(line IN LISTS lines)
    if(line MATCHES "^  ([a-z0-9][a-z0-9-]*)( |$)")
      set(sub ${path})
      list(APPEND sub ${CMAKE_MATCH_1})
      document("${sub}")
    endif()
  endforeach()
endfunction()

help_of("" top)
string(REGEX MATCH "^[^\n]*" summary "${top}")
string(REGEX REPLACE "^faceatlas: " "" summary "${summary}")
to_roff("${top}" top_roff)
file(WRITE ${OUT} ".TH FACEATLAS 1 \"\" \"faceatlas ${VERSION}\" \"User Commands\"\n"
  ".SH NAME\nfaceatlas \\- ${summary}\n"
  ".SH SYNOPSIS\n.B faceatlas\n[\\fIOPTIONS\\fR] \\fISUBCOMMAND\\fR [\\fIARGS\\fR]\n"
  ".SH DESCRIPTION\n.nf\n${top_roff}.fi\n"
  ".SH COMMANDS\n")
document("")
file(APPEND ${OUT} ".SH ENVIRONMENT\n.TP\n.B FACEATLAS_MODELS\n"
  "Folder of the unpacked model packages, used when \\fB--models\\fR is not given.\n"
  ".SH FILES\n.TP\n.I <prefix>/share/faceatlas/models\n"
  "The networks installed with the package, used when neither \\fB--models\\fR nor "
  "\\fBFACEATLAS_MODELS\\fR is set.\n"
  ".SH EXIT STATUS\n0 on success, 1 on failure, 2 on bad usage.\n")
