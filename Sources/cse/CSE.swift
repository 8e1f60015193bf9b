import ArgumentParser

@main
struct CSE: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cse",
        abstract: "Container Service Extension: Kubernetes clusters for vCloud Director tenants, reconciled from YAML specs.",
        version: CSEVersion.current,
        subcommands: [
            ApplyCommand.self, PlanCommand.self, AdoptCommand.self, RunCommand.self, GetCommand.self, DescribeCommand.self, KubeconfigCommand.self,
            KeysCommand.self,
            InstallCommand.self, UninstallCommand.self, RegisterCommand.self, SimCommand.self, BenchCommand.self,
            SampleConfigCommand.self, SampleSpecsCommand.self, BootstrapCommand.self, VersionCommand.self, DebugCommand.self,
        ]
    )
}
