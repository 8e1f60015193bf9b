/// config.yaml: how cse reaches vCD and AMQP, where it keeps desired state, how the service runs,
/// and (seed compatibility) the template `cse install` builds. Secrets are references, never values.
public struct ServiceConfig: Hashable, Sendable {
    public var vcd: VCDConfig?
    public var amqp: AMQPConfig?
    public var store: StoreConfig
    public var service: ServiceSettings
    /// The seed's `broker` section, as a template spec.
    public var broker: TemplateSpec?

    public init(vcd: VCDConfig? = nil, amqp: AMQPConfig? = nil, store: StoreConfig = StoreConfig(),
                service: ServiceSettings = ServiceSettings(), broker: TemplateSpec? = nil) {
        self.vcd = vcd
        self.amqp = amqp
        self.store = store
        self.service = service
        self.broker = broker
    }
}

/// A real vCD; when config has none, cse runs against its embedded simulator.
public struct VCDConfig: Hashable, Sendable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: SecretReference
    public var apiVersion: String?
    public var verify: Bool
    public var caBundle: String?
    public var logWire: Bool

    /// `https://host:port`, or the URL given as host when it has a scheme (for the simulator or a proxy).
    public var baseURL: String {
        if host.hasPrefix("http://") || host.hasPrefix("https://") { return host }
        return port == 443 ? "https://\(host)" : "https://\(host):\(port)"
    }
}

public struct AMQPConfig: Hashable, Sendable {
    public var host: String
    public var port: Int
    public var vhost: String
    public var username: String
    public var password: SecretReference
    public var exchange: String
    public var routingKey: String
    /// TLS (`amqps`), verified against `sslCAFile` (else the system's trust store) unless `sslAcceptAll`.
    public var ssl: Bool
    public var sslAcceptAll: Bool
    public var sslCAFile: String?
    /// A client certificate and its key (PEM files), for brokers that ask for one.
    public var sslCertFile: String?
    public var sslKeyFile: String?
    public var prefix: String
}

public struct StoreConfig: Hashable, Sendable {
    /// SQLite file of desired state; a relative path in a config file is taken from the config file's folder.
    /// With `url` set, the local path beside which per-machine files (installation keys, the simulator's state) live.
    public var path: String
    /// A PostgreSQL database (`postgres://USER@HOST:PORT/DATABASE[?schema=NAME][&sslmode=MODE&sslrootcert=FILE]`) instead of the SQLite file,
    /// for several `cse run` replicas. Never printed with a password.
    public var url: String?
    /// The PostgreSQL password, when the server asks for one (a reference: `{env: NAME}` or `{file: PATH}`).
    public var password: SecretReference?

    public init(path: String = StoreConfig.defaultPath, url: String? = nil, password: SecretReference? = nil) {
        self.path = path
        self.url = url
        self.password = password
    }

    public static let defaultPath = ".cse/store.sqlite"
}

public struct ServiceSettings: Hashable, Sendable {
    /// Concurrent AMQP consumers (the seed's `listeners`).
    public var listeners: Int
    /// Tenant requests each consumer serves at once (`service.inflight_per_listener`); their writes share commits.
    public var inFlightPerListener = 16
    /// Seconds between full reconcile passes that repair drift.
    public var resyncIntervalSeconds: Int
    public var logFile: String
    public var logLevel: String
    /// How many reconcile actions run at once (`service.concurrency`).
    public var concurrency = Concurrency()
    /// Seconds the store's reconciler lease lasts without renewal (`service.lease.ttl`): a standby replica takes over
    /// this long after the holder died; the holder renews every third of it.
    public var leaseTTLSeconds = 15
    /// Where `cse run` serves metrics and health (`service.http.listen`); nil: not served.
    public var httpListen: HTTPListen?

    public struct Concurrency: Hashable, Sendable {
        /// Actions running at once in all (each holds one vApp or catalog item; vCD runs one task per entity).
        public var global: Int
        /// Actions running at once for one org's objects, so one tenant cannot take every slot.
        public var perOrg: Int

        public init(global: Int = 32, perOrg: Int = 16) {
            self.global = global
            self.perOrg = perOrg
        }
    }

    public init(listeners: Int = 2, resyncIntervalSeconds: Int = 300, logFile: String = "cse.log", logLevel: String = "info") {
        self.listeners = listeners
        self.resyncIntervalSeconds = resyncIntervalSeconds
        self.logFile = logFile
        self.logLevel = logLevel
    }

    public static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
}
