// sys: metadata. fstatat, statx and fstatvfs into the caller's Float64Array (the field order lib/sys.ts
// checks through `layout`), and the calls that change or check an inode's attributes: fchmodat,
// fchownat, utimensat, faccessat. An empty path is the fd's own inode (AT_EMPTY_PATH, else /proc).
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "layout.h"
#include "sys.h"
#include "sys_args.h"

namespace rxfuse {
namespace sys {

namespace {

// Fields of a stat result, as lib/sys.ts reads them (checked at load through `layout`). The exact
// 64-bit st_ino and st_dev travel as 32-bit halves as well, so no identity is lost to rounding.
enum StatField {
  SF_DEV = 0, SF_INO, SF_MODE, SF_NLINK, SF_UID, SF_GID, SF_RDEV, SF_SIZE, SF_BLKSIZE, SF_BLOCKS,
  SF_ATIME_S, SF_ATIME_NS, SF_MTIME_S, SF_MTIME_NS, SF_CTIME_S, SF_CTIME_NS,
  SF_INO_HI, SF_INO_LO, SF_DEV_HI, SF_DEV_LO,
  SF_SIZE_X, SF_BLOCKS_X,  // exact st_size, st_blocks when their field is NaN (layout.h PutU64)
  SF_BTIME_S, SF_BTIME_NS, SF_STX_MASK, SF_ATTRIBUTES, SF_ATTRIBUTES_MASK,  // statx only
  SF_COUNT
};

enum StatvfsField {
  VF_BSIZE = 0, VF_FRSIZE, VF_BLOCKS, VF_BFREE, VF_BAVAIL, VF_FILES, VF_FFREE, VF_FAVAIL, VF_FSID,
  VF_FLAG, VF_NAMEMAX, VF_COUNT
};

// st_ino and st_dev: as doubles, and exactly as 32-bit halves.
void FillIds(uint64_t ino, uint64_t dev, double* o) {
  o[SF_DEV] = double(dev);
  o[SF_INO] = double(ino);
  o[SF_INO_HI] = double(ino >> 32);
  o[SF_INO_LO] = double(ino & 0xffffffffu);
  o[SF_DEV_HI] = double(dev >> 32);
  o[SF_DEV_LO] = double(dev & 0xffffffffu);
}

void FillStat(const struct stat& st, double* o) {
  FillIds(uint64_t(st.st_ino), uint64_t(st.st_dev), o);
  o[SF_MODE] = st.st_mode;
  o[SF_NLINK] = double(st.st_nlink);
  o[SF_UID] = st.st_uid;
  o[SF_GID] = st.st_gid;
  o[SF_RDEV] = double(st.st_rdev);
  PutU64(o, SF_SIZE, SF_SIZE_X, uint64_t(st.st_size));
  o[SF_BLKSIZE] = double(st.st_blksize);
  PutU64(o, SF_BLOCKS, SF_BLOCKS_X, uint64_t(st.st_blocks));
  o[SF_ATIME_S] = double(st.st_atim.tv_sec);
  o[SF_ATIME_NS] = double(st.st_atim.tv_nsec);
  o[SF_MTIME_S] = double(st.st_mtim.tv_sec);
  o[SF_MTIME_NS] = double(st.st_mtim.tv_nsec);
  o[SF_CTIME_S] = double(st.st_ctim.tv_sec);
  o[SF_CTIME_NS] = double(st.st_ctim.tv_nsec);
}

void PutTime(double* o, int sec, const struct statx_timestamp& t) {
  o[sec] = double(t.tv_sec);
  o[sec + 1] = double(t.tv_nsec);
}

// A statx result: the stat fields, then the birth time, the mask and the attribute bits.
void FillStatx(const struct statx& x, double* o) {
  FillIds(x.stx_ino, makedev(x.stx_dev_major, x.stx_dev_minor), o);
  o[SF_MODE] = x.stx_mode;
  o[SF_NLINK] = x.stx_nlink;
  o[SF_UID] = x.stx_uid;
  o[SF_GID] = x.stx_gid;
  o[SF_RDEV] = double(makedev(x.stx_rdev_major, x.stx_rdev_minor));
  PutU64(o, SF_SIZE, SF_SIZE_X, x.stx_size);
  o[SF_BLKSIZE] = x.stx_blksize;
  PutU64(o, SF_BLOCKS, SF_BLOCKS_X, x.stx_blocks);
  PutTime(o, SF_ATIME_S, x.stx_atime);
  PutTime(o, SF_MTIME_S, x.stx_mtime);
  PutTime(o, SF_CTIME_S, x.stx_ctime);
  PutTime(o, SF_BTIME_S, x.stx_btime);
  o[SF_STX_MASK] = x.stx_mask;
  o[SF_ATTRIBUTES] = double(x.stx_attributes);
  o[SF_ATTRIBUTES_MASK] = double(x.stx_attributes_mask);
}

}  // namespace


// fstatat(dirfd, path, flags, out) → 0; the fields go to out (StatField order).
Napi::Value Fstatat(const Napi::CallbackInfo& info) {
  ARGS_AT("fstatat");
  int64_t flags = 0;
  double* out = nullptr;
  CHECK_AT(a.Flags(2, &flags) && a.F64(3, SF_COUNT, &out));
  if (at.p.empty()) flags |= AT_EMPTY_PATH;
  struct stat st;
  if (::fstatat(at.fd, at.p.s, &st, int(flags)) < 0) return Err(env, -errno);
  FillStat(st, out);
  return Zero(env);
}

// statx(dirfd, path, flags, mask, out) → 0; the fields go to out (StatField order, the statx ones too).
Napi::Value Statx(const Napi::CallbackInfo& info) {
  ARGS_AT("statx");
  int64_t flags = 0, mask = 0;
  double* out = nullptr;
  CHECK_AT(a.Flags(2, &flags) && a.Int(3, 0, 4294967295.0, &mask) && a.F64(4, SF_COUNT, &out));
  if (at.p.empty()) flags |= AT_EMPTY_PATH;
  struct statx x;
  if (::statx(at.fd, at.p.s, int(flags), unsigned(mask), &x) < 0) return Err(env, -errno);
  FillStatx(x, out);
  return Zero(env);
}

// fstatvfs(fd, out) → 0; the fields go to out (StatvfsField order). Works on O_PATH fds.
Napi::Value Fstatvfs(const Napi::CallbackInfo& info) {
  ARGS_FD("fstatvfs");
  double* out = nullptr;
  CHECK_FD(a.F64(1, VF_COUNT, &out));
  struct statvfs sv;
  if (::fstatvfs(fd, &sv) < 0) return Err(env, -errno);
  out[VF_BSIZE] = double(sv.f_bsize);
  out[VF_FRSIZE] = double(sv.f_frsize);
  out[VF_BLOCKS] = double(sv.f_blocks);
  out[VF_BFREE] = double(sv.f_bfree);
  out[VF_BAVAIL] = double(sv.f_bavail);
  out[VF_FILES] = double(sv.f_files);
  out[VF_FFREE] = double(sv.f_ffree);
  out[VF_FAVAIL] = double(sv.f_favail);
  out[VF_FSID] = double(sv.f_fsid);
  out[VF_FLAG] = double(sv.f_flag);
  out[VF_NAMEMAX] = double(sv.f_namemax);
  return Zero(env);
}

// fchmodat(dirfd, path, mode, flags). Empty path: the fd's inode (EOPNOTSUPP for a symlink, as
// fchmodat(AT_SYMLINK_NOFOLLOW) answers); O_PATH fds go through /proc.
Napi::Value Fchmodat(const Napi::CallbackInfo& info) {
  ARGS_AT("fchmodat");
  int64_t mode = 0, flags = 0;
  CHECK_AT(a.Int(2, 0, 07777, &mode) && a.Flags(3, &flags));
  if (!at.p.empty()) return Ret(env, ::fchmodat(at.fd, at.p.s, mode_t(mode), int(flags)));
  struct stat st;
  if (::fstatat(at.fd, "", &st, AT_EMPTY_PATH) < 0) return Err(env, -errno);
  if (S_ISLNK(st.st_mode)) return Err(env, -EOPNOTSUPP);
  if (::fchmod(at.fd, mode_t(mode)) == 0) return Zero(env);
  if (errno != EBADF) return Err(env, -errno);
  PROC_LINK(proc, at.fd);
  return Ret(env, ::chmod(proc.s, mode_t(mode)));
}

// fchownat(dirfd, path, uid, gid, flags); -1 leaves an id unchanged. Empty path: AT_EMPTY_PATH.
Napi::Value Fchownat(const Napi::CallbackInfo& info) {
  ARGS_AT("fchownat");
  int64_t uid = 0, gid = 0, flags = 0;
  CHECK_AT(a.Int(2, -1, 4294967294.0, &uid) && a.Int(3, -1, 4294967294.0, &gid) &&
           a.Flags(4, &flags));
  if (at.p.empty()) flags |= AT_EMPTY_PATH;
  return Ret(env, ::fchownat(at.fd, at.p.s, uid_t(uid), gid_t(gid), int(flags)));
}

// utimensat(dirfd, path, atimeSec, atimeNsec, mtimeSec, mtimeNsec, flags); nsec may be UTIME_NOW or
// UTIME_OMIT. Empty path: the fd's inode through /proc (utimensat has no O_PATH form).
Napi::Value Utimensat(const Napi::CallbackInfo& info) {
  ARGS_AT("utimensat");
  int64_t as = 0, ans = 0, ms = 0, mns = 0, flags = 0;
  CHECK_AT(a.Int(2, -kMaxSafe, kMaxSafe, &as) && a.Int(3, 0, UTIME_NOW, &ans) &&
           a.Int(4, -kMaxSafe, kMaxSafe, &ms) && a.Int(5, 0, UTIME_NOW, &mns) && a.Flags(6, &flags));
  struct timespec ts[2];
  ts[0].tv_sec = time_t(as);
  ts[0].tv_nsec = long(ans);
  ts[1].tv_sec = time_t(ms);
  ts[1].tv_nsec = long(mns);
  if (!at.p.empty()) return Ret(env, ::utimensat(at.fd, at.p.s, ts, int(flags)));
  PROC_LINK(proc, at.fd);
  return Ret(env, ::utimensat(AT_FDCWD, proc.s, ts, 0));
}

// faccessat(dirfd, path, mode, flags) with the calling thread's credentials when flags has
// AT_EACCESS (the fs ids and groups set by credsPush). Empty path: through /proc.
Napi::Value Faccessat(const Napi::CallbackInfo& info) {
  ARGS_AT("faccessat");
  int64_t mode = 0, flags = 0;
  CHECK_AT(a.Int(2, 0, 7, &mode) && a.Flags(3, &flags));
  if (!at.p.empty()) return Ret(env, syscall(SYS_faccessat2, at.fd, at.p.s, int(mode), int(flags)));
  PROC_LINK(proc, at.fd);
  return Ret(env, syscall(SYS_faccessat2, AT_FDCWD, proc.s, int(mode), int(flags & AT_EACCESS)));
}

// The field indices of a stat and a statvfs result, which lib/sys.ts checks at load.
Napi::Object StatLayout(Napi::Env env) {
  Napi::Object o = Napi::Object::New(env);
#define L(NAME) o.Set(#NAME, Napi::Number::New(env, double(NAME)))
  L(SF_DEV); L(SF_INO); L(SF_MODE); L(SF_NLINK); L(SF_UID); L(SF_GID); L(SF_RDEV); L(SF_SIZE);
  L(SF_BLKSIZE); L(SF_BLOCKS); L(SF_ATIME_S); L(SF_ATIME_NS); L(SF_MTIME_S); L(SF_MTIME_NS);
  L(SF_CTIME_S); L(SF_CTIME_NS); L(SF_INO_HI); L(SF_INO_LO); L(SF_DEV_HI); L(SF_DEV_LO); L(SF_SIZE_X); L(SF_BLOCKS_X);
  L(SF_BTIME_S); L(SF_BTIME_NS); L(SF_STX_MASK); L(SF_ATTRIBUTES); L(SF_ATTRIBUTES_MASK); L(SF_COUNT);
  L(VF_BSIZE); L(VF_FRSIZE); L(VF_BLOCKS); L(VF_BFREE); L(VF_BAVAIL); L(VF_FILES); L(VF_FFREE);
  L(VF_FAVAIL); L(VF_FSID); L(VF_FLAG); L(VF_NAMEMAX); L(VF_COUNT);
#undef L
  return o;
}

}  // namespace sys
}  // namespace rxfuse
