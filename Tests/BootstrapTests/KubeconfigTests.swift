import Bootstrap
import Testing
import Yams

@Suite struct KubeconfigTests {
    @Test func pointsEveryClusterAtTheMaster() throws {
        let text = try Kubeconfig.validated(Stubs.adminConf, masterIP: "10.0.0.5")
        let parsed = try #require(try Yams.load(yaml: text) as? [String: Any])
        let clusters = try #require(parsed["clusters"] as? [[String: Any]])
        let cluster = try #require(clusters.first?["cluster"] as? [String: Any])
        #expect(cluster["server"] as? String == "https://10.0.0.5:6443")
        #expect(cluster["certificate-authority-data"] as? String == "Q0EtREFUQS1TRUNSRVQ=", "the rest is kept")
        #expect(parsed["current-context"] as? String == "kubernetes-admin@kubernetes")
        #expect(!text.contains("192.168.1.10"))
    }

    @Test func bracketsIPv6() throws {
        let text = try Kubeconfig.validated(Stubs.adminConf, masterIP: "fd00::5")
        #expect(text.contains("https://[fd00::5]:6443"))
    }

    @Test func rejectsWhatIsNotAnAdminKubeconfig() {
        let broken: [(String, Kubeconfig.Problem)] = [
            ("{ not yaml", .notYAML),
            ("- a list", .notAMapping),
            (Stubs.adminConf.replacingOccurrences(of: "apiVersion: v1", with: "apiVersion: v2"), .wrongField("apiVersion", expected: "v1")),
            (Stubs.adminConf.replacingOccurrences(of: "kind: Config", with: "kind: Pod"), .wrongField("kind", expected: "Config")),
            (Stubs.adminConf.replacingOccurrences(of: "users:\n- name: kubernetes-admin\n  user:\n    client-key-data: S0VZLURBVEEtU0VDUkVU\n",
                                                  with: "users: []\n"), .missing("users")),
            (Stubs.adminConf.replacingOccurrences(of: "    user: kubernetes-admin", with: "    user: somebody"),
             .missing("user for every context")),
            (Stubs.adminConf.replacingOccurrences(of: "current-context: kubernetes-admin@kubernetes", with: "current-context: other"),
             .missing("context named by current-context")),
        ]
        for (text, problem) in broken {
            #expect(throws: problem) { try Kubeconfig.validated(text, masterIP: "10.0.0.5") }
        }
    }

    @Test func rejectsAnAddressThatIsNotAnIP() {
        #expect(throws: Kubeconfig.Problem.badMasterAddress) { try Kubeconfig.validated(Stubs.adminConf, masterIP: "evil.example/x") }
        #expect(throws: Kubeconfig.Problem.badMasterAddress) { try Kubeconfig.validated(Stubs.adminConf, masterIP: "") }
    }

    @Test func errorsNeverQuoteTheContent() {
        let secretive = "client-key-data: S0VZLURBVEEtU0VDUkVU\n  - broken: [unclosed"
        do {
            _ = try Kubeconfig.validated(secretive, masterIP: "10.0.0.5")
            Issue.record("accepted broken YAML")
        } catch {
            #expect(!"\(error)".contains("S0VZ"))
            #expect(!String(reflecting: error).contains("S0VZ"))
        }
    }
}
