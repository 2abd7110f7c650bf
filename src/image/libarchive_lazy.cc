// libarchive's entry points, loaded on first use (see base/lazy_lib.h). Only what bale calls.
#include <archive.h>
#include <archive_entry.h>

#include <cstdarg>
#include <cstdio>

#include "base/lazy_lib.h"

namespace {
constexpr const char* kLib = "libarchive.so.13";
}

using E = struct archive_entry;
using A = struct archive;

BALE_LAZY(kLib, E*, archive_entry_new, (void), ())
BALE_LAZY(kLib, void, archive_entry_free, (E* e), (e))
BALE_LAZY(kLib, mode_t, archive_entry_filetype, (E* e), (e))
BALE_LAZY(kLib, la_int64_t, archive_entry_gid, (E* e), (e))
BALE_LAZY(kLib, la_int64_t, archive_entry_uid, (E* e), (e))
BALE_LAZY(kLib, const char*, archive_entry_hardlink, (E* e), (e))
BALE_LAZY(kLib, const char*, archive_entry_pathname, (E* e), (e))
BALE_LAZY(kLib, const char*, archive_entry_symlink, (E* e), (e))
BALE_LAZY(kLib, mode_t, archive_entry_mode, (E* e), (e))
BALE_LAZY(kLib, time_t, archive_entry_mtime, (E* e), (e))
BALE_LAZY(kLib, dev_t, archive_entry_rdevmajor, (E* e), (e))
BALE_LAZY(kLib, dev_t, archive_entry_rdevminor, (E* e), (e))
BALE_LAZY(kLib, la_int64_t, archive_entry_size, (E* e), (e))
BALE_LAZY(kLib, void, archive_entry_set_filetype, (E* e, unsigned int t), (e, t))
BALE_LAZY(kLib, void, archive_entry_set_gid, (E* e, la_int64_t v), (e, v))
BALE_LAZY(kLib, void, archive_entry_set_uid, (E* e, la_int64_t v), (e, v))
BALE_LAZY(kLib, void, archive_entry_set_hardlink, (E* e, const char* s), (e, s))
BALE_LAZY(kLib, void, archive_entry_set_pathname, (E* e, const char* s), (e, s))
BALE_LAZY(kLib, void, archive_entry_set_symlink, (E* e, const char* s), (e, s))
BALE_LAZY(kLib, void, archive_entry_set_mode, (E* e, mode_t m), (e, m))
BALE_LAZY(kLib, void, archive_entry_set_perm, (E* e, mode_t m), (e, m))
BALE_LAZY(kLib, void, archive_entry_set_mtime, (E* e, time_t t, long ns), (e, t, ns))
BALE_LAZY(kLib, void, archive_entry_set_rdevmajor, (E* e, dev_t d), (e, d))
BALE_LAZY(kLib, void, archive_entry_set_rdevminor, (E* e, dev_t d), (e, d))
BALE_LAZY(kLib, void, archive_entry_set_size, (E* e, la_int64_t s), (e, s))
BALE_LAZY(kLib, void, archive_entry_xattr_add_entry,
          (E* e, const char* n, const void* v, size_t s), (e, n, v, s))
BALE_LAZY(kLib, int, archive_entry_xattr_next, (E* e, const char** n, const void** v, size_t* s),
          (e, n, v, s))
BALE_LAZY(kLib, int, archive_entry_xattr_reset, (E* e), (e))
BALE_LAZY(kLib, int, archive_errno, (A* a), (a))
BALE_LAZY(kLib, const char*, archive_error_string, (A* a), (a))
BALE_LAZY(kLib, la_ssize_t, archive_read_data, (A* a, void* b, size_t n), (a, b, n))
BALE_LAZY(kLib, int, archive_read_data_block, (A* a, const void** b, size_t* n, la_int64_t* o),
          (a, b, n, o))
BALE_LAZY(kLib, int, archive_read_free, (A* a), (a))
BALE_LAZY(kLib, A*, archive_read_new, (void), ())
BALE_LAZY(kLib, int, archive_read_next_header, (A* a, E** e), (a, e))
BALE_LAZY(kLib, int, archive_read_open,
          (A* a, void* d, archive_open_callback* o, archive_read_callback* r,
           archive_close_callback* c),
          (a, d, o, r, c))
BALE_LAZY(kLib, int, archive_read_support_filter_all, (A* a), (a))
BALE_LAZY(kLib, int, archive_read_support_format_gnutar, (A* a), (a))
BALE_LAZY(kLib, int, archive_read_support_format_raw, (A* a), (a))
BALE_LAZY(kLib, int, archive_read_support_format_tar, (A* a), (a))
BALE_LAZY(kLib, int, archive_write_close, (A* a), (a))
BALE_LAZY(kLib, int, archive_write_finish_entry, (A* a), (a))
BALE_LAZY(kLib, la_ssize_t, archive_write_data, (A* a, const void* b, size_t n), (a, b, n))
BALE_LAZY(kLib, int, archive_write_free, (A* a), (a))
BALE_LAZY(kLib, int, archive_write_header, (A* a, E* e), (a, e))
BALE_LAZY(kLib, A*, archive_write_new, (void), ())
BALE_LAZY(kLib, int, archive_write_open,
          (A* a, void* d, archive_open_callback* o, archive_write_callback* w,
           archive_close_callback* c),
          (a, d, o, w, c))
BALE_LAZY(kLib, int, archive_write_open_fd, (A* a, int fd), (a, fd))
BALE_LAZY(kLib, int, archive_write_set_bytes_per_block, (A* a, int n), (a, n))
BALE_LAZY(kLib, int, archive_write_set_format_option,
          (A* a, const char* m, const char* o, const char* v), (a, m, o, v))
BALE_LAZY(kLib, int, archive_write_set_format_pax_restricted, (A* a), (a))

// Variadic: format here, hand libarchive the finished text.
void archive_set_error(A* a, int err, const char* fmt, ...) {
  static auto* real =
      reinterpret_cast<decltype(&archive_set_error)>(bale::lazy_symbol(kLib, "archive_set_error"));
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  real(a, err, "%s", buf);
}
