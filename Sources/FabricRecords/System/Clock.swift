import Glibc

/// Wall-clock time as seconds since the epoch, with sub-second precision.
public func now() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

/// Monotonic seconds, for deadlines and back-off that must not jump with the wall clock.
public func monotonicNow() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

public func sleep(seconds: Double) {
    guard seconds > 0 else { return }
    var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0 && errno == EINTR && !Interruption.requested {
        request = remaining
    }
}

/// A UTC time in a strftime format; by default RFC 3339 with seconds, as OpenStack writes it:
/// 2026-11-22T15:30:00Z.
public func timestamp(_ seconds: Double = now(), format: String = "%Y-%m-%dT%H:%M:%SZ") -> String {
    var time = time_t(seconds)
    var parts = tm()
    gmtime_r(&time, &parts)
    var text = [CChar](repeating: 0, count: 64)
    strftime(&text, text.count, format, &parts)
    return String(cString: text)
}

/// A duration as messages give it: "600 s", "1.5 s".
public func formatSeconds(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
}
