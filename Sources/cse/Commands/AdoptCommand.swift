import ArgumentParser
import Foundation
import Observe
import Reconcile
import Spec
import Store
import VCDClient

/// `cse adopt`: takes clusters that carry cse's metadata but no installation's claim (a lost or wiped store, a
/// `--store` typo) into this store, with their specs rebuilt from what vCD shows, and marks them as this
/// installation's. Nothing is created or deleted: the next pass finds the VMs as they are.
struct AdoptCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adopt",
        abstract: "Take unclaimed clusters (cse's metadata, no owner in this store) into the store, without recreating anything.",
        discussion: """
            Lists the clusters `cse plan` shows as unclaimed, rebuilds each one's spec from vCD (vdc, template, node \
            count and VM sizes) and writes it under the cluster id it already has; then records this installation's \
            identity on its vApp, VMs and template catalog item. Another installation's clusters (foreign) are adopted \
            only when --installation names that installation (for example after its store was lost).
            """
    )

    @Argument(help: "Cluster names to adopt (default: every unclaimed cluster).")
    var names: [String] = []

    @Option(help: "Only clusters of this org.")
    var org: String?

    @Option(help: "Also adopt clusters marked by this (lost) installation id, as `cse plan` shows it.")
    var installation: String?

    @Flag(help: "Only show what would be adopted.")
    var dryRun = false

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let context = try await ReconcileContext.open(storeOptions: storeOptions, creating: true, logger: CLILogging.logger(verbose: false))
        do {
            try await adopt(context)
        } catch {
            await context.connection.close()
            throw error
        }
        await context.connection.close()
    }

    private func adopt(_ context: ReconcileContext) async throws {
        let plan = try await context.reconciler.plan()
        let candidates = plan.unowned.filter { object in
            guard object.kind == .clusterVApp else { return false }
            if let org, object.org != org { return false }
            if !names.isEmpty && !names.contains(object.name) { return false }
            switch object.claim {
            case .unclaimed: return true
            case .foreign(let id): return id == installation
            }
        }
        guard !candidates.isEmpty else {
            print("Nothing to adopt.")
            let foreign = plan.unowned.filter { object in
                if case .foreign = object.claim { return object.kind == .clusterVApp }
                return false
            }
            if !foreign.isEmpty {
                print("Clusters of other installations (adopt them with --installation ID only if that installation is gone):")
                for object in foreign { print("  \(object.org)/\(object.name)  (\(object.summary))") }
            }
            return
        }
        let session = context.connection.session
        let snapshot = try await Observer(session: session).observe()
        let ours = try context.store.installationID()
        var failures = 0
        for candidate in candidates {
            guard let vApp = snapshot.clusters.first(where: { $0.href == candidate.href }) else { continue }
            do {
                let spec = try Self.spec(of: vApp, templates: snapshot.templates)
                if dryRun {
                    print("would adopt cluster/\(spec.org)/\(spec.name) (\(Self.describe(spec)))")
                    continue
                }
                if try context.store.object(ObjectKey(kind: .template, org: "", name: spec.template)) == nil {
                    print("note: template \(spec.template) is not in the store; apply its spec so that the cluster can grow")
                }
                try context.store.adopt(.cluster(spec), uid: vApp.owner, owner: .admin)
                try await mark(vApp, templates: snapshot.templates, installation: ours, session: session,
                               pollInterval: context.connection.taskPollInterval)
                print("adopted cluster/\(spec.org)/\(spec.name) (\(Self.describe(spec))), cluster id \(vApp.owner)")
            } catch {
                failures += 1
                Diagnostics.printError("cannot adopt \(candidate.org)/\(candidate.name): \(error)")
            }
        }
        if failures > 0 { throw ExitCode.failure }
    }

    /// Records this installation's identity on the vApp, its VMs and the template item it was made from.
    private func mark(_ vApp: ObservedVApp, templates: [ObservedTemplate], installation: String, session: VCDSession,
                      pollInterval: Duration) async throws {
        var hrefs = [vApp.href] + vApp.vms.map(\.href)
        if let item = templates.first(where: { $0.itemName == vApp.templateItem && $0.installation == vApp.installation }) { hrefs.append(item.href) }
        for href in hrefs {
            let task = try await session.writeMarks(href, [(MetadataKey.installation, installation)])
            _ = try await session.wait(for: task, timeout: .seconds(600), pollInterval: pollInterval)
        }
    }

    /// The spec that makes the diff leave the cluster as it is: its vdc, its template, as many nodes as its highest
    /// node ordinal (a gap is filled, nothing is removed) and the sizes its VMs have.
    static func spec(of vApp: ObservedVApp, templates: [ObservedTemplate]) throws -> ClusterSpec {
        guard let template = templates.first(where: { $0.itemName == vApp.templateItem })?.name else {
            throw AdoptError("its template catalog item \(vApp.templateItem.isEmpty ? "(none recorded)" : vApp.templateItem) is not in vCD")
        }
        var master: ObservedVM?
        var nodes: [(ordinal: Int, vm: ObservedVM)] = []
        for vm in vApp.vms {
            switch Naming.parseVM(vm.name, cluster: vApp.name) {
            case (.master, _)?: master = vm
            case (.node, let ordinal)?: nodes.append((ordinal, vm))
            case nil: break
            }
        }
        guard let master else { throw AdoptError("vApp \(vApp.name) has no master VM \(Naming.masterVM(cluster: vApp.name))") }
        let node = nodes.min { $0.ordinal < $1.ordinal }?.vm
        return ClusterSpec(name: vApp.name, org: vApp.org, vdc: vApp.vdc, template: template,
                           master: SizeOverride(cpu: master.cpu, memoryMB: master.memoryMB),
                           nodes: NodePool(count: nodes.map(\.ordinal).max() ?? 0, cpu: node?.cpu, memoryMB: node?.memoryMB))
    }

    static func describe(_ spec: ClusterSpec) -> String {
        "vdc \(spec.vdc), template \(spec.template), \(spec.nodes.count) node\(spec.nodes.count == 1 ? "" : "s")"
    }
}

struct AdoptError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
