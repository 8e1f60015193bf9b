import ArgumentParser
import Foundation
import Logging
import VCDClient
import VCDSim

/// Upload throughput and peak memory of an OVF upload through the simulator: a disk file of `--megabytes` MB,
/// streamed from disk in `Content-Range` pieces by the client, received by an in-process simulator.
struct BenchUploadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "upload", abstract: "Measure OVF upload throughput and peak memory on the simulator.")

    @Option(help: "Size of the disk file to upload, in MB.")
    var megabytes = 200

    @Option(help: "Size of each Content-Range piece, in MB.")
    var pieceMegabytes = 8

    func run() async throws {
        var logger = Logger(label: "cse.bench")
        logger.logLevel = .error
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cse-bench-upload-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let size = Int64(megabytes) << 20
        let diskPath = directory.appendingPathComponent("disk1.vmdk").path
        try Self.writeDisk(at: diskPath, size: size)
        let descriptor = Data("""
            <Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1">
            <References><File ovf:href="disk1.vmdk" ovf:id="file1" ovf:size="\(size)"/></References>
            <VirtualSystem ovf:id="bench"/></Envelope>
            """.utf8)

        let simulator = try Simulator()
        let server = try await SimServer.start(simulator, logger: logger)
        defer { Task { await server.stop() } }
        let session = VCDSession(baseURL: server.baseURL, credentials: EmbeddedVCD.administrator, logger: logger)
        try await session.connect()
        let catalog = try await session.catalog(named: "cse", org: try await session.org(named: "cse"))
        let before = PeakMemory.megabytes
        let started = ContinuousClock.now
        let progress: @Sendable (String) -> Void = { print("  " + $0) }
        _ = try await session.uploadOVF(catalog: catalog, itemName: "bench-upload", description: "benchmark", descriptor: descriptor,
                                        files: ["disk1.vmdk": OVFFileSource(path: diskPath, size: size)], pieceSize: pieceMegabytes << 20,
                                        progress: progress, pollInterval: .milliseconds(100))
        let elapsed = ContinuousClock.now - started
        let seconds = elapsed.milliseconds / 1000
        print(String(format: "uploaded %d MB in %d MB pieces in %.2f s: %.1f MB/s (client and simulator in one process)",
                     megabytes, pieceMegabytes, seconds, Double(megabytes) / seconds))
        print(String(format: "peak resident memory: %.0f MB before the upload, %.0f MB after (file size %d MB)", before, PeakMemory.megabytes, megabytes))
        await session.logout()
    }

    /// Writes `size` bytes of varied content, 1 MB at a time.
    static func writeDisk(at path: String, size: Int64) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw ValidationError("cannot write \(path)")
        }
        defer { try? handle.close() }
        var block = Data((0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        var written: Int64 = 0
        while written < size {
            let length = Int(min(Int64(block.count), size - written))
            try handle.write(contentsOf: block.prefix(length))
            written += Int64(length)
            block[Int(written / Int64(block.count)) % block.count] &+= 1
        }
    }
}
