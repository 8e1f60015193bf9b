import Foundation
import Logging
import Spec
import Store

/// CSE's tenant API (`/api/cluster...`, `/api/template`) over the desired-state store. A request only edits
/// desired state and answers at once; the reconciler does the work and ends the task the answer hands out.
public struct ClusterAPI: Sendable {
    let store: DesiredStateStore
    let callers: any CallerResolver
    let tasks: any TaskPublisher
    let kubeconfigs: any KubeconfigSource
    /// nil: placements are not checked before a create (they fail later, in the reconciler).
    let placements: (any PlacementChecker)?
    let logger: Logger
    /// Every write of a request goes through it: concurrent requests share one durable commit.
    let commits: GroupCommit
    let inFlight = RequestsInFlight()

    public init(store: DesiredStateStore, callers: any CallerResolver, tasks: any TaskPublisher, kubeconfigs: any KubeconfigSource,
                placements: (any PlacementChecker)? = nil, logger: Logger = Logger(label: "cse.api")) {
        self.placements = placements
        self.store = store
        self.callers = callers
        self.tasks = tasks
        self.kubeconfigs = kubeconfigs
        self.logger = logger
        self.commits = GroupCommit(store: store)
    }

    /// Commits and pieces the tenant path wrote so far (how well concurrent requests share commits).
    public var commitStatistics: GroupCommit.Statistics { commits.statistics }

    /// Answers a request and commits everything it writes before returning.
    public func handle(_ request: ExtensionRequest, mayBeRepeat: Bool = true) async -> ExtensionReply {
        let handled = await respond(to: request, mayBeRepeat: mayBeRepeat)
        do {
            try await handled.settle()
        } catch {
            return internalError(request, error)
        }
        return handled.reply
    }

    /// Answers a request once its change committed, leaving the writes that only record the answer (the vCD task's
    /// href, the final reply) to `settle()`, which the caller awaits after sending the answer and before
    /// acknowledging the request. Two deliveries of one request (a redelivery while its original is still in flight)
    /// are handled one after the other: the second starts once the first settled.
    ///
    /// `mayBeRepeat: false` (the delivery's AMQP `redelivered` flag is clear) skips reading the request log before the
    /// caller is checked. AMQP 0-9-1 makes that flag a hint a client must not rely on, and nothing here does: a change
    /// still looks its request up in the log inside its own write and answers a repeat from there, and a repeated create
    /// finds its cluster and task (`repeatedCreate`).
    public func respond(to request: ExtensionRequest, mayBeRepeat: Bool = true) async -> HandledRequest {
        await inFlight.claim(request.id)
        let inFlight = self.inFlight
        let settlement = Settlement(commits: commits, finished: { inFlight.release(request.id) })
        let reply = await Settlement.$current.withValue(settlement) { await handleAlone(request, mayBeRepeat: mayBeRepeat) }
        return HandledRequest(reply: reply, settlement: settlement)
    }

    private func handleAlone(_ request: ExtensionRequest, mayBeRepeat: Bool) async -> ExtensionReply {
        do {
            if mayBeRepeat, let logged = try store.loggedRequestCached(request.id), let reply = try await redelivered(request, logged) {
                return reply
            }
            guard let caller = try await callers.caller(for: request) else {
                return .error(401, "not logged in or session expired")
            }
            return try await route(request, caller: caller)
        } catch let failure as RequestFailure {
            return .error(failure.status, failure.message)
        } catch let error as StoreError {
            if case .generationConflict = error { return .error(409, "the cluster changed meanwhile; retry") }
            if case .nameTaken(_, let existing) = error { return .error(409, "the name is taken by cluster '\(existing)' (case does not tell names apart)") }
            return internalError(request, error)
        } catch {
            return internalError(request, error)
        }
    }

    private func internalError(_ request: ExtensionRequest, _ error: any Error) -> ExtensionReply {
        // Details go to the log under the request id; the tenant gets no internals.
        logger.error("request \(request.id) \(request.method) \(request.path) failed: \(error)")
        return .error(500, "internal error (request \(request.id))")
    }

    private func route(_ request: ExtensionRequest, caller: Caller) async throws -> ExtensionReply {
        let parts = request.path.split(separator: "/").map(String.init)
        guard parts.count >= 2, parts[0] == "api" else { throw RequestFailure.notFound("no such resource: \(request.path)") }
        let segments = Array(parts.dropFirst())
        let resource = segments.first ?? ""
        let name = segments.count > 1 ? segments[1] : nil
        let sub = segments.count > 2 ? segments[2] : nil
        switch (request.method, resource, name, sub, segments.count) {
        case ("GET", "cluster", nil, nil, 1): return try list(caller, org: request.query["org"])
        case ("POST", "cluster", nil, nil, 1): return try await create(request, caller: caller)
        case ("GET", "cluster", let name?, nil, 2): return try info(name, caller: caller, org: request.query["org"])
        case ("PUT", "cluster", let name?, nil, 2): return try await resize(name, request: request, caller: caller)
        case ("DELETE", "cluster", let name?, nil, 2): return try await delete(name, request: request, caller: caller)
        case ("GET", "cluster", let name?, "config", 3):
            return try await config(name, caller: caller, org: request.query["org"], accept: request.headers["accept"])
        case ("GET", "template", nil, nil, 1), ("GET", "templates", nil, nil, 1): return try templates()
        case (_, "cluster", _, nil, 1...2), (_, "cluster", _, "config", 3), (_, "template", nil, nil, 1), (_, "templates", nil, nil, 1):
            throw RequestFailure(status: 405, message: "method \(request.method) not allowed on \(request.path)")
        default:
            throw RequestFailure.notFound("no such resource: \(request.path)")
        }
    }

    // MARK: reads

    private func list(_ caller: Caller, org: String?) throws -> ExtensionReply {
        let scope = caller.isSystemAdministrator ? org : caller.org
        let clusters = try store.objects(kind: .cluster, org: scope, includeDeleting: true)
        let items: [[String: Any]] = try clusters.map { object in
            let status = try store.status(of: object.uid)
            return ClusterView.summary(object, status: status)
        }
        return ExtensionReply(status: 200, body: JSON.encode(items))
    }

    private func info(_ name: String, caller: Caller, org: String?) throws -> ExtensionReply {
        let object = try find(name, caller: caller, org: org)
        let status = try store.status(of: object.uid)
        return ExtensionReply(status: 200, body: JSON.encode(ClusterView.detail(object, status: status, events: try store.events(of: object.uid, limit: 20))))
    }

    private func config(_ name: String, caller: Caller, org: String?, accept: String?) async throws -> ExtensionReply {
        let object = try find(name, caller: caller, org: org)
        let status = try store.status(of: object.uid)
        guard !object.isDeleting else { throw RequestFailure.notFound("cluster '\(name)' is being deleted") }
        guard status.phase == .ready || status.phase == .updating, status.observed?.masterIP != nil else {
            throw RequestFailure.conflict("cluster '\(name)' is not ready yet (\(status.phase.rawValue))")
        }
        let kubeconfig = try await kubeconfigs.kubeconfig(for: object, status: status)
        // One of the two ways the admin credentials leave cse (with `cse kubeconfig`): recorded, who and when.
        _ = try store.recordEvent(for: object, reason: "KubeconfigRead", message: "admin kubeconfig read by \(caller.user)@\(caller.org) (tenant API)")
        // vcd-cli 19 reads the body as a JSON string literal; later clients read {"message": ...}.
        return ExtensionReply(status: 200, body: JSON.encode(kubeconfig), contentType: accept?.contains("yaml") == true ? "text/x-yaml" : "application/json")
    }

    private func templates() throws -> ExtensionReply {
        let templates = try store.objects(kind: .template, includeDeleting: false)
        let items: [[String: Any]] = templates.enumerated().compactMap { index, object in
            guard case .template(let spec) = object.object else { return nil }
            return ["name": spec.name, "is_default": templates.count == 1 || index == 0, "catalog": spec.build.catalog,
                    "catalog_item": spec.catalogItem, "os": spec.os.description, "kubernetes": spec.versions.kubernetes,
                    "description": "\(spec.os) with \(spec.versions.summary)"]
        }
        return ExtensionReply(status: 200, body: JSON.encode(items))
    }

    // MARK: changes

    private func create(_ request: ExtensionRequest, caller: Caller) async throws -> ExtensionReply {
        let body = try CreateClusterRequest.parse(request.body)
        let org = try targetOrg(caller, requested: body.org ?? request.query["org"])
        if let placements, let problem = try await placements.problem(org: org, vdc: body.vdc, network: body.network) {
            throw RequestFailure(status: problem.status, message: problem.message)
        }
        // The template is chosen inside the write that stores the cluster (it cannot go away in between, and a create
        // reads nothing before its write); the rest of the spec is made ready here.
        let draft = ClusterSpec(name: body.name, org: org, vdc: body.vdc, template: "", network: body.network,
                               nodes: NodePool(count: body.nodeCount, cpu: body.cpu, memoryMB: body.memoryMB),
                               storageProfile: body.storageProfile, sshKey: body.sshKey)
        let requestedTemplate = body.template
        let owner = Owner.tenant(org: caller.org, user: caller.user)
        let user = caller.user
        do {
            return try await change(request, operation: .create) { tx in
                var spec = draft
                spec.template = try Self.chooseTemplate(requestedTemplate, in: tx)
                let new = try NewObject(.cluster(spec), owner: owner)
                if let existing = try tx.sameName(as: new.object.key) {
                    guard existing.name == spec.name else { throw StoreError.nameTaken(new.object.key, existing: existing.name) }
                    // A cluster being deleted keeps its name until vCD confirms it gone: restoring it here would bring the
                    // old one back and leave the delete's task running for ever.
                    guard !existing.isDeleting else {
                        throw RequestFailure.conflict("cluster '\(spec.name)' is being deleted in org '\(org)'; create it again once the deletion has finished")
                    }
                    throw ClusterExists(spec: spec)
                }
                let object = try tx.insert(new)
                let task = try tx.insertTenantTask(objectUID: object.uid, operation: .create, targetGeneration: object.generation, org: org, user: user)
                return (object, task)
            }
        } catch let exists as ClusterExists {
            if let repeated = try await repeatedCreate(request, spec: exists.spec, caller: caller) { return repeated }
            throw RequestFailure.conflict("cluster '\(exists.spec.name)' already exists in org '\(org)'")
        }
    }

    private func resize(_ name: String, request: ExtensionRequest, caller: Caller) async throws -> ExtensionReply {
        guard let body = (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any] else {
            throw RequestFailure.badRequest(["body must be a JSON object with node_count"])
        }
        var problems: [String] = []
        let count = CreateClusterRequest.integer(body["node_count"], "node_count", range: ClusterSpec.nodeCountRange, &problems)
        guard let count, problems.isEmpty else { throw RequestFailure.badRequest(problems.isEmpty ? ["node_count is required"] : problems) }
        let current = try find(name, caller: caller, org: request.query["org"])
        guard !current.isDeleting, case .cluster(var spec) = current.object else { throw RequestFailure.conflict("cluster '\(name)' is being deleted") }
        spec.nodes.count = count
        let resized = spec
        let user = caller.user
        return try await change(request, operation: .resize) { tx in
            let (object, _) = try tx.put(.cluster(resized), owner: current.owner, expectedGeneration: current.generation)
            let task = try tx.insertTenantTask(objectUID: object.uid, operation: .resize, targetGeneration: object.generation,
                                               org: resized.org, user: user)
            return (object, task)
        }
    }

    private func delete(_ name: String, request: ExtensionRequest, caller: Caller) async throws -> ExtensionReply {
        let current = try find(name, caller: caller, org: request.query["org"])
        let user = caller.user
        return try await change(request, operation: .delete) { tx in
            let (object, _) = try tx.markDeleted(current.key)
            let task = try tx.insertTenantTask(objectUID: object.uid, operation: .delete, targetGeneration: object.generation,
                                               org: current.key.org, user: user)
            return (object, task)
        }
    }

    /// A redelivery: the same answer, never a second change. nil when the log holds nothing to answer with.
    private func redelivered(_ request: ExtensionRequest, _ logged: LoggedRequest) async throws -> ExtensionReply? {
        if let status = logged.status, let reply = logged.reply { return ExtensionReply(status: status, body: reply) }
        if let taskID = logged.tenantTaskID { return try await resume(request, taskID: taskID) }
        return nil
    }

    /// Finishes a request whose change committed but whose vCD task was not created (the process stopped between).
    private func resume(_ request: ExtensionRequest, taskID: Int64) async throws -> ExtensionReply {
        guard let task = try store.tenantTask(id: taskID), let object = try store.object(uid: task.objectUID) else {
            throw RequestFailure(status: 500, message: "internal error (request \(request.id))")
        }
        return try await answer(request, task: task, object: object, lookFirst: true)
    }

    /// The same user asking again for the same cluster (same spec) that an earlier request of theirs committed: the
    /// tenant never saw that answer (vCD gave up after its 10 s extension timeout, or vCD refused the task), so the
    /// retry gets that create's task, made now if it was not, instead of a 409 about a cluster it did not know of.
    private func repeatedCreate(_ request: ExtensionRequest, spec: ClusterSpec, caller: Caller) async throws -> ExtensionReply? {
        guard let existing = try store.object(ObjectKey(kind: .cluster, org: spec.org, name: spec.name)),
              !existing.isDeleting, existing.specHash == DesiredObject.cluster(spec).specHash,
              existing.owner == .tenant(org: caller.org, user: caller.user),
              let task = try store.tenantTasks(states: [.pending, .running, .success, .error]).first(where: {
                  $0.objectUID == existing.uid && $0.operation == .create && $0.user == caller.user
              }) else { return nil }
        let requestID = request.id
        try await commits.write { tx in try tx.recordRequest(requestID, tenantTaskID: task.id) }
        return try await answer(request, task: task, object: existing, lookFirst: true)
    }

    /// A create's write found a live cluster under the same name: an earlier create of the same tenant (a repeat) or a
    /// conflict, told apart outside the write.
    private struct ClusterExists: Error {
        var spec: ClusterSpec
    }

    /// What a change's write found: applied now, or its request already in the log (a redelivery that raced its original).
    private enum ChangeOutcome: Sendable {
        case applied(StoredObject, TenantTask)
        case logged(LoggedRequest)
    }

    /// A change (create, resize, delete): one group-committed write holds the desired-state change, its tenant task and
    /// the request's log entry; then the vCD task is made and the answer given.
    private func change(_ request: ExtensionRequest, operation: TenantTask.Operation,
                        _ write: @escaping @Sendable (DesiredStateStore.Transaction) throws -> (StoredObject, TenantTask)) async throws -> ExtensionReply {
        let requestID = request.id
        let outcome = try await commits.write { tx -> ChangeOutcome in
            if let logged = try tx.loggedRequestCached(requestID) { return .logged(logged) }
            let (object, task) = try write(tx)
            try tx.recordRequest(requestID, tenantTaskID: task.id)
            return .applied(object, task)
        }
        switch outcome {
        case .applied(let object, let task):
            return try await answer(request, task: task, object: object, lookFirst: false)
        case .logged(let logged):
            guard let reply = try await redelivered(request, logged) else {
                throw RequestFailure(status: 500, message: "internal error (request \(request.id))")
            }
            return reply
        }
    }

    /// Makes (or finds) the vCD task of a committed change; its href and the final answer are recorded in one write
    /// that the request's settlement commits.
    private func answer(_ request: ExtensionRequest, task: TenantTask, object: StoredObject, lookFirst: Bool) async throws -> ExtensionReply {
        let href = try await publish(task: task, object: object, requestID: request.id, lookFirst: lookFirst)
        let body = task.operation == .create
            ? JSONText.object([("name", .string(object.key.name)), ("cluster_id", .string(object.uid)), ("task_href", .string(href))])
            : JSONText.object([("cluster_name", .string(object.key.name)), ("task_href", .string(href))])
        let reply = ExtensionReply(status: 202, body: body)
        let requestID = request.id
        let newHref = task.taskHref == nil ? href : nil
        let record: Settlement.Write = { tx in
            if let newHref { try tx.recordTaskHref(newHref, ofTenantTask: task.id) }
            try tx.recordRequest(requestID, tenantTaskID: task.id, status: reply.status, reply: reply.body)
        }
        // Committed before the request is acknowledged, in the same batch as later requests' changes.
        if let settlement = Settlement.current { settlement.add(record) } else { try await commits.write(record) }
        return reply
    }

    /// Creates the vCD task after the change committed (so a crash in between loses nothing: the redelivered
    /// request finds the logged change and creates the task then). A refusal by vCD is retried briefly (vCD waits
    /// 10 s for the answer); if it persists the tenant gets 503 and a retry of the same command finishes the job.
    /// `lookFirst`: an earlier attempt may have made the task and stopped before recording it (a resumed request).
    private func publish(task: TenantTask, object: StoredObject, requestID: String, lookFirst: Bool) async throws -> String {
        if let existing = task.taskHref { return existing }
        let operation = task.operation.rawValue
        var lastError: (any Error)?
        for (attempt, delay) in [0, 200, 800].enumerated() {
            if delay > 0 { try? await Task.sleep(for: .milliseconds(delay)) }
            // After a failed attempt vCD may have made the task all the same (the answer was lost): look before making another.
            if lookFirst || attempt > 0,
               let found = try? await tasks.existingTask(org: task.org, operation: operation, clusterName: object.key.name, clusterID: object.uid) {
                logger.notice("request \(requestID): found the vCD task an interrupted attempt made (\(found)); using it")
                return found
            }
            do {
                return try await tasks.createTask(org: task.org, user: task.user, operation: operation, clusterName: object.key.name,
                                                  clusterID: object.uid)
            } catch {
                lastError = error
                logger.warning("request \(requestID): creating the vCD task for \(operation) of \(object.key) failed: \(error)")
            }
        }
        throw RequestFailure(status: 503, message: "the \(operation) of cluster '\(object.key.name)' is recorded, but vCD did not create its task "
                                 + "(\(lastError.map { "\($0)" } ?? "unknown error")); run the same command again to get it")
    }

    // MARK: lookups

    private func find(_ name: String, caller: Caller, org: String?) throws -> StoredObject {
        let scope = caller.isSystemAdministrator ? org : caller.org
        let matches = try store.objects(kind: .cluster, org: scope).filter { $0.key.name == name }
        guard let first = matches.first else { throw RequestFailure.notFound("cluster '\(name)' not found") }
        guard matches.count == 1 else {
            throw RequestFailure.badRequest(["cluster '\(name)' exists in several orgs (\(matches.map(\.key.org).joined(separator: ", "))); add ?org="])
        }
        return first
    }

    private func targetOrg(_ caller: Caller, requested: String?) throws -> String {
        guard let requested, requested != caller.org else { return caller.org }
        guard caller.isSystemAdministrator else { throw RequestFailure.forbidden("a tenant can only create clusters in its own org") }
        return requested
    }

    /// The requested template if it is live, else the first live one; read in the write that uses it.
    private static func chooseTemplate(_ requested: String?, in tx: DesiredStateStore.Transaction) throws -> String {
        if let requested {
            guard try tx.liveTemplateName(requested) != nil else { throw RequestFailure.badRequest(["template '\(requested)' does not exist"]) }
            return requested
        }
        guard let first = try tx.liveTemplateName(nil) else { throw RequestFailure.badRequest(["no template is available; ask the administrator"]) }
        return first
    }
}
