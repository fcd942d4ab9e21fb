# One place for warnings and sanitizer flags, applied to every podstack target.
function(podstack_target_options target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter)
  # One section per function and object, so the link's --gc-sections (top
  # CMakeLists.txt) drops what nothing calls: a service's helpers have
  # external linkage since the split into one file per concern, and the
  # copies the optimizer inlined everywhere would otherwise stay in the
  # binary (the image's size limit, tests/docker/test_image.py).
  target_compile_options(${target} PRIVATE -ffunction-sections -fdata-sections)
  if(PODSTACK_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(PODSTACK_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

# Service code: may include the service API only. The store's and the
# server's headers #error under this definition (store/not_for_services.h,
# server/not_for_services.h); podstack_services and tests/seal use it.
function(podstack_service_code target)
  target_compile_definitions(${target} PRIVATE PODSTACK_SERVICE_CODE)
  podstack_target_options(${target})
endfunction()
