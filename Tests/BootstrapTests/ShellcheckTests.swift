@testable import Bootstrap
import Foundation
import Spec
import Testing

@Suite struct ShellcheckTests {
    static let scripts: [(String, String)] = [
        ("template ubuntu 16.04", F.scripts.buildScript(for: F.template(.ubuntu))),
        ("template photon 1.0", F.scripts.buildScript(for: F.template(.photon, version: "1.0"))),
        ("template photon 2.0", F.scripts.buildScript(for: F.template(.photon, version: "2.0", adminKey: nil))),
        ("master with nodes", F.master(nodes: 2)),
        ("master without nodes", F.master(nodes: 0)),
        ("master on photon 1.0", F.master(template: F.template(.photon, version: "1.0"))),
        ("master without template spec", F.master(template: nil)),
        ("node", F.node(join: JoinInfo(command: Stubs.joinCommand, expires: nil))),
        ("node without join information", F.node(join: nil)),
        ("refusal", BootstrapScripts.refusal(role: .template, vmName: "x", reason: "it's impossible")),
        ("join refresh", JoinRefresh.script(sealingKey: F.scripts.sealingKey)),
    ]

    @Test(arguments: scripts.map(\.0))
    func isClean(_ name: String) throws {
        let script = try #require(Self.scripts.first { $0.0 == name }?.1)
        let findings = try ScriptHarness.shellcheck(script)
        #expect(findings.isEmpty, "\(name):\n\(findings)")
    }

    @Test func everyScriptDeclaresItsRoleAndStrictMode() {
        for (name, script) in Self.scripts where name != "join refresh" {
            let lines = script.split(separator: "\n")
            #expect(lines.first == "#!/bin/bash", "\(name)")
            #expect(GuestContract.role(ofScript: script) != nil, "\(name)")
            #expect(lines.contains("set -euo pipefail"), "\(name)")
        }
    }
}
