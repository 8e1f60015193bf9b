import Bootstrap
import VCDClient

/// The end of a bootstrap (`Step.retireBootstrap`). The revocation comes first, then each VM's user data is removed
/// and only then its marks are written: a crash anywhere leaves the VM unmarked with its user data, so the next pass
/// plans the same step again, and every part of it is safe to repeat.
extension ActionRunner {
    func retire(_ retirement: BootstrapRetirement) async throws -> String {
        var done: [String] = []
        if let revocation = retirement.revocation {
            // A guestinfo key the master's refresh timer reads (`vmtoolsd --cmd "info-get ..."`): not secret (a token id).
            try await wait(vcd.setExtraConfig(vmHref: revocation.masterHref, [(GuestContract.joinRevokeKey, revocation.tokenID)]))
            done.append("asked the master to revoke join token \(revocation.tokenID)")
        }
        for vm in retirement.vms {
            if vm.clearsUserData { try await wait(vcd.setExtraConfig(vmHref: vm.href, CloudInitUserData.clearedExtraConfig)) }
            if !vm.marks.isEmpty { try await wait(vcd.writeMarks(vm.href, vm.marks.map { ($0.key, $0.value) })) }
        }
        let cleared = retirement.vms.filter(\.clearsUserData).map(\.name)
        let marked = retirement.vms.filter { !$0.clearsUserData && !$0.marks.isEmpty }.map(\.name)
        if !marked.isEmpty { done.insert("recorded \(marked.joined(separator: ", ")) ready", at: 0) }
        if !cleared.isEmpty { done.insert("cleared the user data of \(cleared.joined(separator: ", "))", at: 0) }
        return done.joined(separator: "; ")
    }
}
