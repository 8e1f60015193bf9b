import Foundation

/// Forwards a request that matched a registered API extension to the service (over AMQP in `cse sim`).
public protocol ExtensionForwarder: Sendable {
    /// Publishes `message` (vCD's extension message body) and waits up to `timeout` seconds for the reply body;
    /// nil on timeout.
    func forward(exchange: String, routingKey: String, correlationID: String, message: Data, timeout: Double) async throws -> Data?
}

/// Who a request comes from, by its session token.
struct SimCaller: Sendable {
    var user: SimUser
    var org: SimOrg
    var token: String
    var isSystemAdministrator: Bool { user.role == .systemAdministrator }
}

/// The simulated vCloud Director: state, sessions, tasks, guests, faults, counters. One actor, so every
/// request sees a consistent cloud; time-driven changes (tasks ending, guests reporting) are applied when
/// the next request arrives, from the clock, so nothing depends on a background timer.
public actor Simulator {
    /// Every change moves `revision`, which keys the query service's cache (`SimQueryCache`).
    var state: SimState { didSet { revision &+= 1 } }
    var revision = 0
    var queryCache = SimQueryCache()
    var options: SimOptions
    var faults: FaultBook
    var random: SeededRandom
    var counters: [String: Int] = [:]
    /// The last requests that may change something (`GET /sim/writes`): which client sent what, when.
    var writeLog = SimWriteLog()
    var baseURL = "http://127.0.0.1"
    var dirty = false
    let forwarder: (any ExtensionForwarder)?
    /// The simulated internet: URL to SHA-256 of what guests download from it.
    let downloads: [String: String]
    /// The vCD release played: versions, login endpoints.
    public nonisolated let profile: SimReleaseProfile
    /// Files being received by uploads (hashers, the descriptor's bytes), by `template/file`; memory only.
    var uploadProgress: [String: SimUploadProgress] = [:]
    /// vCD's XSDs, when validation is on.
    let validator: SchemaValidator?

    public init(inventory: SimInventory = .default, options: SimOptions = SimOptions(), forwarder: (any ExtensionForwarder)? = nil) throws {
        guard let profile = SimReleaseProfile(release: options.vcdVersion) else {
            throw SimSetupError("unknown vCD version \(options.vcdVersion): the simulator plays \(SimReleaseProfile.all.map(\.release).joined(separator: ", "))")
        }
        self.profile = profile
        self.options = options
        self.forwarder = forwarder
        downloads = Dictionary((inventory.downloads ?? SimInventory.upstreamDownloads).map { ($0.url, $0.sha256.lowercased()) },
                               uniquingKeysWith: { first, _ in first })
        validator = try options.schemasDirectory.map { try SchemaValidator.load(directory: $0) } ?? SchemaValidator.fromEnvironment()
        faults = FaultBook(rules: options.faults, seed: options.seed)
        random = SeededRandom(seed: options.seed ^ 0x5EED)
        if let file = options.stateFile, FileManager.default.fileExists(atPath: file) {
            do {
                state = try JSONDecoder.sim.decode(SimState.self, from: Data(contentsOf: URL(fileURLWithPath: file)))
            } catch {
                throw SimSetupError("state file \(file) cannot be read: \(error)")
            }
        } else {
            state = try SimState(inventory: inventory, now: Date())
            if let file = options.stateFile { try Self.write(state, to: file) }
        }
    }

    public func setBaseURL(_ url: String) {
        baseURL = url.hasSuffix("/") ? String(url.dropLast()) : url
    }

    /// Answers one HTTP request.
    public func handle(_ request: SimRequest) async -> SimResponse {
        let now = Date()
        advance(to: now)
        count(request)
        let response: SimResponse
        do {
            if request.path.hasPrefix("/sim/") {
                response = try adminEndpoint(request)
            } else {
                try await injectTransportFaults(request)
                response = try await route(request, now: Date())
            }
        } catch let fault as SimFault {
            if case .reset = fault {
                var dropped = SimResponse(status: 500)
                dropped.dropConnection = true
                return dropped
            }
            response = .xml(fault.status, fault.document, type: "application/vnd.vmware.vcloud.error+xml")
        } catch {
            response = .xml(500, SimFault.internalError("\(error)").document, type: "application/vnd.vmware.vcloud.error+xml")
        }
        writeLog.record(request, status: response.status, at: now)
        do {
            try saveIfNeeded()
        } catch {
            return .xml(500, SimFault.internalError("the simulator could not save its state").document, type: "application/vnd.vmware.vcloud.error+xml")
        }
        return response
    }

    // MARK: routing

    private func route(_ request: SimRequest, now: Date) async throws -> SimResponse {
        let parts = request.segments
        if request.method == "GET" && parts == ["api", "versions"] { return versions() }
        if request.method == "POST" && parts == ["api", "sessions"] { return try login(request, now: now) }
        if parts.first == "cloudapi" { return try cloudapi(request, parts: Array(parts.dropFirst()), now: now) }
        if request.method == "PUT" && parts.count == 3 && parts[0] == "transfer" { return try receiveUpload(request, templateID: parts[1], file: parts[2], now: now) }
        guard parts.first == "api" else { throw SimFault.notFound("no such resource: \(request.path)") }
        try checkVersion(request)
        let caller = try authenticate(request, now: now)
        if let service = matchingExtension(request.path) {
            return try await forwardToExtension(request, service: service, caller: caller)
        }
        try validateBody(request)
        return try dispatch(request, parts: Array(parts.dropFirst()), caller: caller, now: now)
    }

    /// vCD unmarshals every XML body with JAXB against its schemas and answers 400 with the validator's message
    /// (`cvc-complex-type.2.4.a: Invalid content was found starting with element ...`); libxml2 says the same in
    /// its words. Bodies of extension requests are forwarded as they are and not checked here.
    private func validateBody(_ request: SimRequest) throws {
        guard let validator, !request.body.isEmpty else { return }
        let type = request.headers["content-type"]?.lowercased() ?? ""
        guard type.isEmpty || type.contains("xml") else { return }
        if let problem = validator.problem(in: request.body) {
            throw SimFault.badRequest("Bad request: the body does not match vCD's schema: \(problem)")
        }
    }

    private func dispatch(_ request: SimRequest, parts: [String], caller: SimCaller, now: Date) throws -> SimResponse {
        let method = request.method
        // Metadata on any entity: .../metadata[/KEY]
        if let index = parts.firstIndex(of: "metadata"), index >= 2 {
            let key = parts.count > index + 1 ? parts[(index + 1)...].joined(separator: "/") : nil
            return try metadataRoute(request, entityParts: Array(parts[..<index]), key: key,
                                     caller: caller, now: now)
        }
        func at(_ wanted: String, _ pattern: String) -> [String]? { Self.match(method, parts, wanted, pattern) }
        if at("GET", "session") != nil { return sessionDocument(caller, version: Self.requestedVersion(request)) }
        if at("DELETE", "session") != nil { return try logout(request, caller: caller) }
        if at("GET", "org") != nil { return orgList(caller) }
        if let c = at("GET", "org/*") ?? at("GET", "admin/org/*") { return try orgDocument(c[0], caller: caller, version: Self.requestedVersion(request)) }
        if let c = at("GET", "vdc/*") ?? at("GET", "admin/vdc/*") { return try vdcDocument(c[0], caller: caller) }
        if let c = at("POST", "vdc/*/action/composeVApp") { return try compose(request, vdcID: c[0], caller: caller, now: now) }
        if let c = at("POST", "vdc/*/action/instantiateVAppTemplate") { return try instantiate(request, vdcID: c[0], caller: caller, now: now) }
        if let c = at("GET", "network/*") ?? at("GET", "admin/network/*") { return try networkDocument(c[0], caller: caller) }
        if let c = at("GET", "catalog/*") ?? at("GET", "admin/catalog/*") { return try catalogDocument(c[0], caller: caller) }
        if let c = at("POST", "catalog/*/action/captureVApp") { return try capture(request, catalogID: c[0], caller: caller, now: now) }
        if let c = at("POST", "catalog/*/action/upload") { return try beginUpload(request, catalogID: c[0], caller: caller, now: now) }
        if let c = at("GET", "catalogItem/*") { return try catalogItemDocument(c[0], caller: caller) }
        if let c = at("DELETE", "catalogItem/*") { return try deleteCatalogItem(c[0], caller: caller, now: now) }
        if let c = at("GET", "vAppTemplate/*") { return try vAppTemplateDocument(c[0], caller: caller) }
        if let c = at("GET", "vApp/*") { return try vAppOrVMDocument(c[0], caller: caller) }
        if let c = at("DELETE", "vApp/*") { return try deleteVAppOrVM(c[0], caller: caller, now: now) }
        if let c = at("POST", "vApp/*/action/recomposeVApp") { return try recompose(request, vAppRef: c[0], caller: caller, now: now) }
        if let c = at("POST", "vApp/*/action/undeploy") { return try power(c[0], on: false, undeploy: true, caller: caller, now: now) }
        if let c = at("POST", "vApp/*/action/deploy") { return try power(c[0], on: true, undeploy: false, caller: caller, now: now) }
        if let c = at("POST", "vApp/*/power/action/*") {
            switch c[1] {
            case "powerOn": return try power(c[0], on: true, undeploy: false, caller: caller, now: now)
            case "powerOff", "shutdown": return try power(c[0], on: false, undeploy: false, caller: caller, now: now)
            default: throw SimFault.badRequest("unsupported power action \(c[1])")
            }
        }
        if let c = at("POST", "vApp/*/action/reconfigureVm") { return try reconfigure(request, vmRef: c[0], caller: caller, now: now) }
        if let c = at("GET", "vApp/*/virtualHardwareSection/*") { return try hardwareItem(c[0], item: c[1], caller: caller) }
        if let c = at("PUT", "vApp/*/virtualHardwareSection/*") { return try setHardwareItem(request, vmRef: c[0], item: c[1], caller: caller, now: now) }
        if let c = at("GET", "vApp/*/vmCapabilities") { return try vmCapabilities(c[0], caller: caller) }
        if let c = at("PUT", "vApp/*/vmCapabilities") { return try setVMCapabilities(request, vmRef: c[0], caller: caller, now: now) }
        if let c = at("GET", "vApp/*/guestcustomizationstatus") { return try guestCustomizationStatus(c[0], caller: caller, now: now) }
        if let c = at("GET", "vApp/*/guestCustomizationSection") { return try guestCustomizationSection(c[0], caller: caller) }
        if let c = at("GET", "task/*") { return try taskDocument(c[0], caller: caller) }
        if let c = at("PUT", "task/*") { return try updateExtensionTask(request, taskID: c[0], caller: caller, now: now) }
        if let c = at("POST", "task/*/action/cancel") { return try cancelTask(c[0], caller: caller, now: now) }
        if let c = at("GET", "tasksList/*") { return try tasksList(c[0], caller: caller) }
        if let c = at("POST", "tasksList/*") { return try createExtensionTask(request, orgID: c[0], caller: caller, now: now) }
        if at("GET", "query") != nil { return try query(request, caller: caller) }
        if at("GET", "admin/extension") != nil { return try extensionRoot(caller) }
        if at("GET", "admin/extension/service") != nil { return try extensionServices(caller) }
        if at("POST", "admin/extension/service") != nil { return try registerExtension(request, caller: caller) }
        if let c = at("GET", "admin/extension/service/*") { return try extensionServiceDocument(c[0], caller: caller) }
        if let c = at("PUT", "admin/extension/service/*") { return try updateExtension(request, id: c[0], caller: caller) }
        if let c = at("DELETE", "admin/extension/service/*") { return try unregisterExtension(c[0], caller: caller) }
        if knownResource(parts) { throw SimFault.methodNotAllowed("method \(method) is not supported on \(request.path)") }
        throw SimFault.notFound("no such resource: \(request.path)")
    }

    /// Matches `parts` against a pattern like `vApp/*/action/undeploy`; returns what the `*`s matched.
    static func match(_ method: String, _ parts: [String], _ wantedMethod: String, _ pattern: String) -> [String]? {
        guard method == wantedMethod else { return nil }
        let wanted = pattern.split(separator: "/").map(String.init)
        guard wanted.count == parts.count else { return nil }
        var captured: [String] = []
        for (expected, actual) in zip(wanted, parts) {
            if expected == "*" { captured.append(actual) } else if expected != actual { return nil }
        }
        return captured
    }

    private func knownResource(_ parts: [String]) -> Bool {
        ["session", "org", "vdc", "network", "catalog", "catalogItem", "vAppTemplate", "vApp", "task", "tasksList", "query", "admin"]
            .contains(parts.first ?? "")
    }

    /// The API version a request asks for in its Accept header (`application/*+xml;version=37.0`), nil without one.
    static func requestedVersion(_ request: SimRequest) -> String? {
        guard let accept = request.headers["accept"], let range = accept.range(of: "version=") else { return nil }
        return accept[range.upperBound...].prefix { $0 != ";" && $0 != "," }.trimmingCharacters(in: .whitespaces)
    }

    /// The API version a request is answered at: the one its Accept header asks for, else the release's newest. For
    /// behaviour that changes between API versions: `SimReleaseProfile.atLeast(apiVersion(of: request), "35.0")`.
    func apiVersion(of request: SimRequest) -> String {
        Self.requestedVersion(request) ?? profile.newest
    }

    /// A version the release does not offer is refused with 406 and vCD's own message (as vCD 10.3.3 and 10.5.1
    /// answered: go-vcloud-director#477, ManageIQ/manageiq-providers-vmware#893).
    func checkVersion(_ request: SimRequest) throws {
        guard let version = Self.requestedVersion(request) else { return }
        guard profile.offers(version) else {
            let listed = profile.versions.reversed().map { $0.deprecated ? "\($0.number) [D]" : $0.number }.joined(separator: ", ")
            throw SimFault.notAcceptable("The request has invalid accept header: Invalid API version requested. Supported API versions are: [\(listed)] ([D] indicates deprecated versions)")
        }
    }

    // MARK: counters

    private func count(_ request: SimRequest) {
        counters["total", default: 0] += 1
        counters["\(request.method) \(Self.routeKey(request.path))", default: 0] += 1
        if request.path == "/api/query", let type = request.query["type"] { counters["query \(type)", default: 0] += 1 }
    }

    /// The path with ids replaced, so counters group by route: `/api/vApp/vapp-{id}/power/action/powerOn`.
    static func routeKey(_ path: String) -> String {
        path.split(separator: "/").map { segment -> String in
            let text = String(segment)
            if isUUID(text) { return "{id}" }
            if let dash = text.firstIndex(of: "-"), isUUID(String(text[text.index(after: dash)...])) { return text[..<dash] + "-{id}" }
            return text
        }.reduce("") { $0 + "/" + $1 }
    }

    static func isUUID(_ text: String) -> Bool {
        text.count == 36 && text.split(separator: "-").map(\.count) == [8, 4, 4, 4, 12]
    }

    // MARK: persistence

    func saveIfNeeded() throws {
        guard dirty else { return }
        dirty = false
        guard let file = options.stateFile else { return }
        try Self.write(state, to: file)
    }

    static func write(_ state: SimState, to file: String) throws {
        let data = try JSONEncoder.sim.encode(state)
        let url = URL(fileURLWithPath: file)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        // Written whole and renamed: a crash leaves the old state or the new one, never half of one.
        try data.write(to: url, options: .atomic)
    }

    // MARK: helpers for handlers

    func render() -> SimRender { SimRender(state: state, base: baseURL) }

    func require(_ caller: SimCaller, canSee orgID: String) throws {
        guard caller.isSystemAdministrator || caller.org.id == orgID else {
            throw SimFault.forbidden("Either you need some or all of the following rights [Organization View] to perform operations [View] for this entity or the target entity is invalid.")
        }
    }

    func requireSystemAdministrator(_ caller: SimCaller) throws {
        guard caller.isSystemAdministrator else {
            throw SimFault.forbidden("This operation is denied: only a system administrator may do this.")
        }
    }

    func parseBody(_ request: SimRequest) throws -> SimXML {
        guard !request.body.isEmpty else { throw SimFault.badRequest("the request needs an XML body") }
        return try SimXML.parse(request.body)
    }
}

extension JSONEncoder {
    static var sim: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}

extension JSONDecoder {
    static var sim: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }
}
