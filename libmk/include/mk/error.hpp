// The error type of the user-space library: a message meant for the user.
#pragma once

#include <stdexcept>
#include <string>

namespace mk {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& what, int errnum = 0)
        : std::runtime_error(what), errnum_(errnum)
    {
    }
    // The errno behind the error, 0 when it was not a system call's.
    int errnum() const { return errnum_; }

private:
    int errnum_;
};

} // namespace mk
