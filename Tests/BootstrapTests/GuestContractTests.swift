@testable import Bootstrap
import Foundation
import GuestSecrets
import Testing

@Suite struct GuestContractTests {
    let now = Date(timeIntervalSince1970: 1_700_000_000)
    let command = "kubeadm join 10.0.0.5:6443 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash sha256:00"

    private func published(_ command: String, expiresIn: TimeInterval?) -> [String: String] {
        var config = [GuestContract.joinCommandKey: (try? F.keys.current.seal(Data(command.utf8))) ?? ""]
        if let expiresIn { config[GuestContract.joinExpiresKey] = String(Int(now.timeIntervalSince1970 + expiresIn)) }
        return config
    }

    @Test func reportFollowsStatusAndPhase() {
        #expect(GuestContract.report([:]) == .notStarted)
        #expect(GuestContract.report([GuestContract.statusKey: "in_progress", GuestContract.phaseKey: "network"]) == .running(phase: "network"))
        #expect(GuestContract.report([GuestContract.statusKey: "in_progress"]) == .running(phase: "init"))
        #expect(GuestContract.report([GuestContract.statusKey: "done", GuestContract.phaseKey: "publish"]) == .ready)
        #expect(GuestContract.report([GuestContract.statusKey: "failed", GuestContract.phaseKey: "join", GuestContract.reasonKey: "no"])
                == .failed(phase: "join", reason: "no"))
        #expect(GuestContract.report([GuestContract.statusKey: "failed"]) == .failed(phase: "init", reason: "no reason given"))
        #expect(GuestContract.report([GuestContract.statusKey: "successful"]) == .notStarted, "unknown statuses are not progress")
    }

    @Test func joinInfoHonoursTheExpiryMargin() throws {
        let fresh = try #require(GuestContract.joinInfo(published(command, expiresIn: 3600), open: F.unseal, now: now))
        #expect(fresh.command == command)
        #expect(fresh.expires == Date(timeIntervalSince1970: now.timeIntervalSince1970 + 3600))
        #expect(GuestContract.joinInfo(published(command, expiresIn: 599), open: F.unseal, now: now) == nil, "inside the default 600 s margin")
        #expect(GuestContract.joinInfo(published(command, expiresIn: 601), open: F.unseal, now: now) != nil)
        #expect(GuestContract.joinInfo(published(command, expiresIn: 3600), open: F.unseal, now: now, margin: 4000) == nil)
        #expect(GuestContract.joinInfo(published(command, expiresIn: -1), open: F.unseal, now: now) == nil, "expired")
        #expect(GuestContract.joinInfo(published(command, expiresIn: nil), open: F.unseal, now: now)?.expires == nil, "no expiry: never expires")
    }

    @Test func joinInfoRejectsWhatIsNotAJoinCommand() {
        #expect(GuestContract.joinInfo([:], open: F.unseal) == nil)
        #expect(GuestContract.joinInfo([GuestContract.joinCommandKey: "not base64!"], open: F.unseal) == nil)
        #expect(GuestContract.joinInfo(published("rm -rf /", expiresIn: 3600), open: F.unseal, now: now) == nil)
    }

    @Test func joinInfoDescriptionHidesTheToken() {
        let info = JoinInfo(command: command, expires: nil)
        #expect(!"\(info)".contains("abcdef"))
        #expect(GuestContract.secretKeys == [GuestContract.joinCommandKey, GuestContract.kubeconfigKey])
    }

    @Test func roleOfScriptReadsTheHeader() {
        for role in GuestContract.Role.allCases {
            #expect(GuestContract.role(ofScript: "#!/bin/bash\n\(GuestContract.header(role: role))\nset -e\n") == role)
        }
        #expect(GuestContract.header(role: .master) == "# cse-bootstrap: contract=1 role=master")
        #expect(GuestContract.role(ofScript: "#!/bin/bash\n# cse-bootstrap: contract=1 role=dragon\n") == nil)
        #expect(GuestContract.role(ofScript: "#!/bin/bash\necho hi\n") == nil)
        #expect(GuestContract.role(ofScript: "#!/bin/bash\n\n# cse-bootstrap: contract=1 role=node\n") == .node, "blank lines do not count")
        #expect(GuestContract.role(ofScript: "#!/bin/bash\necho a\necho b\n# cse-bootstrap: contract=1 role=node\n") == nil,
                "only the first three lines count")
    }

    @Test func joinCommandInScriptDecodesTheVariable() {
        let encoded = Data(command.utf8).base64EncodedString()
        #expect(GuestContract.joinCommand(inScript: "#!/bin/bash\nCSE_JOIN_COMMAND_B64='\(encoded)'\n") == command)
        #expect(GuestContract.joinCommand(inScript: "#!/bin/bash\necho\n") == nil)
        #expect(GuestContract.joinCommand(inScript: "CSE_JOIN_COMMAND_B64='%%%'\n") == nil)
    }

    @Test func kubeconfigOpensOnlySealed() throws {
        let sealed = try F.keys.current.seal(Data("kind: Config".utf8))
        #expect(try GuestContract.kubeconfig([GuestContract.kubeconfigKey: sealed], open: F.unseal) == "kind: Config")
        #expect(try GuestContract.kubeconfig([:], open: F.unseal) == nil)
        // The clear base64 an earlier contract published is not accepted.
        #expect(throws: SealedSecretError.self) {
            try GuestContract.kubeconfig([GuestContract.kubeconfigKey: Data("kind: Config".utf8).base64EncodedString()], open: F.unseal)
        }
    }

    @Test func sealingKeyIsReadFromTheMasterScript() {
        let script = F.master(nodes: 1)
        #expect(GuestContract.sealingKey(inScript: script) == GuestContract.SealingKey(F.keys.current))
        #expect(GuestContract.sealingKey(inScript: F.node(join: JoinInfo(command: command, expires: nil))) == nil)
    }
}
