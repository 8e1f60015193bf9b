import Foundation
import Testing
import AMQPTransport
import ExtensionService
import Store

@Suite struct AMQPBenchmarkSmokeTests {
    /// The benchmark runs end to end on a small count: every tenant request answered 202 and every echo returned, in
    /// alternating rounds that add up to the requests asked for.
    @Test(.enabled(if: AMQPTestBroker.url != nil, "CSE_TEST_AMQP_URL is not set: no broker to test against"))
    func benchmarkRunsAndReportsBothPaths() async throws {
        let report = try await AMQPBenchmark.run(url: try #require(AMQPTestBroker.url), requests: 200, window: 8, rounds: 3)
        print(report)
        #expect(report.serviceRounds.map(\.requests) == [66, 67, 67] && report.echoRounds.map(\.requests) == [66, 67, 67])
        #expect(report.roundRatios.count == 3 && report.roundRatios.allSatisfy { $0 > 0 })
        #expect(report.description.contains("ratio per round (3 alternating rounds)"))
        #expect(report.service.requests == 200 && report.service.failures == 0)
        #expect(report.rawEcho.requests == 200 && report.rawEcho.failures == 0)
        #expect(report.service.latencies.count == 200 && report.rawEcho.latencies.count == 200)
        #expect(report.ratio > 0)
        // Durable: FULL read back from the store's writer connection, and the requests' writes shared commits.
        #expect(report.synchronous == .full)
        #expect(report.description.contains("synchronous=FULL"))
        #expect(report.commits.pieces >= 400 && report.commits.commits <= report.commits.pieces)
        #expect(!report.description.contains("guest:guest"))
    }
}
