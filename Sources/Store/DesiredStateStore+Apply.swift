import Spec

/// What `cse apply` changed in desired state.
public struct ApplyReport: Sendable {
    public struct Entry: Sendable, Hashable {
        public var key: ObjectKey
        public var outcome: WriteOutcome
        public var generation: Int
    }

    public var entries: [Entry]
    /// Admin-owned objects that the applied specs no longer contain, left alone because `prune` was off.
    public var notInSpecs: [ObjectKey]

    public func count(_ outcome: WriteOutcome) -> Int { entries.filter { $0.outcome == outcome }.count }
    public var changed: Bool { entries.contains { $0.outcome != .unchanged } }
}

extension DesiredStateStore {
    /// Writes a validated spec set as the administrator's desired state, in one transaction.
    /// With `prune`, admin-owned objects missing from the set are marked for deletion; tenant-owned ones never are.
    public func apply(_ specs: SpecSet, prune: Bool) throws -> ApplyReport {
        try transaction { tx in
            var entries: [ApplyReport.Entry] = []
            var wanted = Set<ObjectKey>()
            for loaded in specs.objects {
                let (stored, outcome) = try tx.put(loaded.object, owner: .admin)
                wanted.insert(stored.key)
                entries.append(.init(key: stored.key, outcome: outcome, generation: stored.generation))
            }
            var notInSpecs: [ObjectKey] = []
            for existing in try tx.objects() where existing.owner == .admin && !existing.isDeleting && !wanted.contains(existing.key) {
                if prune {
                    let (stored, outcome) = try tx.markDeleted(existing.key)
                    entries.append(.init(key: stored.key, outcome: outcome, generation: stored.generation))
                } else {
                    notInSpecs.append(existing.key)
                }
            }
            return ApplyReport(entries: entries, notInSpecs: notInSpecs)
        }
    }
}
