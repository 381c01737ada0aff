// SPDX-License-Identifier: MIT
#pragma once
#include <H5Cpp.h>

#include <string>
#include <vector>

// Copying between two open HDF5 files, for the compacted copy a streamed file ends in and for
// a merged file laid out like its shards. Internal to breachsim_hdf5, as hdf5_support.hpp.
namespace breachsim::sim::hdf5 {

// Copies every attribute of object `from` onto object `to`, in its stored type.
void copy_attributes(hid_t from, hid_t to);

// Copies the root group's attributes and members of file `from` into file `to`: members named
// in `skip` not at all, those in `empty` (groups) as their structure only: groups with their
// attributes, datasets with their type, extent, chunks, filters, fill value and attributes,
// but no data. Throws OutputError with HDF5's reason and the object that failed.
void copy_file_contents(hid_t from, hid_t to, const std::vector<std::string>& skip = {},
                        const std::vector<std::string>& empty = {});

}  // namespace breachsim::sim::hdf5
