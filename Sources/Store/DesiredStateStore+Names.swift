import Spec

extension DesiredStateStore {
    /// The names of the objects of one kind (every org), sorted as `objects` sorts them, without decoding any spec.
    public func objectNames(kind: ObjectKind, includeDeleting: Bool = true) throws -> [String] {
        try read { try $0.objects(kind: kind, org: nil, includeDeleting: includeDeleting).map(\.name) }
    }
}
