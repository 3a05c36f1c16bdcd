#include <mknoise/detour.hpp>

#include <algorithm>

namespace mk::noise {

uint64_t min_gap(std::span<const uint64_t> timestamps)
{
    if (timestamps.size() < 2)
        return 0;
    uint64_t best = UINT64_MAX;
    for (size_t i = 1; i < timestamps.size(); ++i)
        best = std::min(best, timestamps[i] - timestamps[i - 1]);
    return best;
}

std::vector<uint64_t> DetourRecorder::lengths() const
{
    std::vector<uint64_t> l;
    l.reserve(n_kept_);
    for (const Detour& d : detours())
        l.push_back(d.length);
    return l;
}

DetourRecorder find_detours(std::span<const uint64_t> timestamps, uint64_t threshold)
{
    DetourRecorder rec(timestamps.empty() ? 0 : timestamps.front(), threshold, timestamps.size());
    for (size_t i = 1; i < timestamps.size(); ++i)
        rec.observe(timestamps[i - 1], timestamps[i]);
    return rec;
}

} // namespace mk::noise
