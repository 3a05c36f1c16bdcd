// A growable array on the kernel heap, for small trivially copyable types.
// No exceptions: growth reports failure instead.
#pragma once

#include <mm/heap.hpp>

#include <cstddef>
#include <type_traits>

namespace lwk {

template <typename T> class Vector {
    static_assert(std::is_trivially_copyable_v<T>);

public:
    Vector() = default;
    Vector(const Vector&) = delete;
    Vector& operator=(const Vector&) = delete;
    ~Vector() { mm::kfree(data_); }

    size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    T& operator[](size_t i) { return data_[i]; }
    const T& operator[](size_t i) const { return data_[i]; }
    T* begin() { return data_; }
    T* end() { return data_ + size_; }
    const T* begin() const { return data_; }
    const T* end() const { return data_ + size_; }

    [[nodiscard]] bool insert(size_t at, const T& v)
    {
        if (size_ == cap_ && !grow())
            return false;
        __builtin_memmove(data_ + at + 1, data_ + at, (size_ - at) * sizeof(T));
        data_[at] = v;
        ++size_;
        return true;
    }
    [[nodiscard]] bool push_back(const T& v) { return insert(size_, v); }
    void erase(size_t at)
    {
        __builtin_memmove(data_ + at, data_ + at + 1, (size_ - at - 1) * sizeof(T));
        --size_;
    }
    void clear() { size_ = 0; }

private:
    bool grow()
    {
        size_t cap = cap_ ? cap_ * 2 : 8;
        T* d = static_cast<T*>(mm::kmalloc(cap * sizeof(T)));
        if (!d)
            return false;
        if (data_)
            __builtin_memcpy(d, data_, size_ * sizeof(T));
        mm::kfree(data_);
        data_ = d;
        cap_ = cap;
        return true;
    }

    T* data_ = nullptr;
    size_t size_ = 0;
    size_t cap_ = 0;
};

} // namespace lwk
