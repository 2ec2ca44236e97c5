import Distributed

/// The ring all-reduce of `size` processes drawn in text: the ring, then what each process holds after every
/// step, played from `RingSchedule` (the schedule `ProcessGroup.allReduce` runs). Process r starts with
/// 10^r times (1, 2, 3, ...), so every sum shows in its digits which processes' values it holds.
func drawnRing(size: Int) -> String {
    let ring = RingSchedule(size: size)
    let names = (0..<size).map { "rank \($0)" }
    let arrows = names.joined(separator: " ──▶ ")
    var lines = [
        arrows + " ──┐", "  ▲" + String(repeating: " ", count: arrows.count) + "│",
        "  └" + String(repeating: "─", count: arrows.count) + "┘", "",
    ]
    let chunks = (0..<size).map { String(UnicodeScalar(UInt8(ascii: "a") + UInt8($0))) }
    var held = (0..<size).map { rank in (0..<size).map { chunk in Double(chunk + 1) * pow10(rank) } }
    func table(_ title: String, changed: Set<[Int]>) {
        lines.append(title)
        lines.append("          " + chunks.map { pad("chunk \($0)") }.joined())
        for rank in 0..<size {
            let cells = (0..<size).map { chunk in
                pad(String(Int(held[rank][chunk])) + (changed.contains([rank, chunk]) ? "*" : " "))
            }
            lines.append("  rank \(rank)  " + cells.joined())
        }
    }
    table("start: each process's own values", changed: [])
    for round in ["reduce-scatter", "all-gather"] {
        for step in 0..<ring.steps {
            let before = held
            var changed: Set<[Int]> = []
            for rank in 0..<size {
                let left = ring.neighbours(of: rank).left
                let chunk =
                    round == "reduce-scatter"
                    ? ring.reduceScatter(rank: rank, step: step).receive
                    : ring.allGather(rank: rank, step: step).receive
                held[rank][chunk] =
                    round == "reduce-scatter" ? held[rank][chunk] + before[left][chunk] : before[left][chunk]
                changed.insert([rank, chunk])
            }
            let verb = round == "reduce-scatter" ? "adds" : "keeps"
            table(
                "\(round), step \(step + 1): each receives one chunk from its left and \(verb) it (*)", changed: changed
            )
        }
    }
    return lines.joined(separator: "\n")
}

private func pow10(_ exponent: Int) -> Double { (0..<exponent).reduce(1) { value, _ in value * 10 } }

private func pad(_ text: String) -> String { String(repeating: " ", count: max(0, 10 - text.count)) + text }
