// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "cse",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "cse", targets: ["cse"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.29.0"),
    ],
    targets: [
        // librabbitmq (rabbitmq-c 0.11, flat headers) with a shim for its variadic calls.
        .systemLibrary(
            name: "CRabbitMQ",
            pkgConfig: "librabbitmq",
            providers: [.apt(["librabbitmq-dev"])]
        ),
        // libcurl with typed wrappers around the variadic curl_easy_setopt/getinfo.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // libxml2: XML bodies parsed (and freed) by the client and the simulator; XSD validation in the simulator.
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        // libcrypt (libxcrypt): SHA-512 crypt hashes of the template's root password (`chpasswd -e` on the guest).
        .systemLibrary(
            name: "CCrypt",
            pkgConfig: "libcrypt",
            providers: [.apt(["libcrypt-dev"])]
        ),
        // zlib: the simulator's audit reads gzip+base64 user data as cloud-init does.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // Specs and config: YAML parsed and validated into value types, with file:line:column diagnostics.
        .target(
            name: "Spec",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The desired-state store: objects, generations, status and events in SQLite (embedded) or PostgreSQL (shared).
        .target(
            name: "Store",
            dependencies: [
                "Spec",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The guest contract (guestinfo keys a VM reports) and the node bootstrap scripts generated from specs.
        // The installation's key pairs and the sealed values guests publish secrets in (RSA-OAEP + AES-CBC + HMAC).
        .target(
            name: "GuestSecrets",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .target(name: "Bootstrap", dependencies: ["Spec", "GuestSecrets", "CCrypt", .product(name: "Yams", package: "Yams")]),
        // The vCD REST client: HTTP over libcurl, sessions, typed XML, tasks, retries.
        .target(name: "VCDClient", dependencies: ["CCurl", "CLibXML2", .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics")]),
        // Observed state: what vCD holds of cse's objects, read through the vCD REST API.
        .target(name: "Observe", dependencies: ["VCDClient", "Bootstrap", .product(name: "Logging", package: "swift-log")]),
        // Diff, plan and execution: desired x observed -> actions.
        .target(name: "Reconcile", dependencies: ["Spec", "Store", "Observe", "VCDClient", "Bootstrap", "GuestSecrets", .product(name: "Crypto", package: "swift-crypto"), .product(name: "Logging", package: "swift-log"),
                                           .product(name: "Metrics", package: "swift-metrics")]),
        // The tenant API (/api/cluster, /api/template) over the desired-state store.
        .target(name: "TenantAPI", dependencies: ["Spec", "Store", "VCDClient", .product(name: "Logging", package: "swift-log")]),
        // The vCD simulator: the vCloud API (XML, tasks, query service, extensions) over an in-memory cloud.
        .target(
            name: "VCDSim",
            dependencies: [
                "Bootstrap",
                "GuestSecrets",
                "Spec",
                "CLibXML2",
                "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // AMQP 0-9-1 over rabbitmq-c: connect, declare, consume, publish, ack, reconnect.
        .target(name: "AMQPTransport", dependencies: ["CRabbitMQ", .product(name: "Logging", package: "swift-log")]),
        // Consumes vCD extension requests from AMQP, answers them through ClusterAPI, acks after commit.
        .target(name: "ExtensionService", dependencies: ["AMQPTransport", "TenantAPI", "Spec", "Store", .product(name: "Logging", package: "swift-log"),
                                                    .product(name: "Metrics", package: "swift-metrics")]),
        // The command-line interface.
        .executableTarget(
            name: "cse",
            dependencies: [
                "Spec",
                "Store",
                "Observe",
                "Reconcile",
                "VCDClient",
                "TenantAPI",
                "ExtensionService",
                "AMQPTransport",
                "Bootstrap",
                "GuestSecrets",
                "VCDSim",
                .product(name: "Yams", package: "Yams"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                // Only the executable chooses the metrics backend (Prometheus) and serves it (Hummingbird).
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .testTarget(name: "SpecTests", dependencies: ["Spec"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "Spec"]),
        .testTarget(name: "SystemLibraryTests", dependencies: ["CRabbitMQ", "CCurl"]),
        // Test helpers shared by test targets (commands started with posix_spawn).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "CLITests", dependencies: ["Spec", "Store", "VCDSim", "VCDClient", "TestSupport"]),
        .testTarget(name: "TenantAPITests", dependencies: ["TenantAPI", "Store", "Spec", "VCDClient", "VCDSim"]),
        .testTarget(name: "SimTests", dependencies: ["VCDSim", "VCDClient", "Observe", "Bootstrap", "GuestSecrets", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "EndToEndTests", dependencies: ["Reconcile", "Observe", "Spec", "Store", "VCDClient", "VCDSim", "Bootstrap", "GuestSecrets",
                                                          .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "ReconcileTests", dependencies: ["Reconcile", "Observe", "Spec", "Store"]),
        .testTarget(name: "GuestSecretsTests", dependencies: ["GuestSecrets"]),
        .testTarget(name: "BootstrapTests", dependencies: ["Bootstrap", "Spec", "GuestSecrets"]),
        // AMQP, and TLS (a private CA made at run time) for AMQP and for vCD over HTTPS against the simulator.
        .testTarget(name: "AMQPTests", dependencies: ["AMQPTransport", "ExtensionService", "TenantAPI", "Store", "Spec", "VCDClient", "VCDSim", "TestSupport",
                                                      .product(name: "Logging", package: "swift-log")]),
    ]
)
