// A small streaming JSON writer for mk's --json outputs: one key per line,
// two-space indentation, so that scripts (and grep) can read it.
#pragma once

#include <cstdint>
#include <ostream>
#include <string_view>
#include <vector>

namespace mk {

class JsonWriter {
public:
    explicit JsonWriter(std::ostream& out) : out_(out) { }
    ~JsonWriter();

    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    // The next value's key; only inside an object.
    JsonWriter& key(std::string_view k);

    JsonWriter& value(std::string_view s);
    JsonWriter& value(const char* s) { return value(std::string_view(s)); }
    JsonWriter& value(bool b);
    JsonWriter& value(int64_t v);
    JsonWriter& value(uint64_t v);
    JsonWriter& value(int v) { return value(static_cast<int64_t>(v)); }
    JsonWriter& value(unsigned v) { return value(static_cast<uint64_t>(v)); }
    JsonWriter& value(double v);
    JsonWriter& null();

    // Shorthands for key(k).value(v).
    template <typename T> JsonWriter& field(std::string_view k, const T& v)
    {
        return key(k).value(v);
    }

    static std::string escape(std::string_view s);

private:
    void before_value();
    void newline();
    JsonWriter& close(char bracket);

    std::ostream& out_;
    struct Level {
        bool is_object;
        bool empty;
    };
    std::vector<Level> stack_;
    bool after_key_ = false;
};

} // namespace mk
