import Foundation
import Testing
@testable import Spec

@Suite struct SampleCommandTests {
    @Test(arguments: ["ubuntu", "photon"])
    func sampleConfigLoadsAndDescribesTheTemplate(labels: String) throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        let result = try cli.run(["sample-config", "--labels", labels])
        #expect(result.status == 0)
        #expect(result.stdout.contains("password: {env: CSE_VCD_PASSWORD}"))
        let config = try ConfigLoader.load(text: result.stdout, file: "config.yaml")
        #expect(config.vcd?.password == .environment("CSE_VCD_PASSWORD"))
        #expect(config.amqp?.exchange == "cse-ext" && config.amqp?.routingKey == "cse")
        #expect(config.store.path == ".cse/store.sqlite")
        let broker = try #require(config.broker)
        #expect(broker.os.family.rawValue == labels)
        #expect(broker.rootPassword == .environment("CSE_TEMPLATE_ROOT_PASSWORD"))
        #expect(broker.catalogItem == (labels == "ubuntu" ? "k8s-u" : "k8s-p"))
    }

    @Test func sampleSpecsAreTheRepositorySpecs() throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        #expect(try cli.run(["sample-specs", "out"]).status == 0)
        for relative in ["templates/ubuntu-24.04.yaml", "clusters/demo.yaml"] {
            let written = try String(contentsOfFile: cli.path("out/\(relative)"), encoding: .utf8)
            let repository = try String(contentsOf: CLIRunner.repository.appendingPathComponent("specs/\(relative)"), encoding: .utf8)
            #expect(written == repository, "\(relative) differs from the repository's specs/")
        }
        let again = try cli.run(["sample-specs", "out"])
        #expect(again.status != 0 && again.stderr.contains("already exist; pass --force"))
        let set = try SpecLoader().load(path: cli.path("out"))
        #expect(set.templates.count == 1 && set.clusters.first?.nodes.count == 2)
    }

    @Test func configErrorsAreReportedWithPlaces() throws {
        let text = """
            vcd:
              host: vcd.example.com
              username: administrator
              password: plain-text-password
            service:
              listners: 3
            broker:
              labels: [ubuntu]
              org: cse
              vdc: v
              network: n
              catalog: c
              source_ova: https://example.com/u.ova
              sha1_ova: 1bddf68820c717e13c6d1acd800fb7b4d197b411
              master_template: k8s-u
              node_template: k8s-other
              password: {env: PW}
            """
        do {
            _ = try ConfigLoader.load(text: text, file: "config.yaml")
            Issue.record("invalid config accepted")
        } catch let errors as ValidationErrors {
            #expect(errors.diagnostics.map(\.description) == [
                "config.yaml:4:13: 'vcd.password' must reference a secret as {env: VARIABLE} or {file: PATH}, never hold it",
                "config.yaml:6:3: unknown key 'service.listners'; did you mean 'listeners'?",
                "config.yaml:16:18: 'broker.node_template' must be the same as 'broker.master_template' ('k8s-u'), found 'k8s-other'",
            ])
            #expect(!errors.description.contains("plain-text-password"))
        }
    }

    @Test func versionPrints() throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        let result = try cli.run(["version"])
        #expect(result.stdout.hasPrefix("Container Service Extension for VMware vCloud Director, version "))
    }
}
