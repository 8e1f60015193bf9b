import VCDClient

/// Looks the place up in vCD, scoped by the org: the vdc among the org's own vdcs (never another org's of the same
/// name), the network among the vdc's available networks.
public struct VCDPlacements: PlacementChecker {
    let session: VCDSession

    public init(session: VCDSession) {
        self.session = session
    }

    public func problem(org: String, vdc: String, network: String?) async throws -> PlacementProblem? {
        let orgTree: XMLTree
        let vdcTree: XMLTree
        do {
            orgTree = try await session.org(named: org)
        } catch let error as VCDError where error.isNotFound {
            return PlacementProblem(status: 404, message: "org '\(org)' not found")
        }
        do {
            vdcTree = try await session.vdc(named: vdc, org: orgTree)
        } catch let error as VCDError where error.isNotFound {
            return PlacementProblem(status: 404, message: "vdc '\(vdc)' not found in org '\(org)'")
        }
        let networks = session.networks(of: vdcTree).map(\.name)
        if let network, !networks.contains(network) {
            let known = networks.isEmpty ? "it has none" : "its networks: \(networks.sorted().joined(separator: ", "))"
            return PlacementProblem(status: 400, message: "network '\(network)' is not available in vdc '\(vdc)' (\(known))")
        }
        if network == nil && networks.isEmpty {
            return PlacementProblem(status: 400, message: "vdc '\(vdc)' has no network for the cluster")
        }
        return nil
    }
}
