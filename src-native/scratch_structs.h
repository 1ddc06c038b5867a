// The reply scratch's blocks (layout.h) as libfuse's structs: the one place they are read for
// replies (replies.cc), also for the replies rxfuse writes itself (raw_ops.cc converts these).
#pragma once

#define FUSE_USE_VERSION 35
#include <fuse_lowlevel.h>

namespace rxfuse {

// An entry block: [ino, generation, attr_timeout, entry_timeout] + stat.
void FillEntry(const double* s, fuse_entry_param* e);
// The file info block (handle and FOPEN_* wishes; not the backing id).
void FillFileInfo(const double* s, fuse_file_info* fi);

}  // namespace rxfuse
