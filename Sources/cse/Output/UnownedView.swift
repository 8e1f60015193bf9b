import Store

/// What the last pass saw in vCD with cse's metadata that this installation does not own.
enum UnownedView {
    static func table(_ entries: [UnownedEntry]) -> String {
        guard !entries.isEmpty else { return "" }
        let rows = entries.map { entry in
            [entry.kind, entry.org, entry.place, entry.name, claim(entry), Timestamp.age(since: entry.seenAt)]
        }
        return "\nNot owned by this installation (never changed; `cse adopt` takes clusters in):\n"
            + Table(header: ["KIND", "ORG", "IN", "NAME", "CLAIM", "SEEN"], rows: rows).render()
    }

    static func describe(_ entry: UnownedEntry) -> String {
        var text = "Name:                \(entry.name)\n"
        text += "Org:                 \(entry.org)\n"
        text += "Kind:                \(entry.kind) in \(entry.place)\n"
        text += "Owner id:            \(entry.owner)\n"
        text += "Claim:               \(claim(entry))\n"
        text += "Seen:                \(Timestamp.format(entry.seenAt))\n"
        text += "Not owned by this installation: cse leaves it alone. `cse adopt"
        text += (entry.installation.map { " --installation \($0)" } ?? "") + "` takes it into this store.\n"
        return text
    }

    static func claim(_ entry: UnownedEntry) -> String {
        entry.installation.map { "foreign (installation \($0))" } ?? "unclaimed (\(entry.reason))"
    }
}
