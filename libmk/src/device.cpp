#include <mk/device.hpp>
#include <mk/error.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace mk {

Device::Device(const std::string& path)
{
    fd_ = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd_ < 0) {
        int e = errno;
        if (e == ENOENT)
            throw Error(path + " does not exist: load the module first (insmod mk.ko)", e);
        if (e == EACCES || e == EPERM)
            throw Error("cannot open " + path + ": permission denied (mk needs root)", e);
        throw Error("cannot open " + path + ": " + std::strerror(e), e);
    }
}

Device::~Device()
{
    ::close(fd_);
}

mk_version Device::version() const
{
    mk_version v{};
    v.size = sizeof(v);
    if (::ioctl(fd_, MK_IOC_VERSION, &v) < 0)
        throw Error(std::string("cannot query the module's version: ") + std::strerror(errno), errno);
    if (v.abi_major != MK_ABI_MAJOR)
        throw Error("mk.ko speaks ABI " + std::to_string(v.abi_major) + "." +
                    std::to_string(v.abi_minor) + " but these tools speak " +
                    std::to_string(MK_ABI_MAJOR) + "." + std::to_string(MK_ABI_MINOR) +
                    ": load the mk.ko built with them");
    return v;
}

} // namespace mk
