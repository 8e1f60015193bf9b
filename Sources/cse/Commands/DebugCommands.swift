import ArgumentParser
import Foundation
import Spec
import Store

/// Tools for cse's own tests, hidden from help.
struct DebugCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "debug",
        abstract: "Internal tools used by cse's tests.",
        shouldDisplay: false,
        subcommands: [StoreWriteProbe.self]
    )
}

/// Writes clusters one transaction at a time and prints `committed N` after each commit returns,
/// then waits for stdin to close: the durability test kills it with SIGKILL at a line of its choosing.
struct StoreWriteProbe: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "store-write-probe")

    @Option var store: String
    @Option var count = 10

    func run() throws {
        let desired = try DesiredStateStore(path: store)
        for index in 1...count {
            let spec = ClusterSpec(name: "probe-\(index)", org: "org1", vdc: "vdc", template: "t", nodes: NodePool(count: index % 4))
            try desired.put(.cluster(spec), owner: .admin)
            FileHandle.standardOutput.write(Data("committed \(index)\n".utf8))  // unbuffered: the line means "on disk"
        }
        while readLine() != nil {}
    }
}
