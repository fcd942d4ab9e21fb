# cmake -DOUT=file.inc -DROOT=server/ui -DFILES="a;b" -P embed_ui.cmake
# Writes one `{"relative/path", R"(...)", "etag"},` initializer per web console
# file for server/ui_assets.cpp. Text files only (HTML, JS, CSS, SVG): they are
# embedded as raw string literals, so the build needs no JS toolchain.
set(content "")
foreach(path ${FILES})
  file(RELATIVE_PATH rel ${ROOT} ${path})
  file(READ ${path} text)
  string(FIND "${text}" ")podstack_ui\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${rel} contains the raw string delimiter )podstack_ui\"")
  endif()
  string(SHA256 hash "${text}")
  string(SUBSTRING ${hash} 0 20 etag)
  string(APPEND content "{\"${rel}\", R\"podstack_ui(${text})podstack_ui\", \"\\\"${etag}\\\"\"},\n")
endforeach()
file(WRITE ${OUT}.tmp "${content}")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
