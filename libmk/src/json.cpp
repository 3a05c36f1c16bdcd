#include <mk/error.hpp>
#include <mk/json.hpp>

#include <cmath>
#include <cstdio>
#include <string>

namespace mk {

JsonWriter::~JsonWriter()
{
    if (stack_.empty())
        out_ << "\n";
}

std::string JsonWriter::escape(std::string_view s)
{
    std::string r;
    r.reserve(s.size() + 2);
    for (unsigned char c : s) {
        switch (c) {
        case '"': r += "\\\""; break;
        case '\\': r += "\\\\"; break;
        case '\n': r += "\\n"; break;
        case '\t': r += "\\t"; break;
        case '\r': r += "\\r"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                r += buf;
            } else {
                r += static_cast<char>(c);
            }
        }
    }
    return r;
}

void JsonWriter::newline()
{
    out_ << "\n" << std::string(2 * stack_.size(), ' ');
}

void JsonWriter::before_value()
{
    if (after_key_) {
        after_key_ = false;
        return;
    }
    if (stack_.empty())
        return;
    if (stack_.back().is_object)
        throw Error("JsonWriter: a value inside an object needs a key");
    if (!stack_.back().empty)
        out_ << ",";
    stack_.back().empty = false;
    newline();
}

JsonWriter& JsonWriter::key(std::string_view k)
{
    if (stack_.empty() || !stack_.back().is_object || after_key_)
        throw Error("JsonWriter: a key outside an object");
    if (!stack_.back().empty)
        out_ << ",";
    stack_.back().empty = false;
    newline();
    out_ << '"' << escape(k) << "\": ";
    after_key_ = true;
    return *this;
}

JsonWriter& JsonWriter::begin_object()
{
    before_value();
    out_ << "{";
    stack_.push_back({true, true});
    return *this;
}

JsonWriter& JsonWriter::close(char bracket)
{
    bool empty = stack_.back().empty;
    stack_.pop_back();
    if (!empty)
        newline();
    out_ << bracket;
    return *this;
}

JsonWriter& JsonWriter::end_object()
{
    if (stack_.empty() || !stack_.back().is_object || after_key_)
        throw Error("JsonWriter: end_object without its object");
    return close('}');
}

JsonWriter& JsonWriter::begin_array()
{
    before_value();
    out_ << "[";
    stack_.push_back({false, true});
    return *this;
}

JsonWriter& JsonWriter::end_array()
{
    if (stack_.empty() || stack_.back().is_object)
        throw Error("JsonWriter: end_array without its array");
    return close(']');
}

JsonWriter& JsonWriter::value(std::string_view s)
{
    before_value();
    out_ << '"' << escape(s) << '"';
    return *this;
}

JsonWriter& JsonWriter::value(bool b)
{
    before_value();
    out_ << (b ? "true" : "false");
    return *this;
}

JsonWriter& JsonWriter::value(int64_t v)
{
    before_value();
    out_ << v;
    return *this;
}

JsonWriter& JsonWriter::value(uint64_t v)
{
    before_value();
    out_ << v;
    return *this;
}

JsonWriter& JsonWriter::value(double v)
{
    before_value();
    if (!std::isfinite(v)) {
        out_ << "null";
    } else {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.17g", v);
        out_ << buf;
    }
    return *this;
}

JsonWriter& JsonWriter::null()
{
    before_value();
    out_ << "null";
    return *this;
}

} // namespace mk
