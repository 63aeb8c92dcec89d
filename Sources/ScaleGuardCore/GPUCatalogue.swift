/// The GPU models a label value can name: NVIDIA, AMD and Intel data-centre parts and the values of the GKE and EKS
/// accelerator node labels. A value names a GPU when, without its vendor, memory, form-factor and slice words, it
/// is exactly one model here (`nvidia-tesla-a100`, `A100-SXM4-80GB`, `mi300x`) — `v1`, `t5` or `llama3-server` never.
enum GPUCatalogue {
    /// Models as their words, lowercase.
    static let models: Set<[String]> = Set(
        [
            // NVIDIA data centre, newest first; GKE's nvidia-tesla-* and EKS's instance-gpu-name values among them.
            "gb300", "b300", "gb200", "b200", "b100", "gh200", "h200", "h100", "h800", "h20", "l40s", "l40", "l20", "l4", "l2",
            "a100", "a800", "a40", "a30", "a16", "a10", "a10g", "a2", "t4", "t4g", "v100", "v100s", "p100", "p40", "p4", "p6",
            "m60", "m40", "k80", "k40", "a6000", "a5000", "a4000",
            // AMD Instinct.
            "mi355x", "mi350x", "mi325x", "mi308x", "mi300x", "mi300a", "mi300", "mi250x", "mi250", "mi210", "mi100", "mi50",
            // Intel: Gaudi accelerators, Data Center GPU Max and Flex.
            "gaudi", "gaudi2", "gaudi3",
        ].map { [$0] } + [
            ["rtx", "pro", "6000"], ["rtx", "6000"], ["rtx", "a6000"], ["rtx", "8000"], ["rtx", "4090"],
            ["max", "1100"], ["max", "1550"], ["flex", "140"], ["flex", "170"],
        ])

    /// Words that say who made it or how it is packaged, not which GPU it is.
    private static let fillers: Set<String> = [
        "nvidia", "amd", "intel", "tesla", "instinct", "radeon", "data", "center", "datacenter", "gpu", "mega", "shared", "ada", "geforce",
    ]

    /// Whether `value` (a label value) names a GPU model of the catalogue.
    static func names(_ value: String) -> Bool {
        model(of: value) != nil
    }

    /// The catalogue model `value` names, as its words; nil when it names none.
    static func model(of value: String) -> [String]? {
        var words: [String] = []
        for token in GPUProducts.tokens(value) {
            if token == "mig" { break }  // NVIDIA-A100-SXM4-40GB-MIG-1g.5gb: the rest is the slice
            if fillers.contains(token) || isPackaging(token) { continue }
            words.append(token)
        }
        return models.contains(words) ? words : nil
    }

    /// `80gb`, `sxm4`, `pcie`, `hbm3`, `nvl`, `nvl72`: memory and form factor.
    private static func isPackaging(_ token: String) -> Bool {
        if token.hasSuffix("gb"), token.dropLast(2).allSatisfy(\.isNumber), token.count > 2 { return true }
        return ["sxm", "pcie", "hbm", "gddr", "nvl", "oam"].contains { token.hasPrefix($0) }
    }
}
