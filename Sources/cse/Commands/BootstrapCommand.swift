import ArgumentParser
import Bootstrap
import Spec

/// `cse bootstrap show`: what cse will run on a template's VMs, for an administrator to audit.
struct BootstrapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bootstrap",
        abstract: "Show what cse runs on the VMs of a template.",
        subcommands: [BootstrapShowCommand.self]
    )
}

struct BootstrapShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print the user data or script a VM of ROLE gets from TEMPLATE-SPEC, secrets masked."
    )

    @Argument(help: "A spec file (or directory) holding the template.")
    var templateSpec: String

    @Option(help: "template (the build VM), master or node.")
    var role: GuestContract.Role = .template

    @Option(help: "The template's name, when the file holds several.")
    var name: String?

    func run() throws {
        let specs = try Diagnostics.orExit { try SpecLoader().load(path: templateSpec) }
        let templates = specs.templates.filter { name == nil || $0.name == name }
        guard templates.count == 1, let template = templates.first else {
            Diagnostics.printError(templates.isEmpty ? "\(templateSpec): no template\(name.map { " named \($0)" } ?? "")"
                                   : "\(templateSpec): several templates (\(templates.map(\.name).joined(separator: ", "))); choose one with --name")
            throw ExitCode.failure
        }
        print(BootstrapAudit.render(template: template, role: role), terminator: "")
    }
}

extension GuestContract.Role: ExpressibleByArgument {}
