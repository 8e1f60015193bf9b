import ArgumentParser

enum CSEVersion {
    static let current = "0.2.0-dev"
}

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the version of cse.")

    func run() {
        print("Container Service Extension for VMware vCloud Director, version \(CSEVersion.current)")
    }
}
