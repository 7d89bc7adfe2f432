import FabricRecords
import Glibc

/// Connects to many machines' TCP ports at once, from the host fabric runs on: the `port:N` and
/// `mysql` stages of a wait. Every socket is non-blocking and one poll() serves them all, so a
/// round over 100 machines takes at most `timeout`, not 100 of them. Addresses must be numeric
/// (a machine's address as the cloud reports it): no name is ever looked up.
public struct TCPProbe {
    public struct Target: Sendable {
        public var id: String
        public var address: String
        public var port: Int

        public init(id: String, address: String, port: Int) {
            self.id = id
            self.address = address
            self.port = port
        }
    }

    public enum Outcome: Equatable, Sendable {
        /// Connected; `greeting` holds what the server sent first when one was awaited.
        case open(greeting: [UInt8])
        /// Not (yet) answering, and why: refused, timed out, unreachable, closed before greeting.
        case closed(String)
    }

    /// How long one round may take, connecting and reading the greeting.
    public var timeout: Double
    /// What the server says first, for protocols where it speaks first (MySQL's handshake):
    /// nil waits for nothing after the connect.
    public var greeting: GreetingFrame?

    /// How much of a greeting to read: a length-prefixed frame, read until complete.
    public struct GreetingFrame: Sendable {
        /// The frame's length from its first bytes, once they are there (nil: not enough yet).
        public var length: @Sendable ([UInt8]) -> Int?
        /// The most read, whatever the frame says: a greeting is untrusted input.
        public var limit: Int

        public init(limit: Int, length: @escaping @Sendable ([UInt8]) -> Int?) {
            self.limit = limit
            self.length = length
        }
    }

    public init(timeout: Double, greeting: GreetingFrame? = nil) {
        self.timeout = timeout
        self.greeting = greeting
    }

    private enum Phase { case connecting, reading, done }

    private struct Probe {
        let target: Target
        var socket: Int32 = -1
        var phase = Phase.connecting
        var received: [UInt8] = []
        var outcome: Outcome?
    }

    /// One round: every target's outcome, by id.
    public func probe(_ targets: [Target]) -> [String: Outcome] {
        var probes = targets.map { Probe(target: $0) }
        for index in probes.indices { start(&probes[index]) }
        let deadline = monotonicNow() + timeout
        while probes.contains(where: { $0.phase != .done }) {
            let left = deadline - monotonicNow()
            if left <= 0 || Interruption.requested { break }
            let waiting = probes.indices.filter { probes[$0].phase != .done }
            var fds = waiting.map { pollfd(fd: probes[$0].socket, events: Int16(probes[$0].phase == .connecting ? POLLOUT : POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), Int32(min(left, 0.25) * 1000) + 1)
            if ready < 0 && errno != EINTR { break }
            for (slot, index) in waiting.enumerated() where fds[slot].revents != 0 {
                advance(&probes[index])
            }
        }
        var outcomes: [String: Outcome] = [:]
        for probe in probes {
            if probe.socket >= 0 { close(probe.socket) }
            outcomes[probe.target.id] = probe.outcome
                ?? .closed(probe.phase == .connecting ? "no answer within \(formatTimeout())" : "connected, but no greeting within \(formatTimeout())")
        }
        return outcomes
    }

    private func formatTimeout() -> String {
        timeout == timeout.rounded() ? "\(Int(timeout)) s" : "\(timeout) s"
    }

    private func start(_ probe: inout Probe) {
        var hints = addrinfo()
        hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard (1...65535).contains(probe.target.port),
              getaddrinfo(probe.target.address, String(probe.target.port), &hints, &list) == 0, let info = list else {
            finish(&probe, .closed("\(quoted(probe.target.address)) is not an IP address"))
            return
        }
        defer { freeaddrinfo(list) }
        let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            finish(&probe, .closed("cannot open a socket: \(String(cString: strerror(errno)))"))
            return
        }
        probe.socket = fd
        if connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 {
            connected(&probe)
        } else if errno != EINPROGRESS {
            finish(&probe, .closed(String(cString: strerror(errno))))
        }
    }

    private func advance(_ probe: inout Probe) {
        switch probe.phase {
        case .connecting:
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(probe.socket, SOL_SOCKET, SO_ERROR, &error, &length)
            if error != 0 { finish(&probe, .closed(String(cString: strerror(error)))) } else { connected(&probe) }
        case .reading:
            read(&probe)
        case .done:
            break
        }
    }

    private func connected(_ probe: inout Probe) {
        if greeting == nil { finish(&probe, .open(greeting: [])) } else { probe.phase = .reading }
    }

    private func read(_ probe: inout Probe) {
        guard let greeting else { return }
        var buffer = [UInt8](repeating: 0, count: max(1, greeting.limit - probe.received.count))
        let count = recv(probe.socket, &buffer, buffer.count, 0)
        if count < 0 {
            if errno == EAGAIN || errno == EINTR { return }
            finish(&probe, .closed("connected, then \(String(cString: strerror(errno)))"))
            return
        }
        probe.received += buffer.prefix(count)
        if let length = greeting.length(probe.received), probe.received.count >= min(length, greeting.limit) {
            finish(&probe, .open(greeting: Array(probe.received.prefix(min(length, greeting.limit)))))
        } else if count == 0 {
            finish(&probe, .closed("connected, then closed before the server's greeting"))
        } else if probe.received.count >= greeting.limit {
            finish(&probe, .open(greeting: probe.received))
        }
    }

    private func finish(_ probe: inout Probe, _ outcome: Outcome) {
        probe.outcome = outcome
        probe.phase = .done
    }
}
