import CCurl
import CRabbitMQ
import Testing

/// The system libraries link and are the versions the project is written against.
@Suite struct SystemLibraryTests {
    @Test func rabbitmqIsVersion0_11() {
        let version = String(cString: amqp_version())
        #expect(version.hasPrefix("0.11."), "rabbitmq-c \(version)")
    }

    @Test func curlSetoptShimAcceptsOptions() {
        let handle = curl_easy_init()!
        defer { curl_easy_cleanup(handle) }
        #expect(cse_curl_setopt_string(handle, CURLOPT_URL, "http://127.0.0.1:1/") == CURLE_OK)
        #expect(cse_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, 500) == CURLE_OK)
        // Nothing listens on port 1: libcurl reports a refused connection.
        #expect(curl_easy_perform(handle) == CURLE_COULDNT_CONNECT)
    }
}
