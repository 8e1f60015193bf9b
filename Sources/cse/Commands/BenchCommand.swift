import ArgumentParser
import Foundation

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks that print figures (./cse bench ... runs the release build).",
        subcommands: [BenchPlanCommand.self, BenchObserveCommand.self, BenchAMQPCommand.self, BenchUploadCommand.self, BenchSoakCommand.self, BenchConvergeCommand.self,
                      BenchReplicasCommand.self, BenchReplicaServeCommand.self, BenchLeaseHolderCommand.self, BenchStoreCommand.self]
    )
}

/// Peak resident memory of this process so far.
enum PeakMemory {
    static var megabytes: Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024 // Linux reports kilobytes
    }
}

extension Duration {
    var milliseconds: Double { Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15 }
}
