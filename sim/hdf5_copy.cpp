// SPDX-License-Identifier: MIT
#include "sim/hdf5_copy.hpp"

#include <H5DSpublic.h>

#include <algorithm>

#include "sim/hdf5_support.hpp"

namespace breachsim::sim::hdf5 {

namespace {

bool listed(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

[[noreturn]] void copy_failed(const std::string& object) {
  throw OutputError(object + ": cannot copy (" + stack_reason() + ")");
}

std::vector<std::string> member_names(hid_t group) {
  H5G_info_t info;
  if (H5Gget_info(group, &info) < 0) throw OutputError(stack_reason());
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t length = H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (length < 0) throw OutputError(stack_reason());
    std::string name(static_cast<std::size_t>(length), '\0');
    H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size() + 1, H5P_DEFAULT);
    names.push_back(name);
  }
  return names;
}

// `name` below group `from` recreated below `to` without data (copy_file_contents' `empty`).
void copy_structure(hid_t from, hid_t to, const std::string& name, const std::string& path) {
  H5O_info_t info;
  if (H5Oget_info_by_name(from, name.c_str(), &info, H5P_DEFAULT) < 0) copy_failed(path);
  if (info.type == H5O_TYPE_GROUP) {
    const OwnedId source(H5Gopen2(from, name.c_str(), H5P_DEFAULT), H5Gclose);
    const OwnedId target(H5Gcreate2(to, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
    copy_attributes(source.id, target.id);
    for (const std::string& member : member_names(source.id))
      copy_structure(source.id, target.id, member, path + "/" + member);
    return;
  }
  if (info.type != H5O_TYPE_DATASET) throw OutputError(path + ": cannot copy (neither a group nor a dataset)");
  const OwnedId source(H5Dopen2(from, name.c_str(), H5P_DEFAULT), H5Dclose);
  // A dimension scale labels the layout rather than holding results: copied whole, but without
  // the list of datasets it is attached to, which names objects of the source file.
  if (H5DSis_scale(source.id) > 0) {
    if (H5Ocopy(from, name.c_str(), to, name.c_str(), H5P_DEFAULT, H5P_DEFAULT) < 0) copy_failed(path);
    if (H5Aexists_by_name(to, name.c_str(), "REFERENCE_LIST", H5P_DEFAULT) > 0 &&
        H5Adelete_by_name(to, name.c_str(), "REFERENCE_LIST", H5P_DEFAULT) < 0)
      copy_failed(path);
    return;
  }
  const OwnedId type(H5Dget_type(source.id), H5Tclose);
  const OwnedId space(H5Dget_space(source.id), H5Sclose);
  const OwnedId create(H5Dget_create_plist(source.id), H5Pclose);
  const OwnedId target(H5Dcreate2(to, name.c_str(), type.id, space.id, H5P_DEFAULT, create.id, H5P_DEFAULT), H5Dclose);
  copy_attributes(source.id, target.id);
}

}  // namespace

// H5Ocopy copies objects with their attributes, but the root group is no object it can copy,
// and copy_structure creates objects afresh: their attributes are copied one by one.
void copy_attributes(hid_t from, hid_t to) {
  H5O_info_t info;
  if (H5Oget_info(from, &info) < 0) throw OutputError(stack_reason());
  for (hsize_t i = 0; i < info.num_attrs; ++i) {
    const OwnedId attr(H5Aopen_by_idx(from, ".", H5_INDEX_NAME, H5_ITER_INC, i, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    const OwnedId stored(H5Aget_type(attr.id), H5Tclose);
    const OwnedId memory(H5Tget_native_type(stored.id, H5T_DIR_ASCEND), H5Tclose);
    const OwnedId space(H5Aget_space(attr.id), H5Sclose);
    // An object reference (a dimension scale's) addresses an object of the source file; the
    // caller attaches scales again in the target.
    if (H5Tdetect_class(stored.id, H5T_REFERENCE) > 0) continue;
    std::string name(static_cast<std::size_t>(std::max<ssize_t>(H5Aget_name(attr.id, 0, nullptr), 0)), '\0');
    H5Aget_name(attr.id, name.size() + 1, name.data());
    std::vector<unsigned char> buffer(H5Tget_size(memory.id) *
                                      static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.id)));
    if (H5Aread(attr.id, memory.id, buffer.data()) < 0) throw OutputError(stack_reason());
    const bool variable = H5Tdetect_class(memory.id, H5T_VLEN) > 0 || H5Tis_variable_str(memory.id) > 0;
    const OwnedId copy(H5Acreate2(to, name.c_str(), stored.id, space.id, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    const herr_t written = H5Awrite(copy.id, memory.id, buffer.data());
    if (variable) H5Dvlen_reclaim(memory.id, space.id, H5P_DEFAULT, buffer.data());
    if (written < 0) throw OutputError(stack_reason());
  }
}

void copy_file_contents(hid_t from, hid_t to, const std::vector<std::string>& skip,
                        const std::vector<std::string>& empty) {
  const OwnedId source(H5Gopen2(from, "/", H5P_DEFAULT), H5Gclose);
  const OwnedId target(H5Gopen2(to, "/", H5P_DEFAULT), H5Gclose);
  try {
    copy_attributes(source.id, target.id);
  } catch (const OutputError& e) {
    throw OutputError(std::string("the root attributes: cannot copy (") + e.what() + ")");
  }
  for (const std::string& name : member_names(source.id)) {
    if (listed(skip, name)) continue;
    if (listed(empty, name))
      copy_structure(source.id, target.id, name, "/" + name);
    else if (H5Ocopy(source.id, name.c_str(), target.id, name.c_str(), H5P_DEFAULT, H5P_DEFAULT) < 0)
      copy_failed("/" + name);
  }
}

}  // namespace breachsim::sim::hdf5
