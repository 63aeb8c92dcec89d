// swift-tools-version:6.2
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "ScaleGuard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "scaleguard", targets: ["scaleguard"]),
        .library(name: "ScaleGuardCore", targets: ["ScaleGuardCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // A strict JSON reader over bytes, and JSON text written. No I/O, no C.
        .target(name: "JSON", swiftSettings: strict),
        // Pure logic: models, selectors, the cluster view, rules and verdicts. No I/O, no C.
        .target(name: "ScaleGuardCore", dependencies: ["JSON"], swiftSettings: strict),

        // System libraries from Debian (libyaml-dev, libssl-dev) and the C shims Swift cannot call directly.
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .target(name: "CShims", dependencies: ["COpenSSL"]),
        .target(name: "CSystem"),

        // Deadlines and locks: what the I/O modules share, below all of them.
        .target(name: "Primitives", dependencies: ["CSystem"], swiftSettings: strict),
        // HTTP/1.1 messages, heads and bodies, encoded and decoded over byte buffers, in both directions. No sockets.
        .target(name: "HTTPCodec", swiftSettings: strict),

        // YAML on libyaml, decoded into Codable values with Kubernetes' scalar typing.
        .target(name: "YAML", dependencies: ["CYAML", "JSON"], swiftSettings: strict),
        // Manifests (YAML or JSON) into checked objects, and reports of a check.
        .target(name: "Manifests", dependencies: ["ScaleGuardCore", "JSON", "YAML", "Primitives"], swiftSettings: strict),

        // POSIX sockets: listen, accept, connect, wait, with their own errors.
        .target(name: "Sockets", dependencies: ["Primitives"], swiftSettings: strict),
        // TLS on OpenSSL, and an HTTPS server on epoll event loops.
        .target(name: "TLS", dependencies: ["COpenSSL", "CShims", "Primitives", "Sockets"], swiftSettings: strict),
        .target(
            name: "HTTPServing",
            dependencies: ["TLS", "Sockets", "HTTPCodec", "Primitives", "CSystem", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),

        // The Kubernetes API client, reflectors and the cluster cache.
        .target(
            name: "KubeClient",
            dependencies: ["ScaleGuardCore", "JSON", "YAML", "TLS", "Sockets", "HTTPCodec", "Primitives", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),

        // Where audits are published: policy reports and events, by the replica a Lease makes the leader.
        .target(
            name: "AuditPublishing",
            dependencies: ["ScaleGuardCore", "KubeClient", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),

        // The admission webhook: endpoints, metrics, lifecycle.
        .target(
            name: "ScaleGuardServer",
            dependencies: [
                "ScaleGuardCore", "JSON", "Manifests", "HTTPServing", "HTTPCodec", "KubeClient", "TLS", "Primitives", "AuditPublishing",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),

        .executableTarget(
            name: "scaleguard",
            dependencies: [
                "ScaleGuardCore", "JSON", "Manifests", "ScaleGuardServer", "KubeClient", "HTTPServing", "Primitives", "AuditPublishing",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        // A fake Kubernetes API for the tests and the cache benchmark.
        .target(
            name: "FakeKubeAPI",
            dependencies: [
                "HTTPServing", "HTTPCodec", "TLS", "KubeClient", "JSON", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        .executableTarget(
            name: "ScaleGuardBench",
            dependencies: [
                "ScaleGuardCore", "JSON", "KubeClient", "FakeKubeAPI", "AuditPublishing", "CSystem",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/ScaleGuardBench",
            swiftSettings: strict
        ),

        // What the test targets share: running blocking tests off the cooperative pool.
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "ScaleGuardCoreTests", dependencies: ["ScaleGuardCore", "JSON"]),
        .testTarget(name: "HTTPCodecTests", dependencies: ["HTTPCodec"]),
        .testTarget(name: "PrimitivesTests", dependencies: ["Primitives"]),
        .testTarget(
            name: "HTTPServingTests", dependencies: ["HTTPServing", "HTTPCodec", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "SocketsTests", dependencies: ["Sockets", "Primitives"]),
        .testTarget(name: "YAMLTests", dependencies: ["YAML"]),
        .testTarget(name: "ManifestsTests", dependencies: ["Manifests", "ScaleGuardCore", "YAML", "JSON"]),
        .testTarget(name: "scaleguardTests", dependencies: ["scaleguard", "TestSupport"]),
        // These and scaleguardTests also run the scaleguard binary, for what needs a process (TLS, signals, exit codes).
        .testTarget(
            name: "ScaleGuardServerTests",
            dependencies: [
                "scaleguard", "ScaleGuardServer", "ScaleGuardCore", "Manifests", "KubeClient", "HTTPServing", "HTTPCodec", "TLS",
                "Sockets", "Primitives",
                "FakeKubeAPI", "TestSupport", .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "AuditPublishingTests",
            dependencies: [
                "AuditPublishing", "ScaleGuardCore", "KubeClient", "FakeKubeAPI", "TestSupport", .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(name: "DeployTests", dependencies: ["YAML", "Manifests", "KubeClient", "TestSupport"]),
        .testTarget(
            name: "KubeClientTests",
            dependencies: [
                "KubeClient", "FakeKubeAPI", "ScaleGuardCore", "TestSupport", .product(name: "Logging", package: "swift-log"),
            ]),
    ]
)

// The libFuzzer targets (Fuzz/ScaleGuardFuzz), only when asked for: they link against libFuzzer's driver, which
// exists only in a build with -sanitize=fuzzer. scripts/fuzz.sh sets SCALEGUARD_FUZZ and builds them.
if Context.environment["SCALEGUARD_FUZZ"] != nil {
    package.targets.append(
        .executableTarget(
            name: "ScaleGuardFuzz",
            dependencies: ["HTTPCodec", "JSON", "YAML", "ScaleGuardCore", "Manifests", "KubeClient"],
            path: "Fuzz/ScaleGuardFuzz",
            swiftSettings: strict
        ))
}
