#include <core/boot.hpp>
#include <core/cmdline.hpp>

#include <lib/string.hpp>

namespace lwk::cmdline {
namespace {

char copy[MK_CMDLINE_LEN];
bool parsed = false;

// Splits the copy into NUL-separated "key\0value\0" pairs once.
void parse()
{
    if (parsed)
        return;
    parsed = true;
    size_t n = strnlen(boot::params->cmdline, MK_CMDLINE_LEN - 1);
    memcpy(copy, boot::params->cmdline, n);
    copy[n] = '\0';
    for (size_t i = 0; i < n; ++i)
        if (copy[i] == ' ' || copy[i] == '\t' || copy[i] == '=')
            copy[i] = '\0';
}

} // namespace

const char* get(const char* key)
{
    parse();
    const char* raw = boot::params->cmdline;
    size_t n = strnlen(raw, MK_CMDLINE_LEN - 1);
    for (size_t i = 0; i < n;) {
        while (i < n && (raw[i] == ' ' || raw[i] == '\t'))
            ++i;
        size_t start = i;
        while (i < n && raw[i] != ' ' && raw[i] != '\t' && raw[i] != '=')
            ++i;
        bool match = strcmp(copy + start, key) == 0;
        const char* value = "";
        if (i < n && raw[i] == '=') {
            value = copy + i + 1;
            while (i < n && raw[i] != ' ' && raw[i] != '\t')
                ++i;
        }
        if (match)
            return value;
    }
    return nullptr;
}

bool has(const char* key, const char* value)
{
    const char* v = get(key);
    return v && strcmp(v, value) == 0;
}

} // namespace lwk::cmdline
