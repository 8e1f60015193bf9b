import Bootstrap
import VCDClient

/// The one step cloud-init images add to the executor: the bootstrap's user data goes into the VM's extra config
/// before its first power-on (as CAPVCD does). Safe to repeat: the same values are set again. The executor sets it
/// before it writes the marks that make the VM visible to the diff, so any VM the diff powers on has it.
extension ActionRunner {
    func setUserData(vmHref: String, _ bootstrap: GuestBootstrap) async throws {
        guard !bootstrap.extraConfig.isEmpty else { return }
        try await wait(vcd.setExtraConfig(vmHref: vmHref, bootstrap.extraConfig))
    }
}
