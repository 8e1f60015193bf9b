import Foundation
import Spec

/// The body of `POST /api/cluster` as vcd-cli 19 sends it: every field present, unset ones null,
/// `cpu_count` and `memory` as strings. Every problem is collected, not just the first.
struct CreateClusterRequest {
    var name: String
    var nodeCount: Int
    var vdc: String
    var network: String?
    var cpu: Int?
    var memoryMB: Int?
    var storageProfile: String?
    var sshKey: String?
    var template: String?
    var org: String?

    static func parse(_ body: Data) throws -> CreateClusterRequest {
        guard let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else {
            throw RequestFailure.badRequest(["body must be a JSON object"])
        }
        var problems: [String] = []
        let known: Set<String> = ["name", "node_count", "vdc", "network", "cpu_count", "memory", "storage_profile", "ssh_key", "template", "org"]
        for key in object.keys.sorted() where !known.contains(key) { problems.append("unknown field '\(key)'") }
        let name = string(object["name"], "name", required: true, &problems)
        if let name, let problem = NameRules.clusterNameProblem(name) { problems.append("name '\(name)' \(problem)") }
        let nodeCount = integer(object["node_count"], "node_count", range: ClusterSpec.nodeCountRange, &problems) ?? 2
        let vdc = string(object["vdc"], "vdc", required: true, &problems)
        let cpu = integer(object["cpu_count"], "cpu_count", range: VMResources.cpuRange, &problems)
        let memory = integer(object["memory"], "memory", range: VMResources.memoryRange, &problems)
        if let memory, memory % 4 != 0 { problems.append("memory is \(memory) MB; vCD needs a multiple of 4") }
        var storage = string(object["storage_profile"], "storage_profile", required: false, &problems)
        if storage == "*" { storage = nil }
        let sshKey = string(object["ssh_key"], "ssh_key", required: false, &problems)
        if let sshKey, !sshKey.hasPrefix("ssh-"), !sshKey.hasPrefix("ecdsa-") { problems.append("ssh_key is not an ssh public key") }
        if let sshKey, sshKey.utf8.count > NameRules.maxSSHKeyBytes {
            problems.append("ssh_key is \(sshKey.utf8.count) bytes; at most \(NameRules.maxSSHKeyBytes) allowed")
        }
        guard problems.isEmpty, let name, let vdc else { throw RequestFailure.badRequest(problems) }
        return CreateClusterRequest(name: name, nodeCount: nodeCount, vdc: vdc,
                                    network: string(object["network"], "network", required: false, &problems), cpu: cpu, memoryMB: memory,
                                    storageProfile: storage, sshKey: sshKey, template: string(object["template"], "template", required: false, &problems),
                                    org: string(object["org"], "org", required: false, &problems))
    }

    static func string(_ value: Any?, _ field: String, required: Bool, _ problems: inout [String]) -> String? {
        switch value {
        case nil, is NSNull:
            if required { problems.append("\(field) is required") }
            return nil
        case let text as String where !text.isEmpty: return text
        case is String:
            if required { problems.append("\(field) is required") }
            return nil
        default:
            problems.append("\(field) must be a string")
            return nil
        }
    }

    /// An integer given as a JSON number or as a string of digits (vcd-cli sends cpu and memory as strings).
    static func integer(_ value: Any?, _ field: String, range: ClosedRange<Int>, _ problems: inout [String]) -> Int? {
        let number: Int?
        switch value {
        case nil, is NSNull: return nil
        case let text as String: number = Int(text.trimmingCharacters(in: .whitespaces))
        case let value as NSNumber where String(cString: value.objCType) != "c" && value.doubleValue == value.doubleValue.rounded():
            number = value.intValue  // objCType "c" is a JSON true/false
        default: number = nil
        }
        guard let number else {
            problems.append("\(field) must be an integer")
            return nil
        }
        guard range.contains(number) else {
            problems.append("\(field) is \(number), out of range \(range.lowerBound)...\(range.upperBound)")
            return nil
        }
        return number
    }
}
