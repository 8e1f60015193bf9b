import Foundation
import Observe
import Store

/// How the observer's mark findings reach a cluster's status: a `MarksTrusted` condition (a line in `cse describe`)
/// and, when the findings change, a warning event.
enum MarkReport {
    static let condition = "MarksTrusted"

    /// Findings by the desired object they concern: clusters by uid, templates by name.
    static func byObject(_ snapshot: Snapshot) -> (clusters: [String: [MarkFinding]], templates: [String: [MarkFinding]]) {
        var clusters: [String: [MarkFinding]] = [:], templates: [String: [MarkFinding]] = [:]
        for finding in snapshot.markFindings {
            for id in Set([finding.clusterID, finding.claimedClusterID].compactMap { $0 }) { clusters[id, default: []].append(finding) }
            if let name = finding.templateName { templates[name, default: []].append(finding) }
        }
        return (clusters, templates)
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
