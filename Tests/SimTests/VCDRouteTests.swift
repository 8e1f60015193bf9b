import Testing
import VCDClient

/// Metric labels name a route's shape, never an href's ids, names or query values.
@Suite("vCD routes for metric labels")
struct VCDRouteTests {
    @Test func hrefsBecomeShapes() {
        let cases: [(String, String)] = [
            ("https://vcd.example.com/api/vApp/vapp-7f1c2a3e-0b1d-4c5e-9f00-123456789abc", "/api/vApp/{id}"),
            ("https://vcd.example.com/api/vApp/vm-7f1c2a3e-0b1d-4c5e-9f00-123456789abc/power/action/powerOn",
             "/api/vApp/{id}/power/action/powerOn"),
            ("http://127.0.0.1:8443/api/task/0d1e2f3a-aaaa-bbbb-cccc-1234567890ab", "/api/task/{id}"),
            ("https://vcd/cloudapi/1.0.0/sessions/provider", "/cloudapi/1.0.0/sessions/provider"),
            ("https://vcd/cloudapi/1.0.0/orgs/urn:vcloud:org:5a1b2c3d-0000-1111-2222-333344445555", "/cloudapi/1.0.0/orgs/{id}"),
            ("https://vcd/api/vApp/vapp-1/metadata/SYSTEM/cse.cluster.id", "/api/vApp/{id}/metadata/SYSTEM/{key}"),
            ("https://vcd/api/query?type=adminVApp&filter=name==acme-prod&page=2", "/api/query?type=adminVApp"),
            ("https://vcd/api/query?filter=name==x", "/api/query"),
            ("https://vcd/transfer/7a7b7c7d-1111-2222-3333-444455556666/descriptor.ovf", "/transfer/{id}/{file}"),
            ("https://vcd/api/admin/org/42", "/api/admin/org/{id}"),
            ("https://vcd/api/versions", "/api/versions"),
            ("/api/session", "/api/session"),
        ]
        for (url, route) in cases {
            #expect(VCDRoute.normalized(url) == route, "\(url)")
        }
    }
}
