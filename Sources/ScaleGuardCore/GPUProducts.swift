/// How GPU-type label values relate to the GPU products that node labels name.
struct GPUProducts {
    let policy: Policy

    /// Lowercase ASCII alphanumeric runs: `NVIDIA-A100-SXM4-80GB` → nvidia, a100, sxm4, 80gb. On bytes: this runs
    /// on every GPU admission.
    static func tokens(_ text: String) -> [String] {
        var tokens: [String] = []
        tokens.reserveCapacity(4)  // NVIDIA-A100-SXM4-80GB: one allocation, not three
        var text = text
        text.withUTF8 { bytes in
            var start = 0
            for end in 0...bytes.count where end == bytes.count || !LabelSyntax.isAlphanumeric(bytes[end]) {
                defer { start = end + 1 }
                guard end > start else { continue }
                // Short tokens are small strings: no allocation per token.
                tokens.append(
                    String(unsafeUninitializedCapacity: end - start) { out in
                        for i in start..<end {
                            let byte = bytes[i]
                            out[i - start] = byte | (byte >= 0x41 && byte <= 0x5A ? 0x20 : 0)
                        }
                        return end - start
                    })
            }
        }
        return tokens
    }

    /// Whether `product` (a node-label value) is the GPU that `gpuType` (a GPU-type label value) names.
    func product(_ product: String, isType gpuType: String) -> Bool {
        let productTokens = Self.tokens(product)
        func names(_ name: String) -> Bool {
            let nameTokens = Self.tokens(name)
            guard !nameTokens.isEmpty else { return false }
            return nameTokens == productTokens || (nameTokens.count == 1 && productTokens.contains(nameTokens[0]))
        }
        return names(gpuType) || (policy.gpuAliases[gpuType]?.contains(where: names) ?? false)
    }

    /// The tokens that name a GPU model (`a100`, `t4`, `mi300x`), not its memory, form factor or slice.
    static func modelTokens(_ product: String) -> [String] {
        tokens(product).filter { token in
            guard let first = token.utf8.first, first >= 0x61, first <= 0x7A,
                token.utf8.contains(where: { $0 >= 0x30 && $0 <= 0x39 })
            else { return false }
            return !["sxm", "pcie", "hbm", "gddr", "nvl"].contains { token.hasPrefix($0) }
        }
    }

    /// The GPU products a template is pinned to through the configured node labels; nil when it is not pinned.
    func pinnedProducts(of workload: Workload) -> [String]? {
        for key in policy.pinningNodeLabels {
            if let value = workload.pinning.nodeSelector[key] { return [value] }
        }
        var products: [String] = []
        var pinnedTerms = 0
        for term in workload.pinning.requiredTerms {
            let values = term.filter { $0.operator == .in && policy.pinningNodeLabels.contains($0.key) }.flatMap(\.values)
            if !values.isEmpty { pinnedTerms += 1 }
            products += values.filter { !products.contains($0) }
        }
        // A term without a product constraint lets the pods land on any GPU: not pinned.
        guard pinnedTerms > 0, pinnedTerms == workload.pinning.requiredTerms.count else { return nil }
        return products
    }

    /// The value the GPU-type label should have: the template's own, else the pinned product's model.
    func suggestedType(for workload: Workload) -> String? {
        if let label = workload.templateLabels[policy.gpuTypeLabel] { return label }
        return pinnedProducts(of: workload)?.lazy.compactMap(Self.model).first
    }

    /// The model a product names: the catalogue's words, else its first model-like token.
    static func model(of product: String) -> String? {
        GPUCatalogue.model(of: product)?.joined(separator: "-") ?? modelTokens(product).first
    }
}
