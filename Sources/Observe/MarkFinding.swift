/// Something wrong with cse's marks that the observer found and set aside instead of acting on it.
public struct MarkFinding: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable {
        /// A cse key in the GENERAL domain, which tenants can write: ignored, reported as tampering.
        case tampered = "MarkTampered"
        /// A SYSTEM mark that disagrees with where vCD says the object is, or with the cluster's spec.
        case misplaced = "MarkMisplaced"
        /// A second object claims a cluster id another object claims: none of them is used or destroyed.
        case conflict = "MarkConflict"
    }

    public var kind: Kind
    /// The vCD object carrying the mark.
    public var href: String
    public var objectName: String
    /// Where vCD says the object is (not what a mark claims).
    public var org: String
    public var key: String
    public var value: String
    /// The cluster the object is (by its own SYSTEM marks, or its VM's vApp's), else the cluster the mark claims.
    public var clusterID: String?
    /// Another cluster the mark claims, when it is not `clusterID` (a copy of one cluster's id on another's vApp).
    public var claimedClusterID: String?
    /// The template the finding concerns (the claimed one, or the one the object's own SYSTEM marks name), when known.
    public var templateName: String?
    public var message: String

    public init(kind: Kind, href: String, objectName: String, org: String, key: String, value: String, clusterID: String?,
                claimedClusterID: String? = nil, templateName: String? = nil, message: String) {
        self.kind = kind
        self.href = href
        self.objectName = objectName
        self.org = org
        self.key = key
        self.value = value
        self.clusterID = clusterID
        self.claimedClusterID = claimedClusterID
        self.templateName = templateName
        self.message = message
    }
}

/// Where a desired cluster must be: a vApp claiming its id anywhere else is not believed.
public struct ClusterPlacement: Hashable, Sendable {
    public var org: String
    public var vdc: String

    public init(org: String, vdc: String) {
        self.org = org
        self.vdc = vdc
    }
}
