import Foundation

/// Tasks: every change runs as one, ends after `taskSeconds`, and its effect lands when it succeeds.
extension Simulator {
    /// Starts a task on an entity; refuses with BUSY_ENTITY when the entity (or a related one) has one running.
    func startTask(operation: String, name: String, org: String, caller: SimCaller, object: (kind: SimEntityKind, id: String, name: String),
                   effect: SimEffect, lockAlso: [String] = [], now: Date, method: String, path: String) throws -> SimTask {
        for id in [object.id] + lockAlso {
            if let running = state.runningTask(on: id) {
                throw SimFault.busy("The entity \(object.name) is busy completing an operation \(running.operationName).")
            }
        }
        if faults.fire([.busyEntity], method: method, path: path, operation: operation) != nil {
            throw SimFault.busy("The entity \(object.name) is busy completing an operation (injected).")
        }
        var willFail = faults.fire([.taskFailure], method: method, path: path, operation: operation) != nil
        if operation.hasSuffix("PowerOn"), faults.fire([.powerOnFailure], method: method, path: path, operation: operation) != nil { willFail = true }
        let task = SimTask(id: state.newID(0x7a5c), operation: operation, operationName: name, org: org, user: caller.user.id,
                           objectID: object.id, objectKind: object.kind, objectName: object.name, status: .running, startedAt: now,
                           finishAt: now.addingTimeInterval(options.taskSeconds), effect: effect, willFail: willFail)
        state.tasks[task.id] = task
        dirty = true
        return task
    }

    func taskResponse(_ task: SimTask, status: Int = 202) -> SimResponse {
        .xml(status, render().task(task), type: "application/vnd.vmware.vcloud.task+xml")
    }

    /// Applies what time has done since the last request: tasks that ended, guests that reported.
    func advance(to now: Date) {
        let due = state.tasks.values.filter { !$0.status.isFinished && !$0.isExtensionTask && ($0.finishAt ?? .distantFuture) <= now }
            .sorted { ($0.finishAt ?? now, $0.id) < ($1.finishAt ?? now, $1.id) }
        for var task in due {
            if task.willFail {
                task.status = .error
                task.errorMessage = failureMessage(for: task)
                undoPlaceholders(of: task)
            } else {
                do {
                    try apply(task.effect, task: task, at: task.finishAt ?? now)
                    task.status = .success
                } catch let fault as SimFault {
                    task.status = .error
                    task.errorMessage = fault.message
                    undoPlaceholders(of: task)
                } catch {
                    task.status = .error
                    task.errorMessage = "\(error)"
                }
            }
            task.progress = 100
            task.endedAt = task.finishAt ?? now
            state.tasks[task.id] = task
            dirty = true
        }
        for (fraction, id) in state.tasks.values.filter({ !$0.status.isFinished && !$0.isExtensionTask }).map({ task -> (Int, String) in
            let total = max(0.001, (task.finishAt ?? now).timeIntervalSince(task.startedAt))
            return (min(99, Int(now.timeIntervalSince(task.startedAt) / total * 100)), task.id)
        }) {
            state.tasks[id]?.progress = max(0, fraction)
        }
        advanceGuests(to: now)
        pruneFinishedTasks(now: now)
    }

    private func failureMessage(for task: SimTask) -> String {
        switch task.operation {
        case "vappDeploy", "vmPowerOn", "vappPowerOn": return "Unable to start \(task.objectName): the host has insufficient resources (injected)."
        default: return "\(task.operationName) failed: internal error on the host (injected)."
        }
    }

    /// A failed create leaves nothing behind: vCD cleans up a vApp whose creation failed.
    private func undoPlaceholders(of task: SimTask) {
        if task.operation == "vdcComposeVapp" || task.operation == "vdcInstantiateVapp" {
            let vApp = task.objectID
            for vm in state.vmsOf(vApp: vApp) {
                state.releaseIPs(of: vm.id)
                state.vms[vm.id] = nil
            }
            state.vApps[vApp] = nil
            state.removeMetadata(of: vApp)
        }
        switch task.effect {
        case .capture(_, let template), .resolveTemplate(let template):
            if let item = state.templates[template]?.catalogItem { state.catalogItems[item] = nil }
            state.templates[template] = nil
        default:
            break
        }
    }

    /// Finished tasks are kept for an hour (vCD keeps them for days; queries filter by status).
    private func pruneFinishedTasks(now: Date) {
        guard state.tasks.count > 2000 else { return }
        for (id, task) in state.tasks where task.status.isFinished && (task.endedAt ?? now) < now.addingTimeInterval(-3600) {
            state.tasks[id] = nil
        }
    }

    // MARK: task routes

    func taskDocument(_ id: String, caller: SimCaller) throws -> SimResponse {
        guard let task = state.tasks[id] else { throw SimFault.forbidden("No access to entity \"com.vmware.vcloud.entity.task:\(id)\".") }
        try require(caller, canSee: task.org)
        return taskResponse(task, status: 200)
    }

    func cancelTask(_ id: String, caller: SimCaller, now: Date) throws -> SimResponse {
        guard var task = state.tasks[id] else { throw SimFault.notFound("no task \(id)") }
        try require(caller, canSee: task.org)
        guard !task.status.isFinished else { throw SimFault.badRequest("the task has already finished") }
        task.status = .aborted
        task.errorMessage = "canceled by \(caller.user.name)"
        task.endedAt = now
        state.tasks[id] = task
        dirty = true
        return SimResponse(status: 204)
    }

    func tasksList(_ orgID: String, caller: SimCaller) throws -> SimResponse {
        try require(caller, canSee: orgID)
        let r = render()
        let tasks = state.tasks.values.filter { $0.org == orgID }.sorted { $0.startedAt > $1.startedAt }.prefix(128)
        return .xml(200, r.root("TasksList", ["name": "Tasks Lists", "href": r.href(.tasksList, orgID), "type": "application/vnd.vmware.vcloud.tasksList+xml"],
                                tasks.map { r.task($0, asRoot: false) }.joined()),
                    type: "application/vnd.vmware.vcloud.tasksList+xml")
    }

    /// An API extension (system administrator) creates a task in a tenant's org for the tenant to poll.
    func createExtensionTask(_ request: SimRequest, orgID: String, caller: SimCaller, now: Date) throws -> SimResponse {
        try requireSystemAdministrator(caller)
        guard let org = state.orgs[orgID] else { throw SimFault.notFound("no org \(orgID)") }
        let body = try parseBody(request)
        guard body.name == "Task" else { throw SimFault.badRequest("expected a Task document, got \(body.name)") }
        // TaskType's User is a ReferenceType: its href (required) names the user, as vCD resolves references.
        var user = caller.user
        if let reference = body.first("User") {
            guard let href = reference["href"], let named = state.users[Self.entityID(href, prefix: "") ?? ""] else {
                throw SimFault.badRequest("Bad request: the task's User must reference an existing user by href")
            }
            user = named
        }
        let status = SimTaskStatus(rawValue: body["status"] ?? "running") ?? .running
        let task = SimTask(id: state.newID(0x7a5c), operation: body["operation"] ?? "", operationName: body["operationName"] ?? "extension task",
                           org: orgID, user: user.id, objectID: orgID, objectKind: .org, objectName: body.first("Owner")?["name"] ?? org.name,
                           status: status, startedAt: now, finishAt: nil, endedAt: status.isFinished ? now : nil, effect: .none,
                           errorMessage: body.first("Error")?["message"], details: body.first("Details")?.text ?? "", isExtensionTask: true)
        state.tasks[task.id] = task
        dirty = true
        return taskResponse(task, status: 200)
    }

    /// The extension moves its task on (status, message, error).
    func updateExtensionTask(_ request: SimRequest, taskID: String, caller: SimCaller, now: Date) throws -> SimResponse {
        try requireSystemAdministrator(caller)
        guard var task = state.tasks[taskID] else { throw SimFault.notFound("no task \(taskID)") }
        guard task.isExtensionTask else { throw SimFault.badRequest("only tasks created by an extension can be updated") }
        let body = try parseBody(request)
        if let status = body["status"] {
            guard let parsed = SimTaskStatus(rawValue: status) else { throw SimFault.badRequest("unknown task status '\(status)'") }
            task.status = parsed
            if parsed.isFinished && task.endedAt == nil { task.endedAt = now }
        }
        if let operation = body["operation"] { task.operation = operation }
        if let message = body.first("Error")?["message"] { task.errorMessage = message }
        if let details = body.first("Details")?.text { task.details = details }
        if let progress = body.first("Progress").flatMap({ Int($0.text) }) { task.progress = progress }
        state.tasks[taskID] = task
        dirty = true
        return taskResponse(task, status: 200)
    }
}
