import Foundation

/// Left-aligned columns separated by two spaces, like kubectl's tables.
struct Table {
    var header: [String]?
    var rows: [[String]]

    init(header: [String]? = nil, rows: [[String]]) {
        self.header = header
        self.rows = rows
    }

    func render() -> String {
        let all = (header.map { [$0] } ?? []) + rows
        guard let columns = all.map(\.count).max(), columns > 0 else { return "" }
        var widths = [Int](repeating: 0, count: columns)
        for row in all {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        return all.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
