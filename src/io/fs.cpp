// The blocking halves of fs::read_file and fs::write_file
// (include/pollen/io/fs.hpp). They run on a blocking-pool thread; every
// failure is returned as the errno of the call that failed, and the fd is
// closed on every path.
#include <pollen/io/fs.hpp>

#include <cerrno>
#include <cstddef>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

POLLEN_NAMESPACE_BEGIN
namespace fs {
namespace detail {
namespace {

std::error_code last_error() { return std::error_code(errno, std::generic_category()); }

// Closes the fd when the function returns, whatever the path.
class FdCloser {
 public:
  explicit FdCloser(int fd) noexcept : fd_(fd) {}
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  // Closes now and reports close()'s error (writes can fail there).
  int close_now() noexcept {
    int fd = fd_;
    fd_ = -1;
    return ::close(fd);
  }

 private:
  int fd_;
};

}  // namespace

Result<std::string> read_file_blocking(const std::string& path) {
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return err(last_error());
  FdCloser closer(fd);
  struct stat st;
  if (::fstat(fd, &st) != 0) return err(last_error());
  if (S_ISDIR(st.st_mode)) return err(std::error_code(EISDIR, std::generic_category()));
  // A regular file's size is known: one read fills it and one more sees
  // the end. Other files (/proc, pipes) say 0 and grow as they are read.
  std::size_t size = S_ISREG(st.st_mode) && st.st_size > 0 ? static_cast<std::size_t>(st.st_size) + 1
                                                            : std::size_t{4096};
  std::string out(size, '\0');
  std::size_t len = 0;
  for (;;) {
    if (len == out.size()) out.resize(out.size() * 2);
    ssize_t n = ::read(fd, &out[len], out.size() - len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return err(last_error());
    }
    if (n == 0) break;
    len += static_cast<std::size_t>(n);
  }
  out.resize(len);
  return ok(std::move(out));
}

Result<Unit> write_file_blocking(const std::string& path, const std::string& data) {
  int fd;
  do {
    fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return err(last_error());
  FdCloser closer(fd);
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return err(last_error());
    }
    done += static_cast<std::size_t>(n);  // a short write: write the rest
  }
  // close() is where some file systems (NFS) report a failed write.
  if (closer.close_now() != 0 && errno != EINTR) return err(last_error());
  return ok();
}

}  // namespace detail
}  // namespace fs
POLLEN_NAMESPACE_END
