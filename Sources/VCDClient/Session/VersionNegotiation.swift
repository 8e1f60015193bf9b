import Foundation

/// One `VersionInfo` of `GET /api/versions` (versions.xsd VersionInfoType: Version, LoginUrl, ProviderLoginUrl,
/// `deprecated`).
public struct OfferedVersion: Sendable, Equatable {
    public var version: String
    public var deprecated: Bool
    public var loginURL: String?
    public var providerLoginURL: String?

    public init(version: String, deprecated: Bool, loginURL: String?, providerLoginURL: String?) {
        self.version = version
        self.deprecated = deprecated
        self.loginURL = loginURL
        self.providerLoginURL = providerLoginURL
    }

    static func parse(_ tree: XMLTree) -> [OfferedVersion] {
        tree.all("VersionInfo").compactMap { info in
            guard let version = info.first("Version")?.text else { return nil }
            return OfferedVersion(version: version, deprecated: info["deprecated"] == "true", loginURL: info.first("LoginUrl")?.text,
                                  providerLoginURL: info.first("ProviderLoginUrl")?.text)
        }
    }
}

/// Where and how to log in at the negotiated version.
public struct LoginPlan: Sendable, Equatable {
    public enum Endpoint: Sendable, Equatable {
        /// `POST /api/sessions`: XML Session, token in `x-vcloud-authorization` (until API 36.0).
        case legacy(String)
        /// `POST /cloudapi/1.0.0/sessions[/provider]`: JSON Session, JWT in `X-VMWARE-VCLOUD-ACCESS-TOKEN`.
        case cloudapi(String)
    }

    public var version: String
    public var endpoint: Endpoint
    /// Set when the version was pinned although vCD marks it deprecated.
    public var warning: String?
}

/// Picks the API version and login endpoint from what vCD offers.
public enum VersionNegotiation {
    /// A pinned version is used if vCD offers it, deprecated or not (with a warning); otherwise the highest
    /// non-deprecated version both sides speak. System logs in at `ProviderLoginUrl`, tenants at `LoginUrl`
    /// (pyvcloud 23.0.4 `set_credentials`; go-vcloud-director `vcdloginurl`/`vcdCloudApiAuthorize`).
    public static func plan(offered: [OfferedVersion], pinned: String?, supported: [String], org: String, baseURL: String) throws -> LoginPlan {
        let chosen: OfferedVersion
        var warning: String?
        if let pinned {
            guard let match = offered.first(where: { $0.version == pinned }) else {
                throw VCDError(status: 0, message: "the configured API version \(pinned) is not offered by vCD at \(baseURL) (it offers \(list(offered)))",
                               request: "GET /api/versions")
            }
            chosen = match
            if match.deprecated { warning = "API version \(pinned) is configured but vCD marks it deprecated; it may be removed in a later vCD release" }
        } else {
            let usable = offered.filter { !$0.deprecated && supported.contains($0.version) }
            guard let best = usable.max(by: { VCDSession.versionLess($0.version, $1.version) }) else {
                throw VCDError(status: 0, message: "no common API version: vCD at \(baseURL) offers \(list(offered)); cse speaks \(supported.joined(separator: ", ")) "
                               + "(vCD 10.3 to 10.6); set vcd.api_version to pin one", request: "GET /api/versions")
            }
            chosen = best
        }
        let isProvider = org.lowercased() == "system"
        let login = chosen.loginURL ?? baseURL + "/api/sessions"
        let endpoint: LoginPlan.Endpoint
        if login.contains("/cloudapi/") {
            // go-vcloud-director qualifies the tenant URL with /provider when ProviderLoginUrl is not given.
            endpoint = .cloudapi(isProvider ? (chosen.providerLoginURL ?? login + "/provider") : login)
        } else {
            endpoint = .legacy(login)
        }
        return LoginPlan(version: chosen.version, endpoint: endpoint, warning: warning)
    }

    static func list(_ offered: [OfferedVersion]) -> String {
        offered.map { $0.deprecated ? "\($0.version) (deprecated)" : $0.version }.joined(separator: ", ")
    }
}
