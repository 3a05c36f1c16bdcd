// Errors as values: Result<T> holds a T or an error number; TRY(expr)
// returns the error from the enclosing function or yields the value.
#pragma once

#include <lib/errno.hpp>

#include <new>
#include <type_traits>
#include <utility>

namespace lwk {

struct Error {
    int code; // a positive errno
    constexpr explicit Error(int c) : code(c) {}
    constexpr Error(Errno e) : code(static_cast<int>(e)) {}
};

template <typename T> class [[nodiscard]] Result {
public:
    Result(const T& value) : ok_(true) { new (&storage_) T(value); }
    Result(T&& value) : ok_(true) { new (&storage_) T(std::move(value)); }
    Result(Error e) : ok_(false), error_(e.code) {}
    Result(Errno e) : ok_(false), error_(static_cast<int>(e)) {}
    Result(const Result& o) : ok_(o.ok_), error_(o.error_)
    {
        if (ok_)
            new (&storage_) T(o.value());
    }
    Result(Result&& o) : ok_(o.ok_), error_(o.error_)
    {
        if (ok_)
            new (&storage_) T(std::move(o.value()));
    }
    Result& operator=(const Result& o)
    {
        if (this != &o) {
            this->~Result();
            new (this) Result(o);
        }
        return *this;
    }
    Result& operator=(Result&& o)
    {
        if (this != &o) {
            this->~Result();
            new (this) Result(std::move(o));
        }
        return *this;
    }
    ~Result()
    {
        if (ok_)
            value().~T();
    }

    bool is_error() const { return !ok_; }
    explicit operator bool() const { return ok_; }
    Error error() const { return Error(error_); }
    T& value() { return *std::launder(reinterpret_cast<T*>(&storage_)); }
    const T& value() const { return *std::launder(reinterpret_cast<const T*>(&storage_)); }
    T release_value() { return std::move(value()); }
    T value_or(T fallback) const { return ok_ ? value() : fallback; }

private:
    bool ok_;
    int error_ = 0;
    alignas(T) unsigned char storage_[sizeof(T)];
};

template <> class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error e) : error_(e.code) {}
    Result(Errno e) : error_(static_cast<int>(e)) {}
    bool is_error() const { return error_ != 0; }
    explicit operator bool() const { return error_ == 0; }
    Error error() const { return Error(error_); }
    void release_value() {}

private:
    int error_ = 0;
};

} // namespace lwk

// Evaluates a Result-returning expression; returns its error from the
// enclosing function, or yields its value.
#define TRY(expr)                                                                                  \
    ({                                                                                             \
        auto _try_result = (expr);                                                                 \
        if (_try_result.is_error())                                                                \
            return _try_result.error();                                                            \
        _try_result.release_value();                                                               \
    })
