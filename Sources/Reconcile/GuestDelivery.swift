import Bootstrap
import VCDClient

/// The one step cloud-init images add to the executor: the bootstrap's user data goes into the VM's extra config
/// before its first power-on (as CAPVCD does), then the VM starts. Safe to repeat: the same values are set again.
extension ActionRunner {
    func startGuest(vmHref: String, bootstrap: GuestBootstrap?) async throws {
        if let bootstrap, !bootstrap.extraConfig.isEmpty {
            try await wait(session.setExtraConfig(vmHref: vmHref, bootstrap.extraConfig))
        }
        try await wait(session.powerOn(vmHref))
    }
}
