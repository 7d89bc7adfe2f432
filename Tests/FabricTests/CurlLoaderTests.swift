import CCurl
import Foundation
import Testing

/// libcurl is opened on first use (Sources/CCurl/loader.c), so tools that never speak HTTP start
/// without loading it and its libraries; calls through the loader must behave as libcurl's own.
@Suite struct CurlLoaderTests {
    @Test func toolsDoNotLoadLibcurlAtStartUp() throws {
        let tool = Harness.binDirectory.appendingPathComponent("fabric-store").path
        let h = Harness()
        let result = h.run("/usr/bin/env", ["LD_DEBUG=libs", tool, "--version"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("fabric 0."), "\(result.stdout)")
        #expect(result.stderr.contains("libsqlite3"), "LD_DEBUG shows the libraries a process loads: \(result.stderr)")
        #expect(!result.stderr.contains("libcurl"), "\(result.stderr)")
    }

    @Test func requestsGoThroughTheLoadedLibrary() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("curl-loader-\(UUID().uuidString)")
        try Data("fabric\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }

        #expect(curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK)
        #expect(fabric_curl_load_error() == nil)
        let handle = try #require(curl_easy_init())
        defer { curl_easy_cleanup(handle) }
        final class Sink { var bytes: [UInt8] = [] }
        let sink = Sink()
        let headers = curl_slist_append(nil, "X-Fabric: test")
        defer { curl_slist_free_all(headers) }
        #expect(fabric_curl_set_string(handle, CURLOPT_URL, file.absoluteString) == CURLE_OK)
        #expect(fabric_curl_set_long(handle, CURLOPT_TIMEOUT_MS, 5000) == CURLE_OK)
        #expect(fabric_curl_set_slist(handle, CURLOPT_HTTPHEADER, headers) == CURLE_OK)
        #expect(fabric_curl_set_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(sink).toOpaque()) == CURLE_OK)
        #expect(fabric_curl_set_write(handle) { data, size, count, context in
            let sink = Unmanaged<Sink>.fromOpaque(context!).takeUnretainedValue()
            sink.bytes += UnsafeRawBufferPointer(start: data, count: size * count)
            return size * count
        } == CURLE_OK)
        #expect(curl_easy_perform(handle) == CURLE_OK)
        #expect(String(decoding: sink.bytes, as: UTF8.self) == "fabric\n")
        var downloaded = 0.0
        #expect(fabric_curl_get_double(handle, CURLINFO_SIZE_DOWNLOAD, &downloaded) == CURLE_OK)
        #expect(downloaded == 7)
        #expect(String(cString: curl_easy_strerror(CURLE_COULDNT_CONNECT)).contains("connect"))
    }
}
