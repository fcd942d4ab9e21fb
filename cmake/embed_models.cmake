# cmake -DOUT=file.inc -DMODELS="a.json;b.json" -P embed_models.cmake
# Writes one `{"name", R"(...)"},` initializer per model for model_registry.cpp.
set(content "")
foreach(path ${MODELS})
  get_filename_component(name ${path} NAME_WE)
  file(READ ${path} text)
  string(APPEND content "{\"${name}\", R\"podstack_model(${text})podstack_model\"},\n")
endforeach()
file(WRITE ${OUT}.tmp "${content}")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
