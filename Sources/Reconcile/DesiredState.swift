import Spec
import Store

/// The desired side of a diff: what the store holds, split by kind.
public struct DesiredState: Sendable {
    public struct Template: Hashable, Sendable {
        public var uid: String
        public var spec: TemplateSpec
        public var specHash: String
        public var generation: Int
        public var isDeleting: Bool

        public init(uid: String, spec: TemplateSpec, specHash: String, generation: Int, isDeleting: Bool) {
            self.uid = uid
            self.spec = spec
            self.specHash = specHash
            self.generation = generation
            self.isDeleting = isDeleting
        }
    }

    public struct Cluster: Hashable, Sendable {
        public var uid: String
        public var spec: ClusterSpec
        public var specHash: String
        public var generation: Int
        public var isDeleting: Bool

        public var key: ObjectKey { ObjectKey(kind: .cluster, org: spec.org, name: spec.name) }

        public init(uid: String, spec: ClusterSpec, specHash: String, generation: Int, isDeleting: Bool) {
            self.uid = uid
            self.spec = spec
            self.specHash = specHash
            self.generation = generation
            self.isDeleting = isDeleting
        }
    }

    public var templates: [Template]
    public var clusters: [Cluster]
    /// The store's installation identity: only vCD objects carrying it are planned for. nil (pure diff tests)
    /// plans over the whole snapshot.
    public var installationID: String?

    public init(templates: [Template] = [], clusters: [Cluster] = [], installationID: String? = nil) {
        self.templates = templates
        self.clusters = clusters
        self.installationID = installationID
    }

    public init(objects: [StoredObject], installationID: String? = nil) {
        var templates: [Template] = []
        var clusters: [Cluster] = []
        for object in objects {
            switch object.object {
            case .template(let spec):
                templates.append(Template(uid: object.uid, spec: spec, specHash: object.specHash,
                                          generation: object.generation, isDeleting: object.isDeleting))
            case .cluster(let spec):
                clusters.append(Cluster(uid: object.uid, spec: spec, specHash: object.specHash,
                                        generation: object.generation, isDeleting: object.isDeleting))
            }
        }
        self.init(templates: templates, clusters: clusters, installationID: installationID)
    }
}
