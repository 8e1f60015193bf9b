import Foundation
import Spec
import Store
import TenantAPI

/// vCD stand-ins for the benchmark: every token is a tenant of org `bench`; tasks get local hrefs.
struct BenchmarkCallers: CallerResolver {
    func caller(for request: ExtensionRequest) async throws -> Caller? {
        request.token == nil ? nil : Caller(user: "bench-user", org: "bench", isSystemAdministrator: false)
    }
}

struct BenchmarkTasks: TaskPublisher {
    func createTask(org: String, user: String, operation: String, clusterName: String, clusterID: String) async throws -> String {
        "https://vcd.invalid/api/task/\(clusterID)"
    }
}

struct NoKubeconfigs: KubeconfigSource {
    struct Unavailable: Error {}
    func kubeconfig(for cluster: StoredObject, status: ObjectStatus) async throws -> String { throw Unavailable() }
}

enum BenchmarkRequests {
    static let template = TemplateSpec(
        name: "bench-template", labels: [], os: OperatingSystem(family: .ubuntu, version: "16.04"),
        source: OVASource(url: "https://example.invalid/u.ova", sha1: String(repeating: "0", count: 40), catalogItem: "u.ova"),
        build: BuildSite(org: "cse", vdc: "cse-vdc", network: "cse-net", ipAllocationMode: .pool, catalog: "cse", tempVApp: "bench",
                         cleanup: true, capture: true, storageProfile: nil),
        catalogItem: "bench-template", diskSizeMB: 0, versions: SoftwareVersions(kubernetes: "1.8.2", docker: "17.09.0-ce", weave: "2.0.5"),
        master: .defaultMaster, node: .defaultNode, adminSSHKey: nil, rootPassword: .environment("CSE_BENCH_UNUSED"))

    /// vcd-cli 19's `POST /api/cluster` as vCD forwards it: a JSON array of the request and a security context.
    static func createCluster(index: Int, requestID: String, prefix: String = "bench") -> Data {
        let body: [String: Any] = ["name": "\(prefix)-\(index)", "node_count": 1, "vdc": "bench-vdc", "network": "bench-net",
                                   "cpu_count": NSNull(), "memory": NSNull(), "storage_profile": NSNull(), "ssh_key": NSNull()]
        let bodyData = (try? JSONSerialization.data(withJSONObject: body)) ?? Data()
        let request: [String: Any] = [
            "id": requestID, "method": "POST", "requestUri": "/api/cluster", "queryString": NSNull(), "scheme": "https",
            "protocol": "HTTP/1.1", "request": true, "body": bodyData.base64EncodedString(),
            "headers": ["Accept": "application/*+json;version=30.0", "x-vcloud-authorization": "bench-token"],
        ]
        let context: [String: Any] = ["user": "urn:vcloud:user:bench", "org": "urn:vcloud:org:bench", "rights": []]
        return (try? JSONSerialization.data(withJSONObject: [request, context])) ?? Data()
    }

    /// True when a reply message says 202 Accepted.
    static func isAccepted(_ reply: Data) -> Bool {
        ((try? JSONSerialization.jsonObject(with: reply)) as? [String: Any])?["statusCode"] as? Int == 202
    }
}
