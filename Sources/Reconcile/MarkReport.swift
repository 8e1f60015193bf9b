import Foundation
import Observe
import Store

/// How the observer's mark findings reach a cluster's status: a `MarksTrusted` condition (a line in `cse describe`)
/// and, when the findings change, a warning event.
enum MarkReport {
    static let condition = "MarksTrusted"

    /// Findings by the cluster id they concern.
    static func byCluster(_ snapshot: Snapshot) -> [String: [MarkFinding]] {
        var result: [String: [MarkFinding]] = [:]
        for finding in snapshot.markFindings {
            if let id = finding.clusterID { result[id, default: []].append(finding) }
        }
        return result
    }

    /// Updates the condition; returns the event to record (reason, message) when the findings changed.
    static func apply(_ findings: [MarkFinding], to status: inout ObjectStatus, at time: Date) -> (reason: String, message: String)? {
        let previous = status.condition(condition)
        guard !findings.isEmpty else {
            guard let previous, previous.status != .true else { return nil }
            status.setCondition(condition, status: .true, reason: "MarksConsistent", message: "cse's SYSTEM-domain marks are consistent", at: time)
            return nil
        }
        let message = Array(Set(findings.map(\.message))).sorted().joined(separator: "; ")
        let kinds = Set(findings.map(\.kind))
        let reason = [MarkFinding.Kind.conflict, .misplaced, .tampered].first { kinds.contains($0) }?.rawValue ?? "MarkTampered"
        status.setCondition(condition, status: .false, reason: reason, message: message, at: time)
        return previous?.message == message && previous?.status == .false ? nil : (reason, message)
    }
}
