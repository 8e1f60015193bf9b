import ArgumentParser
import Foundation
import Logging
import Observe
import VCDClient
import VCDSim

/// What one observation costs in vCD calls, counted by the simulator, for clouds of 1, 100 and 1,000 clusters
/// of 3 VMs (cse's own objects, all converged) beside as many foreign vApps.
struct BenchObserveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "observe", abstract: "Count vCD calls per observation on the simulator.")

    @Option(help: "Cluster counts to measure, comma separated.")
    var clusters = "1,100,1000"

    func run() async throws {
        var logger = Logger(label: "cse.bench")
        logger.logLevel = .error
        print("observation cost (calls to vCD, counted by the simulator); clusters of 3 VMs, as many foreign vApps")
        print("clusters  VMs    calls  query calls  other calls  time")
        for count in clusters.split(separator: ",").compactMap({ Int($0) }) {
            let simulator = try Simulator()
            await simulator.seedBenchmarkCloud(clusters: count, vmsPerCluster: 3, foreignVApps: count)
            let server = try await SimServer.start(simulator, logger: logger)
            let session = VCDSession(baseURL: server.baseURL, credentials: EmbeddedVCD.administrator, logger: logger)
            try await session.connect()
            let observer = Observer(session: session, logger: logger)
            _ = await simulator.takeCounters()
            let started = ContinuousClock.now
            let snapshot = try await observer.observe()
            let elapsed = ContinuousClock.now - started
            let counters = await simulator.takeCounters()
            let queries = counters.filter { $0.key.hasPrefix("GET /api/query") }.values.reduce(0, +)
            let total = counters["total"] ?? 0
            guard snapshot.clusters.count == count else { throw ValidationError("observed \(snapshot.clusters.count) clusters, seeded \(count)") }
            print(String(format: "%8d  %5d  %5d  %11d  %11d  %.0f ms", count, count * 3, total, queries, total - queries, elapsed.milliseconds))
            await session.logout()
            await server.stop()
        }
    }
}
