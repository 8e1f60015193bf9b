/// Which vCloud Director release the simulator plays: the API versions it offers in `/api/versions`, which of them
/// are deprecated, where each one logs in, and whether the legacy `POST /api/sessions` still answers.
///
/// Sources: a real vCD 10.4 `/api/versions` reply (go-vcloud-director's
/// `test-resources/golden/TestSamlAdfsAuthenticate_RESP_api_versions.golden`: 5.5 and 20.0 to 37.0; 20.0-26.0, 29.0
/// and 5.5 deprecated; `LoginUrl` `/api/sessions` up to 35.0, `/cloudapi/1.0.0/sessions` plus `ProviderLoginUrl`
/// `/cloudapi/1.0.0/sessions/provider` for 36.0 and 37.0); VersionInfoType in `versions.xsd` (Version, LoginUrl,
/// ProviderLoginUrl, MediaTypeMapping; `deprecated` attribute); go-vcloud-director's map of API to vCD releases
/// (36.0 = 10.3, 37.0 = 10.4) and its minimum API 37.0 "supported by 10.4+" (so 10.5 and 10.6 still offer 37.0);
/// VMware's 10.5 release notes as quoted in vmware/build-tools-for-vmware-aria#183: `/api/sessions` deprecated since
/// 33.0, "for version 38.0 and later ... no longer supported", "versions 37.2 and earlier continue to support" it
/// (that project's #167 logged in to 10.5 with 37.0 that way), and "VMware Cloud Director 10.5 and later do not
/// support the /api/sessions API login endpoint". 10.5 = API 38.0, 10.6 = API 39.0.
/// The version lists of 10.3 and 10.5 are those real servers printed in their 406 answers (go-vcloud-director#477,
/// ManageIQ/manageiq-providers-vmware#893; alpha versions left out). Assumptions, where no source says more: 10.6's
/// list, and that 10.6 no longer serves `POST /api/sessions` at any version (the notes' "10.5 and later" read strictly for the newer release,
/// while 10.5 keeps the compatibility its users relied on).
public struct SimReleaseProfile: Sendable, Equatable, CustomStringConvertible {
    public struct Version: Sendable, Equatable {
        public var number: String
        public var deprecated: Bool
    }

    /// `10.3`, `10.4`, `10.5` or `10.6`.
    public let release: String
    /// Oldest first.
    public let versions: [Version]
    /// Whether the release serves `POST /api/sessions` at all (below `legacyLoginRemovedIn`).
    public let servesLegacyLogin: Bool

    public static let all: [SimReleaseProfile] = ["10.3", "10.4", "10.5", "10.6"].compactMap(SimReleaseProfile.init(release:))
    public static let `default` = SimReleaseProfile(release: "10.4")!

    /// The first API version without `POST /api/sessions` and `DELETE /api/session` (10.5 release notes).
    public static let legacyLoginRemovedIn = "38.0"
    /// The first API version with `/cloudapi/1.0.0/sessions` (the OpenAPI Session model, "Added in 33.0").
    public static let cloudapiSessionsSince = "33.0"
    /// The first API version whose `LoginUrl` in `/api/versions` is the cloudapi one (10.4 golden reply: 36.0).
    static let cloudapiLoginUrlSince = "36.0"

    public init?(release: String) {
        func list(_ entries: [(String, Bool)]) -> [Version] { entries.map { Version(number: $0.0, deprecated: $0.1) } }
        let d = true, current = false
        switch release {
        // vCD 10.3.3's own list in its 406 answer (go-vcloud-director#477).
        case "10.3":
            versions = list([("31.0", d), ("32.0", d), ("33.0", d), ("34.0", current), ("35.0", current), ("35.2", current),
                             ("36.0", current), ("36.1", current), ("36.2", current), ("36.3", current)])
        // The 10.4 golden /api/versions reply (5.5 sorts first: vCD lists it last, clients sort numerically).
        case "10.4":
            let deprecated: Set<String> = ["5.5", "20.0", "21.0", "22.0", "23.0", "24.0", "25.0", "26.0", "29.0"]
            versions = list((["5.5"] + (20...37).map { "\($0).0" }).map { ($0, deprecated.contains($0)) })
        // vCD 10.5.1's own list in its 406 answer (ManageIQ/manageiq-providers-vmware#893).
        case "10.5":
            versions = list([("35.0", d), ("35.2", d), ("36.0", d), ("36.1", d), ("36.2", d), ("36.3", d),
                             ("37.0", current), ("37.1", current), ("37.2", current), ("38.0", current)])
        // Assumed from the pattern of 10.3 to 10.5 (the releases before last deprecated, older ones removed).
        case "10.6":
            versions = list([("37.0", d), ("37.1", d), ("37.2", d), ("38.0", current), ("38.1", current), ("39.0", current)])
        default: return nil
        }
        servesLegacyLogin = release != "10.6"
        self.release = release
    }

    public var description: String { "vCD \(release) (API \(versions.first!.number) to \(newest))" }
    public var newest: String { versions.last!.number }

    public func offers(_ version: String) -> Bool { versions.contains { $0.number == version } }

    /// `POST /api/sessions` answers at `version` (served by the release, offered, and older than 38.0).
    public func hasLegacyLogin(at version: String) -> Bool {
        servesLegacyLogin && offers(version) && Self.less(version, Self.legacyLoginRemovedIn)
    }

    /// Whether the release still serves `POST /api/sessions` at any version it offers.
    public var hasLegacyLogin: Bool { versions.contains { hasLegacyLogin(at: $0.number) } }

    public func hasCloudapiSessions(at version: String) -> Bool {
        offers(version) && !Self.less(version, Self.cloudapiSessionsSince)
    }

    /// Whether `/api/versions` names the cloudapi endpoints as this version's login URLs.
    func advertisesCloudapiLogin(_ version: String) -> Bool { !Self.less(version, Self.cloudapiLoginUrlSince) }

    /// `version` is `minimum` or later (numeric comparison: 36.10 > 36.9).
    public static func atLeast(_ version: String, _ minimum: String) -> Bool { !less(version, minimum) }

    static func less(_ a: String, _ b: String) -> Bool {
        a.split(separator: ".").compactMap { Int($0) }.lexicographicallyPrecedes(b.split(separator: ".").compactMap { Int($0) })
    }
}
