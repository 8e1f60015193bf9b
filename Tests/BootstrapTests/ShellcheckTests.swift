@testable import Bootstrap
import Foundation
import Spec
import Testing

@Suite struct ShellcheckTests {
    static let scripts: [(String, String)] = F.currentSystems.flatMap { os in
        [("template \(os)", F.build(F.template(os))),
         ("template \(os) with mirrors", F.build(F.template(os, adminKey: nil, packages: F.mirror))),
         ("master \(os)", F.master(nodes: 2, template: F.template(os))),
         ("node \(os)", F.node(join: JoinInfo(command: Stubs.joinCommand, expires: nil), template: F.template(os)))]
    } + [
        ("template ubuntu 16.04 (mirror)", F.build(F.legacyTemplate(.ubuntu))),
        ("template photon 1.0 (mirror)", F.build(F.legacyTemplate(.photon, version: "1.0"))),
        ("template photon 2.0 (mirror)", F.build(F.legacyTemplate(.photon, version: "2.0", adminKey: nil))),
        ("master without nodes", F.master(nodes: 0)),
        ("master on photon 1.0", F.master(template: F.legacyTemplate(.photon, version: "1.0"))),
        ("master without template spec", F.master(template: nil)),
        ("legacy node", F.node(join: JoinInfo(command: Stubs.joinCommand, expires: nil), template: F.legacyTemplate())),
        ("node without join information", F.node(join: nil)),
        ("node without template spec", F.node(join: nil, template: nil)),
        ("refusal", BootstrapScripts.refusal(role: .template, vmName: "x", reason: "it's impossible")),
        ("join refresh", JoinRefresh.script(sealingKey: F.scripts.sealingKey)),
        ("clear status", StatusReset.script),
        ("masked template for bootstrap show", BootstrapScripts(sealingKey: F.scripts.sealingKey).maskedTemplateBootstrap(for: F.template()).script),
    ]

    @Test(arguments: scripts.map(\.0))
    func isClean(_ name: String) throws {
        let script = try #require(Self.scripts.first { $0.0 == name }?.1)
        let findings = try ScriptHarness.shellcheck(script)
        #expect(findings.isEmpty, "\(name):\n\(findings)")
    }

    @Test func everyScriptDeclaresItsRoleAndStrictMode() {
        for (name, script) in Self.scripts where !["join refresh", "clear status"].contains(name) {
            let lines = script.split(separator: "\n")
            #expect(lines.first == "#!/bin/bash", "\(name)")
            #expect(GuestContract.role(ofScript: script) != nil, "\(name)")
            #expect(lines.contains("set -euo pipefail"), "\(name)")
        }
    }
}
