import ArgumentParser
import Bootstrap
import Foundation
import GuestSecrets
import Logging
import Observe
import Reconcile
import Spec
import Store
import VCDClient
import VCDSim

/// Memory over many passes: the reconcile loop (as `cse run` runs it) over N Ready clusters on the in-process
/// simulator, printing the resident memory after each pass. A steady service keeps it flat.
struct BenchSoakCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "soak", abstract: "Resident memory per reconcile pass over N Ready clusters.")

    @Option(help: "Ready clusters.")
    var clusters = 1000

    @Option(help: "Passes.")
    var passes = 50

    @Option(help: "Worker nodes per cluster.")
    var nodes = 2

    func run() async throws {
        var logger = Logger(label: "cse.bench")
        logger.logLevel = .error
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cse-soak-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try DesiredStateStore(path: (directory as NSString).appendingPathComponent("store.sqlite"))
        let fleet = try ReadyFleet.seed(store: store, clusters: clusters, nodes: nodes)
        let simulator = try Simulator()
        await simulator.seedReadyCloud(installation: try store.installationID(), cloudInit: fleet.template.os.hasCloudInit, template: fleet.template.name, revision: fleet.revision, specHash: fleet.templateHash,
                                       item: Naming.templateItem(fleet.template.catalogItem, revision: fleet.revision), clusters: fleet.clusters,
                                       masterSize: (fleet.template.master.cpu, fleet.template.master.memoryMB),
                                       nodeSize: (fleet.template.node.cpu, fleet.template.node.memoryMB))
        let server = try await SimServer.start(simulator, logger: logger)
        let session = VCDSession(baseURL: server.baseURL, credentials: EmbeddedVCD.administrator, logger: logger)
        try await session.connect()
        let observer = Observer(session: session, logger: logger)
        let keys = try await InstallationKeys.load(directory: InstallationKeys.directory(forStore: store.path))
        let runner = ActionRunner(vcd: session, scripts: BootstrapScripts(sealingKey: GuestContract.SealingKey(keys.current)), guestSecrets: keys,
                                  pollInterval: .milliseconds(50), logger: logger)
        let reconciler = Reconciler(store: store, observer: observer, runner: runner, logger: logger)
        print("soak: \(clusters) Ready clusters of 1 master + \(nodes) nodes, \(passes) passes (resident memory after each)")
        print("pass  time ms  status writes  actions  ready  RSS MB")
        var rss: [Int: Double] = [:]
        for index in 1...passes {
            let started = ContinuousClock.now
            let report = try await reconciler.pass()
            let elapsed = ContinuousClock.now - started
            let ready = report.plan.assessments.values.filter { $0.phase == .ready }.count
            rss[index] = ResidentMemory.megabytes
            print(String(format: "%4d  %7.0f  %13d  %7d  %5d  %6.1f", index, elapsed.milliseconds, report.statusWrites, report.started.count,
                         ready, rss[index] ?? 0))
        }
        await reconciler.drain()
        if passes >= 5, let first = rss[5], let last = rss[passes] {
            print(String(format: "RSS after pass %d / after pass 5: %.1f / %.1f MB = %.3f", passes, last, first, last / first))
        }
        await session.logout()
        await server.stop()
    }
}

/// A template and N clusters of it written to a store, as `cse apply` would, for benchmarks over a Ready fleet.
struct ReadyFleet {
    var template: TemplateSpec
    var templateHash: String
    var revision: Int
    var clusters: [Simulator.ReadyCluster]

    static func seed(store: DesiredStateStore, clusters count: Int, nodes: Int) throws -> ReadyFleet {
        let template = try BenchPlanCommand.template().spec
        return try store.transaction { transaction in
            let (stored, _) = try transaction.put(.template(template), owner: .admin)
            var clusters: [Simulator.ReadyCluster] = []
            clusters.reserveCapacity(count)
            for index in 0..<count {
                let spec = ClusterSpec(name: "bench\(index)", org: "org1", vdc: "org1-vdc", template: template.name, network: "intranet",
                                       nodes: NodePool(count: nodes))
                let (cluster, _) = try transaction.put(.cluster(spec), owner: .admin)
                clusters.append(Simulator.ReadyCluster(uid: cluster.uid, name: spec.name, nodes: nodes))
            }
            return ReadyFleet(template: template, templateHash: stored.specHash, revision: stored.generation, clusters: clusters)
        }
    }
}

/// This process's resident memory now (Linux: /proc/self/statm).
enum ResidentMemory {
    static var megabytes: Double {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Double(fields[1]) else { return 0 }
        return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
    }
}
