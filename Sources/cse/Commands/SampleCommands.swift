import ArgumentParser
import Foundation

struct SampleConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sample-config", abstract: "Print a commented config.yaml.")

    @Option(help: "The template's OS: ubuntu or photon.")
    var labels: SampleConfig.Labels = .ubuntu

    func run() {
        print(SampleConfig.text(labels: labels), terminator: "")
    }
}

extension SampleConfig.Labels: ExpressibleByArgument {}

struct SampleSpecsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample-specs",
        abstract: "Write example specs (an Ubuntu template and a cluster with 2 nodes) into a directory."
    )

    @Argument(help: "Directory to write into.")
    var directory = "specs"

    @Flag(help: "Overwrite files that exist.")
    var force = false

    func run() throws {
        let root = URL(fileURLWithPath: directory)
        let existing = SampleSpecs.files.map { root.appendingPathComponent($0.path) }.filter { FileManager.default.fileExists(atPath: $0.path) }
        if !force, !existing.isEmpty {
            throw ValidationError("\(existing.map(\.path).joined(separator: ", ")) already exist; pass --force to overwrite")
        }
        for file in SampleSpecs.files {
            let url = root.appendingPathComponent(file.path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try file.text.write(to: url, atomically: true, encoding: .utf8)
            print("wrote \(url.path)")
        }
    }
}
